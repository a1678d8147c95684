"""Every Qt model passes pytest-qt's model tester, on real data."""

from __future__ import annotations

from reviewer.core.compare import compare_arms, compare_records
from reviewer.core.items import anchor_of
from reviewer.core.notes import add_note
from reviewer.core.store import reading
from reviewer.gui.models.comparison_model import ComparisonModel
from reviewer.gui.models.library_model import LibraryModel
from reviewer.gui.models.notes_model import NotesModel

from .conftest import SEED_IDS, trial_id_of


def test_library_model(qtmodeltester, qtbot, library):
    model = LibraryModel(library)
    assert model.total() == 3
    qtmodeltester.check(model)
    with qtbot.waitSignal(model.sig_loaded):
        model.set_search("neuroendocrine")
    assert model.is_search() and model.total() == 2
    qtmodeltester.check(model)


def test_notes_model(qtmodeltester, library):
    trial_id = trial_id_of(library, "NCT07312656")
    with library.store.transaction() as session:
        add_note(
            session,
            trial_id,
            anchor_of("criterion", "inclusion/2", "Age 18-75 years;"),
            "Upper bound?",
            "me",
            "question",
        )
        add_note(session, trial_id, anchor_of("trial", ""), "Untagged note", "me")
    model = NotesModel(library)
    model.set_trials({trial_id: "NCT07312656"})
    assert model.rowCount() == 2
    qtmodeltester.check(model)
    model.set_tag("question")
    assert model.rowCount() == 1
    qtmodeltester.check(model)


def test_comparison_model(qtmodeltester, library):
    with library.store.session() as session:
        records = [reading.current_record(session, registry_id) for registry_id in SEED_IDS]
    model = ComparisonModel()
    model.set_comparison(compare_records(records))
    assert model.columnCount() == 3 and model.rowCount() > 10
    qtmodeltester.check(model)
    model.set_only_differences(True)
    qtmodeltester.check(model)
    model.set_comparison(compare_arms(records[2]))
    qtmodeltester.check(model)


def test_comparison_model_marks_criteria_under_no_heading():
    from reviewer.core.record import Criterion, Eligibility, TrialRecord
    from reviewer.gui.models.comparison_model import NO_HEADING, NO_HEADING_TITLE, ComparisonModel

    def trial(registry_id, **parts):
        eligibility = Eligibility(**{k: [Criterion(t) for t in v] for k, v in parts.items()})
        return TrialRecord(registry_id, eligibility=eligibility, arms=[])

    model = ComparisonModel()
    model.set_comparison(
        compare_records([trial("A", other=["Age 18 years or older"]), trial("B", inclusion=["Aged ≥ 18 years"])])
    )
    titles = [model.data(model.index(row, 0)) for row in model.section_rows()]
    assert NO_HEADING_TITLE in titles
    age = next(r for r in range(model.rowCount()) if model.data(model.index(r, 1)) == "Aged ≥ 18 years")
    assert model.data(model.index(age, 0)) == NO_HEADING + "Age 18 years or older"
