"""Importing into the store: a result per document, progress with an ETA, cancel, and a bulk mode.

Every document is all or nothing: its records are written inside a savepoint that is rolled back if
any of them fails. The default mode commits at least every quarter of a second (a commit costs about
a millisecond; a crash loses at most that much work, which a re-run imports again). The bulk mode (for
thousands of documents: a registry zip, a big JSON array) streams big JSON arrays study by study,
skips documents whose exact source is already stored (so running it again after a cancel or a crash
completes the import), and hands batches of documents to worker processes that each parse a batch
and then write it in one transaction, taking turns in the documents' order (see _parse_and_write).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import hashlib
import itertools
import logging
import multiprocessing
import os
import signal
import sqlite3
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from . import notes
from .importers import Document, InvalidSource, ZipMemberRef, iter_documents, read_document, survey
from .importers.json_stream import ArrayItemRef, is_big_study_array, iter_array_documents
from .store import reading, writing
from .store.columns import SUMMARY_COLUMNS, VERSION_COLUMNS
from .store.db import Store
from .store.errors import classify as classify_store_error
from .store.sqlite import fts
from .store.sqlite.bulk import build_sort_indexes, bulk_import_lock, drop_sort_indexes
from .store.sqlite.connection import raw_connection

# a document's bytes as a worker process reads them itself
SourceRef = ZipMemberRef | ArrayItemRef

log = logging.getLogger(__name__)


@dataclass
class DocumentResult:
    name: str
    error: str | None = None  # one-line reason when the document was refused
    saved: list[writing.SaveResult] = field(default_factory=list)
    source_format: str | None = None
    skipped: bool = False  # bulk mode: this exact source is already stored
    # imported, but fields read as "not in source" because of their type or range: "NCT...: field ..."
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class ImportReport:
    """Counts of what an import did, the failures, and (unless a bulk import) every document's result."""

    results: list[DocumentResult] = field(default_factory=list)
    failed: list[DocumentResult] = field(default_factory=list)
    warned: list[DocumentResult] = field(default_factory=list)  # imported with warnings
    counts: dict[str, int] = field(default_factory=lambda: {"added": 0, "updated": 0, "unchanged": 0})
    documents: int = 0
    skipped: int = 0  # bulk mode: documents whose exact source was already stored
    cancelled: bool = False
    seconds: float = 0.0
    keep_results: bool = True  # a bulk import of 600,000 studies keeps only counts and failures
    updated_trials: set[int] = field(default_factory=set)  # trials that got a new version

    def add(self, result: DocumentResult) -> None:
        self.documents += 1
        self.skipped += result.skipped
        for saved in result.saved:
            self.counts[saved.outcome] += 1
            if saved.outcome == "updated":
                self.updated_trials.add(saved.trial_id)
        if not result.ok:
            self.failed.append(result)
        elif result.warnings:
            self.warned.append(result)
        if self.keep_results:
            self.results.append(result)

    def merge(self, other: ImportReport) -> None:
        """Add the counts, failures and results of a part of this import (a worker's batch)."""
        self.documents += other.documents
        self.skipped += other.skipped
        for outcome, number in other.counts.items():
            self.counts[outcome] += number
        self.failed.extend(other.failed)
        self.warned.extend(other.warned)
        self.updated_trials |= other.updated_trials
        if self.keep_results:
            self.results.extend(other.results)

    def count(self, outcome: str) -> int:
        return self.counts[outcome]

    def summary(self) -> str:
        text = (
            f"{self.documents:,} document(s): {self.count('added'):,} trial(s) added, "
            f"{self.count('updated'):,} updated, {self.count('unchanged') + self.skipped:,} unchanged, "
            f"{len(self.failed):,} failed"
        )
        if self.warned:
            text += f", {len(self.warned):,} imported with warnings"
        return text + (" (cancelled)" if self.cancelled else "")

    def to_dict(self) -> dict:
        shown = self.results if self.keep_results else self.failed + self.warned
        return {
            "documents": self.documents,
            "added": self.count("added"),
            "updated": self.count("updated"),
            "unchanged": self.count("unchanged") + self.skipped,
            "failed": len(self.failed),
            "cancelled": self.cancelled,
            "seconds": round(self.seconds, 3),
            "results": [
                {
                    "name": r.name,
                    "ok": r.ok,
                    "error": r.error,
                    "format": r.source_format,
                    "warnings": r.warnings,
                    "trials": [{"id": s.registry_id, "outcome": s.outcome} for s in r.saved],
                }
                for r in shown
            ],
        }


