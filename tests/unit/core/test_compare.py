"""Side-by-side comparison: criteria about the same thing share a row (by facet first, then by
concept), and a row differs when the trials require different things."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from reviewer.core.compare import (
    SECTIONS,
    Comparison,
    Row,
    compare_arms,
    compare_records,
    comparison_text,
    comparison_to_json,
    design,
    eligibility_rows,
)
from reviewer.core.compare.concepts import (
    AGE,
    BRAIN,
    CONSENT,
    INFECTION,
    LIFE_EXPECTANCY,
    PERFORMANCE,
    PREGNANCY,
    concept_matches,
    concept_matches_exhaustive,
    criterion_concept,
)
from reviewer.core.compare.table import normalized
from reviewer.core.eligibility import criterion_facets
from reviewer.core.importers import read_document
from reviewer.core.items import Kind
from reviewer.core.record import Criterion, Eligibility, Outcome, TrialRecord
from tests.conftest import SEED_IGNITE_MSC, SEED_VEEVA_FMT, SEED_VEEVA_NOVAFERON

ECOG = "Performance status (ECOG)"
GASTROINTESTINAL = "Gastrointestinal (absorption, perforation, swallowing)"


def read(path: Path) -> TrialRecord:
    return read_document(path.read_bytes())[0].record


@pytest.fixture(scope="module")
def fmt() -> TrialRecord:
    return read(SEED_VEEVA_FMT)  # NCT06924645


@pytest.fixture(scope="module")
def msc() -> TrialRecord:
    return read(SEED_IGNITE_MSC)  # NCT07312656


@pytest.fixture(scope="module")
def novaferon() -> TrialRecord:
    return read(SEED_VEEVA_NOVAFERON)  # NCT02455596


@pytest.fixture(scope="module")
def corpus(corpus_dir):
    def load(registry_id: str) -> TrialRecord:
        return read(corpus_dir / "ctgov-v2" / f"{registry_id}.json")

    return load


@pytest.fixture(scope="module")
def neuro(fmt, novaferon) -> Comparison:
    return compare_records([fmt, novaferon])


@pytest.fixture(scope="module")
def nsclc(corpus) -> Comparison:
    # afatinib for HER2-mutant NSCLC (single arm) vs AC0010 vs chemotherapy in T790M NSCLC
    return compare_records([corpus("NCT02369484"), corpus("NCT03058094")])


@pytest.fixture(scope="module")
def leukaemia(corpus) -> Comparison:
    # CC-96191 in relapsed AML vs pirtobrutinib + venetoclax + obinutuzumab in CLL / Richter
    return compare_records([corpus("NCT04789655"), corpus("NCT05536349")])


# ---------------------------------------------------------------- helpers


KIND_OF_SECTION = {
    "design": Kind.DESIGN_FIELD,
    "arms": Kind.ARM,
    "inclusion": Kind.CRITERION,
    "exclusion": Kind.CRITERION,
    "outcomes": Kind.OUTCOME,
}


def paths(row: Row) -> list[list[str]]:
    """The paths of a row's item refs, per cell ("inclusion/3")."""
    return [[ref.path for ref in cell] for cell in row.keys]


def row_holding(c: Comparison, section: str, trial: int, key: str, concept: str | None = None) -> Row:
    """The one row of a section whose cell for ``trial`` holds the item ``key`` (and, given, whose
    concept is ``concept``: an item stating several facets is on each of their rows)."""
    rows = [row for row in c.sections[section] if key in paths(row)[trial]]
    if concept is not None:
        rows = [row for row in rows if row.concept == concept]
    assert len(rows) == 1, f"{key} of trial {trial} is on {[r.concept for r in rows]} of {section}"
    return rows[0]


def concepts_of(c: Comparison, section: str, trial: int, key: str) -> list[str | None]:
    """The rows an item is on, by their names."""
    return [row.concept for row in c.sections[section] if key in paths(row)[trial]]


def text_of(c: Comparison, section: str, trial: int, key: str) -> str:
    row = row_holding(c, section, trial, key)
    return row.cells[trial][paths(row)[trial].index(key)]


def expected_criteria_keys(record: TrialRecord, section: str) -> set[str]:
    """Walked here independently: a top-level item is one item, unless it is a heading or only leads
    into its children (ends with ":"), when its children are the items, recursively; an item whose
    children are its exceptions (or, in the inclusion section, its alternatives) is one item."""
    if record.eligibility is None:
        return set()

    def gives_way(item, part) -> bool:
        if not item.children:
            return False
        if item.heading:
            return True
        if item.role == "exceptions":
            return False
        if item.role == "alternatives":
            return part == "exclusion"
        return item.text.rstrip().endswith(":")

    def walk(items, part, prefix):
        keys = set()
        for n, item in enumerate(items, 1):
            path = f"{prefix}{n}"
            if gives_way(item, part):
                keys |= walk(item.children, part, path + ".")
            else:
                keys.add(f"{part}/{path}")
        return keys

    parts = ("inclusion", "other") if section == "inclusion" else (section,)
    return set().union(*(walk(getattr(record.eligibility, p), p, "") for p in parts))


def expected_outcome_keys(record: TrialRecord) -> set[str]:
    keys, counts = set(), {}
    for outcome in record.outcomes or []:
        counts[outcome.kind] = counts.get(outcome.kind, 0) + 1
        keys.add(f"{outcome.kind}/{counts[outcome.kind]}")
    return keys


