"""Washout periods (how long before the study a therapy must have stopped) and prior lines of therapy."""

from __future__ import annotations

import re

from . import rules as R
from .prefilter import trie
from .reading import Facet, clause_bounds, compiled, compiled_rules, number, tidy

_I = re.IGNORECASE


# --- washout ---------------------------------------------------------------------------------------------------------------
_WASHOUT = compiled_rules(
    before=R.WASHOUT_BEFORE, after=R.WASHOUT_AFTER, not_after=R.WASHOUT_NOT_AFTER, not_before=R.WASHOUT_NOT_BEFORE,
    not_before_term=R.WASHOUT_NOT_BEFORE_TERM,
    lists_therapy=r"(?:therap\w*|treatments?|agents?|drugs?|medications?)(?:\s+\w+){0,3}\s*$",
)  # fmt: skip
_W_OF = [(name, compiled(pattern)) for name, _words, pattern in R.WASHOUT_OF]
# the words that name a therapy, one scan of a clause: which of _W_OF can match there
_W_WORD_OF = {word: i for i, (_name, words, _pattern) in enumerate(R.WASHOUT_OF) for word in words}
_W_WORDS = compiled(trie([(word, False) for word in sorted(_W_WORD_OF)]), 0)


_UNIT_WORD = compiled(r"\b(?:day|week|month)s?\b")
_NUMBER_BEFORE = compiled(r"(?P<n>\b\d{1,3}|\b(?:one|two|three|four|six|eight|twelve))\s*(?:\(\d+\)\s*)?(?:calendar\s+)?$")


def _aside(text: str, left: int, pos: int) -> tuple[int, int] | None:
    """The parentheses around text[pos] (within the clause starting at `left`), or None."""
    opening = text.rfind("(", left, pos)
    if opening < 0 or text.rfind(")", opening, pos) >= 0:
        return None
    closing = text.find(")", pos)
    return (opening, closing if closing >= 0 else len(text))


def washout_facets(text: str, section: str, anchors: list[int] | None = None) -> list[Facet]:
    if not _W_WORDS.search(text.lower()):
        return []  # a washout names what was stopped: no therapy word, no washout
    durations = []
    units = _UNIT_WORD.finditer(text) if anchors is None else filter(None, (_UNIT_WORD.match(text, a) for a in anchors))
    for unit_word in units:
        count = _NUMBER_BEFORE.search(text, max(0, unit_word.start() - 16), unit_word.start())
        if not count:
            continue
        start, end = count.start(), unit_word.end()
        before = text[max(0, start - 30) : start]
        after = text[end : end + 40]
        if _WASHOUT.not_after.match(after) or _WASHOUT.not_before.search(before):
            continue
        if _WASHOUT.before.search(before) or _WASHOUT.after.match(after):
            value = number(count.group("n"))
            if value is not None:
                unit = R.TIME_UNITS[unit_word.group(0).lower().rstrip("s") + "s"]
                durations.append((start, end, tidy(value), unit))
    if not durations:
        return []
    facets = []
    clauses = sorted({clause_bounds(text, d[0], d[1]) for d in durations})
    for left, right in clauses:  # what was stopped is named in the clause of its duration
        near = [d for d in durations if left <= d[0] and d[1] <= right]
        clause = text[left:right].lower()
        terms = []
        for i in sorted({_W_WORD_OF[m.group(0)] for m in _W_WORDS.finditer(clause)}):
            name, pattern = _W_OF[i]
            terms += [(m.start(), m.end(), name) for m in pattern.finditer(text, left, right)]
        taken = -1
        kept = []
        for start, end, name in sorted(terms):
            if start < taken:
                continue  # "radiation therapy" is one term, not radiotherapy and therapy
            taken = end
            if not _WASHOUT.not_before_term.search(text[max(0, start - 25) : start]):
                kept.append((start, _aside(text, left, start), name))
        # a term in parentheses without a duration of its own is an aside ("(... menstruation following
        # chemotherapy)"), unless the parentheses list what a therapy named before them was ("prior
        # therapy (chemotherapy, radiotherapy)")
        kept = [
            k
            for k in kept
            if k[1] is None
            or any(k[1][0] <= d[0] < k[1][1] for d in near)
            or _WASHOUT.lists_therapy.search(text, left, k[1][0])
        ]
        for start, _aside_span, name in kept:
            _start, _end, value, unit = min(near, key=lambda d: abs(d[0] - start))
            facet = {"kind": "washout", "value": value, "unit": unit, "of": name}
            if facet not in facets:
                facets.append(facet)
    return facets


# --- prior lines ---------------------------------------------------------------------------------------------------------------
_LINES = compiled_rules(
    count=R.LINES_COUNT, one_prior=R.LINES_ONE_PRIOR, none_or_one=R.LINES_NONE_OR_ONE,
    first_received=R.LINES_FIRST_RECEIVED, first_only=R.LINES_FIRST_ONLY,
)  # fmt: skip
_LINES_OP = {"at least": ">=", "no more than": "<=", "not more than": "<=", "at most": "<=", "up to": "<=",
             "maximum of": "<=", "a maximum of": "<=", "more than": ">", "fewer than": "<", "less than": "<",
             ">=": ">=", "<=": "<=", ">": ">", "<": "<"}


def prior_line_facets(text: str, section: str) -> list[Facet]:
    def facet(op: str, n: float) -> Facet:
        return {"kind": "prior_lines", "op": op, "value": tidy(n)}

    # each pattern names its words ("lines", "regimens", "prior"): a search only where they occur
    low = text.lower()
    lines = "line" in low
    prior = "prior" in low or "previous" in low
    if "prior" in low and _LINES.none_or_one.search(text):
        return [facet("<=", 1)]
    facets = []
    for m in _LINES.count.finditer(text) if lines or "regimen" in low else ():
        n = number(m.group("n"))
        if n is None:
            continue
        if m.group("n2"):
            n2 = number(m.group("n2"))
            facets += [facet(">=", n), facet("<=", n2)]
            continue
        op_word = re.sub(r"\s+", " ", (m.group("op") or "").lower()).strip()
        tail = (m.group("tail") or "").lower()
        op = _LINES_OP.get(op_word) or (">=" if "more" in tail else "<=" if tail else R.LINES_NO_OP_MEANS)
        facets.append(facet(op, n))
    for m in _LINES.one_prior.finditer(text) if prior else ():
        facets.append(facet(">=", number(m.group("n"))))
    if not facets and lines:
        if _LINES.first_received.search(text):
            facets.append(facet(">=", 1))
        elif _LINES.first_only.search(text):
            facets.append(facet("=", 0))
    return list({tuple(f.items()): f for f in facets}.values())