@dataclass
class Progress:
    """What a progress display needs: counts, the current document and an estimate of time left."""

    done: int
    total: int | None
    current: str
    elapsed: float

    @property
    def eta_seconds(self) -> float | None:
        if not self.total or not self.done or self.done >= self.total:
            return None
        return self.elapsed / self.done * (self.total - self.done)


ProgressCallback = Callable[[Progress], None]


# ---------------------------------------------------------------- reading and parsing


# Parsing makes and drops thousands of small containers per study, none of them in reference
# cycles: the default threshold (700) runs the cycle collector every few studies for nothing (6% of
# a worker's time). It still runs, rarely.
BULK_GC_THRESHOLD = 100_000


def _parse(
    name: str, data: bytes | SourceRef | None, error: str | None, known: KnownSources | None = None
) -> tuple[str, list[writing.Prepared] | None, str | None]:
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
        return name, [writing.prepare(p, data, deflated) for p in read_document(data)], None
    except InvalidSource as invalid:
        return name, None, str(invalid)
    except Exception:  # whatever an importer meets in one document fails that document alone
        # the details go to the log (the window's log file; the command line's with -v), not the user
        log.info("importer failed on %s", name, exc_info=True)
        return name, None, "could not be read (its content has a shape this app does not expect); nothing of it was kept"


def _loaded(item: Document | tuple[str, InvalidSource]) -> tuple[str, bytes | None, str | None]:
    if isinstance(item, tuple):
        return item[0], None, str(item[1])
    try:
        return item.name, item.load(), None
    except InvalidSource as error:
        return item.name, None, str(error)


def _bulk_documents(
    paths: list[Path], by_reference: bool, counted: Callable[[Path, int], None] = lambda *_: None
) -> Iterator[tuple[str, bytes | SourceRef | None, str | None]]:
    """Documents for bulk mode: big JSON arrays and API pages are split into one document per study
    (``counted(path, studies)`` once one is split whole); zip members are passed by reference
    (read by the worker) when ``by_reference``."""
    for item in iter_documents(paths):
        if by_reference and isinstance(item, Document) and item.ref is not None:
            yield item.name, item.ref, None
            continue
        if isinstance(item, Document) and " › " not in item.name and is_big_study_array(Path(item.name), item.size):
            # by reference, the workers read the studies: this process never holds them
            number = 0
            for document in iter_array_documents(Path(item.name), by_reference):
                number += 1
                yield document
            counted(Path(item.name), number)
            continue
        yield _loaded(item)


def _chunks(items: Iterable[tuple], count: int, size: int) -> Iterator[list[tuple]]:
    """Lists of at most ``count`` items and (beyond the first) at most ``size`` bytes of documents."""
    chunk: list[tuple] = []
    held = 0
    for item in items:
        data = item[1]
        if isinstance(data, ZipMemberRef):
            length = data.file_size
        else:
            length = data.length if isinstance(data, ArrayItemRef) else len(data or b"")
        if chunk and (len(chunk) >= count or held + length > size):
            yield chunk
            chunk, held = [], 0
        chunk.append(item)
        held += length
    if chunk:
        yield chunk


# ---------------------------------------------------------------- writing


class UnstorableDocument(Exception):
    """A document holding a value the store cannot take (a number beyond SQLite's 64 bits...): the
    writer rolls back and that document alone fails, as when the database refuses one."""


