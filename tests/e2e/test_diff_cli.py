"""`reviewer diff`: the changes between two imported versions of a trial, as JSON and as text."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

from tests.conftest import REPO_ROOT


def reviewer(data_dir, *args):
    return subprocess.run(
        [sys.executable, "-m", "reviewer", *args, "--data-dir", str(data_dir)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_the_diff_of_two_imported_versions_lists_exactly_the_edits(tmp_path, corpus_dir):
    original = json.loads((corpus_dir / "ctgov-v2" / "NCT02369484.json").read_text(encoding="utf-8"))
    edited = copy.deepcopy(original)
    protocol = edited["protocolSection"]
    protocol["designModule"]["enrollmentInfo"]["count"] = 40
    protocol["statusModule"]["overallStatus"] = "RECRUITING"
    protocol["eligibilityModule"]["eligibilityCriteria"] = protocol["eligibilityModule"][
        "eligibilityCriteria"
    ].replace("Inclusion Criteria:\n\n", "Inclusion Criteria:\n\n* Brain metastases allowed if stable for 4 weeks\n", 1)
    edited["derivedSection"]["miscInfoModule"]["versionHolder"] = "2026-06-01"
    (tmp_path / "v1.json").write_text(json.dumps(original), encoding="utf-8")
    (tmp_path / "v2.json").write_text(json.dumps(edited), encoding="utf-8")
    data = tmp_path / "data"
    assert reviewer(data, "import", str(tmp_path / "v2.json"), str(tmp_path / "v1.json")).returncode == 0

    out = reviewer(data, "diff", "NCT02369484", "--json")
    assert out.returncode == 0, out.stderr
    diff = json.loads(out.stdout)
    assert (diff["trial"], diff["from"], diff["to"]) == ("NCT02369484", 2, 1)  # v1 was imported second
    assert sorted((c["part"], c["kind"], c["item"]) for c in diff["changes"]) == [
        ("enrollment", "changed", None),
        ("inclusion", "inserted", "inclusion/1"),
        ("status", "changed", None),
    ]
    enrollment = next(c for c in diff["changes"] if c["part"] == "enrollment")
    assert (enrollment["before"]["count"], enrollment["after"]["count"]) == (13, 40)

    backwards = json.loads(reviewer(data, "diff", "NCT02369484", "--from", "1", "--to", "2", "--json").stdout)
    assert sorted((c["part"], c["kind"]) for c in backwards["changes"]) == [
        ("enrollment", "changed"), ("inclusion", "deleted"), ("status", "changed"),
    ]  # fmt: skip
    text = reviewer(data, "diff", "NCT02369484").stdout
    assert "version 2 -> 1, 3 change(s)" in text and "status changed: COMPLETED -> RECRUITING" in text

    missing = reviewer(data, "diff", "NCT02369484", "--from", "7")
    assert missing.returncode == 1 and "has no version 7 (its versions: 1, 2)" in missing.stderr
    alone = reviewer(data, "diff", "NCT07312656")
    assert alone.returncode == 1 and "one version only" in alone.stderr
