"""The library table: every trial of the store (or the matches of a search), fetched in windows.

The model never holds the whole library. It knows the number of rows of the current query and keeps
an LRU cache of windows of WINDOW rows; a window it does not have is fetched off the GUI thread when a
view first asks for one of its rows (a placeholder is shown meanwhile). Sorting and filtering happen
in SQL. A search holds its matches (at most SEARCH_LIMIT, best first). A new query bumps a generation
number; answers to an older query are dropped when they arrive.

At start-up the model can show a preview (the first window read with plain sqlite3, see startup.py)
before the library is open; queries asked for meanwhile run once ``set_library`` gives it the library.
Every read goes through the core's Library.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal

from ...core import vocab
from .. import tasks
from .read_only_table import ReadOnlyTableModel

WINDOW = 200
MAX_WINDOWS = 64  # 12,800 rows cached at most
SEARCH_LIMIT = 1000

# (row key, header, sortable in SQL)
COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("registry_id", "NCT id", True),
    ("brief_title", "Title", True),
    ("overall_status", "Status", True),
    ("phases", "Phase", True),
    ("lead_sponsor", "Sponsor", True),
    ("conditions", "Conditions", True),
    ("note_count", "Notes", True),
    ("has_results", "Results", False),
    # after the older columns: a header state saved before them restores as it was. Not sortable:
    # the trial table has no index on them (a sort would read the whole table, see schema 0005)
    ("enrollment_count", "Enrollment", False),
    ("start_date", "Start", False),
)
NOTES_COLUMN = 6

TRIAL_ID_ROLE = Qt.ItemDataRole.UserRole + 1
REGISTRY_ID_ROLE = Qt.ItemDataRole.UserRole + 2
ROW_ROLE = Qt.ItemDataRole.UserRole + 3

PLACEHOLDER = "…"


@dataclass(frozen=True)
class Query:
    """What the library shows: a filter, an optional search text, and an order."""

    where: Any = None  # a core.library.TrialFilter, or None: every trial
    text: str = ""
    order_by: str = "registry_id"
    descending: bool = False


def _filter_key(where) -> tuple:
    if where is None:
        return ()
    return tuple((k, v) for k, v in sorted(vars(where).items(), key=lambda kv: kv[0]) if v)


def _run_query(library, query: Query) -> tuple[int, list[dict], bool]:
    """(row count, first rows, is search): the whole answer of a search, or the first window."""
    if query.text.strip():
        rows = library.search_trials(query.text, query.where, limit=SEARCH_LIMIT, note_counts=True)
        return len(rows), rows, True
    total, rows = library.first_rows(query.where, query.order_by, query.descending, WINDOW)
    return total, rows, False


def _fetch_window(library, query: Query, window: int) -> list[dict]:
    return library.list_trials(query.where, query.order_by, query.descending, limit=WINDOW, offset=window * WINDOW)


def _sort_rows(rows: list[dict], key: str, descending: bool) -> list[dict]:
    present = [r for r in rows if r.get(key) not in (None, "")]
    missing = [r for r in rows if r.get(key) in (None, "")]

    def sort_key(row):
        value = row[key]
        return value.casefold() if isinstance(value, str) else value

    return sorted(present, key=sort_key, reverse=descending) + missing


class LibraryModel(ReadOnlyTableModel):
    """Rows of the library; see the module docstring."""

    sig_loaded = Signal()  # the count and first rows of a new query are in
    sig_window_loaded = Signal(int)  # a window of rows arrived (its index)
    sig_busy = Signal(bool)  # a query is running
    sig_failed = Signal(str)

    def __init__(
        self, library, parent=None, *, load: bool = True, preview: tuple[int, list[dict]] | None = None
    ):
        super().__init__(parent)
        self._library = library  # core.library.Library, or None until it is open
        self._query = Query()
        self._count = 0
        self._search_rows: list[dict] | None = None
        self._windows: OrderedDict[int, list[dict]] = OrderedDict()
        self._pending: set[int] = set()
        self._generation = 0
        self._busy = 0
        self._deferred = False  # a query was asked for before the library was open
        if library is not None and load:
            # the first window with the default order is cheap (an index walk): show it at once
            total, rows, _ = _run_query(library, self._query)
            self._apply(total, rows, False)
        elif preview is not None:
            self._apply(*preview, False)

    def set_library(self, library) -> None:
        """The library is open (after a start-up preview): run what was asked for meanwhile."""
        self._library = library
        if self._deferred or self._pending or not self._windows:
            self._deferred = False
            self.reload()

    # ------------------------------------------------------------ the query

    @property
    def query(self) -> Query:
        return self._query

    def is_search(self) -> bool:
        return self._search_rows is not None

    def total(self) -> int:
        return self._count

    def is_busy(self) -> bool:
        """A query is running (its rows and count are not in yet)."""
        return self._busy > 0

    def set_filter(self, where) -> None:
        if _filter_key(where) != _filter_key(self._query.where):
            self._set_query(replace(self._query, where=where))

    def set_search(self, text: str) -> None:
        text = text.strip()
        if text != self._query.text:
            self._set_query(replace(self._query, text=text))

    def reload(self) -> None:
        """Run the current query again (after an import)."""
        self._set_query(self._query, force=True)

    def _set_query(self, query: Query, force: bool = False) -> None:
        if query == self._query and not force:
            return
        self._query = query
        self._generation += 1
        generation = self._generation
        if self._library is None:
            self._deferred = True
            return
        self._set_busy(+1)
        tasks.start(
            lambda _task: _run_query(self._library, query),
            on_finished=lambda result: self._query_done(generation, result),
            on_failed=lambda message, _details: self._query_failed(generation, message),
        )

    def _query_done(self, generation: int, result: tuple[int, list[dict], bool]) -> None:
        self._set_busy(-1)
        if generation != self._generation:
            return  # a newer query was started meanwhile: this answer is stale
        total, rows, is_search = result
        self.beginResetModel()
        self._apply(total, rows, is_search)
        self.endResetModel()
        self.sig_loaded.emit()

    def _query_failed(self, generation: int, message: str) -> None:
        self._set_busy(-1)
        if generation == self._generation:
            self.sig_failed.emit(message)

    def _apply(self, total: int, rows: list[dict], is_search: bool) -> None:
        self._windows.clear()
        self._pending.clear()
        if is_search:
            self._search_rows = rows
            if self._query.order_by != "relevance":
                self._search_rows = _sort_rows(rows, self._query.order_by, self._query.descending)
        else:
            self._search_rows = None
            self._windows[0] = rows
        self._count = total

    def _set_busy(self, delta: int) -> None:
        was = self._busy > 0
        self._busy += delta
        if was != (self._busy > 0):
            self.sig_busy.emit(self._busy > 0)

    # ------------------------------------------------------------ sorting

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS) or not COLUMNS[column][2]:
            return
        key = COLUMNS[column][0]
        descending = order == Qt.SortOrder.DescendingOrder
        if self.is_search():
            self.layoutAboutToBeChanged.emit()
            self._query = replace(self._query, order_by=key, descending=descending)
            self._search_rows = _sort_rows(self._search_rows or [], key, descending)
            self.layoutChanged.emit()
            return
        if (key, descending) != (self._query.order_by, self._query.descending):
            self._set_query(replace(self._query, order_by=key, descending=descending))

    def sort_column(self) -> int:
        for n, (key, _title, _sortable) in enumerate(COLUMNS):
            if key == self._query.order_by:
                return n
        return 0

    def use_relevance(self) -> None:
        """Show the next search results best first (a new search text resets a column sort)."""
        self._query = replace(self._query, order_by="relevance", descending=False)

    # ------------------------------------------------------------ rows

    def row(self, row: int) -> dict | None:
        """The row's data, or None while its window is being fetched (the fetch is started)."""
        if not 0 <= row < self._count:
            return None
        if self._search_rows is not None:
            return self._search_rows[row] if row < len(self._search_rows) else None
        window, offset = divmod(row, WINDOW)
        rows = self._windows.get(window)
        if rows is None:
            self._request(window)
            return None
        self._windows.move_to_end(window)
        return rows[offset] if offset < len(rows) else None

    def trial_id_at(self, row: int) -> int | None:
        data = self.row(row)
        return data["id"] if data else None

    def registry_id_at(self, row: int) -> str | None:
        data = self.row(row)
        return data["registry_id"] if data else None

    def row_of_trial(self, trial_id: int) -> int | None:
        """The row of a trial among the rows already fetched (None if not fetched)."""
        if self._search_rows is not None:
            return next((n for n, r in enumerate(self._search_rows) if r["id"] == trial_id), None)
        for window, rows in self._windows.items():
            for offset, r in enumerate(rows):
                if r["id"] == trial_id:
                    return window * WINDOW + offset
        return None

    def _request(self, window: int) -> None:
        if window in self._pending:
            return
        self._pending.add(window)
        if self._library is None:
            return  # asked for again once the library is open
        generation, query = self._generation, self._query
        tasks.start(
            # a window of an older query (the user sorted or filtered meanwhile) is not read at all
            lambda _task: (
                None if generation != self._generation else _fetch_window(self._library, query, window)
            ),
            on_finished=lambda rows: self._window_done(generation, window, rows),
            on_failed=lambda message, _details: self._window_failed(generation, window, message),
        )

    def _window_done(self, generation: int, window: int, rows: list[dict] | None) -> None:
        if generation != self._generation or rows is None:
            return
        self._pending.discard(window)
        self._windows[window] = rows
        while len(self._windows) > MAX_WINDOWS:
            self._windows.popitem(last=False)
        first = window * WINDOW
        last = min(first + WINDOW, self._count) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))
        self.sig_window_loaded.emit(window)

    def _window_failed(self, generation: int, window: int, message: str) -> None:
        if generation == self._generation:
            self._pending.discard(window)
            self.sig_failed.emit(message)

    def cached_rows(self) -> int:
        """How many rows are held in memory (for tests and the benchmark)."""
        if self._search_rows is not None:
            return len(self._search_rows)
        return sum(len(rows) for rows in self._windows.values())

    def set_note_count(self, trial_id: int, count: int) -> None:
        """A note was added or removed: update the count where the trial's row is cached."""
        rows = self._search_rows if self._search_rows is not None else None
        candidates = rows if rows is not None else [r for w in self._windows.values() for r in w]
        for r in candidates:
            if r["id"] == trial_id:
                r["note_count"] = count
        row = self.row_of_trial(trial_id)
        if row is not None:
            index = self.index(row, NOTES_COLUMN)
            self.dataChanged.emit(index, index)

    # ------------------------------------------------------------ QAbstractTableModel

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section][1]
            if role == Qt.ItemDataRole.ToolTipRole and COLUMNS[section][0] == "note_count":
                return "Number of notes (sort to bring the annotated trials together)"
        return None

    def cell(self, index: QModelIndex | QPersistentModelIndex, role: int) -> Any:
        if not 0 <= index.column() < len(COLUMNS):
            return None
        row = self.row(index.row())
        key = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            if row is None:
                return PLACEHOLDER if index.column() == 0 else ""
            return _display(key, row)
        if row is None:
            return None
        if role == Qt.ItemDataRole.ToolTipRole and key in ("brief_title", "lead_sponsor", "conditions"):
            return row.get(key) or None
        if role == Qt.ItemDataRole.ToolTipRole and key == "enrollment_count" and row.get(key) is not None:
            return "Estimated enrollment" if row.get("enrollment_type") == "ESTIMATED" else "Actual enrollment"
        if role == Qt.ItemDataRole.TextAlignmentRole and key in ("note_count", "enrollment_count"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == TRIAL_ID_ROLE:
            return row["id"]
        if role == REGISTRY_ID_ROLE:
            return row["registry_id"]
        if role == ROW_ROLE:
            return row
        return None


def _display(key: str, row: dict) -> str:
    value = row.get(key)
    if key == "overall_status":
        return vocab.label(value)
    if key == "phases":
        return vocab.phases_label(value.split("|")) if value else ""
    if key == "has_results":
        return "Posted" if value else ""
    if key == "note_count":
        return str(value) if value else ""
    if key == "enrollment_count":
        if value is None:
            return ""
        return f"{value:,} (est.)" if row.get("enrollment_type") == "ESTIMATED" else f"{value:,}"
    return "" if value is None else str(value)
