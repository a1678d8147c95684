"""The library list's order: every sortable column, both directions, any window of rows, with and
without a filter, gives the rows of one full sort of the table (ties broken by id the same way)."""

from __future__ import annotations

import sqlite3

import pytest

from reviewer.core.ingest import import_paths
from reviewer.core.items import anchor_of
from reviewer.core.notes import add_note
from reviewer.core.store import listing

SORT_COLUMNS = ("registry_id", "brief_title", "overall_status", "phases", "lead_sponsor", "conditions", "note_count")


@pytest.fixture(scope="module")
def library(tmp_path_factory, corpus_dir):
    from reviewer.core.store.db import open_store

    store = open_store(tmp_path_factory.mktemp("library") / "data")
    import_paths(store, sorted((corpus_dir / "ctgov-v2").glob("*.json"))[:60])
    with store.transaction() as session:
        ids = [row["id"] for row in listing.list_trials(session)]
        # notes on a few trials, with counts that tie
        for trial_id, count in zip(ids[3::7], (3, 1, 2, 1, 5, 2, 1, 1, 4), strict=False):
            for n in range(count):
                add_note(session, trial_id, anchor_of("trial", ""), f"note {n}", "dr.a")
    yield store
    store.close()


def full_sort(store, column: str, descending: bool, statuses: list[str] | None) -> list[str]:
    """The order one plain SQL sort of every (filtered) trial gives."""
    direction = "DESC" if descending else "ASC"
    where = f"WHERE overall_status IN ({', '.join('?' * len(statuses))})" if statuses else ""
    with sqlite3.connect(store.path) as conn:
        rows = conn.execute(
            f"SELECT registry_id FROM (SELECT t.*, (SELECT count(*) FROM note WHERE note.trial_id = t.id) AS note_count"
            f" FROM trial t {where}) ORDER BY {column} {direction}, id {direction}",
            statuses or [],
        ).fetchall()
    return [registry_id for (registry_id,) in rows]


@pytest.mark.parametrize("column", SORT_COLUMNS)
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("statuses", [None, ["COMPLETED", "RECRUITING"]])
def test_every_window_of_rows_is_a_slice_of_one_full_sort(library, column, descending, statuses):
    expected = full_sort(library, column, descending, statuses)
    where = listing.TrialFilter(statuses=statuses) if statuses else None
    with library.session() as session:
        assert [r["registry_id"] for r in listing.list_trials(session, where, column, descending)] == expected
        for offset in (0, 1, 5, 20, len(expected) - 3, len(expected), len(expected) + 4):
            for limit in (1, 4, 9, 200):
                rows = listing.list_trials(session, where, column, descending, limit=limit, offset=offset)
                assert [r["registry_id"] for r in rows] == expected[offset : offset + limit], (offset, limit)
        counted = {r["registry_id"]: r["note_count"] for r in listing.list_trials(session, where, column, descending)}
    assert sum(counted.values()) > 0 or statuses
