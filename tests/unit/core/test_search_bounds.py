"""Search queries are bounded: repeated terms asked once, at most MAX_QUERY_TERMS terms, long words and
phrases shortened; no text takes long to build or to run (1,000 copies of a word took 16 s)."""

from __future__ import annotations

import random
import string
import time

import pytest

from reviewer.core.ingest import import_paths
from reviewer.core.store import listing
from reviewer.core.store.db import open_store
from reviewer.core.store.sqlite.fts import (
    MAX_PHRASE_WORDS,
    MAX_QUERY_TERMS,
    MAX_WORD_CHARS,
    build_query,
)
from tests.conftest import SAMPLES_DIR


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    store = open_store(tmp_path_factory.mktemp("bounds") / "data")
    assert not import_paths(store, sorted(SAMPLES_DIR.glob("*.txt"))).failed
    with store.session() as session:
        yield session
    store.close()


def _timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - started


def test_a_repeated_word_is_asked_once():
    query, seconds = _timed(build_query, "lung " * 3000)
    assert query.match == '"lung"' and seconds < 0.1
    assert build_query("lung cancer lung -small -small").match == '"lung" AND "cancer" NOT "small"'
    assert build_query('"lung cancer" "lung cancer" lung*').match == '"lung cancer" AND "lung"*'


def test_a_query_has_at_most_the_term_bound():
    words = ["w" + "".join(random.Random(n).choices(string.ascii_lowercase, k=8)) for n in range(3000)]
    query, seconds = _timed(build_query, " ".join(words))
    assert seconds < 0.1
    assert query.capped and query.match.count(" AND ") == MAX_QUERY_TERMS - 1
    assert query.match.startswith(f'"{words[0]}" AND "{words[1]}"')  # the first terms are kept
    assert not build_query("lung cancer").capped


def test_long_words_and_phrases_are_shortened():
    long_word = "a" * 10_000
    query = build_query(long_word)
    assert query.match == '"' + "a" * MAX_WORD_CHARS + '"*' and query.capped
    phrase = " ".join(f"word{n}" for n in range(500))
    query = build_query(f'"{phrase}"')
    assert query.match.count(" ") == MAX_PHRASE_WORDS - 1 and query.capped
    cjk, seconds = _timed(build_query, "浙江大学" * 5000)  # a run of 20,000 characters: pairs of them
    assert seconds < 0.1 and cjk.match.count(" ") == MAX_PHRASE_WORDS - 1


@pytest.mark.parametrize(
    "text",
    [
        "cancer " * 3000,
        " ".join(f"-x{n}" for n in range(3000)) + " cancer",
        " ".join(f'"a{n} b{n}"' for n in range(3000)),
        "x" * 1_000_000,
        "*-\"" * 100_000,
        "品" * 200_000,
    ],
    ids=["repeated", "exclusions", "phrases", "one-megabyte-word", "punctuation", "cjk-run"],
)
def test_no_query_takes_long(seeded, text):
    query, build_seconds = _timed(build_query, text)
    assert build_seconds < 0.1
    _rows, seconds = _timed(listing.search_trials, seeded, text)
    assert seconds < 1.0


def test_a_repeated_word_finds_what_the_word_finds(seeded):
    once = [r["registry_id"] for r in listing.search_trials(seeded, "cancer")]
    assert once
    assert [r["registry_id"] for r in listing.search_trials(seeded, "cancer " * 1000)] == once
