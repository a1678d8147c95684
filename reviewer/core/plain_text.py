"""A trial as readable plain text, section by section (for `reviewer show`), from its presentation.

The values, their states and the items' numbers are the presentation's (reviewer.core.presentation),
the same as the app's page and the PDF brief; a part not in source reads "(not in source)", a part the
source carries empty "(none)", a value left out "—".
"""

from __future__ import annotations

import textwrap

from .presentation.results import Table
from .presentation.trial import Criterion, Trial, present
from .presentation.values import WORDS, Shown, State
from .record import TrialRecord

WIDTH = 100


def words(value: Shown | State) -> str:
    """A value in plain text: its words, an absent part's state in parentheses."""
    state = value if isinstance(value, State) else value.state
    if state is State.GIVEN:
        return value.words if isinstance(value, Shown) else ""
    if state is State.BLANK:
        return WORDS[state]
    return f"({WORDS[state].lower()})"


def _wrap(text: str, indent: str = "  ") -> list[str]:
    lines = []
    for paragraph in text.split("\n"):
        if not paragraph.strip():
            lines.append("")
            continue
        lines.extend(
            textwrap.wrap(paragraph, WIDTH, initial_indent=indent, subsequent_indent=indent) or [indent]
        )
    return lines


def _numbered(number: str, text: str, indent: str) -> list[str]:
    """An item with its number, its text wrapped under itself."""
    first = f"{indent}{number}. "
    return textwrap.wrap(text, WIDTH, initial_indent=first, subsequent_indent=" " * len(first)) or [
        first.rstrip()
    ]


def _field(name: str, value: Shown | State | str) -> str:
    return f"  {name + ':':<23} {value if isinstance(value, str) else words(value)}"


def _criteria(items: list[Criterion]) -> list[str]:
    return [line for item in items for line in _numbered(item.number, item.text, "  " * (item.depth + 2))]


def _header(p: Trial) -> list[str]:
    title = f"{p.registry_id}  {p.brief_title.text}".rstrip()
    return [
        title,
        "=" * min(WIDTH, len(title)),
        _field("Official title", p.official_title),
        _field("Acronym", p.acronym),
        *(_field(f.label, f.value) for f in p.facts),
        _field("Results", p.results_fact),
        _field("Identifiers", p.identifiers),
    ]


def _arms(p: Trial) -> list[str]:
    if p.arms_state is State.NOT_IN_SOURCE and p.interventions_state is State.NOT_IN_SOURCE:
        return [f"  {words(p.arms_state)}"]
    lines = [f"  {words(p.arms_state)}"] if not p.arms else []
    for arm in p.arms:
        lines.append(f"  [{arm.type.text}] {arm.label}" if arm.type.is_given else f"  {arm.label}")
        lines += _wrap(arm.description.text, "      ") if arm.description.is_given else []
        lines += [f"      receives: {name}" for name in arm.intervention_names]
    lines.append("")
    if not p.interventions:
        lines.append(f"  {words(p.interventions_state)}")
    for item in p.interventions:
        lines.append(f"  {item.type.text}: {item.name}" if item.type.is_given else f"  {item.name}")
        if item.other_names:
            lines.append(f"      also known as: {', '.join(item.other_names)}")
        lines += _wrap(item.description.text, "      ") if item.description.is_given else []
    return lines


def _eligibility(p: Trial) -> list[str]:
    if p.eligibility_state is State.NOT_IN_SOURCE:
        return [f"  {words(p.eligibility_state)}"]
    lines = [_field(f.label, f.value) for f in p.eligibility]
    for group in p.criteria:
        count = f" ({len(group.items)})" if group.key != "other" else ""
        lines += ["", f"  {group.title}{count}:"]
        lines += _criteria(group.flat) if group.items else [f"    {words(group.state)}"]
    if p.criteria_text:
        lines += ["", "  Criteria as written:"] + _wrap(
            "\n\n".join("\n".join(b) for b in p.criteria_text), "    "
        )
    return lines


def _outcomes(p: Trial) -> list[str]:
    if p.outcomes_state is State.NOT_IN_SOURCE:
        return [f"  {words(p.outcomes_state)}"]
    lines = []
    for group in p.outcomes:
        lines.append(f"  {group.title} ({len(group.items)}):")
        if not group.items:
            lines.append(f"    {words(group.state)}")
        for outcome in group.items:
            lines += _numbered(outcome.number, outcome.measure, "    ")
            if outcome.time_frame.is_given:
                lines += _wrap(f"Time frame: {outcome.time_frame.text}", "       ")
    return lines


