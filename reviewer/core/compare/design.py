"""The design section: one row per design field (study type, phases, ... start date, conditions). A
value the document does not carry reads "not in source"; a list the document gives empty reads "—".
"""

from __future__ import annotations

from collections.abc import Callable

from ..items import design_field
from ..record import TrialRecord
from ..vocab import age_in_years, label, phases_label
from .table import EMPTY, NOT_IN_SOURCE, Row, normalized, texts_differ


def code(value: str | None) -> str:
    return label(value) if value else NOT_IN_SOURCE


def _masking(record: TrialRecord) -> str:
    design = record.design
    if not design.masking:
        return NOT_IN_SOURCE
    who = ", ".join(label(w) for w in design.who_masked)
    return f"{label(design.masking)} ({who})" if who else label(design.masking)


def _enrollment(record: TrialRecord) -> str:
    design = record.design
    if design.enrollment_count is None:
        return NOT_IN_SOURCE
    kind = f" ({label(design.enrollment_type)})" if design.enrollment_type else ""
    return f"{design.enrollment_count}{kind}"


def _eligibility_field(record: TrialRecord, name: str) -> str:
    eligibility = record.eligibility
    if eligibility is None:
        return NOT_IN_SOURCE
    value = getattr(eligibility, name)
    if name in ("minimum_age", "maximum_age"):
        return value or "no limit"
    if name == "healthy_volunteers":
        return NOT_IN_SOURCE if value is None else ("Yes" if value else "No")
    return code(value)


def _start(record: TrialRecord) -> str:
    dates = record.dates
    if not dates.start:
        return NOT_IN_SOURCE
    return f"{dates.start} ({label(dates.start_type)})" if dates.start_type else dates.start


def _listed(values: list[str] | None) -> str:
    if values is None:
        return NOT_IN_SOURCE
    return "; ".join(values) if values else EMPTY


DESIGN_FIELDS: tuple[tuple[str, str, Callable[[TrialRecord], str]], ...] = (
    ("study_type", "Study type", lambda r: code(r.design.study_type)),
    ("phases", "Phases", lambda r: phases_label(r.design.phases) or EMPTY),
    ("primary_purpose", "Primary purpose", lambda r: code(r.design.primary_purpose)),
    ("allocation", "Allocation", lambda r: code(r.design.allocation)),
    ("intervention_model", "Intervention model", lambda r: code(r.design.intervention_model)),
    ("masking", "Masking", _masking),
    ("enrollment", "Enrollment", _enrollment),
    ("overall_status", "Status", lambda r: code(r.overall_status)),
    ("sex", "Sex", lambda r: _eligibility_field(r, "sex")),
    ("minimum_age", "Minimum age", lambda r: _eligibility_field(r, "minimum_age")),
    ("maximum_age", "Maximum age", lambda r: _eligibility_field(r, "maximum_age")),
    ("healthy_volunteers", "Healthy volunteers", lambda r: _eligibility_field(r, "healthy_volunteers")),
    ("lead_sponsor", "Sponsor", lambda r: r.lead_sponsor.name if r.lead_sponsor else NOT_IN_SOURCE),
    ("start", "Start date", _start),
    ("conditions", "Conditions", lambda r: _listed(r.conditions)),
)


def _ages_differ(texts: list[str]) -> bool:
    years = [age_in_years(text) for text in texts]
    if None in years:
        return len({normalized(text) for text in texts}) > 1
    return len(set(years)) > 1


def design_rows(records: list[TrialRecord]) -> list[Row]:
    rows = []
    for field_name, concept, show in DESIGN_FIELDS:
        texts = [show(record) for record in records]
        if field_name in ("minimum_age", "maximum_age"):
            differs = _ages_differ(texts)
        else:
            differs = texts_differ([[text] for text in texts])
        keys = [[design_field(field_name)] for _ in records]
        rows.append(Row(concept, [[text] for text in texts], keys, differs, values=[None] * len(records)))
    return rows
