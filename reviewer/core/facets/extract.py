"""The rule engine: one criterion's text and section -> its facets (typed values).

`extract_facets(text, section)` normalises the text once (markdown escapes, comparison signs, full-width
punctuation), then runs the extractor of each kind whose trigger words occur in it; the patterns come from
`rules.py`, compiled here once at import. Never raises on any string; an empty list means no facet.

Polarity: age, sex and performance describe who is ELIGIBLE (an exclusion "Age < 18" gives min 18, an
exclusion "Karnofsky < 50" allows 50-100); lab thresholds, life expectancy and prior lines keep the
operator as written, so an exclusion "creatinine clearance < 50" is "<" and the section says it excludes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from . import rules as R

_I = re.IGNORECASE
Facet = dict


def _c(pattern: str) -> re.Pattern:
    return re.compile(pattern, _I)


def _number(token: str) -> float | None:
    token = token.lower().replace(",", "")
    if token in R.NUMBER_WORDS:
        return R.NUMBER_WORDS[token]
    try:
        return float(token)
    except ValueError:
        return None


def _tidy(value: float) -> int | float:
    """Numbers as numbers: 2.0 is written 2."""
    return int(value) if float(value).is_integer() else value


# --- normalisation ---------------------------------------------------------------------------------------
_ESCAPE = re.compile(r"\\([<>=~\[\]*_#.()+\-!|^])")
_SIGNS = str.maketrans({"≤": "<=", "⩽": "<=", "≦": "<=", "≥": ">=", "⩾": ">=", "≧": ">=", "＞": ">", "＜": "<",
                        "（": "(", "）": ")", "；": ";", "，": ",", "：": ":", "−": "-", "–": "-", "—": "-",
                        "\u00a0": " ", "\u3000": " ", "～": "~", "﹤": "<", "﹥": ">"})
_COMPOUND = re.compile(r">\s*/\s*=|<\s*/\s*=|=\s*<|=\s*>|>\s+=|<\s+=")
_LEADING_NUMBER = re.compile(r"^\s*(?:\d{1,2}[.)](?!\d)\s*)+")
_RUN_TOGETHER_AGE = re.compile(r"^\s*\d\.(?=\d{2}\s*<)")


def _compound(match: re.Match) -> str:
    text = match.group(0)
    return ">=" if ">" in text else "<="


def normalise(text: str) -> str:
    """The text the rules read: escapes dropped, signs as ASCII ("≥" -> ">="), list numbering dropped."""
    text = _ESCAPE.sub(r"\1", text)
    if not text.isascii():
        text = text.translate(_SIGNS)
    if "/" in text or "=" in text:
        text = _COMPOUND.sub(_compound, text)
    text = _RUN_TOGETHER_AGE.sub("", text)  # "1.18 <= age" (numbering run together) -> "18 <= age"
    return _LEADING_NUMBER.sub("", text)


# --- shared pieces -----------------------------------------------------------------------------------------
_OP_KEYS = sorted(R.OPERATOR_WORDS, key=len, reverse=True)
_OP = "(?P<op>" + "|".join(
    re.escape(k) if not k[0].isalpha() else r"\b" + re.escape(k).replace(r"\ ", r"\s+") + r"\b" for k in _OP_KEYS
) + ")"
_NUM_WORDS = "|".join(sorted(R.NUMBER_WORDS, key=len, reverse=True))
_NUM = r"(?P<num>\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?|\b(?:" + _NUM_WORDS + r")\b)"


def _op(word: str) -> str:
    return R.OPERATOR_WORDS[re.sub(r"\s+", " ", word.lower())]


_CLAUSE_END = re.compile(r";|\.(?:\s|$)")


def _clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause (between ';' or sentence ends) holding text[start:end]."""
    left = 0
    for m in _CLAUSE_END.finditer(text, 0, start):
        left = m.end()
    m = _CLAUSE_END.search(text, end)
    return left, (m.start() if m else len(text))


# --- laboratory thresholds -------------------------------------------------------------------------------------
_ANALYTE_ORDER = {name: i for i, (name, _) in enumerate(R.ANALYTES)}
_ANALYTE_RE = {name: _c(pattern) for name, pattern in R.ANALYTES}


def _analytes(text: str, possible: dict[str, list[int]]) -> list[tuple[int, int, str]]:
    """The analytes named, left to right; where two names overlap the earlier rule wins, as in one
    alternation ("creatinine clearance" over "creatinine"). Each analyte's pattern is tried only around
    the words its stems found (a name may begin up to 20 characters before: "total serum bilirubin")."""
    found = set()
    for name, order in _ANALYTE_ORDER.items():
        pattern = _ANALYTE_RE[name]
        windows: list[list[int]] = []
        for at in possible.get(name, ()):
            if windows and at - 20 <= windows[-1][1]:
                windows[-1][1] = at + 40
            else:
                windows.append([max(0, at - 20), at + 40])
        for left, right in windows:
            found.update((m.start(), order, m.end(), name) for m in pattern.finditer(text, left, min(len(text), right)))
    kept: list[tuple[int, int, str]] = []
    for start, _order, end, name in sorted(found):
        if kept and start < kept[-1][1]:
            continue
        kept.append((start, end, name))
    return kept
