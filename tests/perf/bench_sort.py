"""The library list sorted by each column at registry scale: the time to fetch a window of 200 rows
at the top, in the middle and at the end of the list, in both directions (what the window asks for
as the user sorts and scrolls).

    cd tests/perf && ../../.venv/bin/python bench_sort.py --n 600000

Reads the store bench_scale.py left in $BENCH_DIR/n<N>/data (run that first); opening it upgrades
it to the current schema if it is older.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(HERE)]

COLUMNS = ("registry_id", "brief_title", "overall_status", "phases", "lead_sponsor", "conditions", "note_count")
WINDOW = 200


def main() -> int:
    from bench_scale import BENCH_DIR

    from reviewer.core.store import listing
    from reviewer.core.store.db import open_store

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=600_000)
    args = parser.parse_args()
    data = BENCH_DIR / f"n{args.n}" / "data"
    if not (data / "reviewer.sqlite3").exists():
        print(f"no store at {data}: run bench_scale.py --n {args.n} first")
        return 1
    store = open_store(data, progress=lambda message: print(message, flush=True))
    with store.session() as session:
        total = listing.count_trials(session)
        print(f"== the library of {total:,} trials, sorted: a window of {WINDOW} rows (ms; best of 3) ==")
        print(f"{'column':<16}{'top':>8}{'middle':>8}{'end':>8}   {'top':>8}{'middle':>8}{'end':>8}")
        print(f"{'':<16}{'ascending':>24}   {'descending':>24}")
        every = []
        for column in COLUMNS:
            cells = []
            for descending in (False, True):
                for offset in (0, total // 2, max(0, total - WINDOW)):
                    runs = []
                    for _ in range(3):
                        started = time.perf_counter()
                        rows = listing.list_trials(session, None, column, descending, limit=WINDOW, offset=offset)
                        runs.append((time.perf_counter() - started) * 1000)
                    assert len(rows) == min(WINDOW, total - offset)
                    cells.append(min(runs))
            every += cells
            print(f"{column:<16}" + "".join(f"{c:8.1f}" for c in cells[:3]) + "   " + "".join(f"{c:8.1f}" for c in cells[3:]))
        print(f"median {statistics.median(every):.1f} ms, max {max(every):.1f} ms")
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
