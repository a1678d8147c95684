"""``present_results(record)``: a trial's posted results as the tables a reader reads, built once for
the page, the PDF brief and the plain text (the JSON export writes the record's own shapes).

Every table has its groups as columns and one row per milestone, category or event; a cell is the
value with its dispersion as the registry reports it ("63.5 (10.2)", "32.5 (5 to 54)"), a count of
participants with its share of those analysed ("12 (25.0%)"), an adverse event as affected of at
risk ("3/120 (2.5%)"). Rows that head a block (a baseline measure with several categories, an organ
system) are ``heading`` rows with no cells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..record import TrialRecord
from ..results import (
    AdverseEvent,
    AdverseEvents,
    Analysis,
    Baseline,
    Count,
    Denominator,
    EventGroup,
    Measure,
    ParticipantFlow,
    ResultGroup,
    Results,
)
from .values import State

# codes the registry writes (API v2 mixes codes and words for some of them) -> words
WORDS = {
    "COUNT_OF_PARTICIPANTS": "Count of participants",
    "COUNT_OF_UNITS": "Count of units",
    "LEAST_SQUARES_MEAN": "Least squares mean",
    "GEOMETRIC_MEAN": "Geometric mean",
    "GEOMETRIC_LEAST_SQUARES_MEAN": "Geometric least squares mean",
    "LOG_MEAN": "Log mean",
    "STANDARD_DEVIATION": "standard deviation",
    "STANDARD_ERROR": "standard error",
    "STANDARD_ERROR_OF_MEAN": "standard error of the mean",
    "FULL_RANGE": "full range",
    "INTER_QUARTILE_RANGE": "inter-quartile range",
    "CONFIDENCE_80": "80% confidence interval",
    "CONFIDENCE_90": "90% confidence interval",
    "CONFIDENCE_95": "95% confidence interval",
    "CONFIDENCE_975": "97.5% confidence interval",
    "CONFIDENCE_99": "99% confidence interval",
    "CONFIDENCE_OTHER": "other confidence interval",
    "GEOMETRIC_COEFFICIENT": "geometric coefficient of variation",
    "OTHER_PRE_SPECIFIED": "Other pre-specified",
    "POST_HOC": "Post-hoc",
    "NOT_POSTED": "Not posted",
    "SYSTEMATIC_ASSESSMENT": "systematic assessment",
    "NON_SYSTEMATIC_ASSESSMENT": "non-systematic assessment",
}
_CODE = re.compile(r"^[A-Z0-9_]+$")


def words(value: str | None) -> str:
    """A code in words ("FULL_RANGE" -> "full range"), a word spelling as written; "" for none."""
    if not value:
        return ""
    if value in WORDS:
        return WORDS[value]
    if _CODE.match(value):
        return value.replace("_", " ").capitalize()
    return value


@dataclass(slots=True)
class Row:
    label: str
    cells: list[str] = field(default_factory=list)  # one per column; "" for a group with no value
    heading: bool = False  # heads the rows under it (which are ``indented``)
    indented: bool = False


@dataclass(slots=True)
class Table:
    title: str
    columns: list[str]  # the groups' titles
    rows: list[Row]
    notes: list[tuple[str, str]] = field(default_factory=list)  # (label, text) said above the table
    analyses: list[str] = field(default_factory=list)  # an outcome's statistical analyses, in words


@dataclass(slots=True)
class ResultsView:
    """What the results section shows: ``state`` given, none (the registry says no results are
    posted) or not in source (the source cannot say: a CSV row, a saved page)."""

    state: State
    flow: list[Table] = field(default_factory=list)  # one per period
    flow_notes: list[tuple[str, str]] = field(default_factory=list)
    groups: list[tuple[str, str]] = field(default_factory=list)  # (title, description): the arms as reported
    baseline: Table | None = None
    outcomes: list[Table] = field(default_factory=list)
    adverse_totals: Table | None = None
    adverse_notes: list[tuple[str, str]] = field(default_factory=list)
    serious_events: Table | None = None
    other_events: Table | None = None
    more: list[tuple[str, str]] = field(default_factory=list)  # limitations, agreements, contact

    @property
    def counts(self) -> str:
        """The section in a few words: "3 outcome measures with results · 41 adverse-event terms"."""
        parts = []
        if self.outcomes:
            parts.append(_plural(len(self.outcomes), "outcome measure"))
        terms = sum(len([r for r in t.rows if not r.heading]) for t in (self.serious_events, self.other_events) if t)
        if terms:
            parts.append(_plural(terms, "adverse-event term"))
        return " · ".join(parts)


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def present_results(record: TrialRecord) -> ResultsView:
    results = record.results
    if results is None:
        return ResultsView(State.NONE if record.has_results is False else State.NOT_IN_SOURCE)
    view = ResultsView(State.GIVEN)
    if results.participant_flow is not None:
        _flow(view, results.participant_flow)
    if results.baseline is not None and results.baseline.measures:
        view.baseline = _baseline(results.baseline)
    view.outcomes = [_outcome(measure, n) for n, measure in enumerate(results.outcome_measures or [], 1)]
    if results.adverse_events is not None:
        _adverse(view, results.adverse_events)
    view.more = _more(results)
    return view


def _titles(groups: list[ResultGroup] | list[EventGroup]) -> list[str]:
    return [g.title or g.id for g in groups]


def _by_group(counts: list[Count], groups: list[ResultGroup]) -> list[str]:
    values = {c.group_id: c.value or "" for c in counts}
    return [values.get(g.id, "") for g in groups]


def _flow(view: ResultsView, flow: ParticipantFlow) -> None:
    view.flow_notes = [
        (label, text)
        for label, text in (
            ("Recruitment", flow.recruitment_details),
            ("Before assignment", flow.pre_assignment_details),
            ("Units analysed", flow.type_units_analyzed),
        )
        if text
    ]
    view.groups = [(g.title or g.id, g.description or "") for g in flow.groups]
    columns = _titles(flow.groups)
    for n, period in enumerate(flow.periods, 1):
        rows = [Row(_milestone(m.type), _by_group(m.counts, flow.groups)) for m in period.milestones]
        if period.drop_withdraws:
            rows.append(Row("Reasons for not completing", heading=True))
            rows += [Row(d.type or "", _by_group(d.counts, flow.groups), indented=True) for d in period.drop_withdraws]
        view.flow.append(Table(period.title or f"Period {n}", columns, rows))


def _milestone(kind: str | None) -> str:
    """"STARTED", "NOT COMPLETED" as "Started", "Not completed"; a sponsor's own wording as written."""
    return kind.capitalize() if kind and kind.isupper() else kind or ""


