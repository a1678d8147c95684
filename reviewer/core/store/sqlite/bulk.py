"""What a bulk import does to a SQLite store besides writing: the sort indexes it drops while it
writes and builds again at its end, and the advisory lock that tells others one is running."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; a bulk import is then not seen by open_store
    fcntl = None

# Indexes of the trial table (the library's sort columns) whose keys are random: once the store
# outgrows the page cache each costs a page write per new trial (7% of a bulk import at 100,000
# studies). A big bulk import drops them and builds them again at its end, sorting all the keys at
# once; opening a store builds any that a killed import left missing.
SORT_INDEX_COLUMNS = ("brief_title", "lead_sponsor", "conditions")
SORT_INDEXES = {f"ix_trial_{column}": f"trial ({column})" for column in SORT_INDEX_COLUMNS}


def _bulk_import_marker(path: Path) -> Path:
    return path.with_name(path.name + "-bulk-import")


@contextmanager
def bulk_import_lock(path: Path) -> Iterator[None]:
    """Held (a shared advisory lock on a file beside the store) by a bulk import while the sort
    indexes are dropped: opening the store meanwhile must not build them, holding the write lock
    for seconds while the import's workers wait for it. The system releases it if the import is
    killed."""
    with _bulk_import_marker(path).open("a") as handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_SH)
        yield


def bulk_import_running(path: Path) -> bool:
    marker = _bulk_import_marker(path)
    if fcntl is None or not marker.exists():
        return False
    with marker.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
    return False


def drop_sort_indexes(conn: sqlite3.Connection) -> None:
    for name in SORT_INDEXES:
        conn.execute(f"DROP INDEX IF EXISTS {name}")


def build_sort_indexes(conn: sqlite3.Connection, progress: Callable[[str], None] | None = None) -> None:
    """Create the sort indexes that are missing (a quick look when all are there)."""
    present = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    missing = [name for name in SORT_INDEXES if name not in present]
    if missing and progress:
        progress("Indexing the library for sorting…")
    for name in missing:
        conn.execute(f"CREATE INDEX {name} ON {SORT_INDEXES[name]}")
