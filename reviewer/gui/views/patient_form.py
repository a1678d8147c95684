"""The patient check's form: a patient's values in spin boxes, combos and unit choices, read and
written as the patient file's JSON (core.match documents it), so the form, a saved file and the
remembered values are one shape and one validation (Patient.from_json).

Every field can be left "not given" (a spin box at its minimum shows "—"); a lab's unit is chosen
from the units the facets convert; a lab in a unit other than × ULN can carry the lab's ULN, so a
trial's "≤ 1.5 × ULN" can be tested. Labs of a loaded file that the form has no row for are kept.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...core.facets import rules
from ...core.match.patient import BRAIN_STATES, LAB_CONDITIONS, XULN, canonical_unit, gene_name
from ...core.profile import ANALYTE_TITLES, UNIT_TEXT

# the labs trials most often bound, in the order a clinician reads a blood panel
FORM_LABS = ("anc", "wbc", "platelets", "hemoglobin", "creatinine", "creatinine_clearance", "egfr", "bilirubin",
             "ast", "alt", "alp", "albumin", "inr", "lvef", "qtc")  # fmt: skip
# the unit offered first (what most protocols and lab reports use)
FIRST_UNIT = {"anc": "10^9/L", "wbc": "10^9/L", "platelets": "10^9/L", "hemoglobin": "g/dL", "creatinine": "umol/L",
              "bilirubin": "umol/L", "albumin": "g/L", "ast": "U/L", "alt": "U/L", "alp": "U/L"}  # fmt: skip
ECOG_WORDS = ("fully active", "light work", "self-care, up > 50%", "limited self-care", "bedbound", "dead")
NOT_GIVEN = "—"
YES_NO = (("pregnant", "Pregnant"), ("breastfeeding", "Breastfeeding"), ("measurable_disease", "Measurable disease"),
          ("consent", "Consents"), ("contraception", "Will use contraception"),
          ("active_infection", "Active infection"), ("other_malignancy", "Another malignancy"))  # fmt: skip


def _unit_text(unit: str | None) -> str:
    return "no unit" if unit is None else "× ULN" if unit == XULN else UNIT_TEXT.get(unit, unit)


class LabRow:
    """One analyte's value, unit and ULN widgets."""

    def __init__(self, analyte: str, parent: QWidget):
        self.analyte = analyte
        title = ANALYTE_TITLES.get(analyte, analyte)
        self.label = QLabel(title, parent)
        self.value = QDoubleSpinBox(parent)
        self.value.setRange(-1, 1_000_000)
        self.value.setDecimals(2)
        self.value.setSpecialValueText(NOT_GIVEN)
        self.value.setValue(-1)
        self.value.setAccessibleName(f"{title} value")
        self.label.setBuddy(self.value)
        units = [u for u in rules.ANALYTE_UNITS.get(analyte, frozenset()) if u is not None]
        first = FIRST_UNIT.get(analyte)
        units.sort(key=lambda u: (u != first, u == XULN, u))
        self.value.setMaximumWidth(130)
        self.unit = QComboBox(parent)
        self.unit.setAccessibleName(f"{title} unit")
        for unit in units or [None]:
            self.unit.addItem(_unit_text(unit), unit)
        self.unit.setEnabled(len(units) > 1)
        self.uln = QDoubleSpinBox(parent)
        self.uln.setRange(0, 1_000_000)
        self.uln.setDecimals(2)
        self.uln.setSpecialValueText("ULN " + NOT_GIVEN)
        self.uln.setPrefix("")
        self.uln.setAccessibleName(f"{title} upper limit of normal")
        self.uln.setMaximumWidth(120)
        self.uln.setToolTip(
            f"The lab's upper limit of normal for {title}, in the same unit: lets a trial's × ULN bound be tested"
        )
        self.has_uln = XULN in units
        self.uln.setVisible(self.has_uln)
        self.unit.currentIndexChanged.connect(lambda _i: self._unit_changed())
        self._unit_changed()

    def widgets(self) -> list[QWidget]:
        return [self.label, self.value, self.unit, self.uln]

    def _unit_changed(self) -> None:
        self.uln.setEnabled(self.has_uln and self.unit.currentData() != XULN)

    def to_json(self) -> dict | None:
        if self.value.value() < 0:
            return None
        entry = {"value": round(self.value.value(), 4)}
        if self.unit.currentData() is not None:
            entry["unit"] = self.unit.currentData()
        if self.uln.isEnabled() and self.uln.value() > 0:
            entry["uln"] = round(self.uln.value(), 4)
        return entry

    def set_json(self, entry: dict | None) -> None:
        if not entry:
            self.value.setValue(-1)
            self.uln.setValue(0)
            return
        unit = entry.get("unit")
        unit = canonical_unit(unit) if isinstance(unit, str) else unit
        index = self.unit.findData(unit)
        if index >= 0:
            self.unit.setCurrentIndex(index)
        value = entry.get("value")
        self.value.setValue(float(value) if isinstance(value, int | float) else -1)
        uln = entry.get("uln")
        self.uln.setValue(float(uln) if isinstance(uln, int | float) else 0)