def _write(
    conn: sqlite3.Connection, rows: writing.RowWriter, name: str, prepared: list[writing.Prepared]
) -> DocumentResult:
    """Write one document's records (inside the caller's transaction)."""
    result = DocumentResult(name, source_format=prepared[0].source_format)
    now = datetime.now(UTC)
    try:
        for p in prepared:
            saved = writing.save_record_raw(conn, p, name, now, rows)
            if saved.outcome == "updated":  # in the same transaction: see notes.reanchor_new_version
                notes.reanchor_new_version(
                    conn, saved.trial_id, saved.version_id, lambda p=p: writing.annotatable_record(p)
                )
            result.saved.append(saved)
    except sqlite3.Error:
        raise  # the database's own refusal or failure: the writer's caller tells them apart
    except Exception as error:
        log.info("could not write %s", name, exc_info=True)
        raise UnstorableDocument(_unstorable_reason(prepared, error)) from error
    result.warnings = [f"{p.registry_id}: {warning}" for p in prepared for warning in p.warnings]
    return result


def _unstorable_reason(prepared: list[writing.Prepared], error: Exception) -> str:
    """What of a document the store could not take, in words: the column of an out-of-range number."""
    if isinstance(error, OverflowError):
        for p in prepared:
            for columns, values in ((VERSION_COLUMNS, p.version), (SUMMARY_COLUMNS, p.summary)):
                for column, value in zip(columns, values, strict=False):
                    if isinstance(value, int) and not -(2**63) <= value < 2**63:
                        return f"its {column.replace('_', ' ')} {value} is beyond the numbers the store can hold"
        return "a number in it is beyond the numbers the store can hold"
    return "a value in it is of a kind the store cannot hold"


class _BatchWriter:
    """Writes documents in batches, each batch one transaction.

    FTS5 flushes its pending index at every savepoint, so documents are not wrapped in savepoints;
    instead, if the database refuses a document, the batch is rolled back and written again one
    document per transaction, so that every document is still all or nothing.
    """

    def __init__(self, conn: sqlite3.Connection, report: ImportReport, per_commit: int, seconds: float):
        self.conn, self.report = conn, report
        self.rows = writing.RowWriter(conn)
        self.per_commit, self.seconds = per_commit, seconds
        self.pending: list[tuple[str, list[writing.Prepared]]] = []
        self.results: list[DocumentResult] = []
        self.started = 0.0
        self.path = Path(conn.execute("PRAGMA database_list").fetchone()[2])  # named by a StoreError

    def add(self, name: str, prepared: list[writing.Prepared]) -> None:
        if not self.pending:
            self._begin()
            self.started = time.perf_counter()
        self.pending.append((name, prepared))
        try:
            self.results.append(_write(self.conn, self.rows, name, prepared))
        except (sqlite3.Error, UnstorableDocument) as error:
            if isinstance(error, sqlite3.Error):
                self._stop_on_store_failure(error)  # ends the import if the store itself failed
            elif self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            self._one_by_one()
            return
        if len(self.pending) >= self.per_commit or time.perf_counter() - self.started > self.seconds:
            self.commit()

    def abandon(self) -> None:
        """Roll back the documents not yet committed: none of them is stored or reported."""
        if self.pending and self.conn.in_transaction:
            self.conn.execute("ROLLBACK")
        self.pending, self.results = [], []

    def _stop_on_store_failure(self, error: sqlite3.Error) -> None:
        """Roll back the transaction if it is still open (SQLite ends it itself on a full disk: a
        second ROLLBACK would fail and mask the cause). A failure of the store itself (full disk,
        read-only, lock held too long, damage) ends the import with its StoreError: no other
        document could be written either. Otherwise the store refused this document: return."""
        try:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
        except sqlite3.Error:
            log.warning("rollback after %s failed too", error, exc_info=True)
        failure = classify_store_error(error, self.path)
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
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                result = DocumentResult(name, error=f"could not be stored ({error}); nothing of it was kept")
            except sqlite3.Error as error:
                self._stop_on_store_failure(error)  # the store itself failed: the import ends here
                log.info("the store refused %s", name, exc_info=True)
                result = DocumentResult(
                    name, error=f"could not be stored (the store refused it: {error}); nothing of it was kept"
                )
            self.report.add(result)
        self.pending, self.results = [], []


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


# ---------------------------------------------------------------- bulk: workers that parse and write