def assert_every_item_placed(c: Comparison, records: list[TrialRecord]) -> None:
    """Every item is on a row: design, arms and outcomes on exactly one, a criterion on one or more
    (one per facet it states), never twice on the same row."""
    assert list(c.sections) == list(SECTIONS)
    for section, rows in c.sections.items():
        for row in rows:
            assert len(row.cells) == len(records) == len(paths(row)) == len(row.values), (
                section,
                row.concept,
            )
            for cell, keys in zip(row.cells, row.keys, strict=True):
                assert len(cell) == len(keys) == len(set(keys)), (section, row.concept)
                assert all(ref.kind is KIND_OF_SECTION[section] for ref in keys), (section, row.concept)
                assert all(isinstance(text, str) and text for text in cell)
            assert (row.facet is None) == all(v is None for v in row.values), (section, row.concept)
    for n, record in enumerate(records):
        expected = {
            "design": {key for key, _, _ in design.DESIGN_FIELDS},
            "arms": {arm.label for arm in record.arms or []},
            "inclusion": expected_criteria_keys(record, "inclusion"),
            "exclusion": expected_criteria_keys(record, "exclusion"),
            "outcomes": expected_outcome_keys(record),
        }
        for section, keys in expected.items():
            seen = [key for row in c.sections[section] for key in paths(row)[n]]
            if section not in ("inclusion", "exclusion"):
                assert len(seen) == len(set(seen)), f"{record.registry_id} {section}: an item on two rows"
            assert set(seen) == keys, f"{record.registry_id} {section}"


# ---------------------------------------------------------------- the user's neuroendocrine pair


def test_neuroendocrine_age_is_the_same_minimum_18(neuro):
    row = row_holding(neuro, "inclusion", 0, "inclusion/1", AGE)  # "Age ≥18 years, regardless of gender;"
    assert row.facet == "age"
    assert row.cells == [["Age ≥18 years, regardless of gender;"], ["At least 18 years old."]]
    assert paths(row) == [["inclusion/1"], ["inclusion/2"]]
    assert row.values == ["≥ 18 years", "≥ 18 years"]
    assert row.differs is False


def test_neuroendocrine_ecog_differs_1_3_against_0_2(neuro):
    row = row_holding(neuro, "inclusion", 0, "inclusion/6")
    assert (row.concept, row.facet) == (ECOG, "performance:ECOG")
    assert row.cells == [
        ["Eastern Cooperative Oncology Group (ECOG) Performance Status (PS) score of 1-3;"],
        ["ECOG performance status 0, 1 or 2."],
    ]
    assert row.values == ["ECOG 1-3", "ECOG 0-2"]
    assert row.differs is True


def test_neuroendocrine_key_differences_name_ecog_not_age(neuro):
    lines = [k.text for k in neuro.key_differences]
    assert "Performance status (ECOG): 1-3 | 0-2" in lines
    assert not any(line.startswith(("Age", "Informed consent", "Life expectancy", "Sex")) for line in lines)
    ecog = next(k for k in neuro.key_differences if k.facet == "performance:ECOG")
    assert (ecog.values, ecog.section) == (("1-3", "0-2"), "inclusion")
    # one line per differing facet, each naming a facet row that differs
    facet_rows = {
        row.facet: row for s in ("inclusion", "exclusion") for row in neuro.sections[s] if row.facet
    }
    assert [k.facet for k in neuro.key_differences] == list(
        dict.fromkeys(k.facet for k in neuro.key_differences)
    )
    assert all(facet_rows[k.facet].differs for k in neuro.key_differences)
    assert {f for f, row in facet_rows.items() if row.differs} == {k.facet for k in neuro.key_differences}


def test_neuroendocrine_an_item_with_several_facets_is_on_each_row(neuro):
    # "Female subjects with a positive pregnancy test, lactating women, or women of childbearing
    # potential ... contraception": pregnancy, breastfeeding and contraception, each the same value
    assert concepts_of(neuro, "exclusion", 0, "exclusion/6") == [
        "Pregnancy",
        "Breastfeeding",
        "Contraception",
    ]
    pregnancy = row_holding(neuro, "exclusion", 0, "exclusion/6", "Pregnancy")
    assert paths(pregnancy) == [["exclusion/6"], ["exclusion/3"]]
    assert pregnancy.values == ["excluded", "excluded"] and pregnancy.differs is False
    contraception = row_holding(neuro, "exclusion", 0, "exclusion/6", "Contraception")
    assert paths(contraception) == [["exclusion/6"], ["exclusion/4"]] and contraception.differs is False


def test_neuroendocrine_life_expectancy_and_consent_rows(neuro):
    life = row_holding(neuro, "inclusion", 0, "inclusion/2")  # "Anticipated survival period ≥3 months;"
    assert life.concept == "Life expectancy"
    assert paths(life) == [["inclusion/2"], ["inclusion/8"]]
    assert life.values == ["≥ 3 months", "≥ 3 months"] and life.differs is False
    consent = row_holding(neuro, "inclusion", 1, "inclusion/1")
    assert consent.concept == CONSENT
    assert paths(consent) == [["inclusion/5"], ["inclusion/1"]]
    assert consent.values == ["required", "required"]
    assert consent.differs is False  # "sign an informed consent form" and "signed the informed consent"


def test_neuroendocrine_different_concepts_stay_apart(neuro):
    allergy = row_holding(neuro, "exclusion", 0, "exclusion/5")
    assert allergy.concept == "Hypersensitivity"
    assert paths(allergy)[1] == ["exclusion/5"]  # "allergic to Interferon-α"
    brain = row_holding(neuro, "exclusion", 1, "exclusion/6")
    assert (brain.concept, brain.facet) == ("Brain metastases", "brain_metastases")
    assert brain.cells[0] == []  # NCT06924645 says nothing about brain metastases
    assert brain.values == ["not stated", "excluded"] and brain.differs is True
    infection = row_holding(neuro, "exclusion", 0, "exclusion/2")
    assert paths(infection) == [["exclusion/2", "exclusion/4"], []]


