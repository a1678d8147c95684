"""The app's page, the PDF brief, the plain text and the JSON export show one presentation of a trial:
the same three states (a part not in source, a part carried empty, a value left out) and the same
number for a child criterion ("11.1"), read back from a real store, a real page and a real PDF."""

from __future__ import annotations

import io
import json
import re

from pypdf import PdfReader

from reviewer.core.export import record_to_api
from reviewer.core.ingest import import_paths
from reviewer.core.plain_text import record_text
from reviewer.core.reports import ReportOptions, make_report
from reviewer.core.store import reading

CRITERIA = (
    "Inclusion Criteria:\n\n"
    + "\n".join(f"* Item {i}" for i in range(1, 11))
    + "\n* Item 11, one of:\n  * Child of eleven\n\nExclusion Criteria:\n\n* Pregnancy"
)
STUDY = {
    "protocolSection": {
        "identificationModule": {"nctId": "NCT00000042", "briefTitle": "Three states of a value"},
        "statusModule": {"overallStatus": "RECRUITING"},  # no start date: a value left out
        "conditionsModule": {"conditions": ["Asthma"], "keywords": []},  # keywords carried empty
        "designModule": {"studyType": "INTERVENTIONAL", "phases": ["PHASE2"]},
        "eligibilityModule": {"eligibilityCriteria": CRITERIA, "sex": "ALL"},
        # no outcomes module: outcomes not in source
    }
}


def squashed(text: str) -> str:
    return " ".join(text.split())


def test_page_pdf_text_and_json_agree_on_the_three_states_and_a_childs_number(window, library, tmp_path):
    document = tmp_path / "NCT00000042.json"
    document.write_text(json.dumps(STUDY), encoding="utf-8")
    assert not import_paths(library.store, [document]).failed
    with library.store.session() as session:
        record = reading.current_record(session, "NCT00000042")
        pdf = make_report(session, "brief", ["NCT00000042"], ReportOptions(reviewer="x"))
    assert record.outcomes is None and record.keywords == [] and record.dates.start is None

    view = window.open_trial("NCT00000042")
    page = squashed(view.page_text())
    brief = squashed("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    text = squashed(record_text(record))
    data = record_to_api(record)

    # not in source: the outcomes
    assert squashed(view.section_text("outcomes")).endswith("Outcomes ✎ Not in source")
    assert re.search(r"Outcomes Not in source\.", brief)
    assert "Outcomes -------- (not in source)" in text
    assert data["primaryOutcomes"] is None and data["secondaryOutcomes"] is None
    # none: the keywords
    assert "Keywords: None" in page
    assert "Keywords None" in brief
    assert "Keywords: (none)" in text
    assert data["keywords"] == []
    # blank: the start date
    assert re.search(r"Start — Primary completion", page)
    assert "Start — Primary completion" in brief
    assert "Start: —" in text
    assert data["dates"]["startDateStruct"]["date"] is None
    # one number for a child criterion
    for shown in (page, brief, text):
        assert "11. Item 11, one of:" in shown and "11.1. Child of eleven" in shown
    assert data["inclusion"][10]["children"][0]["text"] == "Child of eleven"
    assert view.rendered.anchor_of("criterion", "inclusion/11.1") is not None
