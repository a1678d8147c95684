"""The bulk path, as the importing process runs it: documents split study by study and passed by
reference, batches handed to a pool of worker processes (workers.py), a worker's death survived,
and the store set up for a bulk import while it runs."""

from __future__ import annotations

import contextlib
import gc
import itertools
import logging
import sqlite3
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from ..importers.json_stream import ArrayItemRef, is_big_study_array, iter_array_documents
from ..store.sqlite import fts
from ..store.sqlite.bulk import build_sort_indexes, bulk_import_lock, drop_sort_indexes
from .document import Document
from .finding import iter_documents
from .parsing import BULK_GC_THRESHOLD, KnownSources, SourceRef, load_document
from .report import DocumentResult, ImportReport
from .workers import parse_and_write, process_context, start_worker
from .zips import ZipMemberRef

log = logging.getLogger(__name__)

BATCH_BYTES = 64 * 2**20  # of documents in one batch (uncompressed), beyond its first document
# worker deaths one after the other, with no document written between, that stop the import
WORKER_DEATHS_TO_STOP = 5
WORKER_DIED = "could not be imported: the worker process reading it stopped (out of memory, or killed); nothing of it was kept"


def bulk_documents(
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
        yield load_document(item)


@contextlib.contextmanager
def bulk_settings(store_path: Path, conn: sqlite3.Connection, rebuild_sort_indexes: bool) -> Iterator[None]:
    """The store and this process set up for a bulk import while it runs, and set back after it:
    the full-text index's bulk configuration, a garbage collector that runs rarely, and (when
    ``rebuild_sort_indexes``) the sort indexes dropped under the bulk-import lock and built again at
    the end (3 s at 600,000 trials). Setting back after a failure that stopped the import may fail
    too (the disk is still full): that is logged, and the first failure is the one raised."""
    gc_threshold = gc.get_threshold()
    with contextlib.ExitStack() as lock:
        fts.set_bulk_config(conn, True)
        gc.set_threshold(BULK_GC_THRESHOLD)
        if rebuild_sort_indexes:
            lock.enter_context(bulk_import_lock(store_path))  # opening the store meanwhile leaves them
            drop_sort_indexes(conn)
        stopped = True
        try:
            yield
            stopped = False
        finally:
            gc.set_threshold(*gc_threshold)
            try:
                fts.set_bulk_config(conn, False)
                if rebuild_sort_indexes:
                    build_sort_indexes(conn)
            except sqlite3.Error as error:
                if not stopped:
                    raise
                # opening the store builds the missing sort indexes; the full-text index keeps its bulk
                # configuration (lazier merging) until the next bulk import sets it back. A sentence,
                # not a traceback, on the user's terminal (--verbose shows the traceback)
                log.warning("setting the store back after a failed bulk import failed too: %s", error)
                log.info("the failure of setting the store back", exc_info=True)


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


class _WorkerDied(Exception):
    """A worker process died: its pool is gone; ``documents``: those of the batches it left unfinished."""

    def __init__(self, documents: list[tuple]):
        super().__init__(f"{len(documents)} document(s) unfinished")
        self.documents = documents


@dataclass
class WorkerImport:
    """Importing documents through worker processes into the store at ``store_path``: what every
    pool of one import shares. ``on_batch(name)`` after each batch (the last document's name);
    ``cancelled()`` is asked while the batches are written."""

    store_path: Path
    known: KnownSources
    report: ImportReport
    on_batch: Callable[[str], None]
    cancelled: Callable[[], bool] | None

    def run(self, documents: Iterable[tuple], workers: int, batch_size: int) -> None:
        """Import ``documents`` in batches of ``batch_size``. Should a worker die (the system out of
        memory, killed, a crash in a library), the batches left unfinished are written again one
        document at a time by one worker: the document a worker dies on again fails alone, the
        import goes on, and so does a re-run (which would otherwise die on the same document)."""
        report = self.report
        batches = _chunks(documents, batch_size, BATCH_BYTES)
        while True:
            try:
                self._pool(batches, workers)
                return
            except _WorkerDied as died:
                unfinished = died.documents
            log.info("a worker process of the import died: %d document(s) are written again one by one", len(unfinished))
            queue: Iterator[tuple] = iter(unfinished)
            deaths_in_a_row = 0
            while not report.cancelled:
                done_before = report.documents
                try:
                    self._pool(([item] for item in queue), 1)
                    break
                except _WorkerDied as again:  # the first one unfinished: the one it died on
                    culprit, *others = again.documents
                    report.add(DocumentResult(culprit[0], error=WORKER_DIED))
                    self.on_batch(culprit[0])
                    queue = itertools.chain(others, queue)
                deaths_in_a_row = 1 if report.documents > done_before + 1 else deaths_in_a_row + 1
                if deaths_in_a_row >= WORKER_DEATHS_TO_STOP:  # not the documents: the workers cannot run here
                    log.error("the import's worker processes stopped %d times in a row: the import stops", deaths_in_a_row)
                    report.cancelled = True  # a re-run goes on from here
            if report.cancelled:
                return

    def _pool(self, batches: Iterator[list[tuple]], workers: int) -> None:
        """One pool of workers over ``batches``; raises _WorkerDied when one of them dies."""
        report, cancelled = self.report, self.cancelled
        context = process_context()
        turn, next_batch, stop = context.Condition(), context.Value("q", 0, lock=False), context.Event()
        # the workers watch the read end; this process alone holds the write end, closed when it ends
        importer_alive, importing = context.Pipe(duplex=False)
        unfinished: list[list[tuple]] = []
        unsent: list[tuple] | None = None  # the batch a broken pool refused to take
        with contextlib.closing(importer_alive), contextlib.closing(importing), ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=start_worker,
            initargs=(self.known, str(self.store_path), turn, next_batch, stop, importer_alive),
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
                self.on_batch(batch[-1][0])

            try:
                for number, batch in enumerate(batches):
                    try:
                        pending.append((pool.submit(parse_and_write, number, batch), batch))
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
