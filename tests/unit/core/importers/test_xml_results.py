"""The legacy XML's <clinical_results>: every corpus record that has them, counted against the XML, one
record cell by cell, the adverse-event totals, the word spellings made codes, and bad counts."""

from __future__ import annotations

import xml.etree.ElementTree as TrustedET
from pathlib import Path

import orjson
import pytest

from reviewer.core.importers.ctgov_xml import IMPORTER, results_in
from reviewer.core.importers.ctgov_xml_results import read_results
from reviewer.core.results import results_from_dict

NCT_ID = "NCT09999960"
CELLS = "class_list/class/category_list/category/measurement_list/measurement"


@pytest.fixture(scope="module")
def xml_dir(corpus_dir) -> Path:
    return corpus_dir / "ctgov-xml"


@pytest.fixture(scope="module")
def with_results(xml_dir) -> list[tuple[Path, TrustedET.Element, object]]:
    """(path, the XML's <clinical_results>, the parsed record) of each corpus record with results."""
    found = []
    for path in sorted(xml_dir.glob("*.xml")):
        element = TrustedET.parse(path).getroot().find("clinical_results")
        if element is not None:
            found.append((path, element, _shown(path)))
    assert len(found) == 34, f"expected the 34 records with results, found {len(found)}"
    return found


def _shown(path: Path):
    """The parsed record with its results, as a shown trial has them (core/shown.py: the import
    leaves them out)."""
    text = path.read_text(encoding="utf-8")
    (parsed,) = IMPORTER.parse(text)
    assert parsed.record.results is None
    parsed.record.results = results_in(text)
    return parsed


def results_of(xml_dir: Path, nct_id: str):
    return _shown(xml_dir / f"{nct_id}.xml").record.results


def study(results_xml: str) -> TrustedET.Element:
    return TrustedET.fromstring(
        f"<clinical_study><id_info><nct_id>{NCT_ID}</nct_id></id_info>"
        f"<clinical_results>{results_xml}</clinical_results></clinical_study>"
    )


def n(element: TrustedET.Element, path: str) -> int:
    return len(element.findall(path))


def events_xml(element: TrustedET.Element, kind: str) -> int:
    """The events of one block, less those of its "Total" category."""
    return sum(
        n(category, "event_list/event")
        for category in element.findall(f"reported_events/{kind}/category_list/category")
        if category.findtext("title") != "Total"
    )


# --- The whole corpus -------------------------------------------------------------------------------


def test_every_record_with_results_reads_them_without_warnings(with_results):
    for path, element, parsed in with_results:
        results = parsed.record.results
        assert not parsed.warnings, (path.name, parsed.warnings)
        assert results is not None, path.name
        assert results.participant_flow.groups and results.participant_flow.periods, path.name
        assert results.baseline.groups and results.baseline.measures, path.name
        assert results.outcome_measures, path.name
        has_events = element.find("reported_events") is not None
        assert (results.adverse_events is not None) == has_events, path.name
        if results.adverse_events is not None:
            assert results.adverse_events.event_groups, path.name
        assert results.certain_agreement.pi_sponsor_employee is not None, path.name
        assert results.certain_agreement.restrictive_agreement is not None, path.name
        assert results.point_of_contact.title, path.name
        assert (results.limitations is not None) == (element.find("limitations_and_caveats") is not None)


