"""Streaming the studies out of a large JSON array or API page without reading the file whole.

The website's download and API pages can be hundreds of megabytes. ``iter_array_items`` finds
the top-level objects of the first array in the stream (the file itself, or the "studies" list of a
page) by scanning for structural characters with a compiled regex, and yields each object's bytes
for orjson to parse. Memory stays at one chunk plus one object.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from .base import MAX_DOCUMENT_BYTES, InvalidSource

CHUNK = 1 << 20
_STRUCTURE = re.compile(rb'["\\{}\[\]]')
_IN_STRING = re.compile(rb'["\\]')  # inside a string only " and \ matter


def iter_array_items(stream: BinaryIO) -> Iterator[bytes]:
    """Each element of the first JSON array (at depth 1 or inside a top-level object) as bytes."""
    buffer = b""
    depth = 0  # nesting depth of [] and {}
    array_depth: int | None = None  # depth just inside the array whose items we yield
    in_string = False
    item_start: int | None = None
    offset = 0  # position in buffer where scanning resumes
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
                    yield buffer[item_start:position]
                    item_start = None
                elif array_depth is not None and depth < array_depth:
                    return  # the array ended; the rest (e.g. nextPageToken) is not studies
        # keep only what an unfinished item (or an unfinished escape) still needs
        keep_from = item_start if item_start is not None else position
        buffer = buffer[keep_from:]
        if item_start is not None:
            item_start = 0
        offset = position - keep_from
        if len(buffer) > MAX_DOCUMENT_BYTES:
            raise InvalidSource("a single study in the array is oversized")
    if array_depth is None:
        raise InvalidSource("no JSON array of studies found")
    if depth != 0 or in_string:
        raise InvalidSource("truncated JSON (the document ends early)")