# The store has one writer at a time, and on two cores a process that only writes is the bottleneck
# (and every parsed study is pickled to it and back). Instead each worker parses a batch, then waits
# for its turn and writes the batch in one transaction: while one writes, the other parses. Turns
# follow the batches' numbers, so the documents are written in their order, as the per-file path
# writes them (versions of one trial keep their order; trial ids come out the same).


class _Worker:
    """A bulk worker process's state, set up once by _start_worker."""

    known: KnownSources | None = None
    store_path = ""
    turn = None  # a Condition guarding next_batch
    next_batch = None  # a shared counter: the number of the batch whose turn it is to write
    stop = None  # an Event: cancelled, or another worker failed; wait no longer, write nothing more
    connection: sqlite3.Connection | None = None
    importer_alive = None  # the read end of a pipe: end-of-file once the importing process is gone


def _start_worker(known: KnownSources, store_path: str, turn, next_batch, stop, importer_alive) -> None:
    _die_with_the_import(importer_alive)
    _Worker.known, _Worker.store_path, _Worker.importer_alive = known, store_path, importer_alive
    _Worker.turn, _Worker.next_batch, _Worker.stop = turn, next_batch, stop
    gc.freeze()  # the objects a worker starts with are never scanned by its garbage collector again
    gc.set_threshold(BULK_GC_THRESHOLD)


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_the_import(importer_alive) -> None:
    """A worker must not outlive the import that started it: killed (SIGKILL, a crash), the import
    leaves no process behind that would go on writing its batches. A thread watches
    ``importer_alive``, the read end of a pipe whose only write end the importing process holds: it
    reads end-of-file the moment that process is gone (or closes it), and then kills this worker;
    it also looks at the parent's pid every second. On Linux the kernel also sends SIGKILL when the
    worker's parent dies: that is the importing process for a spawned worker, but the forkserver for
    a forked one, and the forkserver lives on while any worker does (each holds a copy of the pipe
    that tells it its client is gone), so there the pipe does the work (tests/e2e/test_import_kill.py
    fails without it)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    parent = os.getppid()

    def watch() -> None:
        while True:
            try:
                if importer_alive.poll(1.0):
                    importer_alive.recv_bytes()  # nothing is ever sent: end-of-file
            except (EOFError, OSError):
                break
            if os.getppid() != parent:
                break
        os.kill(os.getpid(), signal.SIGKILL)  # at once: no exit handler, no commit, the transaction is lost

    threading.Thread(target=watch, name="die-with-the-import", daemon=True).start()


def _worker_connection() -> sqlite3.Connection:
    if _Worker.connection is None:
        from multiprocessing.util import Finalize

        _Worker.connection = raw_connection(Path(_Worker.store_path))
        # two workers hold a connection each: a 16 MiB page cache (not the app's 64) writes as fast
        # here and keeps the import's memory, all processes together, under 500 MB
        _Worker.connection.execute("PRAGMA cache_size=-16384")
        Finalize(_Worker, _Worker.connection.close, exitpriority=10)  # runs when the worker exits
    return _Worker.connection


def _await_turn(number: int) -> bool:
    """Wait until batch ``number`` may write; False if the import was stopped meanwhile."""
    with _Worker.turn:
        while _Worker.next_batch.value != number:
            if _Worker.stop.is_set():
                return False
            _Worker.turn.wait(0.1)
    return not _Worker.stop.is_set()


def _pass_turn(number: int) -> None:
    with _Worker.turn:
        _Worker.next_batch.value = number + 1
        _Worker.turn.notify_all()


# documents between two looks at the stop flag in a worker: a few milliseconds of parsing or writing
STOP_CHECK_EVERY = 32


def _parse_and_write(number: int, items: list[tuple]) -> ImportReport | None:
    """In a worker: parse batch ``number``, then write it in its turn, in one transaction.

    Returns what was done (counts and failures), or None when the import was stopped before the
    batch's turn: nothing of it was written. Stopped while writing, the batch's transaction is
    rolled back: a cancel takes effect within milliseconds, and leaves whole batches."""
    parsed = []
    for n, item in enumerate(items):
        if n % STOP_CHECK_EVERY == 0 and _Worker.stop.is_set():
            return None
        parsed.append(_parse(*item, _Worker.known))
    if not _await_turn(number):
        return None
    try:
        report = ImportReport(keep_results=False)
        writer = _BatchWriter(_worker_connection(), report, per_commit=len(parsed) + 1, seconds=float("inf"))
        for n, (name, prepared, error) in enumerate(parsed):
            if n % STOP_CHECK_EVERY == 0 and _Worker.stop.is_set():
                writer.abandon()
                return report  # what was skipped, refused or committed one by one before the stop
            if prepared is None:
                report.add(DocumentResult(name, error=error, skipped=error is None))
            else:
                writer.add(name, prepared)
        if _Worker.importer_alive.poll(0):  # end-of-file: the import is gone; its watch kills us soon
            writer.abandon()  # so that nothing is committed after it, even in those milliseconds
            os.kill(os.getpid(), signal.SIGKILL)
        writer.commit()
        return report
    except BaseException:
        if _Worker.connection is not None and _Worker.connection.in_transaction:
            _Worker.connection.execute("ROLLBACK")
        raise
    finally:
        _pass_turn(number)


def _process_context():
    """A clean process for the workers: a fork of this one would inherit its open SQLite connections
    (SQLite forbids using them across fork) and, in the app, its Qt threads."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload([__name__])  # each worker forks with the importers loaded
    return context


