"""Zips are walked by streaming their central directory: same members, same bytes as zipfile reads them."""

from __future__ import annotations

import zipfile

import pytest

from reviewer.core.ingest.document import Document
from reviewer.core.ingest.finding import iter_documents
from reviewer.core.ingest.zips import Directory, documents_of


def members(path):
    out = []
    for item in iter_documents([path]):
        if isinstance(item, Document):
            out.append((item.name, item.load()))
        else:
            out.append((item[0], str(item[1])))
    return out


def test_zip64_entries_a_prefix_and_every_compression_read_as_zipfile_reads_them(tmp_path, monkeypatch):
    path = tmp_path / "studies.zip"
    with monkeypatch.context() as patch, zipfile.ZipFile(path, "w") as archive:
        patch.setattr(zipfile, "ZIP64_LIMIT", 100)  # sizes and offsets over 100 bytes go to zip64 fields
        archive.writestr("a.json", b'{"a": 1}' * 50, zipfile.ZIP_DEFLATED)
        archive.writestr("b.json", b'{"b": 2}', zipfile.ZIP_STORED)
        with archive.open(zipfile.ZipInfo("c.json"), "w", force_zip64=True) as handle:
            handle.write(b'{"c": 3}' * 20)
        archive.writestr("d.json", b'{"d": 4}' * 30, zipfile.ZIP_BZIP2)
        archive.writestr("__MACOSX/._a.json", b"x")
        archive.writestr("../evil.json", b"{}")
        archive.writestr("folder/", b"")
        archive.writestr("folder/é.json", b"{\"e\": 5}", zipfile.ZIP_DEFLATED)
    with zipfile.ZipFile(path) as archive:
        expected = {info.filename: archive.read(info) for info in archive.infolist()}
    got = members(path)
    assert [name.split(" › ")[1] for name, _ in got] == ["a.json", "b.json", "c.json", "d.json", "../evil.json", "folder/é.json"]
    for name, data in got:
        member = name.split(" › ")[1]
        if member == "../evil.json":
            assert data.startswith("unsafe path")
        else:
            assert data == expected[member]

    prefixed = tmp_path / "prefixed.zip"  # bytes before the archive, as a self-extracting zip has
    prefixed.write_bytes(b"#!/bin/sh\nexit 0\n" + path.read_bytes())
    assert [data for _, data in members(prefixed)] == [data for _, data in got]


def test_a_damaged_member_is_refused_by_its_crc(tmp_path):
    path = tmp_path / "studies.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.json", b'{"a": 1}', zipfile.ZIP_STORED)
    raw = bytearray(path.read_bytes())
    raw[raw.index(b'{"a": 1}') + 6] = ord("2")
    path.write_bytes(bytes(raw))
    [item] = list(iter_documents([path]))
    try:
        item.load()
    except Exception as error:  # InvalidSource
        assert "damaged zip member" in str(error)
    else:
        raise AssertionError("a member with a wrong CRC-32 was read")


def test_zipfiles_own_walk_gives_the_same_documents(tmp_path):
    """The walk falls back on zipfile when it cannot stream the directory: same members, refusals, bytes."""
    path = tmp_path / "studies.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.json", b'{"a": 1}' * 50, zipfile.ZIP_DEFLATED)
        archive.writestr("b.json", b'{"b": 2}', zipfile.ZIP_STORED)
        archive.writestr("d.json", b'{"d": 4}' * 30, zipfile.ZIP_BZIP2)
        archive.writestr("../evil.json", b"{}")
        archive.writestr("folder/", b"")
    fallback = [
        (item.name, item.load(), item.ref is not None) if isinstance(item, Document) else (item[0], str(item[1]), None)
        for item in documents_of(Directory.of_zipfile(path), str(path))
    ]
    streamed = [
        (item.name, item.load(), item.ref is not None) if isinstance(item, Document) else (item[0], str(item[1]), None)
        for item in iter_documents([path])
    ]
    assert fallback == streamed
    assert [has_ref for *_, has_ref in streamed] == [True, True, False, None]


