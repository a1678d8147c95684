"""A comparison as a table: one column per trial (or per arm), one row per aligned row of
reviewer.core.compare, with a header row per section (design, arms, inclusion, exclusion, outcomes).

Rows whose trials differ carry DIFFERS_ROLE True and a background wash (theme.DIFFERS) that reads on
light and dark palettes. The concept (or the facet) names the row in the vertical header. On a facet
row each cell starts with what its trial requires (VALUE_ROLE: "ECOG 0-2", "not stated"; the view
draws it in bold above the items). Cells with notes carry them in NOTES_ROLE (the view draws a
tag-coloured bar) and list them in their tooltip.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from ...core.compare import NOT_IN_SOURCE
from ...core.items import ItemRef
from .. import theme
from .read_only_table import ReadOnlyTableModel

SECTION_TITLES = {
    "design": "Design",
    "arms": "Arms & interventions",
    "inclusion": "Inclusion criteria",
    "exclusion": "Exclusion criteria",
    "outcomes": "Outcomes",
}
EMPTY_CELL = "—"
UNMATCHED = "(no shared concept)"
DIFFERS_MARK = "≠ "  # also said in words, not only in colour
NO_HEADING = "No heading · "  # an item found under no inclusion or exclusion heading (aligned as inclusion)
NO_HEADING_TITLE = "Inclusion criteria, and criteria under no heading"

DIFFERS_ROLE = Qt.ItemDataRole.UserRole + 1
KEYS_ROLE = Qt.ItemDataRole.UserRole + 2  # the items.ItemRef of a cell's items
ROW_KIND_ROLE = Qt.ItemDataRole.UserRole + 3  # "section" or "row"
SECTION_ROLE = Qt.ItemDataRole.UserRole + 4
CONCEPT_ROLE = Qt.ItemDataRole.UserRole + 5
NOTES_ROLE = Qt.ItemDataRole.UserRole + 6  # the notes on a cell's items (the view draws a tag-coloured bar)
VALUE_ROLE = Qt.ItemDataRole.UserRole + 7  # a facet row's value for the cell's trial, else None
FACET_ROLE = Qt.ItemDataRole.UserRole + 8  # the row's facet key ("performance:ECOG"), else None


@dataclass
class _Line:
    section: str
    row: Any | None  # compare.Row, or None for the section's header row


class ComparisonModel(ReadOnlyTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.comparison = None
        self.columns: list[str] = []
        self.lines: list[_Line] = []
        self.only_differences = False
        self.notes: dict[tuple[int, ItemRef], list[dict]] = {}  # (column, item) -> notes

    def set_comparison(self, comparison) -> None:
        self.beginResetModel()
        self.comparison = comparison
        self.columns = list(comparison.trials) if comparison is not None else []
        self._build()
        self.endResetModel()

    def set_only_differences(self, only: bool) -> None:
        self.beginResetModel()
        self.only_differences = only
        self._build()
        self.endResetModel()

    def set_notes(self, notes_by_cell: dict[tuple[int, ItemRef], list[dict]]) -> None:
        self.notes = notes_by_cell
        if self.rowCount() and self.columnCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))

    def _build(self) -> None:
        self.lines = []
        if self.comparison is None:
            return
        for section, rows in self.comparison.sections.items():
            shown = [r for r in rows if r.differs or not self.only_differences]
            if not shown:
                continue
            self.lines.append(_Line(section, None))
            self.lines.extend(_Line(section, r) for r in shown)

    # ------------------------------------------------------------ lookups

    def section_rows(self) -> list[int]:
        return [n for n, line in enumerate(self.lines) if line.row is None]

    def line(self, row: int) -> _Line | None:
        return self.lines[row] if 0 <= row < len(self.lines) else None

    def find(self, concept_part: str, section: str | None = None) -> list[int]:
        """Rows whose concept or cells contain the text (case-insensitive)."""
        needle = concept_part.casefold()
        found = []
        for n, line in enumerate(self.lines):
            if line.row is None or (section and line.section != section):
                continue
            texts = [line.row.concept or ""] + [" ".join(cell) for cell in line.row.cells]
            if any(needle in t.casefold() for t in texts):
                found.append(n)
        return found

    def _has_unsectioned(self) -> bool:
        rows = self.comparison.sections.get("inclusion", []) if self.comparison is not None else []
        return any(ref.group == "other" for row in rows for refs in row.keys for ref in refs)

    def row_of_facet(self, facet: str, section: str | None = None) -> int | None:
        """The first shown row of a facet (in ``section`` if it has one there)."""
        rows = [n for n, line in enumerate(self.lines) if line.row is not None and line.row.facet == facet]
        in_section = [n for n in rows if self.lines[n].section == section]
        return (in_section or rows or [None])[0]

    def cell_of(self, column: int, ref: ItemRef) -> int | None:
        """The row whose cell in ``column`` holds the item."""
        for n, line in enumerate(self.lines):
            if line.row is not None and column < len(line.row.keys) and ref in line.row.keys[column]:
                return n
        return None

    def _cell_notes(self, row: int, column: int) -> list[dict]:
        line = self.lines[row]
        if line.row is None or column >= len(line.row.keys):
            return []
        found = []
        for ref in line.row.keys[column]:
            found += self.notes.get((column, ref), [])
        return found

    # ------------------------------------------------------------ QAbstractTableModel

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(self.columns) and role in (
                Qt.ItemDataRole.DisplayRole,
                Qt.ItemDataRole.ToolTipRole,
            ):
                return self.columns[section]
            return None
        line = self.line(section)
        if line is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if line.row is None:
                return ""  # the section's title is in its spanning header cell
            return (DIFFERS_MARK if line.row.differs else "") + (line.row.concept or UNMATCHED)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        if role == Qt.ItemDataRole.ToolTipRole and line.row is not None:
            tip = (line.row.concept or "") + ("\n(the trials differ here)" if line.row.differs else "")
            if line.row.facet is not None:
                tip += "\n" + "\n".join(
                    f"{c}: {v}" for c, v in zip(self.columns, line.row.values, strict=False)
                )
            return tip
        if role == Qt.ItemDataRole.FontRole and line.row is None:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.BackgroundRole and line.row is not None and line.row.differs:
            return theme.DIFFERS
        return None

    def selectable(self, row: int) -> bool:
        return self.lines[row].row is not None  # a section's header row is not

    def cell(self, index: QModelIndex | QPersistentModelIndex, role: int) -> Any:
        line = self.line(index.row())
        if line is None or not 0 <= index.column() < len(self.columns):
            return None
        column = index.column()
        if line.row is None:  # a section's header row
            if role == Qt.ItemDataRole.DisplayRole:
                if column:
                    return ""
                if line.section == "inclusion" and self._has_unsectioned():
                    return NO_HEADING_TITLE
                return SECTION_TITLES.get(line.section, line.section.capitalize())
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.BackgroundRole:
                return theme.GROUP
            if role == ROW_KIND_ROLE:
                return "section"
            if role == SECTION_ROLE:
                return line.section
            return None
        row = line.row
        cell = row.cells[column] if column < len(row.cells) else []
        value = row.values[column] if column < len(row.values) else None
        if role == Qt.ItemDataRole.DisplayRole:
            if cell == [NOT_IN_SOURCE]:
                return "Not in source"
            refs = row.keys[column] if column < len(row.keys) else []
            texts = [
                (NO_HEADING if ref.group == "other" else "") + text
                for text, ref in zip(cell, refs, strict=False)
            ]
            if len(texts) > 1:
                return "\n".join(f"• {text}" for text in texts)
            return texts[0] if texts else ("" if value is not None else EMPTY_CELL)
        if role == VALUE_ROLE:
            return value
        if role == FACET_ROLE:
            return row.facet
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = "\n".join(cell) if cell else "Not in this section of this trial"
            if value is not None:
                tip = f"Requires: {value}\n\n{tip}"
            notes = self._cell_notes(index.row(), column)
            if notes:
                tip += "\n\nNotes:\n" + "\n".join(f"• [{n['tag'] or 'note'}] {n['body']}" for n in notes)
            return tip
        if role == Qt.ItemDataRole.BackgroundRole and row.differs:
            return theme.DIFFERS
        if role == NOTES_ROLE:
            return self._cell_notes(index.row(), column)
        missing = (not cell and value is None) or cell == [NOT_IN_SOURCE]
        if role == Qt.ItemDataRole.ForegroundRole and missing:
            return QColor(128, 128, 128)
        if role == Qt.ItemDataRole.FontRole and missing:
            font = QFont()
            font.setItalic(True)
            return font
        if role == DIFFERS_ROLE:
            return bool(row.differs)
        if role == KEYS_ROLE:
            return list(row.keys[column]) if column < len(row.keys) else []
        if role == ROW_KIND_ROLE:
            return "row"
        if role == SECTION_ROLE:
            return line.section
        if role == CONCEPT_ROLE:
            return row.concept
        return None