def _table(table: Table) -> list[str]:
    """A results table as text: the groups' titles as a header, a label column and right-aligned cells."""
    lines = [f"  {table.title}"]
    lines += [line for label, text in table.notes for line in _wrap(f"{label}: {text}", "    ")]
    label_width = min(48, max([len(r.label) + (2 if r.indented else 0) for r in table.rows] + [8]))
    widths = [max([len(c)] + [len(r.cells[i]) for r in table.rows if len(r.cells) > i]) for i, c in enumerate(table.columns)]
    lines.append("    " + " " * label_width + "".join(f"  {c:>{w}}" for c, w in zip(table.columns, widths, strict=True)))
    for row in table.rows:
        label = ("  " if row.indented else "") + row.label
        if row.heading:
            lines.append(f"    {label}")
            continue
        label = label if len(label) <= label_width else label[: label_width - 1] + "…"
        lines.append(f"    {label:<{label_width}}" + "".join(f"  {c:>{w}}" for c, w in zip(row.cells, widths, strict=False)))
    lines += [line for analysis in table.analyses for line in _wrap(f"Analysis: {analysis}", "    ")]
    return lines + [""]


def _results(p: Trial) -> list[str]:
    view = p.results
    if view.state is not State.GIVEN:
        return ["  None posted" if view.state is State.NONE else f"  {words(view.state)}"]
    lines = [line for label, text in view.flow_notes for line in _wrap(f"{label}: {text}")]
    tables = [*view.flow, view.baseline, *view.outcomes, view.adverse_totals, view.serious_events, view.other_events]
    for table in tables:
        if table is not None:
            lines += _table(table)
    lines += [line for label, text in view.adverse_notes + view.more for line in _wrap(f"{label}: {text}")]
    return lines


def _sponsors(p: Trial) -> list[str]:
    lines = [_field("Lead sponsor", p.lead_sponsor), _field("Collaborators", p.collaborators)]
    for group in p.contacts:
        lines.append(f"  {group.title}:")
        if not group.people:
            lines.append(f"    {words(group.state)}")
        for person in group.people:
            lines.append("    " + ", ".join(x for x in (person.words, person.reach) if x))
    count = "" if p.sites.state is State.NOT_IN_SOURCE else f" ({p.sites.total})"
    lines.append(f"  Locations{count}:")
    if not p.sites.total:
        lines.append(f"    {words(p.sites.state)}")
    for row in p.sites.rows():
        lines.append("    " + ", ".join(cell for cell in row[:3] if not isinstance(cell, State)))
    return lines


def _documents(p: Trial) -> list[str]:
    if not p.documents:
        return [f"  {words(p.documents_state)}"]
    return ["  " + ", ".join(x for x in (doc.name, doc.details) if x) for doc in p.documents]


def _references(p: Trial) -> list[str]:
    if not p.references and not p.links:
        return [f"  {words(p.references_state)}"]
    lines = []
    for ref in p.references:
        lines += _wrap(ref.text + (f" [{ref.kind}]" if ref.kind else ""))
        if ref.url:
            lines.append(f"    {ref.url}")
    lines += [f"  {label}: {url}" if label != url else f"  {url}" for label, url in p.links]
    return lines


def record_text(record: TrialRecord, versions: list[str] | None = None) -> str:
    p = present(record)
    out = _header(p)

    def section(title: str, lines: list[str]) -> None:
        out.extend(["", title, "-" * len(title), *lines])

    overview = _wrap(p.brief_summary.text) if p.brief_summary.is_given else [f"  {words(p.brief_summary)}"]
    if p.description_paragraphs:
        text = "\n\n".join("\n".join(lines) for lines in p.description_paragraphs)
        overview += ["", "  Description:"] + _wrap(text, "    ")
    overview += ["", _field("Conditions", p.conditions), _field("Keywords", p.keywords)]
    section("Overview", overview)
    design = [_field(f.label, f.value) for f in p.design]
    for description in (p.model_description, p.masking_description):
        design += _wrap(description.text, "    ") if description.is_given else []
    section("Design", design)
    section("Arms and interventions", _arms(p))
    section("Eligibility", _eligibility(p))
    section("Outcomes", _outcomes(p))
    section("Results", _results(p))
    section("Sponsor and sites", _sponsors(p))
    section("Documents", _documents(p))
    section("References", _references(p))
    if versions:
        section("Versions (newest first)", [f"  {v}" for v in versions])
    return "\n".join(out) + "\n"
