"""Big JSON arrays are split study by study: orjson finds where each object ends, and gives the same
objects as the structural walk, which takes over wherever orjson cannot read an object whole."""

from __future__ import annotations

import io

import pytest

from reviewer.core.importers import json_stream
from reviewer.core.importers.base import InvalidSource

TRICKY = [
    b'{"a": "a } brace, a { brace, ] and [ in a string", "b": [1, {"c": "]"}]}',
    b'{"quote": "an escaped \\" quote and a backslash \\\\", "d": {}}',
    '{"zh": "浙江大学医学院附属第一医院", "emoji": "🧪 ≥ 18 ans, μg/L"}'.encode(),
    b'{\r\n\t"pretty": [\r\n\t\t{"x": 1},\r\n\t\t{"y": 2}\r\n\t]\r\n}',
    b'{"bad": tru}',  # invalid JSON: found by the walk, refused later by the worker
    b'{"after": "the bad one"}',
    b'{"number": -1.5e-3, "null": null, "empty": "", "nested": [[[]]]}',
]


def split(data: bytes, chunk: int, monkeypatch, walk_only: bool) -> tuple[list[bytes], str | None]:
    with monkeypatch.context() as patch:
        patch.setattr(json_stream, "CHUNK", chunk)
        if walk_only:
            patch.setattr(json_stream, "_object_end", lambda *_args: None)
        items: list[bytes] = []
        try:
            for item in json_stream.iter_array_items(io.BytesIO(data)):
                items.append(item)
        except InvalidSource as error:
            return items, str(error)
        return items, None


def documents(corpus_dir) -> dict[str, bytes]:
    containers = corpus_dir / "ctgov-v2-containers"
    studies = [p.read_bytes() for p in sorted((corpus_dir / "ctgov-v2").glob("*.json"))[:60]]
    compact = b"[" + b",".join(TRICKY + studies) + b"]"
    return {
        "website array": next(containers.glob("website-download-array*")).read_bytes(),
        "API page": next(containers.glob("api-page*")).read_bytes(),
        "compact, tricky objects": compact,
        "pretty, with a BOM and CRLF": b"\xef\xbb\xbf[\r\n  " + b",\r\n  ".join(studies + TRICKY) + b"\r\n]\r\n",
        "a page with more after its studies": b'{"studies": [' + b", ".join(TRICKY) + b'], "nextPageToken": "x{["}',
        "truncated": compact[: len(compact) // 2],
        "truncated inside a string": b'[{"a": "unfinished',
        "no array": b'{"protocolSection": {"identificationModule": {"nctId": "NCT00000001"}}}',
        "empty array": b"[]",
    }


@pytest.mark.parametrize("chunk", [97, 4096, json_stream.CHUNK])
def test_orjson_finds_the_same_objects_as_the_structural_walk(corpus_dir, monkeypatch, chunk):
    for name, data in documents(corpus_dir).items():
        fast = split(data, chunk, monkeypatch, walk_only=False)
        walked = split(data, chunk, monkeypatch, walk_only=True)
        assert fast == walked, name
    items, error = split(documents(corpus_dir)["compact, tricky objects"], chunk, monkeypatch, walk_only=False)
    assert items[: len(TRICKY)] == TRICKY and error is None
    assert split(b"[" + b",".join(TRICKY), chunk, monkeypatch, False)[1] == "truncated JSON (the document ends early)"


def test_a_registry_sized_array_is_split_by_orjson(monkeypatch, tmp_path, corpus_dir):
    """Objects much larger than the window (a 3.6 MB study among small ones) are read by orjson too."""
    studies = [p.read_bytes().strip() for p in sorted((corpus_dir / "ctgov-v2").glob("*.json"))[:30]]
    big = studies[0][:-1] + b', "padding": "' + b"x" * 3_600_000 + b'"}'
    data = b"[" + b",\n".join(studies[:10] + [big] + studies[10:]) + b"]"
    calls = []
    original = json_stream._object_end
    monkeypatch.setattr(json_stream, "_object_end", lambda *args: calls.append(original(*args)) or calls[-1])
    items = list(json_stream.iter_array_items(io.BytesIO(data)))
    assert items == studies[:10] + [big] + studies[10:]
    assert len(calls) == len(items)
    # only an object cut by the end of a chunk needs the walk: one per chunk at most
    assert calls[10] is not None and calls.count(None) <= len(data) // json_stream.CHUNK


def test_a_workers_reference_reads_the_same_study_from_the_file(tmp_path, corpus_dir):
    data = documents(corpus_dir)["pretty, with a BOM and CRLF"]
    path = tmp_path / "ctg-studies.json"
    path.write_bytes(data)
    refs = list(json_stream.iter_array_refs(path))
    assert [ref.read()[0] for ref in refs] == list(json_stream.iter_array_items(io.BytesIO(data)))
    assert all(data[ref.offset : ref.offset + ref.length] == ref.read()[0] for ref in refs)
    path.write_bytes(data[: refs[-1].offset + 10])  # the file shrank after it was split
    with pytest.raises(InvalidSource, match="the file changed while it was being imported"):
        refs[-1].read()


def test_a_big_arrays_studies_are_estimated_from_slices_of_it(tmp_path):
    path = tmp_path / "ctg-studies.json"
    # studies that grow along the file (as the registry's do with their NCT numbers): its first
    # megabytes alone would overestimate the total several times
    studies = [b'{"protocolSection": {"identificationModule": {"nctId": "NCT%08d"}}, "text": "%s"}'
               % (n, b"y" * (2000 + n * 20)) for n in range(3000)]
    path.write_bytes(b"[" + b",".join(studies) + b"]")
    assert 2700 <= json_stream.estimate_items(path, path.stat().st_size) <= 3300
    # without "nctId" keys: the size over the room the studies of the first megabytes take (a
    # study has a protocolSection: other objects are not counted)
    one = b'{"protocolSection": {"identificationModule": {"orgStudyIdInfo": {"id": "A-1"}}}}'
    path.write_bytes(b"[" + b",".join([one] * 80_000) + b"]")  # 6.5 MB: over one chunk
    assert 79_000 <= json_stream.estimate_items(path, path.stat().st_size) <= 81_000
    path.write_bytes(b"[" + b",".join([one] * 2000 + [b'{"x": 1}'] * 100) + b"]")  # read whole: counted
    assert json_stream.estimate_items(path, path.stat().st_size) == 2000


def _study(n: int) -> dict:
    return {"protocolSection": {"identificationModule": {"nctId": f"NCT{n:08d}", "briefTitle": f"Study {n}"}}}


def _split_documents(tmp_path, text: str) -> list[tuple[str, str | None]]:
    path = tmp_path / "big.json"
    path.write_text(text)
    return [
        (name.removeprefix(str(path)), error) for name, _data, error in json_stream.iter_array_documents(path, False)
    ]


def test_every_element_of_a_big_array_that_is_not_a_study_is_a_named_failure(tmp_path):
    import json

    text = json.dumps([_study(1), 5, "x", [1, 2], True, None, -1.5e3, _study(2), {"a": 1}, {"protocolSection": {}}])
    assert _split_documents(tmp_path, text) == [
        (" › study 1", None),
        (" › element 2", "not a study (a number)"),
        (" › element 3", "not a study (a string)"),
        (" › element 4", "not a study (an array)"),
        (" › element 5", "not a study (true)"),
        (" › element 6", "not a study (null)"),
        (" › element 7", "not a study (a number)"),
        (" › study 8", None),
        (" › element 9", "not a study (an object without protocolSection)"),
        (" › element 10", "not a study (too small)"),  # under the 68 bytes of the smallest study
    ]


@pytest.mark.parametrize(
    ("tail", "reason"),
    [
        (" garbage", "trailing data after the array of studies: not JSON"),
        (" [1]", "trailing data after the array of studies: not JSON"),
        ("\n\n", None),
    ],
)
def test_what_follows_a_big_array_must_be_white_space(tmp_path, tail, reason):
    import json

    got = _split_documents(tmp_path, json.dumps([_study(1)]) + tail)
    assert got == [(" › study 1", None)] + ([("", reason)] if reason else [])


def test_a_page_must_close_as_json_after_its_studies(tmp_path):
    import json

    page = json.dumps({"totalCount": 1, "other": [1], "studies": [_study(1)], "nextPageToken": "x{["})
    assert _split_documents(tmp_path, page) == [(" › study 1", None)]  # "other" is not split
    assert _split_documents(tmp_path, page + "}")[-1] == ("", "invalid JSON after the array of studies")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('[{"a": 1},]', "a comma after the last element"),
        ('[{"a": 1} 12 {"b": 2}]', "invalid JSON after element 1 of the array"),
        ("[1, nul]", "invalid JSON in the array of studies"),
        ('[{"a": 1}, {"b":', "truncated JSON"),
    ],
)
def test_invalid_json_inside_a_big_array_fails_the_file(tmp_path, text, reason):
    assert reason in _split_documents(tmp_path, text)[-1][1]


