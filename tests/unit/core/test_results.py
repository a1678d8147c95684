"""The results section: read from API v2 JSON (and, when a trial is shown, from its stored source),
presented once for the page, the
PDF brief, the plain text and ``show --json`` (which writes it back in the registry's names)."""

from __future__ import annotations

import dataclasses
import hashlib

import orjson
import pytest

from reviewer.core.export import record_to_api
from reviewer.core.importers import results_of
from reviewer.core.importers.ctgov_json import study_to_record
from reviewer.core.importers.ctgov_json_results import read_results, results_to_api
from reviewer.core.importers.fields import Fields
from reviewer.core.ingest import import_paths
from reviewer.core.plain_text import record_text
from reviewer.core.presentation.results import present_results
from reviewer.core.presentation.values import State
from reviewer.core.record import DETAIL_PARTS, TrialRecord
from reviewer.core.reports import ReportOptions, make_report
from reviewer.core.results import results_from_dict
from reviewer.core.shown import current_shown_record
from reviewer.core.store import reading
from reviewer.core.store.mapping import LATER_FIELDS, content_hash
from tests.unit.core.test_reports import pdf_text, squashed

TWO_ARM = "NCT00931528"  # tadalafil against placebo: 9 outcome measures, 29 analyses
MANY_EVENTS = "NCT02513394"  # PALLAS: 2,029 adverse-event terms in 26 organ systems
SINGLE_ARM = "NCT03240016"  # one group, 6 outcome measures


def _studies(corpus_dir):
    for path in sorted((corpus_dir / "ctgov-v2").glob("*.json")):
        yield path, orjson.loads(path.read_bytes())


def _record(corpus_dir, registry_id: str) -> TrialRecord:
    """The study's record with its results, as a trial is shown (core/shown.py)."""
    text = (corpus_dir / "ctgov-v2" / f"{registry_id}.json").read_text(encoding="utf-8")
    record = study_to_record(orjson.loads(text))
    record.results = results_of("ctgov-json", text)
    return record


def test_every_corpus_results_section_is_read_whole(corpus_dir):
    read = 0
    for path, study in _studies(corpus_dir):
        warnings: list[str] = []
        results = read_results(Fields(warnings), study)
        source = study.get("resultsSection")
        if source is None:
            assert results is None, path.name
            continue
        read += 1
        assert not warnings, (path.name, warnings[:3])
        flow = source["participantFlowModule"]
        assert len(results.participant_flow.groups) == len(flow["groups"])
        assert [len(p.milestones) for p in results.participant_flow.periods] == [len(p["milestones"]) for p in flow["periods"]]
        baseline = source["baselineCharacteristicsModule"]
        assert len(results.baseline.measures) == len(baseline["measures"])
        measures = source["outcomeMeasuresModule"]["outcomeMeasures"]
        assert len(results.outcome_measures) == len(measures)
        assert [len(m.analyses) for m in results.outcome_measures] == [len(m.get("analyses", [])) for m in measures]
        cells = sum(len(c["measurements"]) for m in measures for k in m.get("classes", []) for c in k["categories"])
        assert sum(len(c.measurements) for m in results.outcome_measures for k in m.classes for c in k.categories) == cells
        events = source.get("adverseEventsModule")
        if events is not None:
            assert len(results.adverse_events.serious_events) == len(events.get("seriousEvents", []))
            assert len(results.adverse_events.other_events) == len(events.get("otherEvents", []))
        # show --json writes it back in the registry's names: read again, nothing changes
        back = read_results(Fields(), {"resultsSection": orjson.loads(orjson.dumps(results_to_api(results)))})
        assert back == results, path.name
        assert results_from_dict(orjson.loads(orjson.dumps(results))) == results
    assert read == 106


def test_a_shown_trial_reads_its_results_from_its_source_and_hashes_as_before(store, corpus_dir):
    paths = [corpus_dir / "ctgov-v2" / f"{i}.json" for i in (TWO_ARM, MANY_EVENTS, "NCT00000102")]
    paths.append(corpus_dir / "ctgov-xml" / "NCT00003270.xml")
    assert not import_paths(store, paths).failed
    with store.session() as session:
        for registry_id in (TWO_ARM, MANY_EVENTS, "NCT00003270"):
            assert reading.current_record(session, registry_id).results is None  # the store keeps none
            shown = current_shown_record(session, registry_id)
            assert shown.results is not None and shown.results.outcome_measures, registry_id
        assert current_shown_record(session, TWO_ARM).results == _record(corpus_dir, TWO_ARM).results
        assert current_shown_record(session, "NCT00000102").results is None
    without = study_to_record(orjson.loads(paths[2].read_bytes()))
    for name in DETAIL_PARTS:  # read since: a record of an older reading has none
        setattr(without, name, None)
    as_before = {k: v for k, v in dataclasses.asdict(without).items() if k not in LATER_FIELDS}
    assert content_hash(without) == hashlib.sha256(orjson.dumps(as_before)).hexdigest()
    again = import_paths(store, paths)  # the same files again: nothing new
    assert again.count("added") == again.count("updated") == 0


