"""What the window reads again after a write: only what the Library's Change touched. And an import's
progress, not a clock, reloads the library list while it runs."""

from __future__ import annotations

from pathlib import Path

from tests.corpus import corpus_dir

from .test_notes import write_note


def test_a_note_rereads_its_trials_tabs_and_row_only(window, qtbot):
    annotated = window.open_trial("NCT02455596")
    other = window.open_trial("NCT07312656")
    comparison = window.compare(["NCT06924645", "NCT07312656"])
    qtbot.waitUntil(lambda: comparison.loaded)
    window.workspace.setCurrentWidget(annotated)
    pages = {view: view.rendered for view in (annotated, other)}
    model = window.library.model
    reloads: list[int] = []
    model.sig_loaded.connect(lambda: reloads.append(model.total()))
    compared_notes = comparison.model.notes
    with qtbot.waitSignal(window.sig_notes_changed) as changed:
        write_note(window, annotated, "criterion", "inclusion/2", "Lower bound?", "question")
    change = changed.args[0]
    assert change.notes_of == {annotated.trial_id} and len(change.notes) == 1 and not change.library_list
    assert annotated.rendered is not pages[annotated]  # its markers were drawn again
    assert other.rendered is pages[other]  # another trial's tab was not read again
    assert comparison.model.notes is compared_notes  # nor a comparison without that trial
    assert [n["body"] for n in window.notes_panel.model.notes] == ["Lower bound?"]
    row = model.row_of_trial(annotated.trial_id)
    assert model.data(model.index(row, 6)) == "1"  # its row's count, the list not queried again
    qtbot.wait(50)
    assert reloads == []

    window.undo_stack.undo()  # the delete is a Change of the same trial and note
    assert other.rendered is pages[other] and window.notes_panel.model.notes == []
    assert model.data(model.index(row, 6)) == ""


def test_the_list_is_reloaded_on_the_imports_progress_not_by_a_clock(window, qtbot, tmp_path):
    assert window.library_refresh.isSingleShot() and not window.library_refresh.isActive()
    qtbot.wait(50)
    assert not window.library_refresh.isActive()  # no import: nothing is polled
    files = sorted((corpus_dir() / "ctgov-v2").glob("*.json"))[:3]
    progressed = []
    with qtbot.waitSignal(window.sig_import_finished, timeout=30000):
        controller = window.import_paths([Path(f) for f in files])
        controller.sig_progress.connect(progressed.append)
        controller.sig_progress.connect(lambda _p: progressed.append(window.library_refresh.isActive()))
    assert progressed and all(active for active in progressed[1::2])  # each progress arms the refresh
    assert not window.library_refresh.isActive()  # the end reloads the list itself
    qtbot.waitUntil(lambda: window.library.model.total() == 6)
