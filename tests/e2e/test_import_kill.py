"""A `reviewer import` killed with SIGKILL leaves nothing behind: none of its processes alive a
second later, and nothing written after the kill. Processes are read from /proc (Linux)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.generated_studies import write_zip

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command's name (state first, then the parent's pid)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat_fields(int(entry.name))) is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    fields = _stat_fields(pid)
    return fields is not None and fields[0] not in ("Z", "X")  # a zombie is dead, waiting to be reaped


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
    just_after = count_versions(store)
    assert before < just_after < before + 6000  # killed mid-way
    time.sleep(1)
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
