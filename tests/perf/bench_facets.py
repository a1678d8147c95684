"""Benchmark: facet extraction over every criterion of the corpus (385 API v2 studies), uncached.

    .venv/bin/python tests/perf/bench_facets.py [--rounds 5] [--save FILE | --compare FILE]

The figure is the rules' own cost: every criterion is read afresh (extract_facets' per-text cache is
bypassed: the corpus repeats boilerplate texts, and a cache would flatter the figure), per criterion
and per study, CPU time of this process, the best of the rounds; then the whole study's way through
eligibility.criterion_facets (the import's path) for the API v2 records. The last line sets the
figure against the budget: facets may add 15% to a bulk import at ~320 µs per study.

--save FILE writes every criterion's facets (the corpus's items in each section they can be read in,
and the gold set's), --compare FILE reads such a file back and prints each criterion whose facets
changed: the check that a faster extractor reads the same values.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from reviewer.core.criteria import parse_criteria  # noqa: E402
from reviewer.core.eligibility import criterion_facets  # noqa: E402
from reviewer.core.facets import extract  # noqa: E402
from reviewer.core.importers import read_document  # noqa: E402
from tests.corpus import corpus_dir  # noqa: E402

IMPORT_US_PER_STUDY = 320  # the bulk import's wall time per study on 2 cores (bench_scale.py)
BUDGET_SHARE = 0.15
GOLD = ROOT / "tests" / "fixtures" / "gold" / "facets.json"


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


def checked_criteria() -> list[tuple[str, str]]:
    """What --save and --compare read: every corpus item in all three sections, and the gold set."""
    texts = sorted({text for text, _ in corpus_criteria()})
    gold = json.loads(GOLD.read_text(encoding="utf-8"))["items"]
    return [(t, s) for t in texts for s in ("inclusion", "exclusion", "unsectioned")] + [
        (item["text"], item["section"]) for item in gold
    ]


def best_of(runs: int, work) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return best


def measure(rounds: int) -> None:
    criteria = corpus_criteria()
    paths = sorted((corpus_dir() / "ctgov-v2").glob("*.json"))
    records = [read_document(path.read_bytes())[0].record for path in paths]
    uncached = extract._extract  # the rules themselves, without extract_facets' per-text cache

    def items() -> None:
        for text, section in criteria:
            uncached(text, section)

    def studies() -> None:
        extract.shared_facets.cache_clear()
        for record in records:
            criterion_facets(record)

    items_s = best_of(rounds, items)
    studies_s = best_of(rounds, studies)
    facets = sum(len(uncached(t, s)) for t, s in criteria)
    per_study = items_s / len(paths) * 1e6
    budget = BUDGET_SHARE * IMPORT_US_PER_STUDY
    print(f"{len(criteria)} criteria of {len(paths)} studies, {facets} facets (best of {rounds})")
    print(f"uncached: {items_s / len(criteria) * 1e6:.2f} µs per criterion, {per_study:.0f} µs per study")
    print(
        f"criterion_facets (a record's walk, cache cleared per round): {studies_s / len(paths) * 1e6:.0f} µs per study"
    )
    print(
        f"budget: 15% of {IMPORT_US_PER_STUDY} µs per study = {budget:.0f} µs; uncached is {per_study / budget:.2f}x that"
    )


def save(path: Path) -> None:
    rows = [[text, section, extract._extract(text, section)] for text, section in checked_criteria()]
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    print(f"{len(rows)} criteria written to {path}")


def compare(path: Path) -> int:
    rows = json.loads(path.read_text(encoding="utf-8"))
    changed = 0
    for text, section, before in rows:
        now = json.loads(json.dumps(extract._extract(text, section)))
        if now != before:
            changed += 1
            print(f"[{section}] {text[:160]}\n  before {before}\n  now    {now}")
    print(f"{changed} of {len(rows)} criteria read differently")
    return 1 if changed else 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--save", type=Path)
    group.add_argument("--compare", type=Path)
    args = parser.parse_args()
    if args.save:
        save(args.save)
        return 0
    if args.compare:
        return compare(args.compare)
    measure(args.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
