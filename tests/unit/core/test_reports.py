"""PDF briefs rendered for real with WeasyPrint and read back (pypdf text, fontTools glyphs)."""

from __future__ import annotations

import http.server
import io
import json
import re
import threading

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from reviewer.core import items, notes
from reviewer.core.ingest import import_paths
from reviewer.core.reports import ReportError, ReportOptions, make_report
from reviewer.core.store import reading
from tests.conftest import SEED_IGNITE_MSC, SEED_VEEVA_FMT, SEED_VEEVA_NOVAFERON


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def squashed(text: str) -> str:
    """Whitespace collapsed, and words that a table cell broke after a hyphen joined again."""
    return re.sub(r"(?<=\w)- (?=\w)", "-", " ".join(text.split()))


@pytest.fixture
def seeded(store):
    assert not import_paths(store, [SEED_VEEVA_FMT, SEED_IGNITE_MSC, SEED_VEEVA_NOVAFERON]).failed
    return store


def test_brief_holds_the_trial_and_the_notes_beside_their_criteria(seeded):
    with seeded.transaction() as session:
        trial = reading.trial_by_registry_id(session, "NCT07312656")
        notes.add_note(session, trial.id, items.anchor_of("criterion", "inclusion/2", "Age 18-75 years;"),
                       "Upper age limit 75 excludes fit older patients", "dr.a", "concern")
        notes.add_note(session, trial.id, items.anchor_of("criterion", "exclusion/1", "Previous radiotherapy"),
                       "Re-irradiation cohort planned?", "dr.a", "question")
    with seeded.session() as session:
        record = reading.current_record(session, "NCT07312656")
        pdf = make_report(session, "brief", ["NCT07312656"], ReportOptions(reviewer="Dr Alvarez"))
    assert pdf.startswith(b"%PDF")
    text = squashed(pdf_text(pdf))
    for expected in (record.brief_title, "Phase 2", "experimental group", "control group",
                     record.outcomes_of("primary")[0].measure, "Generated", "Dr Alvarez", "Page 1 of"):
        assert squashed(expected) in text, expected
    for item in record.eligibility.inclusion + record.eligibility.exclusion:
        assert squashed(item.text) in text, item.text
    # each note right after its criterion, before the next one
    age = text.index("Age 18-75 years;")
    assert age < text.index("Upper age limit 75 excludes fit older patients") < text.index("Scheduled to receive radical")
    first_exclusion = text.index("Previous radiotherapy to the head and neck region;")
    assert first_exclusion < text.index("Re-irradiation cohort planned?") < text.index("Head and neck surgery within")


def test_not_in_source_differs_from_none(seeded):
    with seeded.session() as session:
        text = squashed(pdf_text(make_report(session, "brief", ["NCT06924645"], ReportOptions(reviewer="x"))))
    outcomes = text[text.index("Outcomes"):]
    assert outcomes.split()[1:4] == ["Not", "in", "source."]


def test_notes_digest(seeded):
    with seeded.transaction() as session:
        trial = reading.trial_by_registry_id(session, "NCT02455596")
        notes.add_note(session, trial.id, items.anchor_of("criterion", "inclusion/6", "ECOG performance status 0, 1 or 2."),
                       "ECOG 2 allowed here but not in the FMT trial", "dr.b", "suggestion")
    with seeded.session() as session:
        text = squashed(pdf_text(make_report(session, "notes", ["NCT02455596", "NCT06924645"], ReportOptions(reviewer="x"))))
    assert "Notes digest" in text and "Suggestion (1)" in text
    assert "ECOG performance status 0, 1 or 2." in text and "ECOG 2 allowed here" in text
    assert "No notes." in text


def test_unknown_trial_is_a_clear_error(seeded):
    with seeded.session() as session, pytest.raises(ReportError, match="no trial NCT00000001"):
        make_report(session, "brief", ["NCT00000001"], ReportOptions(reviewer="x"))