def test_neuroendocrine_every_item_once(neuro, fmt, novaferon):
    assert_every_item_placed(neuro, [fmt, novaferon])


def test_rows_come_in_clinical_order_then_unmatched(nsclc):
    for section in ("inclusion", "exclusion"):
        rows = nsclc.sections[section]
        named = [row for row in rows if row.concept is not None]
        assert rows[: len(named)] == named, "unmatched rows come after the facet and concept rows"
        order = [eligibility_rows.row_order(row) for row in named]
        assert order == sorted(order)
        facets = [row.facet for row in named if row.facet]
        assert len(facets) == len(set(facets)), "one row per facet"
        plain = [row.concept for row in named if not row.facet]
        assert len(plain) == len(set(plain)), "one row per concept"


# ---------------------------------------------------------------- two NSCLC trials from the corpus


def test_nsclc_shared_rows(nsclc):
    ecog = row_holding(nsclc, "inclusion", 0, "inclusion/10")
    assert ecog.concept == ECOG
    assert paths(ecog)[1] == ["inclusion/11"]  # "ECOG performance status 0 to1." ({0,1} vs {0,1,2})
    assert ecog.values == ["ECOG 0-2", "ECOG 0-1"] and ecog.differs is True
    brain = row_holding(nsclc, "exclusion", 0, "exclusion/2", "Brain metastases")  # lepto-meningeal
    assert brain.facet == "brain_metastases"
    assert paths(brain)[1] == ["exclusion/8"]  # "Patient with symptomatic CNS metastases."
    assert brain.values == ["stable allowed", "stable allowed"] and brain.differs is False
    pregnancy = row_holding(nsclc, "exclusion", 0, "exclusion/11", "Pregnancy")
    assert "exclusion/14" in paths(pregnancy)[1]  # "Pregnant and lactating women."
    ild = row_holding(nsclc, "exclusion", 0, "exclusion/10")  # interstitial lung disease
    assert paths(ild)[1] == ["exclusion/5.2", "exclusion/5.3"]  # children of "Condition of organ system:"
    age = row_holding(nsclc, "inclusion", 0, "inclusion/9")
    assert age.concept == AGE and paths(age)[1] == ["inclusion/1"]
    assert age.values == ["≥ 18 years", "18-75 years"] and age.differs is True


def test_nsclc_items_that_must_not_share_a_row(nsclc):
    brain = row_holding(nsclc, "exclusion", 0, "exclusion/2", "Brain metastases")
    hepatitis = row_holding(nsclc, "exclusion", 0, "exclusion/8")  # "Known HIV, active Hepatitis B ..."
    assert hepatitis is not brain
    assert hepatitis.facet == "infection"
    assert "exclusion/2" in paths(hepatitis)[1]  # "HCV antibody positive, active hepatitis B"
    assert "exclusion/2" not in paths(brain)[1]
    for row in [r for r in nsclc.sections["exclusion"] if "exclusion/14" in paths(r)[1]]:
        assert row is not brain and row is not hepatitis


def test_nsclc_heading_children_are_aligned_not_the_heading(nsclc):
    # NCT03058094 inclusion 8 is the heading "Adequate organ function:" with three children
    keys = {key for row in nsclc.sections["inclusion"] for key in paths(row)[1]}
    assert "inclusion/8" not in keys
    assert {"inclusion/8.1", "inclusion/8.2", "inclusion/8.3"} <= keys
    # "Bone marrow reserve: Absolute neutrophil count ≥1.5 ´ 109/L,. Platelet count ≥100´ 109/L ..."
    assert concepts_of(nsclc, "inclusion", 1, "inclusion/8.1") == ["ANC", "Platelets", "Haemoglobin"]
    anc = row_holding(nsclc, "inclusion", 1, "inclusion/8.1", "ANC")
    assert paths(anc)[0] == ["inclusion/15"]  # "neutrophils count ≥1.5×109/L"
    assert anc.values == ["≥ 1.5 ×10⁹/L", "≥ 1.5 ×10⁹/L"] and anc.differs is False
    alt = row_holding(nsclc, "inclusion", 1, "inclusion/8.2", "ALT")
    assert paths(alt)[0] == ["inclusion/19"] and alt.differs is True  # < 2.5 against ≤ 2.5 × ULN
    kidney = row_holding(nsclc, "inclusion", 1, "inclusion/8.3")  # "Kidney function: Creatinine ≤1.5 × ULN"
    assert kidney.facet == "lab:creatinine" and kidney.values == ["not stated", "≤ 1.5 × ULN"]


def test_nsclc_outcomes_primary_with_primary(nsclc):
    for row in nsclc.sections["outcomes"]:
        kinds = {key.split("/")[0] for keys in paths(row) for key in keys}
        assert len(kinds) == 1, row
        assert row.concept.lower().startswith(kinds.pop())
    survival = row_holding(nsclc, "outcomes", 0, "secondary/3")  # "Overall Survival"
    assert paths(survival)[1] == ["secondary/4"]  # "Overall Survival (OS)"
    response = row_holding(nsclc, "outcomes", 0, "secondary/2")  # "Objective Response"
    assert paths(response)[1] == ["secondary/1"]  # "Objective Response Rate (ORR)"
    # PFS is secondary in one trial and primary in the other: not the same row
    assert row_holding(nsclc, "outcomes", 0, "secondary/1") is not row_holding(
        nsclc, "outcomes", 1, "primary/1"
    )
    assert survival.cells[1] == [
        "Overall Survival (OS) (From the date of randomization to death or end of study, "
        "which is assessed up to 36 months.)"
    ]


