"""Reviewer notes: attach to an item of a trial, edit, delete (and restore), list; re-anchor after imports.

A note's anchor is (item kind, item key) plus the quoted text of the item when the note was written.
Keys are stable names: "inclusion/3.2" for a criterion, "primary/1" for an outcome, an arm's label,
"DRUG:Aspirin" for an intervention, a section name, "" for the trial itself. When a new version of a
trial changes the item under a key, ``reanchor`` moves the note to the item that now holds its quote,
or marks it orphaned (it keeps its quote and is never deleted by an import).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, select

from .record import TrialRecord
from .store.tables import NOTE_TAGS, Note, Trial
from .text import squash

ITEM_KINDS = ("trial", "section", "arm", "intervention", "criterion", "outcome", "span")
# Keys of the trial view's sections (reviewer.gui.trial_html.SECTIONS, checked by a test): a span
# note in a section's own text (a summary, a description) carries the section's key, or "".
SECTION_KEYS = frozenset(
    {"overview", "design", "arms", "eligibility", "outcomes", "sponsors", "documents", "versions", "source"}
)
SPAN_ITEM_KINDS = ("criterion", "outcome", "arm", "intervention")


@dataclass
class Anchor:
    kind: str
    key: str
    quote: str | None = None
    span_start: int | None = None
    span_end: int | None = None


def item_texts(record: TrialRecord) -> dict[tuple[str, str], str]:
    """Every annotatable item of a record: (kind, key) -> its text."""
    items: dict[tuple[str, str], str] = {("trial", ""): record.brief_title or record.registry_id}
    for arm in record.arms or []:
        items[("arm", arm.label)] = " ".join(x for x in (arm.label, arm.description) if x)
    for intervention in record.interventions or []:
        items[("intervention", intervention_key(intervention.type, intervention.name))] = intervention.name
    if record.eligibility:
        for section in ("inclusion", "exclusion", "other"):

            def walk(criteria, prefix, section=section):
                for n, criterion in enumerate(criteria, 1):
                    key = f"{prefix}{n}"
                    items[("criterion", f"{section}/{key}")] = criterion.text
                    walk(criterion.children, key + ".")

            walk(getattr(record.eligibility, section), "")
    counters: dict[str, int] = {}
    for outcome in record.outcomes or []:
        counters[outcome.kind] = counters.get(outcome.kind, 0) + 1
        items[("outcome", f"{outcome.kind}/{counters[outcome.kind]}")] = outcome.measure
    return items


def item_of_span(
    items: dict[tuple[str, str], str], key: str, quote: str | None
) -> tuple[str, str] | None:
    """The item a span note lies in: the item under its key whose text holds the quote, else the first
    item of the same kinds that holds it (the item moved); None when no item holds it."""
    wanted = squash(quote).lower() if quote else None
    for kind in SPAN_ITEM_KINDS:
        text = items.get((kind, key))
        if text is not None and (wanted is None or wanted in squash(text).lower()):
            return kind, key
    if wanted:
        for anchor, text in items.items():
            if anchor[0] in SPAN_ITEM_KINDS and wanted in squash(text).lower():
                return anchor
    return None


def intervention_key(kind: str | None, name: str) -> str:
    return f"{kind or 'OTHER'}:{name}"


def _check(tag: str | None, body: str) -> None:
    if tag is not None and tag not in NOTE_TAGS:
        raise ValueError(f"unknown tag {tag!r}; use one of {', '.join(NOTE_TAGS)}")
    if not body.strip():
        raise ValueError("a note needs some text")


def add_note(
    session: Session, trial_id: int, anchor: Anchor, body: str, author: str, tag: str | None = None
) -> Note:
    """Write a note now (the caller commits at once: notes are never left unsaved)."""
    if anchor.kind not in ITEM_KINDS:
        raise ValueError(f"unknown item kind {anchor.kind!r}")
    _check(tag, body)
    trial = session.get(Trial, trial_id)
    if trial is None:
        raise ValueError(f"no trial with id {trial_id}")
    now = datetime.now(UTC)
    note = Note(
        trial_id=trial_id,
        item_kind=anchor.kind,
        item_key=anchor.key,
        quote=anchor.quote,
        span_start=anchor.span_start,
        span_end=anchor.span_end,
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


def _by_text(items: dict[tuple[str, str], str]) -> dict[str, tuple[str, str]]:
    by_text: dict[str, tuple[str, str]] = {}
    for anchor, text in items.items():
        by_text.setdefault(squash(text).lower(), anchor)
    return by_text


def _recheck(note: Note | _StoredAnchor, items, by_text, version_id: int) -> None:
    """Check one note against a version's items: move it to the item that now holds its quote, or
    mark it orphaned; either way it is then checked against ``version_id``."""
    if note.item_kind in ("trial", "section") or (
        note.item_kind == "span" and (note.item_key == "" or note.item_key in SECTION_KEYS)
    ):
        still = not note.orphaned  # the trial or a section's text: nothing finer to check it against
    elif note.item_kind == "span":
        found = item_of_span(items, note.item_key, note.quote)
        still = found is not None
        if found is not None and found[1] != note.item_key:
            note.item_key = found[1]
        if found is not None and note.quote:
            start = items[found].find(note.quote)
            note.span_start, note.span_end = (start, start + len(note.quote)) if start >= 0 else (None, None)
    else:
        current = items.get((note.item_kind, note.item_key))
        quote = squash(note.quote).lower() if note.quote else None
        if current is not None and (quote is None or quote in squash(current).lower()):
            still = True
        elif quote and quote in by_text and by_text[quote][0] == note.item_kind:
            note.item_key = by_text[quote][1]
            still = True
        else:
            still = False
    note.orphaned = not still
    note.anchor_version_id = version_id


def reanchor(session: Session, trial_id: int, record: TrialRecord, version_id: int) -> list[Note]:
    """Check every note of a trial against a new current version; returns the notes that changed."""
    items = item_texts(record)
    by_text = _by_text(items)
    changed = []
    for note in session.exec(select(Note).where(Note.trial_id == trial_id)):
        before = (note.item_key, note.span_start, note.span_end, note.orphaned, note.anchor_version_id)
        _recheck(note, items, by_text, version_id)
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
    items = item_texts(record())
    by_text = _by_text(items)
    changed = []
    for row in rows:
        note = _StoredAnchor(*row)
        before = note.state()
        _recheck(note, items, by_text, version_id)
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
