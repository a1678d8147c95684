"""A criterion's facets in words, as the trial page, the correction editor and the command line show
them: "ECOG 0-2", "ANC ≥ 1.5 ×10⁹/L (liver metastases)", "life expectancy ≥ 3 months". The words of a
whole requirement, inclusion and exclusion read together, are profile.Requirement.text."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..profile import ANALYTE_TITLES, KIND_TITLES, SIGNS, UNIT_TEXT, score_text

SEPARATOR = " · "
NO_FACET = "no facet"  # a correction that says the item states none
_BRAIN = {
    "excluded": "brain metastases excluded",
    "allowed_if_stable": "stable brain metastases allowed",
    "required": "brain metastases required",
}
_SEX = {"FEMALE": "female only", "MALE": "male only"}


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def _bound(op: str | None, value: Any, unit: str | None = None) -> str:
    shown = UNIT_TEXT.get(unit or "", unit or "")
    return f"{SIGNS.get(op or '', op or '')} {_number(value)} {shown}".strip()


def facet_text(facet: Mapping[str, Any]) -> str:
    """One facet in words."""
    kind = facet.get("kind", "")
    if kind == "age":
        low, high, unit = facet.get("min"), facet.get("max"), facet.get("unit") or "years"
        if low is not None and high is not None:
            return f"age {_number(low)}-{_number(high)} {unit}"
        return "age " + (_bound(">=", low, unit) if low is not None else _bound("<=", high, unit))
    if kind == "sex":
        return _SEX.get(facet.get("value") or "", "sex")
    if kind == "performance":
        return f"{facet.get('scale')} {score_text(tuple(sorted(facet.get('allowed') or ())))}"
    if kind == "lab":
        analyte = facet.get("analyte") or ""
        title = ANALYTE_TITLES.get(analyte, analyte.replace("_", " "))
        condition = facet.get("condition")
        text = f"{title} {_bound(facet.get('op'), facet.get('value'), facet.get('unit'))}"
        return f"{text} ({condition})" if condition else text
    if kind == "life_expectancy":
        return f"life expectancy {_bound(facet.get('op'), facet.get('value'), facet.get('unit'))}"
    if kind == "washout":
        of = (facet.get("of") or "therapy").replace("_", " ")
        return f"washout {_number(facet.get('value'))} {facet.get('unit') or 'days'} ({of})"
    if kind == "prior_lines":
        return f"prior lines {_bound(facet.get('op'), facet.get('value'))}"
    if kind == "brain_metastases":
        return _BRAIN.get(facet.get("stance") or "", "brain metastases")
    if kind == "biomarker":
        return f"{facet.get('gene')} {facet.get('status') or ''}".strip()
    return KIND_TITLES.get(kind, kind.replace("_", " ")).lower()


def facets_text(facets: Iterable[Mapping[str, Any]], corrected: bool = False) -> str:
    """An item's facets in words, " · "-joined; "" when it states none ("no facet" for a correction
    that says so)."""
    text = SEPARATOR.join(facet_text(f) for f in facets)
    return text or (NO_FACET if corrected else "")
