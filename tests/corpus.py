"""The real-record corpus the tests, benchmarks and screenshot script read, shipped in the repository.

tests/fixtures/corpus.tar.xz (1.4 MB; what it holds and where it comes from: tests/fixtures/README.md)
is unpacked once into tests/fixtures/.unpacked/corpus-<digest>/ (git ignores it) and read from there:
a clone needs nothing beside it. A new archive has a new digest, so a stale copy is never read.

    python tests/corpus.py      # unpacks if needed and prints the folder (for shell scripts)
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tarfile
import tempfile
from pathlib import Path

FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"
ARCHIVE = FIXTURES_DIR / "corpus.tar.xz"
UNPACKED_DIR = FIXTURES_DIR / ".unpacked"
PARTS = ("ctgov-v2", "ctgov-xml", "ctgov-v2-containers")


def corpus_dir() -> Path:
    """The unpacked corpus: ctgov-v2/ (385 API v2 studies), ctgov-xml/ (99 legacy XML records),
    ctgov-v2-containers/ (an API page and a website download array), and their two INDEX files."""
    digest = hashlib.sha256(ARCHIVE.read_bytes()).hexdigest()[:12]
    target = UNPACKED_DIR / f"corpus-{digest}"
    if all((target / part).is_dir() for part in PARTS):
        return target
    UNPACKED_DIR.mkdir(parents=True, exist_ok=True)
    # Unpacked beside its final place, then renamed: a run stopped half-way leaves no partial corpus.
    staging = Path(tempfile.mkdtemp(prefix="corpus-", dir=UNPACKED_DIR))
    try:
        with tarfile.open(ARCHIVE, "r:xz") as archive:
            archive.extractall(staging, filter="data")
        try:
            os.rename(staging, target)
        except OSError:
            if not target.is_dir():  # another process did not win the race: a real failure
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    for stale in UNPACKED_DIR.glob("corpus-*"):
        if stale != target and stale.is_dir() and len(stale.name) == len(target.name):
            shutil.rmtree(stale, ignore_errors=True)
    return target


if __name__ == "__main__":
    sys.stdout.write(f"{corpus_dir()}\n")
