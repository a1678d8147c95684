"""The bulk import path: same store as the per-file path, cancel leaves a consistent store, re-run completes."""

from __future__ import annotations

import gc
import json
import sqlite3
import time
import zipfile

from reviewer.core.export import record_to_api
from reviewer.core.ingest import import_paths
from reviewer.core.store import reading
from reviewer.core.store.db import open_store


def snapshot(store) -> dict:
    """Every trial's current record and its versions' provenance, keyed by registry id."""
    out = {}
    with store.session() as session:
        for registry_id in list(reading.all_registry_ids(session)):
            trial = reading.trial_by_registry_id(session, registry_id)
            versions = [(v.number, v.source_format, v.source_name, v.content_hash) for v in reading.versions_of(session, trial.id)]
            fts = session.connection().exec_driver_sql(
                "SELECT ids, title, criteria FROM trial_fts WHERE rowid = ?", (trial.id,)
            ).one()
            out[registry_id] = (record_to_api(reading.load_record(session, trial.current_version_id)), versions, tuple(fts))
    return out


def test_bulk_and_per_file_give_equal_stores(tmp_path, corpus_zip, corpus_dir):
    paths = [corpus_zip, corpus_dir / "ctgov-xml", corpus_dir / "ctgov-v2-containers"]
    per_file, bulk = open_store(tmp_path / "a"), open_store(tmp_path / "b")
    first = import_paths(per_file, paths)
    second = import_paths(bulk, paths, bulk=True, workers=2, batch_size=50)
    assert not first.failed and not second.failed
    assert first.counts == second.counts
    assert snapshot(per_file) == snapshot(bulk)
    # the bulk import's FTS and garbage-collector settings last only while it runs
    with sqlite3.connect(bulk.path) as conn:
        config = dict(conn.execute("SELECT k, v FROM trial_fts_config"))
    assert (config["hashsize"], config["automerge"]) == (2**20, 4)
    assert gc.get_threshold()[0] < 100_000


def test_cancelled_bulk_import_is_consistent_and_a_rerun_completes_it(tmp_path, corpus_zip):
    store = open_store(tmp_path / "data")
    shown = []
    # cancel once two batches of 50 are written: the workers stop between batches
    report = import_paths(store, [corpus_zip], progress=lambda p: shown.append(p.done),
                          cancelled=lambda: bool(shown) and shown[-1] >= 100, bulk=True, workers=2, batch_size=50)
    assert report.cancelled
    written = report.count("added")
    assert 100 <= written < 385 and written == report.documents and written % 50 == 0
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        trials, fts = conn.execute("SELECT count(*), (SELECT count(*) FROM trial_fts) FROM trial").fetchone()
        orphans = conn.execute("SELECT count(*) FROM trial WHERE current_version_id NOT IN (SELECT id FROM trial_version)").fetchone()[0]
    assert trials == fts == written and orphans == 0

    again = import_paths(store, [corpus_zip], bulk=True, workers=2)
    assert again.skipped == written and again.count("added") == 385 - written and not again.failed
    reference = open_store(tmp_path / "reference")
    import_paths(reference, [corpus_zip])
    assert snapshot(store) == snapshot(reference)


def test_a_cancel_while_a_batch_is_written_rolls_the_batch_back(tmp_path, corpus_zip):
    """Cancel does not wait for the batch being written: its worker rolls it back at once, and the
    store keeps the whole batches committed before it."""
    with zipfile.ZipFile(corpus_zip) as archive:
        slow = json.loads(archive.read(archive.namelist()[110]))["protocolSection"]["identificationModule"]["nctId"]
    store = open_store(tmp_path / "data")
    with sqlite3.connect(store.path) as conn:
        # the third batch (documents 100-149) stalls on its eleventh trial for about two seconds
        conn.execute(f"CREATE TRIGGER stall AFTER INSERT ON trial WHEN NEW.registry_id = '{slow}' BEGIN "
                     "SELECT count(*) FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                     "WHERE i < 8000000) SELECT i FROM n); END")
    reported: list[float] = []

    def cancelled() -> bool:
        # a third of a second after the first two batches are reported: the third is being written
        return bool(reported) and time.monotonic() - reported[0] > 0.3

    report = import_paths(store, [corpus_zip], cancelled=cancelled, bulk=True, workers=2, batch_size=50,
                          progress=lambda p: p.done >= 100 and not reported and reported.append(time.monotonic()))
    assert report.cancelled and report.count("added") == report.documents == 100
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("SELECT count(*), (SELECT count(*) FROM trial_fts) FROM trial").fetchone() == (100, 100)
        assert conn.execute("SELECT count(*) FROM trial WHERE registry_id = ?", (slow,)).fetchone()[0] == 0
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_bulk_zip_with_a_bad_member_imports_the_rest(tmp_path):
    good = {"protocolSection": {"identificationModule": {"nctId": "NCT09999998", "briefTitle": "Good"}}}
    archive_path = tmp_path / "mixed.zip"
    with zipfile.ZipFile(archive_path, "w") as archive:
        archive.writestr("a.json", json.dumps(good))
        archive.writestr("b.json", '{"protocolSection": ')
    store = open_store(tmp_path / "data")
    report = import_paths(store, [archive_path], bulk=True, workers=1)
    assert report.count("added") == 1
    assert [(f.name, f.error) for f in report.failed] == [(f"{archive_path} › b.json", "truncated JSON (the document ends early)")]


