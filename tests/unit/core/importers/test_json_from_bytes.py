"""JSON in plain UTF-8 is parsed from its bytes (no text made of them): the same records and the
same stored source as the text path, for every corpus JSON document; anything else takes the text
path and keeps its messages."""

from __future__ import annotations

import json

import pytest

from reviewer.core.importers import CTGOV_JSON, InvalidSource, decode, detect, read_document


def text_path(data: bytes):
    text = decode(data)
    return detect(text).parse(text)


def test_bytes_and_text_paths_agree_on_every_corpus_json(corpus_dir):
    documents = sorted((corpus_dir / "ctgov-v2").glob("*.json")) + sorted((corpus_dir / "ctgov-v2-containers").glob("*.json"))
    assert len(documents) > 385
    from_bytes = 0
    for path in documents:
        data = path.read_bytes()
        fast, slow = read_document(data), text_path(data)
        from_bytes += fast[0]._text is None  # made from the bytes, no text decoded
        assert [p.record for p in fast] == [p.record for p in slow], path.name
        assert [p.source_bytes for p in fast] == [p.source_text.encode() for p in slow], path.name
        assert [p.source_text for p in fast] == [p.source_text for p in slow], path.name
    assert from_bytes >= 385


def test_a_single_study_keeps_its_exact_bytes_as_its_source(corpus_dir):
    data = next((corpus_dir / "ctgov-v2").glob("*.json")).read_bytes()
    (parsed,) = CTGOV_JSON.parse_utf8(data)
    assert parsed.source_bytes is data


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'{"protocolSection": ', "truncated JSON (the document ends early)"),
        (b"\xef\xbb\xbf" + b'{"protocolSection": ', "truncated JSON (the document ends early)"),
        (b'{"a": 1}', "JSON object is not a study (no protocolSection; keys: a)"),
        (b"[]", "JSON holds no studies"),
        (b'{"protocolSection": "\xff"}', None),  # not UTF-8: the text path names it
    ],
)
def test_bad_json_gets_the_text_paths_reason(data, reason):
    with pytest.raises(InvalidSource) as fast:
        read_document(data)
    with pytest.raises(InvalidSource) as slow:
        text_path(data)
    assert str(fast.value) == str(slow.value)
    if reason:
        assert str(fast.value) == reason


def test_newline_delimited_json_still_reads(corpus_dir):
    studies = [json.loads(p.read_text()) for p in sorted((corpus_dir / "ctgov-v2").glob("*.json"))[:3]]
    data = "\n".join(json.dumps(s) for s in studies).encode()
    assert [p.record.registry_id for p in read_document(data)] == [
        s["protocolSection"]["identificationModule"]["nctId"] for s in studies
    ]
