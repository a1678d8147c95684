"""The store's own failures during an import through import_paths, on real store files: a size-capped
store (PRAGMA max_page_count on the import's connection: a full disk), a store opened read-only, a
damaged store file. Each ends the import with the StoreError's one sentence (never "cannot
rollback"); the store checks green afterwards and the next import, once the cause is gone, succeeds.
The bulk path's worker processes open their own connections: tests/e2e/test_store_failures.py caps
those (and runs the command line)."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path

import pytest

from reviewer.commands import _check
from reviewer.core.ingest import import_paths
from reviewer.core.store import errors
from reviewer.core.store.db import Store
from reviewer.core.store.sqlite.bulk import SORT_INDEXES
from reviewer.core.store.sqlite.connection import read_only_uri


class CappedStore(Store):
    """A real store whose import connections may grow the file by ``room`` pages at most (the
    page limit is a setting of each connection, not of the file)."""

    def __init__(self, path: Path, room: int):
        super().__init__(path)
        with contextlib.closing(sqlite3.connect(path)) as conn:
            self.cap = conn.execute("PRAGMA page_count").fetchone()[0] + room

    def raw_connection(self) -> sqlite3.Connection:
        conn = super().raw_connection()
        conn.execute(f"PRAGMA max_page_count={self.cap}")
        return conn


def write_studies(folder: Path, count: int) -> Path:
    """``count`` API v2 studies of about 12 KB each (a summary of varied words), one file each."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        study = {
            "protocolSection": {
                "identificationModule": {"nctId": f"NCT{93000000 + i:08d}", "briefTitle": f"Capped study {i}"},
                "statusModule": {"overallStatus": "RECRUITING"},
                "descriptionModule": {"briefSummary": " ".join(f"c{(i * 11 + k) % 983}z{k}" for k in range(1200))},
            }
        }
        (folder / f"study-{i:04d}.json").write_text(json.dumps(study), encoding="utf-8")
    return folder


def trials(store: Store) -> int:
    with contextlib.closing(sqlite3.connect(store.path)) as conn:
        return conn.execute("SELECT count(*) FROM trial").fetchone()[0]


def assert_checks_green(path: Path, capsys) -> None:
    capsys.readouterr()
    assert _check(path.parent) == 0  # what `reviewer db check` runs on the data folder
    assert "integrity: ok" in capsys.readouterr().out


PATHS = {"serial": {"bulk": False}, "bulk in this process": {"bulk": True, "workers": 0}}


@pytest.mark.parametrize("path", list(PATHS))
def test_a_full_disk_stops_the_import_with_its_sentence_and_the_next_import_succeeds(store, tmp_path, capsys, path):
    studies = write_studies(tmp_path / "studies", 150)
    capped = CappedStore(store.path, room=60)  # about 1 MB: some of the studies, not 150
    try:
        with pytest.raises(errors.StoreFullError) as raised:
            import_paths(capped, [studies], **PATHS[path], batch_size=20)
    finally:
        capped.close()
    message = str(raised.value)
    assert message.startswith(str(store.path)) and "disk is full" in message and "free some disk space" in message
    assert "cannot rollback" not in message and "cannot rollback" not in repr(raised.value.__cause__)
    kept = trials(store)
    assert kept < 150
    assert_checks_green(store.path, capsys)

    report = import_paths(store, [studies], **PATHS[path])  # the cap raised: all of them
    assert not report.failed and trials(store) == 150
    assert report.count("added") + report.count("unchanged") + report.skipped == 150
    assert_checks_green(store.path, capsys)
    with contextlib.closing(sqlite3.connect(store.path)) as conn:  # the bulk path's dropped ones built again
        indexes = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert set(SORT_INDEXES) <= indexes


@pytest.mark.parametrize("path", ["serial", "bulk"])
def test_a_read_only_store_stops_the_import_with_its_sentence(store, tmp_path, path):
    studies = write_studies(tmp_path / "studies", 3)
    read_only = Store(store.path, read_only_uri(store.path))
    try:
        with pytest.raises(errors.StoreReadOnlyError) as raised:
            import_paths(read_only, [studies], bulk=path == "bulk")
    finally:
        read_only.close()
    assert str(store.path) in str(raised.value) and "changes cannot be saved" in str(raised.value)
    assert trials(store) == 0
    assert import_paths(store, [studies], bulk=path == "bulk").count("added") == 3


@pytest.mark.parametrize("path", ["serial", "bulk"])
def test_a_damaged_store_file_stops_the_import_with_its_sentence(store, tmp_path, path):
    """Every page past the first (the schema's) overwritten: the import's first read of a table fails."""
    import_paths(store, [write_studies(tmp_path / "before", 30)])
    store.close()
    with contextlib.closing(sqlite3.connect(store.path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    size = store.path.stat().st_size
    with store.path.open("r+b") as handle:
        handle.seek(page_size)
        handle.write(bytes(range(256)) * ((size - page_size) // 256))
    damaged = Store(store.path)
    try:
        with pytest.raises(errors.StoreCorruptError) as raised:
            import_paths(damaged, [write_studies(tmp_path / "more", 3)], bulk=path == "bulk")
    finally:
        damaged.close()
    assert str(store.path) in str(raised.value) and "restore a backup" in str(raised.value)


def test_setting_the_store_back_after_a_failed_bulk_import_never_hides_the_failure(store, caplog):
    """The bulk settings are set back after the import, even one that failed; should that fail too
    (here: the connection made query-only), the import's own failure is the one raised, and the
    other is logged. After an import that did not fail, it is raised."""
    from reviewer.core.ingest.bulk import bulk_settings

    conn = store.raw_connection()
    try:
        with pytest.raises(errors.StoreFullError), bulk_settings(store.path, conn, rebuild_sort_indexes=True):
            conn.execute("PRAGMA query_only=ON")
            raise errors.full(store.path)
        assert "setting the store back after a failed bulk import failed too" in caplog.text
        conn.execute("PRAGMA query_only=OFF")
        with pytest.raises(sqlite3.OperationalError, match="readonly"), bulk_settings(store.path, conn, False):
            conn.execute("PRAGMA query_only=ON")  # the import went well; setting back fails
        conn.execute("PRAGMA query_only=OFF")
        with bulk_settings(store.path, conn, rebuild_sort_indexes=True):
            pass
        indexes = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert set(SORT_INDEXES) <= indexes
    finally:
        conn.close()
