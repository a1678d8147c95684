"""Typed notes are never lost: leaving the editor with typed text asks first (Escape, Cancel, the
window closing, another item's editor), and the text is kept as a draft in the data folder while it
is typed, so an editor that dies without closing (a crash) is offered again."""

from __future__ import annotations

import json

import shiboken6
from PySide6.QtCore import Qt

from reviewer.gui.drafts import DRAFTS_FOLDER

from .conftest import answer_question, stored_notes


def draft_files(data_dir) -> list[dict]:
    folder = data_dir / DRAFTS_FOLDER
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))] if folder.exists() else []


def type_note(qtbot, window, view, kind, key, text):
    view.request_note_on(kind, key)
    editor = window.note_editor
    assert editor is not None and editor.isVisible()
    qtbot.keyClicks(editor.body_edit, text)
    return editor


def test_escape_with_typed_text_asks_and_keep_editing_keeps_it(window, library, qtbot, data_dir):
    view = window.open_trial("NCT02455596")
    editor = type_note(qtbot, window, view, "criterion", "inclusion/2", "Why 18 and not 16?")
    asked: list[str] = []
    answer_question(qtbot, "Keep editing", asked)
    qtbot.keyClick(editor.body_edit, Qt.Key.Key_Escape)
    assert asked == ["Discard this note?"]
    assert editor.isVisible() and editor.body() == "Why 18 and not 16?"
    assert window.note_editor is editor

    answer_question(qtbot, "Discard", asked)
    qtbot.keyClick(editor.body_edit, Qt.Key.Key_Escape)
    assert len(asked) == 2 and not editor.isVisible()
    assert stored_notes(library) == [] and draft_files(data_dir) == []


def test_escape_without_typed_text_closes_at_once(window, qtbot):
    view = window.open_trial("NCT02455596")
    view.request_note_on("criterion", "inclusion/2")
    editor = window.note_editor
    editor.tag_combo.setCurrentIndex(editor.tag_combo.findData("question"))  # a tag alone is not a note
    asked: list[str] = []
    stop = answer_question(qtbot, "Keep editing", asked)
    qtbot.keyClick(editor.body_edit, Qt.Key.Key_Escape)
    stop()
    assert asked == [] and not editor.isVisible()


def test_an_unchanged_edit_closes_at_once_and_a_changed_one_asks(window, qtbot):
    view = window.open_trial("NCT07312656")
    editor = type_note(qtbot, window, view, "trial", "", "Worth a look.")
    editor.accept()
    window.notes_panel.select_note(window.notes_panel.model.notes[0]["id"])
    window.notes_panel.edit_selected()
    editor = window.note_editor
    assert editor.body() == "Worth a look."
    stop = answer_question(qtbot, "Keep editing", asked := [])
    editor.reject()
    stop()
    assert asked == [] and not editor.isVisible()

    window.notes_panel.edit_selected()
    editor = window.note_editor
    qtbot.keyClicks(editor.body_edit, " Soon.")
    answer_question(qtbot, "Keep editing", asked)
    editor.buttons.button(editor.buttons.StandardButton.Cancel).click()
    assert asked == ["Discard this note?"] and editor.isVisible()
    editor.accept()
    assert window.notes_panel.model.notes[0]["body"] == "Worth a look. Soon."


def test_another_items_editor_asks_before_replacing_typed_text(window, library, qtbot, data_dir):
    view = window.open_trial("NCT02455596")
    first = type_note(qtbot, window, view, "criterion", "inclusion/2", "First thought")
    asked: list[str] = []
    answer_question(qtbot, "Keep editing", asked)
    view.request_note_on("criterion", "inclusion/3")
    assert asked == ["Discard this note?"]
    assert window.note_editor is first and first.isVisible() and first.body() == "First thought"

    answer_question(qtbot, "Discard", asked)
    view.request_note_on("criterion", "inclusion/3")
    second = window.note_editor
    assert second is not first and second.isVisible() and second.body() == ""
    assert "inclusion/3" not in second.windowTitle()  # the heading, not the title, names the item
    assert draft_files(data_dir) == []


def test_closing_the_window_asks_and_keep_editing_keeps_it_open(window, library, qtbot):
    view = window.open_trial("NCT02455596")
    editor = type_note(qtbot, window, view, "criterion", "inclusion/2", "Half a thought")
    asked: list[str] = []
    answer_question(qtbot, "Keep editing", asked)
    window.close()
    assert asked == ["Discard this note?"]
    assert window.isVisible() and editor.isVisible()
    editor.accept()
    assert [n["body"] for n in stored_notes(library)] == ["Half a thought"]


