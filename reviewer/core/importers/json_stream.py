"""Streaming the studies out of a large JSON array or API page without reading the file whole.

The website's download and API pages can be hundreds of megabytes. ``iter_array_items`` finds
the top-level objects of the first array in the stream (the file itself, or the "studies" list of a
page) and yields each object's bytes for orjson to parse. Memory stays at one chunk plus one object.

Where an object ends is asked of orjson first: parsing it from its first brace, orjson stops at the
content after it and says where (the split runs at about 150 MB/s). An object orjson cannot read
whole (invalid JSON, or cut by the end of the chunk) is walked instead, structural character by
structural character with a compiled regex (40 MB/s), which finds its end as long as its brackets
and strings close; the worker parsing it then gives the reason it is refused.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import orjson

from .base import MAX_DOCUMENT_BYTES, InvalidSource

CHUNK = 4 << 20
_STRUCTURE = re.compile(rb'["\\{}\[\]]')
_IN_STRING = re.compile(rb'["\\]')  # inside a string only " and \ matter
_JSON_SPACE = b" \t\r\n"
MIN_GUESS = 1 << 14


def _object_end(buffer: bytes, start: int, guess: int) -> int | None:
    """The end of the JSON object that begins at ``buffer[start]``, found by orjson, or None when
    orjson cannot read it whole from ``buffer`` (the structural walk then finds it).

    orjson reads (and checks as UTF-8) all the bytes it is given, so it is given a window of about
    ``guess`` bytes, widened while the object runs past it."""
    limit = len(buffer)
    view = memoryview(buffer)
    window = guess
    while True:
        end = min(start + window, limit)
        while end < limit and buffer[end] & 0xC0 == 0x80:  # not inside a UTF-8 sequence
            end -= 1
        try:
            orjson.loads(view[start:end])
        except orjson.JSONDecodeError as error:
            if error.msg == "unexpected end of data" and end < limit:
                window *= 4
                continue
            if error.msg != "unexpected content after document":
                return None
            chunk = view[start:end].tobytes()
            # orjson counts characters, not bytes
            after = error.pos if chunk.isascii() else len(chunk.decode()[: error.pos].encode())
            end = start + after
        while end > start and buffer[end - 1] in _JSON_SPACE:
            end -= 1
        return end


# A JSON file over this size that holds an array of studies (the website's download, a saved API
# page) is split into its studies by the bulk import instead of being read whole.
BIG_ARRAY_BYTES = 16 * 2**20
_HEAD = 4096


def is_big_study_array(path: Path, size: int) -> bool:
    """A file of over BIG_ARRAY_BYTES that begins as an array or as an API page of studies."""
    if size <= BIG_ARRAY_BYTES:
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError:
        return False
    return head.startswith(b"[") or (head.startswith(b"{") and b'"studies"' in head)


SAMPLES = 16
SAMPLE_BYTES = 1 << 18


def estimate_items(path: Path, size: int) -> int:
    """About how many studies a big array holds (an import's total, before the import has split the
    file): every study names its "nctId" once, so their density in 16 slices spread over the file
    (4 MiB read) times its size. Without that key, the size over the room the studies in its first
    megabytes take."""
    try:
        with path.open("rb") as handle:
            found = sampled = 0
            for n in range(SAMPLES):  # each in the middle of its sixteenth of the file
                handle.seek(max(0, (2 * n + 1) * size // (2 * SAMPLES) - SAMPLE_BYTES // 2))
                sample = handle.read(SAMPLE_BYTES)
                found += sample.count(b'"nctId"')
                sampled += len(sample)
            if found:
                return max(1, round(size * found / sampled))
            handle.seek(0)
            head = handle.read(CHUNK)
    except OSError:
        return 1  # the import names the file and the reason
    seen, first, last = 0, 0, 0
    # the head ends inside a study (an InvalidSource): the studies before it are enough
    with contextlib.suppress(InvalidSource):
        for offset, item in _array_items(io.BytesIO(head)):
            first = first if seen else offset
            last = offset + len(item)
            seen += 1
    if not seen:
        return max(1, size // 2**14)
    if len(head) == size:
        return seen  # the whole file was read
    return max(seen, round(size * seen / max(1, last - first)))


@dataclass(frozen=True)
class ArrayItemRef:
    """Where one study of a big array is in its file: a bulk import's worker reads it there, so the
    importing process never holds the studies it hands out (it held hundreds of MB of them)."""

    path: str
    offset: int
    length: int

    def read(self) -> tuple[bytes, None]:
        """The study's bytes (and no deflate stream: as ZipMemberRef.read)."""
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self.offset)
                data = handle.read(self.length)
        except OSError as error:
            raise InvalidSource(f"cannot read: {error.strerror or error}") from None
        if len(data) != self.length:
            raise InvalidSource("the file changed while it was being imported")
        return data, None


