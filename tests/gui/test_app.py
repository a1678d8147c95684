"""The application shell: the error dialog behind sys.excepthook, About, Preferences, shortcuts, icons,
remembered window state, and `reviewer gui --self-test` as a real process."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon, QKeySequence

from reviewer import paths
from reviewer.gui.app import ExceptionHandler, setup_logging
from tests.conftest import REPO_ROOT


def test_unexpected_error_shows_a_copyable_dialog(window, data_dir):
    log_file = setup_logging(data_dir)
    try:
        handler = ExceptionHandler(log_file, window)
        try:
            raise RuntimeError("the flux capacitor is empty")
        except RuntimeError:
            handler(*sys.exc_info())
        dialog = handler.dialog
        assert dialog.isVisible() and not dialog.isModal()
        text = dialog.text()
        assert "RuntimeError: the flux capacitor is empty" in text
        assert "Traceback" in text and str(log_file) in text
        assert dialog.details.isReadOnly()
        for logger_handler in logging.getLogger().handlers:
            logger_handler.flush()
        assert "the flux capacitor is empty" in log_file.read_text(encoding="utf-8")
        dialog.close()
    finally:
        root = logging.getLogger()
        for logger_handler in list(root.handlers):
            if getattr(logger_handler, "baseFilename", None) == str(log_file):
                root.removeHandler(logger_handler)
                logger_handler.close()


def test_about_shows_the_versions(window):
    import sqlite3

    import PySide6
    from PySide6.QtCore import qVersion

    dialog = window.show_about()
    text = dialog.text_label.text()
    for version in (qVersion(), PySide6.__version__, sqlite3.sqlite_version, "0.1.0"):
        assert version in text
    dialog.close()


def test_preferences_set_the_author_of_new_notes(window, library):
    dialog = window.show_preferences()
    dialog.author_edit.setText("Dr. A. Reviewer")
    dialog.accept()
    assert window.settings.author() == "Dr. A. Reviewer"
    view = window.open_trial("NCT07312656")
    view.request_note_on("trial", "")
    assert window.note_editor.author_label.text() == "Dr. A. Reviewer"
    window.note_editor.set_values("Looks complete.")
    window.note_editor.accept()
    assert window.notes_panel.model.notes[0]["author"] == "Dr. A. Reviewer"


def test_shortcuts(window, qtbot):
    expected = {
        window.action_find: QKeySequence.StandardKey.Find,
        window.action_import_files: "Ctrl+I",
        window.action_add_note: "Ctrl+N",
        window.action_undo: QKeySequence.StandardKey.Undo,
        window.action_close_tab: QKeySequence.StandardKey.Close,
    }
    for action, key in expected.items():
        assert action.shortcut() == QKeySequence(key), action.text()
    assert QKeySequence("Ctrl+F") in QKeySequence.keyBindings(QKeySequence.StandardKey.Find)
    window.open_trial("NCT07312656")
    window.action_find.trigger()
    assert window.library.search.hasFocus() or window.focusWidget() is window.library.search
    window.action_close_tab.trigger()
    assert window.workspace.count() == 0


def test_icons_are_svg_and_load():
    folder = paths.resources_dir() / "icons"
    names = sorted(p.stem for p in folder.glob("*.svg"))
    assert {"app", "import", "compare", "note-add", "undo", "close"} <= set(names)
    for name in names:
        icon = QIcon(str(folder / f"{name}.svg"))
        assert not icon.isNull(), name
        assert not icon.pixmap(48, 48).isNull(), name


def test_window_state_is_remembered(qtbot, library, data_dir):
    from reviewer.gui import tasks
    from reviewer.gui.main_window import MainWindow

    first = MainWindow(library, data_dir)
    qtbot.addWidget(first)
    first.resize(780, 700)  # fits the offscreen screen, so the geometry comes back unclamped
    first.show()
    first.splitter.setSizes([420, 340])
    first.notes_dock.hide()
    saved = first.splitter.sizes()
    first.close()
    tasks.wait_all()
    assert (data_dir / "settings.ini").is_file()
    second = MainWindow(library, data_dir)
    qtbot.addWidget(second)
    second.show()
    assert second.splitter.sizes() == saved
    assert not second.notes_dock.isVisible()
    second.close()
    tasks.wait_all()


def test_library_header_restores_widths_not_sort(qtbot, library, data_dir):
    from reviewer.gui import tasks
    from reviewer.gui.main_window import MainWindow

    first = MainWindow(library, data_dir)
    qtbot.addWidget(first)
    first.library.table.horizontalHeader().resizeSection(1, 420)
    first.close()
    tasks.wait_all()
    second = MainWindow(library, data_dir)
    qtbot.addWidget(second)
    header = second.library.table.horizontalHeader()
    assert header.sectionSize(1) == 420
    assert header.sortIndicatorSection() == 0 and header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
    second.close()
    tasks.wait_all()


def test_self_test_runs_as_a_process(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-m", "reviewer", "gui", "--self-test", "--data-dir", str(tmp_path / "data")],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "self-test ok: 3 trials" in result.stdout
    assert Path(tmp_path / "data" / "logs" / "reviewer.log").is_file()


def test_open_tabs_come_back_at_the_next_start(qtbot, library, data_dir):
    from reviewer.gui import tasks
    from reviewer.gui.main_window import MainWindow

    first = MainWindow(library, data_dir)
    qtbot.addWidget(first)
    first.open_trial("NCT07312656")
    first.compare(["NCT02455596", "NCT06924645"])
    first.compare_arms("NCT07312656")
    first.workspace.setCurrentIndex(1)
    expected = first.tab_state()
    first.close()
    tasks.wait_all()

    second = MainWindow(library, data_dir)
    qtbot.addWidget(second)
    assert second.tab_state() == expected == [
        {"kind": "trial", "ids": ["NCT07312656"]},
        {"kind": "compare", "ids": ["NCT02455596", "NCT06924645"]},
        {"kind": "arms", "ids": ["NCT07312656"]},
    ]
    assert second.workspace.currentIndex() == 1
    assert second.stack.currentWidget() is second.workspace
    second.close()
    tasks.wait_all()


def test_a_tab_whose_trial_is_gone_is_skipped(qtbot, library, data_dir):
    from reviewer.gui import tasks
    from reviewer.gui.main_window import MainWindow
    from reviewer.gui.settings import Settings

    settings = Settings(data_dir)
    settings.set_open_tabs([{"kind": "trial", "ids": ["NCT99999999"]}, {"kind": "trial", "ids": ["NCT02455596"]}], 1)
    settings.sync()
    window = MainWindow(library, data_dir)
    qtbot.addWidget(window)
    assert window.tab_state() == [{"kind": "trial", "ids": ["NCT02455596"]}]
    window.close()
    tasks.wait_all()


def test_files_given_to_gui_are_imported_and_qtpdf_reads_a_brief(tmp_path):
    """`reviewer gui FILE` (the menu's Open with) imports FILE; --self-test-pdf reads a PDF with QtPdf."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    study = tmp_path / "study.json"
    study.write_text(
        '{"protocolSection": {"identificationModule": {"nctId": "NCT09990011", "briefTitle": "Opened from the menu"}}}',
        encoding="utf-8",
    )
    data = str(tmp_path / "data")
    opened = subprocess.run(
        [sys.executable, "-m", "reviewer", "gui", "--self-test", "--data-dir", data, str(study)],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert opened.returncode == 0, opened.stderr
    assert "self-test ok: 4 trials" in opened.stdout
    brief = tmp_path / "brief.pdf"
    subprocess.run(
        [sys.executable, "-m", "reviewer", "report", "brief", "NCT09990011", "-o", str(brief), "--data-dir", data],
        cwd=REPO_ROOT, env=env, check=True, capture_output=True, timeout=120,
    )
    read = subprocess.run(
        [sys.executable, "-m", "reviewer", "gui", "--self-test", "--self-test-pdf", str(brief), "--data-dir", data],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert read.returncode == 0, read.stderr
    assert re.search(r"^self-test pdf: [1-9]\d* pages$", read.stdout, re.M)
    assert "Opened from the menu" in read.stdout and "NCT09990011" in read.stdout
