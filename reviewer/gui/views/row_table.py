"""A list shown as a table of whole rows (the library, the notes): read-only, keyboard-friendly."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget


def row_table(
    parent: QWidget,
    model: QAbstractItemModel,
    name: str,
    accessible_name: str,
    selection: QAbstractItemView.SelectionMode,
    widths: tuple[int, ...],
) -> QTableView:
    """A table view of ``model``: rows selected whole, no editing, no row numbers, alternating
    colours; Tab leaves it (the arrows move in it); columns of the given widths, resizable."""
    table = QTableView(parent)
    table.setObjectName(name)
    table.setAccessibleName(accessible_name)
    table.setTabKeyNavigation(False)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(selection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(False)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    for column, width in enumerate(widths):
        header.resizeSection(column, width)
    return table
