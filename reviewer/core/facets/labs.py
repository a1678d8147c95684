"""Laboratory thresholds: analyte, operator, value and unit (canonical spelling), and the subgroup of an
alternative threshold ("<= 5 x ULN if liver metastases")."""

from __future__ import annotations

import re

from . import rules as R
from .prefilter import possible_kinds
from .reading import NUMBER, NUMBER_WORDS, OPERATOR, Facet, compiled, number, operator, tidy, windows

_I = re.IGNORECASE


# --- laboratory thresholds -------------------------------------------------------------------------------------
_ANALYTE_ORDER = {name: i for i, (name, _) in enumerate(R.ANALYTES)}
_ANALYTE_RE = {name: compiled(pattern) for name, pattern in R.ANALYTES}


def _analytes(text: str, possible: dict[str, list[int]]) -> list[tuple[int, int, str]]:
    """The analytes named, left to right; where two names overlap the earlier rule wins, as in one
    alternation ("creatinine clearance" over "creatinine"). Each analyte's pattern is tried only around
    the words its stems found (a name may begin up to 20 characters before: "total serum bilirubin")."""
    found = set()
    for name, order in _ANALYTE_ORDER.items():
        if name in possible:
            for left, right in windows(possible[name], len(text), 20, 40):
                found.update((m.start(), order, m.end(), name) for m in _ANALYTE_RE[name].finditer(text, left, right))
    kept: list[tuple[int, int, str]] = []
    for start, _order, end, name in sorted(found):
        if kept and start < kept[-1][1]:
            continue
        kept.append((start, end, name))
    return kept


_ULN = R.ULN_PATTERN
_THRESHOLD = compiled(
    OPERATOR + r"\s*(?:\(\s*[<>]=?\s*\)\s*)?(?:" + NUMBER + r"(?P<uln>" + _ULN + r")?|(?P<uln_only>" + _ULN + r"))"
)
_WITHIN_NORMAL = compiled(R.WITHIN_NORMAL)
_UNIT = compiled(r"\s*(?:" + "|".join(f"(?P<u{i}>{p})" for i, (p, _) in enumerate(R.UNIT_SPELLINGS)) + ")")
_UNIT_NAMES = [name for _, name in R.UNIT_SPELLINGS]
_NOT_THRESHOLD = compiled(R.NOT_A_THRESHOLD_AFTER)
_CONDITIONS = [(name, words, compiled(p)) for name, words, p in R.LAB_CONDITIONS]
_CONDITION_NEGATION = compiled(R.CONDITION_NEGATION)
_CONDITIONAL = compiled(R.CONDITIONAL_CLAUSE)
_RESTATED = compiled(r"\s*\(\s*" + NUMBER)
_RANGE = compiled(r"\b(?:of|between|from)\s+(?P<a>\d+(?:\.\d+)?)\s*(?:-|to|and)\s*(?P<b>\d+(?:\.\d+)?)")
# alternatives break at "(" too, but not at a restated value ("(3.0 mg/dL) in Gilbert's syndrome")
_ALT_BREAK = compiled(R.ALTERNATIVE_BREAK + r"|\((?!\s*\d[\d.,]*\s*[^\s()]{1,12}\s*\))")
_CONDITION_OPENING = compiled(r"\W*(?:if|in|for|with)\b")
_CONDITION_LABEL = compiled(r"\(\s*(?:male|men|female|women)\s*\)")
_LINK_GAP = re.compile(r"[;]|\.\s")
_CANDIDATE = compiled(
    r"\d+(?:[.,]\d+)*|\b(?:" + NUMBER_WORDS + r")\b|\buln\b|\bupper\s+(?:limit|referenced|normal)|\bnormal\s+(?:value|limit)"
)
_WORD_BEFORE = re.compile(r"[^\s(]+")  # "(at least 115": the operator starts after the parenthesis
_LONGEST_OPERATOR = max(len(k.split()) for k in R.OPERATOR_WORDS)


