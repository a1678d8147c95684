"""A trial's requirements against a patient read together (check_trial: its checks and its verdict),
and trials ranked for a patient (rank): possible first, most met first, then fewest unknowns.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..profile import Requirement
from .checks import FAILS, MEETS, POSSIBLE, UNKNOWN, Check, evaluate
from .patient import SEXES, Patient

# ---------------------------------------------------------------- one trial


@dataclass(frozen=True)
class TrialMatch:
    """A trial's requirements against the patient, and its verdict."""

    registry_id: str
    checks: tuple[Check, ...]

    @property
    def failing(self) -> tuple[Check, ...]:
        """The checks that exclude the patient (for everyone, not under a scope)."""
        return tuple(c for c in self.checks if c.status == FAILS and c.scope is None)

    @property
    def verdict(self) -> str:
        return FAILS if self.failing else POSSIBLE

    @property
    def unknown(self) -> int:
        return sum(1 for c in self.checks if c.status == UNKNOWN and c.scope is None)

    @property
    def met(self) -> int:
        return sum(1 for c in self.checks if c.status == MEETS)

    @property
    def scopes_failing(self) -> tuple[str, ...]:
        """The scopes ("Cohort 2") the patient fails a requirement of: not that cohort, maybe another."""
        return tuple(dict.fromkeys(c.scope for c in self.checks if c.status == FAILS and c.scope is not None))

    def summary(self) -> str:
        """The verdict in words: "possible, 2 unknown, 9 met" / "fails on 1 requirement"."""
        if self.verdict == FAILS:
            count = len(self.failing)
            text = f"fails on {count} requirement{'s' if count != 1 else ''}"
        else:
            text = f"possible, {self.unknown} unknown, {self.met} met"
        if self.scopes_failing:
            text += (
                "; fails the criteria of " + ", ".join(self.scopes_failing) + " only (may belong to another)"
            )
        return text

    def to_json(self) -> dict:
        counts = {"unknown": self.unknown, "met": self.met, "failing": len(self.failing)}
        verdict = {"trial": self.registry_id, "verdict": self.verdict, **counts, "summary": self.summary()}
        return verdict | {
            "scopes_failing": list(self.scopes_failing),
            "checks": [c.to_json() for c in self.checks],
        }


Requirements = Mapping[tuple[str, str | None], Requirement]
_Memo = dict[tuple[str, Any, str], tuple[str, str]]  # (key, value, text) -> (status, reason)
_STATUS_ORDER = {FAILS: 0, UNKNOWN: 1, MEETS: 2}


def check_trial(
    registry_id: str, requirements: Requirements, patient: Patient, memo: _Memo | None = None
) -> TrialMatch:
    """Every requirement of one trial against the patient, fails first, in the profile's order within."""
    checks = [
        Check(r, status, reason)
        for r, status, reason in _judged(requirements, patient, {} if memo is None else memo)
    ]
    checks.sort(key=lambda c: (c.scope is not None, _STATUS_ORDER[c.status]))
    return TrialMatch(registry_id, tuple(checks))


def _judged(
    requirements: Requirements, patient: Patient, memo: _Memo
) -> Iterator[tuple[Requirement, str, str]]:
    """(requirement, status, reason) per requirement; a trial's requirements are read together where
    one decides about another (an alternative lab limit for a subgroup, two performance scales)."""
    alternatives = [key for key in requirements if "|" in key[0]]
    superseded: set[tuple[str, str | None]] = set()
    skipped: set[tuple[str, str | None]] = set()
    for key, scope in alternatives:
        applies = condition_applies(key.partition("|")[2], patient)
        if applies is False:
            skipped.add((key, scope))
        elif applies:
            superseded.add((key.partition("|")[0], scope))
    judged = []
    for at, requirement in requirements.items():
        if at in skipped or at in superseded:
            continue
        memo_key = (requirement.key, requirement.value, requirement.text)  # the reason quotes the text
        found = memo.get(memo_key)
        if found is None:
            found = memo[memo_key] = evaluate(requirement, patient)
        status, reason = found
        if "|" in requirement.key:
            condition = requirement.key.partition("|")[2]
            if condition_applies(condition, patient) is None:
                status, reason = (
                    UNKNOWN,
                    f"applies with {condition} (the patient's sex not given): {requirement.text}",
                )
            else:
                reason = f"with {condition}: {reason}"
        judged.append((requirement, status, reason))
    if sum(1 for r, _s, _why in judged if r.kind == "performance") > 1:
        judged = _scales_together(judged)
    return iter(judged)


