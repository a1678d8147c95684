"""The structure of eligibility texts: scoping headings, exceptions and alternatives, heading variants,
run-together numbering, stray items and unsectioned text, against the hand-written gold cases in
tests/fixtures/gold/structure.json; and the marks kept by the store and shown by `show --json`."""

from __future__ import annotations

import json

import orjson
import pytest

from reviewer.core.criteria import parse_criteria
from reviewer.core.export import record_to_api
from reviewer.core.ingest import import_paths
from reviewer.core.record import Criterion
from reviewer.core.store import reading
from tests.conftest import FIXTURES_DIR

GOLD = json.loads((FIXTURES_DIR / "gold" / "structure.json").read_text(encoding="utf-8"))["cases"]
SECTIONS = ("inclusion", "exclusion", "other")


def compact(items: list[Criterion]) -> list[dict]:
    """A tree in the gold file's form: unmarked marks and empty children left out."""
    nodes = []
    for item in items:
        node: dict = {"text": item.text}
        if item.heading:
            node["heading"] = True
        if item.scope is not None:
            node["scope"] = item.scope
        if item.role is not None:
            node["role"] = item.role
        if item.children:
            node["children"] = compact(item.children)
        nodes.append(node)
    return nodes


def parsed_as_gold(text: str) -> dict[str, list[dict]]:
    parsed = parse_criteria(text)
    return {section: compact(getattr(parsed, section)) for section in SECTIONS}


def gold_case(name_start: str) -> dict:
    return next(case for case in GOLD if case["name"].startswith(name_start))


def test_gold_has_enough_cases_and_every_mark():
    assert len(GOLD) >= 30
    text = json.dumps(GOLD)
    for mark in ('"scope": "population"', '"scope": "cohort"', '"scope": "part"', '"scope": "sub-study"',
                 '"role": "exceptions"', '"role": "alternatives"', '"other": ['):
        assert mark in text


def test_every_gold_structure_case_is_right():
    wrong = []
    for case in GOLD:
        expected = {section: case.get(section, []) for section in SECTIONS}
        got = parsed_as_gold(case["text"])
        if got != expected:
            wrong.append(f"{case['name']}:\n  expected {expected}\n  got      {got}")
    print(f"\nstructure gold: {len(GOLD) - len(wrong)} of {len(GOLD)} cases right")
    assert wrong == [], "\n".join(wrong)


def test_group_specific_ages_stay_under_their_group():
    """NCT00001308: "Ages 18 to 85" is for everyone, "Ages 18 to 55" only for the epilepsy subjects."""
    parsed = parse_criteria(gold_case("population-specific inclusion")["text"])
    top = [item.text for item in parsed.inclusion]
    assert "Ages 18 to 85." in top and "Ages 18 to 55." not in top
    group = parsed.inclusion[-1]
    assert (group.heading, group.scope) == (True, "population")
    assert [child.text for child in group.children][0] == "Ages 18 to 55."


def test_malignancy_exceptions_are_children_not_exclusions():
    """NCT04870190: the three exceptions belong to "History of other primary malignant tumors"."""
    parsed = parse_criteria(gold_case("exceptions kept as children")["text"])
    malignancy = parsed.exclusion[1]
    assert malignancy.text.startswith("History of other primary malignant tumors")
    assert malignancy.role == "exceptions" and not malignancy.heading
    assert len(malignancy.children) == 3
    assert not any(item.text.startswith("Carcinoma in situ") for item in parsed.exclusion)


