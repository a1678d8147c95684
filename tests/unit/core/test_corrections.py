"""Facet corrections: checked against the issue's shapes, stored on real stores, read by profile(),
kept across re-imports (the same record, a renumbered or reworded criterion), orphaned and never
dropped when the criterion is gone."""

from __future__ import annotations

import json

import pytest

from reviewer.core.anchoring import Target
from reviewer.core.corrections import apply_corrections, check_facets, facet_from_fields, refind
from reviewer.core.eligibility import criterion_facets
from reviewer.core.library import Library
from reviewer.core.presentation.facet_words import facets_text
from reviewer.core.profile import profile

NOVAFERON = "NCT02455596"  # the seed: "ECOG performance status 0, 1 or 2." is inclusion/6
ECOG_0_1 = [{"kind": "performance", "scale": "ECOG", "allowed": [1, 0]}]
REAL = "NCT04870190"


@pytest.fixture
def library(tmp_path):
    opened = Library.open(tmp_path / "data")
    yield opened
    opened.close()


# ---------------------------------------------------------------- the shapes


def test_a_valid_list_comes_back_in_its_canonical_shape():
    checked = check_facets(
        [
            {"kind": "age", "min": 18.0},
            {"kind": "lab", "analyte": "anc", "op": "≥", "value": 1.5, "unit": "×10⁹/L"},
            ECOG_0_1[0],
            {"kind": "pregnancy"},
        ]
    )
    assert checked == [
        {"kind": "age", "min": 18, "max": None, "unit": "years"},
        {"kind": "lab", "analyte": "anc", "op": ">=", "value": 1.5, "unit": "10^9/L", "condition": None},
        {"kind": "performance", "scale": "ECOG", "allowed": [0, 1]},
        {"kind": "pregnancy"},
    ]
    assert check_facets([]) == []  # the item states no facet


@pytest.mark.parametrize(
    ("facets", "sentence"),
    [
        ({"kind": "age"}, "must be a list"),
        ([{"kind": "ecog"}], "facet 1 has the unknown kind 'ecog'; the kinds are age, sex"),
        (["ECOG 0-1"], 'facet 1 is not an object with a "kind"'),
        ([{"kind": "lab", "op": ">=", "value": 1}], "facet 1 (lab) has no analyte"),
        ([{"kind": "lab", "analyte": "anc", "value": 1}], 'facet 1 (lab) has no operator ("op")'),
        ([{"kind": "lab", "analyte": "anc", "op": ">="}], "facet 1 (lab) has no value"),
        (
            [{"kind": "lab", "analyte": "anc", "op": "=>>", "value": 1}],
            "the operator '=>>' is not one of <, <=, >, >=, =",
        ),
        (
            [{"kind": "lab", "analyte": "anc", "op": ">=", "value": "high"}],
            "value must be a number, not 'high'",
        ),
        (
            [{"kind": "lab", "analyte": "anc", "op": ">=", "value": 1, "unit": "furlongs"}],
            "'furlongs' is not a unit",
        ),
        (
            [{"kind": "lab", "analyte": "anc", "op": ">=", "value": 1, "unit": "mg/dL"}],
            "anc is given in 10^9/L, /uL",
        ),
        (
            [ECOG_0_1[0], {"kind": "performance", "scale": "ECOG", "allowed": [0, 6]}],
            "facet 2 (performance): ECOG scores are 0 to 5, not 6",
        ),
        (
            [{"kind": "performance", "scale": "Karnofsky", "allowed": [75]}],
            "Karnofsky scores are 0 to 100 in tens, not 75",
        ),
        ([{"kind": "age", "min": 65, "max": 18}], "the minimum age 65 is above the maximum 18"),
        ([{"kind": "age", "minimum": 18}], "has the field 'minimum', which age facets do not have"),
        ([{"kind": "prior_lines", "op": "<=", "value": 1.5}], "must be a whole number of 0 or more"),
        ([{"kind": "brain_metastases", "stance": "sometimes"}], "stance 'sometimes' is not one of excluded"),
    ],
)
def test_a_bad_list_is_refused_with_one_sentence(facets, sentence):
    with pytest.raises(ValueError) as refused:
        check_facets(facets)
    message = str(refused.value)
    assert sentence in message
    assert "\n" not in message and "Traceback" not in message


