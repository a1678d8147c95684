"""Many briefs at once: one PDF per trial, written into a folder by a pool of processes.

WeasyPrint's layout is pure Python, so threads would share one core; a process per core uses them
all. Each worker opens the store itself (SQLite in WAL mode takes many readers) and keeps its Jinja
environment and WeasyPrint loaded between briefs. Processes are spawned, not forked, so a batch can
start from the desktop app, whose Qt threads must not be copied into a child.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from .output_file import write_output
from .reports import ReportError, ReportOptions, make_report
from .store.errors import StoreError, cannot_write, classify

_worker_store = None


@dataclass
class BriefResult:
    registry_id: str
    path: Path | None = None
    error: str | None = None  # one-line reason when this trial's brief could not be made


# of the id in a brief's file name: with the rest, well under the 255 bytes a file name may have
MAX_ID_CHARS = 80
_UNSAFE_IN_NAME = re.compile(r"[^\w.-]+")  # \w: letters and digits of any script, and "_"


def brief_file_name(registry_id: str) -> str:
    """``brief-<id>.pdf``, a name safe in any folder: the id's path separators, control, bidi and
    other characters that are not letters, digits, "." or "-" become "_", and it is cut to
    MAX_ID_CHARS; an id so changed gets a short hash of itself, so two ids never share a file."""
    safe = _UNSAFE_IN_NAME.sub("_", registry_id)[:MAX_ID_CHARS]
    if safe != registry_id:
        safe += "-" + hashlib.sha256(registry_id.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"brief-{safe}.pdf"


def brief_path(out_dir: Path, registry_id: str) -> Path:
    """Where the brief of ``registry_id`` goes: always a file directly inside ``out_dir``."""
    target = out_dir / brief_file_name(registry_id)
    if target.resolve().parent != out_dir.resolve():  # cannot happen with a safe name: a last guard
        raise ValueError(f"the brief of {registry_id!r} would be written outside {out_dir}")
    return target


def _open_worker(data_dir: str) -> None:
    global _worker_store
    from .store.db import STORE_FILE_NAME, Store

    _worker_store = Store(Path(data_dir) / STORE_FILE_NAME)  # the parent opened (and upgraded) it


def _render_one(registry_id: str, out_dir: str, options: ReportOptions) -> BriefResult:
    try:
        target = brief_path(Path(out_dir), registry_id)
    except ValueError as error:
        return BriefResult(registry_id, error=str(error))
    try:
        with _worker_store.session() as session:
            data = make_report(session, "brief", [registry_id], options)
        write_output(target, data)
    except ReportError as error:
        return BriefResult(registry_id, error=str(error))
    except StoreError as error:  # the brief could not be written (a full disk, a read-only folder)
        return BriefResult(registry_id, error=str(error))
    except Exception as error:  # the store's own failures (damage, a lock held too long); else a bug
        failure = classify(error, _worker_store.path)
        if failure is None:
            raise
        return BriefResult(registry_id, error=str(failure))
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
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise cannot_write(out_dir, error) from None
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