def test_counts_equal_the_elements_in_the_xml(with_results):
    mismatches = []
    for path, element, parsed in with_results:
        results = parsed.record.results
        flow, baseline, events = results.participant_flow, results.baseline, results.adverse_events
        outcomes = results.outcome_measures
        expected = {
            "flow groups": n(element, "participant_flow/group_list/group"),
            "periods": n(element, "participant_flow/period_list/period"),
            "milestones": n(element, "participant_flow/period_list/period/milestone_list/milestone"),
            "drop-outs": n(element, "participant_flow/period_list/period/drop_withdraw_reason_list/*"),
            "baseline groups": n(element, "baseline/group_list/group"),
            "baseline measures": n(element, "baseline/measure_list/measure"),
            "baseline cells": n(element, f"baseline/measure_list/measure/{CELLS}"),
            "outcomes": n(element, "outcome_list/outcome"),
            "outcome classes": n(element, "outcome_list/outcome/measure/class_list/class"),
            "analyses": n(element, "outcome_list/outcome/analysis_list/analysis"),
            "event groups": n(element, "reported_events/group_list/group"),
            "serious events": events_xml(element, "serious_events"),
            "other events": events_xml(element, "other_events"),
        }
        found = {
            "flow groups": len(flow.groups),
            "periods": len(flow.periods),
            "milestones": sum(len(p.milestones) for p in flow.periods),
            "drop-outs": sum(len(p.drop_withdraws) for p in flow.periods),
            "baseline groups": len(baseline.groups),
            "baseline measures": len(baseline.measures),
            "baseline cells": sum(
                len(g.measurements) for m in baseline.measures for c in m.classes for g in c.categories
            ),
            "outcomes": len(outcomes),
            "outcome classes": sum(len(m.classes) for m in outcomes),
            "analyses": sum(len(m.analyses) for m in outcomes),
            "event groups": len(events.event_groups) if events else 0,
            "serious events": len(events.serious_events) if events else 0,
            "other events": len(events.other_events) if events else 0,
        }
        if found != expected:
            mismatches.append(f"{path.name}: xml {expected} results {found}")
    assert not mismatches, "\n".join(mismatches)


def test_totals_are_the_groups_not_events(with_results):
    for path, element, parsed in with_results:
        events = parsed.record.results.adverse_events
        if events is None:
            continue
        for event in events.serious_events + events.other_events:
            assert event.organ_system != "Total", path.name
            assert not (event.term or "").startswith("Total, "), path.name
        # every record writes the serious and other totals (and some all-cause mortality): each group has them
        for group in events.event_groups:
            assert group.serious_num_at_risk is not None and group.other_num_at_risk is not None, path.name
        has_deaths = element.find(".//event[sub_title='Total, all-cause mortality']") is not None
        assert all((g.deaths_num_at_risk is not None) == has_deaths for g in events.event_groups), path.name


def test_results_survive_a_json_round_trip(with_results):
    for path, _, parsed in with_results:
        results = parsed.record.results
        assert results_from_dict(orjson.loads(orjson.dumps(results))) == results, path.name


def test_a_record_without_results_has_none(xml_dir):
    parsed = _shown(xml_dir / "NCT00000102.xml")
    assert parsed.record.has_results is False
    assert parsed.record.results is None


# --- One record, cell by cell --------------------------------------------------------------------------


def test_one_record_cell_by_cell(xml_dir):
    """NCT00003270: cord blood transplant, one arm of 20."""
    results = results_of(xml_dir, "NCT00003270")
    flow = results.participant_flow
    assert [(g.id, g.title) for g in flow.groups] == [("P1", "Arm 1")]
    (period,) = flow.periods
    assert period.title == "Overall Study"
    assert [(m.type, [(c.group_id, c.value) for c in m.counts]) for m in period.milestones] == [
        ("STARTED", [("P1", "20")]),
        ("COMPLETED", [("P1", "20")]),
        ("NOT COMPLETED", [("P1", "0")]),
    ]
    assert period.drop_withdraws == []

    baseline = results.baseline
    assert [(d.units, [(c.group_id, c.value) for c in d.counts]) for d in baseline.denoms] == [
        ("Participants", [("B1", "20")])
    ]
    ages = baseline.measures[0]
    assert (ages.title, ages.param_type, ages.unit_of_measure) == (
        "Age",
        "COUNT_OF_PARTICIPANTS",
        "Participants",
    )
    assert [c.title for c in ages.classes[0].categories] == [
        "<=18 years",
        "Between 18 and 65 years",
        ">=65 years",
    ]
    age = baseline.measures[1]
    assert (age.title, age.param_type, age.dispersion_type, age.unit_of_measure) == (
        "Age",
        "MEDIAN",
        "FULL_RANGE",
        "years",
    )
    (cell,) = age.classes[0].categories[0].measurements
    assert (cell.group_id, cell.value, cell.spread, cell.lower_limit, cell.upper_limit) == (
        "B1",
        "32.5",
        None,
        "5",
        "54",
    )

    events = results.adverse_events
    (group,) = events.event_groups
    assert (group.id, group.title) == ("E1", "Arm 1")
    assert (group.deaths_num_affected, group.deaths_num_at_risk) == (8, 20)
    assert (group.serious_num_affected, group.serious_num_at_risk) == (5, 20)
    assert (group.other_num_affected, group.other_num_at_risk) == (5, 20)
    assert events.frequency_threshold == "5"
    (serious,) = events.serious_events
    assert (serious.term, serious.organ_system, serious.assessment_type) == (
        "DBE/FTE",
        "Blood and lymphatic system disorders",
        "SYSTEMATIC_ASSESSMENT",
    )
    assert serious.notes.startswith("DBE: Died before engraftment")
    assert [(s.group_id, s.num_events, s.num_affected, s.num_at_risk) for s in serious.stats] == [
        ("E1", 5, 5, 20)
    ]
    assert [e.term for e in events.other_events] == ["Severe Acute graft-versus-host disease"]

    agreement = results.certain_agreement
    assert (agreement.pi_sponsor_employee, agreement.restrictive_agreement, agreement.other_details) == (
        True,
        False,
        None,
    )
    contact = results.point_of_contact
    assert (contact.title, contact.organization, contact.phone, contact.phone_ext) == (
        "Dr. Theresa Hahn",
        "Roswell Park Comprehensive Cancer Center",
        "716-845-5819",
        None,
    )
    assert results.group_titles()["B1"] == "Arm 1"


