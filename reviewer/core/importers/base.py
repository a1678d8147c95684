"""The importer protocol, the parsed-record shape and the error every importer raises on bad input."""

from __future__ import annotations

from typing import Protocol

from ..record import TrialRecord

# Limits that keep a hostile or broken file from exhausting memory; each names its reason.
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024  # one file (or one zip member)
MAX_FIELD_CHARS = 1_000_000  # one text field of a record
MAX_ZIP_RATIO = 200  # uncompressed / compressed size of a zip member
MAX_ZIP_TOTAL_BYTES = 20 * 1024 * 1024 * 1024
MAX_WARNINGS = 20  # of one record: a hostile list of a million odd items still makes a short report


class InvalidSource(ValueError):
    """Bad input. ``str(error)`` is a one-line reason a user can act on (without the file name)."""


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


class Importer(Protocol):
    name: str  # stable id stored with each version: "ctgov-json", "ctgov-xml", ...
    label: str  # words for people: "ClinicalTrials.gov JSON (API v2)"

    def sniff(self, head: str) -> float:
        """Confidence 0..1 that a document starting with ``head`` (its first 8 KiB) is this format."""
        ...

    def parse(self, text: str) -> list[ParsedRecord]:
        """Every record in the document, or raise InvalidSource. Never a partial list."""
        ...


def check_field_sizes(record: TrialRecord) -> None:
    """Refuse a record with an absurdly large text field (a sign of a broken or hostile file)."""
    for name in ("brief_title", "official_title", "brief_summary", "detailed_description"):
        value = getattr(record, name)
        if value and len(value) > MAX_FIELD_CHARS:
            raise InvalidSource(
                f"field {name} of {record.registry_id} is oversized ({len(value):,} characters)"
            )
    criteria = record.eligibility.criteria_text if record.eligibility else None
    if criteria and len(criteria) > MAX_FIELD_CHARS:
        raise InvalidSource(f"eligibility text of {record.registry_id} is oversized")
