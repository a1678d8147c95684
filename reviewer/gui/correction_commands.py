"""Undoable facet corrections (QUndoCommand) on the window's undo stack, beside the note commands.

The window writes a correction (or removes one) through the Library first, so that a refusal or a
store failure is told in the editor while what was typed is still there; then it pushes the command
with the Change that write returned, and the command's first redo only tells ``on_change``. Undo
puts back exactly what was there before (the earlier correction, with its id and author, or none);
redo puts back exactly what was written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

if TYPE_CHECKING:
    from ..core.corrections import Correction
    from ..core.library import Change, Library

Changed = Callable[["Change"], None]


class CorrectionCommand(QUndoCommand):
    """A correction change already written (``done``, told at the first redo), and how to undo it."""

    def __init__(self, text: str, library: Library, registry_id: str, done: Change, on_change: Changed):
        super().__init__(text)
        self.library, self.registry_id, self.on_change = library, registry_id, on_change
        self._done: Change | None = done

    def redo(self) -> None:
        if self._done is not None:
            change, self._done = self._done, None
        else:
            change = self.write_again()
        self.on_change(change)

    def write_again(self) -> Change:
        raise NotImplementedError


class CorrectFacets(CorrectionCommand):
    """A correction written over ``before`` (None: the item had none)."""

    def __init__(
        self,
        library: Library,
        registry_id: str,
        before: Correction | None,
        written: Correction,
        done: Change,
        on_change: Changed,
    ):
        super().__init__(f"Correct facets of {written.ref.label}", library, registry_id, done, on_change)
        self.before, self.written = before, written

    def write_again(self) -> Change:
        return self.library.restore_correction(self.written)

    def undo(self) -> None:
        if self.before is not None:
            change = self.library.restore_correction(self.before)
        else:
            _saved, change = self.library.remove_correction(
                self.registry_id, self.written.ref.key, correction_id=self.written.id
            )
        self.on_change(change)


class RemoveCorrection(CorrectionCommand):
    """A correction removed (the item's facets are read from its text again)."""

    def __init__(
        self, library: Library, registry_id: str, removed: Correction, done: Change, on_change: Changed
    ):
        super().__init__(
            f"Remove the facet correction of {removed.ref.label}", library, registry_id, done, on_change
        )
        self.removed = removed

    def write_again(self) -> Change:
        _saved, change = self.library.remove_correction(
            self.registry_id, self.removed.ref.key, correction_id=self.removed.id
        )
        return change

    def undo(self) -> None:
        self.on_change(self.library.restore_correction(self.removed))
