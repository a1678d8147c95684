"""Import files one by one, each into a fresh store, and print per file what happened, how long it
took and the process's peak memory meanwhile (one JSON line each).

    python -m tests.hostile.run_imports STORES_FOLDER FILE...

Run by test_hostile_set.py in a subprocess, so that a bomb that got through would take this process
down, not the test session. The peak is the kernel's high-water mark of this process's resident
memory (VmHWM), reset before each file (/proc/self/clear_refs); the import parses in this process
(workers=0, on the bulk path too), so the peak is the file's. An address-space limit keeps a bomb
from taking the machine with it.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

ADDRESS_SPACE_LIMIT = 3 * 2**30


def peak_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


# The process's own peak over every file: the high-water marks read before each reset and after each
# file. (getrusage's ru_maxrss cannot say it: Linux counts the parent's memory at the fork into a
# child's, so under pytest it reports the test session's size; and clear_refs resets it.)
_process_peak_kib = 0


def _note_peak() -> int:
    global _process_peak_kib
    peak = peak_kib()
    _process_peak_kib = max(_process_peak_kib, peak)
    return peak


def import_one(stores: Path, path: Path) -> dict:
    from reviewer.core.ingest import import_paths
    from reviewer.core.store.db import open_store

    store = open_store(stores / path.name)
    _note_peak()  # what the process reached before this file (start-up, the last file's close)
    reset = reset_peak()
    started = time.perf_counter()
    try:
        report = import_paths(store, [path], bulk=None, workers=0)
    except Exception as crash:  # the import itself died: reported as such, the next file goes on
        store.close()
        return {
            "file": path.name,
            "seconds": round(time.perf_counter() - started, 3),
            "peak_mib": round(_note_peak() / 1024, 1),
            "peak_reset": reset,
            "crashed": f"{type(crash).__name__}: {crash}",
        }
    seconds = time.perf_counter() - started
    peak = _note_peak()
    with store.session() as session:
        trials = session.connection().exec_driver_sql("SELECT count(*) FROM trial").scalar_one()
    store.close()
    return {
        "file": path.name,
        "seconds": round(seconds, 3),
        "peak_mib": round(peak / 1024, 1),
        "peak_reset": reset,
        "documents": report.documents,
        "trials": trials,
        # the first and the last: a file's own failure comes after its elements'
        "failures": [
            [r.name, r.error]
            for r in (report.failed if len(report.failed) <= 50 else report.failed[:25] + report.failed[-25:])
        ],
        "failed": len(report.failed),
        "warnings": [w for r in report.results for w in getattr(r, "warnings", [])][:50],
    }


def main(argv: list[str]) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = ADDRESS_SPACE_LIMIT if hard == resource.RLIM_INFINITY else min(hard, ADDRESS_SPACE_LIMIT)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    stores = Path(argv[0])
    for name in argv[1:]:
        print(json.dumps(import_one(stores, Path(name)), ensure_ascii=False), flush=True)
    _note_peak()
    print(json.dumps({"process_peak_mib": round(_process_peak_kib / 1024, 1)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
