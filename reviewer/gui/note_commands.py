"""Undoable note changes (QUndoCommand): add, edit, delete. Each one is committed to the store at once.

Undoing an add deletes the note; redoing it (or undoing a delete) brings it back exactly, with its id,
through notes.restore_note. After every change ``on_change(trial_id)`` lets the window refresh.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

if TYPE_CHECKING:
    from ..core.items import ItemRef, TextSpan

Changed = Callable[[int], None]


class AddNote(QUndoCommand):
    def __init__(
        self,
        store,
        trial_id: int,
        anchor: ItemRef | TextSpan,
        body: str,
        tag: str | None,
        author: str,
        on_change: Changed,
    ):
        super().__init__("Add note")
        self.store, self.trial_id, self.anchor = store, trial_id, anchor
        self.body, self.tag, self.author, self.on_change = body, tag, author, on_change
        self.note_id: int | None = None
        self.saved: dict | None = None

    def redo(self) -> None:
        from ..core import notes

        with self.store.transaction() as session:
            if self.saved is None:
                note = notes.add_note(session, self.trial_id, self.anchor, self.body, self.author, self.tag)
                self.note_id = note.id
            else:
                notes.restore_note(session, self.saved)
        self.on_change(self.trial_id)

    def undo(self) -> None:
        from ..core import notes

        with self.store.transaction() as session:
            self.saved = notes.delete_note(session, self.note_id)
        self.on_change(self.trial_id)


class EditNote(QUndoCommand):
    def __init__(self, store, note: dict, body: str, tag: str | None, on_change: Changed):
        super().__init__("Edit note")
        self.store, self.note_id, self.trial_id, self.on_change = (
            store,
            note["id"],
            note["trial_id"],
            on_change,
        )
        self.before = (note["body"], note["tag"])
        self.after = (body, tag)

    def _set(self, body: str, tag: str | None) -> None:
        from ..core import notes

        with self.store.transaction() as session:
            notes.edit_note(session, self.note_id, body=body, tag=tag)
        self.on_change(self.trial_id)

    def redo(self) -> None:
        self._set(*self.after)

    def undo(self) -> None:
        self._set(*self.before)


class DeleteNote(QUndoCommand):
    def __init__(self, store, note: dict, on_change: Changed):
        super().__init__("Delete note")
        self.store, self.note_id, self.trial_id, self.on_change = (
            store,
            note["id"],
            note["trial_id"],
            on_change,
        )
        self.saved: dict | None = None

    def redo(self) -> None:
        from ..core import notes

        with self.store.transaction() as session:
            self.saved = notes.delete_note(session, self.note_id)
        self.on_change(self.trial_id)

    def undo(self) -> None:
        from ..core import notes

        with self.store.transaction() as session:
            notes.restore_note(session, self.saved)
        self.on_change(self.trial_id)
