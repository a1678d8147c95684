"""Many briefs at once: one PDF per trial, written into a folder by a pool of processes.

WeasyPrint's layout is pure Python, so threads would share one core; a process per core uses them
all. Each worker opens the store itself (SQLite in WAL mode takes many readers) and keeps its Jinja
environment and WeasyPrint loaded between briefs. Processes are spawned, not forked, so a batch can
start from the desktop app, whose Qt threads must not be copied into a child.
"""

from __future__ import annotations

import multiprocessing
import os
import re
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from .reports import ReportError, ReportOptions, make_report

_worker_store = None


@dataclass
class BriefResult:
    registry_id: str
    path: Path | None = None
    error: str | None = None  # one-line reason when this trial's brief could not be made


def brief_file_name(registry_id: str) -> str:
    return re.sub(r"[^\w.-]+", "_", f"brief-{registry_id}") + ".pdf"


def _open_worker(data_dir: str) -> None:
    global _worker_store
    from .store.db import STORE_FILE_NAME, Store

    _worker_store = Store(Path(data_dir) / STORE_FILE_NAME)  # the parent opened (and upgraded) it


def _render_one(registry_id: str, out_dir: str, options: ReportOptions) -> BriefResult:
    target = Path(out_dir) / brief_file_name(registry_id)
    try:
        with _worker_store.session() as session:
            data = make_report(session, "brief", [registry_id], options)
        target.write_bytes(data)
    except ReportError as error:
        return BriefResult(registry_id, error=str(error))
    except OSError as error:
        return BriefResult(registry_id, error=f"cannot write {target}: {error.strerror or error}")
    return BriefResult(registry_id, path=target)


def write_briefs(
    data_dir: Path,
    registry_ids: list[str],
    out_dir: Path,
    options: ReportOptions,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[BriefResult]:
    """A brief per trial in ``out_dir`` (brief-<id>.pdf), in the order of ``registry_ids``.

    A trial that cannot be reported gets its reason and the others are still written. ``workers``
    defaults to one process per core (never more than there are briefs)."""
    ids = list(dict.fromkeys(registry_ids))
    out_dir.mkdir(parents=True, exist_ok=True)
    workers = max(1, min(workers or os.cpu_count() or 1, len(ids) or 1))
    results: dict[str, BriefResult] = {}
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_open_worker,
        initargs=(str(data_dir),),
    ) as pool:
        futures = {pool.submit(_render_one, rid, str(out_dir), options): rid for rid in ids}
        for done, future in enumerate(as_completed(futures), 1):
            result = future.result()
            results[result.registry_id] = result
            if progress is not None:
                progress(done, len(ids))
    return [results[rid] for rid in ids]
