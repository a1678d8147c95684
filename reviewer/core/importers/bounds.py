"""How much structure one document may hold, counted before a parser builds it.

A parser's memory follows the number of values it builds more than the document's size: a JSON
array of empty lists takes 29 bytes of memory per byte of input (a real study: 3), a Python-literal
dump read with ``ast.literal_eval`` about 1.5 KB per value (a million empty lists in 3 MB: 1.5 GB),
and XML elements with nothing in them 26 bytes per byte. So the punctuation that makes values
(``,`` ``:`` ``[`` ``{`` ``(``, or ``<`` in XML) is counted first, at the speed of bytes.count
(characters inside strings count too: that errs on the side of refusing), and a document with more
than its bound is refused with the count and the bound.

The bounds are above what the densest real records need (measured on the 385 API v2 studies and 99
XML records of the project's corpus), and keep a bomb's memory below what a real document of the
document size limit (64 MiB) takes:

- JSON: 100,000 values plus one per 6 bytes, and at most 4,000,000 (real compact JSON: one value per
  9.2 bytes at the densest, 24 pretty-printed on average; 4,000,000 empty lists take 340 MB, a real
  64 MiB document about 450 MB). A JSON array over 16 MiB is split study by study before this.
- XML: 100,000 tags plus one per 8 bytes, and at most 2,000,000 (real: one per 18 bytes at the
  densest, 33 on average; 2,000,000 empty elements take about 200 MB).
- A "Viewing Study" dump: 150,000 values whatever its size (the biggest study of the corpus, 1.4 MB
  of JSON, makes 75,370, and peaks at 92 MB in ast.literal_eval), and 16 MiB of text.
"""

from __future__ import annotations

from .base import InvalidSource

JSON_BASE_VALUES = 100_000
JSON_BYTES_PER_VALUE = 6
JSON_MAX_VALUES = 4_000_000
XML_BASE_TAGS = 100_000
XML_BYTES_PER_TAG = 8
XML_MAX_TAGS = 2_000_000
LITERAL_MAX_VALUES = 150_000
LITERAL_MAX_CHARS = 16 * 2**20


_NOT_VALUE_BYTES = bytes(b for b in range(256) if b not in b",:[{")


def json_values(data: bytes | str) -> int:
    """About how many values a JSON document makes (members and elements, containers included)."""
    if isinstance(data, str):
        return data.count(",") + data.count(":") + data.count("[") + data.count("{")
    return len(data.translate(None, _NOT_VALUE_BYTES))  # one pass: a third of four counts' time


def check_json(data: bytes | str) -> None:
    """Refuse a JSON document that would make too many values for its size."""
    bound = min(JSON_MAX_VALUES, JSON_BASE_VALUES + len(data) // JSON_BYTES_PER_VALUE)
    if len(data) <= bound:
        return  # no more values than bytes: a study of up to 120 KB is not even counted
    values = json_values(data)
    if values > bound:
        raise InvalidSource(
            f"too many values for its size ({values:,} in {len(data):,} bytes; at most {bound:,}): "
            "not a trial record, possibly a JSON bomb"
        )


def check_xml(data: bytes | str) -> None:
    """Refuse an XML document with too many tags for its size."""
    bound = min(XML_MAX_TAGS, XML_BASE_TAGS + len(data) // XML_BYTES_PER_TAG)
    if len(data) <= bound:
        return
    tags = data.count("<") if isinstance(data, str) else data.count(b"<")
    if tags > bound:
        raise InvalidSource(
            f"too many XML tags for its size ({tags:,} in {len(data):,} bytes; at most {bound:,}): "
            "not a trial record, possibly an XML bomb"
        )


def check_literal(dump: str) -> None:
    """Refuse a Python-literal record dump that ast.literal_eval would need too much memory for."""
    if len(dump) > LITERAL_MAX_CHARS:
        raise InvalidSource(
            f'the record dump after "Raw JSON" is oversized ({len(dump):,} characters; '
            f"at most {LITERAL_MAX_CHARS:,})"
        )
    if len(dump) <= LITERAL_MAX_VALUES:
        return
    values = json_values(dump) + dump.count("(")
    if values > LITERAL_MAX_VALUES:
        raise InvalidSource(
            f'the record dump after "Raw JSON" holds too many values ({values:,}; at most '
            f"{LITERAL_MAX_VALUES:,}): not a study, possibly a bomb"
        )
