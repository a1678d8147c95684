"""The store's own failures, classified once into one family of errors with one plain sentence each.

SQLite (directly or through SQLAlchemy) and the file system report a full disk, a read-only file,
a lock held too long or a damaged file as exceptions whose text means little to a clinician
("database or disk is full", "Background on this error at ..."). ``classify(error, path)`` turns
those into a ``StoreError`` subclass whose message names the file and says what to do; anything
else is a bug and ``classify`` returns None, so the caller re-raises it as it is.

Every StoreError takes its message as its only argument, so it survives pickling (a bulk import's
worker processes raise them into the importing process).

``classified(path)`` does that for a block of code: SQLite's errors inside come out as their
StoreError. ``roll_back(conn)`` ends what is left of a failed transaction without hiding the failure: SQLite
rolls a transaction back itself on some (a full disk, an I/O error), and a second ROLLBACK would
replace the cause with "cannot rollback - no transaction is active".
"""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar, TypeVar

log = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_SECONDS = 10  # the connections' busy_timeout (sqlite.connection.set_pragmas)

# SQLite's primary result codes (the low byte of an extended code)
_PERM, _BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 3, 5, 6, 8, 10, 11, 13, 14, 26


class StoreError(RuntimeError):
    """A problem with the store (or a file written from it) that the user must know about: the
    message is one user-facing sentence."""

    # what a subclass says after the file's name when nothing more is known of the failure (_said)
    sentence: ClassVar[str]


class StoreFullError(StoreError):
    """The disk (or the file's size limit) is full."""

    sentence = (
        "could not be written: the disk is full (or the file has reached its size limit); "
        "nothing of the unfinished change was kept: free some disk space and try again"
    )


class StoreIOError(StoreError):
    """The system could not read or write the file."""


class StoreReadOnlyError(StoreError):
    """The file or its folder cannot be written."""

    sentence = (
        "is read-only (the file or its folder cannot be written), so changes cannot be "
        "saved: copy the library into a folder you can write and use --data-dir, or get write access"
    )


class StoreBusyError(StoreError):
    """Another connection held the store locked past the busy timeout."""

    sentence = (
        "is locked by another program (or another Protocol Reviewer) that has been writing "
        f"to it for over {BUSY_TIMEOUT_SECONDS} seconds: wait for it to finish or close it, then try again"
    )


class StoreCorruptError(StoreError):
    """The file is damaged."""


class NotAStoreError(StoreError):
    """The file is not a Protocol Reviewer store (empty, foreign, or its header is damaged)."""


class DamagedSchemaError(StoreError):
    """The store's schema version record is missing or damaged."""

    sentence = (
        "has lost its schema version record (its alembic_version table is empty), so this "
        "app cannot tell how to read it: {advice}"
    )


class NewerSchemaError(StoreError):
    """The store was written by a newer version of the app."""


RESTORE_ADVICE = (
    "restore a backup (a reviewer.sqlite3.backup-* file beside it, or a copy made with "
    "`reviewer db backup`) by copying it over the damaged file"
)


Failure = TypeVar("Failure", bound=StoreError)


def _said(kind: type[Failure], path: Path) -> Failure:
    """The failure of kind ``kind`` at ``path``, in its own sentence."""
    return kind(f"{path} {kind.sentence.format(advice=RESTORE_ADVICE)}")


def full(path: Path) -> StoreFullError:
    return _said(StoreFullError, path)


def _file_size_limit() -> int | None:
    """This process's file-size limit (ulimit -f) in bytes, if one is set: SQLite reports a write
    past it as a disk I/O error."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    soft, _hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    return None if soft == resource.RLIM_INFINITY else soft


def _size(count: int) -> str:
    return f"{count / 2**20:.1f} MiB" if count >= 2**20 else f"{count / 1024:.0f} KiB"


def io_failure(path: Path, detail: str = "") -> StoreIOError:
    limit = _file_size_limit()
    if limit is not None:
        return StoreIOError(
            f"{path} could not be written: a write failed, and this session limits files to "
            f"{_size(limit)} (ulimit -f); nothing of the unfinished change was kept: raise the "
            "limit (or free disk space if the disk is full) and try again"
        )
    why = f" ({detail})" if detail else ""
    return StoreIOError(
        f"{path} could not be read or written: the system reported a disk input/output error{why}, "
        "which a file-size limit or a failing disk causes: check the disk and its free space and "
        "try again; if it happens again, " + RESTORE_ADVICE
    )


def read_only(path: Path) -> StoreReadOnlyError:
    return _said(StoreReadOnlyError, path)


def busy(path: Path) -> StoreBusyError:
    return _said(StoreBusyError, path)


def corrupt(path: Path, detail: str = "") -> StoreCorruptError:
    why = f" ({detail})" if detail else ""
    return StoreCorruptError(
        f"{path} is damaged{why}: {RESTORE_ADVICE}; `reviewer db check` shows the damage"
    )


def not_a_store(path: Path) -> NotAStoreError:
    try:
        size = path.stat().st_size
    except OSError:
        size = None
    if size == 0:
        return NotAStoreError(
            f"{path} is an empty file (0 bytes), not a library: {RESTORE_ADVICE}, or move the empty "
            "file aside to start a new library"
        )
    return NotAStoreError(
        f"{path} is not a Protocol Reviewer library (not an SQLite database, or its first page is "
        f"damaged): {RESTORE_ADVICE}, or move the file aside to start a new library"
    )


def foreign_database(path: Path) -> NotAStoreError:
    return NotAStoreError(
        f"{path} is an SQLite database but not a Protocol Reviewer store: move it aside (or "
        "use another --data-dir) to start a new library there"
    )


def damaged_schema(path: Path) -> DamagedSchemaError:
    return _said(DamagedSchemaError, path)


def newer_schema(path: Path, revision: str, head: str) -> NewerSchemaError:
    return NewerSchemaError(
        f"{path} was written by a newer version of Protocol Reviewer (schema {revision}); "
        f"this version knows schemas up to {head}. Update the app to open it. The file was not changed."
    )


def cannot_write(target: Path, error: OSError) -> StoreError:
    """A report or a backup that could not be written, said as the store's failures are."""
    code = error.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return StoreFullError(
            f"{target} could not be written: the disk is full; nothing was left behind: free some "
            "disk space and try again"
        )
    if code == errno.EFBIG:
        return StoreFullError(
            f"{target} could not be written: it would pass the file-size limit set for this "
            "session; nothing was left behind: raise the limit (ulimit -f) and try again"
        )
    if code in (errno.EROFS, errno.EACCES, errno.EPERM):
        return StoreReadOnlyError(
            f"{target} could not be written: its folder (or the file) is read-only: choose a folder "
            "you can write"
        )
    if code == errno.ENOENT:
        return StoreIOError(f"{target} could not be written: its folder does not exist: create it or choose another")
    return StoreIOError(
        f"{target} could not be written: {error.strerror or 'the system refused it'}: check the "
        "disk and the folder, then try again"
    )