def test_outcomes_and_analyses(xml_dir):
    """NCT00003389 (ABVD vs Stanford V): a hazard ratio with its interval, and texts with line breaks."""
    outcomes = results_of(xml_dir, "NCT00003389").outcome_measures
    first = outcomes[0]
    assert first.type == "PRIMARY"
    assert first.reporting_status == "POSTED"
    assert "\nProgression is defined" in first.description and "\r" not in first.description
    assert [g.id for g in first.groups] == [d.group_id for d in first.denoms[0].counts]
    analyses = [a for m in outcomes for a in m.analyses]
    assert analyses and all(a.group_ids for a in analyses)
    assert {a.non_inferiority_type for a in analyses} <= {"SUPERIORITY", "SUPERIORITY_OR_OTHER"}


def test_agreements_and_phone_extensions(xml_dir):
    embargo = results_of(xml_dir, "NCT01076361").certain_agreement
    assert (embargo.restrictive_agreement, embargo.restriction_type, embargo.other_details) == (
        True,
        "LTE60",
        None,
    )
    own_words = results_of(xml_dir, "NCT00490139").certain_agreement
    assert own_words.pi_sponsor_employee is False
    assert own_words.restrictive_agreement is True
    assert own_words.other_details.startswith("The terms and conditions of Novartis' agreements")
    contact = results_of(xml_dir, "NCT00491894").point_of_contact
    assert (contact.phone, contact.phone_ext) == ("800-849-9707", "1454")


def test_outcomes_not_posted_say_when_they_are_expected(xml_dir):
    """NCT01380080: 9 of its 15 outcomes have no <measure>, only <posting_date>12/2020</posting_date>."""
    outcomes = results_of(xml_dir, "NCT01380080").outcome_measures
    not_posted = [m for m in outcomes if m.reporting_status == "NOT_POSTED"]
    assert len(outcomes) == 15 and len(not_posted) == 9
    assert {m.anticipated_posting_date for m in not_posted} == {"2020-12"}
    assert all(m.classes == [] and m.groups == [] and m.time_frame for m in not_posted)
    assert all(m.classes for m in outcomes if m.reporting_status == "POSTED")


# --- Made-up documents ---------------------------------------------------------------------------------

MEASURE = """<measure><title>{title}</title><units>units</units><param>{param}</param>
<dispersion>{dispersion}</dispersion><class_list><class><category_list><category><measurement_list>
<measurement group_id="G1" value="1.5" spread="0.2">not all visits</measurement>
</measurement_list></category></category_list></class></class_list></measure>"""