_ULN = R.ULN_PATTERN
_THRESHOLD = _c(
    _OP + r"\s*(?:\(\s*[<>]=?\s*\)\s*)?(?:" + _NUM + r"(?P<uln>" + _ULN + r")?|(?P<uln_only>" + _ULN + r"))"
)
_WITHIN_NORMAL = _c(R.WITHIN_NORMAL)
_UNIT = _c(r"\s*(?:" + "|".join(f"(?P<u{i}>{p})" for i, (p, _) in enumerate(R.UNIT_SPELLINGS)) + ")")
_UNIT_NAMES = [name for _, name in R.UNIT_SPELLINGS]
_NOT_THRESHOLD = _c(R.NOT_A_THRESHOLD_AFTER)
_CONDITIONS = [(name, words, _c(p)) for name, words, p in R.LAB_CONDITIONS]
_CONDITION_NEGATION = _c(R.CONDITION_NEGATION)
_CONDITIONAL = _c(R.CONDITIONAL_CLAUSE)
_ALT_BREAK = _c(R.ALTERNATIVE_BREAK + r"|\(")
_CONDITION_OPENING = _c(r"\W*(?:if|in|for|with)\b")
_CONDITION_LABEL = _c(r"\(\s*(?:male|men|female|women)\s*\)")
_LINK_GAP = re.compile(r"[;]|\.\s")


_CANDIDATE = re.compile(
    r"\d+(?:[.,]\d+)*|\b(?:" + _NUM_WORDS + r")\b|\buln\b|\bupper\s+(?:limit|referenced|normal)|\bnormal\s+(?:value|limit)", _I
)
_WORD_BEFORE = re.compile(r"\S+")
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
        op = _op(m.group("op"))
        if m.group("uln_only"):
            found.append((m.start(), m.end(), op, 1.0, "xULN"))
            continue
        value = _number(m.group("num"))
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


def _labs(text: str, section: str, possible: dict[str, list[int]] | None = None) -> list[Facet]:
    analytes = _analytes(text, _possible_kinds(text.lower()) if possible is None else possible)
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
                group = []  # "... for patients with creatinine > 1.5 x ULN": the subgroup, not a threshold
                last_group = []
        elif not pending and last_group and 0 <= start - previous_threshold_end <= 70 and not re.search(
            r"\.\s", text[previous_threshold_end:start]
        ) and re.search(r"\bor\b|;|\(", text[previous_threshold_end:start], _I):
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
        {"kind": "lab", "analyte": analyte, "op": op, "value": _tidy(value), "unit": unit, "condition": conditions[seg]}
        for seg, analyte, op, value, unit in bound
    ]


# --- performance status ------------------------------------------------------------------------------------------
_SCALE = _c("|".join(f"(?P<s{i}>{p})" for i, (_, p) in enumerate(R.PERFORMANCE_SCALES)))
_SCALE_NAMES = [name for name, _ in R.PERFORMANCE_SCALES]
_PERF_FILLER = _c(R.PERFORMANCE_FILLER)
_PERF_ASIDE = _c(R.PERFORMANCE_ASIDE)
_PERF_OP = r"(?P<op><=|>=|<|>|=|equal\s+to|at\s+least|of\s+at\s+least|less\s+than|greater\s+than|more\s+than|no\s+more\s+than|not\s+more\s+than)?"
_PERF_VALUE = _c(
    _PERF_OP + r"\s*(?P<a>\d{1,3})\s*%?"
    r"(?:\s*(?:-|to|~)\s*(?P<b>\d{1,3})\s*%?|(?P<list>(?:\s*(?:,\s*or|,|or|and|/)\s*\d{1,3}\b)+))?"
)
_PERF_MORE = _c(r"\s*(?:\([^()]*\)\s*)?(?:,\s*)?or\s+(?P<op><=|>=|<|>)\s*(?P<a>\d{1,3})\s*%?")
_PERF_LINK = _c(r"^(?:\s|[/,()]|\b(?:or|and|performance|status|score|scale|play)\b)*$")


def _allowed(scale: str, op: str | None, a: int, b: int | None, listed: list[int]) -> list[int]:
    domain = R.PERFORMANCE_DOMAIN[scale]
    if b is not None:
        return [d for d in domain if a <= d <= b]
    if listed:
        return sorted({a, *listed} & set(domain))
    tests: dict[str | None, Callable[[int], bool]] = {
        ">=": lambda d: d >= a, ">": lambda d: d > a, "<=": lambda d: d <= a, "<": lambda d: d < a,
    }
    test = tests.get(op)
    return [d for d in domain if test(d)] if test else [a]


