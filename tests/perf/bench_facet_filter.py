"""The library's facet filters and the stored requirements at registry scale.

    cd tests/perf && ../../.venv/bin/python bench_facet_filter.py --n 20000

Reuses bench_scale.py's store of N (/tmp/reviewer-bench/n<N>/data) or else bench_gui.py's (built
once by it: make_corpus.write_zip's real corpus records varied, imported with the bulk path); opening
an older store upgrades it, filling the requirements. Then prints p50 and p95 (ms) of:
- each facet filter as the window asks for it: the row count and the first 200 rows by NCT id;
- a filter combined with a status filter and with a full-text search;
- Library.requirements() over the whole library (what the patient check reads): read from the
  store (the first check after opening it or after a change), and again with the store unchanged.
Targets at 100,000 trials: a filter <= 100 ms p95; the whole library's requirements well under 1 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(HERE)]
SCALE_DIR = Path("/tmp/reviewer-bench")  # bench_scale.py's stores
FILTERS = ["ecog=2", "karnofsky=60", "anc=1.0 10^9/L", "platelets=75 10^9/L", "creatinine=1.6 mg/dL",
           "bilirubin=2 xULN", "brain-mets", "age=80", "sex=male", "gene=EGFR"]  # fmt: skip
COMBINED = [("ecog=2", "anc=1.0 10^9/L", "brain-mets")]
WINDOW = 200


def data_dir_for(n: int) -> Path:
    reused = SCALE_DIR / f"n{n}" / "data"
    if (reused / "reviewer.sqlite3").exists():
        return reused
    from bench_gui import build_store

    return build_store(n)


def timed(run, runs: int) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = run()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    from reviewer.core.facet_filters import parse_facet
    from reviewer.core.library import Library, TrialFilter

    library = Library.open(data_dir_for(args.n), with_samples=False, progress=lambda m: print(m, flush=True))
    total = library.count_trials()
    with library.store.session() as session:
        rows = session.connection().exec_driver_sql("SELECT count(*) FROM trial_requirement").scalar_one()
    print(f"== {total:,} trials, {rows:,} requirement rows: count + first {WINDOW} rows (ms) ==")
    print(f"{'filter':<44}{'trials':>9}{'p50':>8}{'p95':>8}")
    worst = 0.0

    def show(name: str, where: TrialFilter, text: str | None = None) -> None:
        nonlocal worst

        def run():
            if text:
                return len(library.search_trials(text, where, limit=WINDOW))
            count, _rows = library.first_rows(where, "registry_id", False, WINDOW)
            return count

        p50, p95, count = timed(run, args.runs)
        worst = max(worst, p95)
        print(f"{name:<44}{count:>9,}{p50:>8.1f}{p95:>8.1f}", flush=True)

    show("(no filter)", TrialFilter())
    for text in FILTERS:
        show(text, TrialFilter(facets=(parse_facet(text),)))
    for texts in COMBINED:
        show(" + ".join(texts), TrialFilter(facets=tuple(parse_facet(t) for t in texts)))
    show("ecog=2 + status RECRUITING", TrialFilter(statuses=["RECRUITING"], facets=(parse_facet("ecog=2"),)))
    show("search 'cancer' + ecog=2", TrialFilter(facets=(parse_facet("ecog=2"),)), text="cancer")
    print(f"worst filter p95: {worst:.1f} ms")
    from reviewer.core.store.requirements import LibraryRequirements

    def cold() -> int:  # what the first patient check after opening or changing the store reads
        reader = LibraryRequirements(library.path)
        try:
            return len(reader.all())
        finally:
            reader.close()

    p50, p95, loaded = timed(cold, max(3, args.runs // 4))
    print(f"Library.requirements() of all {loaded:,} trials, read: p50 {p50:.0f} ms, p95 {p95:.0f} ms")
    p50, p95, _ = timed(lambda: sum(1 for _ in library.requirements()), args.runs)
    print(f"Library.requirements() again, the store unchanged: p50 {p50:.0f} ms, p95 {p95:.0f} ms")
    some = [r["registry_id"] for r in library.list_trials(limit=50)]
    p50, p95, _ = timed(lambda: list(library.requirements(some)), args.runs)
    print(f"Library.requirements() of 50 trials: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    library.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
