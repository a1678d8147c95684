"""Issue 15's "Why" examples of lost structure, each checked on the real corpus record it names, read
through the importer as an import reads it (the record's criteria tree with its marks).

NCT00001308 (the epilepsy subjects' "Ages 18 to 55") is not in the corpus: its gold case, written in
the style of the NIH legacy records, is checked in test_criteria_structure.py; here the same pattern
is checked on a real record (NCT05507827's donors).
"""

from __future__ import annotations

import pytest

from reviewer.core.criteria import parse_criteria
from reviewer.core.importers import read_document
from reviewer.core.record import Criterion, TrialRecord


def record(corpus_dir, nct: str) -> TrialRecord:
    for folder, suffix in (("ctgov-v2", ".json"), ("ctgov-xml", ".xml")):
        path = corpus_dir / folder / f"{nct}{suffix}"
        if path.exists():
            return read_document(path.read_bytes())[0].record
    raise LookupError(nct)


def texts(items: list[Criterion]) -> list[str]:
    return [item.text for item in items]


def every_item(items: list[Criterion]):
    for item in items:
        yield from item.walk()


def test_group_specific_ages_stay_under_their_groups_heading(corpus_dir):
    """NCT05507827: the recipients are 18 to 65, the donors (under "Donor Inclusion Criteria") 18 to 75."""
    inclusion = record(corpus_dir, "NCT05507827").eligibility.inclusion
    everyone = [item for item in inclusion if not item.heading]
    assert any(item.text.startswith("Age ≥ 18 and ≤ 65 years") for item in everyone)
    assert not any("≤ 75" in item.text for item in everyone)
    donor = next(item for item in inclusion if item.heading)
    assert (donor.text, donor.scope) == ("Donor Inclusion Criteria", "population")
    assert donor.children[0].text == "Age ≥ 18 and ≤ 75 years at time of enrollment"


def test_malignancy_item_keeps_its_three_exceptions_as_children(corpus_dir):
    """NCT04870190: "History of other primary malignant tumors, except for the following:" is one
    exclusion whose three exceptions are its children, never exclusions of their own."""
    exclusion = record(corpus_dir, "NCT04870190").eligibility.exclusion
    malignancy = next(i for i in exclusion if i.text.startswith("History of other primary malignant tumors"))
    assert malignancy.text == "History of other primary malignant tumors, except for the following:"
    assert (malignancy.role, malignancy.heading) == ("exceptions", False)
    assert [child.text.split()[0] for child in malignancy.children] == [
        "Malignant",
        "Non-melanoma",
        "Carcinoma",
    ]
    top = texts(exclusion)
    assert not any(t.startswith(("Malignant tumors that have been cured", "Carcinoma in situ")) for t in top)


def test_run_together_numbering_is_split(corpus_dir):
    """NCT04870190: "1.18 ≤ age and above. 2. Histology ..." is two items, numbered as the source meant."""
    inclusion = record(corpus_dir, "NCT04870190").eligibility.inclusion
    assert inclusion[0].text == "18 ≤ age and above."
    assert inclusion[1].text.startswith("Histology or cytology is confirmed as NSCLC")
    assert len(inclusion) == 9  # the source's nine inclusion criteria


def test_numbering_run_together_into_a_sub_item_is_split_after_its_parent(corpus_dir):
    """NCT05739409: item 5's last sub-item "4. Lung function: ... >92%; 6. Female subjects ...; 7. The
    subjects ..." holds the list's items 6 and 7: they follow item 5, not inside its sub-item."""
    inclusion = record(corpus_dir, "NCT05739409").eligibility.inclusion
    organs = next(i for i in inclusion if i.text.startswith("Major organs must meet the following criteria"))
    assert (
        organs.children[-1].text
        == "Lung function:Defined as ≤grade 1 dyspnea and blood oxygen saturation >92%;"
    )
    after = inclusion[inclusion.index(organs) + 1 :]
    assert [item.text.split()[:2] for item in after] == [["Female", "subjects"], ["The", "subjects"]]


def test_a_sub_items_number_is_not_split_when_its_parents_next_item_follows():
    parsed = parse_criteria(
        "Inclusion Criteria:\n1. Labs:\n   1. ANC >= 1.5\n   2. Platelets >= 100. 2. Hb >= 9\n2. Consent"
    )
    assert texts(parsed.inclusion) == ["Labs:", "Consent"]
    assert texts(parsed.inclusion[0].children) == ["ANC >= 1.5", "Platelets >= 100. 2. Hb >= 9"]


@pytest.mark.parametrize(
    ("nct", "heading", "kind", "first"),
    [
        ("NCT02472431", "Non-inclusion Criteria:", "exclusion", "Contraindications to the local anesthesia"),
        ("NCT00636506", "1. Inclusion Criteria", "inclusion", "To be eligible to participate in this study"),
        (
            "NCT05266716",
            "III.6 EXCLUSION CRITERIA",
            "exclusion",
            "Individuals will be precluded from enrolling",
        ),
        ("NCT05507827", "Patient Inclusion Criteria:", "inclusion", "Subjects in CR must have a history"),
    ],
)
def test_heading_variants_open_their_section(corpus_dir, nct, heading, kind, first):
    eligibility = record(corpus_dir, nct).eligibility
    assert heading in eligibility.criteria_text  # the heading as the registry wrote it
    items = getattr(eligibility, kind)
    assert items[0].text.startswith(first)
    assert not any(heading.rstrip(":").lower() in item.text.lower() for item in every_item(items))
    assert eligibility.other == []  # nothing left unsectioned


@pytest.mark.parametrize("nct", ["NCT05739409", "NCT04207047"])
def test_stray_punctuation_items_are_dropped(corpus_dir, nct):
    """NCT05739409's inclusion list opens with a lone "-"; NCT04207047 has a lone "-" line too."""
    eligibility = record(corpus_dir, nct).eligibility
    assert any(line.strip() == "-" for line in eligibility.criteria_text.splitlines())
    for group in (eligibility.inclusion, eligibility.exclusion, eligibility.other):
        for item in every_item(group):
            assert any(c.isalnum() for c in item.text), repr(item.text)


def test_stray_items_are_dropped_and_their_children_kept():
    parsed = parse_criteria("Inclusion Criteria:\n\n* .\n* Age ≥ 18\n* -\n  * Adults with asthma\n")
    assert texts(parsed.inclusion) == ["Age ≥ 18", "Adults with asthma"]


def test_unsectioned_text_without_a_certain_cue_stays_other(corpus_dir):
    """NCT00005289 has no headings and no cue: its item is kept as "other", never read as inclusion."""
    eligibility = record(corpus_dir, "NCT00005289").eligibility
    assert (eligibility.inclusion, eligibility.exclusion) == ([], [])
    assert texts(eligibility.other) == ["Birthweight less than 1500 grams"]


def test_unsectioned_items_are_placed_only_by_certain_cues():
    parsed = parse_criteria(
        "- Patients must be 18 years of age or older\n"
        "- Patients with active hepatitis B are excluded\n"
        "- Body mass index between 18 and 30"
    )
    assert texts(parsed.inclusion) == ["Patients must be 18 years of age or older"]
    assert texts(parsed.exclusion) == ["Patients with active hepatitis B are excluded"]
    assert texts(parsed.other) == ["Body mass index between 18 and 30"]