def _performance(text: str, section: str) -> list[Facet]:
    masked = _PERF_ASIDE.sub(lambda m: " " * len(m.group(0)), text)
    mentions: list[list] = []  # [scale, start, end, [allowed lists]]
    consumed = -1
    for m in _SCALE.finditer(masked):
        if m.start() < consumed:
            continue
        scale = _SCALE_NAMES[int(m.lastgroup[1:])]
        pos = _PERF_FILLER.match(masked, m.end()).end()
        value = _PERF_VALUE.match(masked, pos)
        values: list[tuple] = []
        end = pos  # a scale named without values still owns its filler ("Karnofsky performance status")
        if value and value.group("a"):
            op = value.group("op")
            op = _op(op) if op else None
            listed = [int(n) for n in re.findall(r"\d{1,3}", value.group("list") or "")]
            b = int(value.group("b")) if value.group("b") else None
            values.append((op, int(value.group("a")), b, listed))
            end = value.end()
            more = _PERF_MORE.match(masked, end)
            while more:  # ">= 70% (MAC) or >= 60% (RIC)"
                values.append((_op(more.group("op")), int(more.group("a")), None, []))
                end = more.end()
                more = _PERF_MORE.match(masked, end)
        mentions.append([scale, m.start(), end, values])
        consumed = end
    named = {scale for scale, *_ in mentions if scale}
    facets = []
    for i, (scale, _start, end, values) in enumerate(mentions):
        if scale is None:
            if len(named) != 1 or not values:
                continue
            scale = next(iter(named))
        if not values:  # "Karnofsky / Lansky score < 50%": the next scale's values are this one's too
            if i + 1 < len(mentions) and _PERF_LINK.match(masked[end : mentions[i + 1][1]]):
                values = mentions[i + 1][3]
            if not values:
                continue
        for op, a, b, listed in values:
            allowed = _allowed(scale, op, a, b, listed)
            if section == "exclusion":
                allowed = [d for d in R.PERFORMANCE_DOMAIN[scale] if d not in allowed]
            if allowed:
                facets.append({"kind": "performance", "scale": scale, "allowed": allowed})
    return facets


# --- age ----------------------------------------------------------------------------------------------------------
_AGE_OPS = (
    r"(?:>=|<=|>|<|\bover\b|\babove\b|\bunder\b|\bbelow\b|\bolder\s+than\b|\byounger\s+than\b|\bgreater\s+than\b|"
    r"\bmore\s+than\b|\bless\s+than\b|\bat\s+least\b|\bno\s+more\s+than\b|\bnot\s+more\s+than\b|\bnot\s+older\s+than\b|"
    r"\bup\s+to\b|\bminimum(?:\s+of)?\b|\bmaximum(?:\s+of)?\b)"
)
_AGE_MIN_WORDS = (">=", ">", "over", "above", "older", "greater", "more than", "at least", "minimum")
_AGE_WORD = r"\bage[ds]?\b(?:\s*(?:[:,]|\bof\b|\bis\b|\bwas\b|\brange\b|\bcompris\w*|\bmust\s+be\b|\bshould\s+be\b|\bbetween\b))*\s*"
_U = R.AGE_UNITS
_AGE_PATTERNS = [
    _c(r"(?P<a>\d{1,3})\s*(?:<=|<)\s*age\b\s*(?:(?:<=|<)\s*(?P<b>\d{1,3}))?"),
    _c(_AGE_WORD + r"(?:between\s+)?(?:>=?\s*)?(?P<a>\d{1,3})\s*(?:-|~|to|and)\s*(?:<=?\s*)?(?P<b>\d{1,3})(?:\s*(?P<unit>" + _U + "))?"),
    _c(_AGE_WORD + r"(?P<op1>" + _AGE_OPS + r")\s*(?P<a>\d{1,3})(?:\s*(?P<unit>" + _U + r"))?(?:\s*(?:and|,|but)\s*(?P<op2>"
       + _AGE_OPS + r")\s*(?P<b>\d{1,3}))?"),
    _c(_AGE_WORD + r"(?P<a>\d{1,3})\s*(?:\+|(?:" + _U + r"\s+)?(?:and|or)\s+(?:older|above|over|more))"),
    _c(r"(?:between\s+(?:>=?\s*)?(?P<ra>\d{1,3})\s*(?:-|~|to|and)\s*(?:<=?\s*)?(?P<rb>\d{1,3})\s*(?P<runit>" + _U + r")[\s-]*(?P<rof>of[\s-]*age\b|old\b)?)"
       r"|(?:(?P<op1>" + _AGE_OPS + r")\s*)?(?:between\s+)?(?P<a>\d{1,3})(?:\s*(?:-|~|to|and)\s*(?P<b>\d{1,3}))?\s*"
       r"(?P<unit>" + _U + r")[\s-]*(?P<of>of[\s-]*age\b|old\b)?"
       r"(?:\s*,?\s*(?P<tail>(?:(?:or|and)\s+(?:older|above|over|more|greater)|(?:or|and)\s+(?:younger|less|under|below))"
       r"(?!\s+(?:the\s+)?age\b|\s*\d)))?"),
    _c(r"(?P<op1>" + _AGE_OPS + r")\s+(?:the\s+)?age\s+of\s+(?P<a>\d{1,3})"),  # "over the age of 18"
]
_AGE_NOT_OURS_BEFORE = _c(R.AGE_NOT_OURS_BEFORE)
_AGE_NOT_OURS_AFTER = _c(R.AGE_NOT_OURS_AFTER)
_FORMULA = _c(R.FORMULA)


