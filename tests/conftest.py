"""Shared fixtures: where the repository, the sample trials and the real-record corpus are."""

from __future__ import annotations

import contextlib
import subprocess
from pathlib import Path

import pytest

from tests.corpus import corpus_dir as unpacked_corpus

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLES_DIR = REPO_ROOT / "resources" / "samples"
FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"

SEED_VEEVA_FMT = SAMPLES_DIR / "000_b6d99653e7077aee.txt"  # NCT06924645
SEED_IGNITE_MSC = SAMPLES_DIR / "001_ff9342c9be19cd9f.txt"  # NCT07312656
SEED_VEEVA_NOVAFERON = SAMPLES_DIR / "002_5febad15010a44b8.txt"  # NCT02455596


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The real records in tests/fixtures/corpus.tar.xz, unpacked once (tests/corpus.py)."""
    return unpacked_corpus()


@pytest.fixture
def store(tmp_path):
    """A new, empty store in a temporary data folder (a real SQLite file)."""
    from reviewer.core.store.db import open_store

    opened = open_store(tmp_path / "data")
    yield opened
    opened.close()


def store_content(store) -> str:
    """Everything the store holds, as SQL text: equal text, equal content."""
    import sqlite3

    with sqlite3.connect(store.path) as conn:
        return "\n".join(line for line in conn.iterdump())


@contextlib.contextmanager
def immutable(*paths: Path):
    """chattr +i on the paths (root, on a file system that has it; the test is skipped otherwise,
    saying why), undone after."""
    made = subprocess.run(["chattr", "+i", *map(str, paths)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"chattr +i is not possible here: {made.stderr.decode().strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", *map(str, paths)], check=False)
