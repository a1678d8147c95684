"""The store's own failures through the real `reviewer` command, on real files: a file-size limit
(RLIMIT_FSIZE in the child: Python ignores SIGXFSZ, so writes fail with EFBIG), a full filesystem
(a small tmpfs, where mounting is allowed), a read-only and an immutable library, a lock held past
the busy timeout, a damaged file. Each ends with one sentence on stderr, exit status 2 and no
traceback; the store checks green afterwards and the next import succeeds once the cause is gone.
Also: data with terminal escape sequences is printed escaped, and `report --separate` keeps a
hostile id's brief inside the folder."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest

from reviewer.core.store.db import STORE_FILE_NAME
from tests.conftest import immutable

REVIEWER = [sys.executable, "-m", "reviewer"]


def reviewer(
    data_dir: Path, *args: str, file_size_limit: int | None = None, timeout: int = 180, env: dict | None = None
):
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, resource.RLIM_INFINITY))

    return subprocess.run(
        [*REVIEWER, "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=limit if file_size_limit is not None else None,
        env={**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})},
    )


def write_studies(folder: Path, count: int, start: int = 0, title: str = "Study {i} of a generated drug") -> Path:
    """``count`` small API v2 studies (about 12 KB each: a summary of varied words) as files."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + count):
        study = {
            "protocolSection": {
                "identificationModule": {"nctId": f"NCT{90000000 + i:08d}", "briefTitle": title.format(i=i)},
                "statusModule": {"overallStatus": "RECRUITING"},
                "descriptionModule": {"briefSummary": " ".join(f"w{(i * 7 + k) % 997}x{k}" for k in range(1200))},
                "eligibilityModule": {
                    "eligibilityCriteria": "Inclusion Criteria:\n\n* Adults\n\nExclusion Criteria:\n\n* None"
                },
            }
        }
        (folder / f"study-{i:05d}.json").write_text(json.dumps(study), encoding="utf-8")
    return folder


def assert_store_failure(result, *needles: str) -> str:
    """Exit status 2, one line on stderr naming the store's failure, no traceback or class name."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith("reviewer: ") and all(n in message for n in needles), result.stderr
    for leak in ("Traceback", "OperationalError", "DatabaseError", "sqlalchemy", "Background on this error"):
        assert leak not in result.stderr + result.stdout, result.stderr
    return message


def trial_count(data_dir: Path) -> int:
    with contextlib.closing(sqlite3.connect(data_dir / STORE_FILE_NAME)) as conn:
        return conn.execute("SELECT count(*) FROM trial").fetchone()[0]


def check_green(data_dir: Path) -> None:
    result = reviewer(data_dir, "db", "check")
    assert result.returncode == 0 and "integrity: ok" in result.stdout, result.stdout + result.stderr


@pytest.fixture
def library(tmp_path) -> Path:
    """A data folder whose store holds the three sample trials."""
    data_dir = tmp_path / "data"
    assert reviewer(data_dir, "list").returncode == 0
    return data_dir


# ---------------------------------------------------------------- a file-size limit


@pytest.mark.parametrize("bulk", [False, True], ids=["serial", "bulk"])
def test_an_import_past_the_file_size_limit_stops_with_one_sentence_and_the_next_one_succeeds(
    library, tmp_path, bulk
):
    studies = write_studies(tmp_path / "studies", 300)
    store = library / STORE_FILE_NAME
    before = trial_count(library)
    bulk_flag = ["--bulk"] if bulk else []
    # the store (and its write-ahead log) may grow by 1 MB: far less than the 300 studies need
    result = reviewer(library, "import", *bulk_flag, str(studies), file_size_limit=store.stat().st_size + 2**20)
    assert_store_failure(result, str(store), "ulimit -f", "try again")
    assert "cannot rollback" not in result.stderr
    check_green(library)
    kept = trial_count(library)
    assert before <= kept < before + 300  # committed batches are kept, nothing else
    again = reviewer(library, "import", *bulk_flag, str(studies))
    assert again.returncode == 0, again.stderr
    assert trial_count(library) == before + 300
    check_green(library)


def test_a_report_past_the_file_size_limit_leaves_no_file(library, tmp_path):
    target = tmp_path / "brief.pdf"
    # The store is only read, through its -shm file (32 KiB), which this open connection keeps in
    # place; a PDF brief is about 20 KB.
    with contextlib.closing(sqlite3.connect(library / STORE_FILE_NAME)) as keeper:
        keeper.execute("SELECT count(*) FROM trial").fetchone()
        result = reviewer(library, "report", "brief", "NCT07312656", "-o", str(target), file_size_limit=16384)
    assert_store_failure(result, str(target), "file-size limit")
    assert not target.exists() and list(tmp_path.glob("*.part")) == [] and list(tmp_path.glob(".brief*")) == []


def test_a_file_size_limit_below_the_shared_memory_file_is_said_for_reading_too(library):
    # listing needs the store's -shm file (32 KiB), which an 8 KiB limit keeps from being made
    result = reviewer(library, "list", file_size_limit=8192)
    assert_store_failure(result, str(library / STORE_FILE_NAME), "8 KiB (ulimit -f)")
    assert reviewer(library, "list").returncode == 0


# ---------------------------------------------------------------- a size-capped store

# Put first on the path of the `reviewer` processes (and so of the bulk import's workers, which the
# forkserver starts as new interpreters), this caps every connection to the store: SQLite's page
# limit is a setting of each connection, and the workers open their own.
CAPPING_SITECUSTOMIZE = """
import os, sqlite3

