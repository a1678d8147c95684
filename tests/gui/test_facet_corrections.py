"""Correcting a criterion's facets in the window: the facets under each criterion, the editor, the
correction shown as one (who and what was extracted on hover), undo and redo, a refusal and a store
failure said in the editor with what was typed kept."""

from __future__ import annotations

from PySide6.QtCore import QUrl

NOVAFERON = "NCT02455596"  # inclusion/6: "ECOG performance status 0, 1 or 2."


def open_editor(window, view, key="inclusion/6"):
    n = view.rendered.items.index(("criterion", key))
    view._link_clicked(QUrl(f"facets:{n}"))  # the criterion's "correct…" link
    editor = window.facet_corrector.editor
    assert editor is not None and editor.isVisible()
    return editor


def criterion_line(view, words: str) -> str:
    return next(line for line in view.page_text().splitlines() if words in line)


def correction_hovers(view) -> list[str]:
    found = []
    block = view.browser.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            tip = it.fragment().charFormat().toolTip()
            if tip.startswith("Corrected by"):  # (links have theirs: "Add a note")
                found.append(tip)
            it += 1
        block = block.next()
    return found


def test_a_correction_is_shown_as_one_and_undone_and_redone(window, library, qtbot):
    view = window.open_trial(NOVAFERON)
    assert "ECOG 0-2" in view.page_text()  # the extracted facets under the criterion
    assert "life expectancy ≥ 3 months" in view.page_text()
    editor = open_editor(window, view)
    assert "Extracted from the text: ECOG 0-2" in editor.extracted_label.text()
    editor.set_facet(0, "performance", scale="ECOG", allowed="0-1")
    editor.accept()
    assert not editor.isVisible()
    (stored,) = library.corrections_of(NOVAFERON)
    assert stored.facets == ({"kind": "performance", "scale": "ECOG", "allowed": [0, 1]},)
    assert stored.author == "Dr. Test Reviewer"
    line = criterion_line(view, "corrected:")
    assert "ECOG 0-1" in line and "ECOG 0-2" not in line
    (hover,) = correction_hovers(view)
    assert (
        hover.startswith("Corrected by Dr. Test Reviewer") and "Extracted from the text: ECOG 0-2." in hover
    )
    assert window.action_undo.text() == "&Undo Correct facets of Inclusion criterion 6"

    window.undo_stack.undo()
    assert library.corrections_of(NOVAFERON) == []
    assert "corrected:" not in view.page_text() and "ECOG 0-2" in view.page_text()
    window.undo_stack.redo()
    assert library.corrections_of(NOVAFERON) == [stored]  # the same correction, its id and time too
    assert "ECOG 0-1" in criterion_line(view, "corrected:")

    # a second correction over the first, then undone: the first comes back exactly
    editor = open_editor(window, view)
    assert editor.list.item(0).text() == "ECOG 0-1"
    editor.remove_facet()
    editor.accept()  # an empty list: the criterion states no facet
    assert library.corrections_of(NOVAFERON)[0].facets == ()
    assert "no facet" in criterion_line(view, "corrected:")
    window.undo_stack.undo()
    assert library.corrections_of(NOVAFERON) == [stored]

    # "Use the extracted facets" removes the correction, undoably
    editor = open_editor(window, view)
    editor.reset_button.click()
    assert not editor.isVisible() and library.corrections_of(NOVAFERON) == []
    window.undo_stack.undo()
    assert library.corrections_of(NOVAFERON) == [stored]


def test_an_invalid_facet_is_refused_in_the_editor_and_what_was_typed_stays(window, library):
    view = window.open_trial(NOVAFERON)
    editor = open_editor(window, view)
    editor.set_facet(0, "performance", scale="ECOG", allowed="0-7")
    editor.accept()
    assert editor.isVisible()
    assert editor.error_label.isVisible()
    assert editor.error_label.text() == "Facet 1 (performance): ECOG scores are 0 to 5, not 6."
    assert editor.field_widgets["allowed"].text() == "0-7"
    # another kind and back: the typed texts of each are kept
    editor.set_facet(0, "lab", analyte="anc", op=">=", value="1.5", unit="10^9/L")
    editor.set_facet(0, "performance")
    assert editor.field_widgets["allowed"].text() == "0-7"
    assert library.corrections_of(NOVAFERON) == []
    editor.discard()


def test_a_store_failure_is_said_in_the_editor_which_keeps_the_facets(window, library):
    from tests.gui.test_store_failure import held_lock

    view = window.open_trial(NOVAFERON)
    editor = open_editor(window, view)
    editor.set_facet(0, "performance", scale="ECOG", allowed="0-1")
    holder = held_lock(library.path)
    try:
        editor.accept()  # waits for the lock the app's busy timeout long
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert editor.isVisible()
    assert (
        editor.error_label.text().startswith("Not saved:")
        and "locked by another program" in editor.error_label.text()
    )
    assert editor.field_widgets["allowed"].text() == "0-1"
    assert window.undo_stack.count() == 0
    editor.accept()  # the lock gone, the same facets are saved
    assert not editor.isVisible()
    assert library.corrections_of(NOVAFERON)[0].facets[0]["allowed"] == [0, 1]


def test_the_shortcut_and_the_context_menu_correct_the_criterion_under_the_cursor(window, library):
    view = window.open_trial(NOVAFERON)
    n = view.rendered.items.index(("criterion", "exclusion/2"))
    view._current_item = n
    window.action_correct_facets.trigger()
    editor = window.facet_corrector.editor
    assert editor.isVisible() and editor.property("item")[1] == "criterion:exclusion/2"
    editor.discard()
    view._current_item = 0  # the trial itself: not a criterion
    window.action_correct_facets.trigger()
    assert not window.facet_corrector.is_open()
    assert "Put the cursor on a criterion" in window.statusBar().currentMessage()


def test_an_orphaned_correction_is_listed_with_its_old_text_and_can_be_removed_undoably(window, library):
    library.correct_facets(NOVAFERON, "inclusion/6", [{"kind": "pregnancy"}], "Dr. Test Reviewer")
    with (
        library.store.transaction() as session
    ):  # as an import whose new version lost the criterion leaves it
        session.connection().exec_driver_sql("UPDATE facet_correction SET orphaned = 1")
    view = window.open_trial(NOVAFERON)
    text = view.page_text()
    assert "Facet corrections whose criterion is gone" in text
    assert "was: “ECOG performance status 0, 1 or 2.”" in text
    assert text.count("corrected:") == 1 and "ECOG 0-2" in text  # listed at the end, not on today's item
    (orphan,) = library.corrections_of(NOVAFERON)
    view._link_clicked(QUrl(f"uncorrect:{orphan.id}"))
    assert library.corrections_of(NOVAFERON) == []
    assert "Facet corrections whose criterion is gone" not in view.page_text()
    window.undo_stack.undo()
    assert library.corrections_of(NOVAFERON) == [orphan]
    assert "Facet corrections whose criterion is gone" in view.page_text()
