"""A dialog for something that went wrong: a message, copyable details, and where the log file is.

Used for unexpected errors (sys.excepthook) and for the files an import refused. Non-modal: it is
shown with ``show()``/``open()`` and never blocks a test or the event loop.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
)


class ErrorDialog(QDialog):
    def __init__(
        self,
        parent=None,
        *,
        title: str,
        message: str,
        details: str = "",
        log_file: Path | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("errorDialog")
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.resize(640, 420 if details else 180)

        icon = QLabel(self)
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(40, 40))
        self.message_label = QLabel(message, self)
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top = QHBoxLayout()
        top.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.message_label, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        self.details = QPlainTextEdit(self)
        self.details.setReadOnly(True)
        self.details.setPlainText(details)
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.details.setVisible(bool(details))
        layout.addWidget(self.details, 1)
        if log_file is not None:
            self.log_label = QLabel(f"Log file: {log_file}", self)
            self.log_label.setTextFormat(Qt.TextFormat.PlainText)
            self.log_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.log_label.setWordWrap(True)
            layout.addWidget(self.log_label)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        copy = QPushButton("Copy details", self)
        copy.clicked.connect(self.copy)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)

    def text(self) -> str:
        """Everything the dialog says, as one text (what Copy puts on the clipboard)."""
        parts = [self.message_label.text()]
        if self.details.toPlainText():
            parts.append(self.details.toPlainText())
        if hasattr(self, "log_label"):
            parts.append(self.log_label.text())
        return "\n\n".join(parts)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text())