def test_spellings_become_codes_where_api_v2_has_codes():
    results = read_results(
        study(
            "<baseline><group_list><group group_id='G1'><title>All</title></group></group_list><measure_list>"
            + MEASURE.format(title="Score", param="Least Squares Mean", dispersion="95% Confidence Interval")
            + MEASURE.format(title="Ratio", param="Mean Ratio", dispersion="Half Range")
            + "</measure_list></baseline><outcome_list><outcome><type>Other Pre-specified</type>"
            "<title>Score</title><time_frame>week 4</time_frame>"
            + MEASURE.format(title="Score at week 4", param="Geometric Mean", dispersion="Standard Error")
            + "<analysis_list><analysis><group_id_list><group_id>G1</group_id></group_id_list>"
            "<non_inferiority_type>Superiority or Other (legacy)</non_inferiority_type><ci_percent>97.5</ci_percent>"
            "<ci_n_sides>1-Sided</ci_n_sides><dispersion_type>Standard Error of the Mean</dispersion_type>"
            "<param_type>Hazard Ratio (HR)</param_type></analysis></analysis_list></outcome></outcome_list>"
        )
    )
    coded, unknown = results.baseline.measures
    assert (coded.param_type, coded.dispersion_type) == ("LEAST_SQUARES_MEAN", "CONFIDENCE_95")
    assert (unknown.param_type, unknown.dispersion_type) == ("Mean Ratio", "Half Range")
    (cell,) = coded.classes[0].categories[0].measurements
    assert (cell.value, cell.spread, cell.comment) == ("1.5", "0.2", "not all visits")
    (outcome,) = results.outcome_measures
    assert (outcome.type, outcome.title, outcome.time_frame) == ("OTHER_PRE_SPECIFIED", "Score", "week 4")
    # API v2 writes an outcome measure's dispersion in words (its spec has no codes for it)
    assert (outcome.param_type, outcome.dispersion_type) == ("GEOMETRIC_MEAN", "Standard Error")
    (analysis,) = outcome.analyses
    assert analysis.group_ids == ["G1"]
    assert analysis.non_inferiority_type == "SUPERIORITY_OR_OTHER_LEGACY"
    assert (analysis.ci_pct_value, analysis.ci_num_sides) == ("97.5", "ONE_SIDED")
    assert (analysis.dispersion_type, analysis.param_type) == ("STANDARD_ERROR_OF_MEAN", "Hazard Ratio (HR)")
    assert results.participant_flow is None and results.adverse_events is None
    assert results.certain_agreement is None and results.point_of_contact is None


def test_malformed_counts_read_as_none():
    results = read_results(
        study(
            "<reported_events><group_list><group group_id='E1'><title>All</title></group></group_list>"
            "<serious_events><default_vocab>MedDRA 18.0</default_vocab>"
            "<default_assessment>Non-systematic Assessment</default_assessment><category_list>"
            "<category><title>Total</title><event_list><event><sub_title>Total, serious adverse events</sub_title>"
            "<counts group_id='E1' subjects_affected='12a' subjects_at_risk='40'/></event></event_list></category>"
            "<category><title>Cardiac disorders</title><event_list><event><sub_title>Angina</sub_title>"
            "<counts group_id='E1' events='3.5' subjects_affected='-1' subjects_at_risk='99999999999999999999'/>"
            "</event></event_list></category></category_list></serious_events></reported_events>"
        )
    )
    events = results.adverse_events
    (group,) = events.event_groups
    assert (group.serious_num_affected, group.serious_num_at_risk) == (None, 40)
    (angina,) = events.serious_events
    assert (angina.source_vocabulary, angina.assessment_type) == ("MedDRA 18.0", "NON_SYSTEMATIC_ASSESSMENT")
    (stat,) = angina.stats
    assert (stat.group_id, stat.num_events, stat.num_affected, stat.num_at_risk) == ("E1", None, None, None)
    assert events.other_events == []


def test_empty_results_keep_their_lists_empty():
    results = read_results(study("<participant_flow/><baseline/><outcome_list/>"))
    assert results.participant_flow.groups == [] and results.participant_flow.periods == []
    assert results.baseline.measures == []
    assert results.outcome_measures == []
    assert results.limitations is None
