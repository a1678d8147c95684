"""The store's own failures in the window (a full disk, a read-only or damaged library, a lock held
too long): a message box with the one sentence the core gives them, not the unexpected-error dialog,
and the note that a read-only library's changes cannot be saved."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from ..core.library import Library, StoreError


def store_failure_of(error: BaseException, context: tuple = ()) -> StoreError | None:
    """The StoreError ``error`` stands for (the file named from a Library among ``context``), or
    None for any other error: a bug, which keeps the error dialog."""
    if isinstance(error, StoreError):
        return error
    library = next((item for item in context if isinstance(item, Library)), None)
    return library.failure_of(error) if library is not None else None


def show_store_failure(parent: QWidget | None, title: str, message: str) -> QMessageBox:
    """A warning box, window-modal and not blocking (open, not exec): the caller keeps it."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("storeFailure")
    box.open()
    return box


READ_ONLY_NOTE = "Read-only library: changes cannot be saved"


def mark_read_only(window, library: Library) -> None:
    """Title and status bar say that this library cannot be written."""
    if not library.read_only:
        return
    window.setWindowTitle(f"{window.windowTitle()} (read-only)")
    label = QLabel(READ_ONLY_NOTE)
    label.setObjectName("readOnlyNote")
    label.setToolTip(f"{library.path} cannot be written: it can be read, but notes and imports cannot be saved.")
    window.statusBar().addPermanentWidget(label)
