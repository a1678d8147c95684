"""A reviewer's facet correction is what every reader of facets sees: the comparison (window, PDF),
the eligibility grid, the stored requirements (so the library's facet filters and the patient check),
after its removal and undo, and across an import of a new version; on a real store with the seeds."""

from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader

from reviewer.core.facet_filters import parse_facet
from reviewer.core.library import Library
from reviewer.core.match.patient import Patient
from reviewer.core.reports import ReportOptions
from reviewer.core.store.listing import TrialFilter
from reviewer.paths import samples_dir

NOVAFERON, FMT = "NCT02455596", "NCT06924645"  # the neuroendocrine seeds: ECOG 0-2 and 1-3
ECOG_0_1 = [{"kind": "performance", "scale": "ECOG", "allowed": [0, 1]}]


@pytest.fixture
def library(tmp_path):
    opened = Library.open(tmp_path / "data")
    opened.import_paths(sorted(samples_dir().glob("*.txt")))
    yield opened
    opened.close()


def ecog_key(library) -> str:
    return next(i.ref.key for i in library.corrected_item_facets(NOVAFERON) if "ECOG" in i.text)


def views(library) -> dict[str, object]:
    """What each reader of facets says of Novaferon's ECOG."""
    comparison, _ = library.compare([FMT, NOVAFERON])
    (row,) = [r for r in comparison.sections["inclusion"] if r.facet == "performance:ECOG"]
    grid = library.grid([FMT, NOVAFERON])
    (grid_row,) = [r for r in grid.rows if r.key == "performance:ECOG"]
    stored = dict(library.requirements([NOVAFERON]))[NOVAFERON][("performance:ECOG", None)]
    ecog2 = {r["registry_id"] for r in library.list_trials(TrialFilter(facets=(parse_facet("ecog=2"),)))}
    patient = Patient.from_json({"ecog": 2})
    verdicts = {m.registry_id: m.verdict for m in library.match(patient, [NOVAFERON, FMT]).matches}
    return {
        "compare": row.values[1],
        "grid": grid_row.cells[1].requirement.text,
        "stored": stored.value,
        "ecog 2 filter keeps it": NOVAFERON in ecog2,
        "patient with ECOG 2": verdicts[NOVAFERON],
    }


EXTRACTED = {"stored": (0, 1, 2), "ecog 2 filter keeps it": True}
CORRECTED = {"stored": (0, 1), "ecog 2 filter keeps it": False, "patient with ECOG 2": "fails"}


def assert_reads(seen: dict, expected: dict, ecog_text: str) -> None:
    assert {k: seen[k] for k in expected} == expected
    assert ecog_text in seen["compare"] and ecog_text in seen["grid"]


def test_a_correction_is_what_the_comparison_grid_filters_and_patient_check_read(library):
    assert_reads(views(library), EXTRACTED, "0-2")
    assert views(library)["patient with ECOG 2"] != "fails"

    library.correct_facets(NOVAFERON, ecog_key(library), ECOG_0_1, "Dr A")
    assert_reads(views(library), CORRECTED, "0-1")

    saved, _change = library.remove_correction(NOVAFERON, ecog_key(library))
    assert_reads(views(library), EXTRACTED, "0-2")

    library.restore_correction(saved)  # the undo of the removal
    assert_reads(views(library), CORRECTED, "0-1")


def test_the_comparison_pdf_prints_the_corrected_value(library):
    library.correct_facets(NOVAFERON, ecog_key(library), ECOG_0_1, "Dr A")
    pdf = library.make_report("comparison", [FMT, NOVAFERON], ReportOptions(reviewer="x"))
    first_page = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Key differences" in first_page and "0-1" in first_page and "0-2" not in first_page


def test_a_new_version_keeps_the_corrected_requirements(library, corpus_dir, tmp_path):
    real = "NCT04870190"
    source = corpus_dir / "ctgov-v2" / f"{real}.json"
    library.import_paths([source])
    key = next(i.ref.key for i in library.corrected_item_facets(real) if "ECOG" in i.text)
    library.correct_facets(real, key, [{"kind": "performance", "scale": "ECOG", "allowed": [0, 1, 2]}], "Dr A")
    study = json.loads(source.read_text(encoding="utf-8"))
    study["protocolSection"]["identificationModule"]["briefTitle"] += " (amended)"
    amended = tmp_path / f"{real}-amended.json"
    amended.write_text(json.dumps(study), encoding="utf-8")
    assert library.import_paths([amended]).counts["updated"] == 1
    stored = dict(library.requirements([real]))[real][("performance:ECOG", None)]
    assert stored.value == (0, 1, 2)  # the record itself says 0-1
