"""A patient for the patient check, and the patient file it is read from.

The patient file (JSON; every field optional, a field not given or null leaves what needs it unknown;
fields whose names start with "$" are comments)::

    {
      "label": "Mrs A, clinic 12 May",
      "age": 64,                                   years
      "sex": "female",                             "female" | "male"
      "ecog": 1,                                   0-5
      "karnofsky": 80,                             0-100 in tens
      "lansky": null,                              0-100 in tens (children)
      "labs": {                                    analyte -> value, unit (and the lab's ULN)
        "anc": {"value": 1500, "unit": "/uL"},
        "hemoglobin": {"value": 11.2, "unit": "g/dL"},
        "creatinine": {"value": 80, "unit": "umol/L", "uln": 90},
        "alt": {"value": 1.2, "unit": "xULN"}
      },
      "life_expectancy": {"value": 6, "unit": "months"},
      "brain_metastases": "treated_stable",        "none" | "treated_stable" | "active"
      "prior_lines": 1,                            lines of systemic therapy so far
      "pregnant": false, "breastfeeding": false,
      "measurable_disease": true, "consent": true, "contraception": true,
      "active_infection": false, "other_malignancy": false,
      "conditions": ["liver metastases"],          the subgroups alternative lab limits are for
      "biomarkers": {"EGFR": "L858R", "ALK": "negative", "PD-L1": "TPS 60%"}
    }

Analytes are the facets' names (anc, wbc, platelets, hemoglobin, creatinine, creatinine_clearance,
egfr, bilirubin, ast, alt, alp, albumin, inr, lvef, qtc ...); units are written as a clinician writes
them (10^9/L, x10^9/L, /uL, /mm3, g/dL, g/L, mg/dL, umol/L, mL/min, xULN ...) and converted with
facets.values.canonical_lab, so 1500 /uL meets a bound of 1.5 x10^9/L. A lab given with its "uln" is
also known as a multiple of the ULN (80 umol/L with a ULN of 90 is 0.89 x ULN). A biomarker's status
is a variant ("L858R", "exon 19 deletion"), "positive"/"mutation"/"amplification" ..., "negative" or
"wild-type", a PD-L1 score ("TPS 60%"), or a list of them.

Performance scales (applied by checks.py): WHO performance status is the ECOG scale (also called Zubrod). Karnofsky is
read as ECOG by the ECOG-ACRIN correspondence (Oken et al. 1982: KPS 100 = ECOG 0, 80-90 = 1, 60-70 =
2, 40-50 = 3, 10-30 = 4, 0 = 5); an ECOG score against a Karnofsky requirement is the range it stands
for, so ECOG 1 meets "KPS >= 70" (80-90) and is unknown against "KPS >= 90". Lansky has no standard
mapping to either: only a Lansky score tests a Lansky requirement.

A bad file is refused with one sentence naming it and the reason (PatientFileError).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..facets import rules
from ..facets.values import DAYS_PER, canonical_lab
from ..profile import UNIT_TEXT

BRAIN_STATES = {"none": "no brain metastases", "treated_stable": "treated, stable brain metastases",
                "active": "active brain metastases"}  # fmt: skip
SEXES = ("female", "male")
YES_NO_FIELDS = {
    "pregnant": "pregnancy", "breastfeeding": "breastfeeding", "measurable_disease": "measurable_disease",
    "consent": "consent", "contraception": "contraception", "active_infection": "infection",
    "other_malignancy": "other_malignancy",
}  # fmt: skip
LAB_CONDITIONS = tuple(
    name for name, _words, _pattern in rules.LAB_CONDITIONS if name not in ("male", "female")
)
ANALYTES = tuple(dict.fromkeys(name for name, _pattern in rules.ANALYTES))
GENES = tuple(dict.fromkeys(name for name, _pattern in rules.GENES))
FIELDS = ("label", "age", "sex", "ecog", "karnofsky", "lansky", "labs", "life_expectancy", "brain_metastases",
          "prior_lines", *YES_NO_FIELDS, "conditions", "biomarkers")  # fmt: skip
XULN = "xULN"


class PatientFileError(ValueError):
    """A patient file that cannot be read: the message is one sentence naming the file and the reason."""


# ---------------------------------------------------------------- the patient


@dataclass(frozen=True)
class LabValue:
    """A laboratory value as given, and as the facets state it: {unit: value}, in the analyte's base
    unit and, when its ULN is given, as a multiple of the ULN."""

    analyte: str
    value: float
    unit: str
    uln: float | None
    by_unit: Mapping[str, float]

    def text(self, unit: str | None = None) -> str:
        """The value as given, and in ``unit`` (one of by_unit) when that is another: "1500 /µL",
        "11.2 g/dL = 112 g/L", "80 µmol/L = 0.889 × ULN"."""
        given = quantity(self.value, self.unit)
        if unit in self.by_unit and unit != (self.unit or None):
            converted = quantity(self.by_unit[unit], unit)
            if converted != given:
                return f"{given} = {converted}"
        return given


@dataclass(frozen=True)
class Patient:
    """One patient's values; None: not given."""

    label: str = ""
    age: float | None = None
    sex: str | None = None
    ecog: int | None = None
    karnofsky: int | None = None
    lansky: int | None = None
    labs: Mapping[str, LabValue] = field(default_factory=dict)
    life_expectancy_days: float | None = None
    brain_metastases: str | None = None
    prior_lines: int | None = None
    yes_no: Mapping[str, bool] = field(default_factory=dict)  # the YES_NO_FIELDS given
    conditions: frozenset[str] = frozenset()
    biomarkers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    source: dict = field(default_factory=dict, compare=False)  # the JSON it was read from

    @classmethod
    def from_json(cls, data: Any, name: str = "the patient") -> Patient:
        """The patient of a parsed JSON value; PatientFileError names ``name`` and the first problem."""
        return _read_patient(data, name)

    @classmethod
    def load(cls, path: Path) -> Patient:
        """The patient of a JSON file (PatientFileError: not readable, not JSON, a bad field or value)."""
        name = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise PatientFileError(f"{name}: no such file") from None
        except UnicodeDecodeError:
            raise PatientFileError(f"{name} is not a text file (a patient file is UTF-8 JSON)") from None
        except OSError as error:
            raise PatientFileError(f"{name} cannot be read: {error.strerror or error}") from None
        try:
            data = json.loads(text)
        except ValueError as error:
            line = getattr(error, "lineno", None)
            where = f" (line {line})" if line else ""
            raise PatientFileError(f"{name} is not JSON{where}: {getattr(error, 'msg', error)}") from None
        return cls.from_json(data, name)

    def to_json(self) -> dict:
        """The JSON the patient was read from (what a saved patient file holds)."""
        return dict(self.source)

    def summary(self) -> str:
        """The patient in one line: "64 years, female, ECOG 1, 4 labs"."""
        parts = [self.label] if self.label else []
        if self.age is not None:
            parts.append(f"{number(self.age)} years")
        if self.sex:
            parts.append(self.sex)
        if self.ecog is not None:
            parts.append(f"ECOG {self.ecog}")
        if self.karnofsky is not None:
            parts.append(f"Karnofsky {self.karnofsky}")
        if self.lansky is not None:
            parts.append(f"Lansky {self.lansky}")
        if self.labs:
            parts.append(f"{len(self.labs)} lab value{'s' if len(self.labs) != 1 else ''}")
        if self.brain_metastases:
            parts.append(BRAIN_STATES[self.brain_metastases])
        if self.prior_lines is not None:
            parts.append(f"{self.prior_lines} prior line{'s' if self.prior_lines != 1 else ''}")
        if self.biomarkers:
            parts.append(", ".join(f"{gene} {'/'.join(s)}" for gene, s in self.biomarkers.items()))
        return ", ".join(parts) or "no values given"


