"""The eligibility grid's PDF (reports/grid.html.j2) rendered for real with WeasyPrint and read back
with pypdf: its header row on every page, the trials in groups of eight with the facet column again."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from reviewer.core.grid import COLUMNS_PER_PAGE
from reviewer.core.library import Library
from reviewer.core.reports import ReportError, ReportOptions

SEEDS = ["NCT06924645", "NCT07312656", "NCT02455596"]


def page_texts(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture(scope="module")
def library(tmp_path_factory, corpus_dir):
    opened = Library.open(tmp_path_factory.mktemp("grid-report") / "data")
    studies = sorted((corpus_dir / "ctgov-v2").glob("NCT*.json"))[:10]
    assert not opened.import_paths(studies).failed
    yield opened
    opened.close()


def test_the_seeds_grid_pdf(library):
    pdf = library.make_report("grid", SEEDS, ReportOptions(reviewer="Dr. Grid"))
    pages = page_texts(pdf)
    assert pages[0].startswith("Eligibility grid: 3 trials")
    assert "Eligibility grid of 3 trials" in pages[0]  # the running header
    for text in pages:  # the header row repeats on every page
        assert re.search(r"Facet NCT06924645 .*NCT07312656 .*NCT02455596", text)
        assert "by Dr. Grid" in text
    whole = " ".join(pages)
    assert "≠ Performance status (ECOG) ECOG 1-3 incl. 6 ECOG 0-2" in whole
    assert "Platelets not stated ≥ 100 ×10⁹/L incl. 5 not stated" in whole
    assert "Informed consent required" in whole
    html = library.report_html("grid", SEEDS, ReportOptions(reviewer=""))
    assert html.count('class="cell outlier"') == 3  # age 18-75, ECOG 1-3, life expectancy ≥ 6 months


def test_many_trials_come_eight_to_a_page_with_the_facet_column_again(library):
    ids = (
        SEEDS
        + [row["registry_id"] for row in library.list_trials(limit=20) if row["registry_id"] not in SEEDS][:7]
    )
    assert len(ids) == 10
    pdf = library.make_report("grid", ids, ReportOptions(reviewer=""))
    pages = page_texts(pdf)
    first_group = [n for n, text in enumerate(pages) if "trials 1–8 of 10" in text]
    second_group = [n for n, text in enumerate(pages) if "trials 9–10 of 10" in text]
    assert first_group and second_group and max(first_group) < min(second_group)
    assert len(first_group) + len(second_group) == len(pages)  # every page says which trials it shows
    for n in first_group:
        assert all(registry_id in pages[n] for registry_id in ids[:COLUMNS_PER_PAGE])
        assert not any(registry_id in pages[n].split("Facet", 1)[1] for registry_id in ids[COLUMNS_PER_PAGE:])
    for n in second_group:
        header = pages[n].split("Facet", 1)[1]
        assert all(registry_id in header for registry_id in ids[COLUMNS_PER_PAGE:])
    # the facet column is there again for the last two trials
    assert "Demographics" in pages[min(second_group)] and "Age" in pages[min(second_group)]


def test_a_grid_report_of_one_trial_is_refused(library):
    with pytest.raises(ReportError, match="an eligibility grid takes 2 to 50 trials; 1 was given"):
        library.make_report("grid", SEEDS[:1], ReportOptions(reviewer=""))
