"""Background work: a QRunnable with Spyder-style signals, run on the app's thread pool.

Everything slow (imports, searches, library windows at scale, comparisons) runs here, never on the GUI
thread. A task's function receives the task itself, so it can report progress (``task.progress(x)``)
and check its stop flag (``task.is_cancelled()``); the result or the failure comes back to the GUI
thread by signal. Tasks are kept referenced until they finish, so Python never frees a running one.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)


class TaskSignals(QObject):
    sig_progress = Signal(object)
    sig_finished = Signal(object)
    sig_failed = Signal(str, str)  # one-line message, traceback


class Task(QRunnable):
    """``fn(task, *args, **kwargs)`` run on a pool thread; its return value is sent by sig_finished."""

    def __init__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any):
        super().__init__()
        self.setAutoDelete(False)
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.signals = TaskSignals()
        self._cancel = threading.Event()
        self.done = threading.Event()
        self.store_failure = None  # the StoreError it stopped on (a full disk ...): a message, not a bug

    def run(self) -> None:
        try:
            result = self.fn(self, *self.args, **self.kwargs)
        except Exception as error:
            from .store_failure import store_failure_of

            self.store_failure = store_failure_of(error, self.args)
            if self.store_failure is not None:
                log.warning("background task %s stopped: %s", getattr(self.fn, "__name__", self.fn), error)
                self.signals.sig_failed.emit(str(self.store_failure), traceback.format_exc())
                return
            log.exception("background task %s failed", getattr(self.fn, "__name__", self.fn))
            self.signals.sig_failed.emit(f"{type(error).__name__}: {error}", traceback.format_exc())
        else:
            self.signals.sig_finished.emit(result)
        finally:
            self.done.set()

    def progress(self, value: Any) -> None:
        self.signals.sig_progress.emit(value)

    def cancel(self) -> None:
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()


_pool: QThreadPool | None = None
_running: set[Task] = set()


def pool() -> QThreadPool:
    """The app's thread pool (at least 4 threads: an import must not starve a search)."""
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        _pool.setMaxThreadCount(max(4, QThreadPool.globalInstance().maxThreadCount()))
    return _pool


def start(
    fn: Callable[..., Any],
    *args: Any,
    on_finished: Callable[[Any], None] | None = None,
    on_failed: Callable[[str, str], None] | None = None,
    on_progress: Callable[[Any], None] | None = None,
    **kwargs: Any,
) -> Task:
    """Run ``fn(task, *args, **kwargs)`` in the background; callbacks run on the GUI thread."""
    task = Task(fn, *args, **kwargs)
    return submit(task, on_finished=on_finished, on_failed=on_failed, on_progress=on_progress)


def submit(
    task: Task,
    on_finished: Callable[[Any], None] | None = None,
    on_failed: Callable[[str, str], None] | None = None,
    on_progress: Callable[[Any], None] | None = None,
) -> Task:
    if on_progress is not None:
        task.signals.sig_progress.connect(on_progress)
    if on_finished is not None:
        task.signals.sig_finished.connect(on_finished)
    if on_failed is not None:
        task.signals.sig_failed.connect(on_failed)
    task.signals.sig_finished.connect(lambda _result, t=task: _running.discard(t))
    task.signals.sig_failed.connect(lambda _m, _d, t=task: _running.discard(t))
    _running.add(task)
    pool().start(task)
    return task


def cancel_all() -> None:
    for task in list(_running):
        task.cancel()


def wait_all(msecs: int = 30000) -> bool:
    """Wait for every running task (at shutdown, and between tests)."""
    return pool().waitForDone(msecs)


# ---------------------------------------------------------------- the import worker


class ImportTask(Task):
    """Imports files and folders into the library; sig_progress carries ingest.Progress objects,
    sig_finished the ImportReport. ``cancel()`` stops after the current document (in a bulk import
    of thousands, the batches being parsed or written are dropped whole)."""

    def __init__(self, library, paths: list[Path]):
        super().__init__(ImportTask._work, library, [Path(p) for p in paths])

    @staticmethod
    def _work(task: ImportTask, library, paths: list[Path]):
        # a registry zip or a big folder takes the bulk path (worker processes on every core)
        return library.import_paths(paths, progress=task.progress, cancelled=task.is_cancelled, bulk=None)
