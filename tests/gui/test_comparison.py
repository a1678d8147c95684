"""Side by side: rows aligned across trials, rows that differ highlighted, the key differences above
the table, values on facet rows, notes on cells, the arms of one trial, recent comparisons."""

from __future__ import annotations

from PySide6.QtCore import Qt

from reviewer.core.items import criterion
from reviewer.gui import theme
from reviewer.gui.models.comparison_model import (
    CONCEPT_ROLE,
    DIFFERS_ROLE,
    FACET_ROLE,
    KEYS_ROLE,
    NOTES_ROLE,
    SECTION_ROLE,
    VALUE_ROLE,
)

from .conftest import stored_notes

ECOG = "Performance status (ECOG)"


def select_in_library(window, registry_ids):
    model = window.library.model
    rows = [row for row in range(model.total()) if model.registry_id_at(row) in registry_ids]
    window.library.select_rows(rows)


def open_comparison(window, qtbot, registry_ids):
    select_in_library(window, registry_ids)
    assert window.action_compare.isEnabled()
    window.action_compare.trigger()
    view = window.workspace.currentWidget()
    qtbot.waitUntil(lambda: view.loaded, timeout=10000)
    return view


def row_of(model, section, concept):
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        if model.data(index, SECTION_ROLE) == section and model.data(index, CONCEPT_ROLE) == concept:
            return row
    raise AssertionError(f"no {concept} row in {section}")


def texts(model, row):
    return [model.data(model.index(row, column)) for column in range(model.columnCount())]


def test_age_and_ecog_rows_align_and_ecog_differs(window, qtbot):
    view = open_comparison(window, qtbot, ["NCT06924645", "NCT02455596"])
    model = view.model
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(2)] == [
        "NCT02455596",
        "NCT06924645",
    ]
    column = {model.headerData(c, Qt.Orientation.Horizontal): c for c in range(2)}

    age = row_of(model, "inclusion", "Age")
    age_texts = texts(model, age)
    assert "Age ≥18 years, regardless of gender;" in age_texts[column["NCT06924645"]]
    assert "At least 18 years old." in age_texts[column["NCT02455596"]]

    ecog = row_of(model, "inclusion", ECOG)
    ecog_texts = texts(model, ecog)
    assert "ECOG" in ecog_texts[column["NCT06924645"]] and "1-3" in ecog_texts[column["NCT06924645"]]
    assert "ECOG performance status 0, 1 or 2." in ecog_texts[column["NCT02455596"]]
    for c in range(2):
        index = model.index(ecog, c)
        assert model.data(index, DIFFERS_ROLE) is True
        assert model.data(index, Qt.ItemDataRole.BackgroundRole) == theme.DIFFERS
    assert model.headerData(ecog, Qt.Orientation.Vertical) == "≠ " + ECOG
    assert model.headerData(ecog, Qt.Orientation.Vertical, Qt.ItemDataRole.BackgroundRole) == theme.DIFFERS

    assert model.data(model.index(ecog, column["NCT06924645"]), VALUE_ROLE) == "ECOG 1-3"
    assert model.data(model.index(ecog, column["NCT02455596"]), VALUE_ROLE) == "ECOG 0-2"
    assert model.data(model.index(ecog, 0), FACET_ROLE) == "performance:ECOG"
    assert model.data(model.index(age, 0), DIFFERS_ROLE) is False  # minimum 18 both
    same = row_of(model, "inclusion", "Life expectancy")
    assert model.data(model.index(same, 0), DIFFERS_ROLE) is False
    assert model.data(model.index(same, 0), Qt.ItemDataRole.BackgroundRole) is None
    # each section starts with a header row spanning every column
    for row in model.section_rows():
        assert view.table.columnSpan(row, 0) == 2
    # cells wrap: the long diagnosis row is taller than one line
    diagnosis = row_of(model, "inclusion", "Diagnosis / histology")
    assert view.table.rowHeight(diagnosis) > 2 * view.fontMetrics().height()


def test_only_differences_hides_every_equal_row(window, qtbot):
    view = open_comparison(window, qtbot, ["NCT06924645", "NCT02455596"])
    model = view.model
    everything = model.rowCount()
    equal = [
        model.data(model.index(row, 0), CONCEPT_ROLE)
        for row in range(everything)
        if model.data(model.index(row, 0), DIFFERS_ROLE) is False
    ]
    assert {"Age", "Life expectancy", "Informed consent", "Pregnancy"} <= set(equal)
    view.only_differences.setChecked(True)
    assert model.rowCount() < everything
    shown = [model.data(model.index(row, 0), CONCEPT_ROLE) for row in range(model.rowCount())]
    assert "Age" not in shown and "Informed consent" not in shown and ECOG in shown
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        if model.data(index, CONCEPT_ROLE) is not None:
            assert model.data(index, DIFFERS_ROLE)
    for row in model.section_rows():
        assert view.table.columnSpan(row, 0) == 2
    view.only_differences.setChecked(False)
    assert model.rowCount() == everything


