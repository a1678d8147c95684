"""The write path: a parsed record into the store, inside the caller's transaction.

``save_record`` adds a version only when the parsed content differs from every stored version of
the trial, moves the trial's current version to the newest record, and keeps the trial's search
text in step. Notes are never written here (see notes.py). The hot path of an import: a record is
``prepare``d where it is parsed (a worker process in bulk imports) into plain rows, which
``save_record_raw`` writes through raw sqlite3 cursors with a few statements.
"""

from __future__ import annotations

import hashlib
import sqlite3
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from .. import record as rec
from ..parsed import ParsedRecord
from .columns import SUMMARY_COLUMNS, VERSION_COLUMNS
from .mapping import (
    content_hash,
    not_in_source_json,
    parts_from_json,
    parts_json,
    record_values,
    trial_summary,
)
from .requirements import requirement_rows, write_requirements
from .sqlite import fts
from .sqlite.connection import dbapi


@dataclass
class SaveResult:
    outcome: str  # added (new trial) / updated (new version) / unchanged
    registry_id: str
    trial_id: int
    version_id: int


# Sources that carry only a summary of a trial (the website's CSV rows): a version from one never
# replaces a current version from a fuller source, whatever its date (it is kept as a version).
SUMMARY_SOURCE_FORMATS = frozenset({"ctgov-csv"})


def _supersedes(source_format: str, version_date: str | None, current_format: str, current_date: str | None) -> bool:
    """Whether a new version becomes the trial's current one: a fuller source wins over a summary
    one; between sources alike, the registry's dates decide (``_newer``)."""
    summary, current_summary = source_format in SUMMARY_SOURCE_FORMATS, current_format in SUMMARY_SOURCE_FORMATS
    if summary != current_summary:
        return current_summary
    return _newer(version_date, current_date)


def _newer(version_date: str | None, than: str | None) -> bool:
    """Whether a record dated ``version_date`` supersedes one dated ``than``. Undated, or dated with
    something that is no date ("unknown", "9999-99-99", stored before importers checked it): the
    later import wins."""
    if not (rec.is_registry_date(version_date) and rec.is_registry_date(than)):
        return True
    return version_date >= than


def save_record(
    session: Session, parsed: ParsedRecord, source_name: str, now: datetime | None = None
) -> SaveResult:
    """Store one parsed record (inside the caller's transaction)."""
    return save_record_raw(dbapi(session), parsed, source_name, now or datetime.now(UTC))


