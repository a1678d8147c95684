"""The alignment gold set (tests/fixtures/gold/alignment.json): pairs of criteria of similar trials
that a clinician puts on the same row, or not. Prints the alignment score (share of pairs right) and
each pair the comparison gets wrong; fails below 90%."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewer.core.compare import Comparison, compare_records
from reviewer.core.importers import read_document
from reviewer.core.record import TrialRecord
from tests.conftest import SAMPLES_DIR

GOLD = Path(__file__).resolve().parents[2] / "fixtures" / "gold" / "alignment.json"
TARGET = 0.90


@pytest.fixture(scope="module")
def gold() -> dict:
    return json.loads(GOLD.read_text(encoding="utf-8"))


def load(source: str, corpus_dir: Path) -> TrialRecord:
    if source.startswith("seed:"):
        path = SAMPLES_DIR / source.removeprefix("seed:")
    else:
        path = corpus_dir / "ctgov-v2" / f"{source}.json"
    return read_document(path.read_bytes())[0].record


def rows_of(comparison: Comparison, trial: int, key: str) -> set[int]:
    """The criteria rows (by id) holding an item of a trial."""
    return {
        id(row)
        for section in ("inclusion", "exclusion")
        for row in comparison.sections[section]
        if key in [ref.path for ref in row.keys[trial]]
    }


def test_the_gold_set_is_big_enough(gold):
    assert len(gold["trials"]) >= 6
    pairs = [pair for trials in gold["trials"] for pair in trials["criteria"]]
    assert len(pairs) >= 40
    assert any(pair["same_row"] for pair in pairs) and any(not pair["same_row"] for pair in pairs)


def test_alignment_score(gold, corpus_dir):
    right, wrong = 0, []
    for trials in gold["trials"]:
        a, b = load(trials["a"], corpus_dir), load(trials["b"], corpus_dir)
        comparison = compare_records([a, b])
        for pair in trials["criteria"]:
            rows_a, rows_b = rows_of(comparison, 0, pair["a"]), rows_of(comparison, 1, pair["b"])
            assert rows_a, (
                f"{a.registry_id} {pair['a']} is on no row: the gold names an item the comparison does not have"
            )
            assert rows_b, (
                f"{b.registry_id} {pair['b']} is on no row: the gold names an item the comparison does not have"
            )
            if bool(rows_a & rows_b) == pair["same_row"]:
                right += 1
            else:
                wrong.append(
                    f"{a.registry_id} {pair['a']} / {b.registry_id} {pair['b']} same_row={pair['same_row']}: {pair['why']}"
                )
    total = right + len(wrong)
    score = right / total
    print(f"\nalignment: {right} of {total} pairs right ({score:.0%}; target {TARGET:.0%})")
    for line in wrong:
        print("  wrong:", line)
    assert score >= TARGET
