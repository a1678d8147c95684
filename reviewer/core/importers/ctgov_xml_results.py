"""A legacy XML record's ``<clinical_results>`` as ``results.Results``: the same shapes the API v2
reader (ctgov_json_results) fills, so a legacy file and a v2 JSON of one study show the same tables.

The legacy writer spells coded values in words ("Count of Participants", "Systematic Assessment");
they become API v2's codes where API v2 has codes, and stay as written where it has none (an outcome
measure's dispersion, an analysis's parameter) or the spelling is unknown. Values stay texts as the
XML writes them; adverse-event counts are whole numbers, and one that is not reads as None. The
adverse events' totals, which the XML writes as events of a category "Total", become the groups'
totals. Results text is never hard-wrapped (unlike the protocol's text blocks): its line breaks are
the submitter's and are kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar
from xml.etree.ElementTree import Element

from .. import results as res
from .ctgov_json_results import COUNTS
from .ctgov_xml import _child, _plain, _text

_T = TypeVar("_T")

# the XML's sub_title of each total -> the EventGroup fields it fills
TOTALS = {
    "Total, all-cause mortality": "deaths",
    "Total, serious adverse events": "serious",
    "Total, other adverse events": "other",
}

# API v2's codes (ctg-oas-v2.yaml); a word spelling is matched by its upper-case token
PARAMS = frozenset(
    {
        "GEOMETRIC_MEAN", "GEOMETRIC_LEAST_SQUARES_MEAN", "LEAST_SQUARES_MEAN", "LOG_MEAN", "MEAN",
        "MEDIAN", "NUMBER", "COUNT_OF_PARTICIPANTS", "COUNT_OF_UNITS",
    }
)  # fmt: skip
DISPERSIONS = frozenset(
    {
        "NA", "STANDARD_DEVIATION", "STANDARD_ERROR", "INTER_QUARTILE_RANGE", "FULL_RANGE",
        "CONFIDENCE_80", "CONFIDENCE_90", "CONFIDENCE_95", "CONFIDENCE_975", "CONFIDENCE_99",
        "CONFIDENCE_OTHER", "GEOMETRIC_COEFFICIENT",
    }
)  # fmt: skip
OUTCOME_TYPES = frozenset({"PRIMARY", "SECONDARY", "OTHER_PRE_SPECIFIED", "POST_HOC"})
ASSESSMENTS = frozenset({"SYSTEMATIC_ASSESSMENT", "NON_SYSTEMATIC_ASSESSMENT"})
NON_INFERIORITY = frozenset(
    {
        "SUPERIORITY", "NON_INFERIORITY", "EQUIVALENCE", "OTHER", "NON_INFERIORITY_OR_EQUIVALENCE",
        "SUPERIORITY_OR_OTHER", "NON_INFERIORITY_OR_EQUIVALENCE_LEGACY", "SUPERIORITY_OR_OTHER_LEGACY",
    }
)  # fmt: skip
SIDES = frozenset({"ONE_SIDED", "TWO_SIDED"})
ANALYSIS_DISPERSIONS = frozenset({"STANDARD_DEVIATION", "STANDARD_ERROR_OF_MEAN"})
# tokens of the XML's spellings that differ from the code
SPELLINGS = {
    "80_CONFIDENCE_INTERVAL": "CONFIDENCE_80",
    "90_CONFIDENCE_INTERVAL": "CONFIDENCE_90",
    "95_CONFIDENCE_INTERVAL": "CONFIDENCE_95",
    "97_5_CONFIDENCE_INTERVAL": "CONFIDENCE_975",
    "99_CONFIDENCE_INTERVAL": "CONFIDENCE_99",
    "GEOMETRIC_COEFFICIENT_OF_VARIATION": "GEOMETRIC_COEFFICIENT",
    "STANDARD_ERROR_OF_THE_MEAN": "STANDARD_ERROR_OF_MEAN",
    "1_SIDED": "ONE_SIDED",
    "2_SIDED": "TWO_SIDED",
}

# the registry's own sentences for the two embargo restrictions it offered as choices
_EMBARGO = re.compile(
    r"The only disclosure restriction on the PI is that the sponsor can review results communications"
    r".*?for a period that is (less than or equal to 60 days|more than 60 days)",
    re.S,
)
_PHONE_EXT = re.compile(r"(.+?)[\s,;]*\bext(?:ension)?\b\.?:?\s*(\d+)", re.I)


def read_results(study: Element) -> res.Results | None:
    """The study's results; None when it has no <clinical_results>."""
    results = study.find("clinical_results")
    if results is None:
        return None
    outcomes = results.find("outcome_list")
    return res.Results(
        participant_flow=_present(results, "participant_flow", _flow),
        baseline=_present(results, "baseline", _baseline),
        outcome_measures=None if outcomes is None else [_outcome(x) for x in outcomes.findall("outcome")],
        adverse_events=_present(results, "reported_events", _adverse_events),
        limitations=_text(results, "limitations_and_caveats"),
        certain_agreement=_present(results, "certain_agreements", _agreement),
        point_of_contact=_present(results, "point_of_contact", _contact),
    )


