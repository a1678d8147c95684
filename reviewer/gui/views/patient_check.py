"""The patient check tab: a patient's values (PatientForm) against the selected trials or the whole
library, ranked, each trial's requirements met, failed or left unknown with the criterion that
decides (core.match through Library.match, computed off the GUI thread).

Enter (in a field, or the Check button) runs the check; a trial's row or a requirement's row,
activated (double-click, Enter), asks the window to open the trial at that criterion
(``sig_open_item``). The values are remembered between sessions (Settings.patient_check) as they
are typed, and can be loaded from or saved to a patient file (the JSON core.match documents).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ... import paths
from ...core.match.checks import FAILS, MEETS
from ...core.match.patient import Patient, PatientFileError
from .. import tasks
from .patient_form import PatientForm
from .trial_view import is_dark

SHOWN_TRIALS = 200  # the ranking's first trials shown with their requirements
ITEM_ROLE = Qt.ItemDataRole.UserRole  # (registry id, item kind or None, item key or None)
STATUS_WORDS = {MEETS: "✓ meets", FAILS: "✗ fails", "unknown": "? unknown"}
# (light, dark) text colours of the statuses, readable on either palette
STATUS_COLORS = {
    MEETS: ("#1f7a4d", "#74d19c"),
    FAILS: ("#b3261e", "#ff8a80"),
    "unknown": ("#8a5a00", "#ffcc66"),
}


def run_check(task, library, patient: Patient, registry_ids: list[str] | None, limit: int):
    """(MatchResult, {registry id: title}) on a pool thread."""
    if task.is_cancelled():
        return None
    result = library.match(patient, registry_ids, limit=limit)
    return result, library.trial_titles([m.registry_id for m in result.matches])


class PatientCheckView(QWidget):
    sig_open_item = Signal(str, object, object)  # registry id, item kind (or None), item key
    sig_checked = Signal()  # the results are shown

    def __init__(self, library, settings, selection: Callable[[], list[str]] = list, parent=None):
        """``selection`` gives the registry ids selected in the library (read at each change)."""
        super().__init__(parent)
        self.library = library
        self.settings = settings
        self.selection = selection
        self.selected_ids: list[str] = list(selection())
        self.result = None
        self.task = None

        self.form = PatientForm(self)
        self.form.sig_submit.connect(self.run)
        scroll = QScrollArea(self)
        scroll.setObjectName("patientForm")
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        scroll.setMinimumWidth(320)

        self.only_selected = QRadioButton(self)
        self.whole_library = QRadioButton("The &whole library", self)
        group = QButtonGroup(self)
        group.addButton(self.only_selected)
        group.addButton(self.whole_library)
        self.check_button = QPushButton("&Check", self)
        self.check_button.setDefault(True)
        self.check_button.setShortcut(QKeySequence("Ctrl+Return"))
        self.check_button.setToolTip("Check the patient against the trials (Enter in a field, or Ctrl+Enter)")
        self.check_button.clicked.connect(self.run)
        self.open_button = QPushButton("Loa&d patient…", self)
        self.open_button.clicked.connect(self.choose_file)
        self.save_button = QPushButton("&Save patient…", self)
        self.save_button.clicked.connect(self.choose_save_file)
        self.clear_button = QPushButton("Clear val&ues", self)
        self.clear_button.setToolTip("Empty the form (every value not given)")
        self.clear_button.clicked.connect(self.form.clear)
        top = QHBoxLayout()
        top.addWidget(QLabel("Check against:", self))
        top.addWidget(self.only_selected)
        top.addWidget(self.whole_library)
        top.addStretch(1)
        for button in (self.open_button, self.save_button, self.clear_button, self.check_button):
            top.addWidget(button)

        self.message = QLabel(self)
        self.message.setObjectName("patientCheckMessage")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.setText(
            "Enter the patient's values and press Check (Enter). Fields left at — are not given."
        )

        self.results = QTreeWidget(self)
        self.results.setObjectName("patientCheckResults")
        self.results.setAccessibleName("Patient check results")
        self.results.setColumnCount(4)
        self.results.setHeaderLabels(["Trial / requirement", "Verdict", "Why", "Criterion"])
        self.results.setRootIsDecorated(True)
        self.results.setUniformRowHeights(True)
        self.results.setAlternatingRowColors(True)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.itemActivated.connect(self._activated)
        header = self.results.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for column, width in ((0, 190), (1, 78), (3, 130)):
            header.resizeSection(column, width)
        self.scope_note = QLabel(
            'Requirements under a scope ("Cohort 2") never fail a trial on their own: the patient may belong '
            "to another cohort. Double-click or press Enter on a row to open the trial at that criterion.",
            self,
        )
        self.scope_note.setWordWrap(True)
        self.scope_note.setEnabled(False)

        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.message)
        right_layout.addWidget(self.results, 1)
        right_layout.addWidget(self.scope_note)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([380, 900])  # the form narrow, the ranked trials wide
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)

        remembered = settings.patient_check()
        self.form.set_json(remembered.get("patient", {}))
        whole = remembered.get("whole_library", not self.selected_ids)
        (self.whole_library if whole or not self.selected_ids else self.only_selected).setChecked(True)
        self.refresh_selection()
        self._watch_form()

    # ------------------------------------------------------------ the form and its memory

    def _watch_form(self) -> None:
        """Every change is remembered at once (a small settings write): nothing typed is lost."""
        self.form.sig_changed.connect(self.save_values)
        self.whole_library.toggled.connect(lambda _checked: self.save_values())

    def save_values(self) -> None:
        """Remember the form (and the choice of trials) for the next session."""
        self.settings.set_patient_check(
            {"patient": self.form.to_json(), "whole_library": self.whole_library.isChecked()}
        )

    def refresh_selection(self) -> None:
        """The library's selection changed: what "the selected trials" will check."""
        self.selected_ids = list(self.selection())
        count = len(self.selected_ids)
        self.only_selected.setText(f"The selected t&rials ({count})")
        self.only_selected.setEnabled(count > 0)
        if not count and self.only_selected.isChecked():
            self.whole_library.setChecked(True)

    def focus_content(self) -> None:
        self.form.age.setFocus(Qt.FocusReason.ShortcutFocusReason)

    @property
    def title(self) -> str:
        return "Patient check"

    # ------------------------------------------------------------ files

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open a patient file", str(self._folder()), "Patient files (*.json);;All files (*)"
        )
        if path:
            self.load_file(Path(path))

    def load_file(self, path: Path) -> bool:
        """Fill the form from a patient file; a bad file is one sentence above the results."""
        try:
            patient = Patient.load(path)
        except PatientFileError as error:
            self._say(str(error), error=True)
            return False
        self.form.set_json(patient.to_json())
        kept = self.form.kept_from_file()
        self._say(f"Loaded {path.name}: {patient.summary()}" + (f" (also kept: {kept})" if kept else ""))
        self.save_values()
        return True

    def choose_save_file(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the patient file", str(self._folder() / "patient.json"), "Patient files (*.json)"
        )
        if path:
            self.save_file(Path(path if path.endswith(".json") else path + ".json"))

    def save_file(self, path: Path) -> bool:
        patient = self._patient()
        if patient is None:
            return False
        try:
            path.write_text(
                json.dumps(patient.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
        except OSError as error:
            self._say(f"{path} could not be written: {error.strerror or error}", error=True)
            return False
        self._say(f"Saved {path}")
        return True

    def _folder(self) -> Path:
        examples = paths.resources_dir() / "patients"
        return examples if examples.is_dir() else Path.home()

    # ------------------------------------------------------------ the check

    def _patient(self) -> Patient | None:
        try:
            return Patient.from_json(self.form.to_json(), "The form")
        except PatientFileError as error:
            self._say(str(error), error=True)
            return None

    def run(self) -> None:
        """Check the patient against the chosen trials, in the background."""
        patient = self._patient()
        if patient is None:
            return
        self.save_values()
        ids = None if self.whole_library.isChecked() or not self.selected_ids else list(self.selected_ids)
        if self.task is not None:
            self.task.cancel()
        self._say("Checking the whole library…" if ids is None else f"Checking {len(ids)} trial(s)…")
        self.check_button.setEnabled(False)
        self.task = tasks.start(
            run_check,
            self.library,
            patient,
            ids,
            SHOWN_TRIALS,
            on_finished=self._shown,
            on_failed=self._failed,
        )

    def _failed(self, message: str, _details: str = "") -> None:
        self.check_button.setEnabled(True)
        self._say(f"The check stopped: {message}", error=True)

    def _shown(self, found) -> None:
        self.check_button.setEnabled(True)
        if found is None:
            return
        result, titles = found
        self.result = result
        self.results.clear()
        bold = QFont(self.results.font())
        bold.setBold(True)
        for place, match in enumerate(result.matches, 1):
            title = titles.get(match.registry_id, "")
            verdict = "✗ fails" if match.verdict == FAILS else "possible"
            top = QTreeWidgetItem([f"{place}. {match.registry_id}  {title}", verdict, match.summary(), ""])
            top.setData(0, ITEM_ROLE, (match.registry_id, None, None))
            top.setToolTip(0, title)
            top.setToolTip(2, match.summary())
            for column in range(3):
                top.setFont(column, bold)
            top.setForeground(1, self._brush(FAILS if match.verdict == FAILS else MEETS))
            for check in match.checks:
                scope = f"[{check.scope}] " if check.scope else ""
                where = ", ".join(ref.label for ref in check.items)
                child = QTreeWidgetItem(
                    [f"{scope}{check.requirement.title}", STATUS_WORDS[check.status], check.reason, where]
                )
                first = check.items[0] if check.items else None
                child.setData(
                    0,
                    ITEM_ROLE,
                    (match.registry_id, first.kind.value if first else None, first.path if first else None),
                )
                child.setForeground(1, self._brush(check.status))
                child.setToolTip(2, check.reason)
                child.setToolTip(3, where)
                top.addChild(child)
            self.results.addTopLevelItem(top)
            top.setExpanded(place <= 3 or len(result.matches) <= 10)
        failing = result.checked - result.possible
        shown = f"; the first {len(result.matches)} shown" if len(result.matches) < result.checked else ""
        missing = f" Not in the library: {', '.join(result.missing)}." if result.missing else ""
        self._say(f"{result.checked:,} trial(s) checked for {result.patient.summary()}: {result.possible:,} possible, "
                  f"{failing:,} failing{shown}.{missing}")  # fmt: skip
        if self.results.topLevelItemCount():
            self.results.setCurrentItem(self.results.topLevelItem(0))
        self.sig_checked.emit()

    def _brush(self, status: str) -> QBrush:
        light, dark = STATUS_COLORS[status]
        return QBrush(QColor(dark if is_dark(self.palette()) else light))

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        registry_id, kind, key = item.data(0, ITEM_ROLE)
        self.sig_open_item.emit(registry_id, kind, key)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        color = STATUS_COLORS[FAILS][1 if is_dark(self.palette()) else 0]
        self.message.setStyleSheet(f"color: {color};" if error else "")
