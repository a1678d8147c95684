"""A trial's posted results, as the registry structures them: participant flow, baseline
characteristics, outcome measures with their analyses, adverse events, and the more-information
module (limitations, agreements, point of contact).

Field names follow API v2's (snake_case); the legacy XML's results map onto the same shapes. Values
stay as the registry writes them: measurements are texts ("63.5", "NA"), because results carry
"NA", "<0.001" and ranges that no number holds; adverse-event counts are whole numbers. A part a
source does not carry is None; a list the source carries empty is []. Group ids are the source's own
("FG000" in JSON, "P1" in XML): a reader sees the groups' titles, never the ids.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ResultGroup:
    """An arm or a group as the results section names it."""

    id: str
    title: str | None = None
    description: str | None = None


@dataclass
class Count:
    """A number of participants (or of units) in one group: texts, as the registry writes them."""

    group_id: str
    value: str | None = None
    comment: str | None = None
    num_units: str | None = None  # flow only: the units (eyes, lesions) when not participants


@dataclass
class Denominator:
    """How many were analysed in each group, in ``units`` (participants unless said otherwise)."""

    units: str | None = None
    counts: list[Count] = field(default_factory=list)


@dataclass
class FlowRow:
    """A milestone ("STARTED", "COMPLETED") or a reason for dropping out, with each group's count."""

    type: str | None = None
    comment: str | None = None
    counts: list[Count] = field(default_factory=list)


@dataclass
class FlowPeriod:
    title: str | None = None
    milestones: list[FlowRow] = field(default_factory=list)
    drop_withdraws: list[FlowRow] = field(default_factory=list)


@dataclass
class ParticipantFlow:
    recruitment_details: str | None = None
    pre_assignment_details: str | None = None
    type_units_analyzed: str | None = None
    groups: list[ResultGroup] = field(default_factory=list)
    periods: list[FlowPeriod] = field(default_factory=list)


@dataclass
class Measurement:
    """One group's value in one category: the value, its dispersion (``spread``, or a lower and an
    upper limit) and a comment (often why the value is "NA")."""

    group_id: str
    value: str | None = None
    spread: str | None = None
    lower_limit: str | None = None
    upper_limit: str | None = None
    comment: str | None = None


@dataclass
class MeasureCategory:
    title: str | None = None  # None: the measure's only category
    measurements: list[Measurement] = field(default_factory=list)


@dataclass
class MeasureClass:
    title: str | None = None  # None: the measure's only class
    denoms: list[Denominator] = field(default_factory=list)
    categories: list[MeasureCategory] = field(default_factory=list)


@dataclass
class Analysis:
    """A statistical analysis of an outcome measure between groups."""

    group_ids: list[str] = field(default_factory=list)
    group_description: str | None = None
    non_inferiority_type: str | None = None
    non_inferiority_comment: str | None = None
    p_value: str | None = None
    p_value_comment: str | None = None
    statistical_method: str | None = None
    statistical_comment: str | None = None
    param_type: str | None = None
    param_value: str | None = None
    ci_pct_value: str | None = None
    ci_num_sides: str | None = None
    ci_lower_limit: str | None = None
    ci_upper_limit: str | None = None
    dispersion_type: str | None = None
    dispersion_value: str | None = None
    ci_lower_limit_comment: str | None = None
    ci_upper_limit_comment: str | None = None
    estimate_comment: str | None = None
    tested_non_inferiority: bool | None = None
    other_analysis_description: str | None = None


@dataclass
class Measure:
    """A baseline characteristic or an outcome measure: a table of groups by categories. The fields
    from ``type`` on belong to outcome measures only."""

    title: str | None = None
    description: str | None = None
    population_description: str | None = None
    param_type: str | None = None  # MEAN, MEDIAN, COUNT_OF_PARTICIPANTS ...
    dispersion_type: str | None = None  # STANDARD_DEVIATION, FULL_RANGE, 95% Confidence Interval ...
    unit_of_measure: str | None = None
    calculate_pct: bool | None = None
    denom_units_selected: str | None = None
    type_units_analyzed: str | None = None
    groups: list[ResultGroup] = field(default_factory=list)  # an outcome's own; baseline: the module's
    denoms: list[Denominator] = field(default_factory=list)
    classes: list[MeasureClass] = field(default_factory=list)
    type: str | None = None  # PRIMARY, SECONDARY, OTHER_PRE_SPECIFIED, POST_HOC
    time_frame: str | None = None
    reporting_status: str | None = None  # POSTED, NOT_POSTED
    anticipated_posting_date: str | None = None
    analyses: list[Analysis] = field(default_factory=list)