def _import_in_workers(
    store_path: Path,
    documents: Iterable[tuple],
    known: KnownSources,
    report: ImportReport,
    workers: int,
    batch_size: int,
    on_batch: Callable[[str], None],
    cancelled: Callable[[], bool] | None,
) -> None:
    """Import ``documents`` through worker processes. Should a worker die (the system out of memory,
    killed, a crash in a library), the batches left unfinished are written again one document at a
    time by one worker: the document a worker dies on again fails alone, the import goes on, and so
    does a re-run (which would otherwise die on the same document)."""
    batches = _chunks(documents, batch_size, BATCH_BYTES)
    while True:
        try:
            _run_workers(store_path, batches, known, report, workers, on_batch, cancelled)
            return
        except _WorkerDied as died:
            unfinished = died.documents
        log.info("a worker process of the import died: %d document(s) are written again one by one", len(unfinished))
        queue: Iterator[tuple] = iter(unfinished)
        deaths_in_a_row = 0
        while not report.cancelled:
            done_before = report.documents
            try:
                _run_workers(store_path, ([item] for item in queue), known, report, 1, on_batch, cancelled)
                break
            except _WorkerDied as again:  # the first one unfinished: the one it died on
                culprit, *others = again.documents
                report.add(DocumentResult(culprit[0], error=WORKER_DIED))
                on_batch(culprit[0])
                queue = itertools.chain(others, queue)
            deaths_in_a_row = 1 if report.documents > done_before + 1 else deaths_in_a_row + 1
            if deaths_in_a_row >= WORKER_DEATHS_TO_STOP:  # not the documents: the workers cannot run here
                log.error("the import's worker processes stopped %d times in a row: the import stops", deaths_in_a_row)
                report.cancelled = True  # a re-run goes on from here
        if report.cancelled:
            return


# worker deaths one after the other, with no document written between, that stop the import
WORKER_DEATHS_TO_STOP = 5
WORKER_DIED = "could not be imported: the worker process reading it stopped (out of memory, or killed); nothing of it was kept"


class _WorkerDied(Exception):
    """A worker process died: its pool is gone; ``documents``: those of the batches it left unfinished."""

    def __init__(self, documents: list[tuple]):
        super().__init__(f"{len(documents)} document(s) unfinished")
        self.documents = documents