def test_key_differences_above_the_table_jump_to_their_row(window, qtbot):
    view = open_comparison(window, qtbot, ["NCT06924645", "NCT02455596"])
    summary = view.key_differences
    lines = [summary.item(n).text() for n in range(summary.count())]
    assert "≠  Performance status (ECOG): 0-2 | 1-3" in lines  # columns: NCT02455596, NCT06924645
    assert not any("Age" in line for line in lines)
    assert view.key_title.isVisible() and summary.isVisible()
    assert "Key differences" in view.key_title.text()
    ecog = next(summary.item(n) for n in range(summary.count()) if "ECOG" in summary.item(n).text())
    view.table.setCurrentIndex(view.model.index(0, 0))
    summary.itemClicked.emit(ecog)
    current = view.table.currentIndex()
    assert view.model.data(current, FACET_ROLE) == "performance:ECOG"
    assert view.model.data(current, SECTION_ROLE) == "inclusion"
    # a facet row is taller than its text alone: its value is drawn above it
    assert view.table.rowHeight(current.row()) >= 2 * view.fontMetrics().height()


def test_note_on_a_comparison_cell(window, qtbot, library):
    view = open_comparison(window, qtbot, ["NCT06924645", "NCT02455596"])
    model = view.model
    ecog = row_of(model, "inclusion", ECOG)
    column = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(2)].index("NCT02455596")
    view.table.setCurrentIndex(model.index(ecog, column))
    window.action_add_note.trigger()
    window.note_editor.set_values("Excludes ECOG 3, unlike the FMT trial.", "concern")
    window.note_editor.accept()
    assert [(n["registry_id"], n["kind"], n["key"]) for n in stored_notes(library)] == [
        ("NCT02455596", "criterion", "inclusion/6")
    ]
    assert model.data(model.index(ecog, column), KEYS_ROLE) == [criterion("inclusion", "6")]
    assert [n["tag"] for n in model.data(model.index(ecog, column), NOTES_ROLE)] == ["concern"]
    assert model.data(model.index(ecog, 1 - column), NOTES_ROLE) == []
    # the notes panel lists the comparison's notes; a click selects the cell
    assert [n["body"] for n in window.notes_panel.model.notes] == ["Excludes ECOG 3, unlike the FMT trial."]
    view.table.setCurrentIndex(model.index(0, 0))
    window.jump_to_note(window.notes_panel.model.notes[0])
    assert window.workspace.currentWidget() is view
    assert view.table.currentIndex() == model.index(ecog, column)


def test_compare_arms_of_one_trial(window, qtbot):
    trial = window.open_trial("NCT07312656")
    trial.action_compare_arms.trigger()
    view = window.workspace.currentWidget()
    qtbot.waitUntil(lambda: view.loaded, timeout=10000)
    model = view.model
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(2)] == [
        "experimental group",
        "control group",
    ]
    assert [model.data(model.index(row, 0), SECTION_ROLE) for row in range(model.rowCount())] == [
        "arms"
    ] * model.rowCount()
    description = next(
        r for r in range(model.rowCount()) if model.data(model.index(r, 0), CONCEPT_ROLE) == "Description"
    )
    assert "conventional radiotherapy" in model.data(model.index(description, 1))


def test_three_trials_recent_and_add_to_comparison(window, qtbot):
    view = open_comparison(window, qtbot, ["NCT06924645", "NCT02455596"])
    select_in_library(window, ["NCT07312656"])
    window.workspace.setCurrentWidget(view)
    window._update_actions()
    assert window.action_add_to_comparison.isEnabled()
    window.action_add_to_comparison.trigger()
    bigger = window.workspace.currentWidget()
    qtbot.waitUntil(lambda: bigger.loaded, timeout=10000)
    assert bigger.model.columnCount() == 3
    assert window.workspace.count() == 1  # the two-trial tab was replaced
    recent = window.settings.recent_comparisons()
    assert recent[0] == ["NCT02455596", "NCT06924645", "NCT07312656"]
    assert [a.text() for a in window.recent_menu.actions()][0] == "&1 NCT02455596 · NCT06924645 · NCT07312656"
    window.recent_menu.actions()[1].trigger()
    again = window.workspace.currentWidget()
    qtbot.waitUntil(lambda: again.loaded, timeout=10000)
    assert again.registry_ids == ["NCT02455596", "NCT06924645"]


def test_compare_needs_two_to_six(window):
    select_in_library(window, ["NCT07312656"])
    assert not window.action_compare.isEnabled()
    assert window.compare(["NCT07312656"]) is None


def test_compare_limits_match_the_core():
    from reviewer.core import compare
    from reviewer.gui import main_window

    assert (main_window.MIN_COMPARE, main_window.MAX_COMPARE) == (compare.MIN_TRIALS, compare.MAX_TRIALS)
