"""Full-text search over the corpus: words, ids, phrases, prefixes, CJK substrings, filters."""

from __future__ import annotations

import pytest

from reviewer.core.ingest import import_paths
from reviewer.core.store import listing, reading
from reviewer.core.store.db import open_store
from reviewer.core.store.sqlite.fts import build_query


@pytest.fixture(scope="module")
def searchable(tmp_path_factory, corpus_dir):
    store = open_store(tmp_path_factory.mktemp("search") / "data")
    report = import_paths(store, [corpus_dir / "ctgov-v2"])
    assert not report.failed
    with store.session() as session:
        yield session
    store.close()


def ids(rows):
    return [r["registry_id"] for r in rows]


def test_english_word(searchable):
    found = ids(listing.search_trials(searchable, "asthma", limit=50))
    assert "NCT00000102" not in found and len(found) >= 2
    assert all("asthma" in reading.current_record(searchable, i).to_dict().__repr__().lower() for i in found)


def test_nct_id_first(searchable):
    assert ids(listing.search_trials(searchable, "NCT05798663"))[0] == "NCT05798663"
    assert ids(listing.search_trials(searchable, "nct05798663"))[0] == "NCT05798663"


def test_phrase_is_stricter_than_words(searchable):
    words = set(ids(listing.search_trials(searchable, "brain metastases", limit=500)))
    phrase = set(ids(listing.search_trials(searchable, '"brain metastases"', limit=500)))
    assert phrase and phrase <= words


def test_prefix(searchable):
    prefix = set(ids(listing.search_trials(searchable, "metasta*", limit=500)))
    whole = set(ids(listing.search_trials(searchable, "metastases", limit=500)))
    assert whole and whole < prefix


def test_two_character_chinese_substring(searchable):
    record = reading.current_record(searchable, "NCT05563090")
    chinese = next(ch for ch in record.eligibility.criteria_text if "\u4e00" <= ch <= "\u9fff")
    start = record.eligibility.criteria_text.index(chinese)
    pair = record.eligibility.criteria_text[start : start + 2]
    assert all("\u4e00" <= ch <= "\u9fff" for ch in pair)
    assert "NCT05563090" in ids(listing.search_trials(searchable, pair, limit=100))


def test_cyrillic_letter_inside_english_word(searchable):
    assert "NCT04226105" in ids(listing.search_trials(searchable, "\u0421ompared", limit=100))


def test_filters_combine_with_text(searchable):
    rows = listing.search_trials(searchable, "cancer", listing.TrialFilter(statuses=["COMPLETED"], phases=["PHASE3"]))
    assert rows
    assert all(r["overall_status"] == "COMPLETED" and "PHASE3" in r["phases"].split("|") for r in rows)


def test_user_text_never_breaks_the_query(searchable):
    for text in ['"', "(", "AND", "a OR", "*", "-", "NEAR(", "col:term", "'; DROP TABLE trial; --"]:
        listing.search_trials(searchable, text)


def test_query_building():
    assert build_query("浙江大学").match == '"浙江 江大 大学"'
    assert build_query("pembro*").match == '"pembro"*'
    assert build_query("lung -small").match == '"lung" NOT "small"'
    assert build_query("  ").match is None


def test_broad_queries_rank_the_focused_columns_then_the_rest(searchable, monkeypatch):
    all_rows = listing.search_trials(searchable, "study", limit=1000)
    everything = set(ids(all_rows))
    withdrawn = {r["registry_id"] for r in all_rows if r["overall_status"] == "WITHDRAWN"}
    monkeypatch.setattr(listing, "RANK_CAP", 20)  # make "study" a broad query on this small corpus
    broad = listing.search_trials(searchable, "study", limit=60)
    assert len(broad) == 60 and set(ids(broad)) <= everything
    assert len(set(ids(broad))) == 60
    filtered = listing.search_trials(searchable, "study", listing.TrialFilter(statuses=["WITHDRAWN"]), limit=500)
    assert filtered and all(r["overall_status"] == "WITHDRAWN" for r in filtered)
    assert set(ids(filtered)) == withdrawn  # broad text, rare filter: every match that passes is found
    monkeypatch.setattr(listing, "RANK_CAP", 1)
    newest = listing.search_trials(searchable, "study", limit=5)
    assert [r["id"] for r in newest] == sorted([r["id"] for r in newest], reverse=True)
