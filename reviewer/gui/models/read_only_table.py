"""The base of the app's table models: flat, read-only, rows selected whole.

A model says which rows can be selected (``selectable``: every row unless it says otherwise) and
answers ``cell(index, role)`` for valid indexes (a column out of range is its own to refuse: the
check costs a call per cell painted here); ``flags`` and ``data`` are written once here.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex

SELECTABLE = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class ReadOnlyTableModel(QAbstractTableModel):
    def selectable(self, row: int) -> bool:
        """Whether this row can be selected (a section's heading row cannot)."""
        return True

    def cell(self, index: Index, role: int) -> Any:
        """The data of a valid index (see data)."""
        raise NotImplementedError

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return SELECTABLE if self.selectable(index.row()) else Qt.ItemFlag.ItemIsEnabled

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        return self.cell(index, role) if index.isValid() else None
