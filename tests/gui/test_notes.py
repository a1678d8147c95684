"""Notes from the GUI: add, edit, delete and undo on a criterion; the panel shows exactly what the store
holds; markers on annotated items; Ctrl+N; notes on selected text; notes survive a restart."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from .conftest import answer_question, stored_notes, trial_id_of


def panel_rows(window) -> list[dict]:
    model = window.notes_panel.model
    return [
        {
            "id": n["id"],
            "registry_id": n["registry_id"],
            "kind": n["item_kind"],
            "key": n["item_key"],
            "body": n["body"],
            "tag": n["tag"],
        }
        for n in model.notes
    ]


def write_note(window, view, kind, key, body, tag=None):
    view.request_note_on(kind, key)
    editor = window.note_editor
    assert editor is not None and editor.isVisible()
    editor.set_values(body, tag)
    editor.accept()
    return editor


def test_add_edit_delete_undo_on_a_criterion(window, library, qtbot):
    view = window.open_trial("NCT02455596")
    with qtbot.waitSignal(window.sig_notes_changed):
        write_note(
            window, view, "criterion", "inclusion/2", "Is 18 the lower bound in every site?", "question"
        )
    store = stored_notes(library)
    assert [(n["kind"], n["key"], n["body"], n["tag"]) for n in store] == [
        ("criterion", "inclusion/2", "Is 18 the lower bound in every site?", "question")
    ]
    assert panel_rows(window) == store
    # a marker next to the item, and the library's note count
    assert 'class="badge-question">&nbsp;question&nbsp;1' in view.rendered.html
    row = window.library.model.row_of_trial(trial_id_of(library, "NCT02455596"))
    assert window.library.model.data(window.library.model.index(row, 6)) == "1"

    # edit through the panel
    window.notes_panel.select_note(store[0]["id"])
    window.notes_panel.edit_selected()
    editor = window.note_editor
    assert editor.body() == "Is 18 the lower bound in every site?"
    editor.set_values("Lower bound 18: fine.", "ok")
    editor.accept()
    store = stored_notes(library)
    assert [(n["body"], n["tag"]) for n in store] == [("Lower bound 18: fine.", "ok")]
    assert panel_rows(window) == store

    # delete, then undo brings it back exactly (same id)
    window.notes_panel.select_note(store[0]["id"])
    window.notes_panel.delete_selected()
    assert stored_notes(library) == [] == panel_rows(window)
    assert "badge-ok" not in view.rendered.html
    window.action_undo.trigger()
    assert stored_notes(library) == store == panel_rows(window)
    # undo the edit, then the add
    window.action_undo.trigger()
    assert [(n["body"], n["tag"]) for n in stored_notes(library)] == [
        ("Is 18 the lower bound in every site?", "question")
    ]
    window.action_undo.trigger()
    assert stored_notes(library) == [] == panel_rows(window)
    window.action_redo.trigger()
    assert [n["id"] for n in stored_notes(library)] == [store[0]["id"]]
    assert panel_rows(window) == stored_notes(library)


def test_panel_filters_by_tag_and_jumps_to_the_item(window, library, qtbot):
    view = window.open_trial("NCT07312656")
    write_note(window, view, "outcome", "primary/1", "Which grading scale?", "question")
    write_note(window, view, "arm", "control group", "No placebo spray?", "concern")
    write_note(window, view, "trial", "", "Worth a close look.")
    panel = window.notes_panel
    assert panel.model.rowCount() == 3
    panel.tag_combo.setCurrentIndex(panel.tag_combo.findData("concern"))
    assert [n["body"] for n in panel.model.notes] == ["No placebo spray?"]
    panel.tag_combo.setCurrentIndex(0)
    row = next(n for n, note in enumerate(panel.model.notes) if note["item_key"] == "primary/1")
    index = panel.model.index(row, 1)
    panel.view.scrollTo(index)
    qtbot.mouseClick(
        panel.view.viewport(), Qt.MouseButton.LeftButton, pos=panel.view.visualRect(index).center()
    )
    assert view.highlighted == ("outcome", "primary/1")
    assert window.workspace.currentWidget() is view


def test_jump_opens_the_trial_when_needed(window, library):
    view = window.open_trial("NCT07312656")
    write_note(window, view, "criterion", "inclusion/2", "Upper age 75?")
    note = window.notes_panel.model.notes[0]
    window.close_current_tab()
    assert window.workspace.count() == 0
    window.jump_to_note(note)
    opened = window.workspace.currentWidget()
    assert opened.registry_id == "NCT07312656" and opened.highlighted == ("criterion", "inclusion/2")


def test_ctrl_n_notes_the_item_under_the_cursor(window, library, qtbot):
    view = window.open_trial("NCT06924645")
    anchor = view.rendered.anchor_of("criterion", "exclusion/1")
    view.browser.scrollToAnchor(anchor)
    position = next(p for p, n in view._anchor_positions if f"item-{n}" == anchor)
    cursor = view.browser.textCursor()
    cursor.setPosition(position + 3)
    view.browser.setTextCursor(cursor)
    window.action_add_note.trigger()
    editor = window.note_editor
    assert "Exclusion criterion 1" in editor.windowTitle() + " ".join(
        w.text() for w in editor.findChildren(type(editor.author_label))
    )
    editor.set_values("Why exclude these?", "concern")
    editor.accept()
    assert [(n["kind"], n["key"]) for n in stored_notes(library)] == [("criterion", "exclusion/1")]


def test_note_on_selected_text(window, library):
    view = window.open_trial("NCT07312656")
    anchor = view.rendered.anchor_of("criterion", "inclusion/3")
    start = next(p for p, n in view._anchor_positions if f"item-{n}" == anchor)
    document_text = view.browser.document().toPlainText()
    quote = "≥60 Gy"
    at = document_text.index(quote, start)
    cursor = view.browser.textCursor()
    cursor.setPosition(at)
    cursor.setPosition(at + len(quote), QTextCursor.MoveMode.KeepAnchor)
    view.browser.setTextCursor(cursor)
    window.add_note_here()
    window.note_editor.set_values("Dose threshold matches the other trial?")
    window.note_editor.accept()
    from sqlmodel import select

    from reviewer.core.store.tables import Note

    with library.store.session() as session:
        note = session.exec(select(Note)).one()
    assert (note.item_kind, note.item_key, note.quote) == ("criterion", "inclusion/3", quote)
    item_text = "Scheduled to receive radical radiotherapy with a total planned dose of ≥60 Gy"
    assert note.span_start == item_text.index(quote) and note.span_end == note.span_start + len(quote)
    assert "badge-none" in view.rendered.html  # the span's marker sits on its criterion


def test_cancelled_editor_writes_nothing(window, library, qtbot):
    view = window.open_trial("NCT07312656")
    view.request_note_on("trial", "")
    window.note_editor.set_values("not saved")
    answer_question(qtbot, "Discard")
    window.note_editor.reject()
    assert stored_notes(library) == [] and not window.note_editor.isVisible()
    view.request_note_on("trial", "")
    window.note_editor.set_values("   ")
    window.note_editor.accept()  # empty text: refused, the editor stays open
    assert window.note_editor.isVisible() and stored_notes(library) == []


def test_notes_survive_a_restart(qtbot, data_dir):
    from reviewer.core.library import Library
    from reviewer.gui import tasks
    from reviewer.gui.main_window import MainWindow

    library = Library.open(data_dir)
    first = MainWindow(library, data_dir)
    qtbot.addWidget(first)
    view = first.open_trial("NCT06924645")
    write_note(first, view, "criterion", "inclusion/1", "Adults only.", "ok")
    first.close()
    tasks.wait_all()
    library.close()

    library = Library.open(data_dir)
    try:
        second = MainWindow(library, data_dir)
        qtbot.addWidget(second)
        view = second.open_trial("NCT06924645")
        assert [(n["item_key"], n["body"], n["tag"]) for n in second.notes_panel.model.notes] == [
            ("inclusion/1", "Adults only.", "ok")
        ]
        assert "badge-ok" in view.rendered.html
        second.close()
        tasks.wait_all()
    finally:
        library.close()
