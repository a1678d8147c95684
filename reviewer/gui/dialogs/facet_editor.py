"""The facet editor: a reviewer corrects what one criterion states (its facets), as a form per facet.

The criterion's text and the facets extracted from it stand at the top; below, the facets as the
reviewer wants them, a list in words on the left and the selected facet's form on the right (its
fields come from core.corrections.FACET_FIELDS: a choice where the values are known, a text box
elsewhere). An empty list says the criterion states no facet.

Typed work is never lost: each facet keeps what was typed for every kind it was switched to; a
facet that is not of a known shape is named inline (the form's own sentence) and Save does not
close; the caller writes the correction when ``sig_save`` fires and closes the editor with
``saved()`` only once it is stored, else it shows the store's sentence with ``show_error``.
Cancel, Escape and closing with changes ask "Discard these changes?" first.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...core.corrections import FACET_FIELDS, KINDS, check_facets, facet_from_fields, fields_of
from ...core.presentation.facet_words import facet_text, facets_text
from ...core.profile import KIND_TITLES
from .question import confirm_loss

_PLACEHOLDERS = {"scores": "e.g. 0-2 or 0, 1, 2", "number": "a number", "count": "a whole number"}
_NEW_KIND = "performance"


class _Facet:
    """One facet of the list as typed: its kind and, per kind it was switched to, the fields' texts."""

    def __init__(self, kind: str, texts: dict[str, str] | None = None):
        self.kind = kind
        self.texts: dict[str, dict[str, str]] = {kind: dict(texts or {})}

    @classmethod
    def of(cls, facet: dict[str, Any]) -> _Facet:
        return cls(facet["kind"], fields_of(facet))

    @property
    def fields(self) -> dict[str, str]:
        return self.texts.setdefault(self.kind, {})

    def read(self, n: int) -> dict[str, Any]:
        """The facet, checked (ValueError: one sentence naming it and the field)."""
        return facet_from_fields(self.kind, self.fields, n)


