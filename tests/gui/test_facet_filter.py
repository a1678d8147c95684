"""The library panel's Facets box on the sample library: the neuroendocrine seeds allow ECOG 1-3
(NCT06924645) and 0-2 (NCT02455596, which excludes brain metastases); NCT07312656 allows ECOG 0-2
and wants platelets >= 100 x10^9/L, which the two others do not state."""

from __future__ import annotations

from PySide6.QtCore import Qt

from reviewer.core.facet_filters import parse_facet

from .test_library import column_values


def stored_ecog(library) -> dict[str, tuple]:
    return {
        registry_id: requirements[("performance:ECOG", None)].value
        for registry_id, requirements in library.requirements()
        if ("performance:ECOG", None) in requirements
    }


def type_facets(qtbot, panel, text: str) -> None:
    panel.facets.clear()
    with qtbot.waitSignal(panel.model.sig_loaded, timeout=5000):
        qtbot.keyClicks(panel.facets, text)
        qtbot.keyClick(panel.facets, Qt.Key.Key_Return)


def test_the_facets_box_filters_the_list_and_keeps_the_other_filters(window, qtbot):
    panel, library = window.library, window.lib
    assert stored_ecog(library) == {
        "NCT06924645": (1, 2, 3),
        "NCT02455596": (0, 1, 2),
        "NCT07312656": (0, 1, 2),
    }
    type_facets(qtbot, panel, "ecog=3")
    assert column_values(panel.model) == ["NCT06924645"]
    assert panel.count_label.text().startswith("1 trial")
    assert "ECOG 3 allowed" in panel.facets.toolTip() and "states nothing" in panel.facets.toolTip()
    type_facets(qtbot, panel, "platelets=80 10^9/L")  # the trials that state nothing about it pass
    assert column_values(panel.model) == ["NCT02455596", "NCT06924645"]
    type_facets(qtbot, panel, "ecog=0, brain-mets")
    assert column_values(panel.model) == ["NCT07312656"]
    type_facets(qtbot, panel, "ecog=0")
    assert column_values(panel.model) == ["NCT02455596", "NCT07312656"]
    with qtbot.waitSignal(panel.model.sig_loaded):
        panel.filters["statuses"].set_checked(["NOT_YET_RECRUITING"])
    assert column_values(panel.model) == ["NCT07312656"]
    assert panel.current_filter().facets == (parse_facet("ecog=0"),)
    assert panel.current_filter().statuses == ["NOT_YET_RECRUITING"]
    with qtbot.waitSignal(panel.model.sig_loaded):
        panel.facets.clear()  # what the clear button does: the status filter alone again
    assert column_values(panel.model) == ["NCT06924645", "NCT07312656"]
    assert panel.current_filter().facets == ()


def test_text_that_does_not_read_is_kept_and_says_why(window, qtbot):
    panel = window.library
    type_facets(qtbot, panel, "ecog=3")
    shown = column_values(panel.model)
    qtbot.keyClicks(panel.facets, ", anc=1 mg/dL")
    qtbot.keyClick(panel.facets, Qt.Key.Key_Return)
    assert panel.facets.text() == "ecog=3, anc=1 mg/dL"  # never lost
    assert panel.facets.problem.isVisible()
    assert (
        panel.facets.problem.text() == "Facets: 'anc=1 mg/dL': 'mg/dL' is not a unit of ANC (use /uL, 10^9/L)"
    )
    assert column_values(panel.model) == shown and panel.current_filter().facets == (parse_facet("ecog=3"),)
    panel.facets.setText("ecog=3, anc=1 10^9/L")  # fixed: applied once it reads
    with qtbot.waitSignal(panel.model.sig_loaded, timeout=5000):
        panel.facets.apply()
    assert not panel.facets.problem.isVisible()


def test_completion_offers_the_conditions_after_the_last_comma(window, qtbot):
    panel = window.library
    qtbot.keyClicks(panel.facets, "ecog=1, plat")
    completer = panel.facets.completer()
    assert completer is not None and completer.splitPath(panel.facets.text()) == ["plat"]
    # the conditions before the last comma are kept; both platelet completions are offered
    assert completer.completionCount() == 2 and completer.currentCompletion() == "ecog=1, platelets="