_BFCHAR = re.compile(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")


def _glyph_characters(pdf: bytes) -> set[str]:
    """Characters drawn with a real glyph of an embedded font.

    Each font's ToUnicode map gives the glyph id used for a character; the glyph must exist in the
    embedded font program (fontTools) and have an outline. A character no font has is drawn with a
    glyph id past the end of the subset, which this check catches.
    """
    covered: set[str] = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in (page["/Resources"].get_object().get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            program = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
            assert program is not None, f"{font['/BaseFont']} is not embedded"
            embedded = TTFont(io.BytesIO(program.get_object().get_data()))
            order = embedded.getGlyphOrder()

            def has_outline(gid: int, embedded=embedded, order=order) -> bool:
                if not 0 < gid < len(order):
                    return False
                if "glyf" in embedded:
                    return embedded["glyf"][order[gid]].numberOfContours != 0
                return True  # CFF: the glyph is in the charstrings

            cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
                for gid, code in _BFCHAR.findall(block):
                    if has_outline(int(gid, 16)):
                        covered.add(bytes.fromhex(code).decode("utf-16-be"))
    return covered


def test_greek_maths_cjk_cyrillic_and_arabic_print_with_real_glyphs(store, tmp_path):
    wanted = "αβ≥≤μⅡ×肿瘤患者한국어Русскийعربي"
    study = {"protocolSection": {
        "identificationModule": {"nctId": "NCT09990002", "briefTitle": f"Glyph check {wanted}"},
        "eligibilityModule": {"eligibilityCriteria": "Inclusion Criteria:\n\n* ANC ≥ 1.5 × 10^9/L, μg, α β, Phase Ⅱ, 肿瘤患者"},
    }}
    path = tmp_path / "glyphs.json"
    path.write_text(json.dumps(study, ensure_ascii=False), encoding="utf-8")
    import_paths(store, [path])
    with store.session() as session:
        pdf = make_report(session, "brief", ["NCT09990002"], ReportOptions(reviewer="x"))
    covered = _glyph_characters(pdf)
    missing = [ch for ch in wanted if ch not in covered]
    assert missing == [], f"characters without a glyph in any embedded font: {missing}"


HOSTILE = (
    '<img src="file:///etc/hostname"> <link rel=stylesheet href="http://127.0.0.1:{port}/x.css"> '
    '<style>@import url("http://127.0.0.1:{port}/imported.css");</style> '
    '<a rel="attachment" href="file:///etc/passwd">attach</a> {{{{ 7*7 }}}}'
)


def test_hostile_text_stays_text_and_fetches_nothing(store, tmp_path, caplog):
    requests: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        hostile = HOSTILE.format(port=server.server_port)
        study = {"protocolSection": {
            "identificationModule": {"nctId": "NCT09990003", "briefTitle": hostile},
            "descriptionModule": {"briefSummary": hostile},
        }}
        path = tmp_path / "hostile.json"
        path.write_text(json.dumps(study), encoding="utf-8")
        import_paths(store, [path])
        with store.session() as session:
            pdf = make_report(session, "brief", ["NCT09990003"], ReportOptions(reviewer="x"))
            html = make_report(session, "brief", ["NCT09990003"], ReportOptions(reviewer="x"), "html").decode()
    finally:
        server.shutdown()
        server.server_close()
    assert requests == []
    text = squashed(pdf_text(pdf))
    assert '<img src="file:///etc/hostname">' in text and "{{ 7*7 }}" in text
    assert "49" not in text.replace(str(server.server_port), "")  # the template is not evaluated (the port may hold 49)
    assert "&lt;img src=" in html and "<img src=" not in html
    reader = PdfReader(io.BytesIO(pdf))
    assert not reader.attachments
    assert b"/EmbeddedFile" not in pdf and b"/FileAttachment" not in pdf
    refused = [r.getMessage() for r in caplog.records if "refused to fetch" in r.getMessage()]
    assert any("file:///etc/hostname" in m for m in refused) or not refused  # only text: nothing to fetch


def test_sections_leave_parts_out_and_unknown_ones_are_refused(seeded):
    options = ReportOptions(reviewer="x", sections=frozenset({"eligibility"}))
    with seeded.session() as session:
        text = squashed(pdf_text(make_report(session, "brief", ["NCT07312656"], options)))
    assert "Inclusion criteria" in text and "Age 18-75 years;" in text
    for left_out in ("Arms and interventions", "Outcomes", "Provenance", "Primary purpose"):
        assert left_out not in text
    with pytest.raises(ReportError, match="unknown section appendix"):
        ReportOptions(reviewer="x", sections=frozenset({"appendix"}))


def test_a_batch_writes_a_brief_per_trial_on_several_processes(seeded, tmp_path):
    from reviewer.core.report_batch import write_briefs

    done = []
    results = write_briefs(
        seeded.path.parent,
        ["NCT07312656", "NCT00000000", "NCT02455596"],
        tmp_path / "briefs",
        ReportOptions(reviewer="Dr Batch"),
        workers=2,
        progress=lambda n, total: done.append((n, total)),
    )
    assert [r.registry_id for r in results] == ["NCT07312656", "NCT00000000", "NCT02455596"]
    assert results[1].path is None and "no trial NCT00000000" in results[1].error
    assert sorted(p.name for p in (tmp_path / "briefs").iterdir()) == [
        "brief-NCT02455596.pdf",
        "brief-NCT07312656.pdf",
    ]
    with seeded.session() as session:
        for result in (results[0], results[2]):
            text = squashed(pdf_text(result.path.read_bytes()))
            assert squashed(reading.current_record(session, result.registry_id).brief_title) in text
            assert "Dr Batch" in text
    assert done[-1] == (3, 3)


def test_the_users_templates_folder_replaces_built_ins_and_a_template_file_wins_over_it(seeded, tmp_path):
    folder = tmp_path / "templates"
    (folder / "partials").mkdir(parents=True)
    (folder / "partials" / "trial.html.j2").write_text(
        "<h1>Unit brief of {{ trial.record.registry_id }}</h1>", encoding="utf-8"
    )
    options = ReportOptions(reviewer="x", templates_dir=folder)
    with seeded.session() as session:
        html = make_report(session, "brief", ["NCT07312656"], options, output_format="html").decode()
        assert "<h1>Unit brief of NCT07312656</h1>" in html and "Eligibility" not in html
        notes_digest = make_report(session, "notes", ["NCT07312656"], options, output_format="html").decode()
        assert "Notes digest" in notes_digest  # what the folder does not replace stays built in
        mine = tmp_path / "mine.html.j2"
        mine.write_text('{% extends "base.html.j2" %}{% block body %}<h1>Mine</h1>{% endblock %}')
        chosen = make_report(
            session, "brief", ["NCT07312656"], ReportOptions(reviewer="x", templates_dir=folder, template=mine),
            output_format="html",
        ).decode()
        assert "<h1>Mine</h1>" in chosen


def test_a_brief_that_cannot_be_written_is_named_and_the_others_are(seeded, tmp_path):
    from reviewer.core.report_batch import brief_file_name, write_briefs

    out = tmp_path / "briefs"
    out.mkdir()
    (out / brief_file_name("NCT02455596")).mkdir()  # a folder where its PDF should go
    results = write_briefs(seeded.path.parent, ["NCT02455596", "NCT07312656"], out, ReportOptions(reviewer="x"), workers=1)
    assert results[0].path is None and f"{out / 'brief-NCT02455596.pdf'} could not be written" in results[0].error
    assert results[1].path is not None and results[1].path.read_bytes().startswith(b"%PDF")
