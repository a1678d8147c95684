"""The diff of two versions reports exactly the edits made to a real record, and nothing else."""

from __future__ import annotations

import copy

import pytest

from reviewer.core.diff import diff_records, same_text, word_marks
from reviewer.core.importers import read_document
from reviewer.core.record import Criterion, Location, Outcome


def record_of(corpus_dir, registry_id):
    return read_document((corpus_dir / "ctgov-v2" / f"{registry_id}.json").read_bytes())[0].record


@pytest.fixture
def nsclc(corpus_dir):
    return record_of(corpus_dir, "NCT02369484")


def summary(diff):
    return sorted((c.part, c.kind, c.item) for c in diff.changes)


def test_a_record_against_itself_has_no_change(corpus_dir):
    for path in sorted((corpus_dir / "ctgov-v2").glob("*.json"))[:80]:
        record = read_document(path.read_bytes())[0].record
        assert not diff_records(record, copy.deepcopy(record)), path.name


def test_known_edits_and_nothing_else(nsclc):
    after = copy.deepcopy(nsclc)
    inclusion = after.eligibility.inclusion
    inclusion.insert(1, Criterion("Brain metastases allowed if stable for 4 weeks"))  # inserted: inclusion/2
    inclusion[3].text += " (confirmed by central review)"  # reworded: was inclusion/3, now inclusion/4
    deleted = after.eligibility.exclusion.pop(0).text  # deleted: exclusion/1
    after.design.enrollment_count = 40
    after.overall_status = "RECRUITING"
    after.outcomes[0].time_frame = "up to 36 months"
    after.arms[0].label += " (cohort A)"
    after.locations.append(Location(facility="Charité", city="Berlin", country="Germany"))
    diff = diff_records(nsclc, after)
    assert summary(diff) == sorted(
        [
            ("status", "changed", None),
            ("enrollment", "changed", None),
            ("arms", "changed", "Afatinib (cohort A)"),
            ("inclusion", "inserted", "inclusion/2"),
            ("inclusion", "reworded", "inclusion/4"),
            ("exclusion", "deleted", "exclusion/1"),
            ("primaryOutcomes", "changed", "primary/1"),
            ("sites", "inserted", "Charité, Berlin, Germany"),
        ]
    )
    (reworded,) = [c for c in diff.changes if c.kind == "reworded"]
    assert reworded.before_item == "inclusion/3"
    assert ("+", "(confirmed by central review)") in reworded.words or any(
        op == "+" and "central review" in text for op, text in reworded.words
    )
    assert "".join(text for op, text in reworded.words if op != "-") == reworded.after
    # unchanged words are given with the new version's spacing
    assert "".join(text for op, text in reworded.words if op != "+").split() == reworded.before.split()
    assert [c.before for c in diff.changes if c.kind == "deleted"] == [deleted]
    enrollment = diff.of_part("enrollment")[0]
    assert (enrollment.before["count"], enrollment.after["count"]) == (13, 40)


def test_punctuation_case_and_line_breaks_are_no_change(nsclc):
    after = copy.deepcopy(nsclc)
    first = after.eligibility.inclusion[0]
    first.text = first.text.upper().replace(" ", "\n  ", 3).rstrip(".") + ";"
    after.outcomes[0].measure = after.outcomes[0].measure.lower() + "."
    after.brief_title = f"  {after.brief_title.upper()}  "
    assert not diff_records(nsclc, after)
    assert same_text("ECOG 0-1.", "ecog 0 - 1")


def test_renumbering_is_no_change_but_a_real_move_is_one(nsclc):
    after = copy.deepcopy(nsclc)
    items = after.eligibility.inclusion
    moved = items.pop(0)
    items.append(moved)  # every other item's number shifts by one; only this one moved
    changes = diff_records(nsclc, after).changes
    assert [(c.kind, c.item, c.before_item) for c in changes] == [("moved", f"inclusion/{len(items)}", "inclusion/1")]


def test_a_criterion_moved_to_the_other_section(nsclc):
    after = copy.deepcopy(nsclc)
    after.eligibility.exclusion.append(after.eligibility.inclusion.pop(2))
    changes = diff_records(nsclc, after).changes
    assert [(c.part, c.kind, c.before_item) for c in changes] == [("exclusion", "moved", "inclusion/3")]


def test_outcome_promoted_from_secondary_to_primary(nsclc):
    after = copy.deepcopy(nsclc)
    secondary = next(o for o in after.outcomes if o.kind == "secondary")
    secondary.kind = "primary"
    changes = diff_records(nsclc, after).changes
    assert [(c.part, c.kind, c.before, c.after) for c in changes] == [
        ("primaryOutcomes", "moved", "secondary", "primary")
    ]


def test_outcome_added_and_removed(nsclc):
    after = copy.deepcopy(nsclc)
    removed = after.outcomes.pop()
    after.outcomes.append(Outcome("secondary", "Quality of life (EORTC QLQ-C30)", "12 weeks"))
    kinds = summary(diff_records(nsclc, after))
    assert ("secondaryOutcomes", "inserted", f"secondary/{sum(o.kind == 'secondary' for o in after.outcomes)}") in kinds
    assert any(kind == "deleted" and part.endswith("Outcomes") for part, kind, _ in kinds), removed


def test_sites_removed_and_status_changed(corpus_dir):
    before = record_of(corpus_dir, "NCT02856893")
    after = copy.deepcopy(before)
    gone = after.locations.pop(0)
    after.locations[0].status = "COMPLETED" if after.locations[0].status != "COMPLETED" else "RECRUITING"
    changes = diff_records(before, after).of_part("sites")
    assert [c.kind for c in changes] == ["deleted", "changed"]
    assert changes[0].item.startswith(gone.facility)


def test_word_marks_rebuild_both_sides():
    marks = word_marks("ECOG performance status 0-1", "ECOG performance status 0-2 (or Karnofsky >= 60)")
    assert "".join(t for op, t in marks if op != "+") == "ECOG performance status 0-1"
    assert "".join(t for op, t in marks if op != "-") == "ECOG performance status 0-2 (or Karnofsky >= 60)"
    assert ("-", "0-1") in marks


def test_the_largest_record_reversed_and_cut(corpus_dir):
    largest = max((corpus_dir / "ctgov-v2").glob("*.json"), key=lambda p: p.stat().st_size)
    before = read_document(largest.read_bytes())[0].record
    after = copy.deepcopy(before)
    after.locations = after.locations[10:]
    after.locations.reverse()  # sites have no order that matters
    diff = diff_records(before, after)
    assert summary(diff) == sorted(("sites", "deleted", c.item) for c in diff.of_part("sites"))
    assert len(diff.changes) == 10