def test_run_together_numbering_is_split():
    """NCT04870190: "1.18 ≤ age and above. 2. Histology ..." is two items."""
    parsed = parse_criteria(gold_case("run-together numbering split")["text"])
    assert [item.text[:20] for item in parsed.inclusion[:2]] == ["18 ≤ age and above.", "Histology or cytolog"]


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("Non-inclusion Criteria:", "exclusion"),
        ("Non-inclusion criteria:", "exclusion"),
        ("1. Inclusion Criteria", "inclusion"),
        ("2. Exclusion Criteria", "exclusion"),
        ("III.6 EXCLUSION CRITERIA", "exclusion"),
        ("Patient Inclusion Criteria:", "inclusion"),
        ("Patient Exclusion Criteria:", "exclusion"),
        ("Key Inclusion Criteria:", "inclusion"),
        ("Main Exclusion Criteria:", "exclusion"),
        ("Inclusion criteria :", "inclusion"),
        ("Inclusion Criteria include:", "inclusion"),
        ("List of exclusion criteria:", "exclusion"),
        ("Criteria for inclusion", "inclusion"),
        ("* Inclusion Criteria:", "inclusion"),
        ("- EXCLUSION CRITERIA:", "exclusion"),
        ("Exclusion Criteria:.", "exclusion"),
        ("Inclusion:", "inclusion"),
        ("Exclusions", "exclusion"),
        ("Excluded:", "exclusion"),
        ("4.2 Inclusion criteria", "inclusion"),
        ("OTHER EXCLUSION CRITERIA:", "exclusion"),
    ],
)
def test_heading_variants_from_the_corpus_open_their_section(heading, kind):
    parsed = parse_criteria(f"{heading}\n\n* Adults with asthma\n* Non-smokers")
    assert [item.text for item in getattr(parsed, kind)] == ["Adults with asthma", "Non-smokers"]
    assert all(not getattr(parsed, other) for other in SECTIONS if other != kind)


@pytest.mark.parametrize(
    "line",
    [
        "Exclusion of patients with prior surgery",
        "Inclusion in another clinical trial within 30 days:",
        "Not meeting inclusion criteria",
        "Other protocol-defined inclusion criteria may apply.",
        "Subjects who do not fulfil the inclusion criteria",
        "History of inclusion body myositis",
    ],
)
def test_items_that_mention_inclusion_are_not_headings(line):
    parsed = parse_criteria(f"Exclusion Criteria:\n\n* Pregnancy\n* {line}")
    assert [item.text for item in parsed.exclusion] == ["Pregnancy", line]


def test_unsectioned_text_is_never_silently_inclusion():
    parsed = parse_criteria("- Adults with asthma\n- Non-smokers")
    assert parsed.inclusion == [] and [item.text for item in parsed.other] == ["Adults with asthma", "Non-smokers"]


def test_unmarked_items_are_stored_as_before_the_marks():
    """An item without marks serialises (and so hashes) exactly as before the marks existed."""
    plain = Criterion("Age ≥ 18", [Criterion("Adults")])
    assert orjson.dumps(plain) == b'{"text":"Age \xe2\x89\xa5 18","children":[{"text":"Adults","children":[]}]}'
    marked = Criterion("Cohort 2:").mark(heading=True, scope="cohort")
    assert orjson.loads(orjson.dumps(marked)) == {"text": "Cohort 2:", "children": [], "heading": True, "scope": "cohort"}
    again = Criterion.from_dict(orjson.loads(orjson.dumps(marked)))
    assert again.marks() == {"heading": True, "scope": "cohort", "role": None}


def test_marks_are_stored_and_shown_by_show_json(store, tmp_path):
    text = gold_case("'Patient Inclusion Criteria' is everyone's")["text"]
    study = {
        "protocolSection": {
            "identificationModule": {"nctId": "NCT09990077", "briefTitle": "Donor and patient criteria"},
            "eligibilityModule": {"eligibilityCriteria": text},
        }
    }
    path = tmp_path / "study.json"
    path.write_text(json.dumps(study), encoding="utf-8")
    report = import_paths(store, [path])
    assert report.count("added") == 1
    with store.transaction() as session:
        record = reading.current_record(session, "NCT09990077")
    donor = record.eligibility.inclusion[2]
    assert (donor.text, donor.heading, donor.scope) == ("Donor Inclusion Criteria", True, "population")
    shown = record_to_api(record)
    assert shown["inclusion"][2] == {
        "text": "Donor Inclusion Criteria",
        "heading": True,
        "scope": "population",
        "role": None,
        "facets": [],  # a heading states none of its own
        "children": [
            {"text": child, "heading": False, "scope": None, "role": None, "facets": facets, "children": []}
            for child, facets in (
                ("Age ≥ 18 and ≤ 75 years at time of enrollment",
                 [{"kind": "age", "min": 18, "max": 75, "unit": "years"}]),
                ("Karnofsky performance status of ≥ 70% defined by institutional standards",
                 [{"kind": "performance", "scale": "Karnofsky", "allowed": [70, 80, 90, 100]}]),
            )
        ],
    }
    assert shown["inclusion"][0]["heading"] is False