def test_the_form_reads_scores_and_numbers_as_a_person_writes_them():
    assert facet_from_fields("performance", {"scale": "ECOG", "allowed": "0-2"})["allowed"] == [0, 1, 2]
    assert facet_from_fields("performance", {"scale": "Karnofsky", "allowed": "70 - 100"})["allowed"] == [
        70,
        80,
        90,
        100,
    ]
    assert facet_from_fields("performance", {"scale": "ECOG", "allowed": "0, 2"})["allowed"] == [0, 2]
    lab = facet_from_fields("lab", {"analyte": "bilirubin", "op": "<=", "value": "1,5", "unit": "xULN"})
    assert lab == {
        "kind": "lab",
        "analyte": "bilirubin",
        "op": "<=",
        "value": 1.5,
        "unit": "xULN",
        "condition": None,
    }
    with pytest.raises(ValueError, match="value 'a lot' is not a number"):
        facet_from_fields("lab", {"analyte": "anc", "op": ">=", "value": "a lot"})
    assert facets_text([lab, ECOG_0_1[0]]) == "Bilirubin ≤ 1.5 × ULN · ECOG 0-1"


# ---------------------------------------------------------------- stored, applied, read by the profile


def test_a_correction_is_stored_and_read_by_the_profile_instead_of_the_extracted_facets(library):
    before = library.corrected_item_facets(NOVAFERON)
    assert profile(before)[("performance:ECOG", None)].text == "ECOG 0-2"
    change = library.correct_facets(NOVAFERON, "criterion:inclusion/6", ECOG_0_1, "Dr. Ada Reviewer")
    (stored,) = library.corrections_of(NOVAFERON)
    assert change.corrections == {stored.id} and change.corrections_of == {stored.trial_id}
    assert stored.facets == ({"kind": "performance", "scale": "ECOG", "allowed": [0, 1]},)
    assert stored.author == "Dr. Ada Reviewer" and stored.quote == "ECOG performance status 0, 1 or 2."
    after = library.corrected_item_facets(NOVAFERON)
    item = next(i for i in after if i.ref.key == "criterion:inclusion/6")
    assert item.corrected and item.to_json()["corrected"] is True
    assert sum(i.corrected for i in after) == 1
    assert profile(after)[("performance:ECOG", None)].text == "ECOG 0-1"
    # "[]": this item states no facet; a second correction of an item replaces its first
    library.correct_facets(NOVAFERON, "inclusion/6", [], "Dr. Ada Reviewer")
    assert len(library.corrections_of(NOVAFERON)) == 1
    assert ("performance:ECOG", None) not in profile(library.corrected_item_facets(NOVAFERON))
    # a record passed in gets its trial's corrections too
    record = library.current_record(NOVAFERON)
    assert any(i.corrected for i in library.corrected_item_facets(record))


def test_refused_corrections_write_nothing(library):
    with pytest.raises(ValueError, match="ECOG scores are 0 to 5"):
        library.correct_facets(
            NOVAFERON, "inclusion/6", [{"kind": "performance", "scale": "ECOG", "allowed": [9]}], "Dr A"
        )
    with pytest.raises(LookupError, match="NCT02455596 has no inclusion criterion 99"):
        library.correct_facets(NOVAFERON, "inclusion/99", [], "Dr A")
    with pytest.raises(ValueError, match="only a criterion's facets can be corrected"):
        library.correct_facets(NOVAFERON, "outcome:primary/1", [], "Dr A")
    with pytest.raises(LookupError, match="no trial NCT00000000"):
        library.correct_facets("NCT00000000", "inclusion/1", [], "Dr A")
    assert library.corrections_of(NOVAFERON) == []


def test_remove_and_restore_bring_back_exactly_what_was_there(library):
    library.correct_facets(NOVAFERON, "inclusion/6", ECOG_0_1, "Dr A")
    (stored,) = library.corrections_of(NOVAFERON)
    removed, change = library.remove_correction(NOVAFERON, "inclusion/6")
    assert removed == stored and change.corrections == {stored.id}
    assert library.corrections_of(NOVAFERON) == []
    assert not any(i.corrected for i in library.corrected_item_facets(NOVAFERON))
    library.restore_correction(removed)
    assert library.corrections_of(NOVAFERON) == [stored]
    with pytest.raises(LookupError, match="no facet correction on exclusion criterion 1"):
        library.remove_correction(NOVAFERON, "exclusion/1")


# ---------------------------------------------------------------- across re-imports