def _run_workers(
    store_path: Path,
    batches: Iterator[list[tuple]],
    known: KnownSources,
    report: ImportReport,
    workers: int,
    on_batch: Callable[[str], None],
    cancelled: Callable[[], bool] | None,
) -> None:
    """One pool of workers over ``batches``; raises _WorkerDied when one of them dies."""
    context = _process_context()
    turn, next_batch, stop = context.Condition(), context.Value("q", 0, lock=False), context.Event()
    # the workers watch the read end; this process alone holds the write end, closed when it ends
    importer_alive, importing = context.Pipe(duplex=False)
    unfinished: list[list[tuple]] = []
    unsent: list[tuple] | None = None  # the batch a broken pool refused to take
    with contextlib.closing(importer_alive), contextlib.closing(importing), ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(known, str(store_path), turn, next_batch, stop, importer_alive),
    ) as pool:
        pending: deque[tuple[Future, list[tuple]]] = deque()

        def collect() -> None:
            future, batch = pending[0]
            while True:
                if cancelled and not stop.is_set() and cancelled():
                    report.cancelled = True
                    stop.set()  # the batch being written is committed; no other starts
                try:
                    done = future.result(timeout=0.1)
                    break
                except FutureTimeout:
                    continue
            pending.popleft()
            if done is not None:
                report.merge(done)
            on_batch(batch[-1][0])

        try:
            for number, batch in enumerate(batches):
                try:
                    pending.append((pool.submit(_parse_and_write, number, batch), batch))
                except BrokenProcessPool:
                    unsent = batch
                    raise
                # two batches per worker: one being parsed or written, one waiting to be taken
                while len(pending) >= 2 * workers:
                    collect()
                if stop.is_set():
                    break
            while pending:
                collect()
        except BrokenProcessPool:
            # the batches done before the death count; the others were rolled back with their worker
            for future, batch in pending:
                if future.done() and future.exception() is None:
                    if (done := future.result()) is not None:
                        report.merge(done)
                else:
                    unfinished.append(batch)
            if unsent is not None:
                unfinished.append(unsent)
        except BaseException:
            stop.set()
            pool.shutdown(cancel_futures=True)
            raise
    if unfinished:
        raise _WorkerDied([item for batch in unfinished for item in batch])


BATCH_BYTES = 64 * 2**20  # of documents in one batch (uncompressed), beyond its first document


# From this many documents, an import that may choose (the window's, the command line's without
# --bulk or --serial) takes the bulk path: below it, the workers' start (about half a second) is not
# worth it, and per-document progress reads better.
BULK_FROM_DOCUMENTS = 2000


@dataclass(frozen=True)
class ImportPlan:
    """Which path an import takes, decided once from a survey of its paths (plan_import)."""

    total: int  # documents, a big array's studies estimated
    big_arrays: dict[str, int]  # big JSON arrays (only the bulk path can split them) and their estimates
    bulk: bool
    reason: str  # why this path, for the line the command line prints

    def describe(self) -> str:
        path = "the bulk path (worker processes)" if self.bulk else "the per-file path"
        return f"importing {self.total:,} document(s) by {path}: {self.reason}"


def plan_import(paths: list[Path], bulk: bool | None = None) -> ImportPlan:
    """The one rule for the bulk path: asked for (``bulk`` True), or, when the caller lets the import
    choose (None), from BULK_FROM_DOCUMENTS documents (a registry zip, a big folder or a big array).
    A big JSON array takes it even when the per-file path was asked for: read whole, it would be
    refused as oversized."""
    total, big_arrays = survey(paths)  # at once, from the zips' end records and the arrays' first studies
    if big_arrays and not bulk:
        return ImportPlan(total, big_arrays, True, "a JSON array too big to read whole is split study by study")
    if bulk is None:
        if total >= BULK_FROM_DOCUMENTS:
            return ImportPlan(total, big_arrays, True, f"{BULK_FROM_DOCUMENTS:,} documents or more")
        return ImportPlan(total, big_arrays, False, f"fewer than {BULK_FROM_DOCUMENTS:,} documents")
    return ImportPlan(total, big_arrays, bulk, "as asked")