def _measure_head(measure: Measure) -> str:
    """What the values are: "Mean (standard deviation), years"; a count's unit only when it is not
    the participants the kind already says."""
    kind = words(measure.param_type)
    dispersion = words(measure.dispersion_type)
    head = f"{kind} ({dispersion.lower()})" if kind and dispersion else kind or dispersion
    unit = measure.unit_of_measure
    if unit and kind.lower().endswith(unit.lower()):
        unit = None
    return ", ".join(x for x in (head, unit) if x)


def _share(value: str | None, denominator: str | None) -> str:
    """" (25.0%)" when both are numbers and the denominator is not 0."""
    try:
        share = float(value or "") / float(denominator or "")
    except (ValueError, ZeroDivisionError):
        return ""
    return f" ({share:.1%})" if 0 <= share <= 1 else ""


def _denominators(denoms: list[Denominator]) -> dict[str, str]:
    """Participants analysed by group (the first denominator, which is the participants one)."""
    return {c.group_id: c.value or "" for c in denoms[0].counts} if denoms else {}


def _cells(measure: Measure, groups: list[ResultGroup], measurements, analysed: dict[str, str]) -> list[str]:
    by_group = {m.group_id: m for m in measurements}
    counting = measure.param_type in ("COUNT_OF_PARTICIPANTS", "Count of Participants") and measure.calculate_pct is not False
    cells = []
    for group in groups:
        m = by_group.get(group.id)
        if m is None:
            cells.append("")
            continue
        text = m.value or "NA"
        if m.spread:
            text += f" ({m.spread})"
        elif m.lower_limit or m.upper_limit:
            text += f" ({m.lower_limit or 'NA'} to {m.upper_limit or 'NA'})"
        elif counting:
            text += _share(m.value, analysed.get(group.id))
        if m.comment:
            text += f" [{m.comment}]"
        cells.append(text)
    return cells


