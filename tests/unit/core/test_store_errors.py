"""The store's own failures, classified once (reviewer/core/store/errors.py), from real SQLite errors
on real files: a page limit (PRAGMA max_page_count), a read-only connection, a lock held by another
connection, damaged pages, foreign files; and the helpers that keep data from driving a terminal
and ids from leaving the briefs' folder."""

from __future__ import annotations

import contextlib
import json
import pickle
import resource
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reviewer.core.importers import read_document
from reviewer.core.ingest import ImportReport
from reviewer.core.ingest.parsing import parse_document
from reviewer.core.ingest.writing import BatchWriter
from reviewer.core.output_file import write_output
from reviewer.core.report_batch import MAX_ID_CHARS, brief_file_name, brief_path
from reviewer.core.store import errors, listing, writing
from reviewer.core.store.db import STORE_FILE_NAME, Store, backup, current_revision, open_store
from reviewer.core.text import json_terminal_safe, terminal_safe
from tests.conftest import immutable, store_content


def study_bytes(i: int, words: int = 1500) -> bytes:
    study = {
        "protocolSection": {
            "identificationModule": {"nctId": f"NCT{91000000 + i:08d}", "briefTitle": f"Generated study {i}"},
            "statusModule": {"overallStatus": "RECRUITING"},
            "descriptionModule": {"briefSummary": " ".join(f"t{(i * 13 + k) % 991}y{k}" for k in range(words))},
        }
    }
    return json.dumps(study).encode()


def failure_of(action, path: Path) -> errors.StoreError | None:
    try:
        action()
    except Exception as error:  # noqa: BLE001 (the test classifies whatever SQLite raised)
        return errors.classify(error, path)
    pytest.fail("the action did not fail")


@pytest.fixture
def db_file(tmp_path) -> Path:
    path = tmp_path / "plain.sqlite3"
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)")
        conn.executemany("INSERT INTO t (body) VALUES (?)", [(bytes(3000),) for _ in range(400)])
        conn.commit()
    return path


# ---------------------------------------------------------------- classification of real errors


def test_a_page_limit_is_a_full_disk(db_file):
    with contextlib.closing(sqlite3.connect(db_file)) as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count={pages + 2}")
        failure = failure_of(
            lambda: conn.executemany("INSERT INTO t (body) VALUES (?)", [(bytes(3000),)] * 50), db_file
        )
    assert isinstance(failure, errors.StoreFullError)
    assert str(db_file) in str(failure) and "disk is full" in str(failure) and "free some disk space" in str(failure)


def test_a_write_through_a_read_only_connection_is_read_only(db_file):
    with contextlib.closing(sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)) as conn:
        failure = failure_of(lambda: conn.execute("DELETE FROM t"), db_file)
    assert isinstance(failure, errors.StoreReadOnlyError) and "changes cannot be saved" in str(failure)


