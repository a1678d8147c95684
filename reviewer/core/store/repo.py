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
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Table, delete, func, literal_column, or_, select, text
from sqlmodel import Session

from .. import record as rec
from ..importers.base import ParsedRecord
from . import search
from .tables import (
    Arm,
    ArmIntervention,
    Contact,
    Criterion,
    Document,
    Identifier,
    Intervention,
    Location,
    Note,
    Outcome,
    Sponsor,
    Term,
    Trial,
    TrialVersion,
)

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


def _newer(version_date: str | None, than: str | None) -> bool:
    """Whether a record dated ``version_date`` supersedes one dated ``than`` (undated: the later import wins)."""
    if version_date is None or than is None:
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
_TERM = _insert("term", "version_id, kind, position, text")
_SPONSOR = _insert("sponsor", "version_id, role, position, name, agency_class")
_IDENTIFIER = _insert("identifier", "version_id, kind, position, value, type, domain, link")
_OUTCOME = _insert("outcome", "version_id, kind, position, measure, time_frame, description")
_DOCUMENT = _insert(
    "document",
    "version_id, position, label, type_abbrev, has_protocol, has_sap, has_icf, filename, date, upload_date, size, url",
)
_ARM = _insert("arm", "id, version_id, position, label, type, description, intervention_names")
_INTERVENTION = _insert("intervention", "id, version_id, position, name, type, description, other_names")
_ARM_INTERVENTION = _insert("arm_intervention", "arm_id, intervention_id")
_CRITERION = _insert("criterion", "id, version_id, parent_id, section, key, position, depth, text")
_LOCATION = _insert(
    "location", "id, version_id, position, facility, city, state, zip, country, status, latitude, longitude"
)
_CONTACT = _insert(
    "contact", "version_id, location_id, scope, position, name, role, phone, email, affiliation"
)


@dataclass
class Parts:
    """A record's part rows as plain tuples, without the version id. Rows that others refer to are
    numbered from 0 within the record (arms, interventions, criteria, locations); the writer adds the
    first id it hands out to each."""

    terms: list[tuple] = field(default_factory=list)  # (kind, position, text)
    sponsors: list[tuple] = field(default_factory=list)  # (role, position, name, agency_class)
    identifiers: list[tuple] = field(default_factory=list)  # (kind, position, value, type, domain, link)
    outcomes: list[tuple] = field(default_factory=list)  # (kind, position, measure, time_frame, description)
    documents: list[tuple] = field(default_factory=list)  # (position, label, ... url)
    # (position, label, type, description, intervention_names): row n is at position n
    arms: list[tuple] = field(default_factory=list)
    interventions: list[tuple] = field(default_factory=list)  # (position, name, ...); n = position
    links: list[tuple[int, int]] = field(default_factory=list)  # (arm n, intervention n), sorted
    criteria: list[tuple] = field(default_factory=list)  # (parent n, section, key, position, depth, text)
    locations: list[tuple] = field(default_factory=list)  # (position, facility, ... longitude); n = position
    # (location n or None, scope, position, name, role, phone, email, affiliation)
    contacts: list[tuple] = field(default_factory=list)


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
    parts: Parts


def prepare(parsed: ParsedRecord, data: bytes | None = None, deflated: bytes | None = None) -> Prepared:
    """``data`` and ``deflated``: the document's bytes and their raw deflate stream, as a zip holds
    them; when the record's source is the whole document, that stream is stored instead of
    compressing the source again."""
    source = parsed.source_text.encode("utf-8")
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
        parts=_parts(r),
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
    current_date = None
    if current_version_id is not None:
        current_date = cursor.execute(
            "SELECT version_date FROM trial_version WHERE id = ?", (current_version_id,)
        ).fetchall()[0][0]
    values: dict[str, Any] = {"version_count": number, "updated_at": stamp}
    if _newer(prepared.version_date, current_date):
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
    c = w.cursor
    c.execute(_VERSION_INSERT, (version_id, trial_id, number, source_name, stamp, *prepared.version))
    p, v = prepared.parts, version_id
    if p.terms:
        c.executemany(_TERM, [(v, *row) for row in p.terms])
    if p.sponsors:
        c.executemany(_SPONSOR, [(v, *row) for row in p.sponsors])
    if p.identifiers:
        c.executemany(_IDENTIFIER, [(v, *row) for row in p.identifiers])
    if p.outcomes:
        c.executemany(_OUTCOME, [(v, *row) for row in p.outcomes])
    if p.documents:
        c.executemany(_DOCUMENT, [(v, *row) for row in p.documents])
    if p.arms:
        arm = w.ids("arm", len(p.arms))
        c.executemany(_ARM, [(arm + row[0], v, *row) for row in p.arms])
    if p.interventions:
        intervention = w.ids("intervention", len(p.interventions))
        c.executemany(_INTERVENTION, [(intervention + row[0], v, *row) for row in p.interventions])
        if p.links:
            c.executemany(_ARM_INTERVENTION, [(arm + a, intervention + i) for a, i in p.links])
    if p.criteria:
        first = w.ids("criterion", len(p.criteria))
        c.executemany(
            _CRITERION,
            [
                (first + n, v, None if parent is None else first + parent, *rest)
                for n, (parent, *rest) in enumerate(p.criteria)
            ],
        )
    location = w.ids("location", len(p.locations)) if p.locations else 0
    if p.locations:
        c.executemany(_LOCATION, [(location + row[0], v, *row) for row in p.locations])
    if p.contacts:
        c.executemany(
            _CONTACT,
            [(v, None if at is None else location + at, *rest) for at, *rest in p.contacts],
        )