def iter_array_items(stream: BinaryIO) -> Iterator[bytes]:
    """Each element of the first JSON array (at depth 1 or inside a top-level object) as bytes."""
    for _offset, item in _array_items(stream):
        yield item


def iter_array_refs(path: Path) -> Iterator[ArrayItemRef]:
    """Where each study of a big array is (iter_array_items' objects, as references)."""
    with path.open("rb") as handle:
        for offset, item in _array_items(handle):
            yield ArrayItemRef(str(path), offset, len(item))


def _array_items(stream: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """iter_array_items, with each object's offset in the stream."""
    base = 0  # the stream offset of buffer[0]
    buffer = b""
    depth = 0  # nesting depth of [] and {}
    array_depth: int | None = None  # depth just inside the array whose items we yield
    in_string = False
    item_start: int | None = None
    offset = 0  # position in buffer where scanning resumes
    guess = MIN_GUESS  # the window orjson is given for the next object: twice the last one's size
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        buffer += chunk
        position = offset
        while True:
            match = (_IN_STRING if in_string else _STRUCTURE).search(buffer, position)
            if match is None:
                break
            char = match.group(0)
            if in_string:
                if char == b"\\":
                    if match.end() >= len(buffer):
                        position = match.start()  # the escaped character is in the next chunk
                        break
                    position = match.end() + 1  # skip the escaped character
                    continue
                position = match.end()
                if char == b'"':
                    in_string = False
                continue
            position = match.end()
            if char == b'"':
                in_string = True
            elif char in (b"{", b"["):
                if array_depth is not None and depth == array_depth and char == b"{":
                    end = _object_end(buffer, match.start(), guess)
                    if end is not None:
                        guess = max(MIN_GUESS, 2 * (end - match.start()))
                        yield base + match.start(), buffer[match.start() : end]
                        position = end
                        continue
                    item_start = match.start()
                depth += 1
                if array_depth is None and char == b"[" and depth <= 2:
                    array_depth = depth
            elif char in (b"}", b"]"):
                depth -= 1
                if (
                    array_depth is not None
                    and depth == array_depth
                    and item_start is not None
                    and char == b"}"
                ):
                    yield base + item_start, buffer[item_start:position]
                    item_start = None
                elif array_depth is not None and depth < array_depth:
                    return  # the array ended; the rest (e.g. nextPageToken) is not studies
        # keep only what an unfinished item (or an unfinished escape) still needs
        keep_from = item_start if item_start is not None else position
        buffer = buffer[keep_from:]
        base += keep_from
        if item_start is not None:
            item_start = 0
        offset = position - keep_from
        if len(buffer) > MAX_DOCUMENT_BYTES:
            raise InvalidSource("a single study in the array is oversized")
    if array_depth is None:
        raise InvalidSource("no JSON array of studies found")
    if depth != 0 or in_string:
        raise InvalidSource("truncated JSON (the document ends early)")
