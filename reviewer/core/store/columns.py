"""The store's columns, each declared once: where a version row's columns come from in a TrialRecord,
and which of them the ``trial`` row copies for the library.

Everything else is derived from here: the version table's record columns (tables.py), the insert
statements and the positional tuple of the write path (writing.py), the loader (mapping.py), the
trial row's summary copy and the library's columns. Light on purpose (no SQLAlchemy, no record
import): the fast first paint (core/preview.py) and the command line's argparse read the library's
columns from here before the store's libraries are loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple


class RecordColumn(NamedTuple):
    """A column of ``trial_version`` that holds one field of a TrialRecord."""

    name: str
    part: str  # the record's part that holds the field: "" (the record itself), design, dates, eligibility
    field: str
    type: type  # of the value (str, int, bool; list: stored as JSON text, "[]" when empty)

    @property
    def is_list(self) -> bool:
        return self.type is list


def _column(path: str, type: type = str, name: str | None = None) -> RecordColumn:
    """``path``: the field in the record, "brief_title" or "design.phases"; the column has the
    field's name unless ``name`` says otherwise."""
    part, _, field = path.rpartition(".")
    return RecordColumn(name or field, part, field, type)


RECORD_COLUMNS = (
    _column("version_date"),
    _column("brief_title"),
    _column("official_title"),
    _column("acronym"),
    _column("overall_status"),
    _column("last_known_status"),
    _column("why_stopped"),
    _column("brief_summary"),
    _column("detailed_description"),
    _column("has_dmc", bool),
    _column("has_results", bool),
    _column("design.study_type"),
    _column("design.phases", list),
    _column("design.primary_purpose"),
    _column("design.allocation"),
    _column("design.intervention_model"),
    _column("design.intervention_model_description"),
    _column("design.masking"),
    _column("design.who_masked", list),
    _column("design.masking_description"),
    _column("design.observational_model"),
    _column("design.time_perspective"),
    _column("design.enrollment_count", int),
    _column("design.enrollment_type"),
    _column("dates.start", name="start_date"),
    _column("dates.start_type", name="start_date_type"),
    _column("dates.primary_completion", name="primary_completion_date"),
    _column("dates.primary_completion_type", name="primary_completion_date_type"),
    _column("dates.completion", name="completion_date"),
    _column("dates.completion_type", name="completion_date_type"),
    _column("dates.first_submitted"),
    _column("dates.first_posted"),
    _column("dates.last_update_posted"),
    _column("dates.status_verified"),
    # a record without eligibility stores None (or "[]") in these, and is read back without any
    _column("eligibility.sex"),
    _column("eligibility.minimum_age"),
    _column("eligibility.maximum_age"),
    _column("eligibility.healthy_volunteers", bool),
    _column("eligibility.std_ages", list),
    _column("eligibility.criteria_text"),
)

# The version row's columns that are not a field of the record: its source (written by the write
# path from the document) and what is computed from the whole record.
SOURCE_COLUMNS = ("content_hash", "source_format", "source_doc", "source_hash", "source_size")
COMPUTED_COLUMNS = (
    "not_in_source",  # JSON list of the record's parts that the source does not carry
    "parts",  # everything else of the record, as one JSON value (mapping.PART_FIELDS)
)
# Columns of the record's version row, in the order the write path's tuple (Prepared.version) holds them.
VERSION_COLUMNS = SOURCE_COLUMNS + tuple(c.name for c in RECORD_COLUMNS) + COMPUTED_COLUMNS


class SummaryColumn(NamedTuple):
    """A column of the ``trial`` row that copies its current version, for the library's list."""

    name: str
    copy: Callable[[Any], Any]  # its value, from the current version's TrialRecord


SUMMARY = (
    SummaryColumn("brief_title", lambda r: r.brief_title or r.official_title),
    SummaryColumn("overall_status", lambda r: r.overall_status),
    SummaryColumn("phases", lambda r: "|".join(r.design.phases) or None),
    SummaryColumn("study_type", lambda r: r.design.study_type),
    SummaryColumn("lead_sponsor", lambda r: r.lead_sponsor.name if r.lead_sponsor else None),
    SummaryColumn("conditions", lambda r: "; ".join(r.conditions or []) or None),
    SummaryColumn("enrollment_count", lambda r: r.design.enrollment_count),
    SummaryColumn("enrollment_type", lambda r: r.design.enrollment_type),  # schema 0010
    SummaryColumn("start_date", lambda r: r.dates.start),
    SummaryColumn("last_update_posted", lambda r: r.dates.last_update_posted),
    SummaryColumn("has_results", lambda r: r.has_results),
)
SUMMARY_COLUMNS = tuple(c.name for c in SUMMARY)
LIST_COLUMNS = ("id", "registry_id", *SUMMARY_COLUMNS)  # the library table's columns
LIST_SORT_COLUMNS = LIST_COLUMNS[1:]  # what `reviewer list --sort` offers


class RequirementColumn(NamedTuple):
    """A column of ``trial_requirement``: one profile.Requirement of a trial's current version."""

    name: str
    type: type  # str, float, int, bool
    required: bool = False  # NOT NULL


# After (trial_id, version_id): the Requirement's own fields (value and items as JSON), then the typed
# values the library's facet filters compare inside SQLite (store/requirements.py derives them).
REQUIREMENT_COLUMNS = (
    RequirementColumn("key", str, True),  # "performance:ECOG", "lab:anc", "brain_metastases"
    RequirementColumn("scope", str),  # the scoping heading ("Cohort 2"), None: everyone
    RequirementColumn("kind", str, True),
    RequirementColumn("value", str, True),  # JSON of Requirement.value (tuples as lists)
    RequirementColumn("text", str, True),
    RequirementColumn("items", str, True),  # JSON list of the ItemRef keys that state it
    # the eligible range in ``unit`` (age in years, labs in the analyte's base unit, days, lines)
    RequirementColumn("low", float),
    RequirementColumn("low_strict", bool),  # ">" rather than ">="
    RequirementColumn("high", float),
    RequirementColumn("high_strict", bool),
    RequirementColumn("unit", str),
    RequirementColumn("scores", int),  # allowed performance scores: bit i = the scale's i-th score
    RequirementColumn("stance", str),  # brain metastases, biomarker, sex and the bare kinds' value
)
REQUIREMENT_COLUMN_NAMES = tuple(c.name for c in REQUIREMENT_COLUMNS)
