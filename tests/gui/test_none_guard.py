"""PySide6 6.12.0 on Python 3.11 drops a reference to None on every call of a Qt method that returns
nothing; reviewer.gui's guard keeps the app alive through far more such calls than a session makes.
Each case runs in its own process: without the guard, that process aborts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CALLS = """
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel()
for n in range(50_000):
    label.setText(str(n))
    app.processEvents()
print("alive after", n + 1)
"""


def run(code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_app_survives_many_qt_calls():
    guarded = run("import reviewer.gui\n" + CALLS)
    assert guarded.returncode == 0, guarded.stderr
    assert "alive after 50000" in guarded.stdout


def test_the_guard_is_what_keeps_it_alive_on_this_pyside():
    import PySide6

    bare = run(CALLS)
    if sys.version_info < (3, 12) and PySide6.__version__ == "6.12.0":
        assert bare.returncode != 0 and "none_dealloc" in bare.stderr  # the bug the guard is for
    else:  # a release without the bug, or an immortal None: the guard is then not needed
        assert bare.returncode == 0, bare.stderr
