"""The eligibility grid's window: what 2 to 50 trials require, facet by facet (reviewer.core.grid).

One QTableView over a GridModel: the facets are its vertical header, so they stay in place while the
trials scroll sideways. "Only differences" hides the facets on which every trial that states one
states the same value ("…or not stated by some" keeps those some trials leave out). A cell's tooltip
quotes the criteria that decide it; a double-click (or Enter) opens the trial at that criterion
(``sig_open_item``); Ctrl+C copies a cell with its criteria. CSV and PDF export buttons; the window remembers its size and place.

The grid is built off the GUI thread; ``sig_loaded`` fires when it is shown, ``sig_exported(path)``
when a file is written.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import shiboken6
from PySide6.QtCore import QByteArray, QModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ... import paths
from ...core.grid import grid_csv
from ...core.library import StoreError
from ...core.output_file import write_output
from .. import tasks
from ..icons import icon
from ..models.grid_model import ITEMS_ROLE, GridModel
from .cell_table import cell_table
from .comparison_view import ConceptHeader

log = logging.getLogger(__name__)

COLUMN_WIDTH = 150
GEOMETRY_KEY = "grid_geometry"


class FacetHeader(ConceptHeader):
    """The facet column: each facet's title word-wrapped, frozen beside the scrolling trials; a
    group's title, in bold, is measured in bold (it wraps sooner)."""

    WIDTH = 250

    def sectionSizeFromContents(self, section: int) -> QSize:  # noqa: N802 (Qt override)
        size = super().sectionSizeFromContents(section)
        model = self.model()
        font = model.headerData(section, Qt.Orientation.Vertical, Qt.ItemDataRole.FontRole) if model else None
        if not isinstance(font, QFont):
            return size
        bounds = QRect(0, 0, self.WIDTH - 2 * self.PAD, 100000)
        height = (
            QFontMetrics(font).boundingRect(bounds, Qt.TextFlag.TextWordWrap, self._text(section)).height()
        )
        return QSize(self.WIDTH, max(size.height(), height + 2 * self.PAD))


def load_grid(task, library, registry_ids: list[str]):
    """The grid of the trials; runs on a pool thread."""
    if task.is_cancelled():
        return None
    return library.grid(registry_ids)


def render_grid_pdf(task, library, registry_ids: list[str], options) -> bytes | None:
    """The grid's PDF (reports/grid.html.j2); runs on a pool thread."""
    if task.is_cancelled():
        return None
    return library.make_report("grid", registry_ids, options)


def default_file_name(registry_ids: list[str], suffix: str) -> str:
    named = "-".join(registry_ids[:3]) + (
        f"-and-{len(registry_ids) - 3}-more" if len(registry_ids) > 3 else ""
    )
    return re.sub(r"[^\w.-]+", "_", f"eligibility-grid-{named}") + suffix