_connect = sqlite3.connect
_store = os.path.realpath(os.environ["CAPPED_STORE"])
_pages = int(os.environ["CAPPED_STORE_PAGES"])


def connect(database, *args, **kwargs):
    conn = _connect(database, *args, **kwargs)
    if isinstance(database, (str, os.PathLike)) and os.path.realpath(database) == _store:
        conn.execute(f"PRAGMA max_page_count={_pages}")
    return conn


sqlite3.connect = connect
"""


def capped(store: Path, room: int, hooks: Path) -> dict:
    """The environment of a `reviewer` whose connections to ``store`` may grow it by ``room`` pages."""
    hooks.mkdir(exist_ok=True)
    (hooks / "sitecustomize.py").write_text(CAPPING_SITECUSTOMIZE)
    with contextlib.closing(sqlite3.connect(store)) as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    return {
        "PYTHONPATH": os.pathsep.join([str(hooks), os.environ.get("PYTHONPATH", "")]),
        "CAPPED_STORE": str(store),
        "CAPPED_STORE_PAGES": str(pages + room),
    }


@pytest.mark.parametrize("bulk", [False, True], ids=["serial", "bulk"])
def test_an_import_into_a_size_capped_store_says_the_disk_is_full_and_the_next_one_succeeds(library, tmp_path, bulk):
    studies = write_studies(tmp_path / "studies", 300)
    store = library / STORE_FILE_NAME
    before = trial_count(library)
    bulk_flag = ["--bulk"] if bulk else []
    hooks = tmp_path / "hooks"
    # about 1 MB more (16 KiB pages): far less than the 300 studies need
    result = reviewer(library, "import", *bulk_flag, str(studies), env=capped(store, 60, hooks))
    assert_store_failure(result, str(store), "disk is full", "free some disk space")
    assert "cannot rollback" not in result.stderr
    check_green(library)
    assert before <= trial_count(library) < before + 300  # committed batches are kept, nothing else
    again = reviewer(library, "import", *bulk_flag, str(studies), env=capped(store, 100_000, hooks))  # raised
    assert again.returncode == 0, again.stderr
    assert trial_count(library) == before + 300
    check_green(library)


# ---------------------------------------------------------------- a full filesystem


@pytest.fixture
def small_disk(tmp_path):
    """A 16 MiB tmpfs (mounting needs root in a container that allows it; skipped otherwise)."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount_point)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {made.stderr.decode().strip()}")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(disk: Path, leave: int = 0) -> Path:
    """Fill the disk with one file, then give ``leave`` bytes back."""
    filler = disk / "filler"
    with filler.open("ab") as handle, contextlib.suppress(OSError):
        while True:
            handle.write(b"\0" * 65536)
            handle.flush()
    os.truncate(filler, max(0, filler.stat().st_size - leave))
    return filler