def _read_patient(data: Any, name: str) -> Patient:
    if not isinstance(data, dict):
        raise PatientFileError(
            f"{name} is not a patient: it holds a JSON {_json_type(data)}, not an object of fields"
        )
    unknown = [key for key in data if key not in FIELDS and not key.startswith("$")]
    if unknown:
        close = _closest(unknown[0], FIELDS)
        hint = f' (did you mean "{close}"?)' if close else f" (the fields: {', '.join(FIELDS)})"
        raise PatientFileError(f'{name}: unknown field "{unknown[0]}"{hint}')
    given = {key: value for key, value in data.items() if value is not None and not key.startswith("$")}
    field_of = _FieldReader(name)
    label = given.get("label", "")
    if not isinstance(label, str):
        raise PatientFileError(f'{name}: "label" must be text')
    sex = given.get("sex")
    if sex is not None:
        sex = field_of.text("sex", sex).lower()
        sex = {"f": "female", "m": "male", "woman": "female", "man": "male"}.get(sex, sex)
        if sex not in SEXES:
            raise PatientFileError(f'{name}: "sex" is "{given["sex"]}": write "female" or "male"')
    karnofsky = field_of.score("karnofsky", given.get("karnofsky"), 100, 10)
    lansky = field_of.score("lansky", given.get("lansky"), 100, 10)
    brain = given.get("brain_metastases")
    if brain is not None:
        brain = field_of.text("brain_metastases", brain).lower().replace("-", "_").replace(" ", "_")
        brain = {"no": "none", "stable": "treated_stable", "treated": "treated_stable"}.get(brain, brain)
        if brain not in BRAIN_STATES:
            raise PatientFileError(
                f'{name}: "brain_metastases" is "{given["brain_metastases"]}": write "none", '
                '"treated_stable" or "active"'
            )
    yes_no = {}
    for key in YES_NO_FIELDS:
        if key in given:
            if not isinstance(given[key], bool):
                raise PatientFileError(f'{name}: "{key}" must be true or false, not {json.dumps(given[key])}')
            yes_no[key] = given[key]
    return Patient(
        label=label.strip(),
        age=field_of.number("age", given.get("age"), 0, 125),
        sex=sex,
        ecog=field_of.score("ecog", given.get("ecog"), 5, 1),
        karnofsky=karnofsky,
        lansky=lansky,
        labs=_read_labs(given.get("labs"), name),
        life_expectancy_days=_read_life_expectancy(given.get("life_expectancy"), name),
        brain_metastases=brain,
        prior_lines=field_of.score("prior_lines", given.get("prior_lines"), 30, 1),
        yes_no=yes_no,
        conditions=_read_conditions(given.get("conditions"), name),
        biomarkers=_read_biomarkers(given.get("biomarkers"), name),
        source={key: data[key] for key in FIELDS if key in data},
    )


