"""Reviewer notes: attach to an item of a trial, edit, delete (and restore), list; re-anchor after imports.

A note is on an item (``reviewer.core.items.ItemRef``; the store keeps its kind and path in the
note's ``item_kind`` and ``item_key`` columns) or on a quote of its text (``items.TextSpan``: a
selection keeps its offsets in ``span_start`` and ``span_end``; a note on a whole item quotes its
text as it was). When a new version of a trial changes the item under a key, ``reanchor`` moves the
note to the item of the same kind that now holds its quote, or marks it orphaned (it keeps its quote
and is never deleted by an import).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, select

from . import items
from .items import ItemRef, TextSpan, stored_anchor
from .record import TrialRecord
from .store.tables import NOTE_TAGS, Note, Trial
from .text import squash

# the kinds whose notes are checked against the page as a whole, not against an item's text
_WHOLE_PAGE_KINDS = ("trial", "section")


def _check(tag: str | None, body: str) -> None:
    if tag is not None and tag not in NOTE_TAGS:
        raise ValueError(f"unknown tag {tag!r}; use one of {', '.join(NOTE_TAGS)}")
    if not body.strip():
        raise ValueError("a note needs some text")


def add_note(
    session: Session, trial_id: int, anchor: ItemRef | TextSpan, body: str, author: str, tag: str | None = None
) -> Note:
    """Write a note now (the caller commits at once: notes are never left unsaved)."""
    _check(tag, body)
    trial = session.get(Trial, trial_id)
    if trial is None:
        raise ValueError(f"no trial with id {trial_id}")
    now = datetime.now(UTC)
    note = Note(
        trial_id=trial_id,
        **stored_anchor(anchor),
        body=body.strip(),
        tag=tag,
        author=author,
        created_at=now,
        updated_at=now,
        anchor_version_id=trial.current_version_id,
    )
    session.add(note)
    session.flush()
    return note


_KEEP = object()


def edit_note(session: Session, note_id: int, body: str | None = None, tag: object = _KEEP) -> Note:
    """Change a note's text and/or tag (``tag=None`` clears it; leaving it out keeps it)."""
    note = session.get(Note, note_id)
    if note is None:
        raise ValueError(f"no note {note_id}")
    new_body = note.body if body is None else body
    new_tag = note.tag if tag is _KEEP else tag
    _check(new_tag, new_body)
    note.body, note.tag, note.updated_at = new_body.strip(), new_tag, datetime.now(UTC)
    session.add(note)
    session.flush()
    return note


def delete_note(session: Session, note_id: int) -> dict:
    """Delete a note; returns what ``restore_note`` needs to bring it back exactly (undo)."""
    note = session.get(Note, note_id)
    if note is None:
        raise ValueError(f"no note {note_id}")
    saved = note.model_dump()
    session.delete(note)
    session.flush()
    return saved


def restore_note(session: Session, saved: dict) -> Note:
    note = Note(**saved)
    session.add(note)
    session.flush()
    return note


def notes_of(session: Session, trial_ids: list[int], tag: str | None = None) -> list[Note]:
    query = select(Note).where(Note.trial_id.in_(trial_ids))
    if tag:
        query = query.where(Note.tag == tag)
    return list(session.exec(query.order_by(Note.trial_id, Note.item_kind, Note.item_key, Note.created_at)))


@dataclass
class _StoredAnchor:
    """A note's anchor as the write path reads it (raw rows, inside the import's transaction)."""

    id: int
    item_kind: str
    item_key: str
    quote: str | None
    span_start: int | None
    span_end: int | None
    orphaned: bool
    anchor_version_id: int | None

    def state(self) -> tuple:
        return self.item_key, self.span_start, self.span_end, bool(self.orphaned), self.anchor_version_id


_ANCHOR_COLUMNS = "id, item_kind, item_key, quote, span_start, span_end, orphaned, anchor_version_id"


def _by_text(texts: dict[ItemRef, str]) -> dict[str, ItemRef]:
    by_text: dict[str, ItemRef] = {}
    for ref, text in texts.items():
        by_text.setdefault(squash(text).lower(), ref)
    return by_text


