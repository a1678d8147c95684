"""An API v2 study's ``resultsSection`` as ``results.Results``.

The results model's field names are API v2's in snake_case, so each dataclass is read by one plan
made from its fields (``_plan``): the key is the field's name in camelCase (or an alias below), and
the reader follows the field's type: text, a whole number, true/false, an object or a list of
objects read by their own plans. Like the rest of the importer, a value of the wrong type is "not in
source" with a warning naming its path (``fields.Fields``); the rest of the section is read.
"""

from __future__ import annotations

import functools
from typing import Any

from .. import results as res
from .fields import Fields, unwrap

PATH = "resultsSection"
COUNTS = (0, 10**9)
# fields whose API v2 key is not their name in camelCase, or that several keys fill
ALIASES = {
    (res.Count, "value"): ("numSubjects", "value"),  # a flow count, or a denominator's
    (res.FlowRow, "counts"): ("achievements", "reasons"),  # a milestone's, or a drop-out reason's
}
# free text (markdown escapes resolved); every other text is a short value read as written
FREE_TEXT = frozenset(
    {
        "title", "description", "population_description", "comment", "recruitment_details",
        "pre_assignment_details", "notes", "statistical_comment", "estimate_comment", "group_description",
        "non_inferiority_comment", "p_value_comment", "other_details", "ci_lower_limit_comment",
        "ci_upper_limit_comment", "other_analysis_description", "all_cause_mortality_comment", "time_frame",
    }
)  # fmt: skip


def read_results(f: Fields, study: dict[str, Any]) -> res.Results | None:
    """The study's results; None when it has no resultsSection."""
    section = f.mapping(study, PATH, "")
    if section is None:
        return None
    more = f.mapping(section, "moreInfoModule", PATH) or {}
    more_path = f"{PATH}.moreInfoModule"
    outcomes = f.mapping(section, "outcomeMeasuresModule", PATH)
    outcomes_path = f"{PATH}.outcomeMeasuresModule"
    limitations = f.mapping(more, "limitationsAndCaveats", more_path)
    return res.Results(
        participant_flow=_one(f, res.ParticipantFlow, section, "participantFlowModule", PATH),
        baseline=_one(f, res.Baseline, section, "baselineCharacteristicsModule", PATH),
        outcome_measures=None
        if outcomes is None
        else _many(f, res.Measure, outcomes, "outcomeMeasures", outcomes_path) or [],
        adverse_events=_one(f, res.AdverseEvents, section, "adverseEventsModule", PATH),
        limitations=None
        if limitations is None
        else f.text(limitations, "description", f"{more_path}.limitationsAndCaveats"),
        certain_agreement=_one(f, res.CertainAgreement, more, "certainAgreement", more_path),
        point_of_contact=_one(f, res.PointOfContact, more, "pointOfContact", more_path),
    )


def _one(f: Fields, cls: type, parent: dict[str, Any], key: str, path: str) -> Any:
    value = f.mapping(parent, key, path)
    return None if value is None else _read(f, cls, value, f"{path}.{key}")


def _many(f: Fields, cls: type, parent: dict[str, Any], key: str, path: str) -> list[Any] | None:
    values = f.mappings(parent, key, path)
    if values is None:
        return None
    where = f"{path}.{key}"
    return [_read(f, cls, value, f"{where}[{n}]") for n, value in enumerate(values)]


def _read(f: Fields, cls: type, data: dict[str, Any], path: str) -> Any:
    values: dict[str, Any] = {}
    for name, keys, kind, nested in _plan(cls):
        key = keys[0]
        if len(keys) > 1:
            key = next((k for k in keys if k in data), key)
        if key not in data:
            if kind == "objects":
                values[name] = []
            elif name in ("id", "group_id"):
                values[name] = ""
            continue
        if kind == "text":
            value = f.text(data, key, path) if name in FREE_TEXT else _short(f, data, key, path)
        elif kind == "int":
            value = f.integer(data, key, path, COUNTS)
        elif kind == "bool":
            value = f.boolean(data, key, path)
        elif kind == "texts":
            value = f.texts(data, key, path) or []
        elif kind == "object":
            value = _one(f, nested, data, key, path)
        else:
            value = _many(f, nested, data, key, path) or []
        values[name] = "" if value is None and name in ("id", "group_id") else value
    return cls(**values)


def _short(f: Fields, data: dict[str, Any], key: str, path: str) -> str | None:
    """A short value: a text as written; a number (a re-serialised count) as its text."""
    value = unwrap(data[key])
    if value.__class__ in (int, float):
        return str(value)
    return f.plain(data, key, path)


@functools.cache
def _plan(cls: type) -> tuple[tuple[str, tuple[str, ...], str, type | None], ...]:
    """Each field of ``cls``: (name, its keys, its kind, the dataclass it holds)."""
    return tuple(
        (name, ALIASES.get((cls, name)) or (_camel(name),), kind, nested)
        for name, kind, nested in res.fields_of(cls)
    )


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


# ---------------------------------------------------------------- and back (show --json)

# the keys a field takes inside a given list: a flow row's counts are a milestone's "achievements"
# or a drop-out reason's "reasons", and their value is "numSubjects"
_KEY_IN = {
    ("milestones", "counts"): "achievements",
    ("dropWithdraws", "counts"): "reasons",
    ("achievements", "value"): "numSubjects",
    ("reasons", "value"): "numSubjects",
}


def results_to_api(results: res.Results | None) -> dict[str, Any] | None:
    """The results as API v2's ``resultsSection`` (what ``read_results`` reads back unchanged)."""
    if results is None:
        return None
    more = {
        "limitationsAndCaveats": None if results.limitations is None else {"description": results.limitations},
        "certainAgreement": _api(results.certain_agreement, ""),
        "pointOfContact": _api(results.point_of_contact, ""),
    }
    outcomes = results.outcome_measures
    return {
        "participantFlowModule": _api(results.participant_flow, ""),
        "baselineCharacteristicsModule": _api(results.baseline, ""),
        "outcomeMeasuresModule": None if outcomes is None else {"outcomeMeasures": [_api(m, "") for m in outcomes]},
        "adverseEventsModule": _api(results.adverse_events, ""),
        "moreInfoModule": {k: v for k, v in more.items() if v is not None} or None,
    }


def _api(value: Any, within: str) -> Any:
    if value is None:
        return None
    out = {}
    for name, kind, _nested in res.fields_of(type(value)):
        key = _KEY_IN.get((within, name)) or _camel(name)
        item = getattr(value, name)
        if kind == "objects":
            item = [_api(v, key) for v in item]
        elif kind == "object":
            item = _api(item, key)
        out[key] = item
    return out