def _windows(anchors: list[int] | None, length: int, before: int, after: int) -> list[tuple[int, int]]:
    """Stretches of text around the words the prefilter found (all of it without anchors), merged."""
    if anchors is None:
        return [(0, length)]
    windows: list[list[int]] = []
    for at in anchors:
        if windows and at - before <= windows[-1][1]:
            windows[-1][1] = min(length, at + after)
        else:
            windows.append([max(0, at - before), min(length, at + after)])
    return [(left, right) for left, right in windows]


def _age_spans(
    text: str, section: str, has_performance: bool, anchors: list[int] | None = None
) -> list[tuple[int, int, int | None, int | None, str]]:
    if _FORMULA.search(text):
        return []
    spans: list[tuple[int, int, int | None, int | None, str]] = []
    taken: list[tuple[int, int]] = []
    windows = _windows(anchors, len(text), 50, 60)  # "between 18 and 65 years of age": the number comes first
    for index, pattern in enumerate(_AGE_PATTERNS):
        for m in (m for left, right in windows for m in pattern.finditer(text, left, right)):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            groups = m.groupdict()
            if groups.get("ra"):  # "between >30 and <80 years of age"
                groups.update(a=groups["ra"], b=groups["rb"], unit=groups["runit"], of=groups["rof"] or "between")
            if (
                index == 4
                and not (groups.get("of") or groups.get("tail"))
                and not (groups.get("op1") or "").lower().startswith(("older", "younger"))
                and not re.search(r"\baged?\s*$", text[max(0, m.start() - 8) : m.start()], _I)
            ):
                continue  # "within 5 years" is no age
            before = text[max(0, m.start() - 40) : m.start()]
            if _AGE_NOT_OURS_BEFORE.search(before) or _AGE_NOT_OURS_AFTER.search(text[m.end() : m.end() + 40]):
                continue
            if has_performance and text.rfind("(", 0, m.start()) > text.rfind(")", 0, m.start()):
                continue  # "ECOG 0 or 1 (age >= 16 years)": whom a value is for
            a = int(groups["a"])
            b = int(groups["b"]) if groups.get("b") else None
            unit = "months" if (groups.get("unit") or "").lower().startswith("month") else "years"
            low: int | None
            high: int | None
            if b is not None and not groups.get("op2"):
                low, high = a, b
            else:
                op1 = (groups.get("op1") or "").lower()
                tail = (groups.get("tail") or "").lower()
                if index == 0:
                    low, high = a, b
                elif index == 3 or any(op1.startswith(w) for w in _AGE_MIN_WORDS) or "older" in tail or "above" in tail or "over" in tail or "more" in tail or "greater" in tail:
                    low, high = a, None
                elif op1 or tail:
                    low, high = None, a
                else:
                    continue
                if groups.get("op2") and b is not None:
                    if any(groups["op2"].lower().startswith(w) for w in _AGE_MIN_WORDS):
                        low = b
                    else:
                        high = b
            if section == "exclusion":  # "Age < 18" excluded: 18 is the minimum
                low, high = high, low
            spans.append((m.start(), m.end(), low, high, unit))
            taken.append((m.start(), m.end()))
    spans.sort()
    return spans


def _ages(text: str, section: str, has_performance: bool) -> list[Facet]:
    return _ages_from(text, _age_spans(text, section, has_performance))


_SENTENCE_END = re.compile(r"[.;]\s")


def _ages_from(text: str, spans: list[tuple[int, int, int | None, int | None, str]]) -> list[Facet]:
    """Age facets from the bounds found; a lone minimum and a lone maximum next to it are one range."""
    merged: list[list] = []
    for start, end, low, high, unit in spans:
        if merged and merged[-1][2] == unit and not _SENTENCE_END.search(text, merged[-1][3], start) and (
            (merged[-1][1] is None and low is None and merged[-1][0] is not None)
            or (merged[-1][0] is None and high is None and merged[-1][1] is not None)
        ):
            merged[-1][0] = merged[-1][0] if merged[-1][0] is not None else low
            merged[-1][1] = merged[-1][1] if merged[-1][1] is not None else high
            continue
        merged.append([low, high, unit, end])
    return [{"kind": "age", "min": low, "max": high, "unit": unit} for low, high, unit, _end in merged]


# --- sex --------------------------------------------------------------------------------------------------------------
_SEX_ALL = _c(R.SEX_ALL)
_SEX_MALE = _c(R.SEX_MALE)
_SEX_FEMALE = _c(R.SEX_FEMALE)
_SEX_NOT_OURS_AFTER = _c(R.SEX_NOT_OURS_AFTER)


