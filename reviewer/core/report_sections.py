"""The parts of a report a reader can leave out: one declaration for the templates, the command
line's --sections and the report dialog's checkboxes.

Kept apart from reviewer.core.reports (which loads Jinja and the store) so that the command line
can name the sections in its help without importing anything heavy.
"""

from __future__ import annotations

# name -> the words the dialog shows, in the order the brief prints them
SECTIONS = {
    "summary": "Brief summary",
    "design": "Design",
    "arms": "Arms and interventions",
    "eligibility": "Eligibility",
    "outcomes": "Outcomes",
    "results": "Results (trials that posted them)",
    "sites": "Sites (by country)",
    "contacts": "Contacts",
    "references": "References",
    "notes_summary": "Summary of notes",
    "provenance": "Provenance",
}
# the ones a comparison has (the others are a brief's alone)
COMPARISON_SECTIONS = frozenset({"design", "arms", "eligibility", "outcomes"})
# sections added after the report dialog first remembered its choices: a choice saved before then
# (a list of the ticked sections only) has them ticked
ADDED_SINCE_FIRST_RELEASE = frozenset({"summary", "sites", "contacts", "results", "references"})
