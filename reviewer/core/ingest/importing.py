"""import_paths, the way into an import: it plans it, takes the serial or the bulk path, reports
progress, and ends with the store's own failure said in its sentence (StoreError), never masked."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from pathlib import Path

from .. import notes
from ..store import errors, reading
from ..store.db import Store
from .bulk import WorkerImport, bulk_documents, bulk_settings
from .finding import iter_documents
from .parsing import KnownSources, load_document
from .plan import ImportPlan, plan_import
from .report import DocumentResult, ImportReport, Progress, ProgressCallback
from .serial import import_serially


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

    ``bulk``: for thousands of documents (see the package's docstring); None: let plan_import choose.
    ``plan``: plan_import's answer when the caller has it already (it has shown the path taken).
    A bulk import's report keeps only counts, failures and the trials that got a new version, not
    every document's result. ``workers`` processes (default: one per core, at
    least two; 0 parses and writes here) each write up to ``batch_size`` documents per transaction.
    A failure of the store itself (a full disk, a read-only or damaged file, a lock held too long)
    stops the import with its StoreError; what was committed before it stays."""
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
        bulk_documents(paths, by_reference=workers > 0, counted=counted)
        if bulk
        else (load_document(item) for item in iter_documents(paths))
    )

    def show(current: str, pending: int = 0) -> None:
        if progress:
            done = report.documents + pending
            progress(Progress(done, max(total, done), current, time.perf_counter() - started))

    with errors.classified(store.path), contextlib.closing(store.raw_connection()) as conn:
        # rebuilding the sort indexes at the end costs about as much as keeping them up to date for a
        # third of the trials already stored
        rebuild_sort_indexes = bulk and total * 3 >= conn.execute("SELECT count(*) FROM trial").fetchone()[0]
        with bulk_settings(store.path, conn, rebuild_sort_indexes) if bulk else contextlib.nullcontext():
            try:
                known = KnownSources.of_store(conn) if bulk else KnownSources()

                def still_needed(items):
                    for name, data, error in items:
                        if isinstance(data, bytes) and known.has_source(data):
                            report.add(DocumentResult(name, skipped=True))
                            continue
                        yield name, data, error

                if workers > 0:
                    # at least four batches per worker, so that parsing and writing overlap in a smaller import
                    batch = max(50, min(batch_size, total // (4 * workers)))
                    WorkerImport(store.path, known, report, show, cancelled).run(still_needed(documents), workers, batch)
                else:
                    import_serially(
                        conn, still_needed(documents), known, report, show, cancelled, bulk=bulk, batch_size=batch_size
                    )
            except BaseException:
                errors.roll_back(conn)
                raise
    _finish_reanchoring(store)
    report.seconds = time.perf_counter() - started
    if progress and not report.cancelled:
        progress(Progress(report.documents, report.documents, "", report.seconds))
    return report


def _finish_reanchoring(store: Store) -> None:
    """Re-anchor the notes an older release's killed import left unchecked against a new current
    version (this one re-anchors them in the version's own transaction): a re-run finishes them."""
    from ..store.tables import Trial

    with store.session() as session:
        if not (trial_ids := notes.trials_with_unchecked_notes(session)):
            return
    with store.transaction() as session:
        for trial_id in trial_ids:
            trial = session.get(Trial, trial_id)
            notes.reanchor(session, trial_id, reading.load_record(session, trial.current_version_id), trial.current_version_id)