def _sex(text: str, section: str, age_spans: list[tuple[int, int]], kinds: set[str]) -> list[Facet]:
    if any(k in kinds for k in R.SEX_SCOPED_KINDS) or _FORMULA.search(text):
        return []
    if section == "exclusion" and len(text.split()) > 4:
        return []  # only a bare "Women" excludes a sex
    if _SEX_ALL.search(text):
        return [{"kind": "sex"}]
    lead = len(text) - len(text.lstrip())

    def ours(m: re.Match) -> bool:
        if _SEX_NOT_OURS_AFTER.match(text, m.end()):
            return False
        near_age = any(s - 30 <= m.start() <= e + 30 for s, e in age_spans)
        return m.start() - lead <= 40 or near_age

    male = any(ours(m) for m in _SEX_MALE.finditer(text))
    female = any(ours(m) for m in _SEX_FEMALE.finditer(text))
    if male and female:
        return [{"kind": "sex"}]
    if not (male or female):
        return []
    value = "MALE" if male else "FEMALE"
    if section == "exclusion":
        value = "FEMALE" if value == "MALE" else "MALE"
    return [{"kind": "sex", "value": value}]


# --- life expectancy -----------------------------------------------------------------------------------------------------
_LIFE = _c(R.LIFE_MENTION)
_LIFE_NOT_OURS = _c(R.LIFE_NOT_OURS_BEFORE)
_LIFE_FILLER = _c(R.LIFE_FILLER)
_LIFE_VALUE = _c(r"(?:" + _OP + r"\s*)?" + _NUM + r"\s*(?P<unit>days?|weeks?|months?|years?|yrs)\b(?P<tail>\s+or\s+(?:more|longer))?")
_LIFE_OP_BEFORE = _c(r"(?:minimum|at\s+least)\s+(?:\w+\s+)?$")
_LIFE_VALUE_BEFORE = _c(
    r"(?:" + _OP + r"\s*)" + _NUM + r"\s*(?P<unit>days?|weeks?|months?|years?|yrs)\s+(?:of\s+)?(?:(?:estimated|expected)\s+)?$"
)


def _life(text: str, section: str) -> list[Facet]:
    facets = []
    for m in _LIFE.finditer(text):
        if _LIFE_NOT_OURS.search(text[max(0, m.start() - 25) : m.start()]):
            continue
        pos = _LIFE_FILLER.match(text, m.end()).end()
        value = _LIFE_VALUE.match(text, pos) or _LIFE_VALUE_BEFORE.search(text[max(0, m.start() - 40) : m.start()])
        if not value:
            continue
        number = _number(value.group("num"))
        if number is None:
            continue
        if value.group("op"):
            op = _op(value.group("op"))
        elif value.group("tail") or _LIFE_OP_BEFORE.search(text[max(0, m.start() - 20) : m.start()]):
            op = ">="
        else:
            op = "<" if section == "exclusion" else ">="
        unit = R.TIME_UNITS[value.group("unit").lower()]
        facets.append({"kind": "life_expectancy", "op": op, "value": _tidy(number), "unit": unit})
    return facets


# --- washout ---------------------------------------------------------------------------------------------------------------
_W_BEFORE = _c(R.WASHOUT_BEFORE)
_W_AFTER = _c(R.WASHOUT_AFTER)
_W_NOT_AFTER = _c(R.WASHOUT_NOT_AFTER)
_W_OF = [(name, words, _c(pattern)) for name, words, pattern in R.WASHOUT_OF]
_W_NOT_BEFORE_TERM = _c(R.WASHOUT_NOT_BEFORE_TERM)


_UNIT_WORD = re.compile(r"\b(?:day|week|month)s?\b", _I)
_NUMBER_BEFORE = _c(r"(?P<n>\b\d{1,3}|\b(?:one|two|three|four|six|eight|twelve))\s*(?:\(\d+\)\s*)?(?:calendar\s+)?$")


def _washouts(text: str, section: str, anchors: list[int] | None = None) -> list[Facet]:
    durations = []
    units = _UNIT_WORD.finditer(text) if anchors is None else filter(None, (_UNIT_WORD.match(text, a) for a in anchors))
    for unit_word in units:
        number = _NUMBER_BEFORE.search(text, max(0, unit_word.start() - 16), unit_word.start())
        if not number:
            continue
        start, end = number.start(), unit_word.end()
        before = text[max(0, start - 30) : start]
        after = text[end : end + 40]
        if _W_NOT_AFTER.match(after):
            continue
        if _W_BEFORE.search(before) or _W_AFTER.match(after):
            value = _number(number.group("n"))
            if value is not None:
                unit = R.TIME_UNITS[unit_word.group(0).lower().rstrip("s") + "s"]
                durations.append((start, end, _tidy(value), unit))
    if not durations:
        return []
    facets = []
    clauses = sorted({_clause_bounds(text, d[0], d[1]) for d in durations})
    for left, right in clauses:  # what was stopped is named in the clause of its duration
        near = [d for d in durations if left <= d[0] and d[1] <= right]
        clause = text[left:right].lower()
        terms = []
        for name, words, pattern in _W_OF:
            if any(w in clause for w in words):
                terms += [(m.start(), m.end(), name) for m in pattern.finditer(text, left, right)]
        taken = -1
        for start, end, name in sorted(terms):
            if start < taken:
                continue  # "radiation therapy" is one term, not radiotherapy and therapy
            taken = end
            if _W_NOT_BEFORE_TERM.search(text[max(0, start - 25) : start]):
                continue
            _start, _end, value, unit = min(near, key=lambda d: abs(d[0] - start))
            facet = {"kind": "washout", "value": value, "unit": unit, "of": name}
            if facet not in facets:
                facets.append(facet)
    return facets