def _present(parent: Element, path: str, read: Callable[[Element], _T]) -> _T | None:
    element = parent.find(path)
    return None if element is None else read(element)


def _attribute(element: Element, name: str) -> str | None:
    return _plain(element.get(name))


def _coded(text: str | None, codes: frozenset[str]) -> str | None:
    """'Count of Participants' -> 'COUNT_OF_PARTICIPANTS'; a spelling of no code as written."""
    if text is None:
        return None
    token = re.sub(r"[^A-Z0-9]+", "_", text.upper()).strip("_")
    token = SPELLINGS.get(token, token)
    return token if token in codes else text


def _whole(text: str | None) -> int | None:
    """A count written as digits, within COUNTS; anything else None."""
    digits = (text or "").strip()
    if not digits.isascii() or not digits.isdigit() or len(digits) > 10:
        return None
    number = int(digits)
    return number if COUNTS[0] <= number <= COUNTS[1] else None


def _groups(parent: Element) -> list[res.ResultGroup]:
    return [
        res.ResultGroup(
            id=_attribute(x, "group_id") or "", title=_text(x, "title"), description=_text(x, "description")
        )
        for x in parent.findall("group_list/group")
    ]


# --- Participant flow -------------------------------------------------------------------------------


def _flow(flow: Element) -> res.ParticipantFlow:
    return res.ParticipantFlow(
        recruitment_details=_text(flow, "recruitment_details"),
        pre_assignment_details=_text(flow, "pre_assignment_details"),
        groups=_groups(flow),
        periods=[
            res.FlowPeriod(
                title=_text(period, "title"),
                milestones=[_flow_row(x) for x in period.findall("milestone_list/milestone")],
                drop_withdraws=[
                    _flow_row(x) for x in period.findall("drop_withdraw_reason_list/drop_withdraw_reason")
                ],
            )
            for period in flow.findall("period_list/period")
        ],
    )


def _flow_row(row: Element) -> res.FlowRow:
    counts = [
        res.Count(_attribute(x, "group_id") or "", _attribute(x, "count"), _plain(x.text))
        for x in row.findall("participants_list/participants")
    ]
    return res.FlowRow(type=_text(row, "title"), counts=counts)


# --- Baseline and outcome measures ------------------------------------------------------------------


def _baseline(baseline: Element) -> res.Baseline:
    return res.Baseline(
        population_description=_text(baseline, "population"),
        groups=_groups(baseline),
        denoms=_denoms(baseline),
        measures=[_measure(x) for x in baseline.findall("measure_list/measure")],
    )