def test_nsclc_every_item_once(nsclc, corpus):
    assert_every_item_placed(nsclc, [corpus("NCT02369484"), corpus("NCT03058094")])


# ---------------------------------------------------------------- two leukaemia trials from the corpus


def test_leukaemia_shared_rows(leukaemia):
    # keys after the split of "... of signing the ICF. 4. Relapsed or refractory ..." (two items run together)
    ecog = row_holding(leukaemia, "inclusion", 0, "inclusion/1.4")  # ECOG 0 or 1 (under a heading)
    assert ecog.concept == ECOG
    assert paths(ecog)[1] == ["inclusion/3"]  # ECOG 0-2
    assert ecog.differs is True
    cns = row_holding(leukaemia, "exclusion", 0, "exclusion/1.7")  # CNS leukaemia
    assert cns.facet == "brain_metastases"
    assert paths(cns)[1] == ["exclusion/14"]  # CNS involvement by CLL/SLL/RT
    pregnancy = row_holding(leukaemia, "exclusion", 0, "exclusion/1.11", "Pregnancy")
    assert paths(pregnancy)[1] == ["exclusion/10"]
    contraception = row_holding(leukaemia, "inclusion", 0, "inclusion/1.6")
    assert contraception.concept == "Contraception" and paths(contraception)[1] == ["inclusion/8"]
    viral = row_holding(leukaemia, "exclusion", 0, "exclusion/1.9")  # HIV, hepatitis B/C
    assert viral.facet == "infection"
    assert {"exclusion/3", "exclusion/4", "exclusion/5"} <= set(paths(viral)[1])


def test_leukaemia_items_that_must_not_share_a_row(leukaemia):
    cns = row_holding(leukaemia, "exclusion", 0, "exclusion/1.7")
    viral = row_holding(leukaemia, "exclusion", 0, "exclusion/1.9")
    assert cns is not viral
    assert "exclusion/4" not in paths(cns)[1]  # hepatitis B is not a CNS item
    cardiac = row_holding(leukaemia, "exclusion", 0, "exclusion/1.10")
    assert cardiac.concept == "Cardiac" and cardiac is not cns
    assert row_holding(leukaemia, "exclusion", 1, "exclusion/17") is not row_holding(
        leukaemia, "exclusion", 1, "exclusion/2"
    )  # hypersensitivity vs infection


def test_leukaemia_primary_outcomes_aligned(leukaemia):
    safety = row_holding(leukaemia, "outcomes", 1, "primary/1")  # severity of adverse events
    assert paths(safety)[0] == ["primary/3"]  # "Adverse Events (AEs)"
    assert safety.concept.startswith("Primary")
    dlt = row_holding(leukaemia, "outcomes", 0, "primary/1")
    assert dlt is not safety and dlt.cells[1] == [] and dlt.differs is True


def test_leukaemia_every_item_once(leukaemia, corpus):
    assert_every_item_placed(leukaemia, [corpus("NCT04789655"), corpus("NCT05536349")])


# ---------------------------------------------------------------- arms


def test_arms_aligned_by_role(fmt, msc, novaferon):
    c = compare_records([fmt, msc, novaferon])
    experimental, comparator = c.sections["arms"]
    assert experimental.concept == "Experimental arm"
    assert paths(experimental) == [
        ["Fecal microbiota transplantation"],
        ["experimental group"],
        ["Experimental"],
    ]
    assert experimental.cells[1] == [
        "[Experimental] experimental group: Drug: mesenchymal stem cell-derived exosomes"
    ]
    assert comparator.concept == "Comparator arm"
    assert paths(comparator) == [["Control"], ["control group"], []]
    assert comparator.cells[1] == ["[No intervention] control group"]
    assert_every_item_placed(c, [fmt, msc, novaferon])


def test_single_group_other_arm_sits_with_experimental(nsclc):
    experimental = nsclc.sections["arms"][0]
    assert paths(experimental) == [["Afatinib"], ["AC0010"]]
    assert [row.concept for row in nsclc.sections["arms"]] == ["Experimental arm", "Comparator arm"]


def test_compare_arms_of_one_trial(msc):
    c = compare_arms(msc)
    assert c.trials == ["experimental group", "control group"]
    assert list(c.sections) == list(SECTIONS)
    assert c.sections["design"] == c.sections["inclusion"] == c.sections["exclusion"] == []
    assert c.sections["outcomes"] == []
    rows = {row.concept: row for row in c.sections["arms"]}
    assert rows["Type"].cells == [["Experimental"], ["No intervention"]]
    assert rows["Type"].differs is True
    assert rows["Interventions"].cells == [["Drug: mesenchymal stem cell-derived exosomes"], ["none"]]
    assert rows["Description"].cells[1] == [
        "Patients in the control group received no drug interventions, only conventional radiotherapy "
        "and supportive care."
    ]
    for row in c.sections["arms"]:
        assert paths(row) == [
            ["experimental group"] * len(row.cells[0]),
            ["control group"] * len(row.cells[1]),
        ]


def test_compare_arms_needs_arms():
    with pytest.raises(ValueError, match="no arms"):
        compare_arms(TrialRecord("NCT00000001", arms=None))


# ---------------------------------------------------------------- design


