"""One requirement of a trial (profile.Requirement) against a patient: "meets", "fails" or
"unknown", and the reason in one line ("ECOG 2 allowed: 0-2"). Unknown: the patient's value is not
given, it cannot be tested against the trial's (a lab in U/L against "x ULN" without its ULN), or the
requirement is none a patient's values can answer (a washout, a hypersensitivity).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..facets.values import DAYS_PER
from ..profile import UNIT_TEXT, Requirement, score_text
from .patient import BRAIN_STATES, XULN, YES_NO_FIELDS, LabValue, Patient, number

MEETS, FAILS, UNKNOWN = "meets", "fails", "unknown"
POSSIBLE = "possible"

KARNOFSKY_TO_ECOG = {100: 0, 90: 1, 80: 1, 70: 2, 60: 2, 50: 3, 40: 3, 30: 4, 20: 4, 10: 4, 0: 5}
ECOG_TO_KARNOFSKY = {e: tuple(sorted(k for k, v in KARNOFSKY_TO_ECOG.items() if v == e)) for e in range(6)}
# a status that says the gene is not altered; any other (a variant, "positive", "amplification") says it is
NEGATIVE_STATUSES = frozenset({"negative", "wild-type", "wildtype", "wt", "not detected", "absent", "normal"})
GENERIC_POSITIVE = frozenset(
    {"positive", "mutation", "alteration", "altered", "mutated", "detected", "present"}
)
_PDL1 = re.compile(
    r"^\s*(?P<score>TPS|CPS|TC|IC)?\s*(?P<op>>=|<=|>|<|=|≥|≤)?\s*(?P<n>\d{1,3}(?:\.\d+)?)\s*%?\s*$", re.I
)


# ---------------------------------------------------------------- one requirement


@dataclass(frozen=True)
class Check:
    """One requirement of a trial against the patient."""

    requirement: Requirement
    status: str  # MEETS, FAILS or UNKNOWN
    reason: str  # "ECOG 2 allowed: 0-2"

    @property
    def scope(self) -> str | None:
        return self.requirement.scope

    @property
    def items(self):
        return self.requirement.items

    def to_json(self) -> dict:
        return {
            "facet": self.requirement.key,
            "title": self.requirement.title,
            "scope": self.requirement.scope,
            "status": self.status,
            "reason": self.reason,
            "requirement": self.requirement.text,
            "items": [{"item": ref.key, "label": ref.label} for ref in self.requirement.items],
        }


def evaluate(requirement: Requirement, patient: Patient) -> tuple[str, str]:
    """(status, reason) of one requirement for the patient."""
    kind = requirement.kind
    judge = _JUDGES.get(kind)
    if judge is not None:
        return judge(requirement, patient)
    if kind in _YES_NO_KIND:
        return _yes_no(requirement, patient)
    return UNKNOWN, f"not in the patient's values: check by hand (the trial: {requirement.text})"


def _given(title: str, requirement: Requirement) -> tuple[str, str]:
    return UNKNOWN, f"{title} not given (the trial: {requirement.text})"


def _not_given(requirement: Requirement) -> tuple[str, str]:
    return UNKNOWN, f"not given (the trial: {requirement.text})"


def _age(requirement: Requirement, patient: Patient) -> tuple[str, str]:
    if patient.age is None:
        return _not_given(requirement)
    low, high = requirement.value
    fits = (low is None or patient.age >= low) and (high is None or patient.age <= high)
    return _said(fits, f"{number(patient.age)} years", requirement.text)


def _sex(requirement: Requirement, patient: Patient) -> tuple[str, str]:
    if requirement.value not in ("MALE", "FEMALE"):
        return MEETS, "all sexes are eligible"
    if patient.sex is None:
        return _not_given(requirement)
    return _said(patient.sex == requirement.value.lower(), patient.sex, requirement.text)


def _performance(requirement: Requirement, patient: Patient) -> tuple[str, str]:
    scale = requirement.key.partition(":")[2]
    allowed = set(requirement.value)
    shown = f"{scale} {score_text(requirement.value)}"
    if not allowed:
        return UNKNOWN, f"the trial's allowed {scale} scores could not be read ({requirement.text})"
    if scale in ("ECOG", "WHO"):
        if patient.ecog is not None:
            return _said(patient.ecog in allowed, f"{scale} {patient.ecog}", score_text(requirement.value))
        if patient.karnofsky is not None:
            ecog = KARNOFSKY_TO_ECOG[patient.karnofsky]
            return _said(ecog in allowed, f"Karnofsky {patient.karnofsky} (ECOG {ecog})", shown)
        return _given("ECOG or Karnofsky", requirement)
    if scale == "Karnofsky":
        if patient.karnofsky is not None:
            return _said(
                patient.karnofsky in allowed, f"Karnofsky {patient.karnofsky}", score_text(requirement.value)
            )
        if patient.ecog is not None:
            range_ = ECOG_TO_KARNOFSKY[patient.ecog]
            stands_for = f"ECOG {patient.ecog} (Karnofsky {score_text(range_)})"
            inside = [k in allowed for k in range_]
            if all(inside) or not any(inside):
                return _said(all(inside), stands_for, shown)
            return UNKNOWN, f"{stands_for} is partly inside the trial's {shown}: give the Karnofsky score"
        return _given("Karnofsky or ECOG", requirement)
    if scale == "Lansky" and patient.lansky is not None:
        return _said(patient.lansky in allowed, f"Lansky {patient.lansky}", score_text(requirement.value))
    return _given(f"{scale} score", requirement)


def _lab(requirement: Requirement, patient: Patient) -> tuple[str, str]:
    analyte = requirement.key.partition(":")[2].partition("|")[0]
    if analyte == "transaminases" and "transaminases" not in patient.labs:
        return _both(requirement, [patient.labs.get("ast"), patient.labs.get("alt")], ("AST", "ALT"))
    return _bounds_of_lab(requirement, patient.labs.get(analyte), "")


def _both(requirement: Requirement, labs: list[LabValue | None], names: tuple[str, ...]) -> tuple[str, str]:
    """A bound on AST/ALT holds for both: one failing fails it, one unknown leaves it unknown."""
    results = [_bounds_of_lab(requirement, lab, name) for lab, name in zip(labs, names, strict=True)]
    for wanted in (FAILS, UNKNOWN):
        failing = [reason for status, reason in results if status == wanted]
        if failing:
            return wanted, "; ".join(failing)
    return MEETS, "; ".join(reason for _status, reason in results)


def _bounds_of_lab(requirement: Requirement, lab: LabValue | None, name: str) -> tuple[str, str]:
    """``name`` prefixes the value when one requirement reads two labs (AST/ALT)."""
    name = f"{name} " if name else ""
    if lab is None:
        return _given(name.strip(), requirement) if name else _not_given(requirement)
    untested = []
    for op, limit, unit in requirement.value:
        value = lab.by_unit.get(unit)
        if value is None:
            untested.append(unit)
            continue
        if not _holds(value, op, limit):
            return FAILS, f"{name}{lab.text(unit)} not allowed: {requirement.text}"
    if untested:
        needs = "with its ULN" if XULN in untested else f"in {UNIT_TEXT.get(untested[0], untested[0])}"
        return UNKNOWN, f"{name}{lab.text()} cannot be tested against {requirement.text}: give it {needs}"
    unit = requirement.value[0][2] if requirement.value else None
    return MEETS, f"{name}{lab.text(unit)} allowed: {requirement.text}"


def _life_expectancy(requirement: Requirement, patient: Patient) -> tuple[str, str]:
    if patient.life_expectancy_days is None:
        return _not_given(requirement)
    days = patient.life_expectancy_days
    fits = all(_holds(days, op, limit) for op, limit, _unit in requirement.value)
    months = days / DAYS_PER["months"]
    return _said(fits, f"{number(months)} months", requirement.text)


def _prior_lines(requirement: Requirement, patient: Patient) -> tuple[str, str]:
    if patient.prior_lines is None:
        return _not_given(requirement)
    fits = all(_holds(patient.prior_lines, op, limit) for op, limit, _unit in requirement.value)
    lines = f"{patient.prior_lines} prior line{'s' if patient.prior_lines != 1 else ''}"
    return _said(fits, lines, f"{requirement.text} lines")


def _brain(requirement: Requirement, patient: Patient) -> tuple[str, str]:
    state = patient.brain_metastases
    if state is None:
        return _not_given(requirement)
    stance = requirement.value
    fits = {
        "required": state != "none",
        "allowed_if_stable": state != "active",
        "excluded": state == "none",
    }.get(stance)
    if fits is None:
        return UNKNOWN, f"the trial's stance on brain metastases could not be read ({requirement.text})"
    return _said(fits, BRAIN_STATES[state], requirement.text)


def _biomarker(requirement: Requirement, patient: Patient) -> tuple[str, str]:
    gene = requirement.key.partition(":")[2]
    stance, wanted = requirement.value
    statuses = _patient_statuses(gene, patient)
    if statuses is None:
        return _not_given(requirement)
    answers = [_status_matches(statuses, w) for w in wanted]
    shown = f"{gene} {'/'.join(statuses)}"
    if True in answers:
        matched = True
    elif all(answer is False for answer in answers):
        matched = False
    else:
        return UNKNOWN, f"{shown} does not tell whether the trial's {requirement.text} applies"
    fits = matched if stance == "required" else not matched
    return _said(fits, shown, requirement.text)


def _patient_statuses(gene: str, patient: Patient) -> tuple[str, ...] | None:
    """The patient's statuses of a gene; RAS is read from KRAS and NRAS when not given itself."""
    if gene in patient.biomarkers:
        return patient.biomarkers[gene]
    if gene == "RAS":
        parts = [patient.biomarkers.get(g) for g in ("KRAS", "NRAS")]
        if any(p and not _all_negative(p) for p in parts):
            return next(p for p in parts if p and not _all_negative(p))
        if all(p and _all_negative(p) for p in parts):
            return ("wild-type",)
    return None


