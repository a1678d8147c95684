"""The library panel's Facets box: eligibility conditions typed in the command line's --facet syntax
("ecog=2, anc=1.0 10^9/L, brain-mets"), completed as they are typed, applied when they read.

``sig_changed`` carries the conditions (core.facet_filters.FacetCondition) each time the text reads
as a different set of them; text that does not read keeps the last conditions applied, stays as
typed, and says what is wrong beside the box. The syntax module loads the facet rules, so it is
imported at the first keystroke, not at start-up.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import QCompleter, QLabel, QLineEdit

from ..icons import icon

APPLY_DELAY_MS = 400
TOOLTIP = (
    "<b>Facets</b>: eligibility conditions, separated by commas. A trial is kept unless its criteria "
    "rule the value out; <b>a trial that states nothing about a facet is kept</b>, and so is one "
    "whose requirement holds for one cohort or part only.<br><br>"
    "<code>ecog=2</code>, <code>karnofsky=70</code>: the score is allowed<br>"
    "<code>anc=1.0 10^9/L</code>, <code>creatinine=1.4 mg/dL</code>, <code>bilirubin=2 xULN</code>: "
    "a patient with this value is accepted (units are converted)<br>"
    "<code>brain-mets</code>: brain metastases allowed (stable ones at least)<br>"
    "<code>age=70</code>, <code>sex=female</code>: accepted<br>"
    "<code>gene=EGFR</code>: the trial requires an EGFR biomarker"
)
_LAST_PART = re.compile(r"[^,;]*$")


class _LastPartCompleter(QCompleter):
    """Completes the condition being typed (after the last comma), keeping the ones before it."""

    def splitPath(self, path: str) -> list[str]:  # noqa: N802 (Qt's name)
        return [_LAST_PART.search(path).group(0).lstrip()]

    def pathFromIndex(self, index) -> str:  # noqa: N802 (Qt's name)
        text = self.widget().text()
        before = text[: _LAST_PART.search(text).start()]
        return (before.rstrip() + " " if before else "") + str(index.data())


class FacetFilterEdit(QLineEdit):
    sig_changed = Signal(tuple)  # the conditions now applied

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("facetFilter")
        self.setAccessibleName("Facets filter")
        self.setPlaceholderText("Facets: ecog=2, anc=1.0 10^9/L, brain-mets…")
        self.setClearButtonEnabled(True)
        self.addAction(icon("filter"), QLineEdit.ActionPosition.LeadingPosition)
        self.setToolTip(TOOLTIP)
        self.conditions: tuple = ()
        self.problem = QLabel(parent)  # beside the box: what does not read, in one sentence
        self.problem.setObjectName("facetProblem")
        self.problem.setWordWrap(True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setStyleSheet("color: #d84315")  # deep orange: reads on the light and the dark palette
        self.problem.hide()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(APPLY_DELAY_MS)
        self._timer.timeout.connect(self.apply)
        self.textEdited.connect(self._edited)
        self.textChanged.connect(lambda text: text or self.apply())  # the clear button
        self.returnPressed.connect(self.apply)

    def _edited(self, _text: str) -> None:
        if self.completer() is None:
            from ...core.facet_filters import ANALYTES, BRAIN_METASTASES, EXAMPLES, GENES, SCALES

            words = [*(f"{s}=" for s in SCALES), *(f"{a}=" for a in ANALYTES), BRAIN_METASTASES[0],
                     "age=", "sex=female", "sex=male", *(f"gene={g}" for g in GENES), *EXAMPLES]  # fmt: skip
            completer = _LastPartCompleter(QStringListModel(sorted(set(words)), self), self)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
            self.setCompleter(completer)
        self._timer.start()

    def apply(self) -> None:
        """Read the text now; a change of conditions is signalled, a problem shown."""
        from ...core.facet_filters import FacetSyntaxError, parse_facets

        self._timer.stop()
        try:
            conditions = tuple(parse_facets(self.text()))
        except FacetSyntaxError as error:
            self.problem.setText(f"Facets: {error}")
            self.problem.show()
            return
        self.problem.hide()
        shown = ", ".join(c.label for c in conditions)
        self.setToolTip(f"{shown}<br><br>{TOOLTIP}" if shown else TOOLTIP)
        if conditions != self.conditions:
            self.conditions = conditions
            self.sig_changed.emit(conditions)

    def set_text(self, text: str) -> None:
        """Show and apply ``text`` (remembered conditions)."""
        self.setText(text)
        self.setCursorPosition(0)
        self.apply()
