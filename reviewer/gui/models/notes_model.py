"""The notes of the open trial or comparison, for the notes panel (optionally one tag only).

Small by nature (the notes of at most a few trials), so the model holds them as plain dicts (as the
Library gives them) and reads them again whenever a note of its trials changes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from ...core.items import label_of
from .read_only_table import ReadOnlyTableModel

COLUMNS = ("Trial", "Item", "Tag", "Note", "Author", "Updated")
NOTE_ROLE = Qt.ItemDataRole.UserRole + 1
TAG_COLORS = {
    "question": "#2f6fb3",
    "concern": "#c0392b",
    "suggestion": "#7d4fb3",
    "ok": "#23834f",
    None: "#707a86",
}


def local_time(moment: datetime) -> str:
    """A stored (UTC, naive) time as local time for people."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return f"{moment.astimezone():%Y-%m-%d %H:%M}"


class NotesModel(ReadOnlyTableModel):
    def __init__(self, library, parent=None):
        super().__init__(parent)
        self.library = library  # core.library.Library, or None until it is open
        self.trials: dict[int, str] = {}  # trial id -> registry id
        self.tag: str | None = None
        self.notes: list[dict] = []

    def set_trials(self, trials: dict[int, str]) -> None:
        """Show the notes of these trials (trial id -> registry id)."""
        self.trials = dict(trials)
        self.refresh()

    def set_tag(self, tag: str | None) -> None:
        self.tag = tag or None
        self.refresh()

    def refresh(self) -> None:
        self.beginResetModel()
        if self.trials and self.library is not None:
            found = self.library.notes_of(list(self.trials), self.tag)
            order = list(self.trials)
            self.notes = sorted(found, key=lambda n: (order.index(n["trial_id"]), n["created_at"]))
            for note in self.notes:
                note["registry_id"] = self.trials[note["trial_id"]]
        else:
            self.notes = []
        self.endResetModel()

    def note(self, row: int) -> dict | None:
        return self.notes[row] if 0 <= row < len(self.notes) else None

    def row_of(self, note_id: int) -> int | None:
        return next((n for n, note in enumerate(self.notes) if note["id"] == note_id), None)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.notes)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None

    def cell(self, index: QModelIndex | QPersistentModelIndex, role: int) -> Any:
        note = self.note(index.row())
        if note is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return note["registry_id"]
            if column == 1:
                label = label_of(note)
                return label + (" (removed)" if note["orphaned"] else "")
            if column == 2:
                return note["tag"] or ""
            if column == 3:
                return " ".join(note["body"].split())
            if column == 4:
                return note["author"]
            if column == 5:
                return local_time(note["updated_at"])
        if role == Qt.ItemDataRole.ToolTipRole and column in (1, 3):
            tip = note["body"]
            if note.get("quote"):
                tip += f"\n\nOn: “{note['quote']}”"
            return tip
        if role == Qt.ItemDataRole.DecorationRole and column == 2:
            return QColor(TAG_COLORS.get(note["tag"], TAG_COLORS[None]))
        if role == NOTE_ROLE:
            return note
        return None
