"""Reading and writing trials in the store. Every function takes an open session.

The write path (``save_record``) adds a version only when the parsed content differs from every
stored version of the trial, moves the trial's current version to the newest record, and keeps the
FTS row of the trial in step. Notes are never written here (see notes.py).
"""

from __future__ import annotations

import hashlib
import sqlite3
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Table, delete, func, literal_column, or_, select, text
from sqlmodel import Session

from .. import record as rec
from ..parsed import ParsedRecord
from . import search
from .tables import Identifier, Note, Trial, TrialVersion

NOT_IN_SOURCE_PARTS = (
    "conditions",
    "keywords",
    "arms",
    "interventions",
    "eligibility",
    "outcomes",
    "collaborators",
    "locations",
    "central_contacts",
    "officials",
    "documents",
)


def _t(model) -> Table:
    return model.__table__


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


def _loads(value: str | None) -> Any:
    return orjson.loads(value) if value else []


def content_hash(record: rec.TrialRecord) -> str:
    # orjson serialises dataclasses natively, in field order: stable for equal content
    return hashlib.sha256(orjson.dumps(record)).hexdigest()


def decompress(blob: bytes) -> str:
    return zlib.decompress(blob).decode("utf-8")


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
    return save_record_raw(_dbapi(session), parsed, source_name, now or datetime.now(UTC))


def _dbapi(session: Session) -> sqlite3.Connection:
    """The sqlite3 connection under the session (same transaction): the write path is hot."""
    return session.connection().connection.driver_connection


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


# Columns of the record's version row, in the order Prepared.version holds their values.
VERSION_COLUMNS = (
    "content_hash",
    "source_format",
    "source_doc",
    "source_hash",
    "source_size",
    "version_date",
    "not_in_source",
    "brief_title",
    "official_title",
    "acronym",
    "overall_status",
    "last_known_status",
    "why_stopped",
    "brief_summary",
    "detailed_description",
    "has_dmc",
    "has_results",
    "study_type",
    "phases",
    "primary_purpose",
    "allocation",
    "intervention_model",
    "intervention_model_description",
    "masking",
    "who_masked",
    "masking_description",
    "observational_model",
    "time_perspective",
    "enrollment_count",
    "enrollment_type",
    "start_date",
    "start_date_type",
    "primary_completion_date",
    "primary_completion_date_type",
    "completion_date",
    "completion_date_type",
    "first_submitted",
    "first_posted",
    "last_update_posted",
    "status_verified",
    "sex",
    "minimum_age",
    "maximum_age",
    "healthy_volunteers",
    "std_ages",
    "criteria_text",
    "parts",
)

LIST_COLUMNS = (  # the library table's columns
    "id",
    "registry_id",
    "brief_title",
    "overall_status",
    "phases",
    "study_type",
    "lead_sponsor",
    "conditions",
    "enrollment_count",
    "start_date",
    "last_update_posted",
)
# the library columns the trial row copies from its current version
SUMMARY_COLUMNS = LIST_COLUMNS[2:]


def _insert(table: str, columns: str) -> str:
    names = [c.strip() for c in columns.split(",")]
    return f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"


_VERSION_INSERT = _insert(
    "trial_version", "id, trial_id, number, source_name, imported_at, " + ", ".join(VERSION_COLUMNS)
)
_TRIAL_INSERT = _insert(
    "trial", "registry_id, version_count, updated_at, current_version_id, " + ", ".join(SUMMARY_COLUMNS)
)
_IDENTIFIER = _insert("identifier", "version_id, kind, position, value, type, domain, link")


# The parts of a record a version keeps as one JSON value (its ``parts`` column): everything but the
# version row's own columns and the identifiers (rows of their own, to find a trial by any of them).
# A record is always read whole, so one value costs one read instead of a dozen tables' rows.
PART_FIELDS = (
    "conditions",
    "keywords",
    "arms",
    "interventions",
    "outcomes",
    "lead_sponsor",
    "collaborators",
    "locations",
    "central_contacts",
    "officials",
    "documents",
)


