"""Benchmark: aligning four trials (three samples + a corpus NSCLC trial), cold and warm, median of 20.

    python tests/perf/bench_compare.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from reviewer.core import compare  # noqa: E402
from reviewer.core.importers import read_document  # noqa: E402
from tests.corpus import corpus_dir  # noqa: E402


def main() -> int:
    samples = sorted((ROOT / "resources" / "samples").glob("*.txt"))
    corpus = corpus_dir() / "ctgov-v2" / "NCT02369484.json"
    records = [read_document(p.read_bytes())[0].record for p in [*samples, corpus]]
    for label, clear in (("cold", True), ("warm", False)):
        timings = []
        for _ in range(20):
            if clear:
                compare.concept_matches.cache_clear()
                compare.outcome_endpoint.cache_clear()
            started = time.perf_counter()
            compare.compare_records(records)
            timings.append((time.perf_counter() - started) * 1000)
        print(f"compare 4 trials ({label}): median {statistics.median(timings):.1f} ms, max {max(timings):.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
