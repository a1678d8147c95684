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
        for offset, item, _kind, _n in _ArrayScanner(io.BytesIO(head), studies_only=True).elements():
            if item is None:
                continue
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
    """Each object of the first JSON array (the file, or a top-level object's "studies") as bytes;
    InvalidSource when the file is not such an array (trailing data, truncated, invalid JSON)."""
    for _offset, item, _kind, _n in _ArrayScanner(stream).elements():
        if item is not None:
            yield item


def iter_array_refs(path: Path) -> Iterator[ArrayItemRef]:
    """Where each study of a big array is (iter_array_items' objects, as references)."""
    with path.open("rb") as handle:
        for offset, item, _kind, _n in _ArrayScanner(handle).elements():
            if item is not None:
                yield ArrayItemRef(str(path), offset, len(item))


# Elements that are not studies, named one by one up to this many in a file; the others are counted
# in one failure of the file (a 100 MB array of numbers would make millions of failures).
NAMED_NOT_STUDIES = 1000


def iter_array_documents(
    path: Path, by_reference: bool
) -> Iterator[tuple[str, bytes | ArrayItemRef | None, str | None]]:
    """The documents a bulk import makes of a big array, as (name, study, failure): each study, by
    reference or as its bytes (``file › study N``, N its place in the array); each element that is
    not a study (not an object, or an object without a "protocolSection", which every study has) as
    a failure of its own (``file › element N``: "not a study (a number)"); and the
    file's own failure when it has one: invalid JSON or trailing data after the array, truncated,
    or no study in it at all."""
    name = str(path)
    studies = not_studies = elements = 0
    try:
        with path.open("rb") as handle:
            for offset, item, kind, number in _ArrayScanner(handle, studies_only=True).elements():
                elements += number
                if item is not None:
                    studies += 1
                    data = ArrayItemRef(name, offset, len(item)) if by_reference else item
                    yield f"{name} › study {elements}", data, None
                    continue
                not_studies += number
                if not_studies <= NAMED_NOT_STUDIES:
                    yield f"{name} › element {elements}", None, f"not a study ({kind})"
    except InvalidSource as error:
        yield name, None, str(error)
        return
    except OSError as error:
        yield name, None, f"cannot read: {error.strerror or error}"
        return
    if not_studies > NAMED_NOT_STUDIES:
        yield name, None, f"{not_studies - NAMED_NOT_STUDIES:,} more elements are not studies (not listed one by one)"
    if not studies:
        yield name, None, f"no study in {path.name}"


_NOT_SPACE = re.compile(rb"[^ \t\r\n]")
_SCALAR = re.compile(rb"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null")
_DELIMITER = re.compile(rb"[ \t\r\n,\]]")
# a run of elements that cannot be studies, each followed by its comma: numbers, true, false, null,
# strings, and arrays and objects with no array or object inside (a study's protocolSection is an
# object). Past NAMED_NOT_STUDIES, they are counted by the regex engine, not one by one in Python
# (an array of 6 million empty lists took a minute).
_STRING = rb'"(?:[^"\\]|\\.)*"'
_FLAT = rb'[^\[\]{}"]*(?:' + _STRING + rb'[^\[\]{}"]*)*'
_PLAIN = (
    rb"[ \t\r\n]*(?:-?[0-9][0-9.eE+-]*|true|false|null|" + _STRING + rb"|\{" + _FLAT + rb"\}|\[" + _FLAT + rb"\])"
    rb"[ \t\r\n]*,"
)
_PLAIN_RUN = re.compile(b"(?:" + _PLAIN + b"){1,10000}")
_PLAIN_ONE = re.compile(_PLAIN)
_STRUCTURE_BYTES = b',[]{}"'
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in _STRUCTURE_BYTES)
_SIMPLE_STRING = re.compile(rb'"[^"]*"')
_FLAT_CONTAINER = re.compile(rb"[\[{],*[\]}]")


def _elements_in_run(run: bytes) -> int:
    """How many elements a run matched by _PLAIN_RUN holds: its commas outside strings and flat
    containers (each element is followed by one), counted on its structure alone (its other bytes
    deleted, then its strings and containers, mostly by bytes.replace), or, where a string holds an
    escape, by matching the elements again (several times slower)."""
    if b"\\" in run:
        return _PLAIN_ONE.subn(b"", run)[1]
    structure = run.translate(None, _NOT_STRUCTURE)
    if b'"' in structure:
        # two adjacent quotes close one string and open the next, or hold nothing structural:
        # removing them merges strings or empties one, and leaves the commas outside strings
        structure = structure.replace(b'""', b"")
        if b'"' in structure:
            structure = _SIMPLE_STRING.sub(b"", structure)
    if b"[" in structure or b"{" in structure:
        structure = structure.replace(b"[]", b"").replace(b"{}", b"")
        if b"[" in structure or b"{" in structure:
            structure = _FLAT_CONTAINER.sub(b"", structure)
    return structure.count(b",")