def _measure_rows(measure: Measure, groups: list[ResultGroup], analysed: dict[str, str], nested: bool) -> list[Row]:
    """The rows of one measure: one row when it has one untitled category, else a row per class and
    category (headed by the measure itself when ``nested``)."""
    rows: list[Row] = []
    for cls in measure.classes:
        class_analysed = _denominators(cls.denoms) or analysed
        headed = bool(cls.title) and len(cls.categories) > 1
        if headed:
            rows.append(Row(cls.title or "", heading=True, indented=nested))
        for category in cls.categories:
            # an outcome's one untitled category: its unit, not the title the table already has
            unit = measure.unit_of_measure or "value"
            label = category.title or cls.title or (measure.title if nested else unit[:1].upper() + unit[1:]) or ""
            if not headed and cls.title and category.title and cls.title != category.title:
                label = f"{cls.title}: {category.title}"
            cells = _cells(measure, groups, category.measurements, class_analysed)
            rows.append(Row(label, cells, indented=nested or headed))
    return rows


def _baseline(baseline: Baseline) -> Table:
    groups = baseline.groups
    analysed = _denominators(baseline.denoms)
    rows = [Row(f"Analysed ({words(baseline.denoms[0].units).lower() or 'participants'})", _by_group(baseline.denoms[0].counts, groups))] if baseline.denoms else []  # fmt: skip
    for measure in baseline.measures:
        head = f"{measure.title or 'Measure'}" + (f" — {_measure_head(measure)}" if _measure_head(measure) else "")
        categories = sum(len(c.categories) for c in measure.classes)
        if categories == 1 and not measure.classes[0].title and not measure.classes[0].categories[0].title:
            category = measure.classes[0].categories[0]
            rows.append(Row(head, _cells(measure, groups, category.measurements, _denominators(measure.denoms) or analysed)))
            continue
        rows.append(Row(head, heading=True))
        rows += _measure_rows(measure, groups, _denominators(measure.denoms) or analysed, nested=True)
    notes = [("Population", baseline.population_description)] if baseline.population_description else []
    return Table("", _titles(groups), rows, notes)  # under the section's own heading


def _outcome(measure: Measure, n: int) -> Table:
    groups = measure.groups
    kind = words(measure.type) if measure.type else ""
    title = f"{kind.capitalize()} outcome: {measure.title}" if kind else measure.title or f"Outcome measure {n}"
    notes = [
        (label, text)
        for label, text in (
            ("Description", measure.description),
            ("Time frame", measure.time_frame),
            ("Population", measure.population_description),
            ("Values", _measure_head(measure)),
            ("Reporting", words(measure.reporting_status) if measure.reporting_status == "NOT_POSTED" else ""),
            ("Expected", measure.anticipated_posting_date),
        )
        if text
    ]
    analysed = _denominators(measure.denoms)
    rows = []
    if measure.denoms:
        units = words(measure.denoms[0].units).lower() or "participants"
        rows.append(Row(f"Analysed ({units})", _by_group(measure.denoms[0].counts, groups)))
    rows += _measure_rows(measure, groups, analysed, nested=False)
    titles = {g.id: g.title or g.id for g in groups}
    return Table(title, _titles(groups), rows, notes, [_analysis(a, titles) for a in measure.analyses])


def _analysis(analysis: Analysis, titles: dict[str, str]) -> str:
    """One analysis in a line: "Arm A vs Arm B: hazard ratio 0.71 (95% CI 0.55 to 0.92); p = 0.008
    (log rank)"."""
    who = " vs ".join(titles.get(g, g) for g in analysis.group_ids) or analysis.group_description or "Groups"
    parts = []
    if analysis.param_type or analysis.param_value:
        estimate = " ".join(x for x in (analysis.param_type, analysis.param_value) if x)
        if analysis.ci_lower_limit or analysis.ci_upper_limit:
            pct = f"{analysis.ci_pct_value}% " if analysis.ci_pct_value else ""
            estimate += f" ({pct}CI {analysis.ci_lower_limit or 'NA'} to {analysis.ci_upper_limit or 'NA'})"
        elif analysis.dispersion_value:
            estimate += f" ({words(analysis.dispersion_type) or 'dispersion'} {analysis.dispersion_value})"
        parts.append(estimate)
    if analysis.p_value:
        p = analysis.p_value
        parts.append(f"p {p}" if p[:1] in "<>≤≥=" else f"p = {p}")
    if analysis.statistical_method:
        parts.append(analysis.statistical_method)
    design = (analysis.non_inferiority_type or "").upper().replace("-", "_").replace(" ", "_")
    if design.startswith(("NON_INFERIORITY", "EQUIVALENCE")):  # superiority and "other" go unsaid
        parts.append(design.lower().replace("_", " ").replace("non inferiority", "non-inferiority"))
    return f"{who}: {'; '.join(parts) or 'no figures reported'}"


