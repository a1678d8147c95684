"""A `reviewer import` killed with SIGKILL leaves nothing behind: none of its processes alive a
second later, nothing written after the kill, and no note beside an item it was not written on
(killed while it re-anchors them). Processes are read from /proc (Linux)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reviewer.core import items, notes
from reviewer.core.store import reading, writing
from reviewer.core.store.db import open_store
from reviewer.core.store.tables import Note
from tests.conftest import REPO_ROOT
from tests.generated_studies import nct_id, study, write_folder, write_zip
from tests.perf.tree_memory import descendants

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie is dead, waiting to be reaped


def count_versions(store: Path) -> int:
    with sqlite3.connect(store, timeout=30) as conn:
        return conn.execute("SELECT count(*) FROM trial_version").fetchone()[0]


def start_import(data_dir: Path, *args: str) -> subprocess.Popen:
    """`reviewer import` as a process whose output goes to files beside the store (pipes would be
    held open by any process it left behind, and reading them would wait for those)."""
    with (data_dir / "import.out").open("w") as out, (data_dir / "import.err").open("w") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "reviewer", "import", *args, "--data-dir", str(data_dir)],
            cwd=REPO_ROOT, stdout=out, stderr=err, text=True,
        )


def test_a_killed_bulk_import_leaves_no_worker_and_writes_nothing_after_the_kill(tmp_path):
    archive = write_zip(tmp_path / "ctg-studies.json.zip", 6000)
    data_dir = tmp_path / "data"
    subprocess.run([sys.executable, "-m", "reviewer", "list", "--data-dir", str(data_dir)],
                   cwd=REPO_ROOT, check=True, capture_output=True)  # the store, with its sample trials
    store = data_dir / "reviewer.sqlite3"
    before = count_versions(store)
    process = start_import(data_dir, str(archive))  # no flag: 6,000 documents take the bulk path
    try:
        deadline = time.monotonic() + 120
        # mid-way: a first batch is committed, and the workers are busy with the next ones
        while count_versions(store) == before:
            assert process.poll() is None, (data_dir / "import.err").read_text()
            assert time.monotonic() < deadline, "no batch was written in two minutes"
            time.sleep(0.02)
        family = descendants(process.pid)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL
    assert "bulk path" in (data_dir / "import.err").read_text()
    assert len(family) >= 2, "the workers were not found"  # the workers (and the forkserver)
    killed = time.monotonic()
    # just after the kill: the moment its processes are gone (a commit that began before the kill
    # may end in the milliseconds its workers take to notice)
    while any(alive(pid) for pid in family) and time.monotonic() - killed < 1:
        time.sleep(0.01)
    just_after = count_versions(store)
    assert before < just_after < before + 6000  # killed mid-way
    time.sleep(max(0.0, killed + 1 - time.monotonic()))
    left = [pid for pid in family if alive(pid)]
    for pid in left:  # not to leave them to the next tests
        os.kill(pid, signal.SIGKILL)
    assert left == []
    time.sleep(1)
    assert count_versions(store) == just_after
    with sqlite3.connect(store) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # and a re-run completes the import: the committed batches are skipped
    rerun = subprocess.run([sys.executable, "-m", "reviewer", "import", str(archive), "--data-dir", str(data_dir)],
                           cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert count_versions(store) == before + 6000


# ---------------------------------------------------------------- killed while re-anchoring notes

V1_CRITERIA = [f"Patients with condition number {n}, confirmed by a test done within 28 days" for n in range(1, 11)]
# the next version: a criterion first (every key moves by one), the fifth one dropped
V2_CRITERIA = ["Adults able to give consent", *V1_CRITERIA[:4], *V1_CRITERIA[5:]]


def write_version(path: Path, criteria: list[str]) -> Path:
    path.write_text(json.dumps(study(0, criteria=criteria)))
    return path


def annotate(data_dir: Path) -> dict[str, int]:
    """Notes on the first version: on criteria 2 and 5, and on a selection inside criterion 7."""
    store = open_store(data_dir)
    try:
        with store.transaction() as session:
            trial_id = reading.trial_by_registry_id(session, nct_id(0)).id

            def add(anchor) -> int:
                return notes.add_note(session, trial_id, anchor, f"on {anchor.ref.path}", "Dr A").id

            return {
                "second": add(items.anchor_of("criterion", "inclusion/2", V1_CRITERIA[1])),
                "dropped": add(items.anchor_of("criterion", "inclusion/5", V1_CRITERIA[4])),
                "selection": add(items.span_in(V1_CRITERIA[6], items.criterion("inclusion", "7"), "condition number 7")),
            }
    finally:
        store.close()


def misplaced_notes(data_dir: Path) -> list[str]:
    """Notes that are neither on an item of the current version holding their quote nor orphaned."""
    store = open_store(data_dir)
    try:
        with store.session() as session:
            record = reading.current_record(session, nct_id(0))
            texts = items.texts(record)
            trial_id = reading.trial_by_registry_id(session, nct_id(0)).id
            wrong = []
            for note in notes.notes_of(session, [trial_id]):
                ref = items.ItemRef.stored(note.item_kind, note.item_key)
                if not note.orphaned and note.quote not in texts.get(ref, ""):
                    wrong.append(f"{note.body} sits on {note.item_key}: {texts.get(ref)!r}")
            return wrong
    finally:
        store.close()


def wait_for_a_stalled_writer(store: Path, process: subprocess.Popen, seconds: float = 1.0) -> None:
    """Until another connection has held the write lock for ``seconds`` on end: the import stalls in
    its transaction (a trigger)."""
    held_since, deadline = None, time.monotonic() + 120
    while True:
        assert process.poll() is None, "the import ended before the stall"
        assert time.monotonic() < deadline, "the import never stalled"
        conn = sqlite3.connect(store, timeout=0, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
            held_since = None
        except sqlite3.OperationalError:  # locked: someone writes
            held_since = held_since or time.monotonic()
            if time.monotonic() - held_since >= seconds:
                return
        finally:
            conn.close()
        time.sleep(0.05)


@pytest.mark.parametrize("path", ["--serial", "--bulk"])
def test_an_import_killed_while_it_reanchors_notes_leaves_none_on_another_item(tmp_path, path):
    data_dir = tmp_path / "data"
    v1, v2 = write_version(tmp_path / "v1.json", V1_CRITERIA), write_version(tmp_path / "v2.json", V2_CRITERIA)
    first = subprocess.run([sys.executable, "-m", "reviewer", "import", str(v1), "--data-dir", str(data_dir)],
                           cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stdout + first.stderr
    ids = annotate(data_dir)
    store = data_dir / "reviewer.sqlite3"
    with sqlite3.connect(store) as conn:
        versions = conn.execute("SELECT count(*) FROM trial_version").fetchone()[0]
        # re-anchoring a note stalls for good: the import is killed at that point
        conn.execute("CREATE TRIGGER stall BEFORE UPDATE ON note BEGIN SELECT count(*) FROM (WITH RECURSIVE "
                     "n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000000000) SELECT i FROM n); END")
    process = start_import(data_dir, path, str(v2))
    try:
        wait_for_a_stalled_writer(store, process)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL
    # the new version and the notes' anchors commit together: killed in between, neither is kept
    with sqlite3.connect(store) as conn:
        assert conn.execute("SELECT count(*) FROM trial_version").fetchone()[0] == versions
        conn.execute("DROP TRIGGER stall")
    assert misplaced_notes(data_dir) == []
    rerun = subprocess.run([sys.executable, "-m", "reviewer", "import", path, str(v2), "--data-dir", str(data_dir)],
                           cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert "1 updated" in rerun.stdout
    assert misplaced_notes(data_dir) == []
    store_ = open_store(data_dir)
    try:
        with store_.session() as session:
            state = {name: (session.get(Note, note_id).item_key, session.get(Note, note_id).orphaned)
                     for name, note_id in ids.items()}
    finally:
        store_.close()
    assert state == {"second": ("inclusion/3", False), "dropped": ("inclusion/5", True),
                     "selection": ("inclusion/7", False)}


# ---------------------------------------------------------------- a worker dies on a document


def workers_of(pid: int) -> list[int]:
    """The pool's workers among ``pid``'s descendants: the processes its forkserver forked."""
    def cmdline(process: int) -> bytes:
        try:
            return Path(f"/proc/{process}/cmdline").read_bytes()
        except OSError:
            return b""

    servers = {p for p in descendants(pid) if b"forkserver" in cmdline(p)}
    return [p for server in servers for p in descendants(server) if alive(p)]


def kill_the_stalled_worker(data_dir: Path, process: subprocess.Popen) -> None:
    """Once a worker has stalled in its transaction (a trigger), SIGKILL it, as the system's
    out-of-memory killer would."""
    wait_for_a_stalled_writer(data_dir / "reviewer.sqlite3", process)
    workers = workers_of(process.pid)
    assert workers, "no worker found"
    for pid in workers:
        os.kill(pid, signal.SIGKILL)


def test_a_document_a_worker_dies_on_fails_alone_and_a_rerun_completes(tmp_path):
    folder = tmp_path / "studies"
    write_folder(folder, 30)
    data_dir = tmp_path / "data"
    first = subprocess.run([sys.executable, "-m", "reviewer", "list", "--data-dir", str(data_dir)],
                           cwd=REPO_ROOT, capture_output=True, timeout=120)
    assert first.returncode == 0
    with sqlite3.connect(data_dir / "reviewer.sqlite3") as conn:
        # writing the 14th study stalls for good: its worker is killed there, every time
        conn.execute(f"CREATE TRIGGER stall AFTER INSERT ON trial WHEN NEW.registry_id = '{nct_id(13)}' BEGIN "
                     "SELECT count(*) FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                     "WHERE i < 10000000000) SELECT i FROM n); END")
    for run in ("first", "again"):
        process = start_import(data_dir, "--bulk", str(folder))
        try:
            kill_the_stalled_worker(data_dir, process)  # the batch's worker
            kill_the_stalled_worker(data_dir, process)  # the worker writing the batch again, one by one
            assert process.wait(timeout=120) == 1
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
        output = (data_dir / "import.out").read_text()
        assert "Traceback" not in output + (data_dir / "import.err").read_text()
        counts = "29 trial(s) added, 0 updated, 0 unchanged" if run == "first" else "0 trial(s) added, 0 updated, 29 unchanged"
        assert f"30 document(s): {counts}, 1 failed" in output
        assert f"  FAILED {folder / (nct_id(13) + '.json')}: could not be imported: the worker process reading it " \
               "stopped (out of memory, or killed); nothing of it was kept" in output
    with sqlite3.connect(data_dir / "reviewer.sqlite3") as conn:
        assert conn.execute("SELECT count(*) FROM trial WHERE registry_id LIKE 'NCT08%'").fetchone()[0] == 29
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_notes_an_older_release_left_unchecked_are_reanchored_by_the_next_import(tmp_path):
    """An older release committed a new version, then re-anchored its notes in a second transaction:
    killed between the two, its notes sat beside other criteria, and a re-run saw "unchanged". The
    next import now finds such notes and finishes them."""
    from reviewer.core.importers import read_document
    from reviewer.core.ingest import import_paths

    data_dir = tmp_path / "data"
    v1, v2 = write_version(tmp_path / "v1.json", V1_CRITERIA), write_version(tmp_path / "v2.json", V2_CRITERIA)
    store = open_store(data_dir)
    try:
        import_paths(store, [v1])
        ids = annotate(data_dir)
        with store.transaction() as session:  # what the older release committed before the kill
            (parsed,) = read_document(v2.read_bytes())
            assert writing.save_record(session, parsed, str(v2)).outcome == "updated"
        assert len(misplaced_notes(data_dir)) == 2  # the notes on the second and the fifth criterion
        report = import_paths(store, [v2])
        assert report.count("unchanged") == 1
        assert misplaced_notes(data_dir) == []
        with store.session() as session:
            state = {name: (session.get(Note, note_id).item_key, session.get(Note, note_id).orphaned)
                     for name, note_id in ids.items()}
        assert state == {"second": ("inclusion/3", False), "dropped": ("inclusion/5", True),
                         "selection": ("inclusion/7", False)}
    finally:
        store.close()