def test_a_draft_outlives_an_editor_that_never_closed(window, library, qtbot, data_dir):
    view = window.open_trial("NCT02455596")
    editor = type_note(qtbot, window, view, "criterion", "inclusion/2", "Typed before the crash")
    editor.tag_combo.setCurrentIndex(editor.tag_combo.findData("concern"))
    qtbot.waitUntil(lambda: [d["body"] for d in draft_files(data_dir)] == ["Typed before the crash"])
    qtbot.waitUntil(lambda: draft_files(data_dir)[0]["tag"] == "concern")
    shiboken6.delete(editor)  # gone without its close path, as in a crash

    view.request_note_on("criterion", "inclusion/2")
    restored = window.note_editor
    assert restored.body() == "Typed before the crash" and restored.tag() == "concern"
    assert restored.draft_label.isVisible() and "unsaved draft" in restored.draft_label.text()
    restored.accept()
    assert [(n["key"], n["body"], n["tag"]) for n in stored_notes(library)] == [
        ("inclusion/2", "Typed before the crash", "concern")
    ]
    assert draft_files(data_dir) == []


def test_a_draft_of_an_edit_comes_back_on_that_note(window, library, qtbot, data_dir):
    view = window.open_trial("NCT07312656")
    type_note(qtbot, window, view, "trial", "", "First version.").accept()
    note = window.notes_panel.model.notes[0]
    editor = window.edit_note(note)
    editor.body_edit.selectAll()
    qtbot.keyClicks(editor.body_edit, "Second version, never saved.")
    qtbot.waitUntil(lambda: [d["kind"] for d in draft_files(data_dir)] == ["edit"])
    shiboken6.delete(editor)

    view.request_note_on("trial", "")  # a new note on the same item is not that note: empty
    assert window.note_editor.body() == ""
    window.note_editor.reject()
    editor = window.edit_note(window.notes_panel.model.notes[0])
    assert editor.body() == "Second version, never saved."
    editor.accept()
    assert [n["body"] for n in stored_notes(library)] == ["Second version, never saved."]
    assert draft_files(data_dir) == []


def test_the_window_offers_kept_drafts_at_start(qtbot, library, data_dir):
    from reviewer.gui import tasks
    from reviewer.gui.main_window import MainWindow

    first = MainWindow(library, data_dir)
    qtbot.addWidget(first)
    view = first.open_trial("NCT06924645")
    editor = type_note(qtbot, first, view, "criterion", "exclusion/1", "Left behind")
    qtbot.waitUntil(lambda: len(draft_files(data_dir)) == 1)
    shiboken6.delete(editor)
    first.close()
    tasks.wait_all()

    second = MainWindow(library, data_dir)
    qtbot.addWidget(second)
    second.show()
    qtbot.waitUntil(lambda: second.drafts_offer is not None and second.drafts_offer.isVisible())
    offer = second.drafts_offer
    assert "was not saved" in offer.text() and "NCT06924645" in offer.informativeText()
    assert "Left behind" in offer.informativeText()
    button = next(b for b in offer.buttons() if b.text() == "&Open it")
    button.click()
    editor = second.note_editor
    assert editor is not None and editor.body() == "Left behind"
    assert second.workspace.currentWidget().registry_id == "NCT06924645"
    editor.accept()
    assert [(n["key"], n["body"]) for n in stored_notes(library)] == [("exclusion/1", "Left behind")]
    assert draft_files(data_dir) == []
    second.close()
    tasks.wait_all()


def test_a_draft_kept_by_a_release_with_span_notes_opens_on_its_item(qtbot, library, data_dir):
    """Until schema 0006 a selection had the kind "span": such a draft comes back on the item it lies in."""
    from reviewer.gui import tasks
    from reviewer.gui.drafts import NoteDrafts
    from reviewer.gui.main_window import MainWindow

    quote = "Previous"
    NoteDrafts(data_dir).save({
        "key": "new-0-from-an-older-release", "kind": "new", "registry_id": "NCT06924645",
        "label": "Exclusion criterion 1 (selection)", "body": "Kept by the older release", "tag": None,
        "anchor": {"kind": "span", "key": "exclusion/1", "quote": quote, "span_start": 0, "span_end": len(quote)},
    })
    window = MainWindow(library, data_dir)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.drafts_offer is not None and window.drafts_offer.isVisible())
    next(b for b in window.drafts_offer.buttons() if b.text() == "&Open it").click()
    assert window.note_editor.body() == "Kept by the older release"
    window.note_editor.accept()
    assert [(n["kind"], n["key"], n["body"]) for n in stored_notes(library)] == [
        ("criterion", "exclusion/1", "Kept by the older release")
    ]
    window.close()
    tasks.wait_all()