@pytest.mark.parametrize(
    "name",
    ["NCT01234567.json", ".hidden.json", "a/b.json", "/abs.json", "//two.json", "../up.json", "a\\b.json",
     "C:evil.json", "__MACOSX/x.json", "./here.json", "a//b.json", "a/./b.json", ".", "", "x/", "é.json"],
)
def test_member_name_parts_are_those_of_a_posix_path(name):
    from pathlib import PurePosixPath

    from reviewer.core.ingest.zips import name_parts

    assert name_parts(name) == PurePosixPath(name.replace("\\", "/")).parts


def test_the_count_before_an_import_is_exact_for_files_and_registry_zips_and_never_short(tmp_path, corpus_dir):
    """count_documents gives an import its total without walking a zip's central directory: the
    entries of the zip's end record, which also counts folders and hidden members."""
    import os

    from reviewer.core.ingest.finding import count_documents

    registry = tmp_path / "ctg-studies.json.zip"
    with zipfile.ZipFile(registry, "w", zipfile.ZIP_DEFLATED) as archive:
        for study in sorted((corpus_dir / "ctgov-v2").glob("*.json"))[:40]:
            archive.write(study, study.name)
    mixed = tmp_path / "mixed.zip"
    with zipfile.ZipFile(mixed, "w") as archive:
        archive.writestr("folder/", b"")
        archive.writestr("folder/a.json", b"{}")
        archive.writestr("__MACOSX/._a.json", b"x")
    empty = tmp_path / "empty.zip"
    zipfile.ZipFile(empty, "w").close()
    pipe = tmp_path / "folder" / "pipe"
    pipe.parent.mkdir()
    os.mkfifo(pipe)  # not read: a pipe would block the walk
    for paths in (
        [registry],
        [corpus_dir / "ctgov-xml", corpus_dir / "ctgov-v2-containers"],
        [tmp_path / "missing.json", pipe.parent],
    ):
        assert count_documents(paths) == sum(1 for _ in iter_documents(paths))
    assert [str(error) for _, error in iter_documents([pipe.parent])] == ["not a regular file"]
    assert count_documents([mixed]) == 3 and sum(1 for _ in iter_documents([mixed])) == 1
    assert count_documents([empty]) == 1
    assert [(name, str(error)) for name, error in iter_documents([empty])] == [(str(empty), "the zip is empty")]


def test_both_walks_refuse_entries_that_share_their_data(tmp_path):
    """The streamed directory and zipfile's own reading both find overlapping entries (in order of
    their offsets or not) before reading a member."""
    from tests.hostile.make_hostile import RawEntry, raw_zip, zip_overlapping_at_one_offset

    overlapping = tmp_path / "overlap.zip"
    overlapping.write_bytes(zip_overlapping_at_one_offset(5))
    backwards = tmp_path / "backwards.zip"  # the second entry lies before the first, inside its data
    blob = b" " * 200
    backwards.write_bytes(raw_zip([RawEntry(b"a.json", blob, 0, 200, method=0),
                                   RawEntry(b"b.json", blob[:50], 0, 50, method=0, offset=40)][::-1]))
    for path in (overlapping, backwards):
        for walk in (members(path), [(n, str(e)) for n, e in documents_of(Directory.of_zipfile(path), str(path))]):
            assert walk == [(str(path), "entries of the zip share their data (a crafted zip, possibly a zip bomb); not read")]


def test_a_member_is_inflated_no_further_than_its_declared_size(tmp_path):
    from tests.hostile.make_hostile import zip_sharing_one_stream

    path = tmp_path / "lying.zip"
    path.write_bytes(zip_sharing_one_stream(1))  # 64 MiB of zeros, saying 1,000 bytes
    [item] = list(iter_documents([path]))
    with pytest.raises(Exception, match="larger than its size in the zip directory says") as refused:
        item.load()
    assert type(refused.value).__name__ == "InvalidSource"
