"""Benchmark: comparing six trials (the three seeds and three corpus trials), cold and warm, median of
20 runs. Cold clears the concept and endpoint caches and reads the facets again (what opening a new
comparison costs); warm is a second comparison of the same trials. The target is 100 ms for six.

    python tests/perf/bench_compare.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from reviewer.core.compare import compare_records, concepts, outcomes  # noqa: E402
from reviewer.core.facets import extract  # noqa: E402
from reviewer.core.importers import read_document  # noqa: E402
from tests.corpus import corpus_dir  # noqa: E402

CORPUS_TRIALS = ("NCT04870190", "NCT04501120", "NCT02369484")
TARGET_MS = 100


def main() -> int:
    samples = sorted((ROOT / "resources" / "samples").glob("*.txt"))
    corpus = [corpus_dir() / "ctgov-v2" / f"{registry_id}.json" for registry_id in CORPUS_TRIALS]
    records = [read_document(p.read_bytes())[0].record for p in [*samples, *corpus]]
    criteria = sum(len(list(top.walk())) for r in records for part in ("inclusion", "exclusion", "other")
                   for top in getattr(r.eligibility, part))  # fmt: skip
    worst = 0.0
    for label, clear in (("cold", True), ("warm", False)):
        timings = []
        for _ in range(20):
            if clear:
                concepts.concept_matches.cache_clear()
                outcomes.outcome_endpoint.cache_clear()
                extract.shared_facets.cache_clear()
            started = time.perf_counter()
            compare_records(records)
            timings.append((time.perf_counter() - started) * 1000)
        median = statistics.median(timings)
        worst = max(worst, median)
        print(
            f"compare {len(records)} trials, {criteria} criteria ({label}): "
            f"median {median:.1f} ms, max {max(timings):.1f} ms"
        )
    print(f"target {TARGET_MS} ms: {'met' if worst <= TARGET_MS else 'MISSED'}")
    return 0 if worst <= TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
