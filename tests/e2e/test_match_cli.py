"""`reviewer match --patient FILE.json [ID ...]` as a real process on a real data folder (the seeds)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import REPO_ROOT
from tests.e2e.test_cli import reviewer

EXAMPLE = REPO_ROOT / "resources" / "patients" / "example.json"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("match-cli") / "data"


def test_the_whole_library_ranked(data_dir):
    out = reviewer(data_dir, "match", "--patient", str(EXAMPLE)).stdout
    lines = out.splitlines()
    assert lines[0].startswith(
        "Patient: Example patient (metastatic NSCLC, second line), 64 years, female, ECOG 1"
    )
    assert lines[1] == "3 trial(s) checked: 2 possible, 1 failing"
    assert "never fail a trial on their own" in lines[2]
    ranked = [line.split()[1] for line in lines if line[:5].strip().rstrip(".").isdigit()]
    assert ranked[-1] == "NCT02455596"  # treated brain metastases: that trial excludes them
    assert any(
        "FAILS" in line and "Brain metastases" in line and "(Exclusion criterion 6)" in line for line in lines
    ), out
    assert any(
        "meets" in line and "ECOG 1 allowed: 0-2  (Inclusion criterion 4)" in line for line in lines
    ), out


def test_chosen_trials_as_json(data_dir):
    out = reviewer(
        data_dir, "match", "--patient", str(EXAMPLE), "NCT07312656", "NCT06924645", "--json"
    ).stdout
    data = json.loads(out)
    assert data["checked"] == 2 and data["possible"] == 2
    trial = next(t for t in data["trials"] if t["trial"] == "NCT07312656")
    ecog = next(c for c in trial["checks"] if c["facet"] == "performance:ECOG")
    assert ecog == {
        "facet": "performance:ECOG",
        "title": "Performance status (ECOG)",
        "scope": None,
        "status": "meets",
        "reason": "ECOG 1 allowed: 0-2",
        "requirement": "ECOG 0-2",
        "items": [{"item": "criterion:inclusion/4", "label": "Inclusion criterion 4"}],
    }
    assert trial["verdict"] == "possible" and trial["unknown"] == sum(
        c["status"] == "unknown" for c in trial["checks"]
    )


def test_limit_and_an_id_not_in_the_store(data_dir):
    limited = json.loads(
        reviewer(data_dir, "match", "--patient", str(EXAMPLE), "--limit", "1", "--json").stdout
    )
    assert limited["checked"] == 3 and len(limited["trials"]) == 1
    missing = reviewer(
        data_dir, "match", "--patient", str(EXAMPLE), "NCT07312656", "NCT00000000", check=False
    )
    assert missing.returncode == 1
    assert missing.stderr.strip() == "reviewer: no trial NCT00000000 in the store"
    assert "NCT07312656" in missing.stdout


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("{'age': 64}", "is not JSON (line 1)"),
        ('{"age": 64, "weight": 70}', 'unknown field "weight"'),
        ('{"labs": {"platelets": {"value": 150, "unit": "mmol/L"}}}', 'the unit "mmol/L" of "platelets" cannot be converted'),
        ('{"ecog": 9}', '"ecog" is 9, out of range (0-5)'),
    ],
)  # fmt: skip
def test_a_bad_patient_file_is_one_sentence(data_dir, tmp_path, content, says):
    path = tmp_path / "patient.json"
    path.write_text(content, encoding="utf-8")
    bad = reviewer(data_dir, "match", "--patient", str(path), check=False)
    assert bad.returncode == 2 and bad.stdout == ""
    (line,) = bad.stderr.strip().splitlines()
    assert line.startswith(f"reviewer: {path}") and says in line, line
