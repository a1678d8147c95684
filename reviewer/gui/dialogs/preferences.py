"""Preferences: the author name written on notes, and the appearance (system, light or dark)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QVBoxLayout

from ..settings import Settings

APPEARANCE_LABELS = {"system": "Follow the system", "light": "Light", "dark": "Dark"}


class PreferencesDialog(QDialog):
    def __init__(self, settings: Settings, parent=None):
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle("Preferences")
        self.author_edit = QLineEdit(settings.author(), self)
        self.author_edit.setPlaceholderText("Your name, shown on your notes")
        self.appearance_combo = QComboBox(self)
        for value, label in APPEARANCE_LABELS.items():
            self.appearance_combo.addItem(label, value)
        self.appearance_combo.setCurrentIndex(max(0, self.appearance_combo.findData(settings.appearance())))
        form = QFormLayout()
        form.addRow("Author name", self.author_edit)
        form.addRow("Appearance", self.appearance_combo)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(400)

    def accept(self) -> None:
        if self.author_edit.text().strip():
            self.settings.set_author(self.author_edit.text())
        self.settings.set_appearance(self.appearance_combo.currentData())
        super().accept()
