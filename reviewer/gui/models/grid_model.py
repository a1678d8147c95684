"""The eligibility grid (reviewer.core.grid) as a table: a column per trial, a row per facet, with a
title row above each group of facets (demographics, performance status, haematology ...).

The facets name the rows in the vertical header, which stays in place while the trials scroll
sideways. A row whose trials state different values carries DIFFERS_ROLE True, a "≠" before its
facet and the amber wash (theme.DIFFERS) that reads on light and dark palettes; "not stated" cells
are grey and italic; in a row that differs, a value other than the one most trials state is bold
(core.grid's outliers). A cell's tooltip quotes the criteria that decide it; ITEMS_ROLE gives their
ItemRefs (a double-click opens the trial at the first).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from ...core.grid import NOT_STATED, Grid, GridRow
from .. import theme
from .read_only_table import ReadOnlyTableModel

DIFFERS_MARK = "≠ "  # also said in words, not only in colour

DIFFERS_ROLE = Qt.ItemDataRole.UserRole + 1
ITEMS_ROLE = Qt.ItemDataRole.UserRole + 2  # the cell's deciding items (core.items.ItemRef)
ROW_KIND_ROLE = Qt.ItemDataRole.UserRole + 3  # "group" or "facet"
KEY_ROLE = Qt.ItemDataRole.UserRole + 4  # (requirement key, scope)
STATED_ROLE = Qt.ItemDataRole.UserRole + 5

NOT_STATED_COLOR = QColor(128, 128, 128)
_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.BackgroundRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.FontRole,
        Qt.ItemDataRole.AccessibleTextRole,
        DIFFERS_ROLE,
        ITEMS_ROLE,
        ROW_KIND_ROLE,
        KEY_ROLE,
        STATED_ROLE,
    }
)


@dataclass(frozen=True)
class _Line:
    group: str
    row: GridRow | None  # None: the group's title row


def _bold() -> QFont:
    font = QFont()
    font.setBold(True)
    return font


def _italic() -> QFont:
    font = QFont()
    font.setItalic(True)
    return font


class GridModel(ReadOnlyTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.grid: Grid | None = None
        self.lines: list[_Line] = []
        self.only_differences = False
        self.with_partial = False

    def set_grid(self, grid: Grid | None) -> None:
        self.beginResetModel()
        self.grid = grid
        self._build()
        self.endResetModel()

    def set_filter(self, only_differences: bool, with_partial: bool = False) -> None:
        """Every facet, or only those whose values differ (``with_partial``: and those some trials do
        not state)."""
        self.beginResetModel()
        self.only_differences, self.with_partial = only_differences, with_partial
        self._build()
        self.endResetModel()

    def _build(self) -> None:
        self.lines = []
        if self.grid is None:
            return
        for group, rows in self.grid.groups(self.only_differences, self.with_partial):
            self.lines.append(_Line(group, None))
            self.lines.extend(_Line(group, row) for row in rows)

    # ------------------------------------------------------------ lookups

    def group_rows(self) -> list[int]:
        return [n for n, line in enumerate(self.lines) if line.row is None]

    def facet_rows(self) -> list[GridRow]:
        return [line.row for line in self.lines if line.row is not None]

    def row_of(self, key: str, scope: str | None = None) -> int | None:
        """The table row of a facet (None when it is not shown)."""
        for n, line in enumerate(self.lines):
            if line.row is not None and (line.row.key, line.row.scope) == (key, scope):
                return n
        return None

    def grid_row(self, row: int) -> GridRow | None:
        return self.lines[row].row if 0 <= row < len(self.lines) else None

    def registry_id(self, column: int) -> str | None:
        if self.grid is None or not 0 <= column < len(self.grid.trials):
            return None
        return self.grid.trials[column]

    # ------------------------------------------------------------ QAbstractTableModel

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.grid is None else len(self.grid.trials)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal:
            if self.grid is None or not 0 <= section < len(self.grid.trials):
                return None
            if role == Qt.ItemDataRole.DisplayRole:
                return self.grid.trials[section]
            if role == Qt.ItemDataRole.ToolTipRole:
                title = self.grid.titles[section]
                return f"{self.grid.trials[section]}\n{title}" if title else self.grid.trials[section]
            return None
        if not 0 <= section < len(self.lines):
            return None
        line = self.lines[section]
        row = line.row
        if role == Qt.ItemDataRole.DisplayRole:
            if row is None:
                return line.group
            return (DIFFERS_MARK if row.differs else "") + row.title
        if role == Qt.ItemDataRole.FontRole and row is None:
            return _bold()
        if role == Qt.ItemDataRole.BackgroundRole:
            if row is None:
                return theme.GROUP
            return theme.DIFFERS if row.differs else None
        if role == Qt.ItemDataRole.ToolTipRole and row is not None:
            stated = f"stated by {row.stated_by} of {len(row.cells)} trials"
            return row.title + ("\nThe trials state different values" if row.differs else "") + f"\n{stated}"
        return None

    def selectable(self, row: int) -> bool:
        return self.lines[row].row is not None  # a group's title row is not

    def cell(self, index: QModelIndex | QPersistentModelIndex, role: int):
        # Qt asks each cell for a dozen roles at every measure and paint (50 trials: thousands of
        # cells): the roles answered nowhere below are turned away first
        if role not in _ROLES or self.grid is None:
            return None
        if not 0 <= index.row() < len(self.lines) or not 0 <= index.column() < len(self.grid.trials):
            return None
        line = self.lines[index.row()]
        if line.row is None:
            if role == Qt.ItemDataRole.BackgroundRole:
                return theme.GROUP
            if role == ROW_KIND_ROLE:
                return "group"
            return None
        row = line.row
        cell = row.cells[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return cell.text
        if role == Qt.ItemDataRole.ToolTipRole:
            registry_id = self.grid.trials[index.column()] if self.grid else ""
            if not cell.stated:
                return f"{registry_id}: no criterion states {row.title}"
            deciding = "\n".join(f"• {text}" for text in cell.deciding)
            odd = "\n(not what most of these trials require)" if index.column() in row.outliers else ""
            return (
                f"{registry_id} · {row.title}: {cell.text}{odd}\n\n{deciding}\n\n"
                "Double-click to open the trial at it."
            )
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        if role == Qt.ItemDataRole.BackgroundRole:
            return theme.DIFFERS if row.differs else None
        if role == Qt.ItemDataRole.ForegroundRole and not cell.stated:
            return NOT_STATED_COLOR
        if role == Qt.ItemDataRole.FontRole:
            if not cell.stated:
                return _italic()
            return _bold() if index.column() in row.outliers else None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{row.title}: {cell.text if cell.stated else NOT_STATED}"
        if role == DIFFERS_ROLE:
            return row.differs
        if role == ITEMS_ROLE:
            return list(cell.items)
        if role == STATED_ROLE:
            return cell.stated
        if role == ROW_KIND_ROLE:
            return "facet"
        if role == KEY_ROLE:
            return (row.key, row.scope)
        return None
