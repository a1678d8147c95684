"""Starting the desktop app: logging to the data folder, the QApplication, the palette, the error
dialog behind sys.excepthook, the library, and the main window.

``run(data_dir, args)`` is what ``reviewer gui`` (and a bare ``reviewer``) calls; ``args.self_test``
opens the window, lets it draw, closes it and returns 0.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from .. import __version__, paths

log = logging.getLogger("reviewer.gui")

APP_NAME = "Protocol Reviewer"
ORG_NAME = "ProtocolReviewer"


def setup_logging(data_dir: Path) -> Path:
    """Log to data_dir/logs/reviewer.log (rotated); returns the file's path."""
    log_file = paths.log_file(data_dir)
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        return log_file
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    if not any(getattr(h, "baseFilename", None) == str(log_file) for h in root.handlers):
        root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    return log_file


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(argv if argv is not None else sys.argv[:1])
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setOrganizationName(ORG_NAME)
    QCoreApplication.setApplicationVersion(__version__)
    app.setApplicationDisplayName(APP_NAME)
    app.setDesktopFileName("protocol-reviewer")
    from .icons import icon

    app.setWindowIcon(icon("app"))
    return app


class ExceptionHandler:
    """sys.excepthook: log the error and show it in an error dialog (never more than one at a time)."""

    def __init__(self, log_file: Path, parent: QWidget | None = None):
        self.log_file = log_file
        self.parent = parent
        self.dialog = None
        self.message_box = None

    def __call__(self, kind, value, tb) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        from ..core.library import StoreError

        details = "".join(traceback.format_exception(kind, value, tb))
        log.error("unexpected error\n%s", details)
        if QApplication.instance() is None:
            sys.__excepthook__(kind, value, tb)
            return
        from .store_failure import show_store_failure

        if isinstance(value, StoreError):  # a note not saved on a full disk ...: said, not a crash
            self.message_box = show_store_failure(self.parent, "Not saved", f"{value}.")
            return
        from .dialogs.error_dialog import ErrorDialog

        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.details.appendPlainText("\n" + details)
            return
        self.dialog = ErrorDialog(
            self.parent,
            title="Something went wrong",
            message=(
                f"Protocol Reviewer met an unexpected error: {kind.__name__}: {value}\n\n"
                "Your notes are saved as you write them. You can keep working; if the problem "
                "comes back, send the details below (Copy details) with the log file."
            ),
            details=details,
            log_file=self.log_file,
        )
        self.dialog.show()


def run(data_dir: Path, args=None) -> int:
    """Open the app on the store in ``data_dir``; returns the exit status."""
    data_dir = Path(data_dir)
    log_file = setup_logging(data_dir)
    app = make_application()
    from . import tasks, theme
    from .main_window import MainWindow
    from .settings import Settings

    settings = Settings(data_dir)
    theme.apply(app, settings.appearance())
    theme.follow_system(app, settings.appearance)
    handler = ExceptionHandler(log_file)
    previous_hook = sys.excepthook
    sys.excepthook = handler

    from ..core import preview as first_paint

    preview = first_paint.read_preview(data_dir)
    window = MainWindow(None, data_dir, preview=preview)
    handler.parent = window
    window.show()
    app.processEvents()  # the library's first rows are on screen before the core is loaded
    if os.environ.get("REVIEWER_STARTUP_PROBE"):  # tests/perf/bench_gui.py times this moment
        model = window.library.model
        print(f"FIRST-ROWS {model.total()} {model.data(model.index(0, 0))}", flush=True)
    opened: dict = {}

    def library_opened(library) -> None:
        opened["library"] = library
        window.attach_library(library)
        from .store_failure import mark_read_only

        mark_read_only(window, library)
        files = [Path(name) for name in getattr(args, "files", None) or []]
        importer = window.import_paths(files) if files else None
        if getattr(args, "self_test", False):
            if importer is None:
                QTimer.singleShot(200, window.close)
            else:  # the self-test of "Open with": quit once the files are in the library
                window.sig_import_finished.connect(lambda _report: QTimer.singleShot(200, window.close))
                importer.sig_failed.connect(lambda _message, _details: window.close())

    def store_failed(message: str, details: str) -> None:
        from .dialogs.error_dialog import ErrorDialog

        log.error("cannot open the library: %s\n%s", message, details)
        opened["error"] = message
        if getattr(args, "self_test", False):
            app.quit()
            return
        dialog = ErrorDialog(
            window,
            title="The library cannot be opened",
            message=f"The library in {data_dir} cannot be opened: {message}",
            details=details,
            log_file=log_file,
        )
        dialog.finished.connect(lambda _result: app.quit())
        dialog.open()

    tasks.start(
        _open_library,
        data_dir,
        on_finished=library_opened,
        on_failed=store_failed,
        on_progress=window.show_progress,  # a long upgrade of an older library says how far it is
    )
    try:
        status = app.exec()
        if "error" in opened:
            print(f"reviewer: cannot open the library: {opened['error']}", file=sys.stderr)
            return 2
        if getattr(args, "self_test", False):
            print(f"self-test ok: {window.library.model.total()} trials, Qt {app.platformName()}")
            if getattr(args, "self_test_pdf", None):
                pages, text = read_pdf_text(Path(args.self_test_pdf))
                print(f"self-test pdf: {pages} pages")
                print(text)
                return 0 if pages else 1
            return 0
        return status
    finally:
        tasks.cancel_all()
        tasks.wait_all(10000)
        sys.excepthook = previous_hook
        if "library" in opened:
            opened["library"].close()


def read_pdf_text(path: Path) -> tuple[int, str]:
    """(page count, text of every page) of a PDF read with QtPdf: the bundle's check that QtPdf works."""
    from PySide6.QtPdf import QPdfDocument

    document = QPdfDocument()
    if document.load(str(path)) != QPdfDocument.Error.None_:
        return 0, ""
    text = "\n".join(document.getAllText(page).text() for page in range(document.pageCount()))
    return document.pageCount(), text


def _open_library(task, data_dir: Path):
    """Open (create, upgrade) the library: on a pool thread, so the window is already drawn."""
    from ..core.library import Library

    return Library.open(data_dir, progress=task.progress)