def _all_negative(statuses: tuple[str, ...]) -> bool:
    return all(s.lower() in NEGATIVE_STATUSES for s in statuses)


def _status_matches(statuses: tuple[str, ...], wanted: str) -> bool | None:
    """Whether the patient's statuses of a gene include ``wanted``; None: they do not tell."""
    want = wanted.lower()
    have = [s.lower() for s in statuses]
    negative = _all_negative(statuses)
    if want in have:
        return True
    if want == "status":  # the gene named without a status: its status known is what is asked
        return True
    if want in NEGATIVE_STATUSES:
        return negative or (False if any(h not in GENERIC_POSITIVE for h in have) else None)
    if negative:
        return False
    if want in GENERIC_POSITIVE:
        return True
    score = _pdl1(want)
    if score is not None:
        return _pdl1_meets(have, score)
    if any(h in GENERIC_POSITIVE for h in have):
        return None  # "mutation" does not say which one
    return False  # the patient's variants are known, and this one is not among them


def _pdl1(text: str) -> tuple[str | None, str, float] | None:
    m = _PDL1.match(text)
    if not m or not (m.group("score") or m.group("op") or "%" in text):
        return None
    op = {"≥": ">=", "≤": "<="}.get(m.group("op") or "=", m.group("op") or "=")
    return (m.group("score") or "").upper() or None, op, float(m.group("n"))


