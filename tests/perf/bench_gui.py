"""GUI benchmark at registry scale: how the desktop app feels with N trials in the library.

    python tests/perf/bench_gui.py                # N = 100,000
    python tests/perf/bench_gui.py --n 10000 --runs 9

Builds (once, cached under $BENCH_DIR, default /tmp/reviewer-gui-bench) a store of N generated trials
(tests/perf/make_corpus.py write_zip, imported with import_paths(bulk=True)), then measures, with
median and p95 over several runs:
- first rows: from starting a process to the library table showing its first rows (a child process
  that opens the store and the main window offscreen and reports when row 0 has its data);
- search as you type: from the text reaching the model (after the 150 ms debounce) to the matches
  being in the table, for prefixes as a user types them and whole queries; and the longest time the
  GUI thread was blocked meanwhile;
- opening a trial: TrialView construction (load + HTML + layout) until the tab is shown;
- comparing four: from asking for the comparison to its table being filled (computed off-thread);
- a deep window of the library (rows around the middle) and a re-sort by title, for reference.
Targets: first rows < 1.5 s, search < 100 ms, open trial < 100 ms, compare four < 200 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(HERE)]
BENCH_DIR = Path(os.environ.get("BENCH_DIR", "/tmp/reviewer-gui-bench"))
SHARED_ZIPS = Path("/tmp/reviewer-bench")  # bench_scale.py's cache: the same generator and seed

TARGETS_MS = {"first rows": 1500, "search as you type": 100, "open trial": 100, "compare four": 200}
TYPED = ["c", "ca", "can", "canc", "cance", "cancer", "b", "br", "bre", "breast", "breast c", "breast cancer"]
QUERIES = [
    "metasta*",
    "overall survival",
    '"informed consent"',
    "pembrolizumab",
    "NCT90001234",
    "diabetes insulin",
    "achalasia",
    "study",
    "patients",
    "胃虚",
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def figures(name: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    median, p95 = statistics.median(ms), percentile(ms, 0.95)
    target = TARGETS_MS.get(name)
    verdict = ""
    if target is not None:
        verdict = f"   target < {target:,} ms: {'ok' if p95 < target else ('median ok' if median < target else 'MISSED')}"
    return f"{name:<24} median {median:8.1f} ms   p95 {p95:8.1f} ms   (n={len(ms)}){verdict}"


# ---------------------------------------------------------------- the store


def build_store(n: int) -> Path:
    work = BENCH_DIR / f"n{n}"
    data_dir = work / "data"
    done = work / "store-complete"
    if done.exists():
        return data_dir
    work.mkdir(parents=True, exist_ok=True)
    zip_path = SHARED_ZIPS / f"n{n}" / "ctg-studies.json.zip"
    if not zip_path.exists():
        zip_path = work / "ctg-studies.json.zip"
        if not zip_path.exists():
            from make_corpus import write_zip

            print(f"generating {n:,} studies into {zip_path} …", flush=True)
            write_zip(zip_path, n)
    print(f"importing {zip_path} (bulk) into {data_dir} …", flush=True)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, __file__, "--child-import", str(zip_path), str(data_dir)], check=True, cwd=ROOT
    )
    print(f"imported in {time.perf_counter() - started:.0f} s", flush=True)
    done.write_text("ok\n")
    return data_dir


def child_import(zip_path: Path, data_dir: Path) -> None:
    import shutil

    from reviewer.core.ingest import import_paths
    from reviewer.core.store.db import open_store

    shutil.rmtree(data_dir, ignore_errors=True)
    store = open_store(data_dir)
    report = import_paths(store, [zip_path], bulk=True)
    store.close()
    print(report.summary(), flush=True)


# ---------------------------------------------------------------- first rows (a child process each time)

FIRST_ROWS_COMMANDS = {
    # the GUI's own start (what `reviewer gui` calls)
    "first rows": [
        "-c",
        "import sys; from pathlib import Path; from reviewer.gui.app import run; run(Path(sys.argv[1]))",
    ],
    # through the command line module (reviewer.cli imports the core before it starts the GUI)
    "first rows via the cli": ["-m", "reviewer", "gui", "--data-dir"],
}


def first_rows(data_dir: Path, runs: int, command: list[str]) -> list[float]:
    """Seconds from starting a process to the library showing its first rows (REVIEWER_STARTUP_PROBE)."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        "REVIEWER_STARTUP_PROBE": "1",
    }
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, *command, str(data_dir)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line = process.stdout.readline()
        elapsed = time.perf_counter() - started
        process.kill()
        process.wait()
        process.stdout.close()
        if not line.startswith("FIRST-ROWS") or line.split()[2] in ("…", "None"):
            raise SystemExit(f"the app did not show its first rows: {line!r}")
        times.append(elapsed)
    return times


