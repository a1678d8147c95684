"""Fast first paint: the library's first rows, read with plain sqlite3 while the rest of the core loads.

Importing SQLAlchemy, SQLModel and Alembic takes longer than showing a window (about 1.7 s on a slow
machine), so the app shows the main window with this preview first and opens the store (schema
check, migrations) in the background. The preview reads only the ``trial`` table of a store whose
schema revision is the one this preview was written for; anything unexpected gives no preview, never
an error (the store's proper opening reports problems).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .store.columns import LIST_COLUMNS

STORE_FILE_NAME = "reviewer.sqlite3"  # reviewer.core.store.db.STORE_FILE_NAME (a test keeps them equal)
SCHEMA_REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009", "0010")  # schemas whose trial table has LIST_COLUMNS
LATER_COLUMNS = {"has_results": "0009", "enrollment_type": "0010"}  # list columns a later revision added: NULL in an older store


def read_preview(data_dir: Path, limit: int = 200) -> tuple[int, list[dict]] | None:
    """(trial count, first ``limit`` rows in registry-id order, as listing.list_trials gives them), or None."""
    path = Path(data_dir) / STORE_FILE_NAME
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(path, timeout=1.0)
    except sqlite3.Error:
        return None
    try:
        conn.execute("PRAGMA query_only = 1")
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        if revision is None or revision[0] not in SCHEMA_REVISIONS:
            return None
        total = conn.execute("SELECT count(*) FROM trial").fetchone()[0]
        columns = ", ".join(
            f"NULL AS {c}" if LATER_COLUMNS.get(c, "0000") > revision[0] else f"t.{c}" for c in LIST_COLUMNS
        )
        cursor = conn.execute(
            f"SELECT {columns}, (SELECT count(*) FROM note WHERE note.trial_id = t.id) AS note_count "
            "FROM trial AS t ORDER BY t.registry_id, t.id LIMIT ?",
            (limit,),
        )
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor]
        return total, rows
    except sqlite3.Error:
        return None
    finally:
        conn.close()
