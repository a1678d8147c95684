"""What every facet rule shares: the normalised text it reads, operators and numbers as written, clauses."""

from __future__ import annotations

import re
import re._constants as sre
import re._parser as sre_parse
from types import SimpleNamespace

from . import rules as R

_I = re.IGNORECASE
Facet = dict


def compiled(pattern: str, flags: int = _I) -> re.Pattern:
    """A rule's pattern, led by a lookahead on the characters a match can start with when those are
    known: ``(?=[hiv...])(?:...)``. The same matches; a search then skips the other positions of the
    text in one test instead of trying each alternative there (2-4x faster for the long alternations)."""
    try:
        starts = _first_characters(sre_parse.parse(pattern, flags).data, flags)
    except (re.error, RecursionError, AttributeError, TypeError, ValueError):  # the parser is re's own
        starts = None
    if not starts or _EMPTY in starts or starts & _BROAD:
        return re.compile(pattern, flags)  # nothing to skip by: as it is
    lead = "".join(sorted(_in_class(c) for c in starts))
    boundary = r"\b" if _at_word_start(sre_parse.parse(pattern, flags).data) else ""
    try:
        return re.compile(f"{boundary}(?=[{lead}])(?:{pattern})", flags)
    except re.error:  # a pattern that must come first (global flags): as it is
        return re.compile(pattern, flags)


def _at_word_start(items: list) -> bool:
    """True when every alternative of the parsed pattern starts with \\b (then so may the lookahead)."""
    if not items:
        return False
    op, av = items[0]
    if op is sre.AT:
        return av is sre.AT_BOUNDARY
    if op is sre.SUBPATTERN:
        return _at_word_start(av[3].data)
    if op is sre.BRANCH:
        return all(_at_word_start(branch.data) for branch in av[1])
    return False


_EMPTY = -1  # in a set of first characters: the pattern can match without consuming one
# character classes as written in a set ("\\d" stays a class: every digit \\d matches, not only 0-9)
_CATEGORIES = {
    sre.CATEGORY_DIGIT: r"\d",
    sre.CATEGORY_NOT_DIGIT: r"\D",
    sre.CATEGORY_SPACE: r"\s",
    sre.CATEGORY_NOT_SPACE: r"\S",
    sre.CATEGORY_WORD: r"\w",
    sre.CATEGORY_NOT_WORD: r"\W",
}

_BROAD = {r"\w", r"\W", r"\S", r"\D"}  # classes most characters are in: a lookahead would only cost


def _in_class(start: int | str) -> str:
    if isinstance(start, str):
        return start
    return f"\\U{start:08x}" if start > 0xFF else re.escape(chr(start))


def _first_characters(items: list, flags: int) -> set[int | str] | None:
    """The code points a match of the parsed ``items`` can start with (under the pattern's own case
    rule: the lookahead inherits the flags), _EMPTY if it can be empty, None when any character can."""
    found: set[int | str] = set()
    for op, av in items:
        if op is sre.LITERAL:
            return found | {av}
        if op is sre.IN:
            for kind, value in av:
                if kind is sre.LITERAL:
                    found.add(value)
                elif kind is sre.RANGE and value[1] - value[0] <= 256:
                    found.update(range(value[0], value[1] + 1))
                elif kind is sre.CATEGORY and value in _CATEGORIES:
                    found.add(_CATEGORIES[value])
                else:  # a negated set, a category (\w, \d), a wide range
                    return None
            return found
        if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            continue  # zero width: the next item consumes the first character
        if op is sre.SUBPATTERN:
            _group, add_flags, _del_flags, inner = av
            if add_flags & _I and not flags & _I:
                return None  # (?i:...) inside a case-sensitive pattern
            alternatives = [inner.data]
        elif op is sre.ATOMIC_GROUP:
            alternatives = [av.data]
        elif op is sre.BRANCH:
            alternatives = [branch.data for branch in av[1]]
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            alternatives = [av[2].data] + ([[]] if av[0] == 0 else [])
        else:  # any character, a back reference, ...
            return None
        may_be_empty = False
        for alternative in alternatives:
            starts = _first_characters(alternative, flags)
            if starts is None:
                return None
            may_be_empty = may_be_empty or _EMPTY in starts
            found |= starts - {_EMPTY}
        if not may_be_empty:
            return found
    return found | {_EMPTY}


def compiled_rules(**patterns: str) -> SimpleNamespace:
    """The patterns of one family of rules, compiled and named for what they test:
    ``_BRAIN = compiled_rules(stable=R.BRAIN_STABLE, ...)``, then ``_BRAIN.stable.search(text)``."""
    return SimpleNamespace(**{name: compiled(pattern) for name, pattern in patterns.items()})


