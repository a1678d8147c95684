"""The Report dialog: Ctrl+P on an open trial renders its brief in the background and previews it in a
QPdfView; the choices (trials, kind, sections, notes, reviewer) reach the PDF; Save As writes the same
bytes; Open in viewer hands the file to the system; bad choices get a message, not a crash."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QObject, QPointF, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QKeySequence
from PySide6.QtPdf import QPdfDocument

from reviewer.core.items import anchor_of
from reviewer.core.notes import add_note
from reviewer.core.report_sections import COMPARISON_SECTIONS, SECTIONS

from .conftest import trial_id_of

RENDER_TIMEOUT_MS = 60000


class UrlRecorder(QObject):
    """Takes the place of the system's handler of file: URLs (QDesktopServices.setUrlHandler)."""

    def __init__(self):
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def flat(text: str) -> str:
    return " ".join(text.split())


def rendered(qtbot, dialog) -> bytes:
    """The PDF of the dialog's current choices, once its preview shows them."""
    qtbot.waitUntil(dialog.preview_is_current, timeout=RENDER_TIMEOUT_MS)
    return dialog.pdf_bytes


def test_ctrl_p_previews_the_brief_of_the_open_trial(window, library, qtbot, tmp_path):
    with library.store.session() as session:
        add_note(
            session,
            trial_id_of(library, "NCT07312656"),
            anchor_of("criterion", "inclusion/1"),
            "Check the age bound against our unit's protocol.",
            "reviewer A",
            "question",
        )
        session.commit()
    window.open_trial("NCT07312656")
    assert window.action_report.shortcut() == QKeySequence(QKeySequence.StandardKey.Print)
    window.action_report.trigger()
    dialog = window.report_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.kind_combo.currentData() == "brief"
    assert dialog.source() == "current"
    dialog.reviewer_edit.setText("Dr Example")
    data = rendered(qtbot, dialog)

    # the preview shows the PDF that was made
    assert dialog.document.status() == QPdfDocument.Status.Ready
    assert dialog.document.pageCount() == len(PdfReader(io.BytesIO(data)).pages) >= 1
    text = flat(pdf_text(data))
    assert "NCT07312656" in text
    assert "Dr Example" in text
    assert "Check the age bound against our unit's protocol." in text
    assert "pages" in dialog.status_label.text()

    # a change of choice renders again and keeps the page being read
    navigator = dialog.view.pageNavigator()
    navigator.jump(1, QPointF(), dialog.view.zoomFactor())
    dialog.reviewer_edit.setText("Dr Example, pharmacy")
    again = rendered(qtbot, dialog)
    assert "Dr Example, pharmacy" in flat(pdf_text(again))
    assert navigator.currentPage() == 1

    # Save As writes exactly those bytes, and Open in viewer hands that file to the system
    target = dialog.save_as(tmp_path / "brief")
    assert target == tmp_path / "brief.pdf"
    assert target.read_bytes() == again

    viewer = UrlRecorder()
    QDesktopServices.setUrlHandler("file", viewer, "open")
    try:
        assert dialog.open_in_viewer()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [url.toLocalFile() for url in viewer.urls] == [str(target)]


def test_choices_reach_the_pdf_and_are_remembered(window, library, qtbot):
    with library.store.session() as session:
        add_note(
            session,
            trial_id_of(library, "NCT07312656"),
            anchor_of("trial", ""),
            "Discuss at the tumour board.",
            "reviewer A",
            "suggestion",
        )
        session.commit()
    window.open_trial("NCT07312656")
    dialog = window.show_report()
    rendered(qtbot, dialog)
    dialog.section_checks["outcomes"].setChecked(False)
    dialog.section_checks["provenance"].setChecked(False)
    dialog.notes_check.setChecked(False)
    text = flat(pdf_text(rendered(qtbot, dialog)))
    assert "Eligibility" in text
    assert "Outcomes" not in text and "Provenance" not in text
    assert "Discuss at the tumour board." not in text

    # the next dialog starts from these choices
    dialog.close()
    again = window.show_report()
    assert not again.section_checks["outcomes"].isChecked()
    assert not again.notes_check.isChecked()
    assert again.section_checks["eligibility"].isChecked()
    rendered(qtbot, again)


