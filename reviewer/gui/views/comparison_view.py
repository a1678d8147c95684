"""Trials side by side (or the arms of one trial): one QTableView, so the columns scroll together.

The comparison is computed off the GUI thread (reviewer.core.compare); ``sig_loaded`` fires when it
is shown. Above the table, the key differences: one line per facet on which the trials differ; a
click (or Enter) selects that facet's row. Rows whose trials differ are washed amber; section header
rows span every column; a facet row's cells start with their trial's value in bold; cells wrap and
rows are as tall as their text. A cell's context menu (or Ctrl+N) writes a note on the item behind it.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionHeader,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from ...core import items
from ...core.compare import NO_VALUE_READ, NOT_STATED
from ...core.items import ItemRef, Kind
from .. import tasks
from ..icons import icon
from ..models.comparison_model import (
    KEYS_ROLE,
    NOTES_ROLE,
    ROW_KIND_ROLE,
    SECTION_ROLE,
    VALUE_ROLE,
    ComparisonModel,
)
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


class CellDelegate(QStyledItemDelegate):
    """A facet row's cell: its trial's value in bold, then its items. Cells with notes get a bar in
    the colour of their first note's tag along their left edge."""

    BAR = 4
    GAP = 2  # between the value and the items

    @staticmethod
    def _bold(font: QFont) -> QFont:
        bold = QFont(font)
        bold.setBold(True)
        return bold

    def _value_height(self, option, value: str, width: int) -> int:
        metrics = QFontMetrics(self._bold(option.font))
        return metrics.boundingRect(
            QRect(0, 0, max(1, width), 100000), Qt.TextFlag.TextWordWrap, value
        ).height()

    def paint(self, painter, option, index) -> None:
        value = index.data(VALUE_ROLE)
        if value is None:
            super().paint(painter, option, index)
        else:
            self._paint_with_value(painter, option, index, value)
        notes = index.data(NOTES_ROLE)
        if notes:
            color = QColor(TAG_COLORS.get(notes[0]["tag"], TAG_COLORS[None]))
            rect = option.rect
            painter.fillRect(QRect(rect.left(), rect.top() + 1, self.BAR, rect.height() - 2), color)

    def _paint_with_value(self, painter, option, index, value: str) -> None:
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        text, item.text = item.text, ""
        widget = item.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, item, painter, widget)
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, item, widget).adjusted(2, 0, -2, 0)
        selected = bool(item.state & QStyle.StateFlag.State_Selected)
        foreground = index.data(Qt.ItemDataRole.ForegroundRole)
        color = item.palette.highlightedText().color() if selected else item.palette.text().color()
        flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
        painter.save()
        stated = value not in (NOT_STATED, NO_VALUE_READ)
        value_font = self._bold(item.font) if stated else QFont(item.font)
        value_font.setItalic(not stated)
        painter.setPen(color if stated or selected else QColor(128, 128, 128))
        painter.setFont(value_font)
        painter.drawText(rect, flags, value)
        painter.setPen(color)
        below = rect.adjusted(0, self._value_height(item, value, rect.width()) + self.GAP, 0, 0)
        if text:
            if isinstance(foreground, QColor) and not selected:
                painter.setPen(foreground)
            painter.setFont(item.font)
            painter.drawText(below, flags, text)
        painter.restore()

    def sizeHint(self, option, index) -> QSize:  # noqa: N802 (Qt override)
        size = super().sizeHint(option, index)
        value = index.data(VALUE_ROLE)
        if value is None:
            return size
        width = option.rect.width() - 12 if option.rect.width() > 12 else MIN_COLUMN_WIDTH
        extra = self._value_height(option, value, width) + self.GAP
        if not index.data(Qt.ItemDataRole.DisplayRole):
            extra -= QFontMetrics(option.font).height()  # the empty text's line
        return QSize(size.width(), size.height() + max(0, extra))


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
        self.legend = QLabel("≠ (amber): the trials differ · bold: what a trial requires", self)
        self.only_differences = QCheckBox("Only differences", self)
        self.only_differences.toggled.connect(self._only_differences)
        top = QHBoxLayout()
        top.setContentsMargins(8, 6, 8, 2)
        top.addWidget(self.heading, 1)
        top.addWidget(self.legend)
        top.addSpacing(16)
        top.addWidget(self.only_differences)

        self.key_title = QLabel(self)
        self.key_title.setObjectName("keyDifferencesTitle")
        self.key_differences = QListWidget(self)
        self.key_differences.setObjectName("keyDifferences")
        self.key_differences.setAccessibleName("Key differences")
        self.key_differences.setToolTip("Click a difference to go to its row")
        self.key_differences.setFrameShape(QListWidget.Shape.NoFrame)
        self.key_differences.setUniformItemSizes(True)
        self.key_differences.itemActivated.connect(self._jump_to_difference)
        self.key_differences.itemClicked.connect(self._jump_to_difference)
        self.key_title.hide()
        self.key_differences.hide()
        summary = QVBoxLayout()
        summary.setContentsMargins(8, 2, 8, 4)
        summary.setSpacing(2)
        summary.addWidget(self.key_title)
        summary.addWidget(self.key_differences)

        self.table = cell_table(
            self,
            self.model,
            "comparisonTable",
            "Comparison of " + ", ".join(self.registry_ids),
            ConceptHeader(),
        )
        self.table.setItemDelegate(CellDelegate(self.table))
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
        layout.addLayout(summary)
        layout.addWidget(self.table, 1)
        self.heading.setText("Comparing…")
        self.task = tasks.start(
            load_comparison,
            library,
            self.registry_ids,
            arms,
            on_finished=self._loaded,
            on_failed=self._failed,
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
        self._show_key_differences(comparison)
        self._apply_spans()
        self._fit_columns()
        self.fit_rows()
        self.loaded = True
        self.sig_loaded.emit()

    KEY_LINES_SHOWN = 6  # the summary scrolls beyond this many lines

    def _show_key_differences(self, comparison) -> None:
        self.key_differences.clear()
        found = list(getattr(comparison, "key_differences", []))
        for difference in found:
            item = QListWidgetItem(f"≠  {difference.text}")
            if difference.conflict:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            item.setData(Qt.ItemDataRole.UserRole, (difference.facet, difference.section))
            item.setToolTip(
                "\n".join(
                    f"{trial}: {value}"
                    for trial, value in zip(self.model.columns, difference.values, strict=False)
                )
            )
            self.key_differences.addItem(item)
        if self.arms:
            return
        count = len(found)
        conflicts = sum(1 for d in found if d.conflict)
        self.key_title.setText(
            f"<b>Key differences</b>: {conflicts} facet(s) with different values, "
            f"{count - conflicts} stated by some trials only"
            if count
            else "<b>Key differences</b>: the trials require the same on every facet read from their criteria"
        )
        self.key_title.show()
        self.key_differences.setVisible(bool(count))
        line = self.key_differences.sizeHintForRow(0) if count else 0
        frame = 2 * self.key_differences.frameWidth()
        self.key_differences.setFixedHeight(min(count, self.KEY_LINES_SHOWN) * line + frame)

    def _jump_to_difference(self, item: QListWidgetItem) -> None:
        facet, section = item.data(Qt.ItemDataRole.UserRole)
        row = self.model.row_of_facet(facet, section)
        if row is None:
            return
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtTop)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

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
        refs = (
            []
            if self.model.data(index, ROW_KIND_ROLE) == "section"
            else self.model.data(index, KEYS_ROLE) or []
        )
        if not refs or refs[0].kind is Kind.DESIGN_FIELD:  # a design row's note is on the Design section
            anchor = items.section(PAGE_SECTION.get(section, section))
        else:
            line = self.model.line(index.row())
            text = line.row.cells[column][0] if line is not None and line.row is not None else None
            anchor = items.anchor_of(refs[0].kind.value, refs[0].path, text)  # the first item's own text
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
