"""Re-imports: identical content changes nothing; changed content becomes a new, current version."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from reviewer.core.ingest import import_paths
from reviewer.core.store import listing, reading
from reviewer.core.store.tables import Note
from tests.conftest import SEED_IGNITE_MSC, SEED_VEEVA_FMT, store_content


def _study(version_date: str, title: str) -> dict:
    return {
        "protocolSection": {
            "identificationModule": {"nctId": "NCT09990001", "briefTitle": title},
            "statusModule": {"overallStatus": "RECRUITING"},
            "eligibilityModule": {"eligibilityCriteria": "Inclusion Criteria:\n\n* Adults\n\nExclusion Criteria:\n\n* None"},
        },
        "derivedSection": {"miscInfoModule": {"versionHolder": version_date}},
    }


def test_identical_reimport_changes_nothing(store):
    import_paths(store, [SEED_VEEVA_FMT, SEED_IGNITE_MSC])
    before = store_content(store)
    report = import_paths(store, [SEED_VEEVA_FMT, SEED_IGNITE_MSC])
    assert report.count("unchanged") == 2 and report.count("added") == 0
    assert store_content(store) == before


def test_changed_content_becomes_new_current_version_and_notes_stay(store, tmp_path):
    first = tmp_path / "v1.json"
    first.write_text(json.dumps(_study("2024-01-01", "Old title")))
    import_paths(store, [first])
    now = datetime.now(UTC)
    with store.transaction() as session:
        trial = reading.trial_by_registry_id(session, "NCT09990001")
        session.add(Note(trial_id=trial.id, item_kind="criterion", item_key="inclusion/1", quote="Adults",
                         body="Upper age limit?", tag="question", author="dr.a", created_at=now, updated_at=now))
    second = tmp_path / "v2.json"
    second.write_text(json.dumps(_study("2025-06-01", "New title")))
    report = import_paths(store, [second])
    assert report.count("updated") == 1
    with store.session() as session:
        trial = reading.trial_by_registry_id(session, "NCT09990001")
        versions = reading.versions_of(session, trial.id)
        assert [v.number for v in versions] == [2, 1]
        assert trial.current_version_id == versions[0].id
        assert trial.brief_title == "New title"
        assert reading.load_record(session, versions[1].id).brief_title == "Old title"  # older version stays
        notes = session.exec(__import__("sqlmodel").select(Note)).all()
        assert [(n.body, n.item_key) for n in notes] == [("Upper age limit?", "inclusion/1")]
        assert listing.search_trials(session, "new")[0]["registry_id"] == "NCT09990001"
        assert listing.search_trials(session, "old") == []


def test_older_record_imported_later_does_not_become_current(store, tmp_path):
    newer, older = tmp_path / "newer.json", tmp_path / "older.json"
    newer.write_text(json.dumps(_study("2025-06-01", "New title")))
    older.write_text(json.dumps(_study("2023-01-01", "Old title")))
    import_paths(store, [newer, older])
    with store.session() as session:
        trial = reading.trial_by_registry_id(session, "NCT09990001")
        assert trial.version_count == 2
        assert trial.brief_title == "New title"


def test_original_source_document_kept(store):
    import_paths(store, [SEED_VEEVA_FMT])
    with store.session() as session:
        version = reading.versions_of(session, reading.trial_by_registry_id(session, "NCT06924645").id)[0]
        assert reading.source_document(session, version.id) == SEED_VEEVA_FMT.read_text(encoding="utf-8")
        assert version.source_name == str(SEED_VEEVA_FMT)
        assert version.source_format == "veeva-page"


def test_a_new_status_moves_the_trial_between_status_filters(store, tmp_path):
    first = tmp_path / "v1.json"
    first.write_text(json.dumps(_study("2024-01-01", "Adults with asthma")))
    import_paths(store, [first])
    completed = _study("2025-06-01", "Adults with asthma")
    completed["protocolSection"]["statusModule"]["overallStatus"] = "COMPLETED"
    second = tmp_path / "v2.json"
    second.write_text(json.dumps(completed))
    assert import_paths(store, [second]).count("updated") == 1
    with store.session() as session:
        found = listing.search_trials(session, "asthma", listing.TrialFilter(statuses=["COMPLETED"]))
        assert [r["registry_id"] for r in found] == ["NCT09990001"]
        assert listing.search_trials(session, "asthma", listing.TrialFilter(statuses=["RECRUITING"])) == []
