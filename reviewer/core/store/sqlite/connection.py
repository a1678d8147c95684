"""SQLite connections with the app's pragmas: the engine, raw sqlite3 connections for the write
path, read-only opening of a store that cannot be written, the engine migrations run in."""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event
from sqlmodel import Session

from .. import errors

log = logging.getLogger(__name__)


def set_pragmas(
    dbapi_connection: sqlite3.Connection, _record, foreign_keys: bool = True, read_only: bool = False
) -> None:
    cursor = dbapi_connection.cursor()
    if not read_only:
        # Only a new, empty file takes it (before WAL is set). Most rows are a few KiB (a compressed
        # source, texts, the parts JSON, the index's copy): 16 KiB pages hold them without overflow
        # chains and write them with a quarter of the system calls. Older stores keep 4 KiB pages.
        cursor.execute("PRAGMA page_size=16384")
        # WAL must be set outside a transaction (SQLite ignores it inside one); on connect there is none.
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB
    cursor.execute("PRAGMA mmap_size=268435456")
    cursor.close()


def raw_connection(path: Path, uri: str | None = None) -> sqlite3.Connection:
    """A plain sqlite3 connection to an open store with the app's pragmas, in manual transaction
    mode: the write path (a bulk import's worker processes open their own). ``uri``: the read-only
    URI of a store that cannot be written (``read_only_uri``); its writes fail as read-only."""
    if uri:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    else:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    set_pragmas(conn, None, read_only=uri is not None)
    # Mapped pages count as the process's memory and grow with the store: the writer reads little.
    conn.execute("PRAGMA mmap_size=0")
    return conn


def make_engine(path: Path, uri: str | None = None) -> Engine:
    if uri:
        engine = create_engine(
            f"sqlite:///{path}",
            creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False),
        )
        event.listen(engine, "connect", lambda connection, record: set_pragmas(connection, record, read_only=True))
    else:
        engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})
        event.listen(engine, "connect", set_pragmas)

    def store_failure(context) -> None:
        """The store's own failures reach the caller as the StoreError that says them (classified
        here, once, with the file's name); anything else stays SQLAlchemy's exception."""
        failure = errors.classify(context.original_exception, path)
        if failure is not None:
            raise failure from context.original_exception

    event.listen(engine, "handle_error", store_failure)
    return engine


def dbapi(session: Session) -> sqlite3.Connection:
    """The sqlite3 connection under the session (same transaction): the write path is hot."""
    return session.connection().connection.driver_connection


# a store that cannot be written


def is_writable(path: Path) -> bool:
    """Whether the store at ``path`` (or a new one there) can be written: the file, and its folder
    (SQLite creates the -wal and -shm files beside it), unless both of those exist and can be."""
    if path.exists() and not os.access(path, os.W_OK):
        return False  # read-only file, immutable file, read-only mount
    if os.access(path.parent, os.W_OK):
        return True
    sides = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
    return path.exists() and all(side.exists() and os.access(side, os.W_OK) for side in sides)


def read_only_uri(path: Path) -> str:
    """The URI that opens a store that cannot be written, for reading.

    ``mode=ro`` first: it reads the write-ahead log too, but needs the -shm file beside the store,
    existing or created. When even that cannot be (a read-only folder or mount after a clean close,
    which deletes the -wal and -shm), ``immutable=1``: SQLite then reads the main file without any
    locking, which is right because nothing can write it either. Raises the StoreError the
    failure stands for (a foreign or damaged file)."""
    base = f"file:{quote(str(path.absolute()))}?mode=ro"
    for uri in (base, base + "&immutable=1"):
        try:
            conn = sqlite3.connect(uri, uri=True)
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            finally:
                conn.close()
            if uri != base and _has_log(path):
                log.warning("%s is read without its write-ahead log (no -shm can be made): its last changes are not shown", path)
            return uri
        except sqlite3.Error as error:
            code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF
            if code in (8, 14) and uri == base:  # READONLY, CANTOPEN: the -shm is missing
                continue
            raise errors.classify(error, path) or error from None
    raise errors.read_only(path)


def _has_log(path: Path) -> bool:
    wal = path.with_name(path.name + "-wal")
    return wal.exists() and wal.stat().st_size > 0


def connect_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection to the store (see read_only_uri); the caller closes it."""
    uri = f"file:{quote(str(path.absolute()))}?mode=ro" if is_writable(path) else read_only_uri(path)
    return sqlite3.connect(uri, uri=True)


def migration_engine(path: Path) -> Engine:
    """An engine whose transactions hold DDL too, with foreign keys off.

    Python's sqlite3 opens a transaction only before INSERT, UPDATE and DELETE: an ALTER TABLE
    would commit at once, and an upgrade stopped half-way would leave a store its next upgrade
    cannot take ("duplicate column"). Here every transaction begins with an explicit BEGIN, so an
    upgrade is all or nothing. Foreign keys off: SQLite would otherwise delete a dropped table's
    rows one by one, each checked against its children."""
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})

    def connect(dbapi_connection: sqlite3.Connection, record) -> None:
        set_pragmas(dbapi_connection, record, foreign_keys=False)
        dbapi_connection.isolation_level = None  # the driver begins nothing itself ...

    event.listen(engine, "connect", connect)
    event.listen(engine, "begin", lambda connection: connection.exec_driver_sql("BEGIN"))  # ... we do
    return engine


