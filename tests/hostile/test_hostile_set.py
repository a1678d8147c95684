"""The hostile set: every file of make_hostile.py imported into a fresh store, in subprocesses (two
batches side by side), each within 10 s and 500 MB, with the outcome its row of the table expects,
and no exception class name or traceback in any reason or warning.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT
from tests.hostile.make_hostile import CASES, Case, write_all

MAX_SECONDS = 10.0
MAX_MIB = 500.0
BATCHES = 2
CLASS_NAME = re.compile(r"\b[A-Z]\w*(?:Error|Exception)\b|Traceback")


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, dict]:
    folder = tmp_path_factory.mktemp("hostile")
    stores = tmp_path_factory.mktemp("stores")
    rows = write_all(folder)
    assert json.loads((folder / "expected.json").read_text()) == rows
    files = [str(folder / row["file"]) for row in rows]
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.hostile.run_imports", str(stores), *files[n::BATCHES]],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(BATCHES)
    ]
    results: dict[str, dict] = {"(processes)": {"peaks_mib": []}}
    for run in runs:
        out, err = run.communicate(timeout=len(files) * MAX_SECONDS)
        assert run.returncode == 0, err[-3000:]
        for line in out.splitlines():
            result = json.loads(line)
            if "process_peak_mib" in result:
                results["(processes)"]["peaks_mib"].append(result["process_peak_mib"])
            else:
                results[result["file"]] = result
    return results


def test_the_set_has_at_least_60_files_each_with_its_expectation():
    assert len(CASES) >= 60 and len({case.name for case in CASES}) == len(CASES)
    for case in CASES:
        assert case.expect in ("refused", "imported", "warned", "partial")
        assert case.phrase or case.expect == "imported", case.name


def test_no_import_process_went_over_the_memory_bound(outcomes):
    """Each batch process's own peak over all its files and between them, not only the per-file peaks."""
    peaks = outcomes["(processes)"]["peaks_mib"]
    assert len(peaks) == BATCHES and max(peaks) < MAX_MIB, peaks


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_file(outcomes, case: Case):
    result = outcomes[case.name]
    assert "crashed" not in result, f"the import itself failed: {result['crashed']}"
    assert result["seconds"] < MAX_SECONDS, result
    assert result["peak_mib"] < MAX_MIB, result
    reasons = [error for _name, error in result["failures"]]
    for text in reasons + result["warnings"]:
        assert not CLASS_NAME.search(text), text
        assert "\n" not in text, text
    found = any(case.phrase in text for text in (result["warnings"] if case.expect == "warned" else reasons))
    if case.expect == "refused":
        assert result["trials"] == 0 and result["failed"] == result["documents"] >= 1, result
        assert found, (case.phrase, reasons)
    elif case.expect == "partial":
        assert result["trials"] >= 1 and result["failed"] >= 1, result
        assert found, (case.phrase, reasons)
    else:
        assert result["trials"] >= 1 and result["failed"] == 0, result
        if case.expect == "warned":
            assert found, (case.phrase, result["warnings"])
