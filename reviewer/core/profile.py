"""A trial's eligibility profile: what its criteria require, one Requirement per facet, with the
inclusion and exclusion statements about the same thing read together.

"Karnofsky >= 70" in the inclusion and "Karnofsky < 70" in the exclusion state one requirement (70-100
allowed); "treated, stable brain metastases allowed" and "active brain metastases excluded" read
together as "stable allowed". Every value is stated as who is ELIGIBLE, in canonical units, so two
trials differ on a requirement exactly when their `value`s differ. The comparison's rows, the
eligibility grid, the patient check and the library's facet filters all read this one profile.

Keys (`Requirement.key`): "age", "sex", "performance:ECOG" (one per scale), "lab:anc" (one per
analyte; an alternative threshold for a subgroup is "lab:bilirubin|Gilbert's syndrome"),
"life_expectancy", "washout:chemotherapy" (one per therapy), "prior_lines", "brain_metastases",
"biomarker:EGFR" (one per gene), and the bare kinds by name ("pregnancy", "consent" ...). Items under
a scoping heading ("Cohort 2:") make requirements of their own, with that `scope`.

Values (`Requirement.value`, hashable):
- age: (min years | None, max years | None);  sex: "MALE" | "FEMALE" | "ALL"
- performance: the allowed scores, a sorted tuple
- lab, life_expectancy, prior_lines: the eligible bounds, a sorted tuple of (op, value, unit); lab
  values in the analyte's base unit (values.canonical_lab), life expectancy in days
- washout: days;  brain_metastases: "required" | "allowed_if_stable" | "excluded"
- biomarker: (stance, statuses) with stance "required" | "excluded"
- bare kinds: "required" or "excluded" (pregnancy, breastfeeding, hypersensitivity, infection and
  other malignancy are exclusions whichever section states them; consent and contraception are
  requirements)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .eligibility import ItemFacets
from .facets.values import DAYS_PER, canonical_lab
from .items import ItemRef

NEGATED = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "=": "!="}
SIGNS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "=", "!=": "≠"}
ALWAYS_EXCLUDED = frozenset(
    {"pregnancy", "breastfeeding", "hypersensitivity", "infection", "other_malignancy"}
)
ALWAYS_REQUIRED = frozenset({"consent", "contraception"})
UNIT_TEXT = {
    "10^9/L": "×10⁹/L",
    "xULN": "× ULN",
    "/uL": "/µL",
    "umol/L": "µmol/L",
    "mL/min/1.73m^2": "mL/min/1.73 m²",
}
KIND_TITLES = {
    "age": "Age", "sex": "Sex", "performance": "Performance status", "lab": "Laboratory",
    "life_expectancy": "Life expectancy", "washout": "Washout", "prior_lines": "Prior lines of therapy",
    "brain_metastases": "Brain metastases", "biomarker": "Biomarker", "pregnancy": "Pregnancy",
    "breastfeeding": "Breastfeeding", "contraception": "Contraception", "consent": "Informed consent",
    "measurable_disease": "Measurable disease", "hypersensitivity": "Hypersensitivity",
    "other_malignancy": "Other malignancy", "prior_therapy": "Prior therapy", "infection": "Infection",
}  # fmt: skip
ANALYTE_TITLES = {
    "anc": "ANC", "wbc": "WBC", "platelets": "Platelets", "hemoglobin": "Haemoglobin",
    "creatinine": "Creatinine", "creatinine_clearance": "Creatinine clearance", "egfr": "eGFR",
    "bilirubin": "Bilirubin", "ast": "AST", "alt": "ALT", "transaminases": "AST/ALT", "alp": "ALP",
    "albumin": "Albumin", "inr": "INR", "pt": "PT", "aptt": "aPTT", "lvef": "LVEF", "qtc": "QTc",
    "direct_bilirubin": "Direct bilirubin", "hematocrit": "Haematocrit", "hba1c": "HbA1c", "ck": "CK",
    "glucose": "Glucose", "amylase": "Amylase", "lipase": "Lipase", "shortening_fraction": "Shortening fraction",
}  # fmt: skip


@dataclass(frozen=True)
class Requirement:
    """What one trial requires about one facet, and the items that say so."""

    key: str
    kind: str
    value: Any
    text: str  # the value in words: "ECOG 0-2", "ANC ≥ 1.5 ×10⁹/L", "stable allowed"
    items: tuple[ItemRef, ...]
    scope: str | None = None

    @property
    def title(self) -> str:
        """The facet in words: "Performance status (ECOG)", "ANC", "Washout: chemotherapy"."""
        return facet_title(self.key)


def facet_title(key: str) -> str:
    kind, _, detail = key.partition(":")
    detail, _, condition = detail.partition("|")
    if kind == "lab":
        words = detail.replace("_", " ")
        title = ANALYTE_TITLES.get(detail, words.upper() if len(detail) <= 4 else words.capitalize())
    elif kind == "performance":
        title = f"Performance status ({detail})"
    elif detail:
        title = f"{KIND_TITLES.get(kind, kind)}: {detail.replace('_', ' ')}"
    else:
        title = KIND_TITLES.get(kind, kind.replace("_", " ").capitalize())
    return f"{title} ({condition})" if condition else title


def profile(items: Iterable[ItemFacets], sex: str | None = None) -> dict[tuple[str, str | None], Requirement]:
    """A trial's requirements by (key, scope), in the order their first item comes. ``sex`` is the
    record's structured eligibility sex ("ALL", "FEMALE", "MALE"); FEMALE or MALE wins over what
    the criteria say of sex."""
    gathered: dict[tuple[str, str | None], list[tuple[dict, str, ItemRef]]] = {}
    for item in items:
        if item.heading:
            continue
        for facet in item.facets:
            section = _effective_section(item)
            if item.exception and facet["kind"] in ALWAYS_EXCLUDED:
                continue  # "other malignancy except basal cell carcinoma": the exception is allowed
            gathered.setdefault((_key(facet), item.scope), []).append((facet, section, item.ref))
    found = {}
    for (key, scope), stated in gathered.items():
        requirement = _combine(key, stated, scope)
        if requirement is not None:
            found[(key, scope)] = requirement
    if sex in ("FEMALE", "MALE"):  # the registry's own field says whom the trial takes
        stated = found.get(("sex", None))
        items = stated.items if stated is not None else ()
        found[("sex", None)] = Requirement("sex", "sex", sex, _SEX_TEXT[sex], items)
    return found


def _effective_section(item: ItemFacets) -> str:
    """An exception to an exclusion is allowed, an exception to an inclusion is not required."""
    section = "inclusion" if item.section == "other" else item.section
    if item.exception:
        return "exclusion" if section == "inclusion" else "inclusion"
    return section


def _key(facet: dict) -> str:
    kind = facet["kind"]
    if kind == "performance":
        return f"performance:{facet['scale']}"
    if kind == "lab":
        condition = facet.get("condition")
        return f"lab:{facet['analyte']}" + (f"|{condition}" if condition else "")
    if kind == "washout":
        return f"washout:{facet.get('of') or 'therapy'}"
    if kind == "biomarker":
        return f"biomarker:{facet['gene']}"
    return kind


_SEX_TEXT = {"MALE": "male only", "FEMALE": "female only", "ALL": "all"}


def _combine(key: str, stated: list[tuple[dict, str, ItemRef]], scope: str | None) -> Requirement | None:
    kind = key.split(":", 1)[0]
    refs = tuple(dict.fromkeys(ref for _, _, ref in stated))
    value, text = _COMBINERS.get(kind, _bare)(kind, stated)
    if value is None:
        return None
    return Requirement(key, kind, value, text, refs, scope)


def _age(_kind: str, stated) -> tuple[Any, str]:
    low = high = None
    for facet, _section, _ref in stated:
        per_year = 12 if facet.get("unit") == "months" else 1
        if facet.get("min") is not None:
            value = facet["min"] / per_year
            low = value if low is None else max(low, value)
        if facet.get("max") is not None:
            value = facet["max"] / per_year
            high = value if high is None else min(high, value)
    if low is None and high is None:
        return None, ""
    low, high = (None if v is None else _number(v) for v in (low, high))
    if low is not None and high is not None:
        return (low, high), f"{low}-{high} years"
    return (low, high), f"≥ {low} years" if low is not None else f"≤ {high} years"


def _sex(_kind: str, stated) -> tuple[Any, str]:
    values = {facet.get("value") for facet, _, _ in stated if facet.get("value")}
    value = values.pop() if len(values) == 1 else "ALL"
    return value, _SEX_TEXT.get(value, value)


def _performance(_kind: str, stated) -> tuple[Any, str]:
    allowed: set[int] | None = None
    scale = stated[0][0]["scale"]
    for facet, _section, _ref in stated:
        scores = set(facet.get("allowed") or ())
        allowed = scores if allowed is None else allowed & scores
    scores = tuple(sorted(allowed or ()))
    return scores, f"{scale} {score_text(scores)}"


def score_text(scores: tuple[int, ...]) -> str:
    """0-2 for a run of ECOG scores, 70-100 for Karnofsky's tens, else the list: 0, 2."""
    if not scores:
        return "none allowed"
    step = 10 if all(s % 10 == 0 for s in scores) and max(scores) > 5 else 1
    if len(scores) > 1 and list(scores) == list(range(scores[0], scores[-1] + step, step)):
        return f"{scores[0]}-{scores[-1]}"
    return ", ".join(str(s) for s in scores)