def test_design_rows_read_human_words(neuro):
    design = {paths(row)[0][0]: row for row in neuro.sections["design"]}
    assert design["phases"].cells == [["—"], ["Phase 2"]]  # NCT06924645 gives no phase
    assert paths(design["phases"]) == [["phases"], ["phases"]]
    assert design["phases"].differs is True
    assert design["study_type"].cells == [["Interventional"], ["Interventional"]]
    assert design["study_type"].differs is False
    assert design["start"].cells == [["not in source"], ["not in source"]]
    assert design["enrollment"].cells == [["40 (Estimated)"], ["20 (Estimated)"]]
    assert design["masking"].cells[0] == ["None (open label)"]
    assert design["minimum_age"].cells == [["18 Years"], ["18 Years"]] and not design["minimum_age"].differs
    assert design["maximum_age"].cells == [["no limit"], ["no limit"]]
    assert design["sex"].cells == [["All"], ["All"]]
    assert [row.concept for row in neuro.sections["design"]][:3] == [
        "Study type",
        "Phases",
        "Primary purpose",
    ]


def test_design_not_in_source_reads_differently_from_none():
    sparse = TrialRecord("NCT00000001", conditions=None, eligibility=None)
    empty = TrialRecord("NCT00000002", conditions=[], eligibility=Eligibility(sex="FEMALE"))
    design = {paths(row)[0][0]: row for row in compare_records([sparse, empty]).sections["design"]}
    assert design["conditions"].cells == [["not in source"], ["—"]]
    assert design["sex"].cells == [["not in source"], ["Female"]]
    assert design["minimum_age"].cells == [["not in source"], ["no limit"]]
    assert design["masking"].cells == [["not in source"], ["not in source"]]
    assert design["masking"].differs is False


def test_design_ages_compare_by_value():
    a = TrialRecord("NCT00000001", eligibility=Eligibility(minimum_age="18 Years"))
    b = TrialRecord("NCT00000002", eligibility=Eligibility(minimum_age="216 Months"))
    design = {paths(row)[0][0]: row for row in compare_records([a, b]).sections["design"]}
    assert design["minimum_age"].differs is False


# ---------------------------------------------------------------- synthetic records: the rules


def trial(registry_id: str, inclusion=(), exclusion=(), other=(), outcomes=None) -> TrialRecord:
    eligibility = Eligibility(
        inclusion=[c if isinstance(c, Criterion) else Criterion(c) for c in inclusion],
        exclusion=[c if isinstance(c, Criterion) else Criterion(c) for c in exclusion],
        other=[c if isinstance(c, Criterion) else Criterion(c) for c in other],
    )
    return TrialRecord(registry_id, eligibility=eligibility, outcomes=outcomes, arms=[])


def test_unmatched_items_pair_by_word_overlap():
    a = trial("A", inclusion=["Tumour tissue sample available for central review", "Owns a smartphone"])
    b = trial("B", inclusion=["Archival tumour tissue sample available for central review"])
    rows = compare_records([a, b]).sections["inclusion"]
    assert [row.concept for row in rows] == [None, None]
    assert paths(rows[0]) == [["inclusion/1"], ["inclusion/1"]] and rows[0].differs is True
    assert paths(rows[1]) == [["inclusion/2"], []]


def test_equal_texts_do_not_differ():
    a = trial("A", exclusion=["1. Known hypersensitivity to the study drug."])
    b = trial("B", exclusion=["known  hypersensitivity to the study drug"])
    (row,) = compare_records([a, b]).sections["exclusion"]
    assert row.differs is False


def test_a_trial_with_nothing_on_a_row_differs():
    a = trial("A", inclusion=["Signed informed consent"])
    b = trial("B", inclusion=["Signed informed consent"])
    c = trial("C")
    (row,) = compare_records([a, b, c]).sections["inclusion"]
    assert row.cells == [["Signed informed consent"], ["Signed informed consent"], []]
    assert row.differs is True


def test_an_item_stating_several_facets_is_on_each_row_compared_by_value():
    a = trial("A", inclusion=["ECOG 0-2 and life expectancy ≥ 6 months"])
    b = trial("B", inclusion=["ECOG performance status 0, 1 or 2"])
    ecog, life = compare_records([a, b]).sections["inclusion"]
    assert (ecog.concept, ecog.values, ecog.differs) == (ECOG, ["ECOG 0-2", "ECOG 0-2"], False)
    assert (life.concept, life.values, life.differs) == (
        "Life expectancy",
        ["≥ 6 months", "not stated"],
        True,
    )
    assert paths(ecog) == paths(life) == [["inclusion/1"], []] or paths(ecog) == [
        ["inclusion/1"],
        ["inclusion/1"],
    ]


def test_inclusion_and_exclusion_are_read_together():
    a = trial("A", inclusion=["Treated and stable brain metastases are allowed"])
    b = trial("B", exclusion=["Active or untreated brain metastases"])  # so treated, stable ones are allowed
    c = trial("C", exclusion=["Known brain metastases"])
    same = compare_records([a, b])
    (included,) = same.sections["inclusion"]
    (excluded,) = same.sections["exclusion"]
    assert included.values == excluded.values == ["stable allowed", "stable allowed"]
    assert included.differs is excluded.differs is False
    assert paths(included) == [["inclusion/1"], []] and paths(excluded) == [[], ["exclusion/1"]]
    assert same.key_differences == []
    different = compare_records([a, b, c])
    (included,) = different.sections["inclusion"]
    (excluded,) = different.sections["exclusion"]
    assert included.values == excluded.values == ["stable allowed", "stable allowed", "excluded"]
    assert included.differs is excluded.differs is True
    (brain,) = different.key_differences
    assert (brain.text, brain.section) == (
        "Brain metastases: stable allowed | stable allowed | excluded",
        "inclusion",
    )


