"""One label and one number per item in the app, the PDF brief and the notes digest.

The two bugs this holds fixed: a selection in primary outcome 1 printed as "Primary criterion 1",
and "other/N" named both an "other" criterion and an "other" outcome; the app numbered a child
criterion "3.1" and the PDF "a". The store is the 0005 fixture with notes on selections of the old
"span" kind (tests/fixtures/stores/make_span_notes_store.py), upgraded as a user's would be.
"""

from __future__ import annotations

import io
import re
import shutil

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QLabel

from tests.conftest import FIXTURES_DIR
from tests.gui.conftest import TEST_AUTHOR, drop_typed_note

REGISTRY_ID = "NCT08900001"
# the note's body -> what the app, the PDF and the digest call the item it is on
LABELS = {
    "in other outcome 1": "Other outcome 1 (selection)",
    "in other criterion 2 or other outcome 2": "Other criterion 2 (selection)",
    "in other criterion 1": "Other criterion 1 (selection)",
    "in primary outcome 1": "Primary outcome 1 (selection)",
    "in other criterion 3.1": "Other criterion 3.1 (selection)",
    "in the title": "The trial (selection)",
    "in the overview": "Section Overview",
    "in the arm": "Arm Treatment arm (selection)",
    "in the intervention": "Intervention Studydrug (selection)",
    "on other criterion 2": "Other criterion 2",
    "written in the app on criterion 3.1": "Other criterion 3.1",
    "written in the app on other outcome 2": "Other outcome 2",
}


@pytest.fixture
def data_dir(tmp_path):
    """This test's data folder holds the 0005 store with notes on selections (the window's fixtures
    open it: it is upgraded as a user's would be)."""
    from reviewer.core.store.db import STORE_FILE_NAME

    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(FIXTURES_DIR / "stores" / "span_notes" / "0005.sqlite3", folder / STORE_FILE_NAME)
    (folder / "settings.ini").write_text(f"[General]\nauthor={TEST_AUTHOR}\n", encoding="utf-8")
    return folder


def write_in_the_app(window, kind: str, key: str, body: str) -> None:
    view = window.open_trial(REGISTRY_ID)
    view.request_note_on(kind, key)
    window.note_editor.set_values(body)
    window.note_editor.accept()


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages).split())


def test_the_app_the_pdf_and_the_digest_name_and_number_every_item_alike(window):
    from reviewer.core import reports

    write_in_the_app(window, "criterion", "other/3.1", "written in the app on criterion 3.1")
    write_in_the_app(window, "outcome", "other/2", "written in the app on other outcome 2")
    window.open_trial(REGISTRY_ID)

    # the app: the notes panel's Item column
    model = window.notes_panel.model
    shown = {model.note(row)["body"]: model.data(model.index(row, 1)) for row in range(model.rowCount())}
    assert shown == LABELS
    # the app: the editor of a new note names the item alike (a criterion child numbered 3.1)
    view = window.open_trial(REGISTRY_ID)
    view.request_note_on("criterion", "other/3.1")
    headings = [label.text() for label in window.note_editor.findChildren(QLabel)]
    assert f"<b>{REGISTRY_ID} · Other criterion 3.1</b>" in headings
    drop_typed_note(window)
    # the app's page numbers the child 3.1, as the PDF does
    assert '<span class="num">3.1.</span> Haemoglobin 9 g/dL or more' in view.rendered.html

    options = reports.ReportOptions(reviewer="Dr. Test Reviewer")
    with window.lib.store.session() as session:
        digest_html = reports.make_report(session, "notes", [REGISTRY_ID], options, "html").decode()
        digest_pdf = pdf_text(reports.make_report(session, "notes", [REGISTRY_ID], options))
        brief_pdf = pdf_text(reports.make_report(session, "brief", [REGISTRY_ID], options))
    for body, label in LABELS.items():
        # the digest: each note under the words the app shows for its item
        assert re.search(re.escape(label) + r"(: “[^”]*”)? " + re.escape(body), digest_pdf), (label, digest_pdf)
        assert label in digest_html
    assert "Primary criterion" not in digest_pdf and "Other outcome 1 (selection)" in digest_pdf
    # the brief: the child criterion numbered as in the app, its notes beside it, none elsewhere
    assert "3. Organ function: 3.1. Haemoglobin 9 g/dL or more in other criterion 3.1" in brief_pdf
    assert "written in the app on criterion 3.1" in brief_pdf.split("3.1. Haemoglobin", 1)[1].split("3.2.", 1)[0]
    assert " a. " not in brief_pdf
    # "other/1": the selection in the outcome prints beside the outcome, the one in the criterion beside it
    outcomes = brief_pdf.split("Outcomes Outcome Measure", 1)[1]
    assert "Quality of life on the EORTC scale in other outcome 1" in outcomes
    assert "in other criterion 1" not in outcomes and "in other criterion 1" in brief_pdf
    assert "Written diary kept by the patient written in the app on other outcome 2" in outcomes
