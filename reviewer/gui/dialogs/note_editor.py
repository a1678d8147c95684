"""The note editor: text, tag and (read-only) author of one note, on one item of a trial.

Non-modal by default (``open()``); the caller writes the note when ``accepted`` fires, so a test
can fill it in and call ``accept()`` without a blocking ``exec()``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
)

# reviewer.core.store.tables.NOTE_TAGS, kept here so that the window opens before SQLModel is loaded
# (tests/gui/test_models.py checks they are the same)
TAGS = ("question", "concern", "suggestion", "ok")
TAG_LABELS = {
    None: "No tag",
    "question": "Question",
    "concern": "Concern",
    "suggestion": "Suggestion",
    "ok": "OK",
}


class NoteEditor(QDialog):
    """Write a new note (``note_id`` None) or edit one."""

    def __init__(
        self,
        parent=None,
        *,
        where: str,
        quote: str | None = None,
        body: str = "",
        tag: str | None = None,
        author: str = "",
        note_id: int | None = None,
    ):
        super().__init__(parent)
        self.note_id = note_id
        self.setWindowTitle("Edit note" if note_id else "New note")
        self.setMinimumWidth(460)

        heading = QLabel(f"<b>{_esc(where)}</b>", self)
        heading.setTextFormat(Qt.TextFormat.RichText)
        heading.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        if quote:
            shown = quote if len(quote) <= 400 else quote[:400] + "…"
            quote_label = QLabel(f"“{shown}”", self)
            quote_label.setTextFormat(Qt.TextFormat.PlainText)
            quote_label.setWordWrap(True)
            quote_label.setObjectName("noteQuote")
            quote_label.setForegroundRole(quote_label.foregroundRole())
            font = quote_label.font()
            font.setItalic(True)
            quote_label.setFont(font)
            layout.addWidget(quote_label)

        self.body_edit = QPlainTextEdit(self)
        self.body_edit.setPlaceholderText("Your note")
        self.body_edit.setPlainText(body)
        self.body_edit.setTabChangesFocus(True)
        self.tag_combo = QComboBox(self)
        for value in (None, *TAGS):
            self.tag_combo.addItem(TAG_LABELS[value], value)
        self.tag_combo.setCurrentIndex(max(0, self.tag_combo.findData(tag)))
        self.author_label = QLabel(_esc(author), self)
        self.author_label.setToolTip("Change your name in Edit › Preferences")

        form = QFormLayout()
        form.addRow("Note", self.body_edit)
        form.addRow("Tag", self.tag_combo)
        form.addRow("Author", self.author_label)
        layout.addLayout(form)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.body_edit.textChanged.connect(self._update)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.accept)
        self._update()
        self.body_edit.setFocus()

    def _update(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(bool(self.body().strip()))

    def body(self) -> str:
        return self.body_edit.toPlainText()

    def tag(self) -> str | None:
        return self.tag_combo.currentData()

    def set_values(self, body: str, tag: str | None = None) -> None:
        """Fill the editor (for scripted use and tests)."""
        self.body_edit.setPlainText(body)
        self.tag_combo.setCurrentIndex(max(0, self.tag_combo.findData(tag)))

    def accept(self) -> None:
        if not self.body().strip():
            return  # a note needs some text; Save stays disabled meanwhile
        super().accept()


def _esc(text: str) -> str:
    import html

    return html.escape(text)
