"""Benchmark of the PDF reports: one brief, a four-trial comparison, 50 briefs in a batch, and the floor.

    python tests/perf/bench_report.py            # the README's figures
    python tests/perf/bench_report.py --runs 5

Builds a store in a temporary folder: the three sample trials and 60 real ClinicalTrials.gov studies
from the repository's corpus (tests/fixtures/corpus.tar.xz), with three reviewer notes on each trial (briefs then carry notes beside their
criteria). Then, after one warm-up render:
- floor: bare WeasyPrint (no app code, default fonts) printing a one-page HTML of a heading, a short
  table and a page of paragraphs: what a page costs WeasyPrint itself;
- one brief: make_report(brief) of the seed NCT07312656 (store -> Jinja -> WeasyPrint -> PDF bytes),
  median of --runs, and its ratio to the floor (per document and per page);
- four-trial comparison: the three samples and a corpus lung-cancer trial on landscape pages;
- 50 briefs: report_batch.write_briefs on every core (one process each), one PDF per trial, wall time.
Peak memory is the largest resident set of this process and of any worker process.
Targets: a brief <= 1 s and <= 3x the floor; 50 briefs <= 30 s on both cores; peak <= 500 MB.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

PARAGRAPH = (
    "Participants aged 18 years or older with histologically confirmed, unresectable or metastatic "
    "disease, measurable by RECIST 1.1, with adequate bone marrow, liver and kidney function, who "
    "have received no more than two prior lines of systemic therapy and have an ECOG performance "
    "status of 0 or 1, may enter the study after giving written informed consent."
)
ONE_PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>Floor</title></head><body>"
    "<h1>A one-page document</h1>"
    "<table><tr><th>Status</th><td>Recruiting</td><th>Phase</th><td>Phase 2</td></tr>"
    "<tr><th>Sponsor</th><td>A university hospital</td><th>Enrollment</th><td>120</td></tr></table>"
    + "".join(f"<p>{PARAGRAPH}</p>" for _ in range(6))
    + "</body></html>"
)


def median_seconds(function, runs: int) -> tuple[float, object]:
    timings, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), result


def page_count(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def peak_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def build_store(data_dir: Path) -> tuple[object, list[str]]:
    from reviewer.core.ingest import import_paths
    from reviewer.core.items import anchor_of
    from reviewer.core.library import Library
    from reviewer.core.notes import add_note
    from reviewer.core.store import listing, reading

    store = Library.open(data_dir).store
    from tests.corpus import corpus_dir

    corpus = corpus_dir() / "ctgov-v2"
    files = sorted(corpus.glob("NCT*.json"))
    import_paths(store, [corpus / "NCT02369484.json", *[f for f in files if f.stem != "NCT02369484"][:59]])
    with store.session() as session:
        ids = [row["registry_id"] for row in listing.list_trials(session, limit=1000)]
        for registry_id in ids:
            trial = reading.trial_by_registry_id(session, registry_id)
            for key, body, tag in (
                ("inclusion/1", "Does this match our unit's lower age bound?", "question"),
                ("exclusion/1", "Stricter than the sister trial: discuss.", "concern"),
                ("", "Suitable for the tumour board on Tuesday.", "ok"),
            ):
                anchor = anchor_of("criterion", key) if key else anchor_of("trial", "")
                add_note(session, trial.id, anchor, body, "bench", tag)
        session.commit()
    return store, ids


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="renders per median (default 9)")
    parser.add_argument("--batch", type=int, default=50, help="briefs in the batch (default 50)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()

    from weasyprint import HTML

    from reviewer.core.report_batch import write_briefs
    from reviewer.core.reports import ReportOptions, make_report

    with tempfile.TemporaryDirectory(prefix="reviewer-bench-report-") as tmp:
        data_dir = Path(tmp) / "data"
        started = time.perf_counter()
        store, ids = build_store(data_dir)
        print(f"store: {len(ids)} trials with 3 notes each, built in {time.perf_counter() - started:.1f} s")
        options = ReportOptions(reviewer="Benchmark")

        def brief() -> bytes:
            with store.session() as session:
                return make_report(session, "brief", ["NCT07312656"], options)

        def comparison() -> bytes:
            four = ["NCT07312656", "NCT02455596", "NCT06924645", "NCT02369484"]
            with store.session() as session:
                return make_report(session, "comparison", four, options)

        started = time.perf_counter()
        brief()
        print(f"warm-up (first brief: fonts, templates): {time.perf_counter() - started:.2f} s")

        floor, floor_pdf = median_seconds(lambda: HTML(string=ONE_PAGE).write_pdf(), args.runs)
        one, brief_pdf = median_seconds(brief, args.runs)
        four, comparison_pdf = median_seconds(comparison, max(3, args.runs // 2))
        floor_pages, brief_pages = page_count(floor_pdf), page_count(brief_pdf)
        per_page = one / brief_pages / (floor / floor_pages)
        print(f"floor, bare WeasyPrint: {floor * 1000:.0f} ms for {floor_pages} page")
        print(
            f"one brief (NCT07312656): {one * 1000:.0f} ms, {brief_pages} pages, "
            f"{one / floor:.1f}x the floor ({per_page:.1f}x per page)"
        )
        print(f"four-trial comparison: {four * 1000:.0f} ms, {page_count(comparison_pdf)} pages")

        batch = (ids * (args.batch // len(ids) + 1))[: args.batch] if len(ids) < args.batch else ids[: args.batch]
        out_dir = Path(tmp) / "briefs"
        started = time.perf_counter()
        results = write_briefs(data_dir, batch, out_dir, options, workers=args.workers)
        seconds = time.perf_counter() - started
        failed = [r for r in results if r.error]
        written = sum(1 for _ in out_dir.glob("*.pdf"))
        print(
            f"{len(batch)} briefs on {args.workers} processes: {seconds:.1f} s "
            f"({seconds / len(batch) * 1000:.0f} ms each, {written} files, {len(failed)} failed)"
        )
        store.close()

    main_peak, worker_peak = peak_mib(resource.RUSAGE_SELF), peak_mib(resource.RUSAGE_CHILDREN)
    print(f"peak memory: this process {main_peak:.0f} MiB, largest worker {worker_peak:.0f} MiB")
    verdicts = {
        "brief <= 1 s": one <= 1.0,
        "brief <= 3x floor": one <= 3 * floor,
        f"{args.batch} briefs <= 30 s": seconds <= 30,
        "peak <= 500 MB": max(main_peak, worker_peak) * 1.048576 <= 500,
    }
    print("targets: " + ", ".join(f"{name} {'met' if ok else 'MISSED'}" for name, ok in verdicts.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
