"""Side-by-side comparison of 2 to 6 trials (or of the arms of one trial) as aligned rows.

What it is for: a clinician looking at several protocols wants the criteria that speak of the same
thing (age, ECOG, pregnancy, brain metastases, ...) on the same line, wants to see at a glance where
the trials REQUIRE different things (ECOG 0-2 against 1-3, not a rewording), and wants those
differences summed up first. ``compare_records`` builds that table; the GUI and the PDF report draw
it, ``output.comparison_text`` prints it in a terminal and ``output.comparison_to_json`` serialises
it (``reviewer compare --json``).

Sections (``table.SECTIONS``) and where their rows are made:

- ``design`` (design.py): one row per design field, compared by text (ages by their value).
- ``arms`` (arms.py): arms grouped by role, paired within a role by word overlap.
- ``inclusion`` / ``exclusion`` (eligibility_rows.py): rows by facet first (the profile's
  requirement keys: "age", "performance:ECOG", "lab:anc" ...), an item on every facet row it states;
  items without values on concept rows (concepts.py), the rest clustered by word overlap. A facet
  row carries per-trial ``values`` and differs exactly when the trials' requirements differ,
  inclusion and exclusion read together.
- ``outcomes`` (outcomes.py): primary with primary ...; by known endpoint, then word overlap.

``Row.keys`` parallels ``Row.cells`` with the items' ``reviewer.core.items.ItemRef``, the refs notes
use. ``Comparison.key_differences``: one line per facet on which the trials differ, in row order.

Facets come from ``eligibility.criterion_facets`` unless the caller passes them (``item_facets``:
the Library passes reviewers' corrected facets).

Speed: six typical trials (about 150 criteria) compare in well under 100 ms (tests/perf/
bench_compare.py); concept rules are prefiltered by trigger words and cached.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..eligibility import ItemFacets, criterion_facets
from ..record import TrialRecord
from .arms import arm_rows, compare_arms
from .design import design_rows
from .eligibility_rows import criteria_sections
from .outcomes import outcome_rows
from .output import comparison_text, comparison_to_json
from .table import (
    NO_VALUE_READ,
    NOT_IN_SOURCE,
    NOT_STATED,
    SECTION_TITLES,
    SECTIONS,
    Comparison,
    KeyDifference,
    Row,
)

MIN_TRIALS = 2
MAX_TRIALS = 6

__all__ = [
    "MAX_TRIALS",
    "MIN_TRIALS",
    "NOT_IN_SOURCE",
    "NO_VALUE_READ",
    "NOT_STATED",
    "SECTIONS",
    "SECTION_TITLES",
    "Comparison",
    "KeyDifference",
    "Row",
    "compare_arms",
    "compare_records",
    "comparison_text",
    "comparison_to_json",
]


def compare_records(
    records: Sequence[TrialRecord], item_facets: Sequence[Sequence[ItemFacets]] | None = None
) -> Comparison:
    """Align the design, arms, criteria and outcomes of 2 to 6 trials (columns in the given order).

    ``item_facets``: per record, its criteria items with their facets (a reviewer's corrections
    applied); None reads them from the records (``eligibility.criterion_facets``).
    """
    records = list(records)
    if not MIN_TRIALS <= len(records) <= MAX_TRIALS:
        raise ValueError(
            f"compare {MIN_TRIALS} to {MAX_TRIALS} trials at a time; {len(records)} "
            f"{'was' if len(records) == 1 else 'were'} given"
        )
    if item_facets is None:
        item_facets = [criterion_facets(record) for record in records]
    elif len(item_facets) != len(records):
        raise ValueError(f"item facets for {len(item_facets)} trials were given with {len(records)} trials")
    criteria, key_differences = criteria_sections(records, item_facets)
    return Comparison(
        trials=[record.registry_id for record in records],
        sections={
            "design": design_rows(records),
            "arms": arm_rows(records),
            "inclusion": criteria["inclusion"],
            "exclusion": criteria["exclusion"],
            "outcomes": outcome_rows(records),
        },
        key_differences=key_differences,
    )
