"""Fixtures of the GUI tests: a real store holding the three sample trials, and the main window on it.

The sample library is built once per session (Library.open imports resources/samples) and copied
into each test's own data folder, so every test starts from the same real SQLite file, with its own
settings.ini.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SEED_IDS = ("NCT02455596", "NCT06924645", "NCT07312656")
# the name the tests' notes are signed with (a first note asks for it: see test_author.py)
TEST_AUTHOR = "Dr. Test Reviewer"


@pytest.fixture(scope="session")
def seeded_library_dir(tmp_path_factory) -> Path:
    from reviewer.core.library import Library

    folder = tmp_path_factory.mktemp("seeded") / "data"
    Library.open(folder).close()
    return folder


@pytest.fixture
def data_dir(tmp_path, seeded_library_dir) -> Path:
    target = tmp_path / "data"
    shutil.copytree(seeded_library_dir, target)
    (target / "settings.ini").write_text(f"[General]\nauthor={TEST_AUTHOR}\n", encoding="utf-8")
    return target


@pytest.fixture
def library(data_dir):
    """The sample library (a real SQLite store, in this test's data folder), as the window gets it."""
    from reviewer.core.library import Library

    opened = Library.open(data_dir)
    yield opened
    opened.close()


@pytest.fixture
def window(qtbot, library, data_dir):
    from reviewer.gui import tasks
    from reviewer.gui.main_window import MainWindow

    win = MainWindow(library, data_dir)
    qtbot.addWidget(win, before_close_func=drop_typed_note)
    win.show()
    qtbot.waitExposed(win)
    yield win
    drop_typed_note(win)
    win.close()
    tasks.wait_all()


def drop_typed_note(window) -> None:
    """Close a test's note editor without the question (which would block a failed test's teardown)."""
    editor = window._open_editor()
    if editor is not None:
        editor.forget_draft()
        editor.done(0)


def trial_id_of(library, registry_id: str) -> int:
    from reviewer.core.store import reading

    with library.store.session() as session:
        return reading.trial_by_registry_id(session, registry_id).id


def stored_notes(library) -> list[dict]:
    """Every note in the library's store as (trial, kind, key, body, tag) dicts, oldest first."""
    from sqlmodel import select

    from reviewer.core.store.tables import Note, Trial

    with library.store.session() as session:
        rows = session.exec(
            select(Note, Trial.registry_id).join(Trial, Trial.id == Note.trial_id).order_by(Note.id)
        )
        return [
            {
                "id": n.id,
                "registry_id": rid,
                "kind": n.item_kind,
                "key": n.item_key,
                "body": n.body,
                "tag": n.tag,
            }
            for n, rid in rows
        ]


def answer_question(qtbot, button_text: str, asked: list[str] | None = None):
    """Click ``button_text`` on the next modal message box (a blocking exec() question), recording
    its text in ``asked``. Polls until the box is shown, for up to 5 s; returns a function that
    stops the polling (for a test that expects no question)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    attempts = {"left": 250}

    def look() -> None:
        if attempts["left"] <= 0:
            return
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.isVisible():
            if asked is not None:
                asked.append(box.text())
            button = next(b for b in box.buttons() if b.text().replace("&", "") == button_text)
            button.click()
            return
        attempts["left"] -= 1
        if attempts["left"] > 0:
            QTimer.singleShot(20, look)

    QTimer.singleShot(0, look)
    return lambda: attempts.update(left=0)
