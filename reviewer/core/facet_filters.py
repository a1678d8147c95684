"""The library's facet filters: what a clinician asks of a trial's eligibility ("ECOG 2 allowed",
"ANC 1.0 ×10⁹/L accepted", "brain metastases allowed"), in one small syntax shared by
`reviewer list --facet` and the window's Facets box.

Syntax, one condition each (the window's box takes several, separated by commas or semicolons):

    ecog=2   who=1   karnofsky=70   lansky=60    a performance score the trial allows
    anc=1.0 10^9/L   platelets=75000/uL           a patient's lab value the trial accepts (the unit
    creatinine=1.4 mg/dL   bilirubin=2 xULN       is converted; omitted: the analyte's usual one);
                                                  ">=" or "<=" instead of "=" mean the same
    brain-mets                                    brain metastases allowed (stable ones at least)
    age=70                                        an age the trial accepts
    sex=female   sex=male                         a sex the trial accepts
    gene=EGFR                                     the trial requires a biomarker of this gene

A trial passes an "allowed"/"accepted" condition unless its requirements rule the value out: one that
states nothing about the facet passes, and so does one whose only requirement on it holds for one
cohort or part. ``gene=`` is the one condition a trial must state. The conditions read the stored
requirements of core.profile (keys and values as its docstring says); store/listing.py compiles them
to SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .facets import rules
from .facets.values import LAB_BASE_UNITS, canonical_lab
from .profile import ANALYTE_TITLES, UNIT_TEXT, score_text


class FacetSyntaxError(ValueError):
    """A condition that is not of the syntax: its message is one sentence naming it and why."""


@dataclass(frozen=True)
class FacetCondition:
    """One facet filter, with the patient's value in the unit the stored requirements use."""

    kind: str  # performance | lab | brain_metastases | age | sex | biomarker
    key: str  # the profile key it reads: "performance:ECOG", "lab:anc", "age", "biomarker:EGFR"
    value: float | str | None = None  # the score, the lab value in ``units[0]``, the age, "FEMALE"
    units: tuple[str, ...] = ()  # a lab value's unit and the units it compares with
    text: str = ""  # the condition as written, tidied: "anc=1 10^9/L"

    @property
    def label(self) -> str:
        """The condition in words: "ECOG 2 allowed", "ANC 1 ×10⁹/L accepted"."""
        detail = self.key.partition(":")[2]
        if self.kind == "performance":
            return f"{detail} {score_text((int(self.value),))} allowed"
        if self.kind == "lab":
            unit = UNIT_TEXT.get(self.units[0], self.units[0]) if self.units else ""
            return f"{ANALYTE_TITLES.get(detail, detail)} {_number(self.value)} {unit}".rstrip() + " accepted"
        if self.kind == "age":
            return f"Age {_number(self.value)} accepted"
        if self.kind == "sex":
            return f"{str(self.value).capitalize()} accepted"
        if self.kind == "biomarker":
            return f"{detail} required"
        return "Brain metastases allowed"


SCALES = {"ecog": "ECOG", "who": "WHO", "karnofsky": "Karnofsky", "kps": "Karnofsky", "lansky": "Lansky"}
BRAIN_METASTASES = ("brain-mets", "brain-metastases", "brain_metastases", "brain-mets-allowed")
ANALYTE_ALIASES = {
    "neutrophils": "anc", "plt": "platelets", "hb": "hemoglobin", "hgb": "hemoglobin",
    "haemoglobin": "hemoglobin", "crcl": "creatinine_clearance", "clcr": "creatinine_clearance",
    "bili": "bilirubin", "tbili": "bilirubin", "ef": "lvef",
}  # fmt: skip
ANALYTES = tuple(sorted(set(rules.ANALYTE_UNITS) | set(ANALYTE_TITLES)))
GENES = tuple(name for name, _ in rules.GENES)
# a value given without a unit, for analytes whose base unit is not fixed by values.LAB_BASE_UNITS
DEFAULT_UNITS = {
    "ast": "xULN", "alt": "xULN", "transaminases": "xULN", "alp": "xULN", "amylase": "xULN", "lipase": "xULN",
    "ck": "xULN", "inr": "xULN", "pt": "xULN", "aptt": "xULN", "creatinine_clearance": "mL/min",
    "egfr": "mL/min/1.73m^2", "lvef": "%", "qtc": "ms", "hba1c": "%", "hematocrit": "%",
    "shortening_fraction": "%", "glucose": "mmol/L",
}  # fmt: skip
# units a trial may state for the same measure: a patient's renal function is compared with both
SAME_MEASURE_UNITS = {"mL/min": ("mL/min", "mL/min/1.73m^2"), "mL/min/1.73m^2": ("mL/min/1.73m^2", "mL/min")}
EXAMPLES = ("ecog=2", "karnofsky=70", "anc=1.0 10^9/L", "platelets=75 10^9/L", "creatinine=1.4 mg/dL",
            "bilirubin=2 xULN", "brain-mets", "age=70", "sex=female", "gene=EGFR")  # fmt: skip

_CONDITION = re.compile(
    r"^\s*(?P<name>[a-z][\w-]*)\s*(?:(?P<op>>=|<=|=>|=<|=|:|≥|≤)\s*(?P<rest>.*?))?\s*$", re.I
)
_VALUE = re.compile(r"^(?P<number>\d+(?:,\d{3})*(?:[.,]\d+)?)\s*(?P<unit>.*)$", re.I)
_UNITS = [(re.compile(rf"^(?:{pattern})$", re.I), name) for pattern, name in rules.UNIT_SPELLINGS]
_ULN = re.compile(rf"^(?:{rules.ULN_PATTERN})$", re.I)


