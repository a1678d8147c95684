"""Realistic test data: N studies derived from the real corpus, written as a registry-style zip.

Each study is a real API v2 record of the repository's corpus (tests/fixtures/corpus.tar.xz) with its identity, dates and some
text varied, so that N studies are N distinct trials. Templates are drawn so that the sizes follow the
registry's: log-normal with a median of about 10 KB and a 99th percentile of about 150 KB, plus one
multi-megabyte record (up to 3.6 MB, many sites) in every 20,000. Deterministic for a given seed.
    python tests/perf/make_corpus.py --n 5000 --out /tmp/studies.zip
"""

from __future__ import annotations

import argparse
import bisect
import math
import random
import re
import sys
import zipfile
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.corpus import corpus_dir  # noqa: E402

WORDS = (
    "adjuvant", "biomarker", "cohort", "dose", "efficacy", "fatigue", "genomic", "hepatic", "immune", "kinase",
    "lesion", "metastatic", "neoadjuvant", "oral", "placebo", "quality", "relapse", "safety", "tolerability",
    "ulcer", "vaccine", "weekly", "xenograft", "yield", "zone",
)


MEDIAN_BYTES = 10_000
SIGMA = 1.164  # ln(150 KB / 10 KB) / 2.326: the 99th percentile at 150 KB
HUGE_EVERY = 20_000
HUGE_BYTES = 3_600_000


def load_templates(corpus: Path) -> list[tuple[int, dict]]:
    """(written size, study) for each corpus record, smallest first."""
    studies = [orjson.loads(p.read_bytes()) for p in sorted(corpus.glob("*.json"))]
    sized = [(len(orjson.dumps(s, option=orjson.OPT_INDENT_2)), s) for s in studies]
    return sorted(sized, key=lambda pair: pair[0])


def pick(templates: list[tuple[int, dict]], rng: random.Random) -> dict:
    target = MEDIAN_BYTES * math.exp(rng.gauss(0, SIGMA))
    sizes = [size for size, _ in templates]
    index = min(bisect.bisect_left(sizes, target), len(sizes) - 1)
    return templates[index][1]


def make_huge(study: dict) -> dict:
    """Grow a study's site list until it is about HUGE_BYTES written, like the registry's largest."""
    locations = study["protocolSection"].setdefault("contactsLocationsModule", {}).setdefault("locations", [])
    site = locations[0] if locations else {"facility": "Research Site", "city": "Boston", "country": "United States"}
    per_site = len(orjson.dumps(site, option=orjson.OPT_INDENT_2)) + 8
    while len(locations) * per_site < HUGE_BYTES:
        locations.append({**site, "facility": f"{site.get('facility', 'Site')} {len(locations) + 1}"})
    written = len(orjson.dumps(study, option=orjson.OPT_INDENT_2))
    del locations[int(len(locations) * HUGE_BYTES / written):]  # nesting indents more than estimated
    return study


def vary(template: dict, index: int, rng: random.Random) -> dict:
    study = orjson.loads(orjson.dumps(template))  # a deep copy
    protocol = study["protocolSection"]
    ident = protocol["identificationModule"]
    ident["nctId"] = f"NCT9{index:07d}"
    ident.pop("nctIdAliases", None)
    words = " ".join(rng.choice(WORDS) for _ in range(3))
    ident["briefTitle"] = f"{ident.get('briefTitle', 'Study')} ({words} {index})"
    description = protocol.setdefault("descriptionModule", {})
    description["briefSummary"] = f"{description.get('briefSummary', '')} Variant {index}: {words}."
    year = 2000 + rng.randrange(26)
    status = protocol.setdefault("statusModule", {})
    status["startDateStruct"] = {"date": f"{year}-{rng.randrange(1, 13):02d}", "type": "ACTUAL"}
    study.setdefault("derivedSection", {}).setdefault("miscInfoModule", {})["versionHolder"] = f"{year + 1}-01-01"
    return study


_LIST_ITEM = re.compile(r"\s*(?:[*•-]|\d{1,3}\\?[.)])\s")  # a list item's line: never a heading


def letters(index: int) -> str:
    """An index written in letters ("ba", "bb" ...): a word no rule reads as a number or a unit."""
    word = ""
    while True:
        index, digit = divmod(index, 26)
        word = chr(ord("a") + digit) + word
        if not index:
            return "q" + word


def unique_criteria(study: dict, index: int) -> dict:
    """Each line of the eligibility text made the study's own (a word appended), as the registry's
    criteria are: a cache of criteria texts then helps no more than it does on real records."""
    module = study["protocolSection"].get("eligibilityModule") or {}
    text = module.get("eligibilityCriteria")
    if text:
        mark = letters(index)
        module["eligibilityCriteria"] = "\n".join(
            f"{line} {mark}" if _LIST_ITEM.match(line) and sum(c.isalpha() for c in line) > 3 else line
            for line in text.split("\n")
        )
    return study


def write_zip(out: Path, n: int, seed: int = 1, corpus: Path | None = None, unique: bool = False) -> Path:
    rng = random.Random(seed)
    templates = load_templates(corpus or corpus_dir() / "ctgov-v2")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for index in range(n):
            # every real record at least once (Chinese, Korean, Cyrillic ...), then the registry's sizes
            template = templates[index][1] if index < len(templates) else pick(templates, rng)
            study = vary(template, index, rng)
            if unique:
                study = unique_criteria(study, index)
            if index % HUGE_EVERY == HUGE_EVERY - 1:
                study = make_huge(study)
            archive.writestr(f"NCT9{index:07d}.json", orjson.dumps(study, option=orjson.OPT_INDENT_2))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, help="a folder of API v2 studies (default: the repository's corpus)")
    parser.add_argument("--unique-criteria", action="store_true", help="every study's criteria texts its own")
    args = parser.parse_args()
    write_zip(args.out, args.n, args.seed, args.corpus, args.unique_criteria)
    print(f"wrote {args.n} studies to {args.out} ({args.out.stat().st_size / 2**20:.1f} MiB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