def test_a_full_disk_stops_an_import_a_report_and_a_backup_with_one_sentence(small_disk, tmp_path):
    library = small_disk / "data"
    assert reviewer(library, "list").returncode == 0
    store = library / STORE_FILE_NAME
    before = trial_count(library)
    studies = write_studies(tmp_path / "studies", 100)  # about 2.4 MB stored (and as much in the log) for 1 MiB left
    filler = fill(small_disk, leave=2**20)
    assert_store_failure(reviewer(library, "import", str(studies)), str(store), "disk is full")
    check_green(library)

    fill(small_disk)
    report = small_disk / "brief.pdf"
    assert_store_failure(
        reviewer(library, "report", "brief", "NCT07312656", "-o", str(report)), str(report), "disk is full"
    )
    assert not report.exists()
    assert_store_failure(reviewer(library, "db", "backup"), "backup", "disk is full")
    assert list(library.glob("*.backup-*")) == []  # no 0-byte "backup"
    check_green(library)

    filler.unlink()  # the cause gone: the same import succeeds
    assert reviewer(library, "import", str(studies)).returncode == 0
    assert trial_count(library) == before + 100
    made = reviewer(library, "db", "backup")
    assert made.returncode == 0 and Path(made.stdout.strip()).stat().st_size > 0


def test_a_full_disk_stops_a_bulk_import_with_one_sentence_and_the_next_one_succeeds(small_disk, tmp_path):
    """The bulk path's worker processes write: their full disk is said as the per-file path's is."""
    library = small_disk / "data"
    assert reviewer(library, "list").returncode == 0
    store = library / STORE_FILE_NAME
    before = trial_count(library)
    studies = write_studies(tmp_path / "studies", 100)
    filler = fill(small_disk, leave=2**20)
    result = reviewer(library, "import", "--bulk", str(studies))
    assert_store_failure(result, str(store), "disk is full")
    assert "cannot rollback" not in result.stderr
    check_green(library)
    filler.unlink()
    again = reviewer(library, "import", "--bulk", str(studies))
    assert again.returncode == 0, again.stderr
    assert trial_count(library) == before + 100
    check_green(library)


# ---------------------------------------------------------------- read-only and immutable


