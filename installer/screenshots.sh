#!/usr/bin/env bash
# Screenshots of Protocol Reviewer for the documentation, in the light and the dark palette:
#   docs/screenshots/{library,trial,comparison,notes,report-dialog,grid}-{light,dark}.png
#
#   installer/screenshots.sh            # uses .venv/bin/python; PYTHON=... to choose another
#
# The app runs on a virtual X server (Xvfb, QT_QPA_PLATFORM=xcb) in a throw-away data folder holding
# the sample trials, some trials of the repository's corpus (tests/fixtures/corpus.tar.xz) and a few notes; each screenshot
# is the main window grabbed by Qt (QWidget.grab) and saved as PNG. Without Xvfb it falls back to
# Qt's offscreen platform (same pixels, no window manager).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-$ROOT/.venv/bin/python}
OUT=${OUT:-$ROOT/docs/screenshots}
WORK=$(mktemp -d)
XVFB_PID=""
cleanup() {
  if [ -n "$XVFB_PID" ]; then kill "$XVFB_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$OUT"

if command -v Xvfb >/dev/null 2>&1; then
  for n in $(seq 91 120); do
    if [ ! -e "/tmp/.X11-unix/X$n" ] && [ ! -e "/tmp/.X$n-lock" ]; then DISPLAY_NUMBER=$n; break; fi
  done
  Xvfb ":$DISPLAY_NUMBER" -screen 0 1600x1000x24 -nolisten tcp >/dev/null 2>&1 &
  XVFB_PID=$!
  for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$DISPLAY_NUMBER" ] && break; sleep 0.1; done
  export DISPLAY=":$DISPLAY_NUMBER" QT_QPA_PLATFORM=xcb
else
  echo "screenshots: Xvfb not found; using Qt's offscreen platform" >&2
  export QT_QPA_PLATFORM=offscreen
fi

cat >"$WORK/shoot.py" <<'PYTHON'
"""Build a small library, open the views, grab the main window: one run per palette."""

import shutil
import sys
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSize, Qt

from reviewer.core.ingest import import_paths
from reviewer.core.items import anchor_of
from reviewer.core.library import Library
from reviewer.core.notes import add_note
from reviewer.core.store import reading
from reviewer.gui import tasks, theme
from reviewer.gui.app import make_application
from reviewer.gui.main_window import MainWindow
from reviewer.gui.models.comparison_model import SECTION_ROLE

appearance, work, out, corpus = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
SIZE = QSize(1440, 900)

app = make_application()
theme.apply(app, appearance)
data_dir = work / f"data-{appearance}"
shutil.rmtree(data_dir, ignore_errors=True)
library = Library.open(data_dir)
store = library.store
if corpus.is_dir():
    import_paths(store, sorted(corpus.glob("*.json"))[:120])

NOTES = [
    ("NCT07312656", anchor_of("outcome", "primary/1"), "Which grading scale: WHO or CTCAE? State it in the SAP.", "question"),
    ("NCT07312656", anchor_of("arm", "control group"), "No placebo spray: the control arm is unblinded.", "concern"),
    ("NCT07312656", anchor_of("criterion", "inclusion/2"), "Upper age limit 75 seems arbitrary.", "suggestion"),
    ("NCT02455596", anchor_of("criterion", "inclusion/6"), "ECOG 0-2 here vs 1-3 in the FMT trial.", "concern"),
    ("NCT06924645", anchor_of("trial", ""), "Real-world design; outcomes are not in the source page.", "ok"),
]
with store.transaction() as session:
    for registry_id, anchor, body, tag in NOTES:
        trial = reading.trial_by_registry_id(session, registry_id)
        add_note(session, trial.id, anchor, body, "Dr. R. Reviewer", tag)


def settle(rounds: int = 30) -> None:
    for _ in range(rounds):
        QCoreApplication.processEvents()


def shot(window: MainWindow, name: str) -> None:
    settle()
    path = out / f"{name}-{appearance}.png"
    window.grab().save(str(path))
    print(f"wrote {path}")


window = MainWindow(library, data_dir)
window.resize(SIZE)
window.show()
window.resizeDocks([window.notes_dock], [190], Qt.Orientation.Vertical)
settle()

# the library, with a search typed in
window.notes_dock.hide()
window.splitter.setSizes([1090, 350])
window.library.search.setText("cancer")
window.library._run_search()
while window.library.model.query.text != "cancer" or window.library.model._busy:
    settle(1)
window.library.select_rows([0, 2, 3])  # three trials selected: Compare is enabled
shot(window, "library")
window.library.search.clear()
window.library._run_search()
while window.library.model._busy:
    settle(1)

# a trial, scrolled to its arms and eligibility
window.notes_dock.show()
window.splitter.setSizes([430, 1010])
view = window.open_trial("NCT07312656")
settle()
view.browser.scrollToAnchor("sec-arms")
shot(window, "trial")

# three trials side by side
comparison = window.compare(["NCT06924645", "NCT02455596", "NCT07312656"])
while not comparison.loaded:
    settle(1)
window.splitter.setSizes([250, 1190])
comparison.fit_rows()
settle()
model = comparison.model
rows = [r for r in range(model.rowCount()) if model.data(model.index(r, 0), SECTION_ROLE) == "inclusion"]
if rows:
    comparison.table.scrollTo(model.index(rows[0], 0), comparison.table.ScrollHint.PositionAtTop)
shot(window, "comparison")

# the notes panel, with a note selected and its item highlighted
window.workspace.setCurrentWidget(view)
window.splitter.setSizes([430, 1010])
window.resizeDocks([window.notes_dock], [260], Qt.Orientation.Vertical)
settle()
panel = window.notes_panel
note = next(n for n in panel.model.notes if n["item_key"] == "primary/1")
panel.select_note(note["id"])
window.jump_to_note(note)
shot(window, "notes")

# the report dialog on the open trial, its brief previewed
window.workspace.setCurrentWidget(view)
dialog = window.show_report()
while not dialog.preview_is_current():
    settle(1)
for _ in range(60):  # QPdfView draws its pages on a thread of its own: give it a moment
    settle(1)
    time.sleep(0.02)
path = out / f"report-dialog-{appearance}.png"
dialog.grab().save(str(path))
print(f"wrote {path}")
dialog.close()

# the eligibility grid of eight lung-cancer trials of the corpus, in its own window
GRID_IDS = ["NCT04870190", "NCT04691388", "NCT05798663", "NCT05821933", "NCT04204473", "NCT06097962",
            "NCT05816499", "NCT02369484"]
import_paths(store, [corpus / f"{registry_id}.json" for registry_id in GRID_IDS])
grid = window.show_grid(GRID_IDS)
while not grid.loaded:
    settle(1)
grid.resize(SIZE)
settle()
path = out / f"grid-{appearance}.png"
grid.grab().save(str(path))
print(f"wrote {path}")
grid.close()

window.close()
tasks.wait_all()
store.close()
PYTHON

CORPUS=$(cd "$ROOT" && "$PY" tests/corpus.py)/ctgov-v2
for appearance in light dark; do
  (cd "$ROOT" && "$PY" "$WORK/shoot.py" "$appearance" "$WORK" "$OUT" "$CORPUS" 2> >(grep -v -e propagateSizeHints -e "^$" >&2))
done
ls -l "$OUT"
