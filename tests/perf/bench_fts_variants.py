"""What the full-text index costs the bulk import: the import as shipped against the same import with
a lighter FTS5 index, and sqlite-utils on the same studies.

    cd tests/perf && ../../.venv/bin/python bench_fts_variants.py --n 100000

Each variant runs on a scratch copy of the `reviewer` package whose FTS5 table definition (in the
first migration, which creates it) is changed, or whose index insert is removed. The variants are
not the product: they measure what dropping a part of the index would buy, for the decision of
what the import must do. Uses the zip bench_scale.py generates (cached under $BENCH_DIR).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(HERE)]

SHIPPED = "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
VARIANTS = {
    "as shipped (8 columns, prefix indexes 2 and 3)": SHIPPED,
    "no prefix indexes": "tokenize = 'unicode61 remove_diacritics 2')",
    "no prefix indexes, detail=column (no positions)": "tokenize = 'unicode61 remove_diacritics 2', detail = column)",
    "no full-text index at all": None,
}
MIGRATION = Path("core/store/migrations/versions/0001_first_schema.py")
INDEX_CALL = "def write_document(cursor: sqlite3.Cursor, trial_id: int, document: tuple[str, ...], replace: bool) -> None:\n"

CHILD = """
import json, sys, time
from pathlib import Path
from reviewer.core.ingest import import_paths
from reviewer.core.store.db import open_store
if __name__ == "__main__":
    store = open_store(Path(sys.argv[2]))
    started = time.perf_counter()
    report = import_paths(store, [Path(sys.argv[1])], bulk=True)
    seconds = time.perf_counter() - started
    print(json.dumps({"studies": report.count("added"), "seconds": seconds, "failed": len(report.failed)}))
"""


def patched_package(work: Path, fts_options: str | None) -> Path:
    """A copy of the reviewer package with the FTS5 definition changed (None: nothing indexed)."""
    root = work / "src"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(ROOT / "reviewer", root / "reviewer", ignore=shutil.ignore_patterns("__pycache__"))
    package = root / "reviewer"
    migration = package / MIGRATION
    text = migration.read_text()
    assert SHIPPED in text, "the first migration's FTS5 definition changed: update this benchmark"
    if fts_options is not None:
        migration.write_text(text.replace(SHIPPED, fts_options))
    else:
        fts = package / "core/store/sqlite/fts.py"
        source = fts.read_text()
        assert INDEX_CALL in source, "fts.write_document changed: update this benchmark"
        fts.write_text(source.replace(INDEX_CALL, INDEX_CALL + "    return\n"))
    # compiled once here, as `make` compiles the environment: no worker pays for it
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(root)], check=True)
    return root


def run_variant(zip_path: Path, work: Path, fts_options: str | None) -> dict:
    root = patched_package(work, fts_options)
    data = work / "data"
    shutil.rmtree(data, ignore_errors=True)
    script = work / "child.py"
    script.write_text(CHILD)
    env = {**os.environ, "PYTHONPATH": str(root)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    out = subprocess.run([sys.executable, str(script), str(zip_path), str(data)], env=env, check=True,
                         capture_output=True, text=True).stdout
    shutil.rmtree(data, ignore_errors=True)
    return json.loads(out.strip().splitlines()[-1])


def main() -> int:
    from bench_scale import BENCH_DIR, peer
    from make_corpus import write_zip

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    args = parser.parse_args()
    bench = BENCH_DIR / f"n{args.n}"
    bench.mkdir(parents=True, exist_ok=True)
    zip_path = bench / "ctg-studies.json.zip"
    if not zip_path.exists():
        write_zip(zip_path, args.n)
    print(f"== N = {args.n:,} studies: bulk import with each FTS5 variant, then sqlite-utils ==")
    with tempfile.TemporaryDirectory(dir=bench) as scratch:
        rates = {}
        for name, options in VARIANTS.items():
            result = run_variant(zip_path, Path(scratch), options)
            rates[name] = result["studies"] / result["seconds"]
            print(f"{name:<50} {result['seconds']:7.1f} s  {rates[name]:7,.0f} studies/s"
                  f"  ({result['failed']} failed)", flush=True)
    other = peer(zip_path, bench)
    peer_rate = args.n / other["seconds"]
    print(f"{'sqlite-utils insert + enable-fts title summary':<50} {other['seconds']:7.1f} s  {peer_rate:7,.0f} studies/s")
    for name, rate in rates.items():
        print(f"   {name:<47} {rate / peer_rate:5.2f}x sqlite-utils' speed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
