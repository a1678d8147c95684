"""The note editor: text, tag and (read-only) author of one note, on one item of a trial.

Shown with ``open()``; the caller writes the note when ``accepted`` fires, so a test can fill it
in and call ``accept()`` without a blocking ``exec()``.

Typed work is not lost: leaving with changes (Escape, Cancel, closing the dialog, the window
closing, another item's editor opening) asks "Discard this note?" first; and with a
``drafts.NoteDrafts`` the text is written to the data folder as it is typed (debounced), so a
crash keeps it. The caller removes the draft once the note is saved (``forget_draft``); Discard
removes it too.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ..drafts import NoteDrafts, saved_at_text
from .question import confirm_loss

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
# how long typing pauses before the draft is written
DRAFT_DELAY_MS = 400


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
        drafts: NoteDrafts | None = None,
        draft: dict | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("noteEditor")
        self.note_id = note_id
        self.initial = (body, tag)
        # where the draft goes and what it says besides the text: key, kind, registry id, item...
        self.drafts, self.draft_context = (drafts, draft) if drafts is not None and draft else (None, None)
        self.draft_timer = QTimer(self)
        self.draft_timer.setSingleShot(True)
        self.draft_timer.setInterval(DRAFT_DELAY_MS)
        self.draft_timer.timeout.connect(self.write_draft)
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
        self.body_edit.moveCursor(QTextCursor.MoveOperation.End)  # typing goes on after the text
        self.body_edit.setTabChangesFocus(True)
        self.tag_combo = QComboBox(self)
        for value in (None, *TAGS):
            self.tag_combo.addItem(TAG_LABELS[value], value)
        self.tag_combo.setCurrentIndex(max(0, self.tag_combo.findData(tag)))
        self.author_label = QLabel(_esc(author), self)
        self.author_label.setToolTip("Change your name in Edit › Preferences")
        self.draft_label = QLabel(self)
        self.draft_label.setObjectName("noteDraftRestored")
        self.draft_label.setWordWrap(True)
        self.draft_label.hide()

        form = QFormLayout()
        form.addRow(self.draft_label)
        form.addRow("&Note", self.body_edit)
        form.addRow("&Tag", self.tag_combo)
        form.addRow("Author", self.author_label)
        layout.addLayout(form)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.body_edit.textChanged.connect(self._update)
        self.body_edit.textChanged.connect(self.draft_timer.start)
        self.tag_combo.currentIndexChanged.connect(lambda _index: self.draft_timer.start())
        self.body_edit.setAccessibleName("Note text")
        self.tag_combo.setAccessibleName("Tag")
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.accept)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setToolTip("Save the note (Ctrl+Enter)")
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
        self.body_edit.moveCursor(QTextCursor.MoveOperation.End)  # typing goes on after the text
        self.tag_combo.setCurrentIndex(max(0, self.tag_combo.findData(tag)))

    def accept(self) -> None:
        if not self.body().strip():
            return  # a note needs some text; Save stays disabled meanwhile
        self.draft_timer.stop()
        self.write_draft()  # kept until the caller has saved the note (forget_draft)
        super().accept()

    # ------------------------------------------------------------ typed work is not lost

    def has_changes(self) -> bool:
        """Has the user typed anything worth asking about? (A tag alone on an empty new note is not.)"""
        body, tag = self.initial
        if (self.body(), self.tag()) == (body, tag):
            return False
        return bool(self.body().strip() or body.strip())

    def reject(self) -> None:
        """Escape, Cancel and closing the dialog: ask before throwing typed text away."""
        if self.confirm_discard():
            super().reject()

    def confirm_discard(self) -> bool:
        """True when the editor may go: nothing typed, or the user chose Discard (the draft goes too)."""
        if self.has_changes() and not ask_discard(self):
            self.body_edit.setFocus()
            return False
        self.forget_draft()
        return True

    def restore_draft(self, draft: dict) -> None:
        """Put a kept draft's text in the editor (what the note said before stays the reference:
        leaving still asks)."""
        tag = draft.get("tag")
        self.set_values(draft.get("body", ""), tag if tag in TAGS else None)
        self.draft_label.setText(f"Restored from an unsaved draft of {saved_at_text(draft)}.")
        self.draft_label.show()
        self.draft_timer.stop()

    def write_draft(self) -> None:
        if self.drafts is None:
            return
        if self.has_changes():
            self.drafts.save({**self.draft_context, "body": self.body(), "tag": self.tag()})
        else:
            self.drafts.remove(self.draft_context["key"])

    def forget_draft(self) -> None:
        self.draft_timer.stop()
        if self.drafts is not None:
            self.drafts.remove(self.draft_context["key"])


def ask_discard(parent: QWidget) -> bool:
    """"Discard this note?" True for Discard; Keep editing is the default and Escape's answer."""
    return confirm_loss(
        parent, "discardNoteQuestion", "Discard this note?", "What you typed will be lost.",
        "&Keep editing", "&Discard",
    )  # fmt: skip


def _esc(text: str) -> str:
    import html

    return html.escape(text)
