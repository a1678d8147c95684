"""Age bounds and sex: who is eligible (an exclusion "Age < 18" gives min 18; a bare exclusion "Women"
gives MALE); a partner's age or sex is not the participant's."""

from __future__ import annotations

import re

from . import rules as R
from .reading import Facet, compiled, windows

_I = re.IGNORECASE


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
    compiled(r"(?P<a>\d{1,3})\s*(?:<=|<)\s*age\b\s*(?:(?:<=|<)\s*(?P<b>\d{1,3}))?"),
    compiled(_AGE_WORD + r"(?:between\s+)?(?:>=?\s*)?(?P<a>\d{1,3})\s*(?:-|~|to|and)\s*(?:<=?\s*)?(?P<b>\d{1,3})(?:\s*(?P<unit>" + _U + "))?"),
    compiled(_AGE_WORD + r"(?P<op1>" + _AGE_OPS + r")\s*(?P<a>\d{1,3})(?:\s*(?P<unit>" + _U + r"))?(?:\s*(?:and|,|but)\s*(?P<op2>"
       + _AGE_OPS + r")\s*(?P<b>\d{1,3}))?"),
    compiled(_AGE_WORD + r"(?P<a>\d{1,3})\s*(?:\+|(?:" + _U + r"\s+)?(?:and|or)\s+(?:older|above|over|more))"),
    compiled(r"(?:between\s+(?:>=?\s*)?(?P<ra>\d{1,3})\s*(?:-|~|to|and)\s*(?:<=?\s*)?(?P<rb>\d{1,3})\s*(?P<runit>" + _U + r")[\s-]*(?P<rof>of[\s-]*age\b|old\b)?)"
       r"|(?:(?P<op1>" + _AGE_OPS + r")\s*)?(?:between\s+)?(?P<a>\d{1,3})(?:\s*(?:-|~|to|and)\s*(?P<b>\d{1,3}))?\s*"
       r"(?P<unit>" + _U + r")[\s-]*(?P<of>of[\s-]*age\b|old\b)?"
       r"(?:\s*,?\s*(?P<tail>(?:(?:or|and)\s+(?:older|above|over|more|greater)|(?:or|and)\s+(?:younger|less|under|below))"
       r"(?!\s+(?:the\s+)?age\b|\s*\d)))?"),
    compiled(r"(?P<op1>" + _AGE_OPS + r")\s+(?:the\s+)?age\s+of\s+(?P<a>\d{1,3})"),  # "over the age of 18"
]
_AGE_NOT_OURS_BEFORE = compiled(R.AGE_NOT_OURS_BEFORE)
_AGE_NOT_OURS_AFTER = compiled(R.AGE_NOT_OURS_AFTER)
FORMULA = compiled(R.FORMULA)




def age_spans(
    text: str, section: str, has_performance: bool, anchors: list[int] | None = None
) -> list[tuple[int, int, int | None, int | None, str]]:
    if FORMULA.search(text):
        return []
    spans: list[tuple[int, int, int | None, int | None, str]] = []
    taken: list[tuple[int, int]] = []
    stretches = windows(anchors, len(text), 50, 60)  # "between 18 and 65 years of age": the number comes first
    for index, pattern in enumerate(_AGE_PATTERNS):
        for m in (m for left, right in stretches for m in pattern.finditer(text, left, right)):
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




_SENTENCE_END = re.compile(r"[.;]\s")


def ages_from(text: str, spans: list[tuple[int, int, int | None, int | None, str]]) -> list[Facet]:
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
_SEX_ALL = compiled(R.SEX_ALL)
_SEX_MALE = compiled(R.SEX_MALE)
_SEX_FEMALE = compiled(R.SEX_FEMALE)
_SEX_NOT_OURS_AFTER = compiled(R.SEX_NOT_OURS_AFTER)


def sex_facets(text: str, section: str, age_spans: list[tuple[int, int]], kinds: set[str]) -> list[Facet]:
    if any(k in kinds for k in R.SEX_SCOPED_KINDS) or FORMULA.search(text):
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