def _pdl1_meets(have: list[str], wanted: tuple[str | None, str, float]) -> bool | None:
    score, op, limit = wanted
    for status in have:
        given = _pdl1(status)
        if given is None or given[1] != "=" or (score and given[0] and given[0] != score):
            continue
        return _holds(given[2], op, limit)
    return None


_YES_NO_KIND = {kind: key for key, kind in YES_NO_FIELDS.items()}
_YES_NO_TEXT = {
    "pregnant": ("pregnant", "not pregnant"), "breastfeeding": ("breastfeeding", "not breastfeeding"),
    "measurable_disease": ("measurable disease", "no measurable disease"),
    "consent": ("consent given", "no consent"),
    "contraception": ("will use contraception", "will not use contraception"),
    "active_infection": ("active infection", "no active infection"),
    "other_malignancy": ("another malignancy", "no other malignancy"),
}  # fmt: skip


def _yes_no(requirement: Requirement, patient: Patient) -> tuple[str, str]:
    key = _YES_NO_KIND[requirement.kind]
    answer = patient.yes_no.get(key)
    if answer is None and patient.sex == "male" and key in ("pregnant", "breastfeeding"):
        answer = False
    if answer is None:
        return _not_given(requirement)
    if requirement.value not in ("required", "excluded"):
        return UNKNOWN, f"the trial's {requirement.title.lower()} requirement could not be read"
    fits = answer if requirement.value == "required" else not answer
    return (
        MEETS if fits else FAILS,
        f"{_YES_NO_TEXT[key][0 if answer else 1]}: {requirement.title.lower()} {requirement.text}",
    )


def _said(fits: bool, patient_value: str, requirement_text: str) -> tuple[str, str]:
    return (
        (MEETS, f"{patient_value} allowed: {requirement_text}")
        if fits
        else (FAILS, f"{patient_value} not allowed: {requirement_text}")
    )


_JUDGES = {
    "age": _age, "sex": _sex, "performance": _performance, "lab": _lab, "life_expectancy": _life_expectancy,
    "prior_lines": _prior_lines, "brain_metastases": _brain, "biomarker": _biomarker,
}  # fmt: skip


def _holds(value: float, op: str, limit: float) -> bool:
    value = float(f"{value:.4g}")  # the precision the requirements are stated in (profile._number)
    if op == ">=":
        return value >= limit
    if op == ">":
        return value > limit
    if op == "<=":
        return value <= limit
    if op == "<":
        return value < limit
    if op == "=":
        return value == limit
    if op == "!=":
        return value != limit
    return True
