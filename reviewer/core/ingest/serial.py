"""The path that parses and writes every document in the importing process: the per-file import
(a result per document, progress after each), and a bulk import asked to start no worker."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable

from ..store.db import Store
from .document import Document
from .parsing import KnownSources, load_document, parse_document
from .report import DocumentResult, ImportReport
from .writing import BatchWriter


def import_serially(
    conn: sqlite3.Connection,
    documents: Iterable[tuple],
    known: KnownSources,
    report: ImportReport,
    show: Callable[[str, int], None],
    cancelled: Callable[[], bool] | None,
    *,
    bulk: bool,
    batch_size: int,
) -> None:
    """Parse and write ``documents`` ((name, data, error) each) through ``conn``. The per-file path
    commits at least every quarter of a second (a commit costs about a millisecond; a crash loses at
    most that much work, which a re-run imports again) and shows each document; in bulk mode,
    ``batch_size`` documents or 5 seconds a transaction, and progress ten times a second.
    ``show(current, pending)``: the document last parsed, and how many wait to be committed."""
    writer = BatchWriter(conn, report, batch_size if bulk else 200, 5.0 if bulk else 0.25)
    last_report = 0.0
    for name, prepared, error in (parse_document(*item, known) for item in documents):
        if cancelled and cancelled():
            report.cancelled = True
            break
        if prepared is None:
            report.add(DocumentResult(name, error=error, skipped=error is None))
        else:
            writer.add(name, prepared)
        now = time.perf_counter()
        if now - last_report > 0.1 or not bulk:
            last_report = now
            show(name, len(writer.pending))
    writer.commit()


def import_document(store: Store, document: Document) -> DocumentResult:
    """Import one document on its own (one transaction)."""
    report = ImportReport()
    name, prepared, error = parse_document(*load_document(document))
    if prepared is None:
        return DocumentResult(name, error=error)
    conn = store.raw_connection()
    try:
        writer = BatchWriter(conn, report, 1, 0.0)
        writer.add(name, prepared)
        writer.commit()
    finally:
        conn.close()
    return report.results[0]