def _operator_starts(text: str, pos: int) -> list[int]:
    """Where an operator written just before `pos` could start ("<= 1.5", "no greater than 1.5")."""
    j = pos
    while j > 0 and text[j - 1] in " (":
        j -= 1
    if text[max(0, j - 3) : j] in ("(<)", "(>)"):  # "less than (<)30"
        j -= 3
        while j > 0 and text[j - 1] == " ":
            j -= 1
    starts = []
    if j > 0 and text[j - 1] in "<>=":
        k = j - 1
        if k > 0 and text[k - 1] in "<>=":
            k -= 1
        starts.append(k)
    window_start = max(0, j - 48)
    words = [m.start() for m in _WORD_BEFORE.finditer(text, window_start, j)]
    starts += words[-_LONGEST_OPERATOR:]  # the farthest first: "no greater than" before "greater than"
    return starts


def _thresholds(text: str) -> list[tuple[int, int, str, float, str | None]]:
    """Comparisons with a value: an operator, then a number (and its unit) or the ULN itself."""
    matches = []
    last_end = -1
    for candidate in _CANDIDATE.finditer(text):
        if candidate.start() < last_end:
            continue
        for start in _operator_starts(text, candidate.start()):
            m = _THRESHOLD.match(text, start)
            if m and m.end() > candidate.start():
                matches.append(m)
                last_end = m.end()
                break
    found = []
    for m in matches:
        op = operator(m.group("op"))
        if m.group("uln_only"):
            found.append((m.start(), m.end(), op, 1.0, "xULN"))
            continue
        value = number(m.group("num"))
        if value is None:
            continue
        if m.group("uln"):
            found.append((m.start(), m.end(), op, value, "xULN"))
            continue
        unit_match = _UNIT.match(text, m.end())
        if unit_match:
            unit = _UNIT_NAMES[int(unit_match.lastgroup[1:])]
            found.append((m.start(), unit_match.end(), op, value, unit))
        elif not _NOT_THRESHOLD.match(text, m.end()) and not m.group("num").isalpha():
            found.append((m.start(), m.end(), op, value, None))
    if "within" in text or "Within" in text:
        for m in _WITHIN_NORMAL.finditer(text):
            found.append((m.start(), m.end(), "<=", 1.0, "xULN"))
    # a range without operators: "HbA1c level of 6.5 to 12.0 %" is >= 6.5 and <= 12.0
    for m in _RANGE.finditer(text):
        unit_match = _UNIT.match(text, m.end())
        low, high = number(m.group("a")), number(m.group("b"))
        if unit_match and low is not None and high is not None and low < high:
            unit = _UNIT_NAMES[int(unit_match.lastgroup[1:])]
            if not any(s <= m.start("a") < e for s, e, *_ in found):
                found += [(m.start("a"), m.start("b"), ">=", low, unit), (m.start("b"), unit_match.end(), "<=", high, unit)]
    # the same limit restated in another unit: "> 2.5 x ULN (3.0 mg/dL)", ">= 6.3% (45 mmol/mol)"
    for _start, end, op, _value, _unit in list(found):
        restated = _RESTATED.match(text, end)
        if restated:
            unit_match = _UNIT.match(text, restated.end())
            value = number(restated.group("num"))
            if unit_match and value is not None:
                unit = _UNIT_NAMES[int(unit_match.lastgroup[1:])]
                found.append((restated.start(), unit_match.end(), op, value, unit))
    found.sort()
    return found


def _condition(text: str, segments: list[tuple[int, int]], index: int) -> str | None:
    start, end = segments[index]
    names = []
    segment = text[start:end].lower()
    for name, words, pattern in _CONDITIONS:
        if not any(w in segment for w in words):
            continue
        for m in pattern.finditer(text, start, end):
            if not _CONDITION_NEGATION.search(text[max(start, m.start() - 25) : m.start()]):
                names.append((m.start(), name))
                break
    return " or ".join(name for _, name in sorted(names)) or None


