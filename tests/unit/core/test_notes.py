"""Notes in the store: add, edit, delete and restore (undo), list by tag, re-anchor after a new version."""

from __future__ import annotations

import json

import pytest

from reviewer.core import items, notes
from reviewer.core.ingest import import_paths
from reviewer.core.store import reading
from reviewer.core.store.tables import Note
from tests.conftest import SEED_IGNITE_MSC


@pytest.fixture
def trial_id(store):
    import_paths(store, [SEED_IGNITE_MSC])
    with store.session() as session:
        return reading.trial_by_registry_id(session, "NCT07312656").id


def test_add_edit_delete_restore(store, trial_id):
    anchor = items.anchor_of("criterion", "inclusion/2", "Age 18-75 years;")
    with store.transaction() as session:
        note_id = notes.add_note(session, trial_id, anchor, "Why stop at 75?", "dr.a", "question").id
    with store.transaction() as session:
        notes.edit_note(session, note_id, body="Why stop at 75? Older patients get RT too.", tag="concern")
    with store.transaction() as session:
        saved = notes.delete_note(session, note_id)
    with store.session() as session:
        assert notes.notes_of(session, [trial_id]) == []
    with store.transaction() as session:
        notes.restore_note(session, saved)
    with store.session() as session:
        (note,) = notes.notes_of(session, [trial_id])
        assert (note.id, note.body, note.tag, note.item_key) == (
            note_id, "Why stop at 75? Older patients get RT too.", "concern", "inclusion/2")
        assert notes.notes_of(session, [trial_id], tag="question") == []


def test_bad_notes_refused(store, trial_id):
    with store.transaction() as session, pytest.raises(ValueError, match="unknown tag"):
        notes.add_note(session, trial_id, items.anchor_of("trial", ""), "text", "dr.a", "urgent")
    with store.transaction() as session, pytest.raises(ValueError, match="needs some text"):
        notes.add_note(session, trial_id, items.anchor_of("trial", ""), "   ", "dr.a")


def test_item_keys_cover_every_part(store, trial_id):
    with store.session() as session:
        record = reading.current_record(session, "NCT07312656")
    texts = items.texts(record)
    assert texts[items.criterion("inclusion", "2")] == "Age 18-75 years;"
    assert texts[items.outcome("primary", 1)].startswith("The incidence of grade ≥3")
    assert items.arm("control group") in texts
    assert items.intervention("DRUG", "mesenchymal stem cell-derived exosomes") in texts


def test_reanchor_follows_a_moved_criterion_and_orphans_a_removed_one(store, tmp_path, trial_id):
    with store.transaction() as session:
        moved = notes.add_note(session, trial_id, items.anchor_of("criterion", "inclusion/2", "Age 18-75 years;"),
                               "Age limit", "dr.a").id
        gone = notes.add_note(session, trial_id, items.anchor_of("criterion", "inclusion/10", "Signed informed consent form."),
                              "Consent", "dr.a").id
    text = SEED_IGNITE_MSC.read_text(encoding="utf-8")
    study = __import__("ast").literal_eval(text[text.index("{'hasResults'"):])
    criteria = study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"]
    criteria = criteria.replace("1. Histologically", "0. Histologically").replace("10. Signed informed consent form.\n", "")
    criteria = "Inclusion Criteria:\n\n1. Planned radiotherapy of the head and neck;\n" + criteria.split("Inclusion Criteria:\n\n", 1)[1]
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = criteria
    study["derivedSection"]["miscInfoModule"]["versionHolder"] = "2026-09-01"
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps(study))
    assert import_paths(store, [newer]).count("updated") == 1  # the import re-anchors the notes
    with store.session() as session:
        moved_note, gone_note = session.get(Note, moved), session.get(Note, gone)
        assert (moved_note.item_key, moved_note.orphaned) == ("inclusion/3", False)
        assert gone_note.orphaned and gone_note.quote == "Signed informed consent form." and gone_note.body == "Consent"


def test_selections_in_outcomes_arms_and_sections_stay_anchored_after_a_new_version(store, tmp_path, trial_id):
    """A note on selected text keeps its place when the item it lies in is unchanged or moves, and is
    orphaned only when no item holds the text any more."""
    with store.session() as session:
        texts = items.texts(reading.current_record(session, "NCT07312656"))
    with store.transaction() as session:
        def span(ref, quote):
            selection = items.span_in(texts.get(ref, ""), ref, quote)
            return notes.add_note(session, trial_id, selection, f"on {quote}", "dr.a").id

        in_outcome = span(items.outcome("primary", 1), "grade ≥3 radiation-induced oral mucositis")
        in_arm = span(items.arm("experimental group"), "after each main meal")
        in_section = span(items.section("overview"), "a sentence of the summary")
        moved_criterion = span(items.criterion("inclusion", "2"), "18-75")
        dropped = span(items.criterion("inclusion", "10"), "informed consent form")
    text = SEED_IGNITE_MSC.read_text(encoding="utf-8")
    study = __import__("ast").literal_eval(text[text.index("{'hasResults'"):])
    criteria = study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"]
    criteria = criteria.replace("10. Signed informed consent form.\n", "")
    criteria = "Inclusion Criteria:\n\n1. Planned radiotherapy of the head and neck;\n" + criteria.split(
        "Inclusion Criteria:\n\n", 1
    )[1]
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = criteria
    study["derivedSection"]["miscInfoModule"]["versionHolder"] = "2026-09-01"
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps(study))
    assert import_paths(store, [newer]).count("updated") == 1
    with store.session() as session:
        state = {n: (session.get(Note, n).item_key, session.get(Note, n).orphaned)
                 for n in (in_outcome, in_arm, in_section, moved_criterion, dropped)}
        record = reading.current_record(session, "NCT07312656")
    assert state == {
        in_outcome: ("primary/1", False),
        in_arm: ("experimental group", False),
        in_section: ("overview", False),
        moved_criterion: ("inclusion/3", False),
        dropped: ("inclusion/10", True),
    }
    # the brief prints the selection beside the outcome it lies in
    from reviewer.core.reports import trial_context

    with store.session() as session:
        context = trial_context(session, "NCT07312656")
    assert [n.body for n in context.notes_for("outcome", "primary/1")] == ["on grade ≥3 radiation-induced oral mucositis"]
    assert [n.body for n in context.notes_for("arm", "experimental group")] == ["on after each main meal"]
    assert "grade ≥3 radiation-induced oral mucositis" in record.outcomes_of("primary")[0].measure
