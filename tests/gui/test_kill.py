"""A note written through the GUI is in the store the moment the editor closes: killing the app with
SIGKILL right after loses nothing. A note still being typed when the app is killed is kept as a
draft, and the next start offers it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

from reviewer.core.library import Library
from tests.conftest import REPO_ROOT

from .conftest import stored_notes

START = """
import sys, time
from pathlib import Path
from reviewer.core.library import Library
from reviewer.gui.app import make_application
from reviewer.gui.main_window import MainWindow

data_dir = Path(sys.argv[1])
app = make_application()
library = Library.open(data_dir)
window = MainWindow(library, data_dir)
window.show()
app.processEvents()
view = window.open_trial("NCT02455596")
view.request_note_on("criterion", "inclusion/2")
"""

SCRIPT = START + textwrap.dedent(
    """
    window.note_editor.set_values("Written just before the crash.", "concern")
    window.note_editor.accept()
    app.processEvents()
    print("NOTE-WRITTEN", flush=True)
    time.sleep(60)
    """
)

# typing, then killed once the draft is on disk (the editor never closes)
DRAFT_SCRIPT = START + textwrap.dedent(
    """
    window.note_editor.body_edit.insertPlainText("Typed when the power went.")
    while not list((data_dir / "drafts").glob("*.json")):
        app.processEvents()
        time.sleep(0.02)
    print("DRAFT-KEPT", flush=True)
    time.sleep(60)
    """
)


def kill_after(script: str, marker: str, data_dir) -> None:
    """Run ``script`` in a process of its own and SIGKILL it once it prints ``marker``."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(data_dir)],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.strip() == marker, process.stderr.read() if process.poll() is not None else line
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        process.stdout.close()
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL


def test_a_killed_app_keeps_the_note(data_dir):
    kill_after(SCRIPT, "NOTE-WRITTEN", data_dir)
    library = Library.open(data_dir)
    try:
        notes = stored_notes(library)
    finally:
        library.close()
    assert [(n["registry_id"], n["kind"], n["key"], n["body"], n["tag"]) for n in notes] == [
        ("NCT02455596", "criterion", "inclusion/2", "Written just before the crash.", "concern")
    ]


def test_a_killed_app_keeps_the_note_being_typed_and_offers_it(data_dir, qtbot):
    from reviewer.gui import tasks
    from reviewer.gui.main_window import MainWindow

    kill_after(DRAFT_SCRIPT, "DRAFT-KEPT", data_dir)
    library = Library.open(data_dir)
    try:
        window = MainWindow(library, data_dir)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window.drafts_offer is not None and window.drafts_offer.isVisible())
        assert "Typed when the power went." in window.drafts_offer.informativeText()
        window.drafts_offer.reject()  # Later: the draft stays, and the item's editor offers it
        window.open_trial("NCT02455596").request_note_on("criterion", "inclusion/2")
        editor = window.note_editor
        assert editor.body() == "Typed when the power went." and editor.draft_label.isVisible()
        editor.accept()
        assert [(n["key"], n["body"]) for n in stored_notes(library)] == [
            ("inclusion/2", "Typed when the power went.")
        ]
        assert not list((data_dir / "drafts").glob("*.json"))
        window.close()
        tasks.wait_all()
    finally:
        library.close()