def _parts(r: rec.TrialRecord) -> Parts:
    p = Parts()
    p.terms = [("condition", i, t) for i, t in enumerate(r.conditions or [])]
    p.terms += [("keyword", i, t) for i, t in enumerate(r.keywords or [])]
    if r.lead_sponsor:
        p.sponsors.append(("lead", 0, r.lead_sponsor.name, r.lead_sponsor.agency_class))
    p.sponsors += [("collaborator", i, s.name, s.agency_class) for i, s in enumerate(r.collaborators or [])]
    p.identifiers = [(i.kind, n, i.value, i.type, i.domain, i.link) for n, i in enumerate(r.identifiers)]
    p.outcomes = [(o.kind, n, o.measure, o.time_frame, o.description) for n, o in enumerate(r.outcomes or [])]
    p.documents = [
        (
            n,
            d.label,
            d.type_abbrev,
            d.has_protocol,
            d.has_sap,
            d.has_icf,
            d.filename,
            d.date,
            d.upload_date,
            d.size,
            d.url,
        )
        for n, d in enumerate(r.documents or [])
    ]
    # arms and interventions: row n is the one at position n
    arm_of: dict[str, int] = {}
    for n, arm in enumerate(r.arms or []):
        p.arms.append((n, arm.label, arm.type, arm.description, _json(arm.intervention_names)))
        arm_of.setdefault(arm.label, n)
    links: set[tuple[int, int]] = set()
    for n, item in enumerate(r.interventions or []):
        p.interventions.append((n, item.name, item.type, item.description, _json(item.other_names)))
        links.update((arm_of[label], n) for label in item.arm_labels if label in arm_of)
    p.links = sorted(links)
    if r.eligibility is not None:
        _criteria_rows(p.criteria, r.eligibility)
    _contact_rows(p, r)
    return p


def _criteria_rows(rows: list[tuple], eligibility: rec.Eligibility) -> None:
    """Depth first; row n is the criterion at position n, its parent given by row number."""

    def add(items: list[rec.Criterion], section: str, parent: int | None, prefix: str, depth: int) -> None:
        for n, item in enumerate(items, 1):
            key = f"{prefix}{n}"
            number = len(rows)
            rows.append((parent, section, f"{section}/{key}", number, depth, item.text))
            if item.children:
                add(item.children, section, number, f"{key}.", depth + 1)

    for section in ("inclusion", "exclusion", "other"):
        add(getattr(eligibility, section), section, None, "", 0)