# what a failed write of a copy (a backup) stands for, as the file system would have said it
_WRITE_ERRNO = {_FULL: errno.ENOSPC, _IOERR: errno.EIO, _READONLY: errno.EROFS, _PERM: errno.EACCES}


def backup_failed(error: BaseException, source: Path, target: Path) -> StoreError:
    """A backup of ``source`` into ``target`` that failed: the copy could not be written (said as
    for any file, naming the backup), or the store could not be read (said as the store's)."""
    if isinstance(error, OSError):
        return cannot_write(target, error)
    cause = _sqlite_error(error)
    code = _primary_code(cause) if cause is not None else None
    if code == _CANTOPEN:
        code = _READONLY if not folder_writable(target) else _IOERR
    if code in _WRITE_ERRNO:
        return cannot_write(target, OSError(_WRITE_ERRNO[code], os.strerror(_WRITE_ERRNO[code])))
    classified = classify(error, source)
    if classified is None:
        raise error
    return classified


def _sqlite_error(error: BaseException) -> sqlite3.Error | None:
    """The sqlite3 exception itself, or the one an SQLAlchemy exception wraps (``.orig``)."""
    if isinstance(error, sqlite3.Error):
        return error
    orig = getattr(error, "orig", None)
    return orig if isinstance(orig, sqlite3.Error) else None


def has_sqlite_header(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


def folder_writable(path: Path) -> bool:
    folder = path.parent if path.parent != Path("") else Path(".")
    return os.access(folder, os.W_OK)


def _primary_code(error: sqlite3.Error) -> int | None:
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF
    text = str(error).lower()  # errors raised without a code (rare): go by SQLite's fixed texts
    for needle, primary in (
        ("database or disk is full", _FULL),
        ("disk i/o error", _IOERR),
        ("readonly database", _READONLY),
        ("database is locked", _BUSY),
        ("database table is locked", _LOCKED),
        ("malformed", _CORRUPT),
        ("file is not a database", _NOTADB),
        ("unable to open database file", _CANTOPEN),
    ):
        if needle in text:
            return primary
    return None


def classify(error: BaseException, path: Path | str) -> StoreError | None:
    """The StoreError that ``error`` (raised by SQLite, directly or through SQLAlchemy, while using
    the store at ``path``) stands for, or None when it is not one of the store's own failures (a
    bug: the caller re-raises it)."""
    if isinstance(error, StoreError):
        return error
    path = Path(path)
    # (an OSError is not classified here: raised anywhere, it may be about another file; a file the
    # app writes says its own failure with cannot_write)
    cause = _sqlite_error(error)
    if cause is None:
        return None
    code = _primary_code(cause)
    detail = str(cause)
    if code == _FULL:
        return full(path)
    if code == _IOERR:
        return io_failure(path, detail if detail != "disk I/O error" else "")
    if code in (_READONLY, _PERM):
        return read_only(path)
    if code in (_BUSY, _LOCKED):
        return busy(path)
    if code == _CORRUPT:
        return corrupt(path, detail)
    if code == _NOTADB:
        return corrupt(path, detail) if has_sqlite_header(path) else not_a_store(path)
    if code == _CANTOPEN:
        if not folder_writable(path) or (path.exists() and not os.access(path, os.W_OK)):
            return read_only(path)
        return io_failure(path, "the file cannot be opened")
    return None


@contextmanager
def classified(path: Path | str) -> Iterator[None]:
    """SQLite's errors inside come out as the StoreError they stand for (about the store at
    ``path``); any other error, and an SQLite error that is not the store's failure (a bug), as it is."""
    try:
        yield
    except sqlite3.Error as error:
        failure = classify(error, path)
        if failure is None:
            raise
        raise failure from error


def roll_back(conn: sqlite3.Connection) -> None:
    """Roll back ``conn``'s transaction after a failure, if it is still open: the one way the write
    paths roll back. A rollback that fails even so (the disk gone) is logged, not raised: the
    caller goes on to raise the failure that stopped the transaction, which is the one to tell."""
    if not conn.in_transaction:
        return
    try:
        conn.execute("ROLLBACK")
    except sqlite3.Error as error:
        log.warning("the rollback after a failed write failed too: %s", error)  # a sentence, not a traceback
        log.info("the failed rollback", exc_info=True)  # --verbose shows it
