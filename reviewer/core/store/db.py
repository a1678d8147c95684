"""Opening the store: schema checks, migrations with a backup first, the Store and its transactions
(the engine, its pragmas and read-only opening: sqlite/connection.py).

``open_store(path)`` is the one way in. It creates a new store at the head revision, upgrades an
older one after copying it aside, and refuses one written by a newer version of the app without
touching it.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import Session

from . import errors
from .errors import NewerSchemaError, StoreError  # noqa: F401 (the family's names, as before)
from .sqlite.bulk import build_sort_indexes, bulk_import_running
from .sqlite.connection import (
    connect_read_only,
    is_writable,
    make_engine,
    migration_engine,
    raw_connection,
    read_only_uri,
)

log = logging.getLogger(__name__)

STORE_FILE_NAME = "reviewer.sqlite3"
MIGRATIONS_DIR = Path(__file__).with_name("migrations")


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
    sqlite.connection.migration_engine): stopped half-way, it leaves the store as it was.
    Migrations run with foreign keys off and are checked against them before they commit: a
    violation rolls the whole upgrade back.
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
    engine = migration_engine(path)
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
        from the raw write path inside it too (writing.save_record), come out as their StoreError."""
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
                except Exception as again:
                    log.warning("the rollback after %r failed too: %s", error, again)  # a sentence, not a traceback
                    log.info("the failed rollback", exc_info=True)  # --verbose shows it
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