def test_the_two_arm_trial_reads_as_its_registry_page(corpus_dir):
    view = present_results(_record(corpus_dir, TWO_ARM))
    assert view.state is State.GIVEN
    (flow,) = view.flow
    assert flow.columns == ["Tadalafil", "Placebo"]
    assert [(r.label, r.cells) for r in flow.rows[:3]] == [
        ("Started", ["121", "121"]), ("Completed", ["80", "61"]), ("Not completed", ["41", "60"]),
    ]  # fmt: skip
    reasons = flow.rows[3]
    assert reasons.heading and reasons.label == "Reasons for not completing"
    assert ("Lost to Follow-up", ["6", "13"]) in [(r.label, r.cells) for r in flow.rows]
    baseline = {r.label: r.cells for r in view.baseline.rows}
    assert baseline["Age, Continuous — Median (full range), years"] == ["63 (45 to 80)", "63 (48 to 79)", "63 (45 to 80)"]
    assert baseline["Male"] == ["112 (100.0%)", "109 (100.0%)", "221 (100.0%)"]
    primary = view.outcomes[0]
    assert primary.title.startswith("Primary outcome: Percentage of Patients Maintaining Spontaneous")
    assert ("Time frame", "Baseline and 30 weeks from the start of radiation therapy") in primary.notes
    assert [r.cells for r in primary.rows] == [["80", "61"], ["79 (70 to 88)", "74 (63 to 85)"]]
    assert primary.analyses[0] == "Tadalafil vs Placebo: Difference in percentages 5 (95% CI 1 to 9); p = 0.49; Chi-squared"
    assert [r.cells for r in view.adverse_totals.rows] == [["3/111 (2.7%)", "4/108 (3.7%)"], ["85/111 (76.6%)", "76/108 (70.4%)"]]
    serious = view.serious_events.rows
    assert serious[0].heading and serious[0].label == "Gastrointestinal disorders"
    assert (serious[1].label, serious[1].cells) == ("Abdominal pain", ["1/111 (0.9%)", "1/108 (0.9%)"])


def test_many_events_and_a_single_arm(corpus_dir):
    pallas = present_results(_record(corpus_dir, MANY_EVENTS))
    systems = [r.label for r in pallas.other_events.rows if r.heading]
    assert len(systems) == len(set(systems)) > 20  # each organ system heads its events once
    assert pallas.counts == "5 outcome measures · 2029 adverse-event terms"
    single = present_results(_record(corpus_dir, SINGLE_ARM))
    assert all(len(t.columns) == 1 for t in single.outcomes)
    assert single.more and single.more[-1][0] == "Results contact"


def test_no_results_is_none_posted_or_not_in_source():
    assert present_results(TrialRecord("NCT00000001", has_results=False)).state is State.NONE
    assert present_results(TrialRecord("NCT00000001")).state is State.NOT_IN_SOURCE


def test_show_text_and_json_carry_the_results(corpus_dir):
    record = _record(corpus_dir, TWO_ARM)
    text = record_text(record)
    assert "Results:                Posted (9 outcome measures · 34 adverse-event terms)" in text
    assert "Started                                   121      121" in text
    api = record_to_api(record)["resultsSection"]
    assert api["participantFlowModule"]["periods"][0]["milestones"][0]["achievements"][0] == {
        "groupId": "FG000", "numSubjects": "121", "comment": None, "numUnits": None,
    }  # fmt: skip
    assert record_to_api(_record(corpus_dir, "NCT00000102"))["resultsSection"] is None


@pytest.mark.parametrize("registry_id", [TWO_ARM, SINGLE_ARM])
def test_the_brief_prints_the_results(store, corpus_dir, registry_id):
    assert not import_paths(store, [corpus_dir / "ctgov-v2" / f"{registry_id}.json"]).failed
    with store.session() as session:
        pdf = make_report(session, "brief", [registry_id], ReportOptions(reviewer="Dr Alvarez"))
        left_out = make_report(
            session, "brief", [registry_id], ReportOptions(reviewer="Dr Alvarez", sections=frozenset({"design"}))
        )
    text = squashed(pdf_text(pdf))
    for expected in ("Participant flow", "Baseline characteristics", "Outcome measures", "Adverse events", "Results contact"):
        assert expected in text, expected
    if registry_id == TWO_ARM:
        assert "3/111 (2.7%)" in text and "p = 0.49" in text
    assert "Participant flow" not in squashed(pdf_text(left_out))


def test_the_library_lists_and_filters_by_results(tmp_path, corpus_dir):
    from reviewer.core.library import Library, TrialFilter

    library = Library.open(tmp_path / "data")  # the three sample trials, none with results
    try:
        paths = [corpus_dir / "ctgov-v2" / f"{i}.json" for i in (TWO_ARM, MANY_EVENTS, "NCT00000102")]
        assert not library.import_paths(paths).failed
        with_results = {r["registry_id"] for r in library.list_trials(TrialFilter(results=["WITH_RESULTS"]))}
        assert with_results == {TWO_ARM, MANY_EVENTS}
        without = {r["registry_id"] for r in library.list_trials(TrialFilter(results=["NO_RESULTS"]))}
        assert without == {r["registry_id"] for r in library.list_trials()} - with_results
        assert len(library.list_trials(TrialFilter(results=["WITH_RESULTS", "NO_RESULTS"]))) == len(without) + 2
        found = library.search_trials("tadalafil", TrialFilter(results=["WITH_RESULTS"]))
        assert [r["registry_id"] for r in found] == [TWO_ARM]
        assert {r["registry_id"]: r["has_results"] for r in library.list_trials()}[TWO_ARM] is True
    finally:
        library.close()
