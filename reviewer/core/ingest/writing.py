"""Writing parsed documents into the store through one raw connection, in batches of one transaction,
each document all or nothing; the store's own failures end the writing with their StoreError."""

from __future__ import annotations

import logging
import sqlite3
import time
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from .. import corrections, notes
from ..store import errors
from ..store import writing as store_writing
from ..store.columns import SUMMARY_COLUMNS, VERSION_COLUMNS
from .report import DocumentResult, ImportReport

log = logging.getLogger(__name__)


class UnstorableDocument(Exception):
    """A document holding a value the store cannot take (a number beyond SQLite's 64 bits...): the
    writer rolls back and that document alone fails, as when the database refuses one."""


def _write(
    conn: sqlite3.Connection, rows: store_writing.RowWriter, name: str, prepared: list[store_writing.Prepared]
) -> DocumentResult:
    """Write one document's records (inside the caller's transaction)."""
    result = DocumentResult(name, source_format=prepared[0].source_format)
    now = datetime.now(UTC)
    try:
        for p in prepared:
            saved = store_writing.save_record_raw(conn, p, name, now, rows)
            if saved.outcome == "updated":  # in the same transaction: see notes.reanchor_new_version
                record = cache(lambda p=p: store_writing.annotatable_record(p))
                notes.reanchor_new_version(conn, saved.trial_id, saved.version_id, record)
                corrections.reanchor_new_version(conn, saved.trial_id, saved.version_id, record)
            result.saved.append(saved)
    except sqlite3.Error:
        raise  # the database's own refusal or failure: the writer's caller tells them apart
    except Exception as error:
        log.info("could not write %s", name, exc_info=True)
        raise UnstorableDocument(_unstorable_reason(prepared, error)) from error
    result.warnings = [f"{p.registry_id}: {warning}" for p in prepared for warning in p.warnings]
    return result


def _unstorable_reason(prepared: list[store_writing.Prepared], error: Exception) -> str:
    """What of a document the store could not take, in words: the column of an out-of-range number."""
    if isinstance(error, OverflowError):
        for p in prepared:
            for columns, values in ((VERSION_COLUMNS, p.version), (SUMMARY_COLUMNS, p.summary)):
                for column, value in zip(columns, values, strict=False):
                    if isinstance(value, int) and not -(2**63) <= value < 2**63:
                        return f"its {column.replace('_', ' ')} {value} is beyond the numbers the store can hold"
        return "a number in it is beyond the numbers the store can hold"
    return "a value in it is of a kind the store cannot hold"


class BatchWriter:
    """Writes documents in batches, each batch one transaction.

    FTS5 flushes its pending index at every savepoint, so documents are not wrapped in savepoints;
    instead, if the database refuses a document, the batch is rolled back and written again one
    document per transaction, so that every document is still all or nothing.
    """

    def __init__(self, conn: sqlite3.Connection, report: ImportReport, per_commit: int, seconds: float):
        self.conn, self.report = conn, report
        self.rows = store_writing.RowWriter(conn)
        self.per_commit, self.seconds = per_commit, seconds
        self.pending: list[tuple[str, list[store_writing.Prepared]]] = []
        self.results: list[DocumentResult] = []
        self.started = 0.0
        self.path = Path(conn.execute("PRAGMA database_list").fetchone()[2])  # named by a StoreError

    def add(self, name: str, prepared: list[store_writing.Prepared]) -> None:
        if not self.pending:
            self._begin()
            self.started = time.perf_counter()
        self.pending.append((name, prepared))
        try:
            self.results.append(_write(self.conn, self.rows, name, prepared))
        except (sqlite3.Error, UnstorableDocument) as error:
            if isinstance(error, sqlite3.Error):
                self._stop_on_store_failure(error)  # ends the import if the store itself failed
            else:
                errors.roll_back(self.conn)
            self._one_by_one()
            return
        if len(self.pending) >= self.per_commit or time.perf_counter() - self.started > self.seconds:
            self.commit()

    def abandon(self) -> None:
        """Roll back the documents not yet committed: none of them is stored or reported."""
        if self.pending:
            errors.roll_back(self.conn)
        self.pending, self.results = [], []

    def _stop_on_store_failure(self, error: sqlite3.Error) -> None:
        """Roll back what is left of the transaction (errors.roll_back). A failure of the store
        itself (full disk, read-only, lock held too long, damage) ends the import with its
        StoreError: no other document could be written either. Otherwise the store refused this
        document: return."""
        errors.roll_back(self.conn)
        failure = errors.classify(error, self.path)
        if failure is not None:
            self.pending, self.results = [], []
            raise failure from error

    def _begin(self) -> None:
        # IMMEDIATE: the write lock from the start, so the row ids the writer hands out stay free
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            self._stop_on_store_failure(error)
            raise
        self.rows.begin()

    def commit(self) -> None:
        if not self.pending:
            return
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as error:
            self._stop_on_store_failure(error)
            raise
        for result in self.results:
            self.report.add(result)
        self.pending, self.results = [], []

    def _one_by_one(self) -> None:
        for name, prepared in self.pending:
            self._begin()
            try:
                result = _write(self.conn, self.rows, name, prepared)
                self.conn.execute("COMMIT")
            except UnstorableDocument as error:
                errors.roll_back(self.conn)
                result = DocumentResult(name, error=f"could not be stored ({error}); nothing of it was kept")
            except sqlite3.Error as error:
                self._stop_on_store_failure(error)  # the store itself failed: the import ends here
                log.info("the store refused %s", name, exc_info=True)
                result = DocumentResult(
                    name, error=f"could not be stored (the store refused it: {error}); nothing of it was kept"
                )
            self.report.add(result)
        self.pending, self.results = [], []