class GridWindow(QWidget):
    sig_loaded = Signal()
    sig_failed = Signal(str)
    sig_open_item = Signal(str, str, str)  # registry id, item kind, item key
    sig_exported = Signal(object)  # the Path written

    def __init__(self, library, settings, registry_ids: list[str], parent=None, data_dir: Path | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.library = library
        self.settings = settings
        self.data_dir = data_dir
        self.registry_ids = list(dict.fromkeys(registry_ids))
        self.grid = None
        self.loaded = False
        self._pdf_task: tasks.Task | None = None
        self.setObjectName("gridWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(f"Eligibility grid · {len(self.registry_ids)} trials")
        self.setWindowIcon(icon("grid"))
        self.model = GridModel(self)

        self.heading = QLabel("Building the grid…", self)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setWordWrap(True)
        self.only_differences = QCheckBox("&Only differences", self)
        self.only_differences.setToolTip("Hide the facets on which the trials that state them agree")
        self.with_partial = QCheckBox("…or &not stated by some", self)
        self.with_partial.setToolTip("Keep the facets that some trials do not state")
        self.with_partial.setEnabled(False)
        self.only_differences.toggled.connect(self._filter_changed)
        self.with_partial.toggled.connect(self._filter_changed)
        self.csv_button = QPushButton("Export &CSV…", self)
        self.csv_button.setToolTip("Save the grid as a spreadsheet (CSV, UTF-8)")
        self.csv_button.clicked.connect(lambda: self.export_csv())
        self.pdf_button = QPushButton(icon("report"), "Export &PDF…", self)
        self.pdf_button.setToolTip("Save the grid as a landscape PDF, eight trials a page")
        self.pdf_button.clicked.connect(lambda: self.export_pdf())
        for button in (self.csv_button, self.pdf_button):
            button.setEnabled(False)
        top = QHBoxLayout()
        top.setContentsMargins(8, 6, 8, 4)
        top.addWidget(self.heading, 1)
        top.addWidget(self.only_differences)
        top.addWidget(self.with_partial)
        top.addSpacing(12)
        top.addWidget(self.csv_button)
        top.addWidget(self.pdf_button)

        self.table = cell_table(
            self,
            self.model,
            "gridTable",
            "Eligibility grid of " + ", ".join(self.registry_ids),
            FacetHeader(),
        )
        self.table.horizontalHeader().setDefaultSectionSize(COLUMN_WIDTH)
        # rows as tall as their wrapped text, measured again by Qt when a column's width changes
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.doubleClicked.connect(self.open_cell)
        self.table.activated.connect(self.open_cell)  # Enter on a cell

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(top)
        layout.addWidget(self.table)
        QShortcut(QKeySequence.StandardKey.Copy, self.table, activated=self.copy_cell)
        QShortcut(QKeySequence.StandardKey.Close, self, activated=self.close)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self.close)

        self.resize(1200, 760)
        geometry = settings.state(GEOMETRY_KEY) if settings is not None else None
        if geometry:
            self.restoreGeometry(QByteArray(geometry))
        self.task: tasks.Task | None = None
        self.reload()

    # ------------------------------------------------------------ loading

    def reload(self) -> None:
        """Build the grid (again: an import changed a trial), off the GUI thread."""
        if self.task is not None:
            self.task.cancel()
        self.task = tasks.start(
            load_grid, self.library, self.registry_ids, on_finished=self._loaded, on_failed=self._failed
        )

    def _loaded(self, grid) -> None:
        if grid is None or not shiboken6.isValid(self):  # closed while the grid was being built
            return
        self.grid = grid
        self.model.set_grid(grid)
        self.heading.setText(
            f"{len(grid.trials)} trials, {len(grid.rows)} facets; the trials state different values on "
            f"{grid.differing} (≠, amber). Hover a cell for its criteria; double-click to open the trial there."
        )
        self._fit_columns()
        for button in (self.csv_button, self.pdf_button):
            button.setEnabled(True)
        self.loaded = True
        self.sig_loaded.emit()

    def _failed(self, message: str, _details: str) -> None:
        if not shiboken6.isValid(self):
            return
        self.heading.setText(f"The grid could not be made: {message.removeprefix('ValueError: ')}")
        self.sig_failed.emit(message)

    def _filter_changed(self, *_args) -> None:
        self.with_partial.setEnabled(self.only_differences.isChecked())
        self.model.set_filter(self.only_differences.isChecked(), self.with_partial.isChecked())

    def _fit_columns(self) -> None:
        """The trials share the window's width while each gets COLUMN_WIDTH; past that they keep it
        (resizable) and scroll sideways."""
        columns = self.model.columnCount()
        header = self.table.horizontalHeader()
        fits = columns * COLUMN_WIDTH <= self.table.viewport().width()
        mode = QHeaderView.ResizeMode.Stretch if fits else QHeaderView.ResizeMode.Interactive
        if not columns or header.sectionResizeMode(0) == mode:
            return
        header.setSectionResizeMode(mode)
        if not fits:  # from the stretched widths back to the readable one
            for column in range(columns):
                header.resizeSection(column, COLUMN_WIDTH)

    def focus_content(self) -> None:
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
        rows = self.model.facet_rows()
        if not self.table.currentIndex().isValid() and rows and self.model.columnCount():
            row = self.model.row_of(rows[0].key, rows[0].scope)
            self.table.setCurrentIndex(self.model.index(row or 0, 0))

    # ------------------------------------------------------------ opening a trial at a criterion

    def open_cell(self, index: QModelIndex) -> bool:
        """Ask for the trial of the cell's column, at the first item that decides the cell (the trial
        at its top when no criterion states the facet)."""
        registry_id = self.model.registry_id(index.column())
        if not index.isValid() or registry_id is None or self.model.grid_row(index.row()) is None:
            return False
        refs = self.model.data(index, ITEMS_ROLE) or []
        kind, key = (refs[0].kind.value, refs[0].path) if refs else ("trial", "")
        self.sig_open_item.emit(registry_id, kind, key)
        return True

    def copy_cell(self) -> str:
        """Ctrl+C: the current cell to the clipboard, with its trial, facet and deciding criteria."""
        index = self.table.currentIndex()
        row = self.model.grid_row(index.row()) if index.isValid() else None
        if row is None:
            return ""
        cell = row.cells[index.column()]
        text = "\n".join(
            [f"{self.model.registry_id(index.column())} · {row.title}: {cell.text}", *cell.deciding]
        )
        QGuiApplication.clipboard().setText(text)
        return text

    # ------------------------------------------------------------ export

    def _save_path(self, title: str, suffix: str, filter_text: str) -> Path | None:
        folder = self.settings.report_choices().get("folder") if self.settings is not None else None
        start = Path(folder or Path.home()) / default_file_name(list(self.registry_ids), suffix)
        chosen, _ = QFileDialog.getSaveFileName(self, title, str(start), filter_text)
        if not chosen:
            return None
        path = Path(chosen)
        return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)

    def _write(self, path: Path, data: bytes) -> bool:
        try:
            write_output(path, data)
        except StoreError as error:  # one sentence naming the file and why (a full disk, no rights)
            log.warning("grid export to %s failed: %s", path, error)
            QMessageBox.warning(self, "Not saved", str(error))
            return False
        if self.settings is not None:
            self.settings.set_report_choices({**self.settings.report_choices(), "folder": str(path.parent)})
        self.heading.setText(f"Saved to {path}")
        self.sig_exported.emit(path)
        return True

    def export_csv(self, path: Path | str | None = None) -> Path | None:
        """Write the grid as CSV (asking where, without ``path``)."""
        if self.grid is None:
            return None
        target = (
            Path(path)
            if path is not None
            else self._save_path("Export the grid as CSV", ".csv", "CSV files (*.csv)")
        )
        if target is None:
            return None
        return target if self._write(target, grid_csv(self.grid)) else None

    def export_pdf(self, path: Path | str | None = None) -> None:
        """Render the grid's PDF in the background and write it (asking where, without ``path``);
        ``sig_exported`` says when it is written."""
        if self.grid is None or self._pdf_task is not None:
            return
        target = (
            Path(path)
            if path is not None
            else self._save_path("Export the grid as PDF", ".pdf", "PDF files (*.pdf)")
        )
        if target is None:
            return
        from ...core.reports import ReportOptions  # WeasyPrint's side loads only when a PDF is wanted

        options = ReportOptions(
            reviewer=self.settings.author() if self.settings is not None else "",
            include_notes=False,
            templates_dir=paths.templates_dir(self.data_dir) if self.data_dir is not None else None,
        )
        self.pdf_button.setEnabled(False)
        self.heading.setText("Laying out the PDF…")

        def done(data: bytes | None) -> None:
            if not shiboken6.isValid(self):
                return
            self._pdf_task = None
            self.pdf_button.setEnabled(True)
            if data is not None:
                self._write(target, data)

        def failed(message: str, _details: str) -> None:
            if not shiboken6.isValid(self):
                return
            self._pdf_task = None
            self.pdf_button.setEnabled(True)
            self.heading.setText(f"The PDF could not be made: {message.removeprefix('ReportError: ')}")

        self._pdf_task = tasks.start(
            render_grid_pdf, self.library, list(self.grid.trials), options, on_finished=done, on_failed=failed
        )

    # ------------------------------------------------------------ window

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        if self.loaded:
            self._fit_columns()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        if self.loaded:
            self._fit_columns()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self.settings is not None:
            self.settings.set_state(GEOMETRY_KEY, self.saveGeometry())
            self.settings.sync()
        if self.task is not None:
            self.task.cancel()
        if self._pdf_task is not None:
            self._pdf_task.cancel()
        super().closeEvent(event)