_KINDS = {ord('"'): "a string", ord("["): "an array", ord("t"): "true", ord("f"): "false", ord("n"): "null"}
_STUDIES_KEY = re.compile(rb'"studies"[ \t\r\n]*:[ \t\r\n]*$')
MAX_OUTSIDE_BYTES = 1 << 20  # of JSON before and after the array (a page's other keys)


# The smallest study there can be: {"protocolSection":{"identificationModule":{"nctId":"NCT00000001"}}}
# is 68 bytes. A smaller object is not one (an array of 775,000 of them took 44 s and 430 MB to fail
# one by one; the smallest that pass take three times less).
MIN_STUDY_BYTES = 64


class _ArrayScanner:
    """The elements of the first array of a JSON stream (the stream itself, or a top-level object's
    "studies"), read chunk by chunk: an object's bytes are kept until it is yielded, everything else
    is dropped as soon as it is passed. The rest of the stream is checked to be the JSON that closes
    the document; any fault raises InvalidSource after the elements before it were yielded."""

    def __init__(self, stream: BinaryIO, studies_only: bool = False):
        self.stream = stream
        # an object without a "protocolSection" (which every study has) is not yielded as one
        self.studies_only = studies_only
        self.data = b""
        self.base = 0  # the stream offset of data[0]
        self.eof = False
        self.prefix = b""  # the document up to the array's "[" (checked with what follows the array)

    def _more(self, keep: int) -> bool:
        """Read the next chunk, dropping what comes before stream offset ``keep``; False at the end."""
        if self.eof:
            return False
        chunk = self.stream.read(CHUNK)
        if not chunk:
            self.eof = True
            return False
        if keep > self.base:
            self.data = self.data[keep - self.base :]
            self.base = keep
        self.data += chunk
        if len(self.data) > MAX_DOCUMENT_BYTES + CHUNK:
            raise InvalidSource("a single study in the array is oversized")
        return True

    def _byte(self, position: int) -> int | None:
        while position - self.base >= len(self.data):
            if not self._more(position):
                return None
        return self.data[position - self.base]

    def _skip_space(self, position: int) -> int | None:
        """The offset of the next byte that is not white space, or None at the end of the stream."""
        while True:
            found = _NOT_SPACE.search(self.data, position - self.base)
            if found:
                return self.base + found.start()
            position = self.base + len(self.data)
            if not self._more(position):
                return None

    def _value_end(self, start: int, keep: bool) -> int:
        """The end of the string, array or object that begins at offset ``start``, found by its
        structural characters (the depth counted: no recursion, whatever the nesting); its bytes
        are kept in the buffer when ``keep``, else dropped as they are passed."""
        depth, in_string = 0, False
        position = start
        while True:
            relative = position - self.base
            found = (_IN_STRING if in_string else _STRUCTURE).search(self.data, relative)
            if found is None or (found.group(0) == b"\\" and found.end() >= len(self.data)):
                position = self.base + (found.start() if found else len(self.data))
                if not self._more(start if keep else position):
                    raise InvalidSource("truncated JSON (the document ends early)")
                continue
            char = found.group(0)
            position = self.base + found.end()
            if char == b"\\":
                position += 1  # the escaped character
            elif char == b'"':
                in_string = not in_string
                if not in_string and depth == 0:
                    return position  # a string element
            elif char in (b"{", b"["):
                depth += 1
            else:
                depth -= 1
                if depth == 0:
                    return position

    def _scalar_end(self, start: int) -> int:
        """The end of the number, true, false or null at offset ``start``."""
        while True:
            found = _SCALAR.match(self.data, start - self.base)
            at_end = (found.end() if found else start - self.base + 8) >= len(self.data)
            if not at_end or not self._more(start):
                break
        if not found or (found.end() < len(self.data) and not _DELIMITER.match(self.data, found.end())):
            raise InvalidSource(f"invalid JSON in the array of studies (at byte {start:,})")
        return self.base + found.end()

    def _open_array(self) -> int:
        """The offset just inside the array whose elements are yielded."""
        depth, in_string, position = 0, False, 0
        while True:
            found = (_IN_STRING if in_string else _STRUCTURE).search(self.data, position - self.base)
            if found is None or (in_string and found.group(0) == b"\\" and found.end() >= len(self.data)):
                if not self._more(0):
                    raise InvalidSource("no JSON array of studies found")
                if len(self.data) > MAX_OUTSIDE_BYTES + CHUNK:
                    raise InvalidSource("no JSON array of studies found in its first megabyte")
                continue
            char = found.group(0)
            position = self.base + found.end()
            if in_string:
                if char == b"\\":
                    position += 1
                else:
                    in_string = False
            elif char == b'"':
                in_string = True
            elif char in (b"{", b"["):
                depth += 1
                if char == b"[" and (
                    depth == 1 or (depth == 2 and _STUDIES_KEY.search(self.data, 0, found.start()))
                ):
                    self.prefix = self.data[: found.end()]
                    return position
            else:
                depth -= 1

    def elements(self) -> Iterator[tuple[int, bytes | None, str | None, int]]:
        """(offset, the object's bytes, None, 1) for each object, (offset, None, what it is, 1) for
        each other element, in their order, and (offset, None, "a value", n) for a run of n plain
        values past the first NAMED_NOT_STUDIES; then the document's end is checked."""
        position = self._skip_space(self._open_array())
        guess = MIN_GUESS
        count = not_studies = 0
        while True:
            char = None if position is None else self._byte(position)
            if char is None:
                raise InvalidSource("truncated JSON (the document ends early)")
            if char == ord("]") and count == 0:
                break
            relative = position - self.base
            if not_studies >= NAMED_NOT_STUDIES:  # a study is never flat: the run stops at one
                run = _PLAIN_RUN.match(self.data, relative)
                if run and run.end() >= len(self.data) and self._more(position):
                    continue  # the run may go on in the next chunk
                if run and run.end() < len(self.data):
                    skipped = _elements_in_run(run.group(0))
                    yield position, None, "a value", skipped  # past the named ones, only counted
                    count += skipped
                    not_studies += skipped
                    position = self._skip_space(self.base + run.end())
                    continue
            if char == ord("{"):
                end = _object_end(self.data, relative, guess)
                if end is not None:
                    guess = max(MIN_GUESS, 2 * (end - relative))
                    end += self.base
                else:
                    end = self._value_end(position, keep=True)
                item = self.data[position - self.base : end - self.base]
                if self.studies_only and (len(item) < MIN_STUDY_BYTES or b'"protocolSection"' not in item):
                    what = "an object without protocolSection" if b'"protocolSection"' not in item else "too small"
                    yield position, None, what, 1
                    not_studies += 1
                else:
                    yield position, item, None, 1
            else:
                if char in (ord('"'), ord("[")):
                    end = self._value_end(position, keep=False)
                else:
                    end = self._scalar_end(position)
                yield position, None, _KINDS.get(char, "a number"), 1
                not_studies += 1
            count += 1
            after = self._skip_space(end)
            separator = None if after is None else self._byte(after)
            if separator == ord("]"):
                position = after
                break
            if separator != ord(","):
                if separator is None:
                    raise InvalidSource("truncated JSON (the document ends early)")
                raise InvalidSource(f"invalid JSON after element {count:,} of the array (at byte {after:,})")
            position = self._skip_space(after + 1)
            if position is not None and self._byte(position) == ord("]"):
                raise InvalidSource(f"invalid JSON: a comma after the last element of the array (at byte {after:,})")
        self._check_outside(position + 1)

    def _check_outside(self, after_array: int) -> None:
        """What surrounds the array must make a JSON document of it: the page's other keys, white
        space; anything else (trailing garbage, a second document) is the file's failure."""
        while not self.eof:
            self._more(after_array)
            if self.base + len(self.data) - after_array > MAX_OUTSIDE_BYTES:
                raise InvalidSource("trailing data after the array of studies (over 1 MiB of it)")
        rest = self.data[after_array - self.base :]
        prefix = self.prefix.removeprefix(b"\xef\xbb\xbf")
        try:
            orjson.loads(prefix + b"]" + rest)
        except orjson.JSONDecodeError:
            if prefix.lstrip().startswith(b"[") or rest.lstrip().startswith(b"}"):
                raise InvalidSource("trailing data after the array of studies: not JSON") from None
            raise InvalidSource("invalid JSON after the array of studies") from None
