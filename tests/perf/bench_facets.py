"""Benchmark: facet extraction over every criterion of the corpus (385 API v2 studies), in µs per criterion.

    python tests/perf/bench_facets.py

"cold" runs the rules on every criterion (the per-text cache cleared), "warm" repeats the run through the
cache (boilerplate criteria repeat across a registry). Best of 5 runs, CPU time of this process. The last
line sets the figure against the bulk import's budget: 15% of an import at ~2,900 studies/s.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from reviewer.core.criteria import parse_criteria  # noqa: E402
from reviewer.core.facets import extract  # noqa: E402
from tests.corpus import corpus_dir  # noqa: E402

IMPORT_STUDIES_PER_SECOND = 2900
BUDGET_SHARE = 0.15


def corpus_criteria() -> list[tuple[str, str]]:
    """(text, section) of every criterion and sub-item of the corpus studies."""
    criteria = []
    for path in sorted((corpus_dir() / "ctgov-v2").glob("*.json")):
        study = json.loads(path.read_text(encoding="utf-8"))
        protocol = study.get("protocolSection", study)
        parsed = parse_criteria(protocol.get("eligibilityModule", {}).get("eligibilityCriteria"))
        for section, items in (("inclusion", parsed.inclusion), ("exclusion", parsed.exclusion),
                               ("unsectioned", parsed.other)):  # fmt: skip
            criteria += [(node.text, section) for item in items for node in item.walk() if node.text.strip()]
    return criteria


def best_of(runs: int, work) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return best


def main() -> int:
    criteria = corpus_criteria()
    studies = len(list((corpus_dir() / "ctgov-v2").glob("*.json")))

    def cold() -> None:
        extract._extract_cached.cache_clear()
        for text, section in criteria:
            extract.extract_facets(text, section)

    def warm() -> None:
        for text, section in criteria:
            extract.extract_facets(text, section)

    cold_s = best_of(5, cold)
    warm_s = best_of(5, warm)
    facets = sum(len(extract.extract_facets(t, s)) for t, s in criteria)
    per_criterion = cold_s / len(criteria) * 1e6
    per_study = cold_s / studies * 1e6
    budget = BUDGET_SHARE / IMPORT_STUDIES_PER_SECOND * 1e6
    print(f"{len(criteria)} criteria of {studies} studies, {facets} facets")
    print(f"cold: {per_criterion:.1f} µs per criterion ({per_study:.0f} µs per study)")
    print(f"warm (cached text): {warm_s / len(criteria) * 1e6:.1f} µs per criterion")
    print(
        f"budget: 15% of {1e6 / IMPORT_STUDIES_PER_SECOND:.0f} µs per study = {budget:.0f} µs per study; "
        f"cold extraction is {per_study / budget:.1f}x that in one process"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