def test_the_same_value_in_other_words_or_sections_does_not_differ():
    a = trial("A", inclusion=["Absolute neutrophil count ≥ 1.5 x 10^9/L"], exclusion=["Pregnant women"])
    b = trial("B", exclusion=["ANC < 1500/mm3", "Women who are pregnant or planning a pregnancy"])
    comparison = compare_records([a, b])
    anc = row_holding(comparison, "inclusion", 0, "inclusion/1")
    assert anc.facet == "lab:anc" and anc.differs is False
    assert row_holding(comparison, "exclusion", 1, "exclusion/1").differs is False
    assert comparison.key_differences == []


def test_boilerplate_in_other_words_does_not_differ():
    a = trial("A", inclusion=["Informed consent"])
    b = trial("B", inclusion=["Signed informed consent form obtained before any study procedure"])
    (row,) = compare_records([a, b]).sections["inclusion"]
    assert (row.concept, row.values, row.differs) == (CONSENT, ["required", "required"], False)


def test_corrected_facets_from_the_caller_are_used():
    a = trial("A", inclusion=["ECOG 0-2"])
    b = trial("B", inclusion=["ECOG performance status 0 to 2"])
    corrected = criterion_facets(b)
    corrected[0] = replace(
        corrected[0], facets=({"kind": "performance", "scale": "ECOG", "allowed": [0, 1]},)
    )
    plain = compare_records([a, b])
    fixed = compare_records([a, b], item_facets=[criterion_facets(a), corrected])
    assert plain.sections["inclusion"][0].differs is False
    (row,) = fixed.sections["inclusion"]
    assert row.values == ["ECOG 0-2", "ECOG 0-1"] and row.differs is True
    with pytest.raises(ValueError, match="item facets for 1 trials"):
        compare_records([a, b], item_facets=[corrected])


def test_heading_children_vs_item_with_details():
    heading = Criterion(
        "Adequate organ function:", [Criterion("ANC ≥ 1.5 x 10^9/L"), Criterion("Bilirubin ≤ 1.5 ULN")]
    )
    parent = Criterion("Adequate hepatic function", [Criterion("ALT ≤ 3 ULN")])
    record = trial("A", inclusion=[heading, parent], other=["Age 18 or older"])
    units = eligibility_rows.criteria_units(criterion_facets(record))
    assert [(u.ref.path, u.section) for u in units] == [
        ("inclusion/1.1", "inclusion"),
        ("inclusion/1.2", "inclusion"),
        ("inclusion/2", "inclusion"),
        ("other/1", "inclusion"),
    ]
    assert units[2].text == "Adequate hepatic function\n  - ALT ≤ 3 ULN"
    rows = {row.concept: row for row in compare_records([record, trial("B")]).sections["inclusion"]}
    assert paths(rows["ALT"])[0] == ["inclusion/2"]  # the child's facet files its parent
    assert paths(rows["Age"])[0] == ["other/1"]


def test_no_eligibility_gives_empty_cells():
    a = trial("A", inclusion=["Age ≥ 18 years"])
    b = TrialRecord("B", eligibility=None)
    (row,) = compare_records([a, b]).sections["inclusion"]
    assert row.cells == [["Age ≥ 18 years"], []] and row.differs is True


def test_outcomes_align_by_endpoint_and_words():
    a = trial(
        "A",
        outcomes=[
            Outcome("primary", "Progression-free survival", "2 years"),
            Outcome("secondary", "OS (overall survival)", "5 years"),
            Outcome("secondary", "Incidence of grade 3 oral mucositis", "90 days"),
        ],
    )
    b = trial(
        "B",
        outcomes=[
            Outcome("primary", "PFS", "2 years"),
            Outcome("secondary", "Overall survival", "5 years"),
            Outcome("secondary", "Incidence of grade ≥3 oral mucositis", "90 days"),
        ],
    )
    rows = compare_records([a, b]).sections["outcomes"]
    assert [paths(row) for row in rows] == [
        [["primary/1"], ["primary/1"]],
        [["secondary/1"], ["secondary/1"]],
        [["secondary/2"], ["secondary/2"]],
    ]
    assert rows[0].concept == "Primary: Progression-free survival"
    assert rows[1].concept == "Secondary: Overall survival"
    assert rows[2].concept == "Secondary outcome"
    assert rows[0].cells == [["Progression-free survival (2 years)"], ["PFS (2 years)"]]


# ---------------------------------------------------------------- classification and values


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("ECOG 0-2 and life expectancy ≥ 6 months", PERFORMANCE),
        ("Life expectancy ≥ 12 weeks and ECOG 0-1", LIFE_EXPECTANCY),
        ("Have brain metastases or previous history of brain metastases or history of seizures.", BRAIN),
        ("Known HIV, active Hepatitis B or Hepatitis C infection (screening not required).", INFECTION),
        ("Karnofsky performance status ≥ 70%", PERFORMANCE),
        ("Lansky play score ≥ 50 for patients < 16 years", PERFORMANCE),
        (
            "Other conditions deemed unsuitable for enrollment by the investigator.",
            "Investigator's judgement",
        ),
        ("Patients with other malignant tumor in 5 years", "Other malignancy"),
        ("Prior treatment with Interferon.", "Prior therapy"),
        ("Previous radiotherapy to the head and neck region;", "Prior therapy"),
        ("Serum creatinine ≤1.5 × ULN or creatinine clearance ≥50 mL/min;", "Renal function"),
        ("Total bilirubin ≤ 1.5 × ULN and creatinine ≤ 1.5 × ULN", "Organ function (overall)"),
        ("Severe hepatic or renal dysfunction", "Organ function (overall)"),
        ("Left ventricular ejection fraction ≥ 50% by echocardiogram", "Cardiac"),
        ("QTcF > 470 msec", "Cardiac"),
        ("Current participation in another clinical trial", "Other trials / investigational agents"),
        ("Women of child-bearing age must use contraception", PREGNANCY),
        ("Patients with gastrointestinal perforation and/or fistula;", GASTROINTESTINAL),
        (
            "Severe psychiatric disorders that may impair the ability to provide informed consent",
            "Psychiatric / substance abuse",
        ),
        ("Glycosylated hemoglobin (HbA1c) greater than 9%", None),
        ("Owns a smartphone", None),
    ],
)
def test_criterion_concept(text, concept):
    assert criterion_concept(text) == concept


