"""A question before something that cannot be undone ("Discard this note?", "Stop the import?"):
keeping what is there is the default button and Escape's answer, so no key press loses work."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def confirm_loss(parent: QWidget, name: str, question: str, consequence: str, keep: str, act: str) -> bool:
    """True when the user chooses ``act`` (e.g. "&Discard"); ``keep`` (e.g. "&Keep editing") is the
    default. ``name`` is the box's object name, for tests to find it."""
    box = QMessageBox(parent)
    box.setObjectName(name)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(question)
    box.setText(question)
    box.setInformativeText(consequence)
    keep_button = box.addButton(keep, QMessageBox.ButtonRole.RejectRole)
    act_button = box.addButton(act, QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(keep_button)
    box.setEscapeButton(keep_button)
    box.exec()
    return box.clickedButton() is act_button