def _denoms(parent: Element) -> list[res.Denominator]:
    return [
        res.Denominator(
            units=_text(analyzed, "units"),
            counts=[
                res.Count(_attribute(x, "group_id") or "", _attribute(x, "value"), _plain(x.text))
                for x in analyzed.findall("count_list/count")
            ],
        )
        for analyzed in parent.findall("analyzed_list/analyzed")
    ]


def _measure(measure: Element, outcome: Element | None = None) -> res.Measure:
    """A measure from its <measure>; an outcome's own title, description and population win."""

    def text(name: str) -> str | None:
        return (None if outcome is None else _text(outcome, name)) or _text(measure, name)

    dispersion = _text(measure, "dispersion")
    return res.Measure(
        title=text("title"),
        description=text("description"),
        population_description=text("population"),
        param_type=_coded(_text(measure, "param"), PARAMS),
        # API v2 codes a baseline measure's dispersion but writes an outcome measure's in words
        dispersion_type=_coded(dispersion, DISPERSIONS) if outcome is None else dispersion,
        unit_of_measure=_text(measure, "units"),
        denom_units_selected=_text(measure, "units_analyzed"),
        denoms=_denoms(measure),
        classes=[_class(x) for x in measure.findall("class_list/class")],
    )


def _class(element: Element) -> res.MeasureClass:
    return res.MeasureClass(
        title=_text(element, "title"),
        denoms=_denoms(element),
        categories=[
            res.MeasureCategory(
                title=_text(category, "title"),
                measurements=[_measurement(x) for x in category.findall("measurement_list/measurement")],
            )
            for category in element.findall("category_list/category")
        ],
    )


def _measurement(element: Element) -> res.Measurement:
    return res.Measurement(
        group_id=_attribute(element, "group_id") or "",
        value=_attribute(element, "value"),
        spread=_attribute(element, "spread"),
        lower_limit=_attribute(element, "lower_limit"),
        upper_limit=_attribute(element, "upper_limit"),
        comment=_plain(element.text),
    )


def _outcome(outcome: Element) -> res.Measure:
    posted = outcome.find("measure")
    measure = _measure(_child(outcome, "measure"), outcome)
    measure.type = _coded(_text(outcome, "type"), OUTCOME_TYPES)
    measure.time_frame = _text(outcome, "time_frame")
    measure.groups = _groups(outcome)
    measure.analyses = [_analysis(x) for x in outcome.findall("analysis_list/analysis")]
    # an outcome without <measure> has no data posted yet (posting_date: when they are expected)
    measure.reporting_status = "NOT_POSTED" if posted is None else "POSTED"
    measure.anticipated_posting_date = _posting_date(_text(outcome, "posting_date"))
    return measure


def _posting_date(text: str | None) -> str | None:
    """'12/2020' -> '2020-12'; a year stays; anything else as written."""
    match = re.fullmatch(r"(\d\d)/(\d{4})", text or "")
    return f"{match.group(2)}-{match.group(1)}" if match else text


def _analysis(element: Element) -> res.Analysis:
    def text(name: str) -> str | None:
        return _text(element, name)

    return res.Analysis(
        group_ids=[t for t in (_plain(x.text) for x in element.findall("group_id_list/group_id")) if t],
        group_description=text("groups_desc"),
        non_inferiority_type=_coded(text("non_inferiority_type"), NON_INFERIORITY),
        non_inferiority_comment=text("non_inferiority_desc"),
        p_value=text("p_value"),
        p_value_comment=text("p_value_desc"),
        statistical_method=text("method"),
        statistical_comment=text("method_desc"),
        param_type=text("param_type"),
        param_value=text("param_value"),
        ci_pct_value=text("ci_percent"),
        ci_num_sides=_coded(text("ci_n_sides"), SIDES),
        ci_lower_limit=text("ci_lower_limit"),
        ci_upper_limit=text("ci_upper_limit"),
        dispersion_type=_coded(text("dispersion_type"), ANALYSIS_DISPERSIONS),
        dispersion_value=text("dispersion_value"),
        ci_upper_limit_comment=text("ci_upper_limit_na_comment"),
        estimate_comment=text("estimate_desc"),
        other_analysis_description=text("other_analysis_desc"),
    )


