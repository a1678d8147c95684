"""Documents with more structure than a parser may build are refused before it builds them: wide or
deep JSON, XML of empty elements, and "Viewing Study" dumps of a million empty lists; real records,
compact or pretty-printed, pass."""

from __future__ import annotations

import json
import resource
import time

import pytest

from reviewer.core.importers import InvalidSource, read_document
from reviewer.core.importers.bounds import LITERAL_MAX_VALUES, check_json, check_literal, json_values
from tests.conftest import SEED_IGNITE_MSC

PAGE_HEAD = "Viewing Study NCT01234567\n\nStudy NCT ID: NCT01234567\n\nRaw JSON\n"


def _refused(data: bytes) -> str:
    started = time.perf_counter()
    with pytest.raises(InvalidSource) as refused:
        read_document(data)
    assert time.perf_counter() - started < 1.0
    return str(refused.value)


def _study(n: int) -> dict:
    return {
        "protocolSection": {
            "identificationModule": {"nctId": f"NCT{n:08d}", "briefTitle": f"Study {n}"},
            "conditionsModule": {"conditions": ["A", "B"], "keywords": ["k"] * 5},
        }
    }


def test_a_million_empty_lists_in_a_record_dump_are_refused_without_building_them():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    page = PAGE_HEAD + "{'protocolSection': [" + "[], " * 1_000_000 + "[]]}"
    reason = _refused(page.encode())
    assert "holds too many values (2,000,004; at most 150,000)" in reason
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100_000  # KiB: not 1.5 GB


@pytest.mark.parametrize(
    ("dump", "phrase"),
    [
        ("[" * 300 + "]" * 300, "nested too deeply"),
        ("{'a': " * 250 + "1" + "}" * 250, "nested too deeply"),
        ("{'a': __import__('os').system('true')}", "not a literal a study is made of"),
        ("{'a': [1, 2", "truncated record dump"),
        ("{[1]: 2}", "not a literal a study is made of"),
    ],
    ids=["deep-lists", "deep-dicts", "a-call", "truncated", "unhashable-key"],
)
def test_bad_record_dumps_get_one_sentence_without_a_class_name(dump, phrase):
    reason = _refused((PAGE_HEAD + dump).encode())
    assert phrase in reason and "Error" not in reason


def test_the_seed_page_passes_the_literal_bound():
    text = SEED_IGNITE_MSC.read_text()
    check_literal(text)
    assert read_document(text.encode())[0].record.registry_id == "NCT07312656"
    assert 2 * json_values(text) < LITERAL_MAX_VALUES


@pytest.mark.parametrize(
    ("data", "phrase"),
    [
        (b"[" + b"[]," * 2_000_000 + b"[]]", "too many values for its size"),
        (b'{"studies": [' + b'"",' * 3_000_000 + b'""]}', "too many values for its size"),
        (b"[" * 100_000 + b"]" * 100_000, "depth limit exceeded"),
        (b'{"a":' * 5000 + b"1" + b"}" * 5000, "depth limit exceeded"),
    ],
    ids=["wide-lists", "wide-strings", "deep-arrays", "deep-objects"],
)
def test_wide_or_deep_json_is_refused(data, phrase):
    assert phrase in _refused(data)


def test_xml_of_a_million_empty_elements_is_refused():
    data = b"<clinical_study>" + b"<a/>" * 1_000_000 + b"</clinical_study>"
    assert "too many XML tags for its size (1,000,002" in _refused(data)


def test_real_studies_compact_or_pretty_pass_the_json_bound():
    studies = [_study(n) for n in range(20_000)]
    compact = json.dumps(studies, separators=(",", ":")).encode()
    assert json_values(compact) > 100_000  # beyond the base: the size decides
    check_json(compact)
    check_json(json.dumps(studies, indent=2))
    assert len(read_document(compact)) == 20_000
