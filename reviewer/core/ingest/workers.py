"""A bulk import's worker processes: each parses a batch of documents, then writes it in one
transaction when its turn comes, and dies with the import that started it.

The store has one writer at a time, and on two cores a process that only writes is the bottleneck
(and every parsed study would be pickled to it and back). Instead each worker parses a batch, then
waits for its turn and writes the batch in one transaction: while one writes, the other parses.
Turns follow the batches' numbers, so the documents are written in their order, as the per-file path
writes them (versions of one trial keep their order; trial ids come out the same).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import signal
import sqlite3
import sys
import threading
from pathlib import Path

from ..store import errors
from ..store.sqlite.connection import raw_connection
from .parsing import BULK_GC_THRESHOLD, KnownSources, parse_document
from .report import DocumentResult, ImportReport
from .writing import BatchWriter


class _Worker:
    """A bulk worker process's state, set up once by start_worker."""

    known: KnownSources | None = None
    store_path = ""
    turn = None  # a Condition guarding next_batch
    next_batch = None  # a shared counter: the number of the batch whose turn it is to write
    stop = None  # an Event: cancelled, or another worker failed; wait no longer, write nothing more
    connection: sqlite3.Connection | None = None
    importer_alive = None  # the read end of a pipe: end-of-file once the importing process is gone


def start_worker(known: KnownSources, store_path: str, turn, next_batch, stop, importer_alive) -> None:
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


def parse_and_write(number: int, items: list[tuple]) -> ImportReport | None:
    """In a worker: parse batch ``number``, then write it in its turn, in one transaction.

    Returns what was done (counts and failures), or None when the import was stopped before the
    batch's turn: nothing of it was written. Stopped while writing, the batch's transaction is
    rolled back: a cancel takes effect within milliseconds, and leaves whole batches."""
    parsed = []
    for n, item in enumerate(items):
        if n % STOP_CHECK_EVERY == 0 and _Worker.stop.is_set():
            return None
        parsed.append(parse_document(*item, _Worker.known))
    if not _await_turn(number):
        return None
    try:
        report = ImportReport(keep_results=False)
        writer = BatchWriter(_worker_connection(), report, per_commit=len(parsed) + 1, seconds=float("inf"))
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
        if _Worker.connection is not None:
            errors.roll_back(_Worker.connection)
        raise
    finally:
        _pass_turn(number)


def process_context():
    """A clean process for the workers: a fork of this one would inherit its open SQLite connections
    (SQLite forbids using them across fork) and, in the app, its Qt threads."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload([__name__])  # each worker forks with the importers loaded
    return context
