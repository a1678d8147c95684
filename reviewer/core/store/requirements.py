"""A trial's requirements as stored rows: one ``trial_requirement`` row per profile.Requirement of its
current version, and back.

``requirement_rows(record)`` computes them where the record is parsed (a bulk import's worker: see
writing.prepare); ``write_requirements`` replaces a trial's rows in the transaction that makes a
version current; ``load_requirements`` reads them back into Requirements equal to what
profile.profile() gives. Besides the Requirement's own fields (its value and items as JSON), each
row has typed columns the library's facet filters compare inside SQLite (listing.TrialFilter):
the eligible range as ``low``/``high`` with their strictness and unit, the allowed performance
scores as a bit mask, and a stance.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from ..eligibility import criterion_facets
from ..facets.rules import PERFORMANCE_DOMAIN
from ..facets.values import LAB_BASE_UNITS
from ..items import ItemRef
from ..profile import Requirement, profile
from ..record import Criterion, Eligibility, TrialRecord
from .columns import REQUIREMENT_COLUMN_NAMES
from .sqlite.connection import raw_connection

_INSERT = (
    f"INSERT INTO trial_requirement (trial_id, version_id, {', '.join(REQUIREMENT_COLUMN_NAMES)}) "
    f"VALUES (?, ?{', ?' * len(REQUIREMENT_COLUMN_NAMES)})"
)
_BOUND_KINDS = frozenset({"lab", "life_expectancy", "prior_lines"})


def score_bit(scale: str, score: int) -> int:
    """The bit of one performance score in the ``scores`` mask (its place in the scale's domain);
    ValueError for a score the scale does not have."""
    return 1 << PERFORMANCE_DOMAIN[scale].index(score)


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def typed_values(requirement: Requirement) -> tuple:
    """(low, low_strict, high, high_strict, unit, scores, stance) of a requirement."""
    kind, value = requirement.kind, requirement.value
    low = low_strict = high = high_strict = unit = scores = stance = None
    if kind == "age":
        low, high = value
        unit = "years"
    elif kind in _BOUND_KINDS:
        bounds = [b for b in value if b[0] in (">", ">=", "<", "<=")]
        units = [b[2] for b in bounds]
        if units:
            # one unit's range: the analyte's base unit (what a patient's value converts to), else xULN
            base = LAB_BASE_UNITS.get(requirement.key.split(":", 1)[-1].split("|")[0], (None,))[0]
            unit = next((u for u in (base, "xULN") if u is not None and u in units), units[0])
            for op, number, bound_unit in bounds:
                if bound_unit != unit:
                    continue
                if op in (">", ">="):
                    low, low_strict = number, op == ">"
                else:
                    high, high_strict = number, op == "<"
    elif kind == "performance":
        domain = PERFORMANCE_DOMAIN.get(requirement.key.split(":", 1)[1], [])
        scores = sum(1 << domain.index(score) for score in set(value) if score in domain)
    elif kind == "biomarker":
        stance = value[0]
    elif kind == "washout":
        low, unit = value, "days"
    elif isinstance(value, str):  # sex, brain metastases, the bare kinds
        stance = value
    return (low, low_strict, high, high_strict, unit, scores, stance)


def rows_of(requirements: dict[tuple[str, str | None], Requirement]) -> list[tuple]:
    """The rows (REQUIREMENT_COLUMNS) of a profile, in its order."""
    return [
        (r.key, r.scope, r.kind, _dumps(r.value), r.text, _dumps([i.key for i in r.items]), *typed_values(r))
        for r in requirements.values()
    ]


def requirement_rows(record: TrialRecord) -> list[tuple]:
    """The rows of a record's requirements: profile(criterion_facets(record), its sex)."""
    sex = record.eligibility.sex if record.eligibility is not None else None
    return rows_of(profile(criterion_facets(record, stating_only=True), sex))


def stored_requirement_rows(parts: str, sex: str | None) -> list[tuple]:
    """requirement_rows of a stored version from its ``parts`` and ``sex`` columns alone: what the
    profile reads of a record (its criteria trees and its sex), without rebuilding the whole record
    (three times faster: the migration that fills the table uses it)."""
    trees = orjson.loads(parts).get("criteria")
    if trees is None:
        return []
    criteria = {section: [Criterion.from_dict(item) for item in items] for section, items in trees.items()}
    return requirement_rows(TrialRecord(registry_id="", eligibility=Eligibility(sex=sex, **criteria)))


def write_requirements(
    cursor: sqlite3.Cursor, trial_id: int, version_id: int, rows: list[tuple], replace: bool
) -> None:
    """The trial's requirements are now those of ``version_id`` (inside the caller's transaction)."""
    if replace:
        cursor.execute("DELETE FROM trial_requirement WHERE trial_id = ?", (trial_id,))
    if rows:
        cursor.executemany(_INSERT, [(trial_id, version_id, *row) for row in rows])


def _tuples(value: Any) -> Any:
    """JSON's lists back into the tuples of a Requirement's value."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


class _Decoder:
    """Stored rows into Requirements. Across a library the same values, item lists and whole rows
    recur thousands of times ("consent required" from inclusion/1): each distinct one is decoded
    once and the frozen Requirement shared. The hot loop of a patient check over the library."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.items: dict[str, tuple[ItemRef, ...]] = {}
        # (key, scope, value, text, items) -> ((key, scope), its Requirement)
        self.rows: dict[tuple, tuple[tuple[str, str | None], Requirement]] = {}

    def decode(self, row: tuple) -> tuple[tuple[str, str | None], Requirement]:
        key, scope, value, text, items = row
        decoded = self.values.get(value)
        if decoded is None:
            decoded = self.values[value] = _tuples(json.loads(value))
        refs = self.items.get(items)
        if refs is None:
            refs = self.items[items] = tuple(ItemRef.parse(k) for k in json.loads(items))
        kind = key.partition(":")[0]  # the kind is the key's first part (profile._combine)
        found = self.rows[row] = ((key, scope), Requirement(key, kind, decoded, text, refs, scope))
        return found


# the kind is not read: it is the key's first part
_SELECT = "SELECT key, scope, value, text, items, trial_id FROM trial_requirement"
_CHUNK = 500  # trial ids per statement (SQLite's host parameters)


def load_requirements(
    conn: sqlite3.Connection, trial_ids: list[int] | None = None
) -> dict[int, dict[tuple[str, str | None], Requirement]]:
    """trial id -> its requirements by (key, scope), in profile order; every trial asked for (None:
    the whole library) is there, with {} when it states none. A trial's rows are written together
    and replaced together, so in id order they come in their profile's order."""
    decoder = _Decoder()
    if trial_ids is None:
        statements = [(f"{_SELECT} ORDER BY id", ())]
        found = {trial_id: {} for (trial_id,) in conn.execute("SELECT id FROM trial ORDER BY id")}
    else:
        found = {trial_id: {} for trial_id in trial_ids}
        statements = [
            (f"{_SELECT} WHERE trial_id IN ({', '.join('?' * len(chunk))}) ORDER BY id", tuple(chunk))
            for chunk in (trial_ids[i : i + _CHUNK] for i in range(0, len(trial_ids), _CHUNK))
        ]
    known, decode = decoder.rows.get, decoder.decode
    for sql, params in statements:
        for row in conn.execute(sql, params).fetchall():
            fields = row[:5]
            pair, requirement = known(fields) or decode(fields)
            found[row[5]][pair] = requirement
    return found


def iter_requirements(
    conn: sqlite3.Connection, registry_ids: list[str] | None = None
) -> Iterator[tuple[str, dict[tuple[str, str | None], Requirement]]]:
    """(registry id, requirements) of these trials (None: every trial, in id order); a registry id
    that is not a trial's is left out."""
    if registry_ids is None:
        names = dict(conn.execute("SELECT id, registry_id FROM trial"))
        for trial_id, requirements in load_requirements(conn).items():
            yield names[trial_id], requirements
        return
    ids: dict[str, int] = {}
    wanted = list(dict.fromkeys(r.strip().upper() for r in registry_ids))
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        sql = f"SELECT registry_id, id FROM trial WHERE registry_id IN ({', '.join('?' * len(chunk))})"
        ids.update(conn.execute(sql, chunk))
    loaded = load_requirements(conn, list(ids.values()))
    for registry_id in wanted:
        if registry_id in ids:
            yield registry_id, loaded[ids[registry_id]]


class LibraryRequirements:
    """Every trial's requirements, read once and kept while the store does not change: a patient
    check asked again (another patient, a corrected value) reads nothing. One connection of its own,
    which never writes, tells by SQLite's data_version whether any other connection has committed
    since (an import, a note: then everything is read again, in one read transaction)."""

    def __init__(self, path: Path, uri: str | None = None):
        self.path, self.uri = path, uri
        self._conn: sqlite3.Connection | None = None
        self._version: int | None = None
        self._found: list[tuple[str, dict[tuple[str, str | None], Requirement]]] = []
        self._lock = threading.Lock()

    def all(self) -> list[tuple[str, dict[tuple[str, str | None], Requirement]]]:
        """(registry id, requirements) of every trial, in id order; the dicts are the caller's own."""
        with self._lock:
            if self._conn is None:
                self._conn = raw_connection(self.path, self.uri)
            version = self._conn.execute("PRAGMA data_version").fetchone()[0]
            if version != self._version:
                self._conn.execute("BEGIN")
                try:
                    self._found = list(iter_requirements(self._conn))
                finally:
                    self._conn.execute("COMMIT")
                self._version = version
            return [(registry_id, dict(requirements)) for registry_id, requirements in self._found]

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
            self._conn, self._version, self._found = None, None, []
