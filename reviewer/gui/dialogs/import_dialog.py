"""Import from the GUI: a progress dialog with the ETA and Cancel, and the report of refused files.

Enter never cancels: the Cancel button is no default button, so a key pressed for something else
does not stop a long import. Escape and closing the dialog ask first ("Stop the import?").

``ImportController`` starts a tasks.ImportTask and drives the dialog; the window connects to its
``sig_progress(progress)`` (each of the core's Progress reports, as a signal) and
``sig_finished(report)``. Nothing here blocks: the dialog is shown with ``show()``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QPushButton, QWidget

from .. import tasks
from .error_dialog import ErrorDialog
from .question import confirm_loss


def eta_text(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"about {max(seconds, 1)} s left"
    return f"about {seconds // 60} min {seconds % 60:02d} s left"


class ImportProgressDialog(QProgressDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__("Preparing the import…", "Cancel", 0, 0, parent)
        self.setObjectName("importProgress")
        self.setWindowTitle("Importing")
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.setMinimumDuration(300)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setMinimumWidth(480)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.setDefault(False)
        self.cancel_button.setToolTip("Stop the import; what is imported so far is kept")
        self.setCancelButton(self.cancel_button)
        self.setAccessibleName("Import progress")

    def reject(self) -> None:
        """Escape: stop only if the user says so (``canceled``, as the Cancel button does)."""
        if self.isVisible() and ask_stop_import(self):
            self.canceled.emit()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self.isVisible() and not ask_stop_import(self):
            event.ignore()
            return
        super().closeEvent(event)

    def show_progress(self, progress) -> None:
        total = progress.total or 0
        self.setMaximum(total)
        self.setValue(min(progress.done, total) if total else 0)
        name = progress.current or ""
        if len(name) > 60:
            name = "…" + name[-59:]
        lines = [f"{progress.done:,} of {total:,} document(s)" if total else f"{progress.done:,} document(s)"]
        eta = eta_text(progress.eta_seconds)
        if eta:
            lines[0] += f" · {eta}"
        if name:
            lines.append(name)
        self.setLabelText("\n".join(lines))


def ask_stop_import(parent: QWidget) -> bool:
    """"Stop the import?" True for Stop; Keep importing is the default and Escape's answer."""
    return confirm_loss(
        parent, "stopImportQuestion", "Stop the import?", "The files imported so far are kept.",
        "&Keep importing", "&Stop",
    )  # fmt: skip


class ImportController(QObject):
    """One import: the background task, its progress dialog, and the report of refused files."""

    sig_progress = Signal(object)  # ingest.Progress
    sig_finished = Signal(object)  # ImportReport
    sig_failed = Signal(str, str)

    def __init__(self, library, paths: list[Path], parent: QWidget, log_file: Path | None = None):
        super().__init__(parent)
        self.library, self.paths, self.parent_widget, self.log_file = (
            library,
            [Path(p) for p in paths],
            parent,
            log_file,
        )
        self.dialog = ImportProgressDialog(parent)
        self.dialog.canceled.connect(self.cancel)
        self.task: tasks.ImportTask | None = None
        self.error_dialog: ErrorDialog | None = None
        self.message_box = None  # the store's own failure (a full disk ...), said in one sentence
        self.report = None

    def start(self) -> None:
        self.task = tasks.ImportTask(self.library, self.paths)
        tasks.submit(self.task, on_finished=self._finished, on_failed=self._failed, on_progress=self._progressed)

    def _progressed(self, progress) -> None:
        self.dialog.show_progress(progress)
        self.sig_progress.emit(progress)

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.dialog.setLabelText("Cancelling after the current document…")

    def _finished(self, report) -> None:
        self.report = report
        self.dialog.reset()
        self.dialog.hide()
        if report.failed or report.warned:
            self.error_dialog = refused_files_dialog(self.parent_widget, report, self.log_file)
            self.error_dialog.show()
        self.sig_finished.emit(report)

    def _failed(self, message: str, details: str) -> None:
        self.dialog.reset()
        self.dialog.hide()
        if self.task is not None and self.task.store_failure is not None:
            from ..store_failure import show_store_failure

            self.message_box = show_store_failure(
                self.parent_widget, "Import stopped", f"The import stopped: {message}. Files imported before it are kept."
            )
            self.sig_failed.emit(message, details)
            return
        self.error_dialog = ErrorDialog(
            self.parent_widget,
            title="Import failed",
            message=f"The import stopped: {message}. Files imported before the error are kept.",
            details=details,
            log_file=self.log_file,
        )
        self.error_dialog.show()
        self.sig_failed.emit(message, details)


def refused_files_dialog(parent, report, log_file: Path | None) -> ErrorDialog:
    """The files refused (each with its reason) and those imported with warnings (each warning)."""
    failed, warned = report.failed, report.warned
    message = (
        f"{len(failed)} file{'s were' if len(failed) != 1 else ' was'} not imported; nothing of "
        f"{'them' if len(failed) != 1 else 'it'} was kept. "
        if failed
        else ""
    )
    if warned:
        message += (
            f"{len(warned)} file{'s were' if len(warned) != 1 else ' was'} imported with warnings: "
            "fields of the wrong type or out of range were read as not in source. "
        )
    message += f"{report.summary()}."
    details = "\n".join(
        [f"{result.name}\n    {result.error}" for result in failed]
        + [f"{result.name}: imported with warnings\n    " + "\n    ".join(result.warnings) for result in warned]
    )
    title = "Some files were not imported" if failed else "Some files were imported with warnings"
    return ErrorDialog(parent, title=title, message=message, details=details, log_file=log_file)