def _number(value) -> str:
    return f"{float(value):g}"


def parse_facet(text: str) -> FacetCondition:
    """One condition of the syntax above; FacetSyntaxError says what is wrong with it."""
    match = _CONDITION.match(text or "")
    if not match:
        raise FacetSyntaxError(
            f"{text.strip()!r} is not a facet condition (examples: {', '.join(EXAMPLES[:4])})"
        )
    name, rest = match["name"].lower(), (match["rest"] or "").strip()
    if match["op"] is None:
        if name in BRAIN_METASTASES:
            return FacetCondition("brain_metastases", "brain_metastases", text="brain-mets")
        if name in ("female", "male"):
            return _sex(name)
        raise FacetSyntaxError(
            f"{text.strip()!r} needs a value: {name}=… (examples: {', '.join(EXAMPLES[:4])})"
        )
    if not rest:
        raise FacetSyntaxError(f"{text.strip()!r} has no value after {match['op']!r}")
    if name in SCALES:
        return _performance(SCALES[name], rest, text)
    if name == "age":
        value = _plain_number(rest, text, "an age in years")
        return FacetCondition("age", "age", value, ("years",), f"age={_number(value)}")
    if name == "sex":
        if rest.lower() not in ("female", "male"):
            raise FacetSyntaxError(f"{text.strip()!r}: sex is female or male")
        return _sex(rest.lower())
    if name in ("gene", "biomarker"):
        gene = next(
            (g for g in GENES if g.lower() == rest.lower().replace("-", "") or g.lower() == rest.lower()),
            None,
        )
        if gene is None:
            raise FacetSyntaxError(
                f"{text.strip()!r}: {rest!r} is not a gene the criteria are read for ({', '.join(GENES)})"
            )
        return FacetCondition("biomarker", f"biomarker:{gene}", gene, text=f"gene={gene}")
    analyte = ANALYTE_ALIASES.get(name, name)
    if analyte in ANALYTES:
        return _lab(analyte, rest, text)
    raise FacetSyntaxError(
        f"{text.strip()!r}: {name!r} is not a facet (a performance scale, a lab such as anc or creatinine, "
        "brain-mets, age, sex or gene)"
    )


def parse_facets(text: str) -> list[FacetCondition]:
    """Conditions separated by commas or semicolons ("ecog=2, anc=1.0 10^9/L"); "" gives none."""
    return [parse_facet(part) for part in re.split(r"[;,](?!\d)", text or "") if part.strip()]


def _sex(value: str) -> FacetCondition:
    return FacetCondition("sex", "sex", value.upper(), text=f"sex={value}")


def _to_float(number: str) -> float:
    """ "75,000" is seventy-five thousand, "1,5" one and a half."""
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", number):
        return float(number.replace(",", ""))
    return float(number.replace(",", "."))


def _plain_number(rest: str, text: str, what: str) -> float:
    try:
        return _to_float(rest)
    except ValueError:
        raise FacetSyntaxError(f"{text.strip()!r}: {rest!r} is not a number ({what})") from None


def _performance(scale: str, rest: str, text: str) -> FacetCondition:
    domain = rules.PERFORMANCE_DOMAIN[scale]
    score = _plain_number(rest.rstrip("%"), text, f"a {scale} score")
    if not score.is_integer() or int(score) not in domain:
        raise FacetSyntaxError(f"{text.strip()!r}: {scale} scores are {score_text(tuple(domain))}")
    return FacetCondition(
        "performance", f"performance:{scale}", int(score), text=f"{scale.lower()}={int(score)}"
    )


def unit_of(written: str) -> str | None:
    """A unit as the criteria spell it canonically ("x10^9/L" -> "10^9/L", "× ULN" -> "xULN"), or None."""
    written = written.strip()
    if _ULN.match(written) or written.lower() in ("uln", "xuln", "x uln", "×uln"):
        return "xULN"
    for pattern, name in _UNITS:
        if pattern.match(written):
            return name
    return None


def _lab(analyte: str, rest: str, text: str) -> FacetCondition:
    title = ANALYTE_TITLES.get(analyte, analyte)
    found = _VALUE.match(rest)
    if not found:
        raise FacetSyntaxError(f"{text.strip()!r}: the {title} value must be a number, then its unit if any")
    value = _to_float(found["number"])
    unit = None
    allowed = rules.ANALYTE_UNITS.get(analyte, frozenset())
    if found["unit"].strip():
        unit = unit_of(found["unit"])
        if unit in rules.COUNT_ALIASES and allowed >= rules.COUNT_UNITS - {None}:
            unit = rules.COUNT_ALIASES[unit]
        named = sorted(u for u in allowed if u)
        if unit is None or (allowed and unit not in allowed):
            raise FacetSyntaxError(
                f"{text.strip()!r}: {found['unit'].strip()!r} is not a unit of {title}"
                + (f" (use {', '.join(named)})" if named else "")
            )
    elif analyte not in LAB_BASE_UNITS:
        unit = DEFAULT_UNITS.get(analyte)
    value, unit = canonical_lab(analyte, value, unit)
    if unit is None:
        named = ", ".join(sorted(u for u in allowed if u))
        raise FacetSyntaxError(f"{text.strip()!r}: give the unit of the {title} value ({named})")
    units = SAME_MEASURE_UNITS.get(unit, (unit,))
    written = f"{analyte}={_number(value)} {unit}"
    return FacetCondition("lab", f"lab:{analyte}", value, units, written)
