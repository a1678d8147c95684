"""Undoable note changes (QUndoCommand): add, edit, delete. Each one is written through the Library at once.

Undoing an add deletes the note; redoing it (or undoing a delete) brings it back exactly, with its id,
through Library.restore_note. After every change ``on_change(change)`` (the Library's Change) lets the
window read again what it touched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

if TYPE_CHECKING:
    from ..core.items import ItemRef, TextSpan
    from ..core.library import Change, Library

Changed = Callable[["Change"], None]


class NoteCommand(QUndoCommand):
    """A change of one note through ``library``, told to ``on_change``."""

    def __init__(self, text: str, library: Library, on_change: Changed):
        super().__init__(text)
        self.library, self.on_change = library, on_change


class AddNote(NoteCommand):
    def __init__(
        self,
        library: Library,
        trial_id: int,
        anchor: ItemRef | TextSpan,
        body: str,
        tag: str | None,
        author: str,
        on_change: Changed,
    ):
        super().__init__("Add note", library, on_change)
        self.trial_id, self.anchor = trial_id, anchor
        self.body, self.tag, self.author = body, tag, author
        self.note_id: int | None = None
        self.saved: dict | None = None

    def redo(self) -> None:
        if self.saved is None:
            change = self.library.add_note(self.trial_id, self.anchor, self.body, self.author, self.tag)
            (self.note_id,) = change.notes
        else:
            change = self.library.restore_note(self.saved)
        self.on_change(change)

    def undo(self) -> None:
        assert self.note_id is not None
        self.saved, change = self.library.delete_note(self.note_id)
        self.on_change(change)


class EditNote(NoteCommand):
    def __init__(self, library: Library, note: dict, body: str, tag: str | None, on_change: Changed):
        super().__init__("Edit note", library, on_change)
        self.note_id = note["id"]
        self.before = (note["body"], note["tag"])
        self.after = (body, tag)

    def redo(self) -> None:
        self.on_change(self.library.edit_note(self.note_id, *self.after))

    def undo(self) -> None:
        self.on_change(self.library.edit_note(self.note_id, *self.before))


class DeleteNote(NoteCommand):
    def __init__(self, library: Library, note: dict, on_change: Changed):
        super().__init__("Delete note", library, on_change)
        self.note_id = note["id"]
        self.saved: dict | None = None

    def redo(self) -> None:
        self.saved, change = self.library.delete_note(self.note_id)
        self.on_change(change)

    def undo(self) -> None:
        assert self.saved is not None
        self.on_change(self.library.restore_note(self.saved))