def _bounds(kind: str, stated) -> tuple[Any, str]:
    bounds = set()
    for facet, section, _ref in stated:
        op = facet.get("op") or ">="
        if section == "exclusion":
            op = NEGATED.get(op, op)
        value, unit = facet.get("value"), facet.get("unit")
        if value is None:
            continue
        if kind == "lab":
            value, unit = canonical_lab(facet["analyte"], value, unit)
        elif kind == "life_expectancy":
            value, unit = _expectancy_days(value * DAYS_PER.get(unit or "", 1)), "days"
        bounds.add((op, _number(value), unit))
    if not bounds:
        return None, ""
    ordered = tuple(sorted(_strictest(bounds), key=lambda b: (b[2] or "", b[0], b[1])))
    return ordered, " and ".join(_bound_text(kind, op, value, unit) for op, value, unit in ordered)


def _expectancy_days(days: float) -> float:
    """A life expectancy of four weeks or more in half months (of 30 days): "12 weeks" and "3 months"
    are one requirement (84 and 91 days as written), as clinicians read them."""
    if days < 28:
        return days
    return round(days / 30.4375 * 2) / 2 * DAYS_PER["months"]


def _strictest(bounds: set[tuple[str, float, str | None]]) -> set[tuple[str, float, str | None]]:
    """One lower and one upper bound per unit: "≥ 50" and "not < 30" (≥ 30) leave "≥ 50"."""
    kept: dict[tuple[str, str | None], tuple[str, float, str | None]] = {}
    others = set()
    for bound in bounds:
        op, value, unit = bound
        direction = "lower" if op in (">", ">=") else "upper" if op in ("<", "<=") else None
        if direction is None:
            others.add(bound)
            continue
        held = kept.get((direction, unit))
        sign = 1 if direction == "lower" else -1
        # the stricter: the higher lower bound (">" over ">=" at a tie), the lower upper bound
        if held is None or (sign * value, op in (">", "<")) > (sign * held[1], held[0] in (">", "<")):
            kept[(direction, unit)] = bound
    return others | set(kept.values())


