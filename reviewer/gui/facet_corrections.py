"""The window's part in correcting a criterion's facets: the editor, the writes, the undo stack.

A write goes through the Library before anything is pushed on the undo stack: a refusal (a facet of
no known shape, a criterion gone meanwhile) or a store failure (a full disk, a read-only library) is
said in the editor, which stays open with what was typed. Only a stored correction closes it; its
command (gui/correction_commands.py) then makes it undoable. Every Change goes to the window's
``apply_change``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import shiboken6

from .correction_commands import CorrectFacets, RemoveCorrection
from .dialogs.facet_editor import FacetEditor

if TYPE_CHECKING:
    from ..core.corrections import Correction
    from .main_window import MainWindow
    from .views.trial_view import FacetRequest


class FacetCorrector:
    """Opens the facet editor for a FacetRequest and writes what it saves (see the module docstring)."""

    def __init__(self, window: MainWindow):
        self.window = window
        self.editor: FacetEditor | None = None

    def open_editor(self, request: FacetRequest) -> FacetEditor | None:
        """The editor for one criterion (the one open for another is asked to go first). The first
        correction asks for the reviewer's name, as the first note does."""
        window = self.window
        if not window.settings.has_author():
            window._ask_author(lambda: self.open_editor(request))
            return None
        if self.is_open():
            self.editor.raise_()
            if self.editor.property("item") == (request.trial_id, request.ref.key):
                return self.editor
            self.editor.reject()  # asks before discarding what was typed
            if self.is_open():
                return self.editor
        correction = request.correction
        editor = FacetEditor(
            window,
            where=f"{request.registry_id} · {request.ref.label}",
            text=request.text,
            facets=request.facets,
            extracted=request.extracted,
            corrected_by=None
            if correction is None
            else f"Corrected by {correction.author}, {correction.corrected_at:%d %b %Y %H:%M}.",
        )
        editor.setProperty("item", (request.trial_id, request.ref.key))
        editor.sig_save.connect(lambda facets: self._save(request, editor, facets))
        editor.sig_remove.connect(lambda: self._remove_from(request, editor))
        self.editor = editor
        editor.open()
        return editor

    def is_open(self) -> bool:
        return self.editor is not None and shiboken6.isValid(self.editor) and self.editor.isVisible()

    def _failure(self, error: Exception) -> str | None:
        """The sentence to show for a write that did not happen, or None: a bug (raised on)."""
        if isinstance(error, ValueError | LookupError):
            return str(error)
        failure = self.window.lib.failure_of(error)
        return None if failure is None else f"Not saved: {failure}."

    def _save(self, request: FacetRequest, editor: FacetEditor, facets: list[dict]) -> None:
        library = self.window.lib
        try:
            change = library.correct_facets(
                request.registry_id, request.ref.key, facets, self.window.settings.author()
            )
        except Exception as error:
            message = self._failure(error)
            if message is None:
                raise
            editor.show_error(message[:1].upper() + message[1:])
            return
        (correction_id,) = change.corrections
        written = next(c for c in library.corrections_of(request.registry_id) if c.id == correction_id)
        self.window.undo_stack.push(
            CorrectFacets(
                library, request.registry_id, request.correction, written, change, self.window.apply_change
            )
        )
        editor.saved()
        self.window.statusBar().showMessage(
            f"Facets corrected on {request.registry_id} · {request.ref.label}. Ctrl+Z takes it back.", 6000
        )

    def _remove_from(self, request: FacetRequest, editor: FacetEditor) -> None:
        if request.correction is not None and self.remove(request.registry_id, request.correction, editor):
            editor.discard()

    def remove(self, registry_id: str, correction: Correction, editor: FacetEditor | None = None) -> bool:
        """Remove a correction (undoably); a failure is said in ``editor`` or the status bar."""
        library = self.window.lib
        try:
            removed, change = library.remove_correction(
                registry_id, correction.ref.key, correction_id=correction.id
            )
        except Exception as error:
            message = self._failure(error)
            if message is None:
                raise
            if editor is not None:
                editor.show_error(message[:1].upper() + message[1:])
            else:
                self.window.statusBar().showMessage(message, 8000)
            return False
        self.window.undo_stack.push(
            RemoveCorrection(library, registry_id, removed, change, self.window.apply_change)
        )
        self.window.statusBar().showMessage(
            f"Facet correction removed from {registry_id} · {correction.ref.label}. Ctrl+Z brings it back.",
            6000,
        )
        return True