def _holds(text: str | None, quote: str | None) -> bool:
    return text is not None and (quote is None or quote in squash(text).lower())


def _recheck(note: Note | _StoredAnchor, texts: dict[ItemRef, str], by_text: dict[str, ItemRef], version_id: int) -> None:
    """Check one note against a version's items: move it to the item that now holds its quote, or
    mark it orphaned; either way it is then checked against ``version_id``."""
    quote = squash(note.quote).lower() if note.quote else None
    if note.item_kind in _WHOLE_PAGE_KINDS:
        still = not note.orphaned  # the trial or a section's text: nothing finer to check it against
    elif note.span_start is not None:  # a selection: in its item, else in the first item of its kind holding it
        ref = ItemRef.stored(note.item_kind, note.item_key)
        if not _holds(texts.get(ref), quote):
            kind = ref.kind
            ref = next((r for r, text in texts.items() if r.kind is kind and _holds(text, quote)), None)
        still = ref is not None
        if ref is not None:
            note.item_key = ref.path
            if note.quote:
                at = texts[ref].find(note.quote)
                note.span_start, note.span_end = (at, at + len(note.quote)) if at >= 0 else (None, None)
    else:
        current = texts.get(ItemRef.stored(note.item_kind, note.item_key))
        if _holds(current, quote):
            still = True
        elif quote and quote in by_text and by_text[quote].kind.value == note.item_kind:
            note.item_key = by_text[quote].path
            still = True
        else:
            still = False
    note.orphaned = not still
    note.anchor_version_id = version_id


def reanchor(session: Session, trial_id: int, record: TrialRecord, version_id: int) -> list[Note]:
    """Check every note of a trial against a new current version; returns the notes that changed."""
    texts = items.texts(record)
    by_text = _by_text(texts)
    changed = []
    for note in session.exec(select(Note).where(Note.trial_id == trial_id)):
        before = (note.item_key, note.span_start, note.span_end, note.orphaned, note.anchor_version_id)
        _recheck(note, texts, by_text, version_id)
        if (note.item_key, note.span_start, note.span_end, note.orphaned, note.anchor_version_id) != before:
            session.add(note)
            changed.append(note)
    session.flush()
    return changed


def reanchor_new_version(
    conn: sqlite3.Connection, trial_id: int, version_id: int, record: Callable[[], TrialRecord]
) -> int:
    """In the transaction that writes a trial's new version (raw sqlite3, the import's write path):
    when that version became current, check the trial's notes against it, so that the version and
    its notes' anchors commit together: an import stopped at any moment never leaves a note beside
    an item it was not written on. ``record`` makes the version's record, only when the trial has
    notes. Returns the number of notes changed."""
    rows = conn.execute(f"SELECT {_ANCHOR_COLUMNS} FROM note WHERE trial_id = ?", (trial_id,)).fetchall()
    if not rows:
        return 0
    current = conn.execute("SELECT current_version_id FROM trial WHERE id = ?", (trial_id,)).fetchall()[0][0]
    if current != version_id:
        return 0  # an older record imported later: the current version, and the anchors, stay
    texts = items.texts(record())
    by_text = _by_text(texts)
    changed = []
    for row in rows:
        note = _StoredAnchor(*row)
        before = note.state()
        _recheck(note, texts, by_text, version_id)
        if note.state() != before:
            changed.append((note.item_key, note.span_start, note.span_end, int(note.orphaned), version_id, note.id))
    conn.executemany(
        "UPDATE note SET item_key = ?, span_start = ?, span_end = ?, orphaned = ?, anchor_version_id = ? WHERE id = ?",
        changed,
    )
    return len(changed)


def trials_with_unchecked_notes(session: Session) -> list[int]:
    """Trials with a note not yet checked against their current version: left by an import of an
    older release killed between a version's commit and its notes' re-anchoring."""
    rows = session.connection().exec_driver_sql(
        "SELECT DISTINCT note.trial_id FROM note JOIN trial ON trial.id = note.trial_id "
        "WHERE note.anchor_version_id IS NOT trial.current_version_id AND trial.current_version_id IS NOT NULL"
    )
    return [trial_id for (trial_id,) in rows]