def test_a_comparison_tab_makes_a_comparison_report_with_the_notes(window, library, qtbot):
    with library.store.session() as session:
        add_note(session, trial_id_of(library, "NCT02455596"),
                 anchor_of("criterion", "inclusion/6", "ECOG performance status 0, 1 or 2."),
                 "ECOG 2 is wider than the FMT trial allows.", "reviewer A", "concern")
        session.commit()
    view = window.compare(["NCT02455596", "NCT06924645"])
    with qtbot.waitSignal(view.sig_loaded, timeout=RENDER_TIMEOUT_MS):
        pass
    dialog = window.show_report()
    assert dialog.kind_combo.currentData() == "comparison"
    assert dialog.source() == "comparison"
    # a checkbox per section of the one declaration; a comparison has only some of them
    assert list(dialog.section_checks) == list(SECTIONS)
    enabled = {name for name, check in dialog.section_checks.items() if check.isEnabled()}
    assert enabled == set(COMPARISON_SECTIONS)
    data = rendered(qtbot, dialog)
    pages = [flat(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]
    assert "NCT02455596" in pages[0] and "NCT06924645" in pages[0]
    assert "ECOG 2 is wider than the FMT trial allows." in " ".join(pages)
    assert dialog.document.pageCount() == len(pages)
    dialog.notes_check.setChecked(False)
    assert "ECOG 2 is wider" not in flat(pdf_text(rendered(qtbot, dialog)))


def test_the_brief_leaves_out_the_sites_when_unticked(window, qtbot):
    window.open_trial("NCT07312656")
    dialog = window.show_report()
    assert {name for name, check in dialog.section_checks.items() if check.isEnabled()} == set(SECTIONS)
    assert "Nanning" in flat(pdf_text(rendered(qtbot, dialog)))
    dialog.section_checks["sites"].setChecked(False)
    text = flat(pdf_text(rendered(qtbot, dialog)))
    assert "Nanning" not in text and "Brief summary" in text


@pytest.mark.parametrize("selected", [[0], [0, 1]])
def test_a_wrong_choice_gets_a_message_not_a_report(window, qtbot, selected):
    window.library.select_rows(selected)
    dialog = window.show_report()
    assert dialog.source() == "selection"
    if len(selected) == 1:
        # one trial cannot be compared
        dialog.set_kind("comparison")
        with qtbot.waitSignal(dialog.sig_render_failed, timeout=RENDER_TIMEOUT_MS) as failed:
            dialog.render_now()
        assert "2 to 6 trials" in failed.args[0]
    else:
        # a template file that does not exist
        rendered(qtbot, dialog)
        dialog.template_edit.setText("/nowhere/brief.html.j2")
        with qtbot.waitSignal(dialog.sig_render_failed, timeout=RENDER_TIMEOUT_MS) as failed:
            dialog.render_now()
        assert "/nowhere/brief.html.j2" in failed.args[0]
    assert "Cannot make this report" in dialog.status_label.text()
    assert dialog.isVisible()


def test_a_broken_user_template_is_reported_with_its_reason(window, qtbot, tmp_path):
    template = tmp_path / "mine.html.j2"
    template.write_text('{% extends "base.html.j2" %}{% block body %}{{ no_such_name }}{% endblock %}')
    window.open_trial("NCT02455596")
    dialog = window.show_report()
    rendered(qtbot, dialog)
    dialog.template_edit.setText(str(template))
    with qtbot.waitSignal(dialog.sig_render_failed, timeout=RENDER_TIMEOUT_MS) as failed:
        dialog.render_now()
    assert "no_such_name" in failed.args[0]
    assert "could not be made" in dialog.status_label.text()
    # the last good preview stays, and a user template that works is used
    assert dialog.pdf_bytes is not None
    template.write_text(
        '{% extends "base.html.j2" %}{% block body %}<h1>Our unit: {{ trials[0].record.registry_id }}</h1>'
        "{% endblock %}"
    )
    dialog.render_now()
    assert "Our unit: NCT02455596" in flat(pdf_text(rendered(qtbot, dialog)))


def test_the_users_templates_folder_is_used_and_can_be_opened(window, qtbot, data_dir):
    folder = data_dir / "templates"
    window.open_trial("NCT06924645")
    dialog = window.show_report()
    assert dialog.templates_dir == folder and not folder.exists()

    manager = UrlRecorder()
    QDesktopServices.setUrlHandler("file", manager, "open")
    try:
        assert dialog.open_templates_folder()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert folder.is_dir() and [u.toLocalFile() for u in manager.urls] == [str(folder)]

    (folder / "brief.html.j2").write_text(
        '{% extends "base.html.j2" %}{% block body %}<h1>Tumour board brief: '
        "{{ trials[0].record.registry_id }}</h1>{% endblock %}",
        encoding="utf-8",
    )
    dialog.render_now()
    assert "Tumour board brief: NCT06924645" in flat(pdf_text(rendered(qtbot, dialog)))


def test_sections_added_since_a_saved_choice_start_ticked():
    from reviewer.gui.dialogs.report_dialog import remembered_sections

    assert remembered_sections({}) == set(SECTIONS)
    older = {"sections": ["design", "eligibility", "provenance"]}  # saved before summary, sites, contacts
    assert remembered_sections(older) == {"design", "eligibility", "provenance", "summary", "sites", "contacts", "results", "references"}
    assert remembered_sections({"sections": [], "sections_left_out": ["sites", "outcomes"]}) == (
        set(SECTIONS) - {"sites", "outcomes"}
    )