def lab_facets(text: str, section: str, possible: dict[str, list[int]] | None = None) -> list[Facet]:
    analytes = _analytes(text, possible_kinds(text.lower()) if possible is None else possible)
    if not analytes:
        return []
    thresholds = _thresholds(text)
    if not thresholds:
        return []
    # alternatives (split at ";", "or", "except", "(") carry their own subgroup ("in patients with ...");
    # an item that names no subgroup at all is one alternative
    low = text.lower()
    if any(word in low for _, words, _ in _CONDITIONS for word in words):
        breaks = [0] + [m.start() for m in _ALT_BREAK.finditer(text)] + [len(text)]
    else:
        breaks = [0, len(text)]
    segments = [(breaks[i], breaks[i + 1]) for i in range(len(breaks) - 1)]

    def segment_of(pos: int) -> int:
        for i, (s, e) in enumerate(segments):
            if s <= pos < e:
                return i
        return len(segments) - 1

    tokens = sorted([(s, e, "a", name) for s, e, name in analytes] + [(t[0], t[1], "t", t) for t in thresholds])
    bound: list[tuple[int, str, str, float, str | None]] = []  # (segment, analyte, op, value, unit)
    pending: list[tuple[int, int, str]] = []
    pending_conditional = False
    last_group: list[str] = []
    last_end = 0
    previous_threshold_end = -1
    for start, end, what, payload in tokens:
        if start < last_end:
            continue  # an analyte's name inside a threshold's unit ("x ULN"), or the reverse
        if what == "a":
            if pending and (start - pending[-1][1] > 60 or _LINK_GAP.search(text, pending[-1][1], start)):
                pending = []
            if not pending:
                pending_conditional = bool(_CONDITIONAL.search(text[max(0, previous_threshold_end, start - 60) : start]))
            pending.append((start, end, payload))
            last_end = end
            continue
        _, _, op, value, unit = payload
        group: list[str] = []
        if pending and start - pending[-1][1] <= 60 and not _LINK_GAP.search(text, pending[-1][1], start):
            group = list(dict.fromkeys(name for _, _, name in pending))
            if pending_conditional:
                # "... for patients with creatinine > 1.5 x ULN": the subgroup, not a threshold; but in
                # "If SCr is outside normal range, CrCl > 60" the analyte after the comma is the requirement
                comma = text.rfind(",", pending[0][0], pending[-1][0])
                group = list(dict.fromkeys(name for s_, _, name in pending if s_ > comma)) if comma >= 0 else []
                last_group = group
        elif not pending and last_group and 0 <= start - previous_threshold_end <= 70 and not re.search(
            r"\.\s", text[previous_threshold_end:start]
        ) and (re.search(r"\bor\b|;|\(", text[previous_threshold_end:start], _I) or not text[previous_threshold_end:start].strip()):
            group = last_group  # an alternative threshold of the same analytes ("or <= 5 x ULN if ...")
        if pending:
            last_group = group
        pending = []
        previous_threshold_end = end
        last_end = end
        if "transaminases" in group and ("ast" in group or "alt" in group):
            group = [g for g in group if g != "transaminases"]
        for analyte in group:
            this_unit = R.COUNT_ALIASES.get(unit, unit) if R.ANALYTE_UNITS[analyte] is R.COUNT_UNITS else unit
            if this_unit in R.ANALYTE_UNITS[analyte]:
                bound.append((segment_of(start), analyte, op, value, this_unit))
    if not bound:
        return []
    # a subgroup named in a following alternative that has no threshold of its own belongs to the last one
    with_thresholds = {seg for seg, *_ in bound}
    conditions = {seg: _condition(text, segments, seg) for seg in with_thresholds}
    for seg in with_thresholds:  # "; if Gilbert's syndrome (...), total bilirubin <= 3 x ULN"
        if (
            conditions[seg] is None
            and seg > 0
            and seg - 1 not in with_thresholds
            and _CONDITION_OPENING.match(text, segments[seg - 1][0])
        ):
            conditions[seg] = _condition(text, segments, seg - 1)
    for seg in sorted(with_thresholds):
        nxt = seg + 1
        while nxt < len(segments) and nxt not in with_thresholds:
            extra = _condition(text, segments, nxt)
            opening = text[segments[nxt][0] : segments[nxt][0] + 12].lower()
            if extra and (opening.startswith("or") or _CONDITION_LABEL.match(text, segments[nxt][0])):
                conditions[seg] = f"{conditions[seg]} or {extra}" if conditions[seg] else extra
            nxt += 1
    return [
        {"kind": "lab", "analyte": analyte, "op": op, "value": tidy(value), "unit": unit, "condition": conditions[seg]}
        for seg, analyte, op, value, unit in bound
    ]
