"""Deleting a trial: only one without notes (notes are never lost)."""

from __future__ import annotations

from sqlalchemy import delete, func, select, text
from sqlmodel import Session

from .sqlite import fts
from .tables import Note, Trial


def delete_trial(session: Session, trial_id: int) -> None:
    """Remove a trial that has no notes (a trial with notes is kept: notes are never lost)."""
    connection = session.connection()
    if connection.execute(select(func.count()).where(Note.__table__.c.trial_id == trial_id)).scalar_one():
        raise ValueError("the trial has notes; delete or move them first")
    connection.execute(text(fts.DOCUMENT_DELETE), {"id": trial_id})
    connection.execute(delete(Trial.__table__).where(Trial.__table__.c.id == trial_id))
