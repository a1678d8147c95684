"""Facets as comparable values: one canonical form per facet, so two trials differ only when values do.

`comparable(facet)` converts what the wording leaves open: a laboratory value to its analyte's base unit
(1.5 x10^9/L and 1500/uL are the same count; g/dL against g/L; creatinine mg/dL x 88.4 = umol/L, bilirubin
x 17.1), durations to days, ages to years, allowed performance sets to sorted tuples. `same_value(a, b)`
compares two facets of a kind that way. Both are pure functions.
"""

from __future__ import annotations

# analyte family -> (base unit, {unit: factor to the base unit})
_COUNT = ("10^9/L", {"10^9/L": 1.0, "/uL": 0.001})
_PROTEIN = ("g/L", {"g/L": 1.0, "g/dL": 10.0})
LAB_BASE_UNITS: dict[str, tuple[str, dict[str, float]]] = {
    "anc": _COUNT, "wbc": _COUNT, "platelets": _COUNT,
    "hemoglobin": ("g/L", {"g/L": 1.0, "g/dL": 10.0, "mmol/L": 16.11}),
    "albumin": _PROTEIN,
    "creatinine": ("umol/L", {"umol/L": 1.0, "mg/dL": 88.4, "mmol/L": 1000.0}),
    "bilirubin": ("umol/L", {"umol/L": 1.0, "mg/dL": 17.1}),
    "direct_bilirubin": ("umol/L", {"umol/L": 1.0, "mg/dL": 17.1}),
}
DAYS_PER = {"days": 1, "weeks": 7, "months": 30, "years": 365}


def _round(value: float) -> float:
    """Four significant figures: conversions (2 mg/dL = 176.8 umol/L) compare without float noise."""
    return float(f"{value:.4g}")


# a value written without its unit, where the magnitude tells the unit: counts of 1,000 and more are per
# microlitre ("platelets >= 100,000"), smaller ones x10^9/L ("ANC >= 1.5"); haemoglobin above 25 is g/L
_UNIT_BY_MAGNITUDE = {
    "anc": (1000, "/uL", "10^9/L"), "wbc": (1000, "/uL", "10^9/L"), "platelets": (1000, "/uL", "10^9/L"),
    "hemoglobin": (25, "g/L", "g/dL"),
}  # fmt: skip


def canonical_lab(analyte: str, value: float, unit: str | None) -> tuple[float, str | None]:
    """A lab value in its analyte's base unit; a unit of another kind (xULN) stays as it is, and a missing
    unit is read from the value's magnitude where that is unambiguous (counts, haemoglobin)."""
    if unit is None and analyte in _UNIT_BY_MAGNITUDE:
        limit, large, small = _UNIT_BY_MAGNITUDE[analyte]
        unit = large if value >= limit else small
    base, factors = LAB_BASE_UNITS.get(analyte, (None, {}))
    if unit in factors:
        return _round(value * factors[unit]), base
    return _round(value), unit


def comparable(facet: dict) -> tuple:
    """The facet's value in a canonical, hashable form (kind first)."""
    kind = facet["kind"]
    if kind == "lab":
        value, unit = canonical_lab(facet["analyte"], facet["value"], facet.get("unit"))
        return (kind, facet["analyte"], facet["op"], value, unit, facet.get("condition"))
    if kind == "performance":
        return (kind, facet["scale"], tuple(sorted(facet["allowed"])))
    if kind == "age":
        per_year = 12 if facet.get("unit") == "months" else 1
        bounds = tuple(None if facet.get(b) is None else _round(facet[b] / per_year) for b in ("min", "max"))
        return (kind, *bounds)
    if kind in ("life_expectancy", "washout"):
        days = _round(facet["value"] * DAYS_PER.get(facet["unit"], 1))
        return (kind, facet.get("op"), days, facet.get("of"))
    return (kind, *sorted((k, v) for k, v in facet.items() if k != "kind"))


def same_value(a: dict, b: dict) -> bool:
    """True when two facets state the same value, whatever units or wording they use."""
    return comparable(a) == comparable(b)
