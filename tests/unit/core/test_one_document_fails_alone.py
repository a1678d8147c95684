"""One document never sinks another: whatever goes wrong with one document, where it is read or
where it is written, fails that document alone (one sentence, no exception name), on the per-file
and the bulk path; a re-run of a bulk import with such a document completes."""

from __future__ import annotations

import json
import sqlite3

import pytest

from reviewer.core.importers import read_document
from reviewer.core.ingest import DocumentResult, ImportReport, import_paths
from reviewer.core.ingest.writing import BatchWriter
from reviewer.core.parsed import ParsedRecord
from reviewer.core.store import writing
from tests.generated_studies import nct_id, study, write_folder

POISON = nct_id(999)


def assert_one_sentence(error: str) -> None:
    assert "\n" not in error and "Traceback" not in error
    assert not any(word.endswith(("Error", "Exception")) for word in error.replace("(", " ").replace(":", " ").split())


OUT_OF_RANGE = nct_id(998)


@pytest.fixture
def folder_with_a_poison(tmp_path):
    """30 good studies, one whose enrollment (2^63) no SQLite integer holds (read as not in source,
    with a warning) and one whose identity is no registry id (refused)."""
    folder = write_folder(tmp_path / "studies", 30)
    (folder / f"{OUT_OF_RANGE}.json").write_text(json.dumps(study(998, enrollment=2**63)))
    poison = study(999)
    poison["protocolSection"]["identificationModule"]["nctId"] = "NCT1'); DROP TABLE trial;--"
    (folder / f"{POISON}.json").write_text(json.dumps(poison))
    return folder


def assert_the_out_of_range_study_is_imported_with_a_warning(report) -> None:
    (warned,) = report.warned
    assert warned.name.endswith(f"{OUT_OF_RANGE}.json")
    assert any("enrollmentInfo.count" in warning for warning in warned.warnings), warned.warnings


def stored_trials(store) -> int:
    with sqlite3.connect(store.path) as conn:
        return conn.execute("SELECT count(*) FROM trial WHERE registry_id LIKE 'NCT08%'").fetchone()[0]


def test_the_per_file_path_imports_the_30_good_studies(store, folder_with_a_poison):
    report = import_paths(store, [folder_with_a_poison], bulk=False)
    assert report.count("added") == 31 and stored_trials(store) == 31
    assert_the_out_of_range_study_is_imported_with_a_warning(report)
    (failed,) = report.failed
    assert failed.name.endswith(f"{POISON}.json")
    assert_one_sentence(failed.error)


def test_the_bulk_path_imports_the_30_good_studies_and_a_rerun_completes(store, folder_with_a_poison):
    report = import_paths(store, [folder_with_a_poison], bulk=True, workers=2, batch_size=8)
    assert report.count("added") == 31 and stored_trials(store) == 31
    assert_the_out_of_range_study_is_imported_with_a_warning(report)
    (failed,) = report.failed
    assert failed.name.endswith(f"{POISON}.json")
    assert_one_sentence(failed.error)
    again = import_paths(store, [folder_with_a_poison], bulk=True, workers=2, batch_size=8)
    assert again.skipped == 31 and again.count("added") == 0
    assert [f.name for f in again.failed] == [failed.name]
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_record_the_store_cannot_take_fails_alone_at_write_time(store):
    """Built as a record, past any check of the importers: its enrollment breaks the write itself
    (SQLite's integers have 64 bits), in the middle of a batch."""
    prepared = []
    for number in range(10):
        (parsed,) = read_document(json.dumps(study(number)).encode())
        if number == 4:
            parsed.record.design.enrollment_count = 2**63
            parsed = ParsedRecord(parsed.record, None, parsed.source_format, source_bytes=b"poison")
        prepared.append((f"study {number}", writing.prepare(parsed)))
    report = ImportReport()
    conn = store.raw_connection()
    try:
        writer = BatchWriter(conn, report, per_commit=100, seconds=60.0)
        for name, item in prepared:
            writer.add(name, [item])
        writer.commit()
    finally:
        conn.close()
    assert report.count("added") == 9 and stored_trials(store) == 9
    (failed,) = report.failed
    assert failed == DocumentResult(
        "study 4",
        error="could not be stored (its enrollment count 9223372036854775808 is beyond the numbers the store can "
        "hold); nothing of it was kept",
    )
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("SELECT count(*) FROM trial_version WHERE source_doc IS NULL").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM trial WHERE registry_id = ?", (nct_id(4),)).fetchone()[0] == 0
