"""The library panel: search as you type, filters (status, phase, study type, results, condition and
sponsor text, eligibility facets) and the trial table.

Typing is debounced (SEARCH_DELAY_MS; the condition and sponsor fields TEXT_FILTER_DELAY_MS) and the
query runs off the GUI thread in the model. The filters are not remembered between sessions (the
table's column widths and order are, by the main window). Double
click or Enter opens a trial (``sig_open``); the selection (2 to 6 trials) can be compared.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core import vocab
from ..icons import icon
from ..models.library_model import COLUMNS, REGISTRY_ID_ROLE, LibraryModel
from .facet_filter_edit import FacetFilterEdit
from .row_table import row_table

SEARCH_DELAY_MS = 150
TEXT_FILTER_DELAY_MS = 250
# the text filters (TrialFilter attribute, label, placeholder): each matches part of the field,
# ignoring case; a location filter would be one more of these, in the same row
TEXT_FILTERS = (
    ("condition", "Condition", "e.g. lung cancer"),
    ("sponsor", "Sponsor", "e.g. Pfizer"),
)
FILTERS = (
    ("statuses", "Status", "status"),
    ("phases", "Phase", "phase"),
    ("study_types", "Study type", "study_type"),
    ("results", "Results", "results"),
)


class FilterButton(QToolButton):
    """A drop-down of checkable codes; ``sig_changed`` when the checked set changes."""

    sig_changed = Signal()

    def __init__(self, title: str, codes: tuple[str, ...], parent=None):
        super().__init__(parent)
        self.setObjectName("filterButton")
        self.title = title
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.menu_ = QMenu(self)
        self.actions_: dict[str, QAction] = {}
        for code in codes:
            action = self.menu_.addAction(vocab.label(code))
            action.setCheckable(True)
            action.setData(code)
            action.toggled.connect(self._toggled)
            self.actions_[code] = action
        self.menu_.addSeparator()
        self.menu_.addAction("Any", self.clear)
        self.setMenu(self.menu_)
        self._update_text()

    def checked(self) -> list[str]:
        return [code for code, action in self.actions_.items() if action.isChecked()]

    def set_checked(self, codes: list[str]) -> None:
        for code, action in self.actions_.items():
            action.blockSignals(True)
            action.setChecked(code in codes)
            action.blockSignals(False)
        self._toggled()

    def clear(self) -> None:
        self.set_checked([])

    def _toggled(self, *_args) -> None:
        self._update_text()
        self.sig_changed.emit()

    def _update_text(self) -> None:
        checked = self.checked()
        if not checked:
            self.setText(f"{self.title}: any")
        elif len(checked) == 1:
            self.setText(f"{self.title}: {vocab.label(checked[0])}")
        else:
            self.setText(f"{self.title}: {len(checked)}")


class LibraryPanel(QWidget):
    sig_open = Signal(str)  # registry id
    sig_selection_changed = Signal()

    def __init__(self, library, parent=None, preview=None):
        super().__init__(parent)
        self.model = LibraryModel(library, self, preview=preview)

        self.search = QLineEdit(self)
        self.search.setObjectName("librarySearch")
        self.search.setAccessibleName("Search trials")
        self.search.setPlaceholderText('Search trials: words, "a phrase", NCT id…  (Ctrl+F)')
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self._run_search)
        self.search.textChanged.connect(lambda _text: self.search_timer.start())
        self.search.returnPressed.connect(self._run_search)

        self.filters: dict[str, FilterButton] = {}
        filter_row = QHBoxLayout()
        for attribute, title, kind in FILTERS:
            button = FilterButton(title, vocab.ENUMS[kind], self)
            button.setAccessibleName(f"{title} filter")
            button.sig_changed.connect(self._apply_filters)
            self.filters[attribute] = button
            filter_row.addWidget(button)
        # the condition and sponsor fields: their own row, with room left for more (a location)
        self.text_filters: dict[str, QLineEdit] = {}
        self.text_filter_timer = QTimer(self)
        self.text_filter_timer.setSingleShot(True)
        self.text_filter_timer.setInterval(TEXT_FILTER_DELAY_MS)
        self.text_filter_timer.timeout.connect(self._apply_filters)
        text_row = QHBoxLayout()
        for attribute, title, example in TEXT_FILTERS:
            field = QLineEdit(self)
            field.setObjectName(f"{attribute}Filter")
            field.setAccessibleName(f"{title} filter")
            field.setPlaceholderText(f"{title} contains…  ({example})")
            field.setClearButtonEnabled(True)
            field.setMaximumWidth(260)
            field.textChanged.connect(lambda _text: self.text_filter_timer.start())
            field.returnPressed.connect(self._apply_filters)
            label = QLabel(f"{title}:", self)
            label.setBuddy(field)
            text_row.addWidget(label)
            text_row.addWidget(field, 1)
            self.text_filters[attribute] = field
        text_row.addStretch(1)
        self.facets = FacetFilterEdit(self)
        self.facets.sig_changed.connect(lambda _conditions: self._apply_filters())
        filter_row.addStretch(1)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("libraryCount")
        filter_row.addWidget(self.count_label)

        self.table = row_table(
            self,
            self.model,
            "libraryTable",
            "Trial library",
            QAbstractItemView.SelectionMode.ExtendedSelection,
            (104, 300, 130, 112, 180, 180, 56, 64, 104, 84),
        )
        # fixed row height: the view never measures rows, so 600,000 rows cost nothing
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        header.sortIndicatorChanged.connect(self._sort_indicator_changed)
        self.table.doubleClicked.connect(self._open_index)
        self.table.activated.connect(self._open_index)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.sig_selection_changed.emit())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 0, 6)
        layout.addWidget(self.search)
        layout.addLayout(filter_row)
        layout.addLayout(text_row)
        layout.addWidget(self.facets)  # a row of its own: conditions run long
        layout.addWidget(self.facets.problem)
        layout.addWidget(self.table)
        self.model.modelReset.connect(self._update_count)
        self.model.sig_busy.connect(lambda _busy: self._update_count())
        self._update_count()
        # what reload_keeping_place puts back: trial ids still to select, current trial, scroll
        self._place: tuple[set[int], int | None, int] | None = None
        self._restoring = False
        self._resetting = False  # a reload's reset empties the selection: not the user's choice
        self.model.modelAboutToBeReset.connect(lambda: setattr(self, "_resetting", True))
        self.model.modelReset.connect(lambda: setattr(self, "_resetting", False))
        self.model.sig_loaded.connect(self._restore_place)
        self.model.sig_window_loaded.connect(lambda _window: self._select_remembered())
        self.table.selectionModel().selectionChanged.connect(self._selection_changed_by_user)

    # ------------------------------------------------------------ queries

    def _run_search(self) -> None:
        self.search_timer.stop()
        text = self.search.text().strip()
        if text and not self.model.query.text:
            self.model.use_relevance()
            self.table.horizontalHeader().setSortIndicatorShown(False)
        elif not text:
            self.table.horizontalHeader().setSortIndicatorShown(True)
            if self.model.query.order_by == "relevance":
                column = 0
                self.model.sort(column, Qt.SortOrder.AscendingOrder)
        self.model.set_search(text)

    def _apply_filters(self) -> None:
        self.text_filter_timer.stop()
        self.model.set_filter(self.current_filter())

    def current_filter(self):
        """The core.library.TrialFilter of the checked filters."""
        from ...core.library import TrialFilter  # not at start-up: it loads the store's libraries

        values = {attribute: (button.checked() or None) for attribute, button in self.filters.items()}
        texts = {attribute: (field.text().strip() or None) for attribute, field in self.text_filters.items()}
        return TrialFilter(**values, **texts, facets=self.facets.conditions)

    def _sort_indicator_changed(self, column: int, order: Qt.SortOrder) -> None:
        if not COLUMNS[column][2]:
            # not sortable: put the indicator back on the column the rows are sorted by
            header = self.table.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(self.model.sort_column(), header.sortIndicatorOrder())
            header.blockSignals(False)
        elif self.model.is_search():
            self.table.horizontalHeader().setSortIndicatorShown(True)

    def _update_count(self) -> None:
        total = self.model.total()
        noun = "match" if self.model.is_search() else "trial"
        text = f"{total:,} {noun}{'es' if noun == 'match' and total != 1 else ('s' if total != 1 else '')}"
        if self.model.is_search() and total >= 1000:
            text = f"best {total:,} matches"
        if self.model._busy:
            text += " · searching…" if self.model.query.text else " · loading…"
        self.count_label.setText(text)

    # ------------------------------------------------------------ selection

    def _open_index(self, index) -> None:
        registry_id = self.model.data(self.model.index(index.row(), 0), REGISTRY_ID_ROLE)
        if registry_id:
            self.sig_open.emit(registry_id)

    def selected_registry_ids(self) -> list[str]:
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        ids = [self.model.registry_id_at(row) for row in rows]
        return [i for i in ids if i]

    def reload_keeping_place(self) -> None:
        """Run the query again (the store changed, as during an import) without losing the user's
        place: the selected trials stay selected (as their rows are fetched again, wherever the
        new rows put them) and the list stays scrolled where it was."""
        # trials of the last reload whose rows were not fetched again yet are still to be selected
        remembered, current_id = self._place[:2] if self._place else (set(), None)
        self._place = (self._selected_trial_ids() | remembered, self._current_trial_id() or current_id,
                       self.table.verticalScrollBar().value())
        self.model.reload()

    def _selected_trial_ids(self) -> set[int]:
        ids = {self.model.trial_id_at(index.row()) for index in self.table.selectionModel().selectedRows()}
        return {i for i in ids if i is not None}

    def _current_trial_id(self) -> int | None:
        current = self.table.currentIndex()
        return self.model.trial_id_at(current.row()) if current.isValid() else None

    def _restore_place(self) -> None:
        if self._place is None:
            return
        self.table.verticalScrollBar().setValue(self._place[2])
        self._select_remembered()

    def _select_remembered(self) -> None:
        if self._place is None or self.model.is_busy():
            return
        remaining, current_id, scroll = self._place
        selection = self.table.selectionModel()
        # making a row current scrolls the view to it: the list stays where the user had it
        shown = self.table.verticalScrollBar().value()
        found = {trial_id: row for trial_id in remaining if (row := self.model.row_of_trial(trial_id)) is not None}
        self._restoring = True
        try:
            for row in found.values():
                selection.select(
                    self.model.index(row, 0),
                    QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
                )
            row = self.model.row_of_trial(current_id) if current_id is not None else None
            if row is not None:
                selection.setCurrentIndex(self.model.index(row, 0), QItemSelectionModel.SelectionFlag.NoUpdate)
                current_id = None
        finally:
            self._restoring = False
        self.table.verticalScrollBar().setValue(shown)
        remaining = remaining - found.keys()
        self._place = (remaining, current_id, scroll) if remaining or current_id is not None else None

    def _selection_changed_by_user(self, *_args) -> None:
        if self._restoring or self._resetting or self._place is None:
            return
        if self.model.is_busy():
            # chosen while the reload runs, on the old rows: the new choice is what is put back
            self._place = (self._selected_trial_ids(), self._current_trial_id(), self.table.verticalScrollBar().value())
        else:
            self._place = None  # the user's own selection replaces the one being put back

    def select_rows(self, rows: list[int]) -> None:
        selection = self.table.selectionModel()
        selection.clearSelection()
        for row in rows:
            selection.select(
                self.model.index(row, 0),
                QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
            )

    def focus_list(self) -> None:
        """Give the keyboard focus to the trial list, on its first row if none is current."""
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if not self.table.currentIndex().isValid() and self.model.rowCount():
            self.table.selectionModel().setCurrentIndex(
                self.model.index(0, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()