def test_a_big_array_without_a_study_fails_and_its_many_non_studies_are_counted(tmp_path):
    kinds = ["1", '"s"', "null", "2.5e3", "[]", '{"a": "b,c"}', '[1, "]"]', '"an \\"escaped, quote"']
    text = "[" + ", ".join(kinds * 150_000) + "]"  # 1.2 million elements, counted in runs past the first
    got = _split_documents(tmp_path, text)
    assert len(got) == json_stream.NAMED_NOT_STUDIES + 2
    assert got[-2] == ("", f"{1_200_000 - json_stream.NAMED_NOT_STUDIES:,} more elements are not studies (not listed one by one)")
    assert got[-1] == ("", "no study in big.json")
    assert _split_documents(tmp_path, "[ ]") == [("", "no study in big.json")]


def test_a_run_of_plain_elements_is_counted_as_matching_them_one_by_one_counts_it():
    import random

    atoms = ["1", '"s"', "null", "2.5e3", "[]", "{}", '{"a": "b,c"}', '[1, "]"]', '"a,b"', '""',
             '{"a":1,"b":"}"}', '["x",""]', '{"k":""}', "true", '"[{"', '"\\"q,"']
    rng = random.Random(13)
    for _ in range(3000):
        elements = [rng.choice(atoms) for _ in range(rng.randint(1, 30))]
        text = "".join(e + rng.choice([",", " ,", ",\n"]) for e in elements).encode()
        run = json_stream._PLAIN_RUN.match(text)
        assert run.end() == len(text.rstrip())
        assert json_stream._elements_in_run(run.group(0)) == len(elements), text
