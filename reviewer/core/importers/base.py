"""The importer protocol, the limits every importer checks and the error it raises on bad input."""

from __future__ import annotations

from typing import Protocol

from ..parsed import ParsedRecord
from ..record import TrialRecord

# Limits that keep a hostile or broken file from exhausting memory; each names its reason.
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024  # one file (or one zip member)
MAX_FIELD_CHARS = 1_000_000  # one text field of a record
MAX_ZIP_RATIO = 200  # uncompressed / compressed size of a zip member
MAX_ZIP_TOTAL_BYTES = 20 * 1024 * 1024 * 1024


class InvalidSource(ValueError):
    """Bad input. ``str(error)`` is a one-line reason a user can act on (without the file name)."""


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
