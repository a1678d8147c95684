"""The library: rows fetched lazily in windows, search as you type off the GUI thread, filters, sorting."""

from __future__ import annotations

from PySide6.QtCore import Qt

from reviewer.core.store import listing
from reviewer.gui.models import library_model
from reviewer.gui.models.library_model import PLACEHOLDER, LibraryModel, Query
from reviewer.gui.views.library_panel import SEARCH_DELAY_MS


def column_values(model, column=0):
    return [model.data(model.index(row, column)) for row in range(model.rowCount())]


def test_rows_come_in_windows(qtbot, library, monkeypatch):
    monkeypatch.setattr(library_model, "WINDOW", 1)
    model = LibraryModel(library)
    assert model.total() == 3 and model.cached_rows() == 1  # only the first window is read
    assert model.data(model.index(0, 0)) == "NCT02455596"
    assert model.data(model.index(2, 0)) == PLACEHOLDER  # not fetched yet: asked for, off the GUI thread
    with qtbot.waitSignal(model.sig_window_loaded) as blocker:
        pass
    assert blocker.args == [2]
    assert model.data(model.index(2, 0)) == "NCT07312656"
    assert model.cached_rows() == 2


def test_search_as_you_type(window, qtbot):
    panel = window.library
    model = panel.model
    with qtbot.waitSignal(model.sig_loaded, timeout=5000):
        qtbot.keyClicks(panel.search, "mucositis")
        assert model.total() == 3  # nothing happens before the debounce delay
    assert column_values(model) == ["NCT07312656"]
    assert "1 match" in panel.count_label.text()
    with qtbot.waitSignal(model.sig_loaded, timeout=5000):
        panel.search.clear()
    assert model.total() == 3 and not model.is_search()
    assert SEARCH_DELAY_MS <= 200


def test_stale_search_results_are_dropped(qtbot, library):
    model = LibraryModel(library)
    loads = []
    model.sig_loaded.connect(lambda: loads.append(model.query.text))
    model.set_search("mucositis")
    model.set_search("neuroendocrine")
    qtbot.waitUntil(lambda: loads == ["neuroendocrine"])
    qtbot.wait(50)  # the first answer, if it came back later, was dropped
    assert loads == ["neuroendocrine"]
    assert sorted(column_values(model)) == ["NCT02455596", "NCT06924645"]


def test_filters(window, qtbot):
    panel = window.library
    status = panel.filters["statuses"]
    with qtbot.waitSignal(panel.model.sig_loaded):
        status.set_checked(["NOT_YET_RECRUITING"])
    assert column_values(panel.model) == ["NCT06924645", "NCT07312656"]
    assert status.text() == "Status: Not yet recruiting"
    with qtbot.waitSignal(panel.model.sig_loaded):
        panel.filters["phases"].set_checked(["PHASE2"])
    assert column_values(panel.model) == ["NCT07312656"]
    with qtbot.waitSignal(panel.model.sig_loaded):
        status.clear()
    assert column_values(panel.model) == ["NCT02455596", "NCT07312656"]
    assert panel.current_filter() == listing.TrialFilter(phases=["PHASE2"])


def test_sorting_happens_in_sql(window, qtbot):
    table = window.library.table
    model = window.library.model
    with qtbot.waitSignal(model.sig_loaded):
        table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert column_values(model) == ["NCT07312656", "NCT06924645", "NCT02455596"]
    assert model.query == Query(order_by="registry_id", descending=True)
    with qtbot.waitSignal(model.sig_loaded):
        table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
    assert column_values(model, 1)[0].startswith("Aerosolized")
    # by note count: the annotated trials first
    from reviewer.core.items import anchor_of
    from reviewer.core.notes import add_note

    from .conftest import trial_id_of

    with window.lib.store.transaction() as session:
        for registry_id, count in (("NCT06924645", 2), ("NCT02455596", 1)):
            for n in range(count):
                add_note(session, trial_id_of(window.lib, registry_id), anchor_of("trial", ""), f"n{n}", "dr.a")
    with qtbot.waitSignal(model.sig_loaded):
        table.sortByColumn(6, Qt.SortOrder.DescendingOrder)
    assert model.query == Query(order_by="note_count", descending=True)
    assert column_values(model) == ["NCT06924645", "NCT02455596", "NCT07312656"]
    assert column_values(model, 6) == ["2", "1", ""]


def test_open_from_the_library(window, qtbot):
    table = window.library.table
    index = window.library.model.index(1, 0)
    center = table.visualRect(index).center()
    qtbot.mouseClick(
        table.viewport(), Qt.MouseButton.LeftButton, pos=center
    )  # QTest's double click needs a press first
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=center)
    assert window.workspace.currentWidget().registry_id == "NCT06924645"
    window.library.select_rows([1])
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert window.workspace.count() == 1  # the same trial is not opened twice
