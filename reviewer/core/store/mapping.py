"""A TrialRecord as the store's values and back, derived from the column declaration (columns.py).

A version row holds the record's fields as columns (RECORD_COLUMNS), its identifiers as rows and
its other parts as one JSON value (``parts``); the trial row copies the library's columns of its
current version (SUMMARY). The write path's tuple is made by one function compiled once from the
declaration: as fast as a hand-written tuple, with nothing to keep in step by hand.
"""

from __future__ import annotations

import dataclasses
import hashlib
import zlib
from collections.abc import Callable, Mapping
from typing import Any

import orjson

from .. import record as rec
from .columns import RECORD_COLUMNS, SUMMARY

# The parts of a record a version keeps as one JSON value (its ``parts`` column): everything but the
# version row's own columns and the identifiers (rows of their own, to find a trial by any of them).
# A record is always read whole, so one value costs one read instead of a dozen tables' rows.
PART_FIELDS = (
    "conditions",
    "keywords",
    "arms",
    "interventions",
    "outcomes",
    "lead_sponsor",
    "collaborators",
    "locations",
    "central_contacts",
    "officials",
    "documents",
    "references",
    "links",
    *rec.DETAIL_PARTS,
)
# The record's fields the store does not keep: results are read from a version's source when it is
# shown (core/shown.py)
NOT_STORED = ("results",)
# The parts a source may not carry (None in the record; the version's not_in_source lists them), in
# the record's order: eligibility and the list parts (no lead sponsor is a sponsor not named; the
# detail parts, single objects added later, are not listed: their None says it).
NOT_IN_SOURCE_PARTS = tuple(
    f.name
    for f in dataclasses.fields(rec.TrialRecord)
    if f.name == "eligibility"
    or (f.name in PART_FIELDS and f.name != "lead_sponsor" and f.name not in rec.DETAIL_PARTS)
)


# TrialRecord's last fields, added after stores existed (results: imports leave it None, see
# core/shown.py); content_hash leaves out the trailing ones that are None
LATER_FIELDS = ("references", "links", *rec.DETAIL_PARTS, "results")
_NULL_TAILS = tuple((name, f',"{name}":null}}'.encode()) for name in reversed(LATER_FIELDS))


def content_hash(record: rec.TrialRecord) -> str:
    """sha256 of the record as JSON: orjson writes dataclasses natively, in field order, so equal
    content hashes equal. The later fields that are None are left out, so a record hashes as it did
    before they existed and re-importing an unchanged source into an older store adds no version."""
    data = orjson.dumps(record)
    for name, tail in _NULL_TAILS:
        if getattr(record, name) is not None:
            break
        data = data[: -len(tail)] + b"}"
    return hashlib.sha256(data).hexdigest()


def decompress(blob: bytes) -> str:
    """A stored source document (zlib-compressed UTF-8) as text."""
    return zlib.decompress(blob).decode("utf-8")


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


def _loads(value: str | None) -> Any:
    return orjson.loads(value) if value else []


def _compile_record_values() -> Callable[[rec.TrialRecord], tuple]:
    """The function that reads RECORD_COLUMNS' values from a record, in their order, written out
    from the declaration and compiled once (a loop over the columns per study would cost more)."""
    owners = {"": "r", "design": "d", "dates": "t", "eligibility": "e"}
    values = []
    for column in RECORD_COLUMNS:
        value = f"{owners[column.part]}.{column.field}"
        if column.is_list:
            value = f"_json({value})"
        if column.part == "eligibility":  # a record may have none
            value = f"({value} if e is not None else {'_EMPTY_LIST' if column.is_list else 'None'})"
        values.append(value)
    source = (
        "def record_values(r):\n"
        "    d, t, e = r.design, r.dates, r.eligibility\n"
        f"    return ({', '.join(values)},)\n"
    )
    namespace: dict[str, Any] = {"_json": _json, "_EMPTY_LIST": _json([])}
    exec(compile(source, f"<{__name__}: RECORD_COLUMNS>", "exec"), namespace)  # noqa: S102 (our own text)
    return namespace["record_values"]


record_values = _compile_record_values()
record_values.__doc__ = "The values of a record's RECORD_COLUMNS, in their order (lists as JSON text)."

_SUMMARY_COPIES = tuple(column.copy for column in SUMMARY)


def trial_summary(record: rec.TrialRecord) -> tuple:
    """The trial row's copies of the current version's list columns (columns.SUMMARY_COLUMNS)."""
    return tuple(copy(record) for copy in _SUMMARY_COPIES)


def not_in_source_json(record: rec.TrialRecord) -> str:
    return _json([part for part in NOT_IN_SOURCE_PARTS if getattr(record, part) is None])


def parts_json(record: rec.TrialRecord) -> str:
    """The ``parts`` value of a record: its PART_FIELDS and its criteria trees (orjson writes the
    dataclasses as objects; a part the source does not carry is null)."""
    parts: dict[str, Any] = {name: getattr(record, name) for name in PART_FIELDS}
    e = record.eligibility
    parts["criteria"] = None if e is None else {"inclusion": e.inclusion, "exclusion": e.exclusion, "other": e.other}
    return orjson.dumps(parts).decode()


def parts_from_json(value: str) -> tuple[dict[str, Any], dict[str, list[rec.Criterion]] | None]:
    """The record fields of a ``parts`` value, and its criteria trees."""
    data = orjson.loads(value)

    def listof(kind, items):
        return None if items is None else [kind(**item) for item in items]

    locations = data["locations"]
    fields = {
        "conditions": data["conditions"],
        "keywords": data["keywords"],
        "arms": listof(rec.Arm, data["arms"]),
        "interventions": listof(rec.Intervention, data["interventions"]),
        "outcomes": listof(rec.Outcome, data["outcomes"]),
        "lead_sponsor": rec.Sponsor(**data["lead_sponsor"]) if data["lead_sponsor"] else None,
        "collaborators": listof(rec.Sponsor, data["collaborators"]),
        "locations": None
        if locations is None
        else [rec.Location(**{**loc, "contacts": listof(rec.Contact, loc["contacts"])}) for loc in locations],
        "central_contacts": listof(rec.Contact, data["central_contacts"]),
        "officials": listof(rec.Contact, data["officials"]),
        "documents": listof(rec.Document, data["documents"]),
        # parts added later: a version stored before them has none
        "references": listof(rec.Reference, data.get("references")),
        "links": listof(rec.Link, data.get("links")),
        **rec.details_from_dict(data),
    }
    trees = data["criteria"]
    return fields, None if trees is None else {
        section: [rec.Criterion.from_dict(item) for item in items] for section, items in trees.items()
    }


def record_from_row(
    registry_id: str, version: Mapping[str, Any], identifiers: list[rec.Identifier]
) -> rec.TrialRecord:
    """The TrialRecord of a version row (its RECORD_COLUMNS and ``parts``) and its identifiers;
    its results are not stored (see core/shown.py)."""
    fields: dict[str, dict[str, Any]] = {"": {}, "design": {}, "dates": {}, "eligibility": {}}
    for column in RECORD_COLUMNS:
        value = version[column.name]
        fields[column.part][column.field] = _loads(value) if column.is_list else value
    parts, criteria = parts_from_json(version["parts"])
    return rec.TrialRecord(
        registry_id=registry_id,
        design=rec.Design(**fields["design"]),
        dates=rec.Dates(**fields["dates"]),
        eligibility=None if criteria is None else rec.Eligibility(**fields["eligibility"], **criteria),
        identifiers=identifiers,
        **fields[""],
        **parts,
    )
