"""The Library façade on a real store: what it reads, and the Change each write returns."""

from __future__ import annotations

import json

import pytest

from reviewer.core.items import anchor_of
from reviewer.core.library import Change, Library, StoreError, TrialFilter, check_store
from tests.conftest import SAMPLES_DIR, SEED_IGNITE_MSC, store_content


@pytest.fixture
def library(tmp_path):
    """A new library: the three sample trials of a first start."""
    opened = Library.open(tmp_path / "data")
    yield opened
    opened.close()


def test_a_first_start_holds_the_samples_and_an_empty_one_none(library, tmp_path):
    assert library.count_trials() == len(list(SAMPLES_DIR.glob("*.txt"))) == 3
    empty = Library.open(tmp_path / "empty", with_samples=False)
    try:
        assert empty.count_trials() == 0 and empty.list_trials() == []
    finally:
        empty.close()


def test_list_count_search_and_note_counts(library):
    total, rows = library.first_rows(None, "registry_id", False, 2)
    assert total == 3 and [r["registry_id"] for r in rows] == ["NCT02455596", "NCT06924645"]
    assert all(r["note_count"] == 0 for r in rows)
    recruiting = TrialFilter(statuses=["RECRUITING"])
    assert library.count_trials(recruiting) == len(library.list_trials(recruiting))
    found = library.search_trials("mucositis", note_counts=True)
    assert [r["registry_id"] for r in found] == ["NCT07312656"] and found[0]["note_count"] == 0
    assert "note_count" not in library.search_trials("mucositis")[0]
    trial_id = found[0]["id"]
    library.add_note(trial_id, anchor_of("trial", ""), "A note.", "dr.a")
    assert library.note_counts([trial_id, trial_id + 1000]) == {trial_id: 1, trial_id + 1000: 0}
    assert library.search_trials("mucositis", note_counts=True)[0]["note_count"] == 1


def test_a_trial_page_reads_the_record_versions_and_notes(library):
    page = library.trial_page("nct07312656 ")  # as typed: any case, spaces around
    assert page.registry_id == "NCT07312656" and page.record.registry_id == "NCT07312656"
    assert page.shown_version_id == page.current_version_id == page.versions[0].id
    assert page.notes == [] and page.versions[0].as_dict()["number"] == 1
    assert library.source_document(page.current_version_id).startswith(SEED_IGNITE_MSC.read_text()[:40])
    assert library.version_record(page.current_version_id) == page.record
    assert library.current_record("NCT07312656") == page.record
    assert library.current_record("NCT00000000") is None
    with pytest.raises(LookupError, match="no trial NCT00000000 in the store"):
        library.trial_page("NCT00000000")


def test_note_writes_say_what_they_changed_and_undo_exactly(library):
    trial_id = library.trial_page("NCT07312656").trial_id
    added = library.add_note(trial_id, anchor_of("criterion", "inclusion/2", "Age 18-75 years;"), "Why 75?", "dr.a", "question")
    (note_id,) = added.notes
    assert added == Change(notes_of=frozenset({trial_id}), notes=frozenset({note_id}))
    assert added.trials == {trial_id} and not added.library_list and not added.records_of
    assert library.edit_note(note_id, "Why stop at 75?", "concern") == added
    (note,) = library.notes_of([trial_id])
    assert (note["body"], note["tag"], note["item_key"]) == ("Why stop at 75?", "concern", "inclusion/2")
    assert library.notes_of([trial_id], tag="question") == []
    saved, deleted = library.delete_note(note_id)
    assert deleted == added and library.notes_of([trial_id]) == []
    assert library.restore_note(saved) == added
    assert library.notes_of([trial_id]) == [note]  # the same note, its id and times included


def _study(version_date: str, title: str) -> dict:
    return {
        "protocolSection": {
            "identificationModule": {"nctId": "NCT09990001", "briefTitle": title},
            "statusModule": {"overallStatus": "RECRUITING"},
        },
        "derivedSection": {"miscInfoModule": {"versionHolder": version_date}},
    }


def test_an_import_changes_the_list_and_its_trials_records(library, tmp_path):
    first, second, bad = tmp_path / "v1.json", tmp_path / "v2.json", tmp_path / "bad.json"
    first.write_text(json.dumps(_study("2024-01-01", "Old title")))
    second.write_text(json.dumps(_study("2025-06-01", "New title")))
    bad.write_text("{")
    plan = library.plan_import([first])
    assert not plan.bulk and plan.total == 1
    added = library.changed_by(library.import_paths([first], plan=plan))
    trial_id = library.trial_page("NCT09990001").trial_id
    assert added.library_list and added.records_of == added.notes_of == {trial_id} and not added.all_records
    updated = library.changed_by(library.import_paths([second]))
    assert updated.records_of == {trial_id} and library.current_record("NCT09990001").brief_title == "New title"
    unchanged = library.changed_by(library.import_paths([second]))
    assert unchanged.library_list and unchanged.trials == frozenset()
    refused = library.import_paths([bad])
    assert len(refused.failed) == 1 and library.count_trials() == 4
    assert library.changed_by(refused).trials == frozenset()


def test_compare_and_report_read_through_the_library(library):
    records, trial_ids = library.current_records(["NCT02455596", "NCT07312656"])
    assert [r.registry_id for r in records] == list(trial_ids.values()) == ["NCT02455596", "NCT07312656"]
    with pytest.raises(LookupError):
        library.current_records(["NCT02455596", "NCT00000000"])
    comparison, compared = library.compare(["NCT02455596", "NCT07312656"])
    assert compared == trial_ids and comparison.trials == ["NCT02455596", "NCT07312656"]
    arms, _ = library.compare(["NCT07312656"], arms=True)
    assert arms.trials and arms.trials != comparison.trials  # the arm labels
    with pytest.raises(ValueError):
        library.compare(["NCT02455596"])  # one trial is no comparison
    with pytest.raises(ValueError):
        library.compare(["NCT02455596", "NCT07312656"], arms=True)
    with pytest.raises(LookupError, match="no trial NCT00000000 in the store"):
        library.compare(["NCT02455596", "NCT00000000"])
    from reviewer.core.reports import ReportOptions

    options = ReportOptions(reviewer="Dr. A")
    context = library.report_context("brief", ["NCT07312656"], options)
    assert [t.record.registry_id for t in context["trials"]] == ["NCT07312656"]
    html = library.report_html("brief", ["NCT07312656"], options)
    assert "NCT07312656" in html and "Dr. A" in html
    made = library.make_report("brief", ["NCT07312656"], options, output_format="html").decode("utf-8")
    assert "NCT07312656" in made and "Dr. A" in made
    assert library.make_report("brief", ["NCT07312656"], options).startswith(b"%PDF")


def test_a_store_failure_is_classified_and_a_bug_is_not(library):
    assert library.failure_of(ValueError("a bug")) is None
    failure = StoreError("the disk is full")
    assert library.failure_of(failure) is failure
    import sqlite3

    full = sqlite3.OperationalError("database or disk is full")
    full.sqlite_errorcode = sqlite3.SQLITE_FULL
    assert isinstance(library.failure_of(full), StoreError)


def test_check_reads_the_store_without_changing_it(library):
    before = store_content(library.store)
    check = check_store(library.data_dir)
    assert check.sound and check.writable and check.revision == check.head
    assert (check.trials, check.versions, check.notes) == (3, 3, 0)
    assert store_content(library.store) == before
