"""The website's CSV downloads (ctg-studies.csv and the classic SearchResults.csv) import as trials
that agree with the JSON import of the same studies, part by part, for every part a CSV carries.

The fixtures are written from corpus studies the way the website writes them
(tests/fixtures/csv/make_csv.py), so each row's truth is the study it was written from."""

from __future__ import annotations

import csv
import io

import pytest

from reviewer.core import compare
from reviewer.core.importers import detect, read_document
from reviewer.core.importers.ctgov_csv import CLASSIC_COLUMNS, CURRENT_COLUMNS, IMPORTER
from reviewer.core.ingest import import_paths
from reviewer.core.store import listing, reading
from tests.conftest import FIXTURES_DIR, store_content

CSV_DIR = FIXTURES_DIR / "csv"
CURRENT = CSV_DIR / "ctg-studies.csv"
CLASSIC = CSV_DIR / "SearchResults.csv"


@pytest.fixture(scope="module")
def truth(corpus_dir):
    """The JSON import of each study the CSV rows were written from, by id."""
    records = {}
    for parsed in read_document(CURRENT.read_bytes()):
        registry_id = parsed.record.registry_id
        records[registry_id] = read_document((corpus_dir / "ctgov-v2" / f"{registry_id}.json").read_bytes())[0].record
    return records


def rows_of(path):
    return {parsed.record.registry_id: parsed for parsed in read_document(path.read_bytes())}


@pytest.mark.parametrize("path", [CURRENT, CLASSIC], ids=["ctg-studies", "SearchResults"])
def test_detected_by_content_with_a_record_per_row(path):
    text = path.read_text(encoding="utf-8")
    assert detect(text) is IMPORTER
    assert len(rows_of(path)) == len(list(csv.DictReader(io.StringIO(text)))) == 12


@pytest.mark.parametrize("path", [CURRENT, CLASSIC], ids=["ctg-studies", "SearchResults"])
def test_every_carried_part_agrees_with_the_json_import(path, truth):
    for registry_id, parsed in rows_of(path).items():
        got, want = parsed.record, truth[registry_id]
        assert parsed.warnings == ()
        assert (got.brief_title, got.acronym, got.overall_status) == (want.brief_title, want.acronym, want.overall_status)
        assert got.has_results == want.has_results
        assert got.conditions == want.conditions
        assert [(i.type, i.name) for i in got.interventions] == [(i.type, i.name) for i in want.interventions]
        assert got.lead_sponsor.name == want.lead_sponsor.name
        assert got.lead_sponsor.agency_class == want.lead_sponsor.agency_class
        assert [c.name for c in got.collaborators] == [c.name for c in want.collaborators]
        assert got.eligibility.sex == want.eligibility.sex
        assert got.eligibility.std_ages == want.eligibility.std_ages
        d, w = got.design, want.design
        assert (d.study_type, d.phases, d.enrollment_count) == (w.study_type, w.phases, w.enrollment_count)
        assert (d.allocation, d.intervention_model, d.observational_model, d.time_perspective) == (
            w.allocation, w.intervention_model, w.observational_model, w.time_perspective
        )
        assert (d.masking, d.who_masked, d.primary_purpose) == (w.masking, w.who_masked, w.primary_purpose)
        for name in ("start", "primary_completion", "completion", "first_posted", "last_update_posted"):
            assert getattr(got.dates, name) == getattr(want.dates, name), name
        ids = [i.value for i in got.identifiers if i.kind != "nct"]
        assert ids == [i.value for i in want.identifiers if i.kind in ("org_study", "secondary")]
        assert [loc.country for loc in got.locations or []] == [loc.country for loc in want.locations or []]
        assert [doc.label for doc in got.documents or []] == [doc.label for doc in want.documents or []]
        assert got.version_date == want.dates.last_update_posted


def test_current_download_keeps_outcomes_by_kind_with_their_time_frames(truth):
    parts = total = 0
    for registry_id, parsed in rows_of(CURRENT).items():
        got, want = parsed.record.outcomes or [], truth[registry_id].outcomes or []
        assert [(o.kind, o.measure.split(", ")[0]) for o in got] == [(o.kind, o.measure.split(", ")[0]) for o in want]
        for g, w in zip(got, want, strict=True):
            total += 1
            parts += (g.measure, g.time_frame, g.description) == (w.measure, w.time_frame, w.description)
    # measure, description and time frame are joined by ", " and may hold commas themselves
    print(f"outcomes read back exactly: {parts} of {total}")
    assert parts / total >= 0.9