@dataclass
class Baseline:
    population_description: str | None = None
    type_units_analyzed: str | None = None
    groups: list[ResultGroup] = field(default_factory=list)
    denoms: list[Denominator] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)


@dataclass
class EventGroup:
    """A group of the adverse-events table, with its totals (affected of at risk)."""

    id: str
    title: str | None = None
    description: str | None = None
    deaths_num_affected: int | None = None
    deaths_num_at_risk: int | None = None
    serious_num_affected: int | None = None
    serious_num_at_risk: int | None = None
    other_num_affected: int | None = None
    other_num_at_risk: int | None = None


@dataclass
class EventStat:
    group_id: str
    num_events: int | None = None
    num_affected: int | None = None
    num_at_risk: int | None = None


@dataclass
class AdverseEvent:
    term: str | None = None
    organ_system: str | None = None
    source_vocabulary: str | None = None
    assessment_type: str | None = None  # SYSTEMATIC_ASSESSMENT, NON_SYSTEMATIC_ASSESSMENT
    notes: str | None = None
    stats: list[EventStat] = field(default_factory=list)


@dataclass
class AdverseEvents:
    frequency_threshold: str | None = None  # the % above which other events are reported
    time_frame: str | None = None
    description: str | None = None
    all_cause_mortality_comment: str | None = None
    event_groups: list[EventGroup] = field(default_factory=list)
    serious_events: list[AdverseEvent] = field(default_factory=list)
    other_events: list[AdverseEvent] = field(default_factory=list)


@dataclass
class CertainAgreement:
    """Whether the investigators may publish freely (the sponsor's restrictions)."""

    pi_sponsor_employee: bool | None = None
    restriction_type: str | None = None
    restrictive_agreement: bool | None = None
    other_details: str | None = None


@dataclass
class PointOfContact:
    title: str | None = None
    organization: str | None = None
    email: str | None = None
    phone: str | None = None
    phone_ext: str | None = None


@dataclass
class Results:
    """A trial's results section; each module None when the source does not carry it."""

    participant_flow: ParticipantFlow | None = None
    baseline: Baseline | None = None
    outcome_measures: list[Measure] | None = None
    adverse_events: AdverseEvents | None = None
    limitations: str | None = None
    certain_agreement: CertainAgreement | None = None
    point_of_contact: PointOfContact | None = None

    def group_titles(self) -> dict[str, str]:
        """Every group id of the section -> its title (for the tables' column heads)."""
        titles: dict[str, str] = {}
        groups: list[Any] = []
        if self.participant_flow:
            groups += self.participant_flow.groups
        if self.baseline:
            groups += self.baseline.groups
        for measure in self.outcome_measures or []:
            groups += measure.groups
        if self.adverse_events:
            groups += self.adverse_events.event_groups
        for group in groups:
            titles.setdefault(group.id, group.title or group.id)
        return titles


def results_from_dict(data: dict[str, Any] | None) -> Results | None:
    """Results rebuilt from ``dataclasses.asdict`` output (or orjson's writing of it): a stored copy."""
    return None if data is None else _build(Results, data)


def _build(cls: type, data: dict[str, Any]) -> Any:
    values = {}
    for name, kind, nested in fields_of(cls):
        value = data.get(name)
        if value is not None and nested is not None:
            value = [_build(nested, v) for v in value] if kind == "objects" else _build(nested, value)
        values[name] = value
    return cls(**values)


@functools.cache
def fields_of(cls: type) -> tuple[tuple[str, str, type | None], ...]:
    """Each field of a results dataclass: (its name, its kind, the dataclass it holds or None). The
    kinds: "text", "int", "bool", "texts" (a list of texts), "object", "objects" (a list of them)."""
    hints = typing.get_type_hints(cls)
    found = []
    for f in dataclasses.fields(cls):
        kind: Any = hints[f.name]
        if isinstance(kind, types.UnionType):  # X | None
            kind = next(a for a in typing.get_args(kind) if a is not type(None))
        if typing.get_origin(kind) is list:
            (item,) = typing.get_args(kind)
            found.append((f.name, "objects", item) if dataclasses.is_dataclass(item) else (f.name, "texts", None))
        elif dataclasses.is_dataclass(kind):
            found.append((f.name, "object", kind))
        else:
            found.append((f.name, {str: "text", int: "int", bool: "bool"}[kind], None))
    return tuple(found)
