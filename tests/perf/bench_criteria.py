"""Criteria parsing per study over the corpus (the bulk import parses every study's criteria once).

    .venv/bin/python tests/perf/bench_criteria.py [--rounds 20]

Prints the mean µs per study over the corpus's 483 criteria texts (API v2 and legacy XML), each parsed
afresh (parse_criteria keeps no cache): CPU time of this process (steadier than wall time on a shared
machine), the best of the rounds.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import xml.etree.ElementTree as ET  # trusted corpus files only
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from corpus import corpus_dir  # noqa: E402

from reviewer.core.criteria import parse_criteria  # noqa: E402
from reviewer.core.text import unescape_markdown  # noqa: E402


def corpus_texts() -> list[str]:
    root = corpus_dir()
    texts = []
    for path in sorted((root / "ctgov-v2").glob("*.json")):
        module = json.loads(path.read_text(encoding="utf-8"))["protocolSection"].get("eligibilityModule", {})
        if module.get("eligibilityCriteria"):
            texts.append(unescape_markdown(module["eligibilityCriteria"]))
    for path in sorted((root / "ctgov-xml").glob("*.xml")):
        text = ET.parse(path).getroot().findtext("eligibility/criteria/textblock")
        if text:
            texts.append(text)
    return texts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    texts = corpus_texts()
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for text in texts:
            parse_criteria(text)
        best = min(best, time.process_time() - started)
    print(
        f"criteria parsing, uncached: {best / len(texts) * 1e6:.0f} µs per study ({len(texts)} texts, best of {rounds})"
    )


if __name__ == "__main__":
    main()