def test_sites_read_from_the_end(truth):
    exact = total = 0
    for registry_id, parsed in rows_of(CURRENT).items():
        for g, w in zip(parsed.record.locations or [], truth[registry_id].locations or [], strict=True):
            total += 1
            exact += (g.facility, g.city, g.state, g.zip, g.country) == (w.facility, w.city, w.state, w.zip, w.country)
            assert g.city == w.city or w.facility and "," in w.facility or not w.state
    print(f"sites read back exactly: {exact} of {total}")
    assert exact / total >= 0.8


def test_classic_download_reads_ages_and_lumped_outcomes(truth):
    for registry_id, parsed in rows_of(CLASSIC).items():
        got, want = parsed.record, truth[registry_id]
        assert (got.eligibility.minimum_age, got.eligibility.maximum_age) == (
            want.eligibility.minimum_age, want.eligibility.maximum_age
        )
        assert [o.measure for o in got.outcomes or []] == [o.measure for o in want.outcomes or []]
        assert {o.kind for o in got.outcomes or []} <= {"other"}  # the classic row does not say which is primary


def test_what_a_csv_does_not_carry_is_not_in_source():
    record = rows_of(CURRENT)["NCT02369484"].record
    assert record.arms is None and record.central_contacts is None and record.officials is None
    assert record.eligibility.criteria_text is None
    assert all(loc.contacts == [] for loc in record.locations)


def test_reimporting_a_download_changes_nothing(store):
    first = import_paths(store, [CURRENT])
    assert not first.failed and len(first.results) == 1
    before = store_content(store)
    import_paths(store, [CURRENT])
    assert store_content(store) == before


def test_csv_trials_are_searchable_and_comparable(store):
    assert not import_paths(store, [CLASSIC]).failed
    with store.session() as session:
        found = [row["registry_id"] for row in listing.search_trials(session, "afatinib")]
        assert found[:1] == ["NCT02369484"]
        records = [reading.current_record(session, i) for i in ("NCT02369484", "NCT02856893", "NCT06094296")]
    comparison = compare.compare_records(records)
    assert comparison.trials == ["NCT02369484", "NCT02856893", "NCT06094296"]
    assert comparison.sections["outcomes"]


def test_unknown_columns_are_refused_with_the_expected_ones(tmp_path, store):
    path = tmp_path / "export.csv"
    path.write_text("NCT Number,Title,Favourite Colour\nNCT02369484,A study,blue\n", encoding="utf-8")
    report = import_paths(store, [path])
    assert len(report.failed) == 1
    error = report.failed[0].error
    assert "Favourite Colour" in error and "ctg-studies.csv" in error and ", ".join(CURRENT_COLUMNS) in error
    assert ", ".join(CLASSIC_COLUMNS) in error


def test_a_malformed_date_or_number_is_not_in_source_with_a_warning(tmp_path):
    header = ["NCT Number", "Study Title", "Study Status", "Enrollment", "Start Date"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows([header, ["NCT02369484", "A study", "RECRUITING", "about forty", "soon"]])
    (parsed,) = read_document(out.getvalue().encode())
    assert parsed.record.design.enrollment_count is None and parsed.record.dates.start is None
    assert any("row 1, column Enrollment" in w for w in parsed.warnings)
    assert any("row 1, column Start Date" in w for w in parsed.warnings)


def test_a_csv_row_never_replaces_a_fuller_source_but_is_kept_as_a_version(store, corpus_dir, tmp_path):
    json_path = corpus_dir / "ctgov-v2" / "NCT02369484.json"
    assert not import_paths(store, [json_path]).failed
    newer = tmp_path / "newer.csv"
    text = CURRENT.read_text(encoding="utf-8").replace("2022-08-24", "2026-01-05")  # a later update
    newer.write_text(text, encoding="utf-8")
    assert not import_paths(store, [newer]).failed
    with store.session() as session:
        trial = reading.trial_by_registry_id(session, "NCT02369484")
        assert sorted(v.source_format for v in reading.versions_of(session, trial.id)) == ["ctgov-csv", "ctgov-json"]
        current = reading.current_record(session, "NCT02369484")
        assert current.eligibility.criteria_text  # the JSON's, which a CSV row does not carry
        # a trial known only from the CSV has it as its current version, and a fuller source replaces it
        assert reading.current_record(session, "NCT02856893").eligibility.criteria_text is None
    assert not import_paths(store, [corpus_dir / "ctgov-v2" / "NCT02856893.json"]).failed
    with store.session() as session:
        assert reading.current_record(session, "NCT02856893").eligibility.criteria_text