def _scales_together(judged: list[tuple[Requirement, str, str]]) -> list[tuple[Requirement, str, str]]:
    """Two performance scales in one trial are mostly alternatives ("ECOG 0-1 or Karnofsky >= 70", or
    Lansky for children): one the patient meets keeps the other from failing the trial."""
    met = {r.scope for r, status, _why in judged if r.kind == "performance" and status == MEETS}
    kept = []
    for requirement, status, reason in judged:
        if requirement.kind == "performance" and status == FAILS and requirement.scope in met:
            status, reason = UNKNOWN, f"{reason} (but another performance scale of the trial is met)"
        kept.append((requirement, status, reason))
    return kept


def condition_applies(condition: str, patient: Patient) -> bool | None:
    """Whether an alternative lab limit's subgroup ("liver metastases", "male") is the patient's;
    None when the patient's sex is not given for a limit by sex."""
    names = [name.strip() for name in condition.split(" or ")]
    answers = []
    for name in names:
        if name in SEXES:
            answers.append(None if patient.sex is None else patient.sex == name)
        else:
            answers.append(name in patient.conditions)
    if True in answers:
        return True
    return None if None in answers else False


# ---------------------------------------------------------------- the library, ranked


@dataclass(frozen=True)
class MatchResult:
    """Trials ranked for a patient: the first ``limit`` with their checks, and the counts of all."""

    patient: Patient
    matches: list[TrialMatch]  # ranked; at most the limit asked for
    checked: int  # trials checked
    possible: int  # of them, not failing
    missing: tuple[str, ...] = ()  # ids asked for that are not in the library

    def to_json(self) -> dict:
        return {
            "patient": self.patient.summary(),
            "checked": self.checked,
            "possible": self.possible,
            "shown": len(self.matches),
            "scope_note": "a requirement under a scope (a cohort, a part) never fails a trial on its own: "
            "the patient may belong to another",
            "trials": [m.to_json() for m in self.matches],
        }


def _rank_key(fails: int, unknown: int, met: int) -> tuple[bool, int, int, int]:
    """Possible trials first, those the patient is known to meet most on top (a trial that states
    almost nothing is not a good match), then fewest unknowns; failing trials by fewest failures."""
    return (fails > 0, fails, -met, unknown)


def rank(
    trials: Iterable[tuple[str, Requirements]], patient: Patient, limit: int | None = None
) -> MatchResult:
    """Check every trial and rank them (_rank_key), then by id.
    Only the first ``limit`` are given their full checks. The ranking counts statuses alone, each
    distinct requirement value judged once (most trials share "age >= 18" or "ECOG 0-1"); a trial
    whose requirements are read together (_judged) is counted the slow way."""
    memo: _Memo = {}
    # the store shares one Requirement object among the trials stating the same thing: judged by
    # identity first (an int's hash), then by value; the objects live in ``ranked`` meanwhile
    by_object: dict[int, tuple[str, int, bool]] = {}
    ranked = []
    possible = 0
    for registry_id, requirements in trials:
        fails = unknown = met = performance = 0
        together = False
        for requirement in requirements.values():
            entry = by_object.get(id(requirement))
            if entry is None:
                entry = by_object[id(requirement)] = _entry(requirement, patient, memo)
            status, read_with, scoped = entry
            if read_with:
                if read_with == _SCALE:
                    performance += 1
                else:
                    together = True
            if status == MEETS:
                met += 1
            elif scoped:
                continue
            elif status == FAILS:
                fails += 1
            else:
                unknown += 1
        if together or performance > 1:
            fails, unknown, met = _counts(_judged(requirements, patient, memo))
        if not fails:
            possible += 1
        ranked.append((*_rank_key(fails, unknown, met), registry_id, requirements))
    ranked.sort(key=lambda entry: entry[:5])
    shown = ranked if limit is None else ranked[:limit]
    matches = [check_trial(entry[4], entry[5], patient, memo) for entry in shown]
    return MatchResult(patient, matches, len(ranked), possible)