class FacetEditor(QDialog):
    """Correct the facets of one criterion: ``facets`` what it states now (corrected or extracted),
    ``extracted`` what its text gives."""

    sig_save = Signal(list)  # the checked facets: the caller writes them, then calls saved() or show_error()
    sig_remove = Signal()  # "Use the extracted facets": the caller removes the correction

    def __init__(
        self,
        parent=None,
        *,
        where: str,
        text: str,
        facets: Sequence[dict[str, Any]],
        extracted: Sequence[dict[str, Any]],
        corrected_by: str | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("facetEditor")
        self.setWindowTitle("Correct facets")
        self.setMinimumWidth(640)
        try:  # what Save would write if nothing is changed (the facets in their canonical shape)
            self.initial = check_facets([dict(f) for f in facets])
        except ValueError:
            self.initial = [dict(f) for f in facets]
        self.extracted = [dict(f) for f in extracted]
        self.rows: list[_Facet] = [_Facet.of(f) for f in self.initial]
        self.field_widgets: dict[str, QComboBox | QLineEdit] = {}
        self._filling = False

        layout = QVBoxLayout(self)
        heading = QLabel(f"<b>{html.escape(where)}</b>", self)
        heading.setWordWrap(True)
        layout.addWidget(heading)
        quote = QLabel(f"“{text if len(text) <= 500 else text[:500] + '…'}”", self)
        quote.setTextFormat(Qt.TextFormat.PlainText)
        quote.setWordWrap(True)
        font = quote.font()
        font.setItalic(True)
        quote.setFont(font)
        layout.addWidget(quote)
        found = facets_text(self.extracted) or "no facet"
        self.extracted_label = QLabel(f"Extracted from the text: {found}", self)
        self.extracted_label.setObjectName("facetsExtracted")
        self.extracted_label.setWordWrap(True)
        self.extracted_label.setTextFormat(Qt.TextFormat.PlainText)
        self.extracted_label.setEnabled(False)  # muted, in the palette's own colours
        layout.addWidget(self.extracted_label)
        if corrected_by:
            by = QLabel(corrected_by, self)
            by.setObjectName("facetsCorrectedBy")
            by.setTextFormat(Qt.TextFormat.PlainText)
            by.setEnabled(False)
            layout.addWidget(by)

        body = QHBoxLayout()
        left = QVBoxLayout()
        self.list = QListWidget(self)
        self.list.setAccessibleName("Facets of the criterion")
        self.list.currentRowChanged.connect(self._show_row)
        list_label = QLabel("&Facets this criterion states:", self)
        list_label.setBuddy(self.list)
        left.addWidget(list_label)
        left.addWidget(self.list)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("&Add", self)
        self.add_button.setToolTip("Add a facet (Ctrl+Shift+A)")
        self.add_button.clicked.connect(self.add_facet)
        self.remove_button = QPushButton("&Remove", self)
        self.remove_button.setToolTip("Remove the selected facet")
        self.remove_button.clicked.connect(self.remove_facet)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        left.addLayout(buttons)
        body.addLayout(left, 2)

        right = QVBoxLayout()
        self.kind_combo = QComboBox(self)
        self.kind_combo.setAccessibleName("Kind of facet")
        for kind in KINDS:
            self.kind_combo.addItem(KIND_TITLES.get(kind, kind.replace("_", " ").capitalize()), kind)
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self.form_host = QWidget(self)
        self.form = QFormLayout(self.form_host)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.addRow("&Kind", self.kind_combo)  # row 0; the kind's own fields follow it
        right.addWidget(self.form_host)
        self.empty_note = QLabel("No facet: the criterion states none. Add one, or save as it is.", self)
        self.empty_note.setWordWrap(True)
        self.empty_note.setEnabled(False)
        right.addWidget(self.empty_note)
        right.addStretch(1)
        body.addLayout(right, 3)
        layout.addLayout(body)

        self.error_label = QLabel(self)
        self.error_label.setObjectName("facetError")
        self.error_label.setWordWrap(True)
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setStyleSheet("color: #d0453a;")
        self.error_label.hide()
        layout.addWidget(self.error_label)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.reset_button = self.buttons.addButton(
            "Use the e&xtracted facets", QDialogButtonBox.ButtonRole.ResetRole
        )
        self.reset_button.setToolTip(
            "Remove the correction: the facets are read from the criterion's text again"
        )
        self.reset_button.setVisible(corrected_by is not None)
        self.reset_button.clicked.connect(self.sig_remove.emit)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setToolTip(
            "Save the correction (Ctrl+Enter)"
        )
        layout.addWidget(self.buttons)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.accept)
        QShortcut(QKeySequence("Ctrl+Shift+A"), self, activated=self.add_facet)

        for row in self.rows:
            self.list.addItem(self._words(row))
        self.list.setCurrentRow(0 if self.rows else -1)
        self._show_row(self.list.currentRow())

    # ------------------------------------------------------------ the list

    def _words(self, row: _Facet) -> str:
        try:
            return facet_text(row.read(1))
        except ValueError:
            return f"{KIND_TITLES.get(row.kind, row.kind)} (incomplete)"

    def add_facet(self) -> None:
        self.rows.append(_Facet(_NEW_KIND))
        self.list.addItem(self._words(self.rows[-1]))
        self.list.setCurrentRow(len(self.rows) - 1)
        self.kind_combo.setFocus()

    def remove_facet(self) -> None:
        n = self.list.currentRow()
        if n < 0:
            return
        del self.rows[n]
        self.list.takeItem(n)
        self._show_row(self.list.currentRow())
        self._check_current()

    def _show_row(self, n: int) -> None:
        has = 0 <= n < len(self.rows)
        self.kind_combo.setEnabled(has)
        self.remove_button.setEnabled(has)
        self.empty_note.setVisible(not self.rows)
        self.form_host.setVisible(has)
        if not has:
            return
        self._filling = True
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(self.rows[n].kind))
        self._filling = False
        self._build_form(self.rows[n])
        self._check_current()

    def _kind_changed(self, _index: int) -> None:
        n = self.list.currentRow()
        if self._filling or not 0 <= n < len(self.rows):
            return
        self.rows[n].kind = self.kind_combo.currentData()
        self._build_form(self.rows[n])
        self._refresh_row(n)

    # ------------------------------------------------------------ the selected facet's form

    def _build_form(self, row: _Facet) -> None:
        while self.form.rowCount() > 1:
            self.form.removeRow(1)
        self.field_widgets = {}
        texts = row.fields
        for spec in FACET_FIELDS[row.kind]:
            value = texts.get(spec.name, spec.default or "")
            if spec.type == "choice":
                widget = QComboBox(self.form_host)
                widget.setEditable(spec.open)
                choices = list(spec.choices) if spec.required and not spec.open else ["", *spec.choices]
                widget.addItems(choices)
                if value and widget.findText(value) < 0:
                    widget.addItem(value)
                if spec.open:
                    widget.setCurrentText(value)
                else:
                    widget.setCurrentIndex(max(0, widget.findText(value)))
                if not value and spec.required and not spec.open:
                    texts[spec.name] = widget.currentText()  # what the form shows is what is kept
                widget.currentTextChanged.connect(
                    lambda text, name=spec.name: self._field_changed(name, text)
                )
            else:
                widget = QLineEdit(value, self.form_host)
                widget.setPlaceholderText(
                    _PLACEHOLDERS.get(spec.type, "optional" if not spec.required else "")
                )
                widget.textEdited.connect(lambda text, name=spec.name: self._field_changed(name, text))
            widget.setAccessibleName(spec.label)
            self.form.addRow(spec.label + ("" if spec.required else " (optional)"), widget)
            self.field_widgets[spec.name] = widget
        if not FACET_FIELDS[row.kind]:
            self.form.addRow(
                QLabel("This kind has no values: the criterion states it, or not.", self.form_host)
            )

    def _field_changed(self, name: str, text: str) -> None:
        n = self.list.currentRow()
        if 0 <= n < len(self.rows):
            self.rows[n].fields[name] = text
            self._refresh_row(n)

    def _refresh_row(self, n: int) -> None:
        self.list.item(n).setText(self._words(self.rows[n]))
        self._check_current()

    def _check_current(self) -> None:
        n = self.list.currentRow()
        message = ""
        if 0 <= n < len(self.rows):
            try:
                self.rows[n].read(n + 1)
            except ValueError as error:
                message = _sentence(error)
        self.show_error(message)

    # ------------------------------------------------------------ values, saving and leaving

    def set_facet(self, n: int, kind: str, **texts: str) -> None:
        """Fill facet n (a new one when n is the list's length) as a user would (for scripted use and tests)."""
        if n == len(self.rows):
            self.add_facet()
        self.list.setCurrentRow(n)
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind))
        for name, text in texts.items():
            widget = self.field_widgets[name]
            if isinstance(widget, QComboBox):
                if widget.isEditable():
                    widget.setCurrentText(text)
                else:
                    widget.setCurrentIndex(widget.findText(text))
                self._field_changed(name, widget.currentText())
            else:
                widget.setText(text)
                self._field_changed(name, text)

    def facets(self) -> list[dict[str, Any]]:
        """The facets as typed, checked; ValueError names the first that is not of a known shape."""
        return [row.read(n) for n, row in enumerate(self.rows, 1)]

    def show_error(self, message: str) -> None:
        """A sentence under the form (a facet not of a known shape, the store's refusal); "" hides it."""
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    def accept(self) -> None:
        """Save: the facets checked, then ``sig_save`` (the editor stays open until ``saved()``)."""
        try:
            facets = self.facets()
        except ValueError as error:
            self.show_error(_sentence(error))
            bad = next((n for n, row in enumerate(self.rows) if not _reads(row)), None)
            if bad is not None:
                self.list.setCurrentRow(bad)
            return
        self.show_error("")
        self.sig_save.emit(facets)

    def saved(self) -> None:
        """The correction is stored: the editor goes."""
        super().accept()

    def has_changes(self) -> bool:
        try:
            return self.facets() != self.initial
        except ValueError:
            return True  # something typed that is not a facet yet: worth asking about

    def reject(self) -> None:
        if self.has_changes() and not confirm_loss(
            self, "discardFacetsQuestion", "Discard these changes?", "The facets you changed will not be saved.",
            "&Keep editing", "&Discard",
        ):  # fmt: skip
            return
        super().reject()

    def discard(self) -> None:
        """Close without asking (the window closes, the trial is gone)."""
        super().reject()


def _reads(row: _Facet) -> bool:
    try:
        row.read(1)
    except ValueError:
        return False
    return True


def _sentence(error: Exception) -> str:
    text = str(error)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
