"""`reviewer import` chooses its path as the window does (ingest.plan_import): the bulk path from
2,000 documents, said on stderr in one line; --serial forces the per-file path, --bulk the bulk one."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT
from tests.generated_studies import study, write_folder, write_zip


def reviewer(data_dir, *args):
    return subprocess.run([sys.executable, "-m", "reviewer", *args, "--data-dir", str(data_dir)],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def zip_of_2000(tmp_path_factory):
    return write_zip(tmp_path_factory.mktemp("zip") / "ctg-studies.json.zip", 2000)


def test_without_a_flag_a_zip_of_2000_documents_takes_the_bulk_path_and_says_so(tmp_path, zip_of_2000):
    result = reviewer(tmp_path / "data", "import", "--json", str(zip_of_2000))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["added"] == 2000 and report["failed"] == 0
    assert report["results"] == []  # the bulk path keeps counts and failures only
    assert result.stderr.splitlines() == [
        "reviewer: importing 2,000 document(s) by the bulk path (worker processes): 2,000 documents or more"
    ]


def test_serial_forces_the_per_file_path(tmp_path, zip_of_2000):
    result = reviewer(tmp_path / "data", "import", "--serial", "--json", str(zip_of_2000))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["added"] == 2000 and len(report["results"]) == 2000  # every document's result: per file
    assert result.stderr.splitlines() == ["reviewer: importing 2,000 document(s) by the per-file path: as asked"]


def test_a_small_folder_takes_the_per_file_path_and_bulk_forces_the_other(tmp_path):
    folder = write_folder(tmp_path / "studies", 12)
    chosen = reviewer(tmp_path / "data", "import", str(folder))
    assert chosen.returncode == 0, chosen.stderr
    assert "12 trial(s) added" in chosen.stdout
    assert chosen.stderr.splitlines() == [
        "reviewer: importing 12 document(s) by the per-file path: fewer than 2,000 documents"
    ]
    forced = reviewer(tmp_path / "data", "import", "--bulk", str(folder))
    assert "by the bulk path (worker processes): as asked" in forced.stderr
    assert "12 unchanged" in forced.stdout
    both = reviewer(tmp_path / "data", "import", "--bulk", "--serial", str(folder))
    assert both.returncode == 2 and "not allowed with argument" in both.stderr


@pytest.mark.parametrize("flag", ["--serial", "--bulk"])
def test_a_poison_study_fails_alone_with_one_sentence(tmp_path, flag):
    folder = write_folder(tmp_path / "studies", 30)
    (folder / "huge.json").write_text(json.dumps(study(998, enrollment=2**63)))  # imported, with a warning
    poison = study(999)
    poison["protocolSection"]["identificationModule"]["nctId"] = "../../../../tmp/x"
    (folder / "poison.json").write_text(json.dumps(poison))
    result = reviewer(tmp_path / "data", "import", flag, str(folder))
    assert result.returncode == 1
    assert "31 trial(s) added" in result.stdout and "1 failed" in result.stdout
    assert f"{folder / 'huge.json'}: imported with warnings:" in result.stdout
    (failed,) = [line for line in result.stdout.splitlines() if "FAILED" in line]
    assert failed.startswith(f"  FAILED {folder / 'poison.json'}: ")
    assert "Traceback" not in result.stdout + result.stderr and "Error" not in result.stdout + result.stderr
    again = reviewer(tmp_path / "data", "import", flag, str(folder))
    assert again.returncode == 1 and "31 unchanged, 1 failed" in again.stdout
