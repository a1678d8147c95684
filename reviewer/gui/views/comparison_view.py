"""Trials side by side (or the arms of one trial): one QTableView, so the columns scroll together.

The comparison is computed off the GUI thread (reviewer.core.compare); ``sig_loaded`` fires when it
is shown. Rows whose trials differ are washed amber; section header rows span every column; cells
wrap and rows are as tall as their text. A cell's context menu (or Ctrl+N) writes a note on the
item behind it.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionHeader,
    QVBoxLayout,
    QWidget,
)

from ...core import items
from ...core.items import ItemRef, Kind
from .. import tasks
from ..icons import icon
from ..models.comparison_model import KEYS_ROLE, NOTES_ROLE, ROW_KIND_ROLE, SECTION_ROLE, ComparisonModel
from ..models.notes_model import TAG_COLORS
from .cell_table import cell_table
from .trial_view import NoteRequest

MIN_COLUMN_WIDTH = 240
# the trial page's section of each comparison section (notes on a whole section)
PAGE_SECTION = {
    "design": "design",
    "arms": "arms",
    "inclusion": "eligibility",
    "exclusion": "eligibility",
    "outcomes": "outcomes",
}


class ConceptHeader(QHeaderView):
    """The vertical header: each row's concept, word-wrapped in a fixed width (QHeaderView only elides)."""

    WIDTH = 220
    PAD = 6

    def __init__(self, parent=None):
        super().__init__(Qt.Orientation.Vertical, parent)
        self.setFixedWidth(self.WIDTH)

    def _text(self, section: int) -> str:
        model = self.model()
        return str(model.headerData(section, Qt.Orientation.Vertical) or "") if model else ""

    def sectionSizeFromContents(self, section: int) -> QSize:  # noqa: N802 (Qt override)
        bounds = QRect(0, 0, self.WIDTH - 2 * self.PAD, 100000)
        height = (
            self.fontMetrics().boundingRect(bounds, Qt.TextFlag.TextWordWrap, self._text(section)).height()
        )
        return QSize(self.WIDTH, height + 2 * self.PAD)

    def paintSection(self, painter, rect: QRect, section: int) -> None:  # noqa: N802 (Qt override)
        if not rect.isValid():
            return
        option = QStyleOptionHeader()
        self.initStyleOption(option)
        option.rect = rect
        option.section = section
        option.text = ""
        painter.save()
        self.style().drawControl(QStyle.ControlElement.CE_HeaderSection, option, painter, self)
        model = self.model()
        background = model.headerData(section, Qt.Orientation.Vertical, Qt.ItemDataRole.BackgroundRole)
        if isinstance(background, QColor | QBrush):
            painter.fillRect(rect, background)
        font = model.headerData(section, Qt.Orientation.Vertical, Qt.ItemDataRole.FontRole)
        if isinstance(font, QFont):
            painter.setFont(font)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(
            rect.adjusted(self.PAD, self.PAD // 2, -self.PAD, -self.PAD // 2),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap,
            self._text(section),
        )
        painter.restore()


class NoteMarkDelegate(QStyledItemDelegate):
    """Cells with notes get a bar in the colour of their first note's tag along their left edge."""

    BAR = 4

    def paint(self, painter, option, index) -> None:
        super().paint(painter, option, index)
        notes = index.data(NOTES_ROLE)
        if notes:
            color = QColor(TAG_COLORS.get(notes[0]["tag"], TAG_COLORS[None]))
            rect = option.rect
            painter.fillRect(QRect(rect.left(), rect.top() + 1, self.BAR, rect.height() - 2), color)


def load_comparison(task, library, registry_ids: list[str], arms: bool):
    """(comparison, {trial id: registry id}, notes) for the trials; runs on a pool thread."""
    if task.is_cancelled():
        return None
    comparison, trial_ids = library.compare(registry_ids, arms)
    return comparison, trial_ids, library.notes_of(list(trial_ids))


class ComparisonView(QWidget):
    sig_loaded = Signal()
    sig_failed = Signal(str)
    sig_note_requested = Signal(object)  # NoteRequest

    def __init__(self, library, registry_ids: list[str], arms: bool = False, parent=None):
        super().__init__(parent)
        self.library = library
        self.registry_ids = list(registry_ids)
        self.arms = arms
        self.trial_ids: dict[int, str] = {}
        self.loaded = False
        self.model = ComparisonModel(self)

        self.heading = QLabel(self)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setWordWrap(True)
        self.legend = QLabel("Rows marked ≠ (amber) differ between the columns.", self)
        self.only_differences = QCheckBox("Only differences", self)
        self.only_differences.toggled.connect(self._only_differences)
        top = QHBoxLayout()
        top.setContentsMargins(8, 6, 8, 2)
        top.addWidget(self.heading, 1)
        top.addWidget(self.legend)
        top.addWidget(self.only_differences)

        self.table = cell_table(
            self,
            self.model,
            "comparisonTable",
            "Comparison of " + ", ".join(self.registry_ids),
            ConceptHeader(),
        )
        self.table.setItemDelegate(NoteMarkDelegate(self.table))
        horizontal = self.table.horizontalHeader()
        horizontal.sectionResized.connect(lambda *_: self._fit_rows_later())
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(0)
        self._fit_timer.timeout.connect(self.fit_rows)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(top)
        layout.addWidget(self.table)
        self.heading.setText("Comparing…")
        self.task = tasks.start(
            load_comparison, library, self.registry_ids, arms, on_finished=self._loaded, on_failed=self._failed
        )

    def focus_content(self) -> None:
        """Give the keyboard focus to the comparison table, on its first cell if none is current."""
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if not self.table.currentIndex().isValid() and self.model.rowCount() and self.model.columnCount():
            self.table.setCurrentIndex(self.model.index(0, 0))

    @property
    def title(self) -> str:
        if self.arms:
            return f"Arms · {self.registry_ids[0]}"
        if len(self.registry_ids) <= 2:
            return " ⇄ ".join(self.registry_ids)
        return f"{self.registry_ids[0]} ⇄ {len(self.registry_ids) - 1} more"

    # ------------------------------------------------------------ loading

    def _loaded(self, result) -> None:
        if result is None:
            return
        comparison, trial_ids, found = result
        self.trial_ids = trial_ids
        self.model.set_comparison(comparison)
        self._set_notes(found)
        if self.arms:
            self.heading.setText(f"The arms of {self.registry_ids[0]} side by side")
        else:
            self.heading.setText(
                f"{len(self.registry_ids)} trials side by side: " + ", ".join(self.registry_ids)
            )
        self._apply_spans()
        self._fit_columns()
        self.fit_rows()
        self.loaded = True
        self.sig_loaded.emit()

    def _failed(self, message: str, _details: str) -> None:
        self.heading.setText(f"The comparison could not be made: {message}")
        self.sig_failed.emit(message)

    def _columns_of_trial(self, trial_id: int) -> list[int]:
        if self.arms:
            return list(range(self.model.columnCount())) if trial_id in self.trial_ids else []
        registry_id = self.trial_ids.get(trial_id)
        return [n for n, rid in enumerate(self.registry_ids) if rid == registry_id]

    def _trial_of_column(self, column: int) -> tuple[int, str] | None:
        registry_id = (
            self.registry_ids[0]
            if self.arms
            else (self.registry_ids[column] if column < len(self.registry_ids) else None)
        )
        for trial_id, rid in self.trial_ids.items():
            if rid == registry_id:
                return trial_id, rid
        return None

    def _set_notes(self, found: list[dict]) -> None:
        by_cell: dict[tuple[int, ItemRef], list[dict]] = {}
        for note in found:
            if note["orphaned"]:
                continue
            ref = ItemRef.stored(note["item_kind"], note["item_key"])
            for column in self._columns_of_trial(note["trial_id"]):
                by_cell.setdefault((column, ref), []).append(note)
        self.model.set_notes(by_cell)

    def refresh_notes(self) -> None:
        if not self.trial_ids:
            return
        self._set_notes(self.library.notes_of(list(self.trial_ids)))

    def _only_differences(self, only: bool) -> None:
        self.model.set_only_differences(only)
        self._apply_spans()
        self.fit_rows()

    def _apply_spans(self) -> None:
        self.table.clearSpans()
        columns = self.model.columnCount()
        if columns > 1:
            for row in self.model.section_rows():
                self.table.setSpan(row, 0, 1, columns)

    # ------------------------------------------------------------ layout

    def _fit_columns(self) -> None:
        columns = self.model.columnCount()
        if not columns:
            return
        available = self.table.viewport().width() or (self.width() - self.table.verticalHeader().width())
        width = max(MIN_COLUMN_WIDTH, available // columns)
        header = self.table.horizontalHeader()
        header.blockSignals(True)
        for column in range(columns):
            header.resizeSection(column, width)
        header.blockSignals(False)

    def _fit_rows_later(self) -> None:
        self._fit_timer.start()

    def fit_rows(self) -> None:
        """Every row as tall as its wrapped text."""
        self.table.resizeRowsToContents()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        if self.loaded:
            self._fit_columns()
            self._fit_rows_later()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        if self.loaded:
            self._fit_columns()
            self._fit_rows_later()

    # ------------------------------------------------------------ notes

    def anchor_at(self, row: int, column: int) -> NoteRequest | None:
        """The note request for a cell (a whole section for a section header row)."""
        index = self.model.index(row, column)
        if not index.isValid():
            return None
        trial = self._trial_of_column(column)
        if trial is None:
            return None
        trial_id, registry_id = trial
        section = self.model.data(index, SECTION_ROLE)
        refs = [] if self.model.data(index, ROW_KIND_ROLE) == "section" else self.model.data(index, KEYS_ROLE) or []
        if not refs or refs[0].kind is Kind.DESIGN_FIELD:  # a design row's note is on the Design section
            anchor = items.section(PAGE_SECTION.get(section, section))
        else:
            text = self.model.data(index, Qt.ItemDataRole.DisplayRole)
            anchor = items.anchor_of(refs[0].kind.value, refs[0].path, text)
        return NoteRequest(trial_id, registry_id, anchor, anchor.label)

    def request_note_here(self) -> None:
        index = self.table.currentIndex()
        if not index.isValid():
            index = self.model.index(0, 0)
        request = self.anchor_at(index.row(), index.column())
        if request is not None:
            self.sig_note_requested.emit(request)

    def _context_menu(self, pos) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid():
            return
        request = self.anchor_at(index.row(), index.column())
        if request is None:
            return
        menu = QMenu(self)
        action = menu.addAction(icon("note-add"), f"Add a note on {request.registry_id} · {request.label}")
        action.triggered.connect(lambda: self.sig_note_requested.emit(request))
        self._menu = menu
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def show_note(self, note: dict) -> bool:
        """Select the cell a note is on; False if the comparison does not show its item."""
        for column in self._columns_of_trial(note["trial_id"]):
            row = self.model.cell_of(column, ItemRef.stored(note["item_kind"], note["item_key"]))
            if row is not None:
                index = self.model.index(row, column)
                self.table.selectionModel().setCurrentIndex(
                    index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                )
                self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
                return True
        return False