def number(token: str) -> float | None:
    token = token.lower().replace(" ", "").replace("\u202f", "")
    if "," in token:  # "1,500" is a thousand and five hundred, "9,0" a decimal comma
        whole, _, part = token.rpartition(",")
        token = whole.replace(",", "") + ("." if len(part) < 3 else "") + part
    if token in R.NUMBER_WORDS:
        return R.NUMBER_WORDS[token]
    try:
        return float(token)
    except ValueError:
        return None


def tidy(value: float) -> int | float:
    """Numbers as numbers: 2.0 is written 2."""
    return int(value) if float(value).is_integer() else value


# --- normalisation ---------------------------------------------------------------------------------------
_ESCAPE = re.compile(r"\\([<>=~\[\]*_#.()+\-!|^])")
_SIGNS_AS_TEXT = {
    "≤": "<=",
    "⩽": "<=",
    "≦": "<=",
    "≥": ">=",
    "⩾": ">=",
    "≧": ">=",
    "＞": ">",
    "＜": "<",
    "（": "(",
    "）": ")",
    "；": ";",
    "，": ",",
    "：": ":",
    "−": "-",
    "–": "-",
    "—": "-",
    "\u00a0": " ",
    "\u3000": " ",
    "～": "~",
    "﹤": "<",
    "﹥": ">",
}
_SIGN = re.compile("[" + "".join(map(re.escape, _SIGNS_AS_TEXT)) + "]")
_COMPOUND = re.compile(r">\s*/\s*=|<\s*/\s*=|=\s*<|=\s*>|>\s+=|<\s+=")
_LEADING_NUMBER = re.compile(r"^\s*(?:\d{1,2}[.)](?!\d)\s*)+")
_RUN_TOGETHER_AGE = re.compile(r"^\s*\d\.(?=\d{2}\s*<)")


def _sign(match: re.Match) -> str:
    return _SIGNS_AS_TEXT[match.group(0)]


def _compound(match: re.Match) -> str:
    text = match.group(0)
    return ">=" if ">" in text else "<="


def normalise(text: str) -> str:
    """The text the rules read: escapes dropped, signs as ASCII ("≥" -> ">="), list numbering dropped."""
    # each step only when the text has what it changes: most criteria need none of them
    if "\\" in text:
        text = _ESCAPE.sub(r"\1", text)
    if not text.isascii():
        text = _SIGN.sub(_sign, text)
    if "/" in text or "=" in text:
        text = _COMPOUND.sub(_compound, text)
    if text.lstrip()[:1].isdigit():
        text = _RUN_TOGETHER_AGE.sub("", text)  # "1.18 <= age" (numbering run together) -> "18 <= age"
        text = _LEADING_NUMBER.sub("", text)
    return text


# --- shared pieces -----------------------------------------------------------------------------------------
_OP_KEYS = sorted(R.OPERATOR_WORDS, key=len, reverse=True)
OPERATOR = (
    "(?P<op>"
    + "|".join(
        re.escape(k) if not k[0].isalpha() else r"\b" + re.escape(k).replace(r"\ ", r"\s+") + r"\b"
        for k in _OP_KEYS
    )
    + ")"
)
NUMBER_WORDS = "|".join(sorted(R.NUMBER_WORDS, key=len, reverse=True))
# "1,500", "100 000/uL" (a space between thousands only before a unit), "1.5", "three"
NUMBER = (
    r"(?P<num>\d{1,3}(?:,\d{3})+(?!\d)|\d{1,3}(?:[ \u202f]\d{3})+(?=\s*(?:/|cells|per\b))|\d+,\d{1,2}(?![\d,])|\d+(?:\.\d+)?|\b(?:"
    + NUMBER_WORDS
    + r")\b)"
)


def operator(word: str) -> str:
    return R.OPERATOR_WORDS[re.sub(r"\s+", " ", word.lower())]


_CLAUSE_END = re.compile(r";|\.(?:\s|$)")


def clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause (between ';' or sentence ends) holding text[start:end]."""
    left = 0
    for m in _CLAUSE_END.finditer(text, 0, start):
        left = m.end()
    m = _CLAUSE_END.search(text, end)
    return left, (m.start() if m else len(text))


def windows(anchors: list[int] | None, length: int, before: int, after: int) -> list[tuple[int, int]]:
    """Stretches of text around the words the prefilter found (all of it without anchors), merged."""
    if anchors is None:
        return [(0, length)]
    merged: list[list[int]] = []
    for at in anchors:
        if merged and at - before <= merged[-1][1]:
            merged[-1][1] = min(length, at + after)
        else:
            merged.append([max(0, at - before), min(length, at + after)])
    return [(left, right) for left, right in merged]
