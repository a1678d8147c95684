"""The library's condition and sponsor fields (applied as the user types, after a short delay) and its
Enrollment and Start columns, on a real store: the samples and one corpus trial."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from reviewer.gui.models.library_model import COLUMNS, Query

from .test_library import column_values

ENROLLMENT = next(n for n, column in enumerate(COLUMNS) if column[0] == "enrollment_count")
START = next(n for n, column in enumerate(COLUMNS) if column[0] == "start_date")


@pytest.fixture
def panel(window, qtbot, corpus_dir):
    """The library panel with the samples and NCT00931528 (actual enrollment 242, started 2009-11)."""
    report = window.lib.import_paths([corpus_dir / "ctgov-v2" / "NCT00931528.json"])
    assert not report.failed
    with qtbot.waitSignal(window.library.model.sig_loaded, timeout=5000):
        window.library.model.reload()
    return window.library


def test_condition_field_filters_as_the_user_types(panel, qtbot):
    field = panel.text_filters["condition"]
    assert field.isClearButtonEnabled()
    with qtbot.waitSignal(panel.model.sig_loaded, timeout=5000):
        qtbot.keyClicks(field, "NEUROENDOCRINE")
        assert panel.model.total() == 4  # nothing before the debounce delay
    assert column_values(panel.model) == ["NCT02455596", "NCT06924645"]
    assert panel.current_filter().condition == "NEUROENDOCRINE"
    with qtbot.waitSignal(panel.model.sig_loaded, timeout=5000):
        field.clear()  # what the clear button does
    assert panel.model.total() == 4 and panel.current_filter().condition is None


def test_sponsor_field_combines_with_the_other_filters(panel, qtbot):
    with qtbot.waitSignal(panel.model.sig_loaded, timeout=5000):
        qtbot.keyClicks(panel.text_filters["sponsor"], "university")
    assert column_values(panel.model) == ["NCT06924645", "NCT07312656"]
    with qtbot.waitSignal(panel.model.sig_loaded, timeout=5000):
        panel.filters["statuses"].set_checked(["NOT_YET_RECRUITING"])
    with qtbot.waitSignal(panel.model.sig_loaded, timeout=5000):
        panel.text_filters["condition"].setText("mucositis")
    assert column_values(panel.model) == ["NCT07312656"]
    assert "1 trial" in panel.count_label.text()


def test_enrollment_and_start_columns(panel):
    model = panel.model
    assert column_values(model, 0) == ["NCT00931528", "NCT02455596", "NCT06924645", "NCT07312656"]
    assert column_values(model, ENROLLMENT) == ["242", "20 (est.)", "40 (est.)", "200 (est.)"]
    assert model.data(model.index(0, ENROLLMENT), Qt.ItemDataRole.ToolTipRole) == "Actual enrollment"
    assert column_values(model, START)[0] == "2009-11" and column_values(model, START)[3] == "2026-01"
    assert model.headerData(ENROLLMENT, Qt.Orientation.Horizontal) == "Enrollment"


def test_enrollment_and_start_are_not_sortable(panel, qtbot):
    """The trial table has no index on them: clicking their headers leaves the order as it was."""
    panel.table.sortByColumn(ENROLLMENT, Qt.SortOrder.DescendingOrder)
    panel.table.sortByColumn(START, Qt.SortOrder.DescendingOrder)
    qtbot.wait(50)
    assert panel.model.query == Query()
    assert panel.table.horizontalHeader().sortIndicatorSection() == 0
