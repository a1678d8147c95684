"""Reading trials back: a trial by any of its ids, its versions, a version's record and source."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Table, select
from sqlmodel import Session

from .. import record as rec
from .mapping import decompress, record_from_row
from .tables import Identifier, Trial, TrialVersion


def _t(model) -> Table:
    return model.__table__


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
    return source_of(session, version_id)[1]


def source_of(session: Session, version_id: int) -> tuple[str, str]:
    """A version's source format and its original document."""
    table = _t(TrialVersion)
    row = session.connection().execute(
        select(table.c.source_format, table.c.source_doc).where(table.c.id == version_id)
    ).one()
    return row[0], decompress(row[1])


def load_record(session: Session, version_id: int) -> rec.TrialRecord:
    """Rebuild the TrialRecord of a stored version from its row, its parts and its identifiers."""
    conn = session.connection()
    version = conn.execute(select(_t(TrialVersion)).where(_t(TrialVersion).c.id == version_id)).mappings().one()
    registry_id = conn.execute(
        select(_t(Trial).c.registry_id).where(_t(Trial).c.id == version["trial_id"])
    ).scalar_one()
    identifiers = _t(Identifier)
    identifier_rows = conn.execute(
        select(identifiers).where(identifiers.c.version_id == version_id).order_by(identifiers.c.position)
    ).mappings()
    return record_from_row(
        registry_id,
        version,
        [rec.Identifier(i["value"], i["kind"], i["type"], i["domain"], i["link"]) for i in identifier_rows],
    )


def current_record(session: Session, registry_id: str) -> rec.TrialRecord | None:
    trial = trial_by_registry_id(session, registry_id)
    if trial is None or trial.current_version_id is None:
        return None
    return load_record(session, trial.current_version_id)


def all_registry_ids(session: Session) -> Iterable[str]:
    return (
        session.connection()
        .execute(select(_t(Trial).c.registry_id).order_by(_t(Trial).c.registry_id))
        .scalars()
    )