def test_big_json_array_is_streamed_study_by_study(tmp_path, corpus_dir, monkeypatch):
    from reviewer.core.importers import json_stream

    monkeypatch.setattr(json_stream, "BIG_ARRAY_BYTES", 1000)  # treat the corpus array as "big"
    array = corpus_dir / "ctgov-v2-containers" / "website-download-array__dgg32-clinical-trials-public__ctg-studies.json"
    store = open_store(tmp_path / "data")
    report = import_paths(store, [array], bulk=True, workers=1)
    assert report.count("added") == 10 and report.documents == 10
    with store.session() as session:
        trial = reading.trial_by_registry_id(session, json.loads(array.read_text())[0]["protocolSection"]["identificationModule"]["nctId"])
        version = reading.versions_of(session, trial.id)[0]
        assert version.source_name.endswith("› study 1")
        assert json.loads(reading.source_document(session, version.id)) == json.loads(array.read_text())[0]


def test_bulk_reads_zip_members_in_the_workers_with_the_archive_checks(tmp_path):
    """Members are read by reference in the worker: a damaged one is refused, the others keep their exact source."""
    studies = {
        name: {"protocolSection": {"identificationModule": {"nctId": nct, "briefTitle": f"Study {nct}"}}}
        for name, nct in (("a.json", "NCT09999991"), ("b.json", "NCT09999992"), ("c.json", "NCT09999993"))
    }
    archive_path = tmp_path / "studies.zip"
    with zipfile.ZipFile(archive_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, study in studies.items():
            archive.writestr(name, json.dumps(study, indent=2) + " " * 200)
        archive.writestr(zipfile.ZipInfo("d.json"), json.dumps(studies["a.json"]).replace("99991", "99994"))  # stored
    with zipfile.ZipFile(archive_path) as archive:
        damaged = archive.getinfo("b.json")
    raw = bytearray(archive_path.read_bytes())
    start = damaged.header_offset + 30 + len(damaged.filename) + len(damaged.extra)
    raw[start + damaged.compress_size // 2] ^= 0xFF
    archive_path.write_bytes(bytes(raw))

    store = open_store(tmp_path / "data")
    report = import_paths(store, [archive_path], bulk=True, workers=1)
    assert report.count("added") == 3
    assert [f.name for f in report.failed] == [f"{archive_path} › b.json"]
    assert report.failed[0].error.startswith("damaged zip member")
    with store.session() as session:
        for nct, text in (("NCT09999991", json.dumps(studies["a.json"], indent=2) + " " * 200),
                          ("NCT09999994", json.dumps(studies["a.json"]).replace("99991", "99994"))):
            trial = reading.trial_by_registry_id(session, nct)
            assert reading.source_document(session, trial.current_version_id) == text


def test_a_document_the_store_refuses_fails_alone_in_a_workers_batch(tmp_path, corpus_zip):
    """A worker writes its batch in one transaction; when the database refuses one document, the
    batch is written again one document at a time, so only that document fails."""
    with zipfile.ZipFile(corpus_zip) as archive:
        refused = json.loads(archive.read(archive.namelist()[70]))["protocolSection"]["identificationModule"]["nctId"]
    store = open_store(tmp_path / "data")
    with sqlite3.connect(store.path) as conn:
        conn.execute(f"CREATE TRIGGER refuse BEFORE INSERT ON trial WHEN NEW.registry_id = '{refused}' "
                     "BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END")
    report = import_paths(store, [corpus_zip], bulk=True, workers=2, batch_size=50)
    assert report.count("added") == 384
    assert [(f.name.rsplit(" › ", 1)[1], f.error) for f in report.failed] == [
        (f"{refused}.json", "could not be stored (the store refused it: refused by a test trigger); nothing of it was kept")
    ]
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("SELECT count(*), (SELECT count(*) FROM trial_fts) FROM trial").fetchone() == (384, 384)
        assert conn.execute("SELECT count(*) FROM trial_version").fetchone()[0] == 384


def test_known_sources_finds_exactly_the_stored_sources(tmp_path, corpus_zip):
    import hashlib

    from reviewer.core.ingest.parsing import KnownSources

    store = open_store(tmp_path / "data")
    with zipfile.ZipFile(corpus_zip) as archive:
        sources = [archive.read(name) for name in archive.namelist()]
    import_paths(store, [corpus_zip])
    with sqlite3.connect(store.path) as conn:
        known = KnownSources.of_store(conn)
    assert len(known) == 385
    assert all(known.has_source(source) for source in sources)
    assert not known.has_source(sources[0] + b" ")
    digests = sorted(hashlib.sha256(source).digest()[:16] for source in sources)
    assert known.table == b"".join(digests)  # the store's order is the bytes' order
    assert not KnownSources().has_source(sources[0]) and len(KnownSources()) == 0


def test_a_big_bulk_import_builds_the_sort_indexes_at_its_end_and_opening_mends_a_killed_one(tmp_path, corpus_zip):
    from reviewer.core.store.sqlite.bulk import (
        SORT_INDEXES,
        bulk_import_lock,
        bulk_import_running,
        drop_sort_indexes,
    )

    def sort_indexes(path) -> set[str]:
        with sqlite3.connect(path) as conn:
            return {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")} & set(SORT_INDEXES)

    store = open_store(tmp_path / "data")
    seen: list[set[str]] = []
    # the indexes are gone while the import writes (looked at from the progress callback)...
    import_paths(store, [corpus_zip], bulk=True, workers=2, batch_size=50,
                 progress=lambda p: seen.append((sort_indexes(store.path), bulk_import_running(store.path)))
                 if p.done < 385 else None)
    assert seen and all(indexes == set() and running for indexes, running in seen)
    assert sort_indexes(store.path) == set(SORT_INDEXES)  # ...and built again at its end
    assert not bulk_import_running(store.path)
    # an import killed before its end leaves them missing: the next opening builds them, but not
    # while a bulk import runs (its workers would wait for the write lock meanwhile)
    conn = store.raw_connection()
    drop_sort_indexes(conn)
    conn.close()
    messages: list[str] = []
    with bulk_import_lock(store.path):
        open_store(tmp_path / "data", progress=messages.append).close()
        assert sort_indexes(store.path) == set() and messages == []
    open_store(tmp_path / "data", progress=messages.append).close()
    assert sort_indexes(store.path) == set(SORT_INDEXES)
    assert messages == ["Indexing the library for sorting…"]
    messages.clear()
    open_store(tmp_path / "data", progress=messages.append).close()
    assert messages == []


def test_a_big_json_array_takes_the_bulk_path_of_itself_with_an_estimated_total(tmp_path, corpus_dir, monkeypatch):
    """An import that may choose its path (the window's) splits a big array study by study: read
    whole it would be refused as oversized. The progress's total is estimated, then counted."""
    from reviewer.core.importers import json_stream
    from reviewer.core.ingest.finding import count_documents

    studies = [p.read_bytes().strip() for p in sorted((corpus_dir / "ctgov-v2").glob("*.json"))[:120]]
    array = tmp_path / "ctg-studies.json"
    array.write_bytes(b"[" + b",\n".join(studies) + b"]")
    monkeypatch.setattr(json_stream, "BIG_ARRAY_BYTES", 1000)  # the array counts as big
    # its total is estimated from slices spread over the file (its studies grow with their NCT
    # numbers: the first ones alone would overestimate it three times)
    estimate = count_documents([array])
    assert 90 <= estimate <= 150
    totals = []
    store = open_store(tmp_path / "data")
    report = import_paths(store, [array], bulk=None, progress=lambda p: totals.append(p.total))
    assert not report.keep_results  # the bulk path
    assert report.count("added") == 120 and not report.failed
    # the estimate until the array is split whole, then its count
    assert set(totals) <= {estimate, 120} and totals[-1] == 120
    # asked for the per-file path (the command line without --bulk), a big array is split all the same
    again = open_store(tmp_path / "per-file")
    report = import_paths(again, [array], bulk=False, workers=1)
    assert report.count("added") == 120 and not report.failed and not report.keep_results
