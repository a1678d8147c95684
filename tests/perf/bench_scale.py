"""Benchmark at registry scale: bulk import, search latency and store size at N studies.

    python tests/perf/bench_scale.py --n 10000 100000
For each N it prints, in one run:
- import studies/s and peak memory of the bulk import (a child process: the peak of its resident memory
  and its workers', sampled together every quarter second);
- the ratio to a floor (reading and parsing the same zip with orjson alone, one process) and to a
  peer doing less: `sqlite-utils insert` of the same studies as raw JSON rows plus its `enable-fts`
  on title and summary (sqlite-utils is installed into .tools/bench for the benchmark only);
- search latency p50 and p95 over a fixed list of 20 queries;
- store size on disk per study.
Generated zips and stores are cached under $BENCH_DIR (default /tmp/reviewer-bench).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import orjson

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(HERE)]
BENCH_DIR = Path(os.environ.get("BENCH_DIR", "/tmp/reviewer-bench"))

QUERIES = [
    ("rare word", "achalasia", None),
    ("rare word 2", "narcolepsy", None),
    ("common word", "study", None),
    ("common word 2", "patients", None),
    ("two words", "breast cancer", None),
    ("three words", "overall survival chemotherapy", None),
    ("phrase", '"overall survival"', None),
    ("phrase 2", '"informed consent"', None),
    ("prefix", "metasta*", None),
    ("short prefix", "ca*", None),
    ("NCT id", "NCT90001234", None),
    ("NCT id 2", "NCT90004321", None),
    ("Chinese substring", "胃虚", None),
    ("exclusion", "cancer -breast", None),
    ("text + status", "cancer", {"statuses": ["RECRUITING"]}),
    ("text + phase", "diabetes", {"phases": ["PHASE3"]}),
    ("text + status + phase", "pain", {"statuses": ["COMPLETED"], "phases": ["PHASE2"]}),
    ("common + filters", "study", {"statuses": ["COMPLETED"], "phases": ["PHASE3"]}),
    ("sponsor word", "pfizer", None),
    ("condition", "neuroendocrine", None),
]


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_import(zip_path: Path, data_dir: Path) -> dict:
    from tree_memory import PeakSampler

    from reviewer.core.ingest import import_paths
    from reviewer.core.store.db import open_store

    store = open_store(data_dir)
    with PeakSampler() as peak:
        started = time.perf_counter()
        report = import_paths(store, [zip_path], bulk=True)
        seconds = time.perf_counter() - started
    store.close()
    return {"studies": report.count("added") + report.count("updated"), "failed": len(report.failed),
            "seconds": seconds, "peak_mib": peak.mib, "main_peak_mib": peak_mib()}


def child_floor(zip_path: Path) -> dict:
    started = time.perf_counter()
    count = 0
    with zipfile.ZipFile(zip_path) as archive:
        for member in archive.infolist():
            orjson.loads(archive.read(member))
            count += 1
    return {"studies": count, "seconds": time.perf_counter() - started, "peak_mib": peak_mib()}


def child_search(data_dir: Path) -> dict:
    from reviewer.core.store import listing
    from reviewer.core.store.db import open_store

    store = open_store(data_dir)
    timings: dict[str, list[float]] = {}
    counts: dict[str, int] = {}
    with store.session() as session:
        for name, text, filters in QUERIES:
            where = listing.TrialFilter(**filters) if filters else None
            runs = []
            for _ in range(5):
                started = time.perf_counter()
                rows = listing.search_trials(session, text, where, limit=100)
                runs.append((time.perf_counter() - started) * 1000)
            timings[name] = runs
            counts[name] = len(rows)
    store.close()
    return {"timings": timings, "counts": counts}


def run_child(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def sqlite_utils_bin() -> Path:
    venv = ROOT / ".tools" / "bench"
    binary = venv / "bin" / "sqlite-utils"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "sqlite-utils"], check=True)
    return binary


def peer(zip_path: Path, work: Path) -> dict:
    rows = work / "rows.ndjson"
    if not rows.exists():
        with zipfile.ZipFile(zip_path) as archive, rows.open("wb") as out:
            for member in archive.infolist():
                raw = archive.read(member)
                study = orjson.loads(raw)
                ident = study["protocolSection"]["identificationModule"]
                summary = study["protocolSection"].get("descriptionModule", {}).get("briefSummary")
                out.write(orjson.dumps({"nct_id": ident["nctId"], "title": ident.get("briefTitle"),
                                        "summary": summary, "raw": raw.decode()}) + b"\n")
    db = work / "peer.db"
    db.unlink(missing_ok=True)
    tool = sqlite_utils_bin()
    started = time.perf_counter()
    subprocess.run([str(tool), "insert", str(db), "studies", str(rows), "--nl", "--pk", "nct_id"], check=True)
    subprocess.run([str(tool), "enable-fts", str(db), "studies", "title", "summary"], check=True)
    return {"seconds": time.perf_counter() - started, "bytes": db.stat().st_size}


def bench(n: int, unique: bool = False) -> None:
    from make_corpus import write_zip

    work = BENCH_DIR / (f"n{n}-unique" if unique else f"n{n}")
    work.mkdir(parents=True, exist_ok=True)
    zip_path = work / "ctg-studies.json.zip"
    if not zip_path.exists():
        write_zip(zip_path, n, unique=unique)
    data_dir = work / "data"
    shutil.rmtree(data_dir, ignore_errors=True)

    imported = run_child("import", str(zip_path), str(data_dir))
    floor = run_child("floor", str(zip_path))
    other = peer(zip_path, work)
    searched = run_child("search", str(data_dir))
    size = sum(p.stat().st_size for p in data_dir.iterdir() if p.name.startswith("reviewer.sqlite3"))

    rate = imported["studies"] / imported["seconds"]
    floor_rate = floor["studies"] / floor["seconds"]
    peer_rate = n / other["seconds"]
    all_times = [t for runs in searched["timings"].values() for t in runs[1:]]
    print(f"\n== N = {n:,} studies ({zip_path.stat().st_size / 2**20:,.0f} MiB zip) ==")
    print(f"import (bulk):   {imported['seconds']:8.1f} s  {rate:8,.0f} studies/s  peak {imported['peak_mib']:,.0f} MiB"
          f" (all its processes together; the main one alone {imported['main_peak_mib']:,.0f})  ({imported['failed']} failed)")
    print(f"floor (orjson):  {floor['seconds']:8.1f} s  {floor_rate:8,.0f} studies/s  -> import is {floor_rate / rate:.1f}x the floor's time")
    print(f"sqlite-utils:    {other['seconds']:8.1f} s  {peer_rate:8,.0f} studies/s  -> import is {rate / peer_rate:.2f}x its speed"
          f" (it stores raw rows + FTS on title/summary: {other['bytes'] / n / 1024:.1f} KiB/study)")
    print(f"store size:      {size / 2**20:8,.0f} MiB  {size / n / 1024:.1f} KiB/study")
    print(f"search (20 queries x 4 warm runs): p50 {statistics.median(all_times):.1f} ms, "
          f"p95 {statistics.quantiles(all_times, n=20)[18]:.1f} ms, max {max(all_times):.1f} ms")
    for name, runs in searched["timings"].items():
        print(f"   {name:<22} {statistics.median(runs[1:]):7.1f} ms  ({searched['counts'][name]} hits)")


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        kind, *rest = sys.argv[2:]
        result = {"import": lambda: child_import(Path(rest[0]), Path(rest[1])),
                  "floor": lambda: child_floor(Path(rest[0])),
                  "search": lambda: child_search(Path(rest[0]))}[kind]()
        print(json.dumps(result))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument(
        "--unique-criteria", action="store_true",
        help="every study's criteria its own text (the corpus's repeat otherwise: facets would be read from a cache)",
    )  # fmt: skip
    args = parser.parse_args()
    for n in args.n:
        bench(n, args.unique_criteria)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