# --- prior lines ---------------------------------------------------------------------------------------------------------------
_LINES = _c(R.LINES_COUNT)
_LINES_ONE_PRIOR = _c(R.LINES_ONE_PRIOR)
_LINES_NONE_OR_ONE = _c(R.LINES_NONE_OR_ONE)
_LINES_FIRST_RECEIVED = _c(R.LINES_FIRST_RECEIVED)
_LINES_FIRST_ONLY = _c(R.LINES_FIRST_ONLY)
_LINES_OP = {"at least": ">=", "no more than": "<=", "not more than": "<=", "at most": "<=", "up to": "<=",
             "maximum of": "<=", "a maximum of": "<=", "more than": ">", "fewer than": "<", "less than": "<",
             ">=": ">=", "<=": "<=", ">": ">", "<": "<"}


def _prior_lines(text: str, section: str) -> list[Facet]:
    def facet(op: str, n: float) -> Facet:
        return {"kind": "prior_lines", "op": op, "value": _tidy(n)}

    if _LINES_NONE_OR_ONE.search(text):
        return [facet("<=", 1)]
    facets = []
    for m in _LINES.finditer(text):
        n = _number(m.group("n"))
        if n is None:
            continue
        if m.group("n2"):
            n2 = _number(m.group("n2"))
            facets += [facet(">=", n), facet("<=", n2)]
            continue
        op_word = re.sub(r"\s+", " ", (m.group("op") or "").lower()).strip()
        tail = (m.group("tail") or "").lower()
        op = _LINES_OP.get(op_word) or (">=" if "more" in tail else "<=" if tail else R.LINES_NO_OP_MEANS)
        facets.append(facet(op, n))
    for m in _LINES_ONE_PRIOR.finditer(text):
        facets.append(facet(">=", _number(m.group("n"))))
    if not facets:
        if _LINES_FIRST_RECEIVED.search(text):
            facets.append(facet(">=", 1))
        elif _LINES_FIRST_ONLY.search(text):
            facets.append(facet("=", 0))
    return list({tuple(f.items()): f for f in facets}.values())


# --- brain metastases -------------------------------------------------------------------------------------------------------------
_BRAIN = _c(R.BRAIN_MENTION)
_BRAIN_NOT_OURS = _c(R.BRAIN_NOT_OURS_BEFORE)
_BRAIN_ACTIVE = _c(R.BRAIN_ACTIVE)
_BRAIN_STABLE = _c(R.BRAIN_STABLE)
_BRAIN_EXCEPT = _c(R.BRAIN_EXCEPT)
_BRAIN_NEGATED = _c(R.BRAIN_NEGATED)
_BRAIN_FORBIDDEN = _c(R.BRAIN_FORBIDDEN)


def _brain(text: str, section: str) -> list[Facet]:
    mentions = [m for m in _BRAIN.finditer(text) if not _BRAIN_NOT_OURS.search(text[max(0, m.start() - 40) : m.start()])]
    if not mentions:
        return []
    active_before = any(_BRAIN_ACTIVE.search(text[max(0, m.start() - 30) : m.start()]) for m in mentions)
    excluding = section == "exclusion" or bool(_BRAIN_FORBIDDEN.search(text))
    if excluding:
        if (_BRAIN_EXCEPT.search(text) and _BRAIN_STABLE.search(text)) or active_before:
            stance = "allowed_if_stable"
        else:
            stance = "excluded"
    elif _BRAIN_STABLE.search(text) or active_before:
        stance = "allowed_if_stable"
    elif any(_BRAIN_NEGATED.search(text[max(0, m.start() - 40) : m.start()]) for m in mentions):
        stance = "excluded"
    else:
        stance = "required"
    return [{"kind": "brain_metastases", "stance": stance}]