def test_normalized_text():
    assert normalized("1. Known  HIV;") == normalized("known hiv") == "known hiv"
    assert normalized("a) Age >= 18.") == "age ≥ 18"


def test_trigger_prefilter_agrees_with_the_full_rules(corpus_dir, fmt, msc, novaferon):
    """The word-beginning prefilter only saves time: on every real criterion it changes nothing."""
    records = [fmt, msc, novaferon] + [read(p) for p in sorted((corpus_dir / "ctgov-v2").glob("NCT*.json"))]
    texts = {
        item.text
        for record in records
        if record.eligibility
        for part in ("inclusion", "exclusion", "other")
        for top in getattr(record.eligibility, part)
        for item in top.walk()
    }
    assert len(texts) > 5000
    wrong = [t for t in texts if concept_matches(t) != concept_matches_exhaustive(t)]
    assert wrong == []


# ---------------------------------------------------------------- API shape, limits, text, speed


def test_comparison_to_json_shape(neuro):
    data = comparison_to_json(neuro)
    assert json.loads(json.dumps(data)) == data
    assert set(data) == {"trials", "sections", "key_differences"}
    assert data["trials"] == ["NCT06924645", "NCT02455596"]
    assert list(data["sections"]) == ["design", "arms", "inclusion", "exclusion", "outcomes"]
    for rows in data["sections"].values():
        for row in rows:
            assert set(row) == {"concept", "facet", "cells", "items", "values", "differs"}
            assert row["concept"] is None or isinstance(row["concept"], str)
            assert isinstance(row["differs"], bool)
            assert len(row["cells"]) == len(row["items"]) == 2
            assert all(
                isinstance(cell, list) and all(isinstance(t, str) for t in cell) for cell in row["cells"]
            )
            assert (row["facet"] is None) == (row["values"] is None)
    ecog = next(r for r in data["sections"]["inclusion"] if r["facet"] == "performance:ECOG")
    assert ecog == {
        "concept": ECOG,
        "facet": "performance:ECOG",
        "cells": [
            ["Eastern Cooperative Oncology Group (ECOG) Performance Status (PS) score of 1-3;"],
            ["ECOG performance status 0, 1 or 2."],
        ],
        "items": [["criterion:inclusion/6"], ["criterion:inclusion/6"]],
        "values": ["ECOG 1-3", "ECOG 0-2"],
        "differs": True,
    }
    age = next(r for r in data["sections"]["inclusion"] if r["facet"] == "age")
    assert age["values"] == ["≥ 18 years", "≥ 18 years"] and age["differs"] is False
    assert {
        "facet": "performance:ECOG",
        "title": ECOG,
        "values": ["1-3", "0-2"],
        "text": "Performance status (ECOG): 1-3 | 0-2",
        "conflict": True,
    } in data["key_differences"]
    assert data["key_differences"][0]["facet"] == "performance:ECOG"  # the values that conflict first
    assert not any(k["facet"] == "age" for k in data["key_differences"])
    assert data["sections"]["outcomes"] == []  # neither saved page carries outcomes


def six_records(fmt, msc, novaferon, corpus) -> list[TrialRecord]:
    return [fmt, msc, novaferon, corpus("NCT02369484"), corpus("NCT04789655"), corpus("NCT05536349")]


@pytest.mark.parametrize("count", [2, 3, 4, 5, 6])
def test_two_to_six_trials(count, fmt, msc, novaferon, corpus):
    records = six_records(fmt, msc, novaferon, corpus)[:count]
    c = compare_records(records)
    assert c.trials == [r.registry_id for r in records]
    assert_every_item_placed(c, records)


@pytest.mark.parametrize("count", [0, 1, 7])
def test_other_counts_are_refused(count, fmt, msc, novaferon, corpus):
    records = (six_records(fmt, msc, novaferon, corpus) * 2)[:count]
    with pytest.raises(ValueError, match=f"compare 2 to 6 trials at a time; {count} "):
        compare_records(records)


def test_comparison_text(neuro):
    text = comparison_text(neuro, width=120)
    lines = text.splitlines()
    assert all(len(line) <= 120 for line in lines), max(lines, key=len)
    for heading in ("Design", "Arms", "Inclusion criteria", "Exclusion criteria"):
        assert heading in lines
    assert "Outcomes" not in lines  # no rows: no table
    assert lines[:2] == ["Key differences", "==============="]
    assert "≠ Performance status (ECOG): 1-3 | 0-2" in lines[: lines.index("Design")]
    header = lines[lines.index("Design") + 2]
    assert "NCT06924645" in header and "NCT02455596" in header
    table = lines[lines.index("Inclusion criteria") :]
    ecog = table.index(next(line for line in table if line.startswith("≠ Performance status")))
    assert "[ECOG 1-3]" in table[ecog] and "[ECOG 0-2]" in table[ecog]  # the values first
    assert (
        "Eastern Cooperative" in table[ecog + 1] and "ECOG performance status 0, 1 or 2." in table[ecog + 1]
    )
    age = table.index(next(line for line in table if line.startswith("  Age ")))
    assert "[≥ 18 years]" in table[age]
    assert "Age ≥18 years" in table[age + 1] and "At least 18 years old." in table[age + 1]
    narrow = comparison_text(compare_records([TrialRecord("A"), TrialRecord("B")]), width=60)
    assert all(len(line) <= 60 for line in narrow.splitlines())


