"""One document to import: a file, or a member of a zip, named as the user sees it and read on demand."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..importers.base import InvalidSource

if TYPE_CHECKING:
    from .zips import ZipMemberRef


@dataclass
class Document:
    """One file, or one member of a zip, to be read."""

    name: str  # what the user sees: "trials/NCT001.json" or "ctg-studies.zip › NCT001.json"
    size: int  # bytes, as far as known before reading
    # Reads the bytes (raises InvalidSource when they cannot be had safely). Call it before asking
    # iter_documents for the next document: a zip member is read from the archive held open meanwhile.
    load: Callable[[], bytes]
    # a stored or deflated zip member: where its bytes are, for reading in another process
    ref: ZipMemberRef | None = None


# what the walk yields: a document, or the name of one that cannot be had and why
Found = Document | tuple[str, InvalidSource]