def _timestamp(moment: datetime) -> str:
    """The text SQLAlchemy's SQLite DateTime stores (UTC, naive)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


class RowWriter:
    """Writes a batch's records through one raw cursor, handing out row ids itself.

    The ids of a record's rows (its version, arms, interventions, criteria, locations) are taken
    from counters read once per transaction (max(id) + 1, what SQLite would give), so a record's
    parts are written with a few executemany calls instead of one insert per row for its ids.
    Call ``begin`` at the start of every transaction (the writer holds the write lock from there).
    """

    def __init__(self, conn: sqlite3.Connection):
        self.cursor = conn.cursor()
        self._next: dict[str, int] = {}

    def begin(self) -> None:
        self._next.clear()

    def ids(self, table: str, count: int) -> int:
        """The first of ``count`` new ids of ``table``."""
        first = self._next.get(table)
        if first is None:
            first = (self.cursor.execute(f"SELECT max(id) FROM {table}").fetchall()[0][0] or 0) + 1
        self._next[table] = first + count
        return first


def _insert(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


_VERSION_INSERT = _insert("trial_version", ("id", "trial_id", "number", "source_name", "imported_at", *VERSION_COLUMNS))
_TRIAL_INSERT = _insert("trial", ("registry_id", "version_count", "updated_at", "current_version_id", *SUMMARY_COLUMNS))
_IDENTIFIER_INSERT = _insert("identifier", ("version_id", "kind", "position", "value", "type", "domain", "link"))


@dataclass
class Prepared:
    """A parsed record turned into the rows it is stored as, with everything computed that needs no
    database: hashes, the compressed source, the FTS text. Made where the record is parsed (a worker
    process in bulk imports) and cheap to send back: tuples of plain values, no record objects."""

    registry_id: str
    version_date: str | None
    source_format: str
    content_hash: str
    source_hash: str
    version: tuple  # VERSION_COLUMNS
    summary: tuple  # SUMMARY_COLUMNS of the trial row
    fts: tuple[str, ...]  # sqlite.fts.FTS_COLUMNS
    identifiers: list[tuple]  # (kind, position, value, type, domain, link)
    requirements: list[tuple]  # columns.REQUIREMENT_COLUMNS: the record's profile (requirements.py)
    warnings: tuple[str, ...] = ()  # ParsedRecord.warnings: reported with the import, not stored


def prepare(parsed: ParsedRecord, data: bytes | None = None, deflated: bytes | None = None) -> Prepared:
    """``data`` and ``deflated``: the document's bytes and their raw deflate stream, as a zip holds
    them; when the record's source is the whole document, that stream is stored instead of
    compressing the source again."""
    source = parsed.source_bytes
    if deflated is not None and source == data:
        blob = b"\x78\x01" + deflated + zlib.adler32(source).to_bytes(4, "big")  # a zlib stream
    else:
        blob = zlib.compress(source, 1)
    r = parsed.record
    digest = content_hash(r)
    source_hash = hashlib.sha256(source).hexdigest()
    # in VERSION_COLUMNS' order: SOURCE_COLUMNS, RECORD_COLUMNS, COMPUTED_COLUMNS
    version = (
        digest,
        parsed.source_format,
        blob,
        source_hash,
        len(source),
        *record_values(r),
        not_in_source_json(r),
        parts_json(r),
    )
    document = fts.document_for(r)
    return Prepared(
        registry_id=r.registry_id,
        version_date=r.version_date,
        source_format=parsed.source_format,
        content_hash=digest,
        source_hash=source_hash,
        version=version,
        summary=trial_summary(r),
        fts=tuple(document[c] for c in fts.FTS_COLUMNS),
        identifiers=[(i.kind, n, i.value, i.type, i.domain, i.link) for n, i in enumerate(r.identifiers)],
        requirements=requirement_rows(r),
        warnings=parsed.warnings,
    )


def annotatable_record(prepared: Prepared) -> rec.TrialRecord:
    """The parts of a prepared record that notes anchor to (title, arms, interventions, criteria,
    outcomes), rebuilt from its rows without the database, for re-anchoring notes in the
    transaction that writes it. Its other fields are left empty: not a record to show."""
    columns = dict(zip(VERSION_COLUMNS, prepared.version, strict=True))
    parts, criteria = parts_from_json(columns["parts"])
    return rec.TrialRecord(
        registry_id=prepared.registry_id,
        brief_title=columns["brief_title"],
        eligibility=None if criteria is None else rec.Eligibility(**criteria),
        **parts,
    )


def save_record_raw(
    conn: sqlite3.Connection,
    item: ParsedRecord | Prepared,
    source_name: str,
    now: datetime,
    writer: RowWriter | None = None,
) -> SaveResult:
    """Store one record through a raw connection (inside the caller's transaction).

    Pass one RowWriter for a whole transaction (it hands out the row ids); without one, a writer is
    made for this record alone.
    """
    prepared = item if isinstance(item, Prepared) else prepare(item)
    writer = writer or RowWriter(conn)
    cursor = writer.cursor
    registry_id = prepared.registry_id
    stamp = _timestamp(now)
    # fetchall, not fetchone: a statement left unfinished confuses executemany later in the transaction
    trial = next(
        iter(
            cursor.execute(
                "SELECT id, current_version_id, version_count FROM trial WHERE registry_id = ?",
                (registry_id,),
            ).fetchall()
        ),
        None,
    )
    if trial is None:
        version_id = writer.ids("trial_version", 1)
        cursor.execute(_TRIAL_INSERT, (registry_id, 1, stamp, version_id, *prepared.summary))
        trial_id = cursor.lastrowid
        _insert_version(writer, version_id, trial_id, 1, prepared, source_name, stamp)
        fts.write_document(cursor, trial_id, prepared.fts, replace=False)
        write_requirements(cursor, trial_id, version_id, prepared.requirements, replace=False)
        return SaveResult("added", registry_id, trial_id, version_id)
    trial_id, current_version_id, version_count = trial
    same = next(
        iter(
            cursor.execute(
                # the same content, or the same document read by an older version of the importers
                # (what they read from it has grown since: that is no new version of the trial)
                "SELECT id FROM trial_version WHERE trial_id = ? AND (content_hash = ? OR source_hash = ?)",
                (trial_id, prepared.content_hash, prepared.source_hash),
            ).fetchall()
        ),
        None,
    )
    if same is not None:
        return SaveResult("unchanged", registry_id, trial_id, same[0])
    number = version_count + 1
    version_id = writer.ids("trial_version", 1)
    _insert_version(writer, version_id, trial_id, number, prepared, source_name, stamp)
    current_date, current_format = None, prepared.source_format
    if current_version_id is not None:
        current_date, current_format = cursor.execute(
            "SELECT version_date, source_format FROM trial_version WHERE id = ?", (current_version_id,)
        ).fetchall()[0]
    values: dict[str, Any] = {"version_count": number, "updated_at": stamp}
    if _supersedes(prepared.source_format, prepared.version_date, current_format, current_date):
        values.update(zip(SUMMARY_COLUMNS, prepared.summary, strict=True), current_version_id=version_id)
        fts.write_document(cursor, trial_id, prepared.fts, replace=True)
        write_requirements(cursor, trial_id, version_id, prepared.requirements, replace=True)
    assignments = ", ".join(f"{column} = ?" for column in values)
    cursor.execute(f"UPDATE trial SET {assignments} WHERE id = ?", (*values.values(), trial_id))
    return SaveResult("updated", registry_id, trial_id, version_id)


def _insert_version(
    w: RowWriter, version_id, trial_id, number, prepared: Prepared, source_name, stamp
) -> None:
    w.cursor.execute(_VERSION_INSERT, (version_id, trial_id, number, source_name, stamp, *prepared.version))
    if prepared.identifiers:
        w.cursor.executemany(_IDENTIFIER_INSERT, [(version_id, *row) for row in prepared.identifiers])