def import_paths(
    store: Store,
    paths: list[Path],
    progress: ProgressCallback | None = None,
    cancelled: Callable[[], bool] | None = None,
    *,
    bulk: bool | None = False,
    workers: int | None = None,
    batch_size: int = 2500,
    plan: ImportPlan | None = None,
) -> ImportReport:
    """Import every document under ``paths`` into ``store``.

    ``bulk``: for thousands of documents (see the module's docstring); None: let plan_import choose.
    ``plan``: plan_import's answer when the caller has it already (it has shown the path taken).
    A bulk import's report keeps only counts, failures and the trials that got a new version, not
    every document's result. ``workers`` processes (default: one per core, at
    least two; 0 parses and writes here) each write up to ``batch_size`` documents per transaction."""
    started = time.perf_counter()
    plan = plan or plan_import(paths, bulk)
    total, big_arrays, bulk = plan.total, plan.big_arrays, plan.bulk
    report = ImportReport(keep_results=not bulk)
    workers = (workers if workers is not None else max(2, os.cpu_count() or 2)) if bulk else 0

    def counted(path: Path, studies: int) -> None:
        """A big array was split: its studies replace their estimate in the progress's total."""
        nonlocal total
        total += studies - big_arrays.get(str(path), 1)

    documents = (
        _bulk_documents(paths, by_reference=workers > 0, counted=counted)
        if bulk
        else (_loaded(item) for item in iter_documents(paths))
    )

    conn = store.raw_connection()
    gc_threshold = gc.get_threshold()
    # rebuilding the sort indexes at the end costs about as much as keeping them up to date for a
    # third of the trials already stored
    rebuild_sort_indexes = bulk and total * 3 >= conn.execute("SELECT count(*) FROM trial").fetchone()[0]
    lock = contextlib.ExitStack()
    if bulk:
        fts.set_bulk_config(conn, True)
        gc.set_threshold(BULK_GC_THRESHOLD)
        if rebuild_sort_indexes:
            lock.enter_context(bulk_import_lock(store.path))  # opening the store meanwhile leaves them
            drop_sort_indexes(conn)
    try:
        known = KnownSources.of_store(conn) if bulk else KnownSources()

        def still_needed(items):
            for name, data, error in items:
                if isinstance(data, bytes) and known.has_source(data):
                    report.add(DocumentResult(name, skipped=True))
                    continue
                yield name, data, error

        def show(current: str, pending: int = 0) -> None:
            if progress:
                done = report.documents + pending
                progress(Progress(done, max(total, done), current, time.perf_counter() - started))

        if workers > 0:
            # at least four batches per worker, so that parsing and writing overlap in a smaller import
            batch = max(50, min(batch_size, total // (4 * workers)))
            _import_in_workers(store.path, still_needed(documents), known, report, workers, batch, show, cancelled)
        else:
            writer = _BatchWriter(conn, report, batch_size if bulk else 200, 5.0 if bulk else 0.25)
            last_report = 0.0
            for name, prepared, error in (_parse(*item, known) for item in still_needed(documents)):
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
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        if bulk:
            fts.set_bulk_config(conn, False)
            gc.set_threshold(*gc_threshold)
        try:
            if rebuild_sort_indexes:
                build_sort_indexes(conn)  # 3 s at 600,000 trials
        finally:
            lock.close()
            conn.close()
    _finish_reanchoring(store)
    report.seconds = time.perf_counter() - started
    if progress and not report.cancelled:
        progress(Progress(report.documents, report.documents, "", report.seconds))
    return report


def _finish_reanchoring(store: Store) -> None:
    """Re-anchor the notes an older release's killed import left unchecked against a new current
    version (this one re-anchors them in the version's own transaction): a re-run finishes them."""
    from .store.tables import Trial

    with store.session() as session:
        if not (trial_ids := notes.trials_with_unchecked_notes(session)):
            return
    with store.transaction() as session:
        for trial_id in trial_ids:
            trial = session.get(Trial, trial_id)
            notes.reanchor(session, trial_id, reading.load_record(session, trial.current_version_id), trial.current_version_id)


def import_document(store: Store, document: Document) -> DocumentResult:
    """Import one document on its own (one transaction)."""
    report = ImportReport()
    name, prepared, error = _parse(*_loaded(document))
    if prepared is None:
        return DocumentResult(name, error=error)
    conn = store.raw_connection()
    try:
        writer = _BatchWriter(conn, report, 1, 0.0)
        writer.add(name, prepared)
        writer.commit()
    finally:
        conn.close()
    return report.results[0]
