"""The store's columns are declared once (reviewer/core/store/columns.py): the declaration covers
the record and matches the migrated schema (that the module stays light: test_architecture.py)."""

from __future__ import annotations

import dataclasses
import sqlite3

from reviewer import cli
from reviewer.core import record as rec
from reviewer.core.store import columns, mapping
from reviewer.core.store.db import STORE_FILE_NAME, open_store
from reviewer.core.store.tables import Trial, TrialVersion


def _schema_columns(tmp_path, table: str) -> set[str]:
    open_store(tmp_path).close()
    with sqlite3.connect(tmp_path / STORE_FILE_NAME) as conn:
        return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def test_the_version_columns_are_the_migrated_schemas(tmp_path):
    own = {"id", "trial_id", "number", "source_name", "imported_at"}  # the write path's own values
    assert _schema_columns(tmp_path, "trial_version") == set(columns.VERSION_COLUMNS) | own
    assert len(set(columns.VERSION_COLUMNS)) == len(columns.VERSION_COLUMNS)
    assert {c.name for c in TrialVersion.__table__.columns} == set(columns.VERSION_COLUMNS) | own


def test_the_library_columns_are_the_migrated_trial_tables(tmp_path):
    own = {"current_version_id", "version_count", "updated_at"}
    assert _schema_columns(tmp_path, "trial") == set(columns.LIST_COLUMNS) | own
    assert [c.name for c in Trial.__table__.columns if c.name in columns.LIST_COLUMNS] == list(columns.LIST_COLUMNS)
    assert columns.LIST_COLUMNS[:2] == ("id", "registry_id")
    assert columns.LIST_COLUMNS[2:] == columns.SUMMARY_COLUMNS
    assert cli.build_parser().parse_args(["list", "--sort", "lead_sponsor"]).sort == "lead_sponsor"
    assert columns.LIST_COLUMNS[1:] == columns.LIST_SORT_COLUMNS


def test_every_field_of_a_record_has_its_place_in_the_store():
    """A field added to the record without a column (or a part) fails here, not in a user's store."""
    declared = {(c.part, c.field) for c in columns.RECORD_COLUMNS}
    structured = {"design": rec.Design, "dates": rec.Dates, "eligibility": rec.Eligibility}
    for part, kind in structured.items():
        criteria = {"inclusion", "exclusion", "other"} if part == "eligibility" else set()  # in ``parts``
        assert {f.name for f in dataclasses.fields(kind)} - criteria == {f for p, f in declared if p == part}
    # the trial row, rows, parts, and what is read from the source when shown
    elsewhere = {"registry_id", "identifiers", *structured, *mapping.PART_FIELDS, *mapping.NOT_STORED}
    record_fields = {f.name for f in dataclasses.fields(rec.TrialRecord)}
    assert record_fields - elsewhere == {f for p, f in declared if p == ""}
    assert set(mapping.PART_FIELDS) <= record_fields
    assert set(mapping.NOT_IN_SOURCE_PARTS) == set(mapping.PART_FIELDS) - {"lead_sponsor", *rec.DETAIL_PARTS} | {
        "eligibility"
    }


def test_a_record_comes_back_whole_from_its_values():
    e = rec.Eligibility(sex="ALL", std_ages=["ADULT"], inclusion=[rec.Criterion("Age 18", [rec.Criterion("or 16")])])
    record = rec.TrialRecord(
        "NCT00000001",
        brief_title="A",
        design=rec.Design(study_type="INTERVENTIONAL", phases=["PHASE1", "PHASE2"], enrollment_count=40),
        dates=rec.Dates(start="2026-01", completion_type="ESTIMATED"),
        eligibility=e,
        conditions=["Asthma", "COPD"],
        lead_sponsor=rec.Sponsor("Acme"),
        has_dmc=True,
        has_results=True,
        identifiers=[rec.Identifier("NCT00000001", "nct")],
    )
    names = [c.name for c in columns.RECORD_COLUMNS]
    row = dict(zip(names, mapping.record_values(record), strict=True)) | {"parts": mapping.parts_json(record)}
    assert row["phases"] == '["PHASE1","PHASE2"]' and row["start_date"] == "2026-01" and row["has_dmc"] is True
    assert mapping.record_from_row("NCT00000001", row, record.identifiers) == record
    assert dict(zip(columns.SUMMARY_COLUMNS, mapping.trial_summary(record), strict=True)) == {
        "brief_title": "A",
        "overall_status": None,
        "phases": "PHASE1|PHASE2",
        "study_type": "INTERVENTIONAL",
        "lead_sponsor": "Acme",
        "conditions": "Asthma; COPD",
        "enrollment_count": 40,
        "start_date": "2026-01",
        "last_update_posted": None,
        "has_results": True,
        "enrollment_type": None,
    }
    bare = rec.TrialRecord("NCT00000002")  # no eligibility: its columns are empty, and it stays none
    row = dict(zip(names, mapping.record_values(bare), strict=True)) | {"parts": mapping.parts_json(bare)}
    assert row["sex"] is None and row["std_ages"] == "[]"
    assert mapping.record_from_row("NCT00000002", row, []) == bare
    assert mapping.not_in_source_json(bare) == (
        '["conditions","keywords","arms","interventions","eligibility","outcomes","collaborators",'
        '"locations","central_contacts","officials","documents","references","links"]'
    )
