"""The eligibility grid window on the sample library, with real widgets: opened from the selection,
its frozen facet column and marks, "Only differences", tooltips, a double-click that opens the trial
at the criterion, CSV and PDF export, the remembered geometry, and the sentence for a wrong count."""

from __future__ import annotations

import csv
import io

from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from reviewer.gui import theme
from reviewer.gui.models.grid_model import DIFFERS_ROLE, ITEMS_ROLE
from reviewer.gui.views.grid_window import GEOMETRY_KEY, FacetHeader, GridWindow
from reviewer.gui.views.trial_view import TrialView

SEEDS = ["NCT06924645", "NCT07312656", "NCT02455596"]


def select_in_library(window, registry_ids):
    model = window.library.model
    window.library.select_rows(
        [row for row in range(model.total()) if model.registry_id_at(row) in registry_ids]
    )


def open_grid(window, qtbot, registry_ids=SEEDS) -> GridWindow:
    select_in_library(window, registry_ids)
    assert window.action_grid.isEnabled()
    window.action_grid.trigger()
    grid_window = window.grid_windows[-1]
    qtbot.waitUntil(lambda: grid_window.loaded, timeout=15000)
    return grid_window


def facet_keys(model) -> list[str]:
    return [row.key for row in model.facet_rows()]


def test_the_grid_of_the_selection(window, qtbot):
    grid = open_grid(window, qtbot)
    model, table = grid.model, grid.table
    assert grid.isWindow() and grid.isVisible() and grid.windowTitle() == "Eligibility grid · 3 trials"
    assert sorted(model.headerData(c, Qt.Orientation.Horizontal) for c in range(3)) == sorted(SEEDS)
    columns = {model.headerData(c, Qt.Orientation.Horizontal): c for c in range(3)}
    ecog = model.row_of("performance:ECOG")
    assert model.headerData(ecog, Qt.Orientation.Vertical) == "≠ Performance status (ECOG)"
    assert model.data(model.index(ecog, columns["NCT06924645"])) == "ECOG 1-3"
    assert model.data(model.index(ecog, columns["NCT02455596"])) == "ECOG 0-2"
    assert model.data(model.index(ecog, 0), DIFFERS_ROLE) is True
    assert model.data(model.index(ecog, 0), Qt.ItemDataRole.BackgroundRole) == theme.DIFFERS
    assert model.data(
        model.index(ecog, columns["NCT06924645"]), Qt.ItemDataRole.FontRole
    ).bold()  # 1-3: odd one out
    assert model.data(model.index(ecog, columns["NCT02455596"]), Qt.ItemDataRole.FontRole) is None
    tip = model.data(model.index(ecog, columns["NCT06924645"]), Qt.ItemDataRole.ToolTipRole)
    assert "Inclusion criterion 6: " in tip and "ECOG" in tip
    platelets = model.row_of("lab:platelets")
    missing = model.index(platelets, columns["NCT06924645"])
    assert model.data(missing) == "not stated"
    assert model.data(missing, Qt.ItemDataRole.ForegroundRole) == QColor(128, 128, 128)
    assert model.data(missing, Qt.ItemDataRole.FontRole).italic()
    assert model.data(missing, Qt.ItemDataRole.BackgroundRole) is None
    # a group's title row is in the facet column and cannot be selected
    first_group = model.group_rows()[0]
    assert model.headerData(first_group, Qt.Orientation.Vertical) == "Demographics"
    assert not model.flags(model.index(first_group, 0)) & Qt.ItemFlag.ItemIsSelectable
    # the facets are the vertical header: they stay while the trials scroll sideways
    assert isinstance(table.verticalHeader(), FacetHeader) and table.verticalHeader().isVisible()
    assert "Hover a cell" in grid.heading.text()


def test_the_facet_column_stays_when_many_trials_scroll(window, qtbot):
    grid = open_grid(window, qtbot)
    grid.resize(600, 500)
    qtbot.waitUntil(lambda: grid.table.horizontalScrollBar().maximum() > 0)
    header = grid.table.verticalHeader()
    before = header.mapTo(grid, header.rect().topLeft())
    grid.table.horizontalScrollBar().setValue(grid.table.horizontalScrollBar().maximum())
    assert header.mapTo(grid, header.rect().topLeft()) == before
    assert grid.table.columnViewportPosition(0) < 0  # the first trial has scrolled away, the facets not


def test_only_differences(window, qtbot):
    grid = open_grid(window, qtbot)
    everything = facet_keys(grid.model)
    assert not grid.with_partial.isEnabled()
    grid.only_differences.setChecked(True)
    assert facet_keys(grid.model) == ["age", "performance:ECOG", "life_expectancy"]
    assert grid.with_partial.isEnabled()
    grid.with_partial.setChecked(True)
    shown = facet_keys(grid.model)
    assert "lab:platelets" in shown and "consent" not in shown
    grid.only_differences.setChecked(False)
    assert facet_keys(grid.model) == everything


