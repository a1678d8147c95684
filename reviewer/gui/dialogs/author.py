"""The question asked before the first note: whose name goes on the notes.

Prefilled with the system's full name where it has one (core.people.system_full_name), never with a
bare login; OK stays disabled until there is a name. Accepting stores it in the settings (it can
be changed later in Edit › Preferences).
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout

from ...core.people import system_full_name
from ..settings import Settings


class AuthorDialog(QDialog):
    def __init__(self, settings: Settings, parent=None):
        super().__init__(parent)
        self.settings = settings
        self.setObjectName("authorDialog")
        self.setWindowTitle("Your name on notes")
        heading = QLabel("<b>Who is writing these notes?</b>", self)
        intro = QLabel(
            "Your notes are signed with your name, in the app and in the reports you share. "
            "You can change it later in Edit › Preferences.",
            self,
        )
        intro.setWordWrap(True)
        self.name_edit = QLineEdit(system_full_name(), self)
        self.name_edit.setPlaceholderText("e.g. Dr. Jane Smith")
        self.name_edit.setAccessibleName("Your name")
        self.name_edit.selectAll()
        form = QFormLayout()
        form.addRow("&Name", self.name_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.name_edit.textChanged.connect(self._update)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)
        self._update()

    def _update(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.name_edit.text().strip()))

    def accept(self) -> None:
        if not self.name_edit.text().strip():
            return
        self.settings.set_author(self.name_edit.text())
        super().accept()
