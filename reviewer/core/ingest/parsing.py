"""Reading and parsing one document into the records the store writes, in whichever process does it
(the importing one, or a bulk import's worker); and the sources already stored, which are skipped."""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from collections.abc import Iterable

from ..importers import InvalidSource, read_document
from ..importers.json_stream import ArrayItemRef
from ..store import writing as store_writing
from .document import Found
from .zips import ZipMemberRef

# a document's bytes as a worker process reads them itself
SourceRef = ZipMemberRef | ArrayItemRef

log = logging.getLogger(__name__)


# Parsing makes and drops thousands of small containers per study, none of them in reference
# cycles: the default threshold (700) runs the cycle collector every few studies for nothing (6% of
# a worker's time). It still runs, rarely.
BULK_GC_THRESHOLD = 100_000


def parse_document(
    name: str, data: bytes | SourceRef | None, error: str | None, known: KnownSources | None = None
) -> tuple[str, list[store_writing.Prepared] | None, str | None]:
    """Parse one document and prepare its records for writing (in a worker process in bulk mode). Never raises.

    A zip member or an array's study given by reference is read here; if its exact source is
    already stored, the result is (name, None, None): skipped."""
    if error is not None:
        return name, None, error
    try:
        deflated = None
        if isinstance(data, ZipMemberRef | ArrayItemRef):
            data, deflated = data.read()
            if known is not None and known.has_source(data):
                return name, None, None
        return name, [store_writing.prepare(p, data, deflated) for p in read_document(data)], None
    except InvalidSource as invalid:
        return name, None, str(invalid)
    except Exception:  # whatever an importer meets in one document fails that document alone
        # the details go to the log (the window's log file; the command line's with -v), not the user
        log.info("importer failed on %s", name, exc_info=True)
        return name, None, "could not be read (its content has a shape this app does not expect); nothing of it was kept"


def load_document(item: Found) -> tuple[str, bytes | None, str | None]:
    """A document found by the walk as (name, its bytes, the reason it cannot be read)."""
    if isinstance(item, tuple):
        return item[0], None, str(item[1])
    try:
        return item.name, item.load(), None
    except InvalidSource as error:
        return item.name, None, str(error)


class KnownSources:
    """The sources already stored, as the first 16 bytes of their SHA-256, in one sorted bytes value:
    16 bytes each (a set of bytes objects takes about 80), sent to each worker as one string, and
    found by binary search (about 20 steps at 600,000)."""

    SIZE = 16

    def __init__(self, sorted_digests: Iterable[bytes] = ()):
        self.table = b"".join(sorted_digests)
        self.count = len(self.table) // self.SIZE

    @classmethod
    def of_store(cls, conn: sqlite3.Connection) -> KnownSources:
        rows = conn.execute("SELECT source_hash FROM trial_version")
        return cls(sorted(bytes.fromhex(h)[: cls.SIZE] for (h,) in rows))

    def __len__(self) -> int:
        return self.count

    def __contains__(self, digest: bytes) -> bool:
        low, high, size, table = 0, self.count, self.SIZE, self.table
        while low < high:
            middle = (low + high) // 2
            entry = table[middle * size : middle * size + size]
            if entry == digest:
                return True
            if entry < digest:
                low = middle + 1
            else:
                high = middle
        return False

    def has_source(self, data: bytes) -> bool:
        return self.count > 0 and hashlib.sha256(data).digest()[: self.SIZE] in self
