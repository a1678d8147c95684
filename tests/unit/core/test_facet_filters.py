"""The library's facet filters: the syntax (facet_filters) and the SQL (listing.TrialFilter) on the
real corpus, checked against the profile each trial's current record gives, read in Python."""

from __future__ import annotations

import pytest

from reviewer.core.facet_filters import FacetCondition, FacetSyntaxError, parse_facet, parse_facets
from reviewer.core.ingest import import_paths
from reviewer.core.library import Library, TrialFilter
from reviewer.core.store.db import open_store


@pytest.mark.parametrize(
    ("text", "key", "value", "units", "label"),
    [
        ("ecog=2", "performance:ECOG", 2, (), "ECOG 2 allowed"),
        ("KPS = 70", "performance:Karnofsky", 70, (), "Karnofsky 70 allowed"),
        ("anc>=1.0 10^9/L", "lab:anc", 1.0, ("10^9/L",), "ANC 1 ×10⁹/L accepted"),
        ("anc=1000/uL", "lab:anc", 1.0, ("10^9/L",), "ANC 1 ×10⁹/L accepted"),
        ("neutrophils=1.5", "lab:anc", 1.5, ("10^9/L",), "ANC 1.5 ×10⁹/L accepted"),
        ("platelets=75,000/mm3", "lab:platelets", 75.0, ("10^9/L",), "Platelets 75 ×10⁹/L accepted"),
        ("platelets=100 G/L", "lab:platelets", 100.0, ("10^9/L",), "Platelets 100 ×10⁹/L accepted"),
        ("creatinine=1.4 mg/dL", "lab:creatinine", 123.8, ("umol/L",), "Creatinine 123.8 µmol/L accepted"),
        ("hb=9 g/dL", "lab:hemoglobin", 90.0, ("g/L",), "Haemoglobin 90 g/L accepted"),
        ("bilirubin<=2 x ULN", "lab:bilirubin", 2.0, ("xULN",), "Bilirubin 2 × ULN accepted"),
        ("ast=3", "lab:ast", 3.0, ("xULN",), "AST 3 × ULN accepted"),
        ("crcl=45", "lab:creatinine_clearance", 45.0, ("mL/min", "mL/min/1.73m^2"), None),
        ("brain-mets", "brain_metastases", None, (), "Brain metastases allowed"),
        ("age=70", "age", 70.0, ("years",), "Age 70 accepted"),
        ("sex=female", "sex", "FEMALE", (), "Female accepted"),
        ("gene=egfr", "biomarker:EGFR", "EGFR", (), "EGFR required"),
        ("egfr=50", "lab:egfr", 50.0, ("mL/min/1.73m^2", "mL/min"), None),  # the kidney's, not the gene
    ],
)
def test_the_syntax_reads_each_kind_of_condition(text, key, value, units, label):
    condition = parse_facet(text)
    assert (condition.key, condition.value, condition.units) == (key, value, units)
    if label:
        assert condition.label == label
    assert parse_facet(condition.text) == condition  # the tidied text reads back the same


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("ecog", "needs a value"),
        ("ecog=7", "ECOG scores are 0-4"),
        ("karnofsky=75", "Karnofsky scores are 0-100"),
        ("anc=lots", "must be a number"),
        ("anc=1.0 mg/dL", "'mg/dL' is not a unit of ANC"),
        ("creatinine=1.4", "give the unit of the Creatinine value"),
        ("weight=80", "'weight' is not a facet"),
        ("gene=XYZ1", "is not a gene"),
        ("sex=other", "sex is female or male"),
        ("age=", "has no value"),
        ("=2", "is not a facet condition"),
    ],
)
def test_bad_syntax_gets_one_sentence(text, says):
    with pytest.raises(FacetSyntaxError) as raised:
        parse_facet(text)
    message = str(raised.value)
    assert says in message and "\n" not in message and "Traceback" not in message


def test_several_conditions_in_one_box():
    conditions = parse_facets("ecog=2, platelets=75,000/uL; brain-mets ,")
    assert [c.key for c in conditions] == ["performance:ECOG", "lab:platelets", "brain_metastases"]
    assert parse_facets("  ") == []


# ---------------------------------------------------------------- on the corpus