class _FieldReader:
    """Typed fields with one sentence for a bad one."""

    def __init__(self, name: str):
        self.name = name

    def number(self, key: str, value: Any, low: float, high: float) -> float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise PatientFileError(f'{self.name}: "{key}" must be a number, not {json.dumps(value)}')
        if not low <= value <= high:
            raise PatientFileError(f'{self.name}: "{key}" is {number(value)}, out of range ({low}-{high})')
        return float(value)

    def score(self, key: str, value: Any, high: int, step: int) -> int | None:
        given = self.number(key, value, 0, high)
        if given is None:
            return None
        if not given.is_integer() or int(given) % step:
            steps = "a whole number" if step == 1 else f"a multiple of {step}"
            raise PatientFileError(
                f'{self.name}: "{key}" is {number(given)}: it must be {steps} from 0 to {high}'
            )
        return int(given)

    def text(self, key: str, value: Any) -> str:
        if not isinstance(value, str):
            raise PatientFileError(f'{self.name}: "{key}" must be text, not {json.dumps(value)}')
        return value.strip()


_UNIT_PATTERNS = [(re.compile(rf"(?:{pattern})\s*", re.I), unit) for pattern, unit in rules.UNIT_SPELLINGS]


def canonical_unit(text: str) -> str | None:
    """A unit as a clinician writes it ("x10^9/L", "cells/mm3", "g/dl", "× ULN") in the facets' one
    spelling ("10^9/L", "/uL", "g/dL", "xULN"); None when it is no unit the facets know."""
    written = text.strip()
    squeezed = re.sub(r"[\s×x*]", "", written.lower())
    if squeezed in ("uln", "timesuln", "-folduln", "folduln"):
        return XULN
    for pattern, unit in _UNIT_PATTERNS:
        if pattern.fullmatch(written):
            return unit
    return None


