"""The patient check over the whole library: the time from asking to the ranked trials, and its two
parts as rank() would do them, loading every trial's Requirements (Library.requirements, which keeps
them while the store does not change: "first" is the cold read) and judging and ranking them in
memory. Library.match itself reads only the stored rows' values (rank_values), cold or not.
Target: 100,000 trials in <= 1 s.

    cd tests/perf && ../../.venv/bin/python bench_match.py --n 20000

Reads (or builds once) bench_gui.py's store of N generated trials (cached under $BENCH_DIR, default
/tmp/reviewer-gui-bench); opening it upgrades it to the current schema if it is older. The patient is resources/patients/example.json.
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
TARGET_S_AT_100K = 1.0


def timed(fn, runs: int) -> tuple[list[float], object]:
    seconds, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        seconds.append(time.perf_counter() - started)
    return seconds, result


def line(name: str, seconds: list[float], n: int) -> str:
    median = statistics.median(seconds)
    at_100k = median * 100_000 / n
    return (
        f"{name:<34} first {seconds[0] * 1000:8.1f} ms   median {median * 1000:8.1f} ms   "
        f"best {min(seconds) * 1000:8.1f} ms   (x{100_000 / n:g}: ~{at_100k:.2f} s at 100,000)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=20_000, help="trials in the store (default 20,000)")
    parser.add_argument("--runs", type=int, default=5, help="runs of each measurement (default 5)")
    args = parser.parse_args()

    from bench_gui import build_store

    from reviewer.core.library import Library
    from reviewer.core.match.patient import Patient
    from reviewer.core.match.ranking import rank

    data_dir = build_store(args.n)
    library = Library.open(data_dir, with_samples=False, progress=lambda message: print(message, flush=True))
    patient = Patient.load(ROOT / "resources" / "patients" / "example.json")
    total = library.count_trials()
    print(f"== the patient check over {total:,} trials ({args.runs} runs) ==")
    loading, loaded = timed(lambda: list(library.requirements()), args.runs)
    requirements = sum(len(reqs) for _rid, reqs in loaded)
    print(line("Library.requirements() (kept)", loading, total) + f"   {requirements:,} requirements")
    judging, result = timed(lambda: rank(loaded, patient, limit=20), args.runs)
    print(line("judge and rank (in memory)", judging, total))
    whole, result = timed(lambda: library.match(patient, limit=20), args.runs)
    print(line("Library.match, whole library", whole, total))
    estimate = statistics.median(whole) * 100_000 / total
    verdict = "ok" if estimate <= TARGET_S_AT_100K else "MISSED"
    print(
        f"{result.checked:,} checked, {result.possible:,} possible; at 100,000 about {estimate:.2f} s "
        f"(target <= {TARGET_S_AT_100K:g} s: {verdict})"
    )
    library.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