def _contact_rows(p: Parts, r: rec.TrialRecord) -> None:
    def row(c: rec.Contact, scope: str, n: int, location: int | None = None) -> tuple:
        return (location, scope, n, c.name, c.role, c.phone, c.email, c.affiliation)

    p.contacts = [row(c, "central", n) for n, c in enumerate(r.central_contacts or [])]
    p.contacts += [row(c, "official", n) for n, c in enumerate(r.officials or [])]
    for n, loc in enumerate(r.locations or []):
        p.locations.append(
            (
                n,
                loc.facility,
                loc.city,
                loc.state,
                loc.zip,
                loc.country,
                loc.status,
                loc.latitude,
                loc.longitude,
            )
        )
        p.contacts += [row(c, "site", i, n) for i, c in enumerate(loc.contacts)]


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
    """Rebuild the TrialRecord of a stored version from its rows."""
    conn = session.connection()
    v = conn.execute(select(_t(TrialVersion)).where(_t(TrialVersion).c.id == version_id)).mappings().one()
    registry_id = conn.execute(
        select(_t(Trial).c.registry_id).where(_t(Trial).c.id == v["trial_id"])
    ).scalar_one()
    missing = set(_loads(v["not_in_source"]))

    def rows(model, *order, **where):
        table = _t(model)
        query = select(table).where(table.c.version_id == version_id)
        for column, value in where.items():
            query = query.where(table.c[column] == value)
        return conn.execute(query.order_by(*(table.c[o] for o in order))).mappings().all()

    def part(name, value):
        return None if name in missing else value

    terms = rows(Term, "kind", "position")
    sponsors = rows(Sponsor, "position", role="collaborator")
    lead = rows(Sponsor, "position", role="lead")
    arms = rows(Arm, "position")
    interventions = rows(Intervention, "position")
    links = (
        conn.execute(
            select(_t(ArmIntervention)).where(_t(ArmIntervention).c.arm_id.in_([a["id"] for a in arms]))
        ).all()
        if arms
        else []
    )
    arm_label = {a["id"]: a["label"] for a in arms}
    labels_of: dict[int, list[str]] = {}
    for arm_id, intervention_id in sorted(links, key=lambda link: link[0]):
        labels_of.setdefault(intervention_id, []).append(arm_label[arm_id])
    contacts = rows(Contact, "position")
    locations = rows(Location, "position")

    def contact(c) -> rec.Contact:
        return rec.Contact(
            name=c["name"], role=c["role"], phone=c["phone"], email=c["email"], affiliation=c["affiliation"]
        )

    eligibility = None
    if "eligibility" not in missing:
        eligibility = rec.Eligibility(
            sex=v["sex"],
            minimum_age=v["minimum_age"],
            maximum_age=v["maximum_age"],
            healthy_volunteers=v["healthy_volunteers"],
            std_ages=_loads(v["std_ages"]),
            criteria_text=v["criteria_text"],
        )
        nodes: dict[int, rec.Criterion] = {}
        for c in rows(Criterion, "position"):
            node = rec.Criterion(c["text"])
            nodes[c["id"]] = node
            if c["parent_id"] is not None:
                nodes[c["parent_id"]].children.append(node)
            else:
                getattr(eligibility, c["section"]).append(node)

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
        conditions=part("conditions", [t["text"] for t in terms if t["kind"] == "condition"]),
        keywords=part("keywords", [t["text"] for t in terms if t["kind"] == "keyword"]),
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
        arms=part(
            "arms",
            [rec.Arm(a["label"], a["type"], a["description"], _loads(a["intervention_names"])) for a in arms],
        ),
        interventions=part(
            "interventions",
            [
                rec.Intervention(
                    i["name"],
                    i["type"],
                    i["description"],
                    _loads(i["other_names"]),
                    labels_of.get(i["id"], []),
                )
                for i in interventions
            ],
        ),
        eligibility=eligibility,
        outcomes=part(
            "outcomes",
            [
                rec.Outcome(o["kind"], o["measure"], o["time_frame"], o["description"])
                for o in rows(Outcome, "position")
            ],
        ),
        lead_sponsor=rec.Sponsor(lead[0]["name"], lead[0]["agency_class"]) if lead else None,
        collaborators=part("collaborators", [rec.Sponsor(s["name"], s["agency_class"]) for s in sponsors]),
        identifiers=[
            rec.Identifier(i["value"], i["kind"], i["type"], i["domain"], i["link"])
            for i in rows(Identifier, "position")
        ],
        locations=part(
            "locations",
            [
                rec.Location(
                    facility=loc["facility"],
                    city=loc["city"],
                    state=loc["state"],
                    zip=loc["zip"],
                    country=loc["country"],
                    status=loc["status"],
                    latitude=loc["latitude"],
                    longitude=loc["longitude"],
                    contacts=[contact(c) for c in contacts if c["location_id"] == loc["id"]],
                )
                for loc in locations
            ],
        ),
        central_contacts=part("central_contacts", [contact(c) for c in contacts if c["scope"] == "central"]),
        officials=part("officials", [contact(c) for c in contacts if c["scope"] == "official"]),
        documents=part(
            "documents",
            [
                rec.Document(
                    **{
                        k: d[k]
                        for k in (
                            "label",
                            "type_abbrev",
                            "has_protocol",
                            "has_sap",
                            "has_icf",
                            "filename",
                            "date",
                            "upload_date",
                            "size",
                            "url",
                        )
                    }
                )
                for d in rows(Document, "position")
            ],
        ),
        has_dmc=v["has_dmc"],
        has_results=v["has_results"],
        version_date=v["version_date"],
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
    table = _t(Trial)
    notes = select(func.count()).where(_t(Note).c.trial_id == table.c.id).scalar_subquery()
    query = select(*(table.c[c] for c in LIST_COLUMNS), notes.label("note_count"))
    for clause in (where or TrialFilter()).clauses():
        query = query.where(clause)
    if order_by == "note_count":  # the label: SQLite counts each trial's notes once (by its index)
        column = literal_column("note_count")
    else:
        column = table.c.get(order_by, table.c.registry_id)
    query = query.order_by(column.desc() if descending else column, table.c.id).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [dict(row) for row in session.connection().execute(query).mappings()]


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