class PatientForm(QWidget):
    """The patient's values; ``to_json()`` is the patient file's JSON, ``set_json`` fills the form."""

    sig_submit = Signal()  # Enter in a field: check now
    sig_changed = Signal()  # a value was changed (typed, chosen or loaded)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._other_labs: dict = {}
        self._other_fields: dict = {}

        self.label = QLineEdit(self)
        self.label.setPlaceholderText("e.g. Mrs A, clinic 12 May (optional)")
        self.label.setAccessibleName("Patient label")
        self.age = self._spin(-1, 125, "Age", " years")
        self.sex = self._combo("Sex", [(NOT_GIVEN, None), ("Female", "female"), ("Male", "male")])
        self.ecog = self._combo(
            "ECOG", [(NOT_GIVEN, None)] + [(f"{n}  {w}", n) for n, w in enumerate(ECOG_WORDS)]
        )
        self.karnofsky = self._combo(
            "Karnofsky", [(NOT_GIVEN, None)] + [(str(n), n) for n in range(100, -1, -10)]
        )
        self.karnofsky.setToolTip(
            "Read as ECOG where the trial states ECOG (ECOG-ACRIN: 100 = 0, 80-90 = 1, 60-70 = 2, 40-50 = 3, 10-30 = 4)"
        )
        self.brain = self._combo(
            "Brain metastases",
            [(NOT_GIVEN, None)] + [(text.capitalize(), key) for key, text in BRAIN_STATES.items()],
        )
        self.prior_lines = self._spin(-1, 30, "Prior lines of therapy", "")
        self.life_expectancy = self._spin(-1, 600, "Life expectancy", " months")
        self.yes_no = {
            key: self._combo(text, [(NOT_GIVEN, None), ("Yes", True), ("No", False)]) for key, text in YES_NO
        }
        self.yes_no["active_infection"].setToolTip("HIV, hepatitis B or C, or another active infection")
        self.biomarkers = QLineEdit(self)
        self.biomarkers.setAccessibleName("Biomarkers")
        self.biomarkers.setPlaceholderText("EGFR L858R; ALK negative; PD-L1 TPS 60%")
        self.biomarkers.setToolTip(
            "Gene, then its status, separated by ; — a variant (L858R, exon 19 deletion), positive, mutation, "
            "amplification, negative, wild-type, or a PD-L1 score (TPS 60%). Genes: "
            + ", ".join(g for g, _ in rules.GENES)
        )
        for edit in (self.label, self.biomarkers):
            edit.returnPressed.connect(self.sig_submit)
        self.conditions = {name: QCheckBox(name[0].upper() + name[1:], self) for name in LAB_CONDITIONS}
        self.labs = {analyte: LabRow(analyte, self) for analyte in FORM_LABS}
        for row in self.labs.values():
            row.value.lineEdit().returnPressed.connect(self.sig_submit)

        person = QGroupBox("Patient", self)
        form = QFormLayout(person)
        form.addRow("&Label", self.label)
        form.addRow("&Age", self.age)
        form.addRow("Se&x", self.sex)
        form.addRow("EC&OG", self.ecog)
        form.addRow("&Karnofsky", self.karnofsky)
        form.addRow("&Brain metastases", self.brain)
        form.addRow("&Prior lines", self.prior_lines)
        form.addRow("L&ife expectancy", self.life_expectancy)
        for key, text in YES_NO:
            form.addRow(text, self.yes_no[key])
        form.addRow("Bio&markers", self.biomarkers)
        conditions = QGridLayout()
        for number, box in enumerate(self.conditions.values()):
            box.setToolTip(
                "Trials set other lab limits for these patients (e.g. ALT ≤ 5 × ULN with liver metastases)"
            )
            conditions.addWidget(box, number // 2, number % 2)
        form.addRow("Conditions", conditions)

        labs = QGroupBox("Laboratory values", self)
        grid = QGridLayout(labs)
        grid.setColumnStretch(1, 1)
        for header_column, text in ((1, "Value"), (2, "Unit"), (3, "ULN (same unit)")):
            heading = QLabel(text, labs)
            heading.setEnabled(False)
            grid.addWidget(heading, 0, header_column)
        for row_number, row in enumerate(self.labs.values(), 1):
            for column, widget in enumerate(row.widgets()):
                grid.addWidget(widget, row_number, column)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(person)
        layout.addWidget(labs)
        layout.addStretch(1)

        for spin in self.findChildren(QSpinBox) + self.findChildren(QDoubleSpinBox):
            spin.valueChanged.connect(self.sig_changed)
        for combo in self.findChildren(QComboBox):
            combo.currentIndexChanged.connect(self.sig_changed)
        for box in self.conditions.values():
            box.toggled.connect(self.sig_changed)
        for edit in (self.label, self.biomarkers):
            edit.textChanged.connect(self.sig_changed)

    def _spin(self, low: int, high: int, name: str, suffix: str) -> QSpinBox:
        spin = QSpinBox(self)
        spin.setRange(low, high)
        spin.setSpecialValueText(NOT_GIVEN)
        spin.setSuffix(suffix)
        spin.setValue(low)
        spin.setAccessibleName(name)
        spin.lineEdit().returnPressed.connect(self.sig_submit)
        return spin

    def _combo(self, name: str, choices: list[tuple[str, object]]) -> QComboBox:
        combo = QComboBox(self)
        combo.setAccessibleName(name)
        # as narrow as a dozen characters: the form fits beside the results (the list pops up wide)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(12)
        for text, data in choices:
            combo.addItem(text, data)
        return combo

    # ------------------------------------------------------------ the JSON

    def to_json(self) -> dict:
        """The patient file's JSON of what the form holds (fields not given are left out); the
        biomarkers' text is parsed leniently here, and checked by Patient.from_json."""
        data: dict = dict(self._other_fields)
        if self.label.text().strip():
            data["label"] = self.label.text().strip()
        for key, spin in (("age", self.age), ("prior_lines", self.prior_lines)):
            if spin.value() >= 0:
                data[key] = spin.value()
        if self.life_expectancy.value() >= 0:
            data["life_expectancy"] = {"value": self.life_expectancy.value(), "unit": "months"}
        for key, combo in (("sex", self.sex), ("ecog", self.ecog), ("karnofsky", self.karnofsky),
                           ("brain_metastases", self.brain), *self.yes_no.items()):  # fmt: skip
            if combo.currentData() is not None:
                data[key] = combo.currentData()
        labs = dict(self._other_labs)
        for analyte, row in self.labs.items():
            entry = row.to_json()
            if entry is not None:
                labs[analyte] = entry
        if labs:
            data["labs"] = labs
        conditions = [name for name, box in self.conditions.items() if box.isChecked()]
        if conditions:
            data["conditions"] = conditions
        biomarkers = parse_biomarkers(self.biomarkers.text())
        if biomarkers:
            data["biomarkers"] = biomarkers
        return data

    def set_json(self, data: dict) -> None:
        """Fill the form from a patient's JSON (a loaded file, the remembered values); one
        sig_changed at the end."""
        blocked = self.blockSignals(True)
        try:
            self._fill(data if isinstance(data, dict) else {})
        finally:
            self.blockSignals(blocked)
        self.sig_changed.emit()

    def _fill(self, data: dict) -> None:
        self.label.setText(str(data.get("label") or ""))
        for key, spin in (("age", self.age), ("prior_lines", self.prior_lines)):
            value = data.get(key)
            spin.setValue(
                int(value)
                if isinstance(value, int | float) and not isinstance(value, bool)
                else spin.minimum()
            )
        life = data.get("life_expectancy")
        months = None
        if isinstance(life, dict) and isinstance(life.get("value"), int | float):
            per_month = {"days": 1 / 30, "weeks": 7 / 30, "months": 1, "years": 12}
            months = life["value"] * per_month.get(str(life.get("unit") or "months").rstrip("s") + "s", 1)
        self.life_expectancy.setValue(round(months) if months is not None else -1)
        for key, combo in (("sex", self.sex), ("ecog", self.ecog), ("karnofsky", self.karnofsky),
                           ("brain_metastases", self.brain), *self.yes_no.items()):  # fmt: skip
            value = data.get(key)
            if isinstance(value, str):
                value = value.lower()
            index = combo.findData(value) if value is not None else 0
            combo.setCurrentIndex(max(index, 0))
        labs = data.get("labs") if isinstance(data.get("labs"), dict) else {}
        labs = {str(k).strip().lower(): v for k, v in labs.items()}
        for analyte, row in self.labs.items():
            row.set_json(labs.get(analyte) if isinstance(labs.get(analyte), dict) else None)
        self._other_labs = {k: v for k, v in labs.items() if k not in self.labs}
        chosen = {str(c).lower() for c in data.get("conditions") or [] if isinstance(c, str)}
        for name, box in self.conditions.items():
            box.setChecked(name.lower() in chosen)
        self.biomarkers.setText(biomarkers_text(data.get("biomarkers")))
        shown = {"label", "age", "prior_lines", "life_expectancy", "sex", "ecog", "karnofsky", "brain_metastases",
                 "labs", "conditions", "biomarkers", *self.yes_no}  # fmt: skip
        self._other_fields = {k: v for k, v in data.items() if k not in shown}

    def kept_from_file(self) -> str:
        """What a loaded file held that the form has no field for (kept in the check and on saving)."""
        names = sorted(self._other_labs) + sorted(self._other_fields)
        return ", ".join(names)

    def clear(self) -> None:
        self.set_json({})


_BIOMARKER_SPLIT = re.compile(r"\s*[;\n]\s*")


def parse_biomarkers(text: str) -> dict[str, str | list[str]]:
    """ "EGFR L858R; ALK negative; EGFR T790M" -> {"EGFR": ["L858R", "T790M"], "ALK": "negative"}; a
    gene written without a status is kept with an empty one, for Patient.from_json to name it."""
    found: dict[str, list[str]] = {}
    for part in _BIOMARKER_SPLIT.split(text.strip()):
        if not part:
            continue
        gene, _, status = part.partition(" ")
        name = gene_name(gene) or gene
        found.setdefault(name, []).append(status.strip())
    return {gene: statuses[0] if len(statuses) == 1 else statuses for gene, statuses in found.items()}


def biomarkers_text(biomarkers) -> str:
    if not isinstance(biomarkers, dict):
        return ""
    parts = []
    for gene, statuses in biomarkers.items():
        for status in (
            [statuses] if isinstance(statuses, str) else statuses if isinstance(statuses, list) else []
        ):
            parts.append(f"{gene} {status}")
    return "; ".join(parts)