# ---------------------------------------------------------------- the examples of issue 15's "Why"


@pytest.fixture(scope="module")
def almonertinib(corpus) -> Comparison:
    # NCT04870190 (almonertinib against osimertinib, EGFR-mutant NSCLC with brain metastases) against
    # NCT03058094 (AC0010, T790M-positive NSCLC)
    return compare_records([corpus("NCT04870190"), corpus("NCT03058094")])


def test_why_nct04870190_diagnosis_measurable_disease_and_life_expectancy_are_on_rows(almonertinib):
    # "Histology or cytology is confirmed as NSCLC, imaging confirmed as advanced NSCLC with brain
    # metastasis ...": its brain-metastases facet and its diagnosis
    assert {"Diagnosis / histology", "Brain metastases"} <= set(
        concepts_of(almonertinib, "inclusion", 0, "inclusion/2")
    )
    diagnosis = row_holding(almonertinib, "inclusion", 0, "inclusion/2", "Diagnosis / histology")
    assert "inclusion/2" in paths(diagnosis)[1]  # "Histological or cytological confirmed diagnosis ..."
    measurable = row_holding(almonertinib, "inclusion", 0, "inclusion/4", "Measurable disease")
    assert paths(measurable)[1] == ["inclusion/5"] and measurable.differs is False
    life = row_holding(almonertinib, "inclusion", 0, "inclusion/6", "Life expectancy")  # with its ECOG
    assert paths(life)[1] == ["inclusion/12"]
    assert life.values == ["≥ 3 months", "> 3 months"] and life.differs is True  # 12 weeks read as 3 months
    assert "inclusion/6" in paths(row_holding(almonertinib, "inclusion", 0, "inclusion/6", ECOG))[0]


def test_why_nct04501120_diagnosis_is_not_on_the_age_row(corpus):
    aml = compare_records([corpus("NCT04501120"), corpus("NCT04946890")])
    # "In accordance with the WHO 2016 diagnostic criteria for relapsed or refractory AML ... ineligible
    # for treatment with a standard chemotherapy due to age or comorbidities."
    rows = concepts_of(aml, "inclusion", 0, "inclusion/1.1")
    assert rows == ["Diagnosis / histology"]
    assert "Age" not in rows
    diagnosis = row_holding(aml, "inclusion", 0, "inclusion/1.1")
    assert paths(diagnosis)[1] == [
        "inclusion/4"
    ]  # "Histopathologically documented ... AML, as defined by WHO"


def test_why_other_malignancy_keeps_its_exceptions_as_children(almonertinib):
    row = row_holding(almonertinib, "exclusion", 0, "exclusion/4")
    assert (row.concept, row.facet) == ("Other malignancy", "other_malignancy")
    text = row.cells[0][paths(row)[0].index("exclusion/4")]
    assert text.startswith("History of other primary malignant tumors, except for the following:\n  - ")
    assert text.count("\n  - ") == 3  # its three exceptions, inside it
    on_rows = {
        key
        for section in ("inclusion", "exclusion")
        for r in almonertinib.sections[section]
        for key in paths(r)[0]
    }
    assert not on_rows & {"exclusion/4.1", "exclusion/4.2", "exclusion/4.3"}  # never rows of their own


def test_why_informed_consent_of_two_trials_does_not_differ(almonertinib, neuro, nsclc):
    for comparison in (almonertinib, neuro, nsclc):
        (consent,) = [row for row in comparison.sections["inclusion"] if row.concept == CONSENT]
        assert consent.differs is False, consent.cells
        assert all(consent.cells)


def test_unsectioned_criteria_are_aligned_with_the_inclusion_but_say_so():
    from reviewer.core.report_parts import UNSECTIONED_TITLE, comparison_sections

    a = trial("A", other=["Age 18 years or older", "No prior chemotherapy"])
    b = trial("B", inclusion=["Aged ≥ 18 years"])
    comparison = compare_records([a, b])
    age = row_holding(comparison, "inclusion", 0, "other/1")
    assert paths(age) == [["other/1"], ["inclusion/1"]] and age.differs is False
    sections = comparison_sections(comparison, [a, b], [lambda ref: [], lambda ref: []])
    inclusion = next(s for s in sections if s.title == UNSECTIONED_TITLE)
    flagged = [item.unsectioned for row in inclusion.rows for item in row.cells[0]]
    assert flagged and all(flagged)
    assert not any(item.unsectioned for row in inclusion.rows for item in row.cells[1])


def test_an_item_naming_a_test_without_its_value_joins_the_threshold_row():
    a = trial("A", exclusion=["Mean resting QTc > 470 msec"])
    b = trial("B", exclusion=["QT interval prolongation as measured by the investigator on ECG"])
    (row,) = compare_records([a, b]).sections["exclusion"]
    assert row.facet == "lab:qtc" and paths(row) == [["exclusion/1"], ["exclusion/1"]]
    assert row.values == ["≤ 470 ms", "no value read"] and row.differs is True
