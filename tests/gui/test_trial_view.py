"""The trial view shows each sample trial's values in the right sections, and never runs its text as markup."""

from __future__ import annotations

from reviewer.core.record import Arm, Criterion, Eligibility, Intervention, Outcome, TrialRecord
from reviewer.gui import trial_html


def test_mucositis_trial_outcome_and_arms(window):
    view = window.open_trial("NCT07312656")
    outcomes = view.section_text("outcomes")
    assert "Primary outcomes" in outcomes
    assert "The incidence of grade ≥3 radiation-induced oral mucositis" in outcomes
    assert "Within 90 days from the initiation to the completion of radiotherapy" in outcomes
    arms = view.section_text("arms")
    assert "experimental group" in arms and "control group" in arms
    assert "mesenchymal stem cell-derived exosomes" in arms
    # the primary outcome is not in another section
    assert "grade ≥3 radiation-induced oral mucositis" not in view.section_text("eligibility")
    header = view.page_text().split("Overview")[0]
    for value in ("NCT07312656", "Not yet recruiting", "Phase 2", "200", "2026-01"):
        assert value in header


def test_arms_matrix_marks_who_gets_what(window):
    view = window.open_trial("NCT07312656")
    html = view.rendered.html
    matrix = html.split('<table class="grid"')[1].split("</table>")[0]
    rows = matrix.split("<tr>")
    header, intervention_row = rows[1], rows[2]
    assert header.index("experimental group") < header.index("control group")
    cells = intervention_row.split('<td class="mark"')[1:]
    assert ["●" in cell for cell in cells] == [True, False]  # only the experimental group gets the spray


def test_outcomes_not_in_source_differ_from_none(window):
    view = window.open_trial("NCT06924645")
    assert "Not in source" in view.section_text("outcomes")
    assert (
        '<span class="nis">Not in source</span>'
        in view.rendered.html.split('name="sec-outcomes"')[1].split("sec-results")[0]
    )
    eligibility = view.section_text("eligibility")
    assert "Age ≥18 years, regardless of gender;" in eligibility
    assert "Inclusion criteria" in eligibility and "Exclusion criteria" in eligibility


def test_eligibility_items_are_numbered_and_anchored(window):
    view = window.open_trial("NCT02455596")
    assert view.rendered.anchor_of("criterion", "inclusion/2") is not None
    text = view.section_text("eligibility")
    assert "2. At least 18 years old." in text
    assert view.show_item("criterion", "inclusion/2")
    assert view.highlighted == ("criterion", "inclusion/2")
    assert view.browser.extraSelections()


def test_versions_and_source(window, qtbot):
    view = window.open_trial("NCT07312656")
    versions = view.section_text("versions")
    assert "001_ff9342c9be19cd9f.txt" in versions and "current" in versions
    view.show_source()
    assert view.tabs.currentIndex() == 1
    assert "NCT07312656" in view.source.toPlainText()
    assert "bytes" in view.source_info.text()


def test_hostile_text_is_shown_not_run():
    record = TrialRecord(
        registry_id="NCT00000001",
        brief_title='<img src="file:///etc/passwd"><script>alert(1)</script> & more',
        conditions=["<b>bold</b>"],
        arms=[Arm("<i>arm</i>", "EXPERIMENTAL", "a <a href='x'>link</a>")],
        interventions=[Intervention("<u>drug</u>", "DRUG", arm_labels=["<i>arm</i>"])],
        eligibility=Eligibility(inclusion=[Criterion("age <18 & >2", [Criterion("<hr>")])]),
        outcomes=[Outcome("primary", "<table>", "</p>")],
    )
    page = trial_html.render_trial(record)
    for raw in ("<img", "<script", "<b>bold", "<i>arm", "<a href='x'", "<u>drug", "<hr>", "<table>"):
        assert raw not in page.html
    assert "&lt;script&gt;" in page.html and "age &lt;18 &amp; &gt;2" in page.html
    assert ("criterion", "inclusion/1.1") in page.items


def test_lists_absent_and_empty_read_differently():
    absent = trial_html.render_trial(
        TrialRecord(registry_id="NCT1", outcomes=None, arms=None, interventions=None)
    )
    empty = trial_html.render_trial(TrialRecord(registry_id="NCT1", outcomes=[], arms=[], interventions=[]))
    outcomes_of = lambda page: page.html.split('name="sec-outcomes"')[1].split('name="sec-results"')[0]  # noqa: E731
    assert "Not in source" in outcomes_of(absent) and "None" not in outcomes_of(absent)
    assert "Not in source" not in outcomes_of(empty) and '<span class="none">None</span>' in outcomes_of(
        empty
    )


def test_palette_change_keeps_the_page(window, qtbot):
    from reviewer.gui import theme

    view = window.open_trial("NCT07312656")
    view.setPalette(theme.dark_palette())
    assert "The incidence of grade ≥3" in view.section_text("outcomes")
    assert view.browser.document().defaultStyleSheet()


def test_orphaned_notes_keep_their_quote():
    record = TrialRecord(registry_id="NCT1", eligibility=Eligibility(inclusion=[Criterion("Adults")]))
    notes = [
        {"item_kind": "criterion", "item_key": "inclusion/1", "tag": "ok", "body": "fine", "orphaned": False},
        {
            "item_kind": "criterion",
            "item_key": "inclusion/9",
            "tag": "concern",
            "body": "was <this> right?",
            "quote": "Children <12",
            "orphaned": True,
        },
    ]
    page = trial_html.render_trial(record, notes=notes)
    assert 'class="badge-ok">&nbsp;ok&nbsp;1' in page.html
    orphans = page.html.split('name="sec-orphans"')[1]
    assert "Inclusion criterion 9" in orphans and "was &lt;this&gt; right?" in orphans
    assert "Children &lt;12" in orphans


def test_the_trial_page_has_an_anchor_for_each_section_a_note_can_sit_on():
    from reviewer.core.items import SECTIONS
    from reviewer.core.presentation.trial import present

    page = trial_html.render_trial(TrialRecord(registry_id="NCT1"))
    shown = [key for kind, key in page.items if kind == "section"]
    assert set(present(TrialRecord(registry_id="NCT1")).sections) == {key for key, _title in SECTIONS}
    assert shown == [key for key, _title in SECTIONS][: len(shown)] and len(shown) >= 7  # versions, source: when known


def test_results_are_shown_as_tables_with_a_badge(window, library, corpus_dir):
    from reviewer.core.ingest import import_paths

    paths = [corpus_dir / "ctgov-v2" / f"{i}.json" for i in ("NCT00931528", "NCT02513394")]
    assert not import_paths(library.store, paths).failed
    view = window.open_trial("NCT00931528")
    assert "Results posted" in view.page_text().split("Overview")[0]
    results = view.section_text("results").replace("\ufdd0", "|")  # Qt's mark between table cells
    for expected in ("Participant flow", "Started|121|121", "Baseline characteristics", "Outcome measures (9)",
                     "p = 0.49", "Serious adverse events", "Abdominal pain|1/111 (0.9%)|1/108 (0.9%)"):
        assert expected in results, expected
    assert "Results" not in view.section_text("sponsors").split("\n")[0]
    pallas = window.open_trial("NCT02513394").section_text("results")
    assert "more rows (the PDF brief lists them all)" in pallas  # 2,029 adverse-event terms: not all on the page
    seed = window.open_trial("NCT07312656")
    assert "Results posted" not in seed.page_text() and "No results posted." in seed.section_text("results")