def _bound_text(kind: str, op: str, value: float, unit: str | None) -> str:
    if kind == "life_expectancy":
        if value >= 28:  # in half months (_expectancy_days)
            return f"{SIGNS[op]} {_count_of(_number(value / DAYS_PER['months']), 'months')}"
        for name in ("weeks",):
            if value % DAYS_PER[name] == 0 and value >= DAYS_PER[name]:
                count = _number(value / DAYS_PER[name])
                return f"{SIGNS[op]} {_count_of(count, name)}"
        return f"{SIGNS[op]} {_number(value)} days"
    if kind == "prior_lines":
        return f"{SIGNS[op]} {_number(value)}"
    shown = UNIT_TEXT.get(unit or "", unit or "")
    return f"{SIGNS[op]} {_number(value)} {shown}".rstrip()


def _washout(_kind: str, stated) -> tuple[Any, str]:
    days = max(facet["value"] * DAYS_PER.get(facet.get("unit") or "", 1) for facet, _, _ in stated)
    longest = max((f for f, _, _ in stated), key=lambda f: f["value"] * DAYS_PER.get(f.get("unit") or "", 1))
    return _number(days), _count_of(_number(longest["value"]), longest.get("unit") or "days")


def _count_of(count: int | float, unit: str) -> str:
    """ "1 week", "2 weeks": a unit named in the plural ("weeks") said in the singular for one."""
    return f"{count} {unit.removesuffix('s') if count == 1 else unit}"


_BRAIN_TEXT = {"required": "required", "allowed_if_stable": "stable allowed", "excluded": "excluded"}


def _brain(_kind: str, stated) -> tuple[Any, str]:
    stances = {facet.get("stance") for facet, _, _ in stated}
    for stance in ("required", "allowed_if_stable", "excluded"):
        if stance in stances:
            return stance, _BRAIN_TEXT[stance]
    return None, ""


def _biomarker(_kind: str, stated) -> tuple[Any, str]:
    required = sorted({f.get("status") or "status" for f, section, _ in stated if section != "exclusion"})
    excluded = sorted({f.get("status") or "status" for f, section, _ in stated if section == "exclusion"})
    gene = stated[0][0]["gene"]
    if required:
        return ("required", tuple(required)), f"{gene} {', '.join(required)} required"
    return ("excluded", tuple(excluded)), f"{gene} {', '.join(excluded)} excluded"


def _bare(kind: str, stated) -> tuple[Any, str]:
    if kind in ALWAYS_EXCLUDED:
        return "excluded", "excluded"
    if kind in ALWAYS_REQUIRED:
        return "required", "required"
    sections = {section for _, section, _ in stated}
    value = "required" if "inclusion" in sections else "excluded"
    return value, value


_COMBINERS = {
    "age": _age, "sex": _sex, "performance": _performance, "lab": _bounds, "life_expectancy": _bounds,
    "prior_lines": _bounds, "washout": _washout, "brain_metastases": _brain, "biomarker": _biomarker,
}  # fmt: skip


def _number(value: float) -> int | float:
    value = float(f"{value:.4g}")
    return int(value) if value.is_integer() else value
