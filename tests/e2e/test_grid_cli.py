"""`reviewer grid` as a real process on the sample library: text, JSON, CSV and PDF files, and the
one sentence for a wrong number of trials or an unknown one."""

from __future__ import annotations

import csv
import io
import json

from pypdf import PdfReader

from tests.e2e.test_cli import reviewer

SEEDS = ["NCT06924645", "NCT07312656", "NCT02455596"]


def test_grid_text_json_csv_and_pdf(tmp_path):
    data_dir = tmp_path / "data"
    text = reviewer(data_dir, "grid", *SEEDS, "--width", "120").stdout
    assert "Eligibility grid of 3 trials; 3 of" in text
    assert "≠ Performance status (ECOG)" in text and "ECOG 1-3" in text

    grid = json.loads(reviewer(data_dir, "grid", *SEEDS, "--json").stdout)
    assert [t["id"] for t in grid["trials"]] == SEEDS
    assert next(r for r in grid["rows"] if r["key"] == "age")["differs"] is True

    out_csv, out_pdf = tmp_path / "grid.csv", tmp_path / "grid.pdf"
    written = reviewer(data_dir, "grid", *SEEDS, "--csv", str(out_csv), "--pdf", str(out_pdf)).stdout
    assert f"wrote {out_csv}" in written and f"wrote {out_pdf}" in written
    rows = list(csv.reader(io.StringIO(out_csv.read_bytes().decode("utf-8-sig"), newline="")))
    assert (
        rows[0] == ["Facet", *SEEDS]
        and ["Performance status (ECOG)", "ECOG 1-3", "ECOG 0-2", "ECOG 0-2"] in rows
    )
    pages = PdfReader(io.BytesIO(out_pdf.read_bytes())).pages
    assert "Eligibility grid: 3 trials" in pages[0].extract_text()
    report = tmp_path / "report.pdf"
    reviewer(data_dir, "report", "grid", *SEEDS[:2], "-o", str(report), "--reviewer", "Dr. Grid")
    first = " ".join(PdfReader(io.BytesIO(report.read_bytes())).pages[0].extract_text().split())
    assert "Eligibility grid: 2 trials" in first and "by Dr. Grid" in first


def test_wrong_trials_get_one_sentence(tmp_path):
    data_dir = tmp_path / "data"
    one = reviewer(data_dir, "grid", SEEDS[0], check=False)
    assert one.returncode == 2
    assert one.stderr.strip() == "reviewer: an eligibility grid takes 2 to 50 trials; 1 was given"
    unknown = reviewer(data_dir, "grid", SEEDS[0], "NCT99999999", check=False)
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == "reviewer: no trial NCT99999999 in the store"
    folder = reviewer(
        data_dir, "grid", *SEEDS, "--csv", str(tmp_path / "no-such-folder" / "g.csv"), check=False
    )
    assert folder.returncode == 2 and "Traceback" not in folder.stderr
    assert "no-such-folder" in folder.stderr and len(folder.stderr.strip().splitlines()) == 1
