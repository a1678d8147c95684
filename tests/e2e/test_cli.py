"""The `reviewer` command as a real process on a real data folder."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import FIXTURES_DIR, REPO_ROOT, SAMPLES_DIR
from tests.corpus import corpus_dir


def reviewer(data_dir, *args, check=True):
    result = subprocess.run(
        [sys.executable, "-m", "reviewer", *args, "--data-dir", str(data_dir)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("cli") / "data"


def test_first_start_holds_the_samples(data_dir):
    out = reviewer(data_dir, "list", "--json")
    listed = json.loads(out.stdout)
    assert listed["total"] == 3
    assert {t["registry_id"] for t in listed["trials"]} == {"NCT06924645", "NCT07312656", "NCT02455596"}


def test_import_json_report_and_exit_status(data_dir):
    out = reviewer(data_dir, "import", "--json", str(corpus_dir() / "ctgov-v2-containers"))
    report = json.loads(out.stdout)
    assert report["failed"] == 0 and report["added"] == 26
    bad = reviewer(data_dir, "import", str(FIXTURES_DIR / "bad" / "truncated.json"), check=False)
    assert bad.returncode == 1
    assert "truncated.json: truncated JSON" in bad.stdout
    again = reviewer(data_dir, "import", *map(str, sorted(SAMPLES_DIR.glob("*.txt"))))
    assert "3 unchanged" in again.stdout


def test_import_bulk_takes_the_bulk_path(data_dir, tmp_path):
    import zipfile

    bundle = tmp_path / "ctg-studies.json.zip"
    studies = sorted((corpus_dir() / "ctgov-v2").glob("NCT*.json"))[:12]
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as archive:
        for study in studies:
            archive.write(study, study.name)
    first = json.loads(reviewer(data_dir, "import", "--bulk", "--json", str(bundle)).stdout)
    assert first["added"] == 12 and first["failed"] == 0
    assert first["results"] == []  # the bulk path keeps counts and failures only
    per_file = json.loads(reviewer(data_dir, "import", "--json", str(bundle)).stdout)
    assert per_file["unchanged"] == 12 and len(per_file["results"]) == 12


def test_show_json_uses_registry_field_names(data_dir):
    shown = json.loads(reviewer(data_dir, "show", "NCT07312656", "--json").stdout)
    assert shown["nctId"] == "NCT07312656"
    assert shown["phases"] == ["PHASE2"]
    assert shown["enrollmentInfo"] == {"count": 200, "type": "ESTIMATED"}
    assert shown["leadSponsor"]["name"] == "First Affiliated Hospital of Guangxi Medical University"
    assert [a["label"] for a in shown["armGroups"]] == ["experimental group", "control group"]
    assert shown["interventions"][0]["type"] == "DRUG"
    assert shown["primaryOutcomes"][0]["timeFrame"].startswith("Within 90 days")
    assert len(shown["inclusion"]) == 10
    assert set(shown["inclusion"][0]) == {"text", "heading", "scope", "role", "facets", "children"}  # marks, facets
    assert shown["versions"][0]["format"] == "ignite-page"
    veeva = json.loads(reviewer(data_dir, "show", "NCT06924645", "--json").stdout)
    assert veeva["primaryOutcomes"] is None  # not in source


def test_show_text_has_every_section(data_dir):
    text = reviewer(data_dir, "show", "NCT06924645").stdout
    for heading in ("Overview", "Design", "Arms and interventions", "Eligibility", "Outcomes",
                    "Sponsor and sites", "Documents", "Versions (newest first)"):
        assert f"\n{heading}\n" in text
    assert "(not in source)" in text
    assert "Inclusion criteria (9)" in text and "Exclusion criteria (8)" in text


def test_list_filters_and_search(data_dir):
    phase2 = json.loads(reviewer(data_dir, "list", "--phase", "Phase 2", "--json").stdout)
    assert {t["registry_id"] for t in phase2["trials"]} >= {"NCT07312656", "NCT02455596"}
    assert all("PHASE2" in t["phases"] for t in phase2["trials"])
    status = json.loads(reviewer(data_dir, "list", "--status", "Not yet recruiting", "--json").stdout)
    assert "NCT06924645" in {t["registry_id"] for t in status["trials"]}
    found = json.loads(reviewer(data_dir, "search", "mucositis", "--json").stdout)
    assert found["trials"][0]["registry_id"] == "NCT07312656"
    assert "NCT02455596" in reviewer(data_dir, "search", "Novaferon").stdout


def test_show_unknown_trial(data_dir):
    result = reviewer(data_dir, "show", "NCT00000001", check=False)
    assert result.returncode == 1 and "no trial NCT00000001" in result.stderr


def test_db_check_backup_upgrade(data_dir):
    assert "integrity: ok" in reviewer(data_dir, "db", "check").stdout
    backup_path = reviewer(data_dir, "db", "backup").stdout.strip()
    assert backup_path and (data_dir / backup_path.rsplit("/", 1)[1]).exists()
    assert "store is at schema" in reviewer(data_dir, "db", "upgrade").stdout


def test_an_older_store_is_upgraded_with_its_progress_on_stderr(tmp_path):
    import shutil

    older = tmp_path / "older"
    older.mkdir()
    shutil.copy(FIXTURES_DIR / "stores" / "0002.sqlite3", older / "reviewer.sqlite3")
    result = reviewer(older, "list", "--json")
    assert json.loads(result.stdout)["total"] == 3  # stdout is only the answer
    assert "Copying the library aside before upgrading it…" in result.stderr
    assert "Upgrading the library: 3 of 3 trial records…" in result.stderr


def test_report_brief_pdf_html_and_user_template(data_dir, tmp_path):
    out = tmp_path / "brief.pdf"
    printed = reviewer(data_dir, "report", "brief", "NCT07312656", "-o", str(out), "--reviewer", "Dr Q").stdout
    assert "wrote" in printed and out.read_bytes().startswith(b"%PDF")
    html = tmp_path / "brief.html"
    reviewer(data_dir, "report", "notes", "NCT07312656", "NCT02455596", "-o", str(html), "--format", "html")
    assert "Notes digest" in html.read_text(encoding="utf-8")
    mine = tmp_path / "mine.html.j2"
    mine.write_text('{% extends "base.html.j2" %}{% block body %}<h1>Tumour board: '
                    '{{ trials[0].record.registry_id }}</h1>{% endblock %}', encoding="utf-8")
    custom = tmp_path / "custom.html"
    reviewer(data_dir, "report", "brief", "NCT06924645", "-o", str(custom), "--format", "html", "--template", str(mine))
    assert "<h1>Tumour board: NCT06924645</h1>" in custom.read_text(encoding="utf-8")
    missing = reviewer(data_dir, "report", "brief", "NCT00000001", "-o", str(tmp_path / "x.pdf"), check=False)
    assert missing.returncode == 1 and "no trial NCT00000001" in missing.stderr


def test_a_report_is_signed_with_the_given_name_or_the_full_name_never_a_login(data_dir, tmp_path):
    import getpass

    from reviewer.core.people import system_full_name

    signed = tmp_path / "signed.html"
    reviewer(data_dir, "report", "brief", "NCT07312656", "-o", str(signed), "--format", "html", "--reviewer", "Dr Q")
    assert '<span class="meta-reviewer">by Dr Q</span>' in signed.read_text(encoding="utf-8")
    unsigned = tmp_path / "unsigned.html"
    reviewer(data_dir, "report", "brief", "NCT07312656", "-o", str(unsigned), "--format", "html")
    expected = f"by {system_full_name()}" if system_full_name() else ""
    assert f'<span class="meta-reviewer">{expected}</span>' in unsigned.read_text(encoding="utf-8")
    assert f"by {getpass.getuser()}<" not in unsigned.read_text(encoding="utf-8")


def test_a_broken_user_template_is_named_with_its_line(data_dir, tmp_path):
    broken = tmp_path / "broken.html.j2"
    broken.write_text('{% extends "base.html.j2" %}\n{% block body %}{% if %}{% endblock %}', encoding="utf-8")
    out = reviewer(data_dir, "report", "brief", "NCT07312656", "-o", str(tmp_path / "b.pdf"),
                   "--template", str(broken), check=False)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert f"the template {broken} line 2 cannot be used: TemplateSyntaxError" in out.stderr
    assert not (tmp_path / "b.pdf").exists()


def test_report_sections_choose_the_parts(data_dir, tmp_path):
    part = tmp_path / "part.html"
    reviewer(data_dir, "report", "brief", "NCT07312656", "-o", str(part), "--format", "html",
             "--sections", "eligibility, outcomes")
    html = part.read_text(encoding="utf-8")
    assert "<h2>Eligibility</h2>" in html and "<h2>Outcomes</h2>" in html
    assert "<h2>Design</h2>" not in html and "<h2>Provenance</h2>" not in html and "<h2>Sites</h2>" not in html
    wrong = reviewer(data_dir, "report", "brief", "NCT07312656", "-o", str(part), "--sections", "appendix", check=False)
    assert wrong.returncode == 1 and "unknown section appendix" in wrong.stderr
    from reviewer.core.report_sections import SECTIONS

    usage = " ".join(reviewer(data_dir, "report", "--help").stdout.split())
    assert f"comma-separated: {', '.join(SECTIONS)}" in usage  # the help names the sections of the core


def test_compare_json_gives_the_rows_of_the_core(data_dir):
    from reviewer.core.compare import compare_records, comparison_to_json
    from reviewer.core.importers import read_document
    from tests.conftest import SEED_VEEVA_FMT, SEED_VEEVA_NOVAFERON

    printed = json.loads(reviewer(data_dir, "compare", "NCT06924645", "NCT02455596", "--json").stdout)
    records = [read_document(p.read_bytes())[0].record for p in (SEED_VEEVA_FMT, SEED_VEEVA_NOVAFERON)]
    assert printed == json.loads(json.dumps(comparison_to_json(compare_records(records)), ensure_ascii=False))
    assert printed["trials"] == ["NCT06924645", "NCT02455596"]
    ecog = [row for row in printed["sections"]["inclusion"] if any("ECOG" in t for cell in row["cells"] for t in cell)]
    assert len(ecog) == 1 and ecog[0]["differs"] is True
    assert ecog[0]["facet"] == "performance:ECOG" and ecog[0]["values"] == ["ECOG 1-3", "ECOG 0-2"]
    age = next(row for row in printed["sections"]["inclusion"] if row["facet"] == "age")
    assert age["values"] == ["≥ 18 years", "≥ 18 years"] and age["differs"] is False
    key_differences = [k["text"] for k in printed["key_differences"]]
    assert "Performance status (ECOG): 1-3 | 0-2" in key_differences
    assert not any(text.startswith("Age") for text in key_differences)
    text = reviewer(data_dir, "compare", "NCT06924645", "NCT02455596").stdout
    assert "Inclusion criteria" in text and "≠" in text
    arms = json.loads(reviewer(data_dir, "compare", "NCT07312656", "--arms", "--json").stdout)
    assert arms["trials"] == ["experimental group", "control group"]
    too_few = reviewer(data_dir, "compare", "NCT07312656", check=False)
    assert too_few.returncode == 2 and "2 to 6" in too_few.stderr


def test_comparison_report_puts_both_titles_on_page_one_and_ages_on_one_row(data_dir, tmp_path):
    import io

    from pypdf import PdfReader

    out = tmp_path / "compare.pdf"
    reviewer(data_dir, "report", "compare", "NCT06924645", "NCT02455596", "-o", str(out))
    page_one = " ".join(PdfReader(io.BytesIO(out.read_bytes())).pages[0].extract_text().split())
    assert "Fecal Microbiota Transplantation for Preventing" in page_one
    assert "Recombinant Anti-tumor and Anti-virus Protein" in page_one
    html = tmp_path / "compare.html"
    reviewer(data_dir, "report", "compare", "NCT06924645", "NCT02455596", "-o", str(html), "--format", "html")
    rows = html.read_text(encoding="utf-8").split("<tr")
    age_rows = [r for r in rows if "Age ≥18 years, regardless of gender;" in r and 'scope="row">Age<' in r]
    assert len(age_rows) == 1 and "At least 18 years old." in age_rows[0]
    assert 'class="differs' not in age_rows[0]  # minimum 18 both


def test_comparison_report_sums_up_the_key_differences_on_page_one(data_dir, tmp_path):
    """The neuroendocrine seeds: ECOG 1-3 against 0-2 is a key difference, their ages (18) are not."""
    out = tmp_path / "compare.pdf"
    reviewer(data_dir, "report", "compare", "NCT06924645", "NCT02455596", "-o", str(out))
    layout = ["pdftotext", "-layout", "-f", "1", "-l", "1", str(out), "-"]
    lines = subprocess.run(layout, capture_output=True, text=True, check=True).stdout.splitlines()
    ecog = [line for line in lines if "Performance status (ECOG)" in line]
    assert ecog and "1-3" in ecog[0] and "0-2" in ecog[0]
    start = next(n for n, line in enumerate(lines) if "Key differences" in line)
    table = next(n for n, line in enumerate(lines) if line.strip() == "Design")  # the table's first section
    summary = "\n".join(lines[start:table])
    assert "Performance status (ECOG)" in summary  # the summary comes before the table
    assert "Age" not in summary and "Informed consent" not in summary


def test_correct_and_corrections_on_the_command_line(data_dir, tmp_path):
    ecog = '[{"kind": "performance", "scale": "ECOG", "allowed": [0, 1]}]'
    out = reviewer(data_dir, "correct", "NCT02455596", "inclusion/6", "--facets", ecog, "--reviewer", "Dr. Ada")
    assert out.stdout.startswith("criterion:inclusion/6: ECOG 0-1\n    by Dr. Ada, ")
    bad = reviewer(data_dir, "correct", "NCT02455596", "inclusion/6", "--facets", '[{"kind": "lab", "analyte": "anc"}]',
                   "--reviewer", "Dr. Ada", check=False)  # fmt: skip
    assert bad.returncode == 1 and bad.stderr == 'reviewer: facet 1 (lab) has no operator ("op")\n'
    not_json = tmp_path / "facets.json"
    not_json.write_text("{ECOG 0-1", encoding="utf-8")
    bad = reviewer(data_dir, "correct", "NCT02455596", "inclusion/6", "--facets", f"@{not_json}", "--reviewer", "X",
                   check=False)  # fmt: skip
    assert bad.returncode == 1 and f"{not_json} is not JSON" in bad.stderr and "Traceback" not in bad.stderr
    listed = json.loads(reviewer(data_dir, "corrections", "NCT02455596", "--json").stdout)
    assert [(c["item"], c["facets"], c["author"]) for c in listed["corrections"]] == [
        ("criterion:inclusion/6", json.loads(ecog), "Dr. Ada")
    ]
    assert "removed the correction" in reviewer(data_dir, "correct", "NCT02455596", "inclusion/6", "--remove").stdout
    assert reviewer(data_dir, "corrections", "NCT02455596").stdout == "no facet corrections on NCT02455596\n"
