"""Every shape of ClinicalTrials.gov API v2 JSON gives the same records."""

from __future__ import annotations

import json

import pytest

from reviewer.core.importers import InvalidSource, read_document

STUDIES = ["NCT00000102", "NCT05798663", "NCT04226105"]


@pytest.fixture
def studies(corpus_dir):
    return [json.loads((corpus_dir / "ctgov-v2" / f"{nct}.json").read_text(encoding="utf-8")) for nct in STUDIES]


def ids(parsed):
    return [p.record.registry_id for p in parsed]


def test_single_study(studies):
    parsed = read_document(json.dumps(studies[0]).encode())
    assert ids(parsed) == ["NCT00000102"] and parsed[0].source_format == "ctgov-json"


def test_api_page_array_and_ndjson_agree(studies):
    page = read_document(json.dumps({"studies": studies, "nextPageToken": "abc"}).encode())
    array = read_document(json.dumps(studies).encode())
    ndjson = read_document("\n".join(json.dumps(s) for s in studies).encode())
    assert ids(page) == ids(array) == ids(ndjson) == STUDIES
    assert [p.record for p in page] == [p.record for p in array] == [p.record for p in ndjson]


def test_each_study_of_a_container_keeps_its_own_source(studies):
    parsed = read_document(json.dumps(studies).encode())
    assert [json.loads(p.source_text) for p in parsed] == studies


def test_bad_line_of_ndjson_is_named(studies):
    text = json.dumps(studies[0]) + "\n" + json.dumps(studies[1])[:-3] + "\n"
    with pytest.raises(InvalidSource, match="line 2"):
        read_document(text.encode())


def test_retired_classic_api_is_named():
    with pytest.raises(InvalidSource, match="classic-API"):
        read_document(b'{"FullStudiesResponse": {"FullStudies": []}}')
