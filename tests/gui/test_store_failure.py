"""The store's own failures in the window: a message box with the one sentence, never the
unexpected-error dialog; a read-only library says so in the title and the status bar."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel

from reviewer.core.store.errors import StoreBusyError
from tests.conftest import store_content


def held_lock(store_path: Path) -> sqlite3.Connection:
    """Another connection holding the store's write lock (past the app's 10 s busy timeout)."""
    holder = sqlite3.connect(store_path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE trial SET brief_title = brief_title")
    return holder


def test_an_import_into_a_locked_store_shows_the_sentence_not_the_error_dialog(window, qtbot, library, tmp_path):
    study = {
        "protocolSection": {
            "identificationModule": {"nctId": "NCT09870001", "briefTitle": "Locked out"},
            "statusModule": {"overallStatus": "RECRUITING"},
        }
    }
    (tmp_path / "one.json").write_text(json.dumps(study), encoding="utf-8")
    before = store_content(library)
    holder = held_lock(library.path)
    try:
        controller = window.import_paths([tmp_path / "one.json"])
        qtbot.waitUntil(lambda: controller.message_box is not None, timeout=40000)  # after the 10 s timeout
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    box = controller.message_box
    assert box.isVisible() and box.objectName() == "storeFailure"
    assert "locked by another program" in box.text() and str(library.path) in box.text()
    assert "Error" not in box.text() and "Traceback" not in box.text()
    assert controller.error_dialog is None  # not the unexpected-error dialog
    box.accept()
    qtbot.waitUntil(lambda: window.importer is None)
    assert store_content(library) == before
    with qtbot.waitSignal(window.sig_import_finished, timeout=30000) as blocker:
        window.import_paths([tmp_path / "one.json"])
    assert blocker.args[0].count("added") == 1  # the lock gone, the same import succeeds


def test_a_note_not_saved_shows_the_sentence_in_a_message_box(window, qtbot, library, tmp_path):
    from reviewer.gui.app import ExceptionHandler

    holder = held_lock(library.path)
    try:
        with pytest.raises(StoreBusyError) as raised, library.store.transaction() as session:
            session.connection().exec_driver_sql("PRAGMA busy_timeout=50")
            session.connection().exec_driver_sql("UPDATE note SET body = body")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    handler = ExceptionHandler(tmp_path / "reviewer.log", parent=window)
    handler(type(raised.value), raised.value, raised.value.__traceback__)
    assert handler.dialog is None
    box = handler.message_box
    assert box is not None and box.isVisible() and "locked by another program" in box.text()
    box.accept()


def test_a_read_only_library_says_so_in_the_title_and_the_status_bar(qtbot, data_dir):
    from reviewer.core.library import STORE_FILE_NAME, Library
    from reviewer.gui.main_window import MainWindow
    from reviewer.gui.store_failure import READ_ONLY_NOTE, mark_read_only

    store_file = data_dir / STORE_FILE_NAME
    made = subprocess.run(["chattr", "+i", str(store_file)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"chattr +i is not possible here: {made.stderr.decode().strip()}")
    try:
        library = Library.open(data_dir)
        try:
            assert library.read_only
            window = MainWindow(library, data_dir)
            qtbot.addWidget(window)
            mark_read_only(window, library)
            window.show()
            assert window.windowTitle().endswith("(read-only)")
            note = window.statusBar().findChild(QLabel, "readOnlyNote")
            assert note is not None and note.text() == READ_ONLY_NOTE
            assert window.library.model.total() == 3  # read as usual
            window.close()
        finally:
            library.close()
    finally:
        subprocess.run(["chattr", "-i", str(store_file)], check=False)
