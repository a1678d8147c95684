"""Benchmark: the diff of two versions of the largest corpus record (issue 17's target: 200 ms),
the second version with a tenth of its sites gone, its criteria reversed and one reworded.

    .venv/bin/python tests/perf/bench_diff.py
"""

from __future__ import annotations

import copy
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from reviewer.core.diff import diff_records  # noqa: E402
from reviewer.core.importers import read_document  # noqa: E402
from tests.corpus import corpus_dir  # noqa: E402


def main() -> int:
    largest = max((corpus_dir() / "ctgov-v2").glob("*.json"), key=lambda p: p.stat().st_size)
    before = read_document(largest.read_bytes())[0].record
    after = copy.deepcopy(before)
    after.locations = after.locations[len(after.locations) // 10 :]
    after.eligibility.inclusion.reverse()
    after.eligibility.exclusion[0].text += " unless treated and stable for 4 weeks"
    timings = []
    for _ in range(20):
        started = time.perf_counter()
        changes = diff_records(before, after).changes
        timings.append((time.perf_counter() - started) * 1000)
    print(
        f"diff of {largest.stem} ({largest.stat().st_size / 1e6:.1f} MB, {len(before.locations)} sites): "
        f"{len(changes)} changes, median {statistics.median(timings):.1f} ms, max {max(timings):.1f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
