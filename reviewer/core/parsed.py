"""What an importer hands over to the store: a parsed record with its own source document.

Defined in the core, beside the record, so that the store takes the core's own types and never
imports the importers (an import-linter contract in pyproject.toml).
"""

from __future__ import annotations

from .record import TrialRecord

MAX_WARNINGS = 20  # of one record: a hostile list of a million odd items still makes a short report


class ParsedRecord:
    """A record, its own original document (the file, or its part of a container), the importer's
    name (e.g. "ctgov-json") and the warnings left by reading it. The document is kept as the importer had it, text or UTF-8 bytes; the
    other form is made only when asked for (a bulk import stores the bytes and never needs the text)."""

    __slots__ = ("record", "source_format", "warnings", "_text", "_bytes")

    def __init__(
        self,
        record: TrialRecord,
        source_text: str | None,
        source_format: str,
        *,
        source_bytes: bytes | None = None,
        warnings: list[str] | tuple[str, ...] = (),
    ):
        if source_text is None and source_bytes is None:
            raise ValueError("a parsed record needs its source")
        self.record, self.source_format = record, source_format
        # what was read as "not in source" and why, one sentence each (fields.Fields), without repeats
        self.warnings = _capped(tuple(dict.fromkeys(warnings)))
        self._text, self._bytes = source_text, source_bytes

    @property
    def source_text(self) -> str:
        if self._text is None:
            self._text = self._bytes.decode("utf-8")
        return self._text

    @property
    def source_bytes(self) -> bytes:
        if self._bytes is None:
            self._bytes = self._text.encode("utf-8")
        return self._bytes


def _capped(warnings: tuple[str, ...]) -> tuple[str, ...]:
    if len(warnings) <= MAX_WARNINGS:
        return warnings
    return (*warnings[: MAX_WARNINGS - 1], f"and {len(warnings) - MAX_WARNINGS + 1:,} more warnings")
