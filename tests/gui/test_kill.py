"""A note written through the GUI is in the store the moment the editor closes: killing the app with
SIGKILL right after loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

from reviewer.core.store.db import open_store
from tests.conftest import REPO_ROOT

from .conftest import stored_notes

SCRIPT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from reviewer.core.library import open_library
    from reviewer.gui.app import make_application
    from reviewer.gui.main_window import MainWindow

    data_dir = Path(sys.argv[1])
    app = make_application()
    store = open_library(data_dir)
    window = MainWindow(store, data_dir)
    window.show()
    app.processEvents()
    view = window.open_trial("NCT02455596")
    view.request_note_on("criterion", "inclusion/2")
    window.note_editor.set_values("Written just before the crash.", "concern")
    window.note_editor.accept()
    app.processEvents()
    print("NOTE-WRITTEN", flush=True)
    time.sleep(60)
    """
)


def test_a_killed_app_keeps_the_note(data_dir):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(data_dir)],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.strip() == "NOTE-WRITTEN", process.stderr.read() if process.poll() is not None else line
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        process.stdout.close()
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL
    store = open_store(data_dir)
    try:
        notes = stored_notes(store)
    finally:
        store.close()
    assert [(n["registry_id"], n["kind"], n["key"], n["body"], n["tag"]) for n in notes] == [
        ("NCT02455596", "criterion", "inclusion/2", "Written just before the crash.", "concern")
    ]
