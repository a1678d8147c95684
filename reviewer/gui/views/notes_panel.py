"""The notes panel (a dock): the notes of the open trial or comparison, filterable by tag.

A click (or Enter) on a note asks the window to jump to its item (``sig_jump``); Edit (F2, double
click) and Delete (the Delete key) ask the window to change it (``sig_edit``, ``sig_delete``), which
does so through the undo stack.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..dialogs.note_editor import TAG_LABELS, TAGS
from ..icons import icon
from ..models.notes_model import NotesModel
from .row_table import row_table


class NotesPanel(QWidget):
    sig_jump = Signal(object)  # note dict
    sig_edit = Signal(object)
    sig_delete = Signal(object)

    def __init__(self, library, parent=None):
        super().__init__(parent)
        self.model = NotesModel(library, self)
        self.title = QLabel("No trial open", self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.tag_combo = QComboBox(self)
        self.tag_combo.setAccessibleName("Show notes with the tag")
        self.tag_combo.addItem("All tags", None)
        for tag in TAGS:
            self.tag_combo.addItem(TAG_LABELS[tag], tag)
        self.tag_combo.currentIndexChanged.connect(
            lambda _i: self.model.set_tag(self.tag_combo.currentData())
        )

        self.view = row_table(
            self,
            self.model,
            "notesTable",
            "Notes list",
            QAbstractItemView.SelectionMode.SingleSelection,
            (104, 170, 112, 320, 140, 130),
        )
        header = self.view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.view.clicked.connect(self._jump)
        self.view.activated.connect(self._jump)
        self.view.doubleClicked.connect(lambda index: self._emit(self.sig_edit, index.row()))

        self.edit_button = QToolButton(self)
        self.edit_button.setIcon(icon("edit"))
        self.edit_button.setToolTip("Edit the selected note (F2)")
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button = QToolButton(self)
        self.delete_button.setIcon(icon("delete"))
        self.delete_button.setToolTip("Delete the selected note (Delete; Ctrl+Z brings it back)")
        self.delete_button.clicked.connect(self.delete_selected)

        # in the window's Edit menu too; their keys work where the list has the focus
        self.edit_action = edit_action = QAction("Edi&t note", self.view)
        edit_action.setShortcut(QKeySequence(Qt.Key.Key_F2))
        edit_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        edit_action.setToolTip("Edit the selected note")
        edit_action.triggered.connect(self.edit_selected)
        self.delete_action = delete_action = QAction("De&lete note", self.view)
        delete_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        delete_action.triggered.connect(self.delete_selected)
        self.view.addAction(edit_action)
        self.view.addAction(delete_action)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.tag_combo)
        top.addWidget(self.edit_button)
        top.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.view)
        self.model.modelReset.connect(self._update_title)

    def focus_list(self) -> None:
        """Give the keyboard focus to the notes list, on its first note if none is current."""
        self.view.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if not self.view.currentIndex().isValid() and self.model.rowCount():
            self.view.selectRow(0)

    def set_context(self, trials: dict[int, str], what: str) -> None:
        """Show the notes of ``trials`` (trial id -> registry id); ``what`` names them for the title."""
        self._what = what
        self.model.set_trials(trials)

    def refresh(self) -> None:
        selected = self.selected_note()
        self.model.refresh()
        if selected is not None:
            self.select_note(selected["id"])

    def _update_title(self) -> None:
        what = getattr(self, "_what", "")
        count = self.model.rowCount()
        if not self.model.trials:
            self.title.setText("No trial open")
        else:
            self.title.setText(f"{count} note{'s' if count != 1 else ''} · {what}")

    def selected_note(self) -> dict | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.note(rows[0].row()) if rows else None

    def select_note(self, note_id: int) -> bool:
        row = self.model.row_of(note_id)
        if row is None:
            return False
        index = self.model.index(row, 0)
        self.view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        self.view.scrollTo(index)
        return True

    def select_item(self, trial_id: int, kind: str, key: str) -> None:
        """Select the first note on an item (a badge in the trial view was clicked)."""
        for note in self.model.notes:
            if (
                note["trial_id"] == trial_id
                and note["item_key"] == key
                and note["item_kind"] == kind
            ):
                self.select_note(note["id"])
                return

    def _jump(self, index) -> None:
        self._emit(self.sig_jump, index.row())

    def _emit(self, signal, row: int) -> None:
        note = self.model.note(row)
        if note is not None:
            signal.emit(note)

    def edit_selected(self) -> None:
        note = self.selected_note()
        if note is not None:
            self.sig_edit.emit(note)

    def delete_selected(self) -> None:
        note = self.selected_note()
        if note is not None:
            self.sig_delete.emit(note)