# --- Adverse events ---------------------------------------------------------------------------------


def _adverse_events(reported: Element) -> res.AdverseEvents:
    groups = [res.EventGroup(id=g.id, title=g.title, description=g.description) for g in _groups(reported)]
    serious = _events(reported.find("serious_events"), groups)
    other = _events(reported.find("other_events"), groups)
    return res.AdverseEvents(
        frequency_threshold=_text(reported, "other_events/frequency_threshold")
        or _text(reported, "serious_events/frequency_threshold"),
        time_frame=_text(reported, "time_frame"),
        description=_text(reported, "desc"),
        event_groups=groups,
        serious_events=serious,
        other_events=other,
    )


def _events(block: Element | None, groups: list[res.EventGroup]) -> list[res.AdverseEvent]:
    """The events of <serious_events> or <other_events>; its totals are set on ``groups``."""
    if block is None:
        return []
    vocabulary = _text(block, "default_vocab")
    assessment = _text(block, "default_assessment")
    events = []
    for category in block.findall("category_list/category"):
        organ_system = _text(category, "title")
        for element in category.findall("event_list/event"):
            term = _child(element, "sub_title")
            total = TOTALS.get(_plain(term.text) or "") if organ_system == "Total" else None
            if total:
                _set_totals(element, total, groups)
                continue
            events.append(
                res.AdverseEvent(
                    term=_plain(term.text),
                    organ_system=organ_system,
                    source_vocabulary=_attribute(term, "vocab") or vocabulary,
                    assessment_type=_coded(_text(element, "assessment") or assessment, ASSESSMENTS),
                    notes=_text(element, "description"),
                    stats=[
                        res.EventStat(
                            group_id=_attribute(x, "group_id") or "",
                            num_events=_whole(x.get("events")),
                            num_affected=_whole(x.get("subjects_affected")),
                            num_at_risk=_whole(x.get("subjects_at_risk")),
                        )
                        for x in element.findall("counts")
                    ],
                )
            )
    return events


def _set_totals(event: Element, total: str, groups: list[res.EventGroup]) -> None:
    by_id = {g.id: g for g in groups}
    for counts in event.findall("counts"):
        group = by_id.get(_attribute(counts, "group_id") or "")
        if group is not None:
            setattr(group, f"{total}_num_affected", _whole(counts.get("subjects_affected")))
            setattr(group, f"{total}_num_at_risk", _whole(counts.get("subjects_at_risk")))


# --- More information ---------------------------------------------------------------------------------


def _agreement(element: Element) -> res.CertainAgreement:
    employee = _text(element, "pi_employee") or ""
    text = _text(element, "restrictive_agreement")
    agreement = res.CertainAgreement()
    if "ARE employed" in employee or "NOT employed" in employee:
        agreement.pi_sponsor_employee = "ARE employed" in employee
    if text is None:
        return agreement
    if text.startswith("There is NOT an agreement"):
        agreement.restrictive_agreement = False
        return agreement
    agreement.restrictive_agreement = True
    embargo = _EMBARGO.match(text)
    if embargo:
        agreement.restriction_type = "LTE60" if embargo.group(1).startswith("less") else "GT60"
    else:
        agreement.other_details = text
    return agreement


def _contact(element: Element) -> res.PointOfContact:
    phone = _text(element, "phone")
    extension = _PHONE_EXT.fullmatch(phone or "")
    return res.PointOfContact(
        title=_text(element, "name_or_title"),
        organization=_text(element, "organization"),
        email=_text(element, "email"),
        phone=extension.group(1) if extension else phone,
        phone_ext=extension.group(2) if extension else None,
    )