def parts_json(record: rec.TrialRecord) -> str:
    """The ``parts`` value of a record: its PART_FIELDS and its criteria trees (orjson writes the
    dataclasses as objects; a part the source does not carry is null)."""
    parts: dict[str, Any] = {name: getattr(record, name) for name in PART_FIELDS}
    e = record.eligibility
    parts["criteria"] = None if e is None else {"inclusion": e.inclusion, "exclusion": e.exclusion, "other": e.other}
    return orjson.dumps(parts).decode()


def _parts_from_json(value: str) -> tuple[dict[str, Any], dict[str, list[rec.Criterion]] | None]:
    """The record fields of a ``parts`` value, and its criteria trees."""
    data = orjson.loads(value)

    def listof(kind, items):
        return None if items is None else [kind(**item) for item in items]

    locations = data["locations"]
    fields = {
        "conditions": data["conditions"],
        "keywords": data["keywords"],
        "arms": listof(rec.Arm, data["arms"]),
        "interventions": listof(rec.Intervention, data["interventions"]),
        "outcomes": listof(rec.Outcome, data["outcomes"]),
        "lead_sponsor": rec.Sponsor(**data["lead_sponsor"]) if data["lead_sponsor"] else None,
        "collaborators": listof(rec.Sponsor, data["collaborators"]),
        "locations": None
        if locations is None
        else [rec.Location(**{**loc, "contacts": listof(rec.Contact, loc["contacts"])}) for loc in locations],
        "central_contacts": listof(rec.Contact, data["central_contacts"]),
        "officials": listof(rec.Contact, data["officials"]),
        "documents": listof(rec.Document, data["documents"]),
    }
    trees = data["criteria"]
    return fields, None if trees is None else {
        section: [rec.Criterion.from_dict(item) for item in items] for section, items in trees.items()
    }


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
    fts: tuple[str, ...]  # search.FTS_COLUMNS
    identifiers: list[tuple]  # (kind, position, value, type, domain, link)
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
    d, e = r.design, r.eligibility
    digest = content_hash(r)
    source_hash = hashlib.sha256(source).hexdigest()
    not_in_source = [part for part in NOT_IN_SOURCE_PARTS if getattr(r, part) is None]
    version = (
        digest,
        parsed.source_format,
        blob,
        source_hash,
        len(source),
        r.version_date,
        _json(not_in_source),
        r.brief_title,
        r.official_title,
        r.acronym,
        r.overall_status,
        r.last_known_status,
        r.why_stopped,
        r.brief_summary,
        r.detailed_description,
        r.has_dmc,
        r.has_results,
        d.study_type,
        _json(d.phases),
        d.primary_purpose,
        d.allocation,
        d.intervention_model,
        d.intervention_model_description,
        d.masking,
        _json(d.who_masked),
        d.masking_description,
        d.observational_model,
        d.time_perspective,
        d.enrollment_count,
        d.enrollment_type,
        r.dates.start,
        r.dates.start_type,
        r.dates.primary_completion,
        r.dates.primary_completion_type,
        r.dates.completion,
        r.dates.completion_type,
        r.dates.first_submitted,
        r.dates.first_posted,
        r.dates.last_update_posted,
        r.dates.status_verified,
        e.sex if e else None,
        e.minimum_age if e else None,
        e.maximum_age if e else None,
        e.healthy_volunteers if e else None,
        _json(e.std_ages if e else []),
        e.criteria_text if e else None,
        parts_json(r),
    )
    document = search.document_for(r)
    return Prepared(
        registry_id=r.registry_id,
        version_date=r.version_date,
        source_format=parsed.source_format,
        content_hash=digest,
        source_hash=source_hash,
        version=version,
        summary=_trial_summary(r),
        fts=tuple(document[c] for c in search.FTS_COLUMNS),
        identifiers=[(i.kind, n, i.value, i.type, i.domain, i.link) for n, i in enumerate(r.identifiers)],
        warnings=parsed.warnings,
    )