def rank_values(
    names: Mapping[int, str],
    rows: Iterable[tuple[int, str, str | None, str]],
    patient: Patient,
    load: Callable[[list[str]], Iterable[tuple[str, Requirements]]],
    limit: int | None = None,
) -> MatchResult:
    """rank() for the whole library from the stored rows alone: ``names`` is every trial (id ->
    registry id), ``rows`` its requirements as (trial id, key, scope, value JSON), ``load`` the
    whole Requirements of some trials (Library.requirements). Each distinct (key, value) is judged
    once and each trial's counts are summed from the rows; only the first ``limit`` shown are loaded
    whole. Ranks exactly as rank()."""
    statuses: dict[tuple[str, str], tuple[str, int]] = {}
    built: dict[tuple[str, str | None, str], Requirement] = {}  # the value of each distinct row, once

    def requirement_of(key: str, scope: str | None, value: str) -> Requirement:
        found = built.get((key, scope, value))
        if found is None:
            kind = key.partition(":")[0]
            found = built[(key, scope, value)] = Requirement(
                key, kind, _tuples(json.loads(value)), "", (), scope
            )
        return found

    rows = rows if isinstance(rows, list) else list(rows)
    counts = {trial_id: [0, 0, 0, 0, False] for trial_id in names}  # fails, unknown, met, scales, together
    for trial_id, key, scope, value in rows:
        found = statuses.get((key, value))
        if found is None:
            requirement = requirement_of(key, scope, value)
            read_with = _SCALE if requirement.kind == "performance" else _ALTERNATIVE if "|" in key else 0
            found = statuses[(key, value)] = (evaluate(requirement, patient)[0], read_with)
        status, read_with = found
        count = counts.get(trial_id)
        if count is None:  # a trial written after ``names`` was read: in the next check
            continue
        if read_with == _SCALE:
            count[3] += 1
        elif read_with:
            count[4] = True
        if status == MEETS:
            count[2] += 1
        elif scope is None:
            count[0 if status == FAILS else 1] += 1
    # trials whose requirements are read together: counted from their rows with _judged (the
    # statuses do not depend on a requirement's words, so the rows' values are enough)
    together = {trial_id for trial_id, count in counts.items() if count[4] or count[3] > 1}
    gathered: dict[int, dict] = {trial_id: {} for trial_id in together}
    for trial_id, key, scope, value in rows:
        if trial_id in gathered:
            gathered[trial_id][(key, scope)] = requirement_of(key, scope, value)
    memo: _Memo = {}
    for trial_id, requirements in gathered.items():
        counts[trial_id][:3] = _counts(_judged(requirements, patient, memo))
    by_name = {names[trial_id]: count for trial_id, count in counts.items()}
    keys = [(*_rank_key(c[0], c[1], c[2]), registry_id) for registry_id, c in by_name.items()]
    first = sorted(keys) if limit is None else heapq.nsmallest(limit, keys)  # only those shown are ordered
    shown = [entry[4] for entry in first]
    loaded = dict(load(shown)) if shown else {}
    matches = [check_trial(registry_id, loaded.get(registry_id, {}), patient, memo) for registry_id in shown]
    possible = sum(1 for entry in keys if not entry[0])
    return MatchResult(patient, matches, len(keys), possible)


def _tuples(value: Any) -> Any:
    """A stored value (JSON's lists) as the Requirement's tuples."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


_SCALE, _ALTERNATIVE = 1, 2  # requirements read with the others of their trial (_judged)


def _entry(requirement: Requirement, patient: Patient, memo: _Memo) -> tuple[str, int, bool]:
    """(status, how it is read with the others, scoped) of one requirement, judged once per value."""
    memo_key = (requirement.key, requirement.value, requirement.text)
    found = memo.get(memo_key)
    if found is None:
        found = memo[memo_key] = evaluate(requirement, patient)
    read_with = _SCALE if requirement.kind == "performance" else _ALTERNATIVE if "|" in requirement.key else 0
    return found[0], read_with, requirement.scope is not None


def _counts(judged: Iterable[tuple[Requirement, str, str]]) -> tuple[int, int, int]:
    """(fails, unknown, met) as TrialMatch counts them: a scoped requirement counts only when met."""
    fails = unknown = met = 0
    for requirement, status, _reason in judged:
        if status == MEETS:
            met += 1
        elif requirement.scope is None:
            if status == FAILS:
                fails += 1
            else:
                unknown += 1
    return fails, unknown, met