def test_a_lock_held_by_another_connection_is_busy(db_file):
    holder = sqlite3.connect(db_file, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with contextlib.closing(sqlite3.connect(db_file, timeout=0.05, isolation_level=None)) as conn:
            failure = failure_of(lambda: conn.execute("BEGIN IMMEDIATE"), db_file)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert isinstance(failure, errors.StoreBusyError) and "locked by another program" in str(failure)


def test_damaged_pages_are_corrupt_and_a_foreign_file_is_not_a_store(db_file, tmp_path):
    page_size = 4096
    with db_file.open("r+b") as handle:
        handle.seek(2 * page_size)
        handle.write(b"\xa5" * (20 * page_size))
    with contextlib.closing(sqlite3.connect(db_file)) as conn:
        failure = failure_of(lambda: conn.execute("SELECT sum(length(body)) FROM t").fetchone(), db_file)
    assert isinstance(failure, errors.StoreCorruptError) and "restore a backup" in str(failure)

    text = tmp_path / "notes.txt"
    text.write_text("not a database at all\n" * 300)
    with contextlib.closing(sqlite3.connect(text)) as conn:
        failure = failure_of(lambda: conn.execute("SELECT 1 FROM sqlite_master").fetchone(), text)
    assert isinstance(failure, errors.NotAStoreError) and "not a Protocol Reviewer library" in str(failure)


def test_a_bug_is_not_a_store_failure(db_file):
    with contextlib.closing(sqlite3.connect(db_file)) as conn:
        assert failure_of(lambda: conn.execute("SELEC nothing"), db_file) is None
        assert failure_of(lambda: conn.execute("INSERT INTO t (id) VALUES (1)"), db_file) is None  # a constraint
    assert errors.classify(TypeError("a bug"), db_file) is None


def test_the_store_engine_raises_the_store_error_itself(tmp_path):
    store = open_store(tmp_path / "data")
    holder = sqlite3.connect(store.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(errors.StoreBusyError) as raised, store.transaction() as session:
            session.connection().exec_driver_sql("PRAGMA busy_timeout=50")
            session.connection().exec_driver_sql("UPDATE trial SET brief_title = brief_title")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        store.close()
    assert str(store.path) in str(raised.value)


def test_store_errors_survive_pickling_from_a_worker_process(tmp_path):
    for failure in (errors.full(tmp_path), errors.corrupt(tmp_path, "x"), errors.busy(tmp_path)):
        copy = pickle.loads(pickle.dumps(failure))
        assert type(copy) is type(failure) and str(copy) == str(failure)


def test_a_file_that_cannot_be_written_is_said_the_same_way(tmp_path):
    with pytest.raises(OSError) as raised, open("/dev/full", "wb") as full:  # a real ENOSPC
        full.write(b"x" * 100_000)
        full.flush()
    assert isinstance(errors.cannot_write(tmp_path / "r.pdf", raised.value), errors.StoreFullError)
    with pytest.raises(OSError) as raised:
        (tmp_path / "missing" / "r.pdf").write_bytes(b"x")
    message = str(errors.cannot_write(tmp_path / "missing" / "r.pdf", raised.value))
    assert "r.pdf could not be written: its folder does not exist" in message


# ---------------------------------------------------------------- the serial import's rollback


def test_a_full_store_in_a_batch_ends_the_import_with_its_sentence_not_a_rollback_error(store):
    before = store_content(store)
    conn = store.raw_connection()
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count={pages + 40}")  # about 600 KiB more: some studies, not 200
    report = ImportReport()
    writer = BatchWriter(conn, report, per_commit=10_000, seconds=float("inf"))
    with pytest.raises(errors.StoreFullError) as raised:
        for i in range(200):
            name, prepared, error = parse_document(f"s{i}.json", study_bytes(i), None)
            assert error is None
            writer.add(name, prepared)
        writer.commit()
    assert str(store.path) in str(raised.value)
    assert not conn.in_transaction and report.results == []
    conn.close()
    assert store_content(store) == before  # the batch was rolled back whole
    conn = store.raw_connection()  # the cause gone (a connection without the limit): it writes
    try:
        writer = BatchWriter(conn, ImportReport(), per_commit=10_000, seconds=float("inf"))
        for i in range(20):
            writer.add(*parse_document(f"s{i}.json", study_bytes(i), None)[:2])
        writer.commit()
        assert conn.execute("SELECT count(*) FROM trial").fetchone()[0] == 20
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def test_a_failing_statement_after_sqlites_own_rollback_reports_the_first_error(db_file):
    """SQLite ends the transaction itself on a full disk: a second ROLLBACK fails with "cannot
    rollback", which roll_back never sends, and the failure said is the first one."""
    with contextlib.closing(sqlite3.connect(db_file, isolation_level=None)) as conn:
        conn.execute(f"PRAGMA max_page_count={conn.execute('PRAGMA page_count').fetchone()[0] + 2}")
        conn.execute("BEGIN IMMEDIATE")
        with pytest.raises(errors.StoreFullError) as raised, errors.classified(db_file):
            try:
                conn.executemany("INSERT INTO t (body) VALUES (?)", [(bytes(3000),)] * 50)
            except sqlite3.Error:
                assert not conn.in_transaction  # rolled back by SQLite itself
                errors.roll_back(conn)
                raise
        with pytest.raises(sqlite3.OperationalError, match="cannot rollback"):
            conn.execute("ROLLBACK")  # what the rollback would have said instead
    assert "disk is full" in str(raised.value) and "cannot rollback" not in str(raised.value)
    assert isinstance(raised.value.__cause__, sqlite3.OperationalError)


def test_a_bug_inside_classified_stays_a_bug(db_file):
    with (
        pytest.raises(sqlite3.OperationalError, match="syntax error"),
        errors.classified(db_file),
        contextlib.closing(sqlite3.connect(db_file)) as conn,
    ):
        conn.execute("SELEC nothing")
    with pytest.raises(KeyError), errors.classified(db_file):
        raise KeyError("a bug")


def test_a_full_store_in_a_session_transaction_says_the_disk_is_full(store):
    """The same through the store's sessions (Store.transaction), whose rollback comes after SQLite's."""
    parsed = [read_document(study_bytes(i))[0] for i in range(60)]
    with pytest.raises(errors.StoreFullError) as raised, store.transaction() as session:
        connection = session.connection()
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar()
        connection.exec_driver_sql(f"PRAGMA max_page_count={pages + 4}")
        for i, record in enumerate(parsed):
            writing.save_record(session, record, f"s{i}.json", datetime.now(UTC))
    assert str(store.path) in str(raised.value) and "cannot rollback" not in str(raised.value)
    with store.session() as session:
        assert listing.count_trials(session, listing.TrialFilter()) == 0


# ---------------------------------------------------------------- files that are not a library


def test_an_empty_file_a_foreign_database_and_a_lost_version_record_are_refused(tmp_path):
    path = tmp_path / STORE_FILE_NAME
    path.write_bytes(b"")
    with pytest.raises(errors.NotAStoreError, match=r"empty file \(0 bytes\)"):
        open_store(tmp_path)
    assert path.read_bytes() == b""
    path.unlink()
    open_store(tmp_path).close()
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("DELETE FROM alembic_version")
        conn.commit()
    with pytest.raises(errors.DamagedSchemaError, match="lost its schema version record"):
        current_revision(path)
    with pytest.raises(errors.DamagedSchemaError):
        open_store(tmp_path)


def test_an_immutable_library_opens_read_only_and_refuses_writes(tmp_path):
    data_dir = tmp_path / "data"
    open_store(data_dir).close()
    path = data_dir / STORE_FILE_NAME
    with immutable(path, data_dir):
        store = open_store(data_dir)
        try:
            assert store.read_only and "immutable=1" in store.uri  # not even a -shm could be made
            with store.session() as session:
                assert listing.count_trials(session, listing.TrialFilter()) == 0
            with pytest.raises(errors.StoreReadOnlyError), store.transaction() as session:
                parsed = read_document(study_bytes(1))[0]
                writing.save_record(session, parsed, "one.json", datetime.now(UTC))
            with pytest.raises(errors.StoreError, match="backup.* could not be written: .*read-only"):
                backup(path)
            assert list(data_dir.glob("*.backup-*")) == []
        finally:
            store.close()
    store = open_store(data_dir)
    assert not store.read_only
    store.close()


def test_store_reads_through_a_read_only_uri_in_a_writable_folder(tmp_path):
    data_dir = tmp_path / "data"
    open_store(data_dir).close()
    path = data_dir / STORE_FILE_NAME
    with immutable(path):
        store = open_store(data_dir)
        try:
            assert store.read_only and "immutable" not in store.uri  # the -shm beside it can be made
            with store.session() as session:
                assert listing.count_trials(session, listing.TrialFilter()) == 0
        finally:
            store.close()
    assert Store(path).read_only is False


# ---------------------------------------------------------------- output files


def test_a_report_that_cannot_be_written_keeps_the_file_that_was_there(tmp_path):
    target = tmp_path / "brief.pdf"
    target.write_bytes(b"%PDF old")
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, hard))  # Python ignores SIGXFSZ: EFBIG
    try:
        with pytest.raises(errors.StoreFullError) as raised:
            write_output(target, b"%PDF" + bytes(200 * 1024))
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert str(target) in str(raised.value) and "file-size limit" in str(raised.value)
    assert target.read_bytes() == b"%PDF old" and [p.name for p in tmp_path.iterdir()] == ["brief.pdf"]
    write_output(target, b"%PDF new")
    assert target.read_bytes() == b"%PDF new"