# ---------------------------------------------------------------- in-process measurements


class Loop:
    """Runs the Qt event loop until a condition holds; measures the longest GUI-thread stall meanwhile."""

    def __init__(self, app):
        self.app = app
        self.longest_stall = 0.0

    def until(self, condition, timeout: float = 30.0) -> None:
        deadline = time.perf_counter() + timeout
        while not condition():
            before = time.perf_counter()
            self.app.processEvents()
            self.longest_stall = max(self.longest_stall, time.perf_counter() - before)
            if time.perf_counter() > deadline:
                raise TimeoutError("timed out")
            time.sleep(0.0005)


def loaded_after(loop: Loop, model, action) -> None:
    """Do ``action`` and run the event loop until the library model has loaded its new query."""
    loaded: list[bool] = []
    connection = model.sig_loaded.connect(lambda: loaded.append(True))
    action()
    loop.until(lambda: bool(loaded))
    model.sig_loaded.disconnect(connection)


def in_process(data_dir: Path, runs: int) -> dict[str, list[float]]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt, qInstallMessageHandler

    from reviewer.core.library import Library
    from reviewer.gui import tasks
    from reviewer.gui.app import make_application
    from reviewer.gui.main_window import MainWindow

    app = make_application()
    qInstallMessageHandler(lambda *_: None)  # the offscreen plugin's chatter
    library = Library.open(data_dir)
    window = MainWindow(library, data_dir)
    window.resize(1400, 900)
    window.show()
    loop = Loop(app)
    loop.until(lambda: True)
    model = window.library.model
    total = model.total()
    rng = random.Random(7)
    results: dict[str, list[float]] = {"search as you type": [], "open trial": [], "compare four": []}
    stalls: list[float] = []

    # search as you type
    for run in range(runs):
        for text in TYPED if run % 2 == 0 else QUERIES:
            loop.longest_stall = 0.0
            started = time.perf_counter()
            loaded_after(loop, model, lambda text=text: model.set_search(text))
            app.processEvents()  # the table repaints with the matches
            results["search as you type"].append(time.perf_counter() - started)
            stalls.append(loop.longest_stall)
        loaded_after(loop, model, lambda: model.set_search(""))

    # ids to open and compare, spread over the library
    ids = [f"NCT9{index:07d}" for index in rng.sample(range(total), min(total, 40 + 4 * runs))]

    for registry_id in ids[:40]:
        started = time.perf_counter()
        view = window.open_trial(registry_id)
        app.processEvents()
        results["open trial"].append(time.perf_counter() - started)
        assert view is not None and view.record is not None
        window.close_current_tab()
        app.processEvents()

    for run in range(runs):
        four = ids[40 + 4 * run : 44 + 4 * run]
        started = time.perf_counter()
        view = window.compare(four)
        loop.until(lambda view=view: view.loaded)
        app.processEvents()
        results["compare four"].append(time.perf_counter() - started)
        window.close_current_tab()
        app.processEvents()

    # a deep window and a re-sort, for reference
    deep = []
    for fraction in (0.5, 0.25, 0.75, 0.9, 0.1):
        row = int(total * fraction)
        started = time.perf_counter()
        model.data(model.index(row, 0))
        loop.until(lambda row=row: model.row(row) is not None)
        deep.append(time.perf_counter() - started)
    results["deep window (ref.)"] = deep
    resort = []
    for column in (1, 0, 4, 0):
        started = time.perf_counter()
        loaded_after(
            loop,
            model,
            lambda column=column: window.library.table.sortByColumn(column, Qt.SortOrder.AscendingOrder),
        )
        resort.append(time.perf_counter() - started)
    results["re-sort (ref.)"] = resort
    results["GUI stall in search"] = stalls
    print(f"library: {total:,} trials; rows held in memory now: {model.cached_rows():,}")
    window.close()
    tasks.wait_all()
    library.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--child-import", nargs=2, metavar=("ZIP", "DATA_DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_import:
        child_import(Path(args.child_import[0]), Path(args.child_import[1]))
        return 0
    data_dir = build_store(args.n)
    print(f"\n== GUI at N = {args.n:,} trials ({data_dir}) ==")
    for name, command in FIRST_ROWS_COMMANDS.items():
        print(figures(name, first_rows(data_dir, args.runs, command)), flush=True)
    for name, seconds in in_process(data_dir, args.runs).items():
        print(figures(name, seconds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