def annotatable_record(prepared: Prepared) -> rec.TrialRecord:
    """The parts of a prepared record that notes anchor to (title, arms, interventions, criteria,
    outcomes), rebuilt from its rows without the database, for re-anchoring notes in the
    transaction that writes it. Its other fields are left empty: not a record to show."""
    columns = dict(zip(VERSION_COLUMNS, prepared.version, strict=True))
    parts, criteria = _parts_from_json(columns["parts"])
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
        _index(cursor, trial_id, prepared.fts, replace=False)
        return SaveResult("added", registry_id, trial_id, version_id)
    trial_id, current_version_id, version_count = trial
    same = next(
        iter(
            cursor.execute(
                "SELECT id FROM trial_version WHERE trial_id = ? AND content_hash = ?",
                (trial_id, prepared.content_hash),
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
        _index(cursor, trial_id, prepared.fts, replace=True)
    assignments = ", ".join(f"{column} = ?" for column in values)
    cursor.execute(f"UPDATE trial SET {assignments} WHERE id = ?", (*values.values(), trial_id))
    return SaveResult("updated", registry_id, trial_id, version_id)


def _trial_summary(record: rec.TrialRecord) -> tuple:
    """The trial row's copies of the current version's list columns (SUMMARY_COLUMNS)."""
    return (
        record.brief_title or record.official_title,
        record.overall_status,
        "|".join(record.design.phases) or None,
        record.design.study_type,
        record.lead_sponsor.name if record.lead_sponsor else None,
        "; ".join(record.conditions or []) or None,
        record.design.enrollment_count,
        record.dates.start,
        record.dates.last_update_posted,
    )


_FTS_INSERT = (
    f"INSERT INTO {search.FTS_TABLE}(rowid, {', '.join(search.FTS_COLUMNS)}) "
    f"VALUES (?{', ?' * len(search.FTS_COLUMNS)})"
)


def _index(cursor: sqlite3.Cursor, trial_id: int, document: tuple[str, ...], replace: bool) -> None:
    if replace:
        cursor.execute(f"DELETE FROM {search.FTS_TABLE} WHERE rowid = ?", (trial_id,))
    cursor.execute(_FTS_INSERT, (trial_id, *document))


def _insert_version(
    w: RowWriter, version_id, trial_id, number, prepared: Prepared, source_name, stamp
) -> None:
    w.cursor.execute(_VERSION_INSERT, (version_id, trial_id, number, source_name, stamp, *prepared.version))
    if prepared.identifiers:
        w.cursor.executemany(_IDENTIFIER, [(version_id, *row) for row in prepared.identifiers])


# ---------------------------------------------------------------- reading


def trial_by_registry_id(session: Session, registry_id: str) -> Trial | None:
    """A trial by its registry id, or by another identifier one of its versions carries."""
    found = session.exec(select(Trial).where(Trial.registry_id == registry_id.strip().upper())).first()
    if found is not None:
        return found[0]
    by_other = session.exec(
        select(Trial)
        .join(TrialVersion, TrialVersion.trial_id == Trial.id)
        .join(Identifier, Identifier.version_id == TrialVersion.id)
        .where(Identifier.value == registry_id.strip())
    ).first()
    return by_other[0] if by_other is not None else None


def versions_of(session: Session, trial_id: int) -> list[TrialVersion]:
    """The imports of a trial, newest first."""
    rows = session.exec(
        select(TrialVersion).where(TrialVersion.trial_id == trial_id).order_by(TrialVersion.number.desc())
    ).all()
    return [row[0] for row in rows]


def source_document(session: Session, version_id: int) -> str:
    blob = (
        session.connection()
        .execute(select(_t(TrialVersion).c.source_doc).where(_t(TrialVersion).c.id == version_id))
        .scalar_one()
    )
    return decompress(blob)


def load_record(session: Session, version_id: int) -> rec.TrialRecord:
    """Rebuild the TrialRecord of a stored version from its row, its parts and its identifiers."""
    conn = session.connection()
    v = conn.execute(select(_t(TrialVersion)).where(_t(TrialVersion).c.id == version_id)).mappings().one()
    registry_id = conn.execute(
        select(_t(Trial).c.registry_id).where(_t(Trial).c.id == v["trial_id"])
    ).scalar_one()
    identifiers = _t(Identifier)
    identifier_rows = conn.execute(
        select(identifiers).where(identifiers.c.version_id == version_id).order_by(identifiers.c.position)
    ).mappings()
    parts, criteria = _parts_from_json(v["parts"])
    eligibility = None
    if criteria is not None:
        eligibility = rec.Eligibility(
            sex=v["sex"],
            minimum_age=v["minimum_age"],
            maximum_age=v["maximum_age"],
            healthy_volunteers=v["healthy_volunteers"],
            std_ages=_loads(v["std_ages"]),
            criteria_text=v["criteria_text"],
            **criteria,
        )
    return rec.TrialRecord(
        registry_id=registry_id,
        brief_title=v["brief_title"],
        official_title=v["official_title"],
        acronym=v["acronym"],
        overall_status=v["overall_status"],
        last_known_status=v["last_known_status"],
        why_stopped=v["why_stopped"],
        brief_summary=v["brief_summary"],
        detailed_description=v["detailed_description"],
        design=rec.Design(
            study_type=v["study_type"],
            phases=_loads(v["phases"]),
            primary_purpose=v["primary_purpose"],
            allocation=v["allocation"],
            intervention_model=v["intervention_model"],
            intervention_model_description=v["intervention_model_description"],
            masking=v["masking"],
            who_masked=_loads(v["who_masked"]),
            masking_description=v["masking_description"],
            observational_model=v["observational_model"],
            time_perspective=v["time_perspective"],
            enrollment_count=v["enrollment_count"],
            enrollment_type=v["enrollment_type"],
        ),
        dates=rec.Dates(
            start=v["start_date"],
            start_type=v["start_date_type"],
            primary_completion=v["primary_completion_date"],
            primary_completion_type=v["primary_completion_date_type"],
            completion=v["completion_date"],
            completion_type=v["completion_date_type"],
            first_submitted=v["first_submitted"],
            first_posted=v["first_posted"],
            last_update_posted=v["last_update_posted"],
            status_verified=v["status_verified"],
        ),
        eligibility=eligibility,
        identifiers=[
            rec.Identifier(i["value"], i["kind"], i["type"], i["domain"], i["link"]) for i in identifier_rows
        ],
        has_dmc=v["has_dmc"],
        has_results=v["has_results"],
        version_date=v["version_date"],
        **parts,
    )


def current_record(session: Session, registry_id: str) -> rec.TrialRecord | None:
    trial = trial_by_registry_id(session, registry_id)
    if trial is None or trial.current_version_id is None:
        return None
    return load_record(session, trial.current_version_id)


@dataclass
class TrialFilter:
    """Filters of the library list; each is a list of accepted codes (empty: any)."""

    statuses: list[str] | None = None
    phases: list[str] | None = None  # a trial matches if any of its phases is listed
    study_types: list[str] | None = None
    condition: str | None = None  # substring, case-insensitive
    sponsor: str | None = None

    def clauses(self) -> list[Any]:
        table = _t(Trial)
        out = []
        if self.statuses:
            out.append(table.c.overall_status.in_(self.statuses))
        if self.study_types:
            out.append(table.c.study_type.in_(self.study_types))
        if self.phases:
            out.append(
                or_(
                    *[
                        func.instr("|" + func.coalesce(table.c.phases, "") + "|", f"|{p}|") > 0
                        for p in self.phases
                    ]
                )
            )
        if self.condition:
            out.append(table.c.conditions.ilike(f"%{self.condition}%"))
        if self.sponsor:
            out.append(table.c.lead_sponsor.ilike(f"%{self.sponsor}%"))
        return out


def list_trials(
    session: Session,
    where: TrialFilter | None = None,
    order_by: str = "registry_id",
    descending: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    if order_by == "note_count":
        return _list_by_note_count(session, where, descending, limit, offset)
    table = _t(Trial)
    notes = select(func.count()).where(_t(Note).c.trial_id == table.c.id).scalar_subquery()
    query = select(*(table.c[c] for c in LIST_COLUMNS), notes.label("note_count"))
    for clause in (where or TrialFilter()).clauses():
        query = query.where(clause)
    column = table.c.get(order_by, table.c.registry_id)
    # ties in the same direction as the column: the column's index (which ends with the row id)
    # then serves both directions
    tie = table.c.id.desc() if descending else table.c.id
    query = query.order_by(column.desc() if descending else column, tie).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [dict(row) for row in session.connection().execute(query).mappings()]


def _list_by_note_count(
    session: Session, where: TrialFilter | None, descending: bool, limit: int | None, offset: int
) -> list[dict[str, Any]]:
    """list_trials by note count (ties by id, the same way). Sorting every trial by a count made
    the whole table a sort (1 s at 600,000 for the first rows); instead, the few annotated trials
    are sorted by their counts, and the others (count 0) follow, or come first when ascending, in
    id order: a walk along the primary key."""
    table, note = _t(Trial), _t(Note)
    clauses = (where or TrialFilter()).clauses()
    counts = select(note.c.trial_id, func.count().label("note_count")).group_by(note.c.trial_id).subquery()
    order = (counts.c.note_count.desc(), table.c.id.desc()) if descending else (counts.c.note_count, table.c.id)
    annotated_query = (
        select(*(table.c[c] for c in LIST_COLUMNS), counts.c.note_count)
        .join(counts, counts.c.trial_id == table.c.id)
        .where(*clauses)
        .order_by(*order)
    )
    annotated = [dict(row) for row in session.connection().execute(annotated_query).mappings()]

    def plain(skip: int, size: int | None) -> list[dict[str, Any]]:
        if size is not None and size <= 0:
            return []
        query = (
            select(*(table.c[c] for c in LIST_COLUMNS), literal_column("0").label("note_count"))
            .where(*clauses, ~select(note.c.id).where(note.c.trial_id == table.c.id).exists())
            .order_by(table.c.id.desc() if descending else table.c.id)
            .offset(skip)
        )
        if size is not None:
            query = query.limit(size)
        return [dict(row) for row in session.connection().execute(query).mappings()]

    end = None if limit is None else offset + limit
    if descending:  # annotated first
        rows = annotated[offset:end]
        rest = None if limit is None else limit - len(rows)
        return rows + plain(max(0, offset - len(annotated)), rest)
    without_notes = count_trials(session, where) - len(annotated)
    rows = plain(offset, None if limit is None else min(limit, max(0, without_notes - offset)))
    first = max(0, offset - without_notes)
    return rows + annotated[first : None if limit is None else first + (limit - len(rows))]


def count_trials(session: Session, where: TrialFilter | None = None) -> int:
    query = select(func.count()).select_from(_t(Trial))
    for clause in (where or TrialFilter()).clauses():
        query = query.where(clause)
    return session.connection().execute(query).scalar_one()


RANK_CAP = 2000  # matches scored with bm25 at most; beyond that a query is "broad"


def _filter_sql(where: TrialFilter | None) -> tuple[str, dict[str, Any]]:
    """SQL conditions on the trial table ``t`` for a filter, with their parameters."""
    if where is None:
        return "", {}
    parts, params = [], {}
    for name, column, values in (
        ("s", "overall_status", where.statuses),
        ("y", "study_type", where.study_types),
    ):
        if values:
            keys = [f"{name}{i}" for i in range(len(values))]
            parts.append(f"t.{column} IN ({', '.join(':' + k for k in keys)})")
            params.update(zip(keys, values, strict=True))
    if where.phases:
        keys = [f"p{i}" for i in range(len(where.phases))]
        parts.append(
            "(" + " OR ".join(f"instr('|' || coalesce(t.phases, '') || '|', :{k}) > 0" for k in keys) + ")"
        )
        params.update({k: f"|{p}|" for k, p in zip(keys, where.phases, strict=True)})
    if where.condition:
        parts.append("t.conditions LIKE :condition")
        params["condition"] = f"%{where.condition}%"
    if where.sponsor:
        parts.append("t.lead_sponsor LIKE :sponsor")
        params["sponsor"] = f"%{where.sponsor}%"
    return "".join(" AND " + p for p in parts), params


def search_trials(
    session: Session, query_text: str, where: TrialFilter | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """Trials matching the text (and the filter), best first, with the library columns.

    Scoring every match of a broad term ("study" matches nearly every trial) is what makes full-text
    search slow at registry scale, so ranking is two-step: if at most RANK_CAP trials match, all are
    ranked with bm25; otherwise only the matches in ids, titles and conditions are ranked (if they
    are at most RANK_CAP), followed by the other matches; if even those are too many, the newest
    matches come first, unranked. Status, phase and study type are tokens of the index, so the
    index applies them with the text and counts only what passes; the other filters (condition,
    sponsor) are applied to the rows the text found, joined by primary key. The text always drives
    the query, so a filter never turns it into a scan of every trial.
    """
    query = search.build_query(query_text)
    if query.match is None:
        return []
    # status, phase and type are indexed too: the index applies them together with the text
    facets = search.facet_match(where.statuses, where.phases, where.study_types) if where else ""

    def filtered(match: str) -> str:
        return f"({match}) AND {facets}" if facets else match

    conn = session.connection()
    filter_sql, params = _filter_sql(where)
    weights = ", ".join(str(w) for w in search.FTS_WEIGHTS)
    base = (
        f"FROM {search.FTS_TABLE} CROSS JOIN trial t ON t.id = {search.FTS_TABLE}.rowid "
        f"WHERE {search.FTS_TABLE} MATCH :match{filter_sql}"
    )
    columns = ", ".join(f"t.{c}" for c in LIST_COLUMNS)

    def count(match: str) -> int:
        """Matches up to RANK_CAP + 1, counted by the index alone (text and indexed filters), without
        reading a trial row (counting through the join had cost a row read per match)."""
        return conn.execute(
            text(
                f"SELECT count(*) FROM (SELECT 1 FROM {search.FTS_TABLE} "
                f"WHERE {search.FTS_TABLE} MATCH :match LIMIT :cap)"
            ),
            {"match": match, "cap": RANK_CAP + 1},
        ).scalar_one()

    def ranked(match: str, size: int) -> list[dict[str, Any]]:
        sql = (
            f"SELECT {columns}, bm25({search.FTS_TABLE}, {weights}) AS rank {base} ORDER BY rank LIMIT :limit"
        )
        return [
            dict(r) for r in conn.execute(text(sql), {**params, "match": match, "limit": size}).mappings()
        ]

    def newest(match: str, size: int, exclude: set[int]) -> list[dict[str, Any]]:
        sql = f"SELECT {columns} {base} ORDER BY {search.FTS_TABLE}.rowid DESC LIMIT :limit"
        rows = conn.execute(text(sql), {**params, "match": match, "limit": size + len(exclude)}).mappings()
        return [dict(r) for r in rows if r["id"] not in exclude][:size]

    everything = filtered(query.match)
    if count(everything) <= RANK_CAP:
        rows = ranked(everything, limit)
    else:
        focused = filtered("{ids title conditions} : (" + query.match + ")")
        rows = ranked(focused, limit) if count(focused) <= RANK_CAP else []
        if len(rows) < limit:
            rows += newest(everything, limit - len(rows), {r["id"] for r in rows})
    for row in rows:
        row.pop("rank", None)
    if query.registry_id:
        rows.sort(key=lambda r: r["registry_id"] != query.registry_id)
    return rows


def delete_trial(session: Session, trial_id: int) -> None:
    """Remove a trial that has no notes (a trial with notes is kept: notes are never lost)."""
    if session.connection().execute(select(func.count()).where(_t(Note).c.trial_id == trial_id)).scalar_one():
        raise ValueError("the trial has notes; delete or move them first")
    session.connection().execute(text(f"DELETE FROM {search.FTS_TABLE} WHERE rowid = :id"), {"id": trial_id})
    session.connection().execute(delete(_t(Trial)).where(_t(Trial).c.id == trial_id))


def all_registry_ids(session: Session) -> Iterable[str]:
    return (
        session.connection()
        .execute(select(_t(Trial).c.registry_id).order_by(_t(Trial).c.registry_id))
        .scalars()
    )
