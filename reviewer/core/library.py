"""The user's library: the store in the data folder, holding the sample trials from its first start."""

from __future__ import annotations

import logging
from pathlib import Path

from .. import paths
from .ingest import import_paths
from .store.db import STORE_FILE_NAME, MigrationProgress, Store, open_store

log = logging.getLogger(__name__)


def open_library(data_dir: Path, with_samples: bool = True, progress: MigrationProgress | None = None) -> Store:
    """Open the store in ``data_dir``; a store created now gets the sample trials. ``progress``
    hears of a long upgrade of an older store."""
    is_new = not (data_dir / STORE_FILE_NAME).exists()
    store = open_store(data_dir, progress)
    if is_new and with_samples and paths.samples_dir().is_dir():
        samples = sorted(p for p in paths.samples_dir().iterdir() if p.suffix == ".txt")
        report = import_paths(store, samples)
        log.info("first start: sample trials: %s", report.summary())
        for failed in report.failed:
            log.error("sample %s was refused: %s", failed.name, failed.error)
    return store