@pytest.fixture(scope="module")
def library(tmp_path_factory, corpus_zip, corpus_dir):
    opened = Library(open_store(tmp_path_factory.mktemp("facet-filters") / "data"))
    assert not import_paths(opened.store, [corpus_zip, corpus_dir / "ctgov-xml"]).failed
    yield opened
    opened.close()


def rules_out(requirement, condition: FacetCondition) -> bool:
    """Whether a requirement rules the condition's value out, read from its value in Python."""
    if condition.kind == "performance":
        return condition.value not in requirement.value
    if condition.kind == "age":
        low, high = requirement.value
        return (low is not None and condition.value < low) or (high is not None and condition.value > high)
    if condition.kind == "lab":
        tests = {">=": float.__ge__, ">": float.__gt__, "<=": float.__le__, "<": float.__lt__}
        return any(
            not tests[op](float(condition.value), float(bound))
            for op, bound, unit in requirement.value
            if op in tests and unit in condition.units
        )
    if condition.kind == "sex":
        return requirement.value not in ("ALL", condition.value)
    if condition.kind == "brain_metastases":
        return requirement.value == "excluded"
    raise AssertionError(condition.kind)


def expected(library: Library, condition: FacetCondition) -> set[str]:
    passing = set()
    for registry_id, requirements in library.requirements():
        if condition.kind == "biomarker":
            if any(key == condition.key and r.value[0] == "required" for (key, _), r in requirements.items()):
                passing.add(registry_id)
            continue
        stated = requirements.get((condition.key, None))
        if stated is None or not rules_out(stated, condition):
            passing.add(registry_id)
    return passing


FILTERS = ["ecog=2", "ecog=0", "karnofsky=60", "anc=1.0 10^9/L", "anc=1.5", "platelets=90,000/uL",
           "hemoglobin=8.5 g/dL", "creatinine=1.6 mg/dL", "bilirubin=1.6 xULN", "ast=3", "crcl=50",
           "brain-mets", "age=16", "age=80", "sex=male", "gene=EGFR", "gene=HER2"]  # fmt: skip


@pytest.mark.parametrize("text", FILTERS)
def test_each_filter_keeps_exactly_the_trials_whose_requirements_allow_the_value(library, text):
    condition = parse_facet(text)
    where = TrialFilter(facets=(condition,))
    listed = {row["registry_id"] for row in library.list_trials(where)}
    assert listed == expected(library, condition)
    assert library.count_trials(where) == len(listed)
    total = library.count_trials()
    if condition.kind == "biomarker":
        assert 0 < len(listed) < total / 4  # a few trials require the gene
    else:
        assert 0 < total - len(listed) < total  # some trials rule the value out, most pass


def test_filters_combine_with_each_other_and_with_the_search(library):
    ecog, anc = parse_facet("ecog=2"), parse_facet("anc=1.0 10^9/L")
    both = {r["registry_id"] for r in library.list_trials(TrialFilter(facets=(ecog, anc)))}
    assert both == expected(library, ecog) & expected(library, anc)
    found = {
        r["registry_id"] for r in library.search_trials("cancer", TrialFilter(facets=(ecog,)), limit=1000)
    }
    assert found and found <= expected(library, ecog)
    everything = {r["registry_id"] for r in library.search_trials("cancer", limit=1000)}
    assert found == everything & expected(library, ecog)


def test_a_trial_that_states_nothing_passes_and_a_stated_bound_is_respected(library):
    """NCT04870190 states ECOG and the counts it takes; a trial with no criteria passes every filter."""
    requirements = dict(library.requirements(["NCT04870190"]))["NCT04870190"]
    ecog = requirements[("performance:ECOG", None)].value
    allowed, refused = min(ecog), max(set(range(5)) - set(ecog))
    ids = {
        r["registry_id"] for r in library.list_trials(TrialFilter(facets=(parse_facet(f"ecog={allowed}"),)))
    }
    assert "NCT04870190" in ids
    ids = {
        r["registry_id"] for r in library.list_trials(TrialFilter(facets=(parse_facet(f"ecog={refused}"),)))
    }
    assert "NCT04870190" not in ids
    silent = [registry_id for registry_id, r in library.requirements() if not r]
    assert silent
    every = TrialFilter(facets=tuple(parse_facet(t) for t in FILTERS if not t.startswith("gene")))
    assert set(silent) <= {r["registry_id"] for r in library.list_trials(every)}