# --- biomarkers --------------------------------------------------------------------------------------------------------------------------
_GENE = re.compile("|".join(f"(?P<g{i}>(?<![A-Za-z0-9-])(?:{p})(?![a-z0-9]))" for i, (_, p) in enumerate(R.GENES)))
_GENE_NAMES = [name for name, _ in R.GENES]
_GENE_DRUG_BEFORE = _c(R.GENE_DRUG_BEFORE)
_GENE_DRUG_AFTER = _c(R.GENE_DRUG_AFTER)
_VARIANT = re.compile(R.VARIANT)
_VARIANT_DRUG_BEFORE = _c(R.VARIANT_DRUG_BEFORE)
_EXONS = [(_c(p), template) for p, template in R.EXON_STATUS]
_GENERIC = [(_c(p), status) for p, status in R.GENERIC_STATUS]
_PDL1_SCORE = re.compile(R.PDL1_SCORE)
_PDL1_PERCENT = re.compile(R.PDL1_PERCENT)
_TESTING_ONLY = _c(R.TESTING_ONLY)
_TEST_RESULT = _c(R.TEST_RESULT)
_GENE_LINK = _c(r"^(?:[\s,/()]|\band/or\b|\band\b|\bor\b|&)*$")
_STATUS_STOP = re.compile(r";|\.\s|\.$")


def _biomarkers(text: str, section: str) -> list[Facet]:
    if _TESTING_ONLY.search(text) and not _TEST_RESULT.search(text):
        return []
    genes = []
    for m in _GENE.finditer(text):
        if _GENE_DRUG_BEFORE.search(text[max(0, m.start() - 45) : m.start()]) or _GENE_DRUG_AFTER.match(text, m.end()):
            continue
        genes.append((m.start(), m.end(), _GENE_NAMES[int(m.lastgroup[1:])]))
    specific: list[tuple[int, str, str]] = []  # (position, gene, status)
    for m in _VARIANT.finditer(text):
        variant = m.group("v")
        if variant in R.VARIANT_GENE and not _VARIANT_DRUG_BEFORE.search(text[max(0, m.start() - 25) : m.start()]):
            specific.append((m.start(), R.VARIANT_GENE[variant], variant))
    for pattern, template in _EXONS:
        for m in pattern.finditer(text):
            number = m.group("n") or (m.groupdict().get("n2") or m.groupdict().get("n3"))
            status = template.format(n=number)
            if genes:
                near = min(genes, key=lambda g: abs(g[0] - m.start()))
                targets = [near[2]]
                # "EGFR or HER2 exon 20 insertion": every gene of the list just before
                for i in range(genes.index(near), 0, -1):
                    if _GENE_LINK.match(text[genes[i - 1][1] : genes[i][0]]):
                        targets.append(genes[i - 1][2])
                    else:
                        break
                specific += [(m.start(), gene, status) for gene in targets]
            elif "exon" in status and ("19" in status or "21" in status):
                specific.append((m.start(), "EGFR", status))
    has_specific = {gene for _, gene, _ in specific}
    facets = [(pos, gene, status) for pos, gene, status in specific]
    # generic statuses: the words after a list of genes ("EGFR, ALK and ROS1 ... all negative")
    i = 0
    while i < len(genes):
        j = i
        while j + 1 < len(genes) and _GENE_LINK.match(text[genes[j][1] : genes[j + 1][0]]):
            j += 1
        group = genes[i : j + 1]
        window_end = genes[j + 1][0] if j + 1 < len(genes) else len(text)
        stop = _STATUS_STOP.search(text, group[-1][1], window_end)
        window = text[group[-1][1] : stop.start() if stop else window_end][:90]
        status = None
        if any(g[2] == "PD-L1" for g in group):
            score = _PDL1_SCORE.search(window)
            percent = _PDL1_PERCENT.search(window)
            if score:
                status = f"{score.group('score')}{score.group('op')}{score.group('n')}%"
            elif percent:
                status = f"{percent.group('op')}{percent.group('n')}%"
        if status is None:
            found = [(m.start(), s) for p, s in _GENERIC for m in [p.search(window)] if m]
            status = min(found)[1] if found else None
        if status:
            for start, _end, gene in group:
                if gene not in has_specific:
                    facets.append((start, gene, status))
        i = j + 1
    seen = []
    for _pos, gene, status in sorted(facets):
        facet = {"kind": "biomarker", "gene": gene, "status": status}
        if facet not in seen:
            seen.append(facet)
    return seen


# --- bare kinds ------------------------------------------------------------------------------------------------------------------------------
_BARE = {
    kind: (triggers, _c(pattern), _c(before) if before else None, _c(after) if after else None)
    for kind, (triggers, pattern, before, after) in R.BARE_KINDS.items()
}
_OTHER_MALIGNANCY_EXCLUSION = _c(R.OTHER_MALIGNANCY_EXCLUSION)
_PRIOR_THERAPY_NOT = _c(R.PRIOR_THERAPY_NOT)
_PARTNER_SUBJECT = _c(R.PARTNER_SUBJECT)


def _bare(kind: str, text: str, section: str) -> bool:
    _triggers, pattern, before, after = _BARE[kind]
    candidates = list(pattern.finditer(text))
    if kind == "other_malignancy" and section == "exclusion":
        candidates += list(_OTHER_MALIGNANCY_EXCLUSION.finditer(text))
    for m in candidates:
        if kind == "prior_therapy" and _PRIOR_THERAPY_NOT.search(m.group(0)):
            continue
        if before and before.search(text[max(0, m.start() - 100) : m.start()]):
            continue
        if after and after.search(text[m.end() : m.end() + 40]):
            continue
        return True
    return False


