"""Opening the store: the SQLite engine and its pragmas, schema checks, migrations with a backup first.

``open_store(path)`` is the one way in. It creates a new store at the head revision, upgrades an
older one after copying it aside, and refuses one written by a newer version of the app without
touching it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; a bulk import is then not seen by open_store
    fcntl = None

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlmodel import Session

from . import errors
from .errors import NewerSchemaError, StoreError  # noqa: F401 (the family's names, as before)

log = logging.getLogger(__name__)

STORE_FILE_NAME = "reviewer.sqlite3"
MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def _set_pragmas(
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
    _set_pragmas(conn, None, read_only=uri is not None)
    # Mapped pages count as the process's memory and grow with the store: the writer reads little.
    conn.execute("PRAGMA mmap_size=0")
    return conn


def make_engine(path: Path, uri: str | None = None) -> Engine:
    if uri:
        engine = create_engine(
            f"sqlite:///{path}",
            creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False),
        )
        event.listen(engine, "connect", lambda connection, record: _set_pragmas(connection, record, read_only=True))
    else:
        engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _set_pragmas)

    def store_failure(context) -> None:
        """The store's own failures reach the caller as the StoreError that says them (classified
        here, once, with the file's name); anything else stays SQLAlchemy's exception."""
        failure = errors.classify(context.original_exception, path)
        if failure is not None:
            raise failure from context.original_exception

    event.listen(engine, "handle_error", store_failure)
    return engine


# ---------------------------------------------------------------- a store that cannot be written


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


def _migration_engine(path: Path) -> Engine:
    """An engine whose transactions hold DDL too, with foreign keys off.

    Python's sqlite3 opens a transaction only before INSERT, UPDATE and DELETE: an ALTER TABLE
    would commit at once, and an upgrade stopped half-way would leave a store its next upgrade
    cannot take ("duplicate column"). Here every transaction begins with an explicit BEGIN, so an
    upgrade is all or nothing. Foreign keys off: SQLite would otherwise delete a dropped table's
    rows one by one, each checked against its children."""
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})

    def connect(dbapi_connection: sqlite3.Connection, record) -> None:
        _set_pragmas(dbapi_connection, record, foreign_keys=False)
        dbapi_connection.isolation_level = None  # the driver begins nothing itself ...

    event.listen(engine, "connect", connect)
    event.listen(engine, "begin", lambda connection: connection.exec_driver_sql("BEGIN"))  # ... we do
    return engine


def alembic_config(path: Path) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", f"sqlite:///{path}")
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config(Path("unused"))).get_current_head() or ""


def known_revisions() -> set[str]:
    script = ScriptDirectory.from_config(alembic_config(Path("unused")))
    return {rev.revision for rev in script.walk_revisions()}


def current_revision(path: Path) -> str | None:
    """The store's schema revision; None for a new file (none there yet). A 0-byte file, a foreign
    file and a store whose version record is gone are refused (StoreError), not taken for new."""
    if not path.exists():
        return None
    if path.stat().st_size == 0:
        raise errors.not_a_store(path)
    try:
        conn = connect_read_only(path)
        try:
            has_table = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
            ).fetchone()
            if not has_table:
                tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
                if tables:
                    raise errors.foreign_database(path)
                return None
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as error:
        classified = errors.classify(error, path)
        if classified is None:
            raise
        raise classified from None
    if row is None or not row[0]:
        raise errors.damaged_schema(path)
    return row[0]


def backup(path: Path, suffix: str | None = None) -> Path:
    """A consistent copy of the store beside it (SQLite's online backup; safe while in use).

    A backup that cannot be written (a full disk, a read-only folder) raises the StoreError that
    says so and leaves no file behind."""
    stamp = suffix or datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.backup-{stamp}")
    existed = target.exists()
    try:
        source = connect_read_only(path)
        try:
            copy = sqlite3.connect(target)
            try:
                source.backup(copy)
            finally:
                copy.close()
        finally:
            source.close()
    except (sqlite3.Error, OSError) as error:
        if not existed:
            for leftover in (target, target.with_name(target.name + "-journal")):
                with contextlib.suppress(OSError):  # a read-only folder refuses even to unlink nothing
                    leftover.unlink(missing_ok=True)
        raise errors.backup_failed(error, path, target) from None
    return target


MigrationProgress = Callable[[str], None]


def upgrade(path: Path, progress: MigrationProgress | None = None) -> Path | None:
    """Bring the store to the head revision; returns the backup made first, if any.

    ``progress`` gets one-line messages while a long upgrade runs (a migration may report its own:
    ``context.config.attributes["progress"]``). The upgrade is one transaction, DDL included (see
    _migration_engine): stopped half-way, it leaves the store as it was. Migrations run with
    foreign keys off and are checked against them before they commit: a violation rolls the
    whole upgrade back.
    """
    revision = current_revision(path)
    head = head_revision()
    if revision == head:
        return None
    if revision is not None and revision not in known_revisions():
        raise errors.newer_schema(path, revision, head)
    if revision is not None and progress:
        progress("Copying the library aside before upgrading it…")
    made = backup(path, f"{revision}-{datetime.now():%Y%m%d-%H%M%S}") if revision is not None else None
    if made:
        log.info("store %s backed up to %s before migrating from %s", path, made, revision)
    if revision is not None and progress:
        progress("Upgrading the library…")
    engine = _migration_engine(path)
    try:
        with engine.begin() as connection:
            config = alembic_config(path)
            config.attributes["connection"] = connection
            # a new store is made, not upgraded: its (empty) migrations have nothing to report
            config.attributes["progress"] = progress if revision is not None else None
            command.upgrade(config, "head")
            violations = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchmany(5)
            if violations:
                raise StoreError(
                    f"upgrading {path} would break its links between tables ({violations}); "
                    "the file was not changed"
                )
    finally:
        engine.dispose()
    return made


class Store:
    """An open store: an engine with the app's pragmas and a session factory.

    ``uri``: a store that cannot be written is opened read-only through this URI (read_only_uri);
    ``read_only`` then says so, and every write fails with the read-only StoreError."""

    def __init__(self, path: Path, uri: str | None = None):
        self.path = path
        self.uri = uri
        self.read_only = uri is not None
        self.engine = make_engine(path, uri)

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed together or not at all. The store's own failures,
        from the raw write path inside it too (repo.save_record), come out as their StoreError."""
        with self.session() as session:
            try:
                yield session
                session.commit()
            except BaseException as error:
                # The driver sends ROLLBACK only while SQLite's transaction is still open (SQLite
                # may have ended it itself: a full disk); one that fails even so must not hide why
                # the work stopped.
                try:
                    session.rollback()
                except Exception:
                    log.warning("the rollback after %r failed too", error, exc_info=True)
                failure = errors.classify(error, self.path) if isinstance(error, sqlite3.Error) else None
                if failure is not None:
                    raise failure from error
                raise

    def raw_connection(self) -> sqlite3.Connection:
        return raw_connection(self.path, self.uri)

    def schema_revision(self) -> str | None:
        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def close(self) -> None:
        self.engine.dispose()


def open_store(data_dir: Path, progress: MigrationProgress | None = None) -> Store:
    """Open (creating or upgrading as needed) the store in ``data_dir``.

    A store that cannot be written (a read-only file, folder or mount, an immutable file) is opened
    read-only (``Store.read_only``) when it needs no upgrade."""
    path = data_dir / STORE_FILE_NAME
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise errors.cannot_write(data_dir, error) from None
    if not is_writable(path):
        if not path.exists():
            raise errors.read_only(path)  # a new library cannot be made there
        revision = current_revision(path)
        if revision != head_revision():
            if revision is not None and revision not in known_revisions():
                raise errors.newer_schema(path, revision, head_revision())
            raise errors.StoreReadOnlyError(
                f"{path} is read-only and was made by an older version of Protocol Reviewer: it must "
                "be upgraded before this version can read it, which needs write access to it and "
                "its folder"
            )
        return Store(path, read_only_uri(path))
    upgrade(path, progress)
    if not bulk_import_running(path):
        conn = raw_connection(path)
        try:
            build_sort_indexes(conn, progress)  # after a bulk import that was killed
        finally:
            conn.close()
    return Store(path)


# Indexes of the trial table (the library's sort columns) whose keys are random: once the store
# outgrows the page cache each costs a page write per new trial (7% of a bulk import at 100,000
# studies). A big bulk import drops them and builds them again at its end, sorting all the keys at
# once; opening a store builds any that a killed import left missing.
SORT_INDEX_COLUMNS = ("brief_title", "lead_sponsor", "conditions")
SORT_INDEXES = {f"ix_trial_{column}": f"trial ({column})" for column in SORT_INDEX_COLUMNS}


def _bulk_import_marker(path: Path) -> Path:
    return path.with_name(path.name + "-bulk-import")


@contextmanager
def bulk_import_lock(path: Path) -> Iterator[None]:
    """Held (a shared advisory lock on a file beside the store) by a bulk import while the sort
    indexes are dropped: opening the store meanwhile must not build them, holding the write lock
    for seconds while the import's workers wait for it. The system releases it if the import is
    killed."""
    with _bulk_import_marker(path).open("a") as handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_SH)
        yield


def bulk_import_running(path: Path) -> bool:
    marker = _bulk_import_marker(path)
    if fcntl is None or not marker.exists():
        return False
    with marker.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
    return False


def drop_sort_indexes(conn: sqlite3.Connection) -> None:
    for name in SORT_INDEXES:
        conn.execute(f"DROP INDEX IF EXISTS {name}")


def build_sort_indexes(conn: sqlite3.Connection, progress: MigrationProgress | None = None) -> None:
    """Create the sort indexes that are missing (a quick look when all are there)."""
    present = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    missing = [name for name in SORT_INDEXES if name not in present]
    if missing and progress:
        progress("Indexing the library for sorting…")
    for name in missing:
        conn.execute(f"CREATE INDEX {name} ON {SORT_INDEXES[name]}")