def _ecog_key(library, registry_id=REAL) -> str:
    return next(i.ref.key for i in library.corrected_item_facets(registry_id) if "ECOG" in i.text)


def _write_version(corpus_dir, tmp_path, edit) -> object:
    study = json.loads((corpus_dir / "ctgov-v2" / f"{REAL}.json").read_text(encoding="utf-8"))
    module = study["protocolSection"]["eligibilityModule"]
    module["eligibilityCriteria"] = edit(module["eligibilityCriteria"])
    path = tmp_path / f"{REAL}-{len(list(tmp_path.glob('*.json')))}.json"
    path.write_text(json.dumps(study), encoding="utf-8")
    return path


def test_a_correction_follows_its_criterion_across_imports_and_is_orphaned_never_dropped(
    library, corpus_dir, tmp_path
):
    library.import_paths([corpus_dir / "ctgov-v2" / f"{REAL}.json"])
    old_key = _ecog_key(library)
    library.correct_facets(REAL, old_key, ECOG_0_1, "Dr A")

    # the same record again: nothing changes
    report = library.import_paths([corpus_dir / "ctgov-v2" / f"{REAL}.json"])
    assert report.counts["unchanged"] == 1
    (kept,) = library.corrections_of(REAL)
    assert (kept.ref.key, kept.orphaned) == (old_key, False)

    # a new version with a criterion inserted before it: the correction moves with its text
    inserted = _write_version(
        corpus_dir,
        tmp_path,
        lambda text: text.replace(
            "\n\n3\\. Progressed", "\n\n3\\. Adequate organ function.\n\n4\\. Progressed", 1
        ),
    )
    assert library.import_paths([inserted]).counts["updated"] == 1
    new_key = _ecog_key(library)
    assert new_key != old_key
    (moved,) = library.corrections_of(REAL)
    assert (moved.ref.key, moved.orphaned) == (new_key, False)
    item = next(i for i in library.corrected_item_facets(REAL) if i.ref.key == new_key)
    assert item.corrected and item.facets == ({"kind": "performance", "scale": "ECOG", "allowed": [0, 1]},)
    assert profile(library.corrected_item_facets(REAL))[("performance:ECOG", None)].text == "ECOG 0-1"

    # a small rewording keeps it (the page says the text changed since)
    reworded = _write_version(
        corpus_dir,
        tmp_path,
        lambda text: text.replace("physical status score", "performance status score", 1),
    )
    library.import_paths([reworded])
    (still,) = library.corrections_of(REAL)
    assert not still.orphaned and still.ref.key == _ecog_key(library)

    # the criterion gone: orphaned, with its old text and facets, never dropped
    def without_ecog(text: str) -> str:
        start = text.index("6\\. The Eastern")
        return text[:start] + text[text.index("7\\. Female") :]

    library.import_paths([_write_version(corpus_dir, tmp_path, without_ecog)])
    (orphan,) = library.corrections_of(REAL)
    assert orphan.orphaned and "Eastern Cooperative Oncology Group" in orphan.quote
    assert orphan.facets == still.facets
    assert not any(i.corrected for i in library.corrected_item_facets(REAL))


def test_refind_wants_most_of_the_item_not_a_part_of_a_longer_criterion():
    targets = [
        Target("inclusion/1", "Age 18 or older"),
        Target("inclusion/2", "ECOG 0-1 and age over 18 and adequate organ function and signed consent"),
    ]
    assert refind("ECOG 0-1", "inclusion/9", targets) is None
    assert refind("Age 18 or older", "inclusion/4", targets) == "inclusion/1"  # renumbered
    assert (
        refind("ECOG 0 to 2", "inclusion/1", [Target("inclusion/1", "ECOG 0 to 1")]) is None
    )  # the value changed


def test_apply_corrections_leaves_the_other_items_and_ignores_orphans(library):
    library.correct_facets(NOVAFERON, "inclusion/6", ECOG_0_1, "Dr A")
    extracted = criterion_facets(library.current_record(NOVAFERON))
    (correction,) = library.corrections_of(NOVAFERON)
    applied = apply_corrections(extracted, [correction])
    assert [i for i in applied if not i.corrected] == [
        i for i in extracted if i.ref.key != "criterion:inclusion/6"
    ]
    from dataclasses import replace

    assert apply_corrections(extracted, [replace(correction, orphaned=True)]) == extracted