# --- the prefilter ----------------------------------------------------------------------------------------------
def _trie(stems: list[tuple[str, bool]]) -> str:
    """One regex for many stems, shared beginnings factored out ("pregn|prior" -> "pr(?:egn|ior)"), so a
    scan tries a character once per word instead of once per stem; whole-word stems end in \\b."""
    root: dict = {}
    for stem, whole in stems:
        node = root
        for ch in stem:
            node = node.setdefault(ch, {})
        node.setdefault("", set()).add(whole)

    def build(node: dict) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        ends = node.get("", set())
        if True in ends:
            branches.append(r"\b")
        if False in ends:
            branches.append("")
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return build(root)


# a stem tags its kinds; an analyte's stems tag "lab" and the analyte itself
_TAGS: dict[str, tuple[str, ...]] = {kind: (kind,) for kind in R.KIND_STEMS}
_TAGS.update({analyte: ("lab", analyte) for analyte in R.ANALYTE_STEMS})
_STEM_KINDS: dict[str, set[str]] = {}
for _tag, _stems in [*R.KIND_STEMS.items(), *R.ANALYTE_STEMS.items()]:
    for _stem in _stems:
        _STEM_KINDS.setdefault(_stem.rstrip("="), set()).update(_TAGS[_tag])
_STEMS = re.compile(
    r"\b(?:"
    + _trie(
        sorted({(s.rstrip("="), s.endswith("=") or len(s) == 2) for _, stems in [*R.KIND_STEMS.items(),
                *R.ANALYTE_STEMS.items()] for s in stems})
    )
    + ")"
)


def _possible_kinds(low: str) -> dict[str, list[int]]:
    """The kinds (and analytes) whose stems begin a word of the (lower-cased) text, each with where its
    words start: one scan of one regex."""
    kinds: dict[str, list[int]] = {}
    for m in _STEMS.finditer(low):
        for kind in _STEM_KINDS[m.group(0)]:
            kinds.setdefault(kind, []).append(m.start())
    return kinds


# --- the engine ------------------------------------------------------------------------------------------------------------------------------------
_DIGIT = re.compile(r"\d")


def extract_facets(text: str, section: str = "unsectioned") -> list[Facet]:
    """The facets of one criterion. `section` is "inclusion", "exclusion" or "unsectioned"."""
    if not text or not text.strip():
        return []
    # registries repeat boilerplate criteria ("Signed informed consent") across thousands of trials
    return [{k: list(v) if isinstance(v, list) else v for k, v in facet.items()} for facet in _extract_cached(text, section)]


@functools.lru_cache(maxsize=16384)
def _extract_cached(text: str, section: str) -> tuple[Facet, ...]:
    return tuple(_extract(text, section))


def _extract(text: str, section: str) -> list[Facet]:
    norm = normalise(text)
    low = norm.lower()
    possible = _possible_kinds(low)
    if any(c in norm for c in R.BIOMARKER_CAPITALS):
        possible["biomarker"] = []
    if not possible:
        return []
    has_digit = _DIGIT.search(norm) is not None
    facets: list[Facet] = []
    kinds: set[str] = set()

    def add(found: list[Facet]) -> None:
        for facet in found:
            if facet not in facets:
                facets.append(facet)
                kinds.add(facet["kind"])

    partner_subject = "partner" in low and _PARTNER_SUBJECT.search(norm) is not None
    for kind in _BARE:
        if kind not in possible or kind == "prior_therapy" or (partner_subject and kind in R.PARTNER_SCOPED_KINDS):
            continue
        if _bare(kind, norm, section):
            add([{"kind": kind}])
    has_performance = False
    age_spans: list[tuple[int, int]] = []
    if has_digit:
        if "performance" in possible:
            found = _performance(norm, section)
            has_performance = bool(found) or "(" in norm
            add(found)
        if "lab" in possible:
            add(_labs(norm, section, possible))
        if "age" in possible:
            spans = _age_spans(norm, section, has_performance, possible["age"])
            if spans:
                age_spans = [(s, e) for s, e, *_ in spans]
                add(_ages_from(norm, spans))
    if "life_expectancy" in possible:
        add(_life(norm, section))
    if "washout" in possible and any(t in low for t in R.WASHOUT_TRIGGERS):
        add(_washouts(norm, section, possible["washout"]))
    if "sex" in possible:
        add(_sex(norm, section, age_spans, kinds))
    if "prior_lines" in possible or ("at least" in low and "prior" in low):
        add(_prior_lines(norm, section))
    if "brain_metastases" in possible:
        add(_brain(norm, section))
    if "biomarker" in possible:
        add(_biomarkers(norm, section))
    if (
        "prior_therapy" in possible
        and not any(k in kinds for k in R.PRIOR_THERAPY_SUPERSEDED_BY)
        and _bare("prior_therapy", norm, section)
    ):
        add([{"kind": "prior_therapy"}])
    return facets
