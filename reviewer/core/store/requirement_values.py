"""The stored requirements reduced to what ranking the whole library for a patient reads: each row's
trial, key, scope and value (as stored JSON), without building a Requirement per row (the patient
check judges each distinct value once; see core/match/ranking.rank_values)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator


def trial_names(conn: sqlite3.Connection) -> dict[int, str]:
    """trial id -> registry id, for every trial (those stating no requirement too)."""
    return dict(conn.execute("SELECT id, registry_id FROM trial"))


def requirement_values(conn: sqlite3.Connection) -> Iterator[tuple[int, str, str | None, str]]:
    """(trial id, key, scope, value JSON) of every stored requirement, in no particular order."""
    return conn.execute("SELECT trial_id, key, scope, value FROM trial_requirement")