def test_a_double_click_opens_the_trial_at_the_criterion(window, qtbot):
    grid = open_grid(window, qtbot)
    model = grid.model
    column = next(c for c in range(3) if model.headerData(c, Qt.Orientation.Horizontal) == "NCT07312656")
    index = model.index(model.row_of("performance:ECOG"), column)
    assert [ref.key for ref in model.data(index, ITEMS_ROLE)] == ["criterion:inclusion/4"]
    grid.table.scrollTo(index)
    where = grid.table.visualRect(index).center()
    qtbot.mouseClick(
        grid.table.viewport(), Qt.MouseButton.LeftButton, pos=where
    )  # a real double-click presses first
    qtbot.mouseDClick(grid.table.viewport(), Qt.MouseButton.LeftButton, pos=where)
    view = window.workspace.currentWidget()
    assert isinstance(view, TrialView) and view.registry_id == "NCT07312656"
    assert view.highlighted == ("criterion", "inclusion/4")


def test_csv_and_pdf_export(window, qtbot, tmp_path):
    grid = open_grid(window, qtbot)
    target = grid.export_csv(tmp_path / "grid.csv")
    assert target == tmp_path / "grid.csv"
    rows = list(csv.reader(io.StringIO(target.read_bytes().decode("utf-8-sig"), newline="")))
    assert rows[0][0] == "Facet" and sorted(rows[0][1:]) == sorted(SEEDS)
    assert any(r[0] == "Performance status (ECOG)" for r in rows)
    with qtbot.waitSignal(grid.sig_exported, timeout=60000) as written:
        grid.export_pdf(tmp_path / "grid.pdf")
    assert written.args == [tmp_path / "grid.pdf"]
    text = " ".join(
        PdfReader(io.BytesIO((tmp_path / "grid.pdf").read_bytes())).pages[0].extract_text().split()
    )
    assert "Eligibility grid: 3 trials" in text and "Performance status (ECOG)" in text
    assert grid.heading.text() == f"Saved to {tmp_path / 'grid.pdf'}"


def test_an_export_that_cannot_be_written_says_why(window, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    grid = open_grid(window, qtbot)
    said = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, title, text: said.append((title, text)))
    assert grid.export_csv(tmp_path / "no-such-folder" / "grid.csv") is None
    assert said and said[0][0] == "Not saved" and "no-such-folder" in said[0][1]


def test_the_window_remembers_its_geometry(window, qtbot):
    grid = open_grid(window, qtbot)
    grid.resize(710, 480)
    qtbot.waitUntil(lambda: grid.size().width() == 710)
    grid.close()
    assert window.settings.state(GEOMETRY_KEY)
    again = open_grid(window, qtbot)
    assert (again.width(), again.height()) == (710, 480)


def test_fewer_than_two_or_more_than_fifty_is_one_sentence(window, qtbot):
    select_in_library(window, SEEDS[:1])
    window.action_grid.trigger()
    assert window.grid_windows == []
    assert window.statusBar().currentMessage() == (
        "Select 2 to 50 trials in the library for an eligibility grid (1 is selected)."
    )
    assert window.show_grid([f"NCT{n:08d}" for n in range(51)]) is None
    assert window.statusBar().currentMessage().endswith("(51 are selected).")


def test_the_report_dialog_makes_the_grid_of_the_selection(window, qtbot):
    select_in_library(window, SEEDS)
    dialog = window.show_report()
    dialog.set_source("selection")
    dialog.set_kind("grid")
    assert not dialog.sections_box.isEnabled()
    qtbot.waitUntil(dialog.preview_is_current, timeout=60000)
    text = " ".join(PdfReader(io.BytesIO(dialog.pdf_bytes)).pages[0].extract_text().split())
    assert "Eligibility grid: 3 trials" in text
    select_in_library(window, SEEDS[:1])
    dialog.close()
    one = window.show_report()
    one.set_source("selection")
    one.set_kind("grid")
    with qtbot.waitSignal(one.sig_render_failed, timeout=60000) as failed:
        one.render_now()
    assert failed.args[0] == "an eligibility grid takes 2 to 50 trials; 1 was given"


def test_ctrl_c_copies_a_cell_with_its_criteria(window, qtbot):
    from PySide6.QtGui import QGuiApplication

    grid = open_grid(window, qtbot)
    model = grid.model
    column = next(c for c in range(3) if model.headerData(c, Qt.Orientation.Horizontal) == "NCT06924645")
    grid.table.setFocus()
    grid.table.setCurrentIndex(model.index(model.row_of("performance:ECOG"), column))
    qtbot.keyClick(grid.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyRelease(grid.table, Qt.Key.Key_Control)  # the application's modifier state: Control up again
    copied = QGuiApplication.clipboard().text()
    assert copied.startswith("NCT06924645 · Performance status (ECOG): ECOG 1-3\nInclusion criterion 6: ")


def test_an_import_builds_the_open_grids_again(window, qtbot):
    from reviewer.core.library import Change

    grid = open_grid(window, qtbot)
    grid.only_differences.setChecked(True)
    with qtbot.waitSignal(grid.sig_loaded, timeout=15000):
        window.apply_change(Change(records_of=frozenset({1}), library_list=True))
    assert [row.key for row in grid.model.facet_rows()] == ["age", "performance:ECOG", "life_expectancy"]