@contextlib.contextmanager
def read_only_mount(folder: Path, mount_point: Path):
    mount_point.mkdir()
    made = subprocess.run(["mount", "--bind", "-o", "ro", str(folder), str(mount_point)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot bind-mount read-only here: {made.stderr.decode().strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def assert_readable_but_not_writable(data_dir: Path, tmp_path: Path, every_command: bool = True) -> None:
    store = data_dir / STORE_FILE_NAME
    listed = reviewer(data_dir, "list")
    assert listed.returncode == 0 and "3 trial(s)" in listed.stdout, listed.stderr
    assert "read-only" in listed.stderr and "changes cannot be saved" in listed.stderr
    studies = write_studies(tmp_path / "studies", 3)
    assert_store_failure(reviewer(data_dir, "import", str(studies)), str(store), "read-only")
    if not every_command:
        return
    shown = reviewer(data_dir, "show", "NCT07312656")
    assert shown.returncode == 0 and "NCT07312656" in shown.stdout
    checked = reviewer(data_dir, "db", "check")
    assert checked.returncode == 0 and "integrity: ok" in checked.stdout, checked.stderr
    tmp_path.mkdir(exist_ok=True)
    brief = tmp_path / "brief.pdf"
    reported = reviewer(data_dir, "report", "brief", "NCT07312656", "-o", str(brief))
    assert reported.returncode == 0 and brief.read_bytes().startswith(b"%PDF")
    assert_store_failure(reviewer(data_dir, "import", "--bulk", str(studies)), str(store), "read-only")


def test_an_immutable_library_is_read_but_not_written(library, tmp_path):
    store = library / STORE_FILE_NAME
    with immutable(store, library):  # not even the -wal and -shm can be made: opened immutable
        assert_readable_but_not_writable(library, tmp_path / "a")
        assert_store_failure(reviewer(library, "db", "backup"), "backup", "read-only")
    with immutable(store):  # the file only: read through its write-ahead log
        assert_readable_but_not_writable(library, tmp_path / "b", every_command=False)
    studies = write_studies(tmp_path / "after", 3)
    assert reviewer(library, "import", str(studies)).returncode == 0
    assert trial_count(library) == 6
    check_green(library)


def test_a_library_on_a_read_only_mount_is_read_but_not_written(library, tmp_path):
    with read_only_mount(library, tmp_path / "ro") as mounted:
        assert_readable_but_not_writable(mounted, tmp_path, every_command=False)
        assert_store_failure(reviewer(mounted, "db", "backup"), "backup", "read-only")
        assert list(mounted.glob("*.backup-*")) == []


def test_a_new_library_cannot_be_made_in_a_read_only_folder(tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    with immutable(folder):
        assert_store_failure(reviewer(folder, "list"), str(folder / STORE_FILE_NAME), "read-only")


# ---------------------------------------------------------------- a lock held too long


def test_a_lock_held_past_the_busy_timeout_is_named_and_the_next_import_succeeds(library, tmp_path):
    studies = write_studies(tmp_path / "studies", 3)
    holder = sqlite3.connect(library / STORE_FILE_NAME, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE trial SET brief_title = brief_title")
    release = threading.Timer(25, lambda: None)  # a guard: the lock is released below in any case
    try:
        result = reviewer(library, "import", str(studies))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        release.cancel()
    assert_store_failure(result, "locked by another program", "try again")
    assert reviewer(library, "import", str(studies)).returncode == 0
    assert trial_count(library) == 6
    check_green(library)


# ---------------------------------------------------------------- a damaged file


def test_twenty_damaged_pages_are_reported_by_db_check_and_a_backup_restores(library, tmp_path):
    studies = write_studies(tmp_path / "studies", 200)
    assert reviewer(library, "import", str(studies)).returncode == 0
    made = reviewer(library, "db", "backup")
    assert made.returncode == 0
    saved = Path(made.stdout.strip())
    store = library / STORE_FILE_NAME
    page_size = 16384
    pages = store.stat().st_size // page_size
    with store.open("r+b") as handle:
        handle.seek((pages // 2 - 10) * page_size)
        handle.write(bytes(range(256)) * (20 * page_size // 256))
    checked = reviewer(library, "db", "check")
    assert "integrity: damaged" in checked.stdout
    assert_store_failure(checked, str(store), "is damaged", "restore a backup")
    for command in (
        ["list"], ["show", "NCT90000100"], ["search", "w5x3"], ["import", str(studies)], ["import", "--bulk", str(studies)]
    ):
        result = reviewer(library, *command)
        assert result.returncode in (0, 2) and "Traceback" not in result.stderr, (command, result.stderr)
        if result.returncode == 2:
            assert_store_failure(result, "is damaged", "restore a backup")
    shutil.copyfile(saved, store)
    for side in ("-wal", "-shm"):
        Path(f"{store}{side}").unlink(missing_ok=True)
    check_green(library)
    more = write_studies(tmp_path / "more", 5, start=500)
    assert reviewer(library, "import", str(more)).returncode == 0
    assert trial_count(library) == 208


@pytest.mark.parametrize(
    "damage, needle",
    [
        ("header", "not a Protocol Reviewer library"),
        ("first page", "is damaged"),
        ("empty file", "empty file (0 bytes)"),
        ("version record", "lost its schema version record"),
        ("text file", "not a Protocol Reviewer library"),
    ],
)
def test_a_damaged_or_foreign_file_is_refused_by_every_command(library, damage, needle):
    store = library / STORE_FILE_NAME
    if damage == "header":
        with store.open("r+b") as handle:
            handle.write(b"\xff" * 100)
    elif damage == "first page":
        with store.open("r+b") as handle:
            handle.seek(100)
            handle.write(b"\xff" * 8000)
    elif damage == "empty file":
        store.write_bytes(b"")
    elif damage == "version record":
        with contextlib.closing(sqlite3.connect(store)) as conn:
            conn.execute("DELETE FROM alembic_version")
            conn.commit()
    else:
        store.write_text("not a database\n" * 500)
    before = store.read_bytes()
    commands = [["list"], ["import", str(store)], ["import", "--bulk", str(store)], ["db", "check"]]
    if damage == "header":
        commands += [["show", "NCT07312656"], ["db", "upgrade"], ["report", "brief", "NCT07312656", "-o", "b.pdf"]]
    for command in commands:
        assert_store_failure(reviewer(library, *command), str(store), needle)
    assert store.read_bytes() == before  # never taken for an empty library, never changed


def test_a_missing_store_still_makes_a_new_library(tmp_path):
    result = reviewer(tmp_path / "new", "list")
    assert result.returncode == 0 and "3 trial(s)" in result.stdout


# ---------------------------------------------------------------- terminal escape sequences

HOSTILE = "Evil \x1b]0;pwned title\x07 \x1b[2J\r  FAILED forged line \u202etxt.exe"


def assert_escaped(text: str) -> None:
    for raw in ("\x1b", "\x07", "\r", "\u202e"):
        assert raw not in text, repr(text)


def test_escape_sequences_in_a_title_and_a_member_name_reach_the_terminal_escaped(library, tmp_path):
    studies = write_studies(tmp_path / "studies", 1, start=7, title=HOSTILE)
    archive = tmp_path / "studies.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr(f"bad\x1b[2J\rFAILED {chr(0x202e)}name.json", b"{ not json")
        zipped.write(studies / "study-00007.json", "good.json")
    imported = reviewer(library, "import", str(archive))
    assert imported.returncode == 1  # one member refused
    assert_escaped(imported.stdout + imported.stderr)
    assert "\\x1b[2J\\x0dFAILED \\u202ename.json" in imported.stdout
    for command in (["list"], ["search", "Evil"], ["show", "NCT90000007"]):
        result = reviewer(library, *command)
        assert result.returncode == 0, result.stderr
        assert_escaped(result.stdout + result.stderr)
        assert "\\x1b]0;pwned title\\x07 \\x1b[2J" in result.stdout
    listed = reviewer(library, "list").stdout
    # the importer turned the CR into a line break: on one line of the list, that is escaped too
    assert "\\x1b[2J\\x0a  FAILED forged line \\u202etxt.exe" in listed and "\n  FAILED" not in listed
    as_json = reviewer(library, "show", "NCT90000007", "--json")
    assert_escaped(as_json.stdout)
    # the JSON still holds the exact text, escaped as JSON escapes it
    assert json.loads(as_json.stdout)["briefTitle"] == HOSTILE.replace("\r", "\n")
    assert "\\u202e" in as_json.stdout


# ---------------------------------------------------------------- report --separate and hostile ids


def test_report_separate_keeps_a_hostile_ids_brief_inside_the_folder(library, tmp_path):
    from reviewer.core.importers import read_document
    from reviewer.core.store import writing
    from reviewer.core.store.db import open_store

    hostile = "../../OUTSIDE/\x1b[2J\u202e" + "X" * 300  # upper case: ids are looked up so
    study = write_studies(tmp_path / "studies", 1, start=9) / "study-00009.json"
    parsed = read_document(study.read_bytes())[0]
    parsed.record.registry_id = hostile  # as a store written without identity checks could hold
    store = open_store(library)
    try:
        with store.transaction() as session:
            writing.save_record(session, parsed, "hostile.json")
    finally:
        store.close()
    out = tmp_path / "briefs" / "inner"
    result = reviewer(library, "report", "brief", hostile, "NCT07312656", "--separate", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert_escaped(result.stdout + result.stderr)
    written = sorted(path.name for path in out.iterdir())
    assert len(written) == 2 and "brief-NCT07312656.pdf" in written
    strange = next(name for name in written if name != "brief-NCT07312656.pdf")
    assert strange.startswith("brief-") and len(strange.encode()) < 120
    assert all(ch.isalnum() or ch in "._-" for ch in strange), strange
    assert (out / strange).read_bytes().startswith(b"%PDF")
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.pdf")) == [
        f"briefs/inner/{name}" for name in written
    ]
