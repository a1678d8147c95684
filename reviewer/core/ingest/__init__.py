"""Importing into the store: a result per document, progress with an ETA, cancel, and a bulk mode.

Every document is all or nothing. The per-file path (serial.py) parses and writes here and commits
at least every quarter of a second. The bulk path (for thousands of documents: a registry zip, a big
JSON array; bulk.py) streams big JSON arrays study by study, skips documents whose exact source is
already stored (so running it again after a cancel or a crash completes the import), and hands
batches of documents to worker processes (workers.py) that each parse a batch and then write it in
one transaction, taking turns in the documents' order. A failure of the store itself ends either
path with its StoreError (store/errors.py), never with the error of a rollback after it.

    finding.py, zips.py   the documents in files, folders and zips (document.py: one of them)
    parsing.py            one document's bytes -> records ready to write; the sources already stored
    writing.py            batches of documents written in one transaction each
    plan.py               which path an import takes (plan_import)
    importing.py          import_paths, the way in
    report.py             what an import tells its caller

Callers need only what this package exposes here.
"""

from .importing import import_paths
from .plan import ImportPlan, plan_import
from .report import DocumentResult, ImportReport, Progress, ProgressCallback
from .serial import import_document

__all__ = [
    "DocumentResult",
    "ImportPlan",
    "ImportReport",
    "Progress",
    "ProgressCallback",
    "import_document",
    "import_paths",
    "plan_import",
]