# ---------------------------------------------------------------- terminal and file names


def test_terminal_safe_shows_control_escape_and_bidi_characters_escaped():
    hostile = "T \x1b]0;title\x07 \x1b[2J\r FAILED \u202eexe \x9b31m\tok\nnext"
    assert terminal_safe(hostile) == (
        "T \\x1b]0;title\\x07 \\x1b[2J\\x0d FAILED \\u202eexe \\x9b31m\tok\\x0anext"
    )
    assert terminal_safe(hostile, keep_newlines=True).endswith("\tok\nnext")
    assert terminal_safe("Plain text, 中文, ≥ 18 years") == "Plain text, 中文, ≥ 18 years"
    encoded = json_terminal_safe(json.dumps({"t": hostile}, ensure_ascii=False))
    assert all(ch not in encoded for ch in "\x1b\x07\r\u202e\x9b") and json.loads(encoded) == {"t": hostile}


@pytest.mark.parametrize(
    "registry_id",
    ["../../etc/passwd", "/abs/path", "..", ".hidden", "a\\b", "x\x1b[2J\r\u202e", "Z" * 400, "NCT\u2066bad\u2069"],
)
def test_a_hostile_id_becomes_a_safe_name_inside_the_folder(tmp_path, registry_id):
    name = brief_file_name(registry_id)
    assert name.startswith("brief-") and name.endswith(".pdf")
    assert all(ch.isalnum() or ch in "._-" for ch in name) and "/" not in name and "\\" not in name
    assert len(name) <= len("brief-.pdf") + MAX_ID_CHARS + 9
    assert brief_path(tmp_path, registry_id).parent == tmp_path


def test_ids_that_differ_get_different_names_and_plain_ids_keep_theirs():
    assert brief_file_name("NCT07312656") == "brief-NCT07312656.pdf"
    assert brief_file_name("A/B") != brief_file_name("A_B") != brief_file_name("A?B")
    assert brief_file_name("Z" * 400) != brief_file_name("Z" * 401)