def _affected(affected: int | None, at_risk: int | None) -> str:
    if affected is None and at_risk is None:
        return ""
    text = f"{'NA' if affected is None else affected}/{'NA' if at_risk is None else at_risk}"
    if affected is not None and at_risk:
        share = affected / at_risk
        text += " (<0.1%)" if 0 < share < 0.0005 else f" ({share:.1%})"  # 1 of 2,841 is not 0.0%
    return text


def _adverse(view: ResultsView, events: AdverseEvents) -> None:
    groups = events.event_groups
    columns = _titles(groups)
    totals = [
        ("All-cause mortality", "deaths"),
        ("Serious adverse events", "serious"),
        ("Other adverse events", "other"),
    ]
    rows = [
        Row(label, [_affected(getattr(g, f"{kind}_num_affected"), getattr(g, f"{kind}_num_at_risk")) for g in groups])
        for label, kind in totals
        if any(getattr(g, f"{kind}_num_at_risk") is not None for g in groups)
    ]
    if rows:
        view.adverse_totals = Table("Adverse events: participants affected / at risk", columns, rows)
    view.adverse_notes = [
        (label, text)
        for label, text in (
            ("Time frame", events.time_frame),
            ("Description", events.description),
            ("All-cause mortality", events.all_cause_mortality_comment),
            ("Other events reported above", f"{events.frequency_threshold}%" if events.frequency_threshold else ""),
        )
        if text
    ]
    if events.serious_events:
        view.serious_events = _events("Serious adverse events", events.serious_events, groups)
    if events.other_events:
        view.other_events = _events("Other adverse events", events.other_events, groups)


def _events(title: str, events: list[AdverseEvent], groups: list[EventGroup]) -> Table:
    """Events by organ system (in the order the source first names each), affected / at risk."""
    by_system: dict[str, list[AdverseEvent]] = {}
    for event in events:
        by_system.setdefault(event.organ_system or "Organ system not given", []).append(event)
    rows = []
    for system, listed in by_system.items():
        rows.append(Row(system, heading=True))
        for event in listed:
            stats = {s.group_id: s for s in event.stats}
            cells = []
            for group in groups:
                s = stats.get(group.id)
                cells.append("" if s is None else _affected(s.num_affected, s.num_at_risk))
            rows.append(Row(event.term or "Term not given", cells, indented=True))
    return Table(title, _titles(groups), rows)


def _more(results: Results) -> list[tuple[str, str]]:
    more = []
    if results.limitations:
        more.append(("Limitations and caveats", results.limitations))
    agreement = results.certain_agreement
    if agreement is not None:
        if agreement.pi_sponsor_employee is not None:
            more.append(("Investigators employed by the sponsor", "Yes" if agreement.pi_sponsor_employee else "No"))
        if agreement.restrictive_agreement is not None:
            restriction = "Yes" if agreement.restrictive_agreement else "No"
            if agreement.restriction_type:
                restriction += f" ({words(agreement.restriction_type).lower()})"
            more.append(("Agreement restricting publication", restriction))
        if agreement.other_details:
            more.append(("Agreement details", agreement.other_details))
    contact = results.point_of_contact
    if contact is not None:
        phone = " ext. ".join(x for x in (contact.phone, contact.phone_ext) if x)
        reach = " · ".join(x for x in (contact.title, contact.organization, contact.email, phone) if x)
        if reach:
            more.append(("Results contact", reach))
    return more
