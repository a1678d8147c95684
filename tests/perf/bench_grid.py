"""Benchmark: the eligibility grid of 50 corpus trials (reviewer.core.grid), median of 10 runs.

    python tests/perf/bench_grid.py [--n 50]

"from the records, cold" is what the window and the PDF do for trials not seen before (each trial's
criteria read for their facets, the facet cache emptied before each run, profiled, laid out); "warm"
with the extractor's cache filled; "from item facets" starts from facets already read (what the
Library will pass in once the store keeps them and a reviewer's corrections).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from reviewer.core.eligibility import criterion_facets  # noqa: E402
from reviewer.core.facets import extract  # noqa: E402
from reviewer.core.grid import build_grid, grid_csv  # noqa: E402
from reviewer.core.importers import read_document  # noqa: E402
from tests.corpus import corpus_dir  # noqa: E402


def timed(fn, runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=50, help="trials (2 to 50)")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    studies = sorted((corpus_dir() / "ctgov-v2").glob("NCT*.json"))[: args.n]
    records = [read_document(p.read_bytes())[0].record for p in studies]
    facets = [criterion_facets(r) for r in records]
    grid = build_grid(records, facets)
    items = sum(len(f) for f in facets)
    print(f"{len(records)} trials, {items} criteria, {len(grid.rows)} facet rows, {grid.differing} differ")

    def cold() -> None:
        extract.shared_facets.cache_clear()
        build_grid(records)

    for label, fn in (
        ("from the records, cold", cold),
        ("from the records, warm", lambda: build_grid(records)),
        ("from item facets", lambda: build_grid(records, facets)),
        ("CSV of the grid", lambda: grid_csv(grid)),
    ):
        timings = timed(fn, args.runs)
        print(
            f"grid of {len(records)} trials, {label}: median {statistics.median(timings):.1f} ms, max {max(timings):.1f} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
