"""A table read cell by cell (the comparison, the eligibility grid): cells wrap their text, one cell
is selected at a time, the rows are named by a vertical header of the caller's (word-wrapped concepts
or facets, frozen beside columns that scroll sideways), read-only, keyboard-friendly."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget


def cell_table(
    parent: QWidget, model: QAbstractItemModel, name: str, accessible_name: str, row_header: QHeaderView
) -> QTableView:
    """A table view of ``model`` with ``row_header`` as its vertical header: Tab leaves it (the arrows
    move in it), scrolled by pixels, no editing; the columns resizable by hand."""
    table = QTableView(parent)
    table.setObjectName(name)
    table.setAccessibleName(accessible_name)
    table.setTabKeyNavigation(False)
    table.setVerticalHeader(row_header)
    table.setModel(model)
    table.setWordWrap(True)
    table.setTextElideMode(Qt.TextElideMode.ElideNone)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    row_header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    row_header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    columns = table.horizontalHeader()
    columns.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    columns.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return table
