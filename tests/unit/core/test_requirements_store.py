"""The requirements stored per trial (trial_requirement): written by the import on both paths equal to
core.profile.profile() of each current record, replaced with a new current version, never half
written, and read back by Library.requirements."""

from __future__ import annotations

import json
import sqlite3

import pytest

from reviewer.core.eligibility import criterion_facets
from reviewer.core.ingest import import_paths
from reviewer.core.library import Library
from reviewer.core.profile import profile
from reviewer.core.store import reading
from reviewer.core.store.db import open_store
from tests.generated_studies import nct_id, study


def computed(library: Library) -> dict[str, dict]:
    """Every trial's profile, computed from its current record."""
    found = {}
    with library.store.session() as session:
        for registry_id in list(reading.all_registry_ids(session)):
            record = reading.current_record(session, registry_id)
            sex = record.eligibility.sex if record.eligibility else None
            found[registry_id] = profile(criterion_facets(record), sex)
    return found


def rows(library: Library, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(library.path) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.mark.parametrize("bulk", [False, True], ids=["per-file", "bulk"])
def test_the_import_stores_each_corpus_trials_profile_and_reads_it_back_equal(
    tmp_path, corpus_zip, corpus_dir, bulk
):
    library = Library(open_store(tmp_path))
    paths = [corpus_zip, corpus_dir / "ctgov-xml"]
    report = import_paths(library.store, paths, bulk=bulk, workers=2, batch_size=50)
    assert not report.failed
    stored = dict(library.requirements())
    expected = computed(library)
    assert stored.keys() == expected.keys() and len(stored) >= 480
    assert stored == expected
    # the real corpus states requirements: most trials have several, of many keys
    assert sum(len(r) for r in stored.values()) > 5 * len(stored)
    keys = {key for r in stored.values() for key, _scope in r}
    assert {"age", "performance:ECOG", "lab:anc", "brain_metastases", "pregnancy"} <= keys
    # each row belongs to its trial's current version
    (mismatched,) = rows(
        library,
        "SELECT count(*) FROM trial_requirement r JOIN trial t ON t.id = r.trial_id WHERE r.version_id != t.current_version_id",
    )[0]
    assert mismatched == 0
    # some trials asked for, in the order asked, an unknown id left out
    some = list(library.requirements(["NCT04870190", "nct04501120", "NCT99999999"]))
    assert [registry_id for registry_id, _ in some] == ["NCT04870190", "NCT04501120"]
    assert some[0][1] == expected["NCT04870190"] and some[1][1] == expected["NCT04501120"]
    library.close()


def write_study(folder, number: int, criteria: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{nct_id(number)}.json").write_text(json.dumps(study(number, criteria=criteria)))


def test_a_new_version_with_a_changed_criterion_replaces_the_trials_rows(tmp_path):
    library = Library(open_store(tmp_path / "data"))
    first, second = tmp_path / "v1", tmp_path / "v2"
    write_study(first, 1, ["ECOG performance status 0-1", "Absolute neutrophil count >= 1.5 x 10^9/L"])
    write_study(first, 2, ["ECOG performance status 0-2"])
    write_study(second, 1, ["ECOG performance status 0-2", "Age 18 years or older"])
    assert not library.import_paths([first]).failed
    before = dict(library.requirements([nct_id(1)]))[nct_id(1)]
    assert (
        dict(library.requirements())[nct_id(1)] == before
    )  # the whole library, kept until the store changes
    assert before[("performance:ECOG", None)].value == (0, 1)
    assert ("lab:anc", None) in before
    assert library.import_paths([second]).counts["updated"] == 1
    after = dict(library.requirements())
    assert after[nct_id(1)][("performance:ECOG", None)].value == (0, 1, 2)
    assert ("lab:anc", None) not in after[nct_id(1)] and after[nct_id(1)][("age", None)].value == (18, None)
    assert after == computed(library)
    (trial_id, version_id) = rows(
        library, "SELECT id, current_version_id FROM trial WHERE registry_id = ?", nct_id(1)
    )[0]
    assert rows(
        library, "SELECT DISTINCT version_id FROM trial_requirement WHERE trial_id = ?", trial_id
    ) == [(version_id,)]
    assert len(rows(library, "SELECT id FROM trial_requirement WHERE trial_id = ?", trial_id)) == len(
        after[nct_id(1)]
    )
    library.close()


@pytest.mark.parametrize("bulk", [False, True], ids=["per-file", "bulk"])
def test_a_document_refused_while_its_requirements_are_written_leaves_nothing_of_it(tmp_path, bulk):
    """The database refuses one study's requirement rows (a trigger): that study fails alone, and
    neither its trial, its version, its search text nor any requirement row of it is kept."""
    folder = tmp_path / "studies"
    for number in range(12):
        write_study(folder, number, ["ECOG performance status 0-1", "Karnofsky performance status >= 70"])
    write_study(folder, 99, ["ECOG 0-2", "Total bilirubin <= 7.5 x ULN"])
    library = Library(open_store(tmp_path / "data"))
    with sqlite3.connect(library.path) as conn:
        conn.execute(
            "CREATE TRIGGER refuse_one AFTER INSERT ON trial_requirement WHEN NEW.high = 7.5 "
            "BEGIN SELECT RAISE(ABORT, 'refused for the test'); END"
        )
    report = import_paths(library.store, [folder], bulk=bulk, workers=1, batch_size=5)
    (failed,) = report.failed
    assert failed.name.endswith(f"{nct_id(99)}.json") and "nothing of it was kept" in failed.error
    assert rows(library, "SELECT count(*) FROM trial WHERE registry_id = ?", nct_id(99)) == [(0,)]
    assert rows(
        library, "SELECT count(*) FROM trial_version WHERE trial_id NOT IN (SELECT id FROM trial)"
    ) == [(0,)]
    assert rows(
        library, "SELECT count(*) FROM trial_requirement WHERE trial_id NOT IN (SELECT id FROM trial)"
    ) == [(0,)]
    assert rows(library, "SELECT count(*) FROM trial_fts WHERE rowid NOT IN (SELECT id FROM trial)") == [(0,)]
    stored = dict(library.requirements())
    assert len(stored) == 12 and stored == computed(library)
    library.close()


def test_deleting_a_trial_deletes_its_requirements(tmp_path):
    from reviewer.core.store.deleting import delete_trial

    folder = tmp_path / "studies"
    write_study(folder, 1, ["ECOG performance status 0-1"])
    write_study(folder, 2, ["ECOG performance status 0-2"])
    library = Library(open_store(tmp_path / "data"))
    library.import_paths([folder])
    assert len(list(library.requirements())) == 2
    with library.store.transaction() as session:
        delete_trial(session, reading.trial_by_registry_id(session, nct_id(1)).id)
    assert [registry_id for registry_id, _ in library.requirements()] == [nct_id(2)]
    assert rows(
        library, "SELECT count(*) FROM trial_requirement WHERE trial_id NOT IN (SELECT id FROM trial)"
    ) == [(0,)]
    library.close()