def _object(value: Any, name: str, key: str, example: str) -> dict:
    """A field holding a JSON object ({} when not given)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PatientFileError(f'{name}: "{key}" must be an object, such as {example}')
    return value


def _read_labs(value: Any, name: str) -> dict[str, LabValue]:
    labs = {}
    example = '{"anc": {"value": 1.5, "unit": "10^9/L"}}'
    for given_analyte, entry in _object(value, name, "labs", example).items():
        analyte = given_analyte.strip().lower().replace(" ", "_")
        if analyte not in ANALYTES:
            close = _closest(analyte, ANALYTES)
            hint = f' (did you mean "{close}"?)' if close else ""
            raise PatientFileError(f'{name}: unknown laboratory analyte "{given_analyte}"{hint}')
        if entry is None:
            continue
        labs[analyte] = _read_lab(analyte, entry, name)
    return labs


def _read_lab(analyte: str, entry: Any, name: str) -> LabValue:
    if not isinstance(entry, dict) or "value" not in entry:
        raise PatientFileError(
            f'{name}: the lab "{analyte}" must be an object with a value and a unit, such as {{"value": 1.5, "unit": "10^9/L"}}'
        )
    extra = [key for key in entry if key not in ("value", "unit", "uln")]
    if extra:
        raise PatientFileError(
            f'{name}: the lab "{analyte}" has an unknown field "{extra[0]}" (value, unit, uln)'
        )
    reader = _FieldReader(name)
    amount = reader.number(f"labs.{analyte}.value", entry["value"], 0, 1e7)
    allowed = rules.ANALYTE_UNITS.get(analyte, frozenset({None}))
    written = entry.get("unit")
    if written is None or (isinstance(written, str) and not written.strip()):
        if None in allowed and not (allowed - {None, XULN}):  # INR: a ratio with no unit
            unit = None
        else:
            raise PatientFileError(f'{name}: the lab "{analyte}" has no unit ({_units_text(allowed)})')
    else:
        unit = canonical_unit(reader.text(f"labs.{analyte}.unit", written))
        if unit is not None and allowed is rules.COUNT_UNITS:
            unit = rules.COUNT_ALIASES.get(unit, unit)
        if unit not in allowed or unit is None:
            raise PatientFileError(
                f'{name}: the unit "{written}" of "{analyte}" cannot be converted ({_units_text(allowed)})'
            )
    uln = reader.number(f"labs.{analyte}.uln", entry.get("uln"), 0, 1e7)
    if uln == 0:
        raise PatientFileError(f'{name}: the ULN of "{analyte}" is 0: give the lab\'s upper limit of normal')
    if uln is not None and unit == XULN:
        raise PatientFileError(
            f'{name}: "{analyte}" is given as a multiple of the ULN already: leave out "uln"'
        )
    if analyte in ("lvef", "hematocrit", "hba1c") and unit == "%" and amount > 100:
        raise PatientFileError(f'{name}: "{analyte}" is {number(amount)} %, out of range (0-100)')
    by_unit = {}
    if unit == XULN:
        by_unit[XULN] = amount
    else:
        base_value, base_unit = canonical_lab(analyte, amount, unit)
        by_unit[base_unit] = base_value
        if uln is not None:
            by_unit[XULN] = float(f"{amount / uln:.4g}")
    return LabValue(analyte, amount, unit or "", uln, by_unit)


def _units_text(allowed: frozenset) -> str:
    units = sorted(u for u in allowed if u)
    return "its units: " + ", ".join(units) if units else "it takes no unit"


def _read_life_expectancy(value: Any, name: str) -> float | None:
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - {"value", "unit"} or "value" not in value:
        raise PatientFileError(f'{name}: "life_expectancy" must be like {{"value": 6, "unit": "months"}}')
    amount = _FieldReader(name).number("life_expectancy.value", value["value"], 0, 100 * 365)
    unit = str(value.get("unit") or "months").strip().lower()
    unit = unit if unit.endswith("s") else unit + "s"
    if unit not in DAYS_PER:
        raise PatientFileError(
            f'{name}: the unit "{value.get("unit")}" of "life_expectancy" is not days, weeks, months or years'
        )
    return amount * DAYS_PER[unit]


def _read_conditions(value: Any, name: str) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PatientFileError(f'{name}: "conditions" must be a list of texts, such as ["liver metastases"]')
    known = {c.lower(): c for c in LAB_CONDITIONS}
    found = set()
    for condition in value:
        if condition.strip().lower() not in known:
            raise PatientFileError(
                f'{name}: unknown condition "{condition}" (the conditions: {", ".join(LAB_CONDITIONS)})'
            )
        found.add(known[condition.strip().lower()])
    return frozenset(found)


def gene_name(text: str) -> str | None:
    """A gene as written ("pdl1", "ROS-1", "her2") in the facets' spelling, or None if unknown."""
    wanted = re.sub(r"[\s-]", "", text).upper()
    return next((gene for gene in GENES if gene.replace("-", "").upper() == wanted), None)


def _read_biomarkers(value: Any, name: str) -> dict[str, tuple[str, ...]]:
    found = {}
    for written, statuses in _object(value, name, "biomarkers", '{"EGFR": "L858R"}').items():
        gene = gene_name(written)
        if gene is None:
            raise PatientFileError(f'{name}: unknown gene "{written}" (the genes: {", ".join(GENES)})')
        listed = [statuses] if isinstance(statuses, str) else statuses
        if isinstance(listed, list) and any(isinstance(s, str) and not s.strip() for s in listed):
            raise PatientFileError(
                f'{name}: the gene "{written}" has no status (such as "L858R", "positive" or "negative")'
            )
        if (
            not isinstance(listed, list)
            or not listed
            or not all(isinstance(s, str) and s.strip() for s in listed)
        ):
            raise PatientFileError(
                f'{name}: the status of "{written}" must be a text or a list of texts, such as "L858R"'
            )
        found[gene] = tuple(s.strip() for s in listed)
    return found


# ---------------------------------------------------------------- words


def quantity(value: float, unit: str | None) -> str:
    shown = UNIT_TEXT.get(unit or "", unit or "")
    return f"{number(float(f'{value:.3g}'))} {shown}".rstrip()


def number(value: float) -> int | float:
    value = float(f"{value:.4g}")
    return int(value) if value.is_integer() else value


def _json_type(value: Any) -> str:
    return {list: "list", str: "text", bool: "true/false", int: "number", float: "number"}.get(
        type(value), "null"
    )


def _closest(word: str, choices: Iterable[str]) -> str | None:
    from difflib import get_close_matches

    close = get_close_matches(word.lower(), list(choices), n=1, cutoff=0.75)
    return close[0] if close else None
