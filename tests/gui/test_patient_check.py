"""The patient check tab with real widgets on the sample library: values typed and chosen, the check
run in the background, the verdicts shown, a requirement opening its trial at the criterion; the
values remembered, a patient file loaded, saved and refused."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from reviewer.core.match.patient import Patient
from reviewer.gui.views.patient_check import PatientCheckView
from reviewer.gui.views.trial_view import TrialView
from tests.conftest import REPO_ROOT

EXAMPLE = REPO_ROOT / "resources" / "patients" / "example.json"


def type_into(qtbot, spin, text: str) -> None:
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, text)
    spin.interpretText()


def choose(combo, data) -> None:
    combo.setCurrentIndex(combo.findData(data))


def run_check(qtbot, view: PatientCheckView) -> None:
    with qtbot.waitSignal(view.sig_checked, timeout=20000):
        qtbot.mouseClick(view.check_button, Qt.MouseButton.LeftButton)


def trial_rows(view: PatientCheckView) -> dict[str, object]:
    rows = {}
    for i in range(view.results.topLevelItemCount()):
        item = view.results.topLevelItem(i)
        rows[item.data(0, Qt.ItemDataRole.UserRole)[0]] = item
    return rows


def child_row(top, title: str):
    return next(top.child(i) for i in range(top.childCount()) if top.child(i).text(0) == title)


def test_enter_values_run_and_see_the_verdicts(window, qtbot):
    window.action_patient_check.trigger()
    view = window.workspace.currentWidget()
    assert isinstance(view, PatientCheckView) and view.whole_library.isChecked()
    form = view.form
    type_into(qtbot, form.age, "64")
    choose(form.sex, "female")
    choose(form.ecog, 3)
    choose(form.brain, "none")
    platelets = form.labs["platelets"]
    type_into(qtbot, platelets.value, "150")
    assert platelets.unit.currentData() == "10^9/L"
    run_check(qtbot, view)

    rows = trial_rows(view)
    assert set(rows) == {"NCT02455596", "NCT06924645", "NCT07312656"}
    assert "3 trial(s) checked" in view.message.text()
    mesenchymal = rows["NCT07312656"]
    assert mesenchymal.text(1) == "✗ fails" and mesenchymal.text(2) == "fails on 1 requirement"
    ecog = child_row(mesenchymal, "Performance status (ECOG)")
    assert (
        ecog.text(1) == "✗ fails"
        and ecog.text(2) == "ECOG 3 not allowed: 0-2"
        and ecog.text(3) == "Inclusion criterion 4"
    )
    assert child_row(mesenchymal, "Platelets").text(2) == "150 ×10⁹/L allowed: ≥ 100 ×10⁹/L"
    assert rows["NCT06924645"].text(2).startswith("possible")  # ECOG 1-3
    assert view.results.indexOfTopLevelItem(rows["NCT06924645"]) < view.results.indexOfTopLevelItem(
        mesenchymal
    )

    # Enter on a requirement opens its trial at the criterion that decides
    view.results.setFocus()
    view.results.setCurrentItem(ecog)
    qtbot.keyClick(view.results, Qt.Key.Key_Return)
    opened = window.workspace.currentWidget()
    assert isinstance(opened, TrialView) and opened.registry_id == "NCT07312656"
    assert opened.highlighted == ("criterion", "inclusion/4")


def test_the_selected_trials_only_and_enter_in_a_field_checks(window, qtbot):
    model = window.library.model
    window.library.select_rows([r for r in range(model.total()) if model.registry_id_at(r) == "NCT02455596"])
    view = window.open_patient_check()
    assert view.only_selected.isEnabled() and view.only_selected.text() == "The selected t&rials (1)"
    view.only_selected.setChecked(True)
    choose(view.form.brain, "active")
    view.form.age.setFocus()
    with qtbot.waitSignal(view.sig_checked, timeout=20000):
        qtbot.keyClick(view.form.age, Qt.Key.Key_Return)
    (row,) = trial_rows(view).values()
    assert row.text(2) == "fails on 1 requirement"
    brain = child_row(row, "Brain metastases")
    assert brain.text(2) == "active brain metastases not allowed: excluded"


def test_values_are_remembered_between_sessions(window, qtbot, data_dir):
    view = window.open_patient_check()
    type_into(qtbot, view.form.age, "51")
    view.form.biomarkers.setText("EGFR L858R; ALK negative")
    window.close_current_tab()
    qtbot.wait(10)
    from reviewer.gui.settings import Settings

    remembered = Settings(data_dir).patient_check()["patient"]
    assert remembered["age"] == 51 and remembered["biomarkers"] == {"EGFR": "L858R", "ALK": "negative"}
    again = window.open_patient_check()
    assert again is not view and again.form.age.value() == 51
    assert again.form.biomarkers.text() == "EGFR L858R; ALK negative"


def test_load_save_and_a_bad_file(window, qtbot, tmp_path):
    view = window.open_patient_check()
    assert view.load_file(EXAMPLE)
    assert view.form.ecog.currentData() == 1 and view.form.labs["anc"].value.value() == 1500
    assert view.form.labs["anc"].unit.currentData() == "/uL"
    assert view.form.labs["creatinine"].uln.value() == 90
    saved = tmp_path / "again.json"
    assert view.save_file(saved)
    assert Patient.load(saved) == Patient.load(EXAMPLE)
    run_check(qtbot, view)
    shown = view.results.topLevelItemCount()

    bad = tmp_path / "bad.json"
    bad.write_text('{"labs": {"anc": {"value": 1.5, "unit": "mg/dL"}}}', encoding="utf-8")
    assert not view.load_file(bad)
    assert view.message.text() == (
        f'{bad}: the unit "mg/dL" of "anc" cannot be converted (its units: /uL, 10^9/L)'
    )
    assert view.form.ecog.currentData() == 1 and view.results.topLevelItemCount() == shown  # nothing lost
    view.form.biomarkers.setText("EGRF L858R")
    view.run()
    assert view.message.text().startswith('The form: unknown gene "EGRF"')
    assert json.loads(saved.read_text())["biomarkers"]["EGFR"] == "L858R"
