"""Performance status (ECOG, WHO, Karnofsky, Lansky) as the set of allowed scores."""

from __future__ import annotations

import re
from collections.abc import Callable

from . import rules as R
from .reading import Facet, compiled, operator

# --- performance status ------------------------------------------------------------------------------------------
_SCALE = compiled("|".join(f"(?P<s{i}>{p})" for i, (_, p) in enumerate(R.PERFORMANCE_SCALES)))
_SCALE_NAMES = [name for name, _ in R.PERFORMANCE_SCALES]
_PERF_FILLER = compiled(R.PERFORMANCE_FILLER)
_PERF_ASIDE = compiled(R.PERFORMANCE_ASIDE)
_PERF_OP = r"(?P<op><=|>=|<|>|=|equal\s+to|at\s+least|of\s+at\s+least|less\s+than|greater\s+than|more\s+than|no\s+more\s+than|not\s+more\s+than)?"
_PERF_VALUE = compiled(
    _PERF_OP + r"\s*(?P<a>\d{1,3})\s*%?"
    r"(?:\s*(?:-|to|~)\s*(?P<b>\d{1,3})\s*%?|(?P<list>(?:\s*(?:,\s*or|,|or|and|/)\s*\d{1,3}\b)+))?"
)
_PERF_MORE = compiled(r"\s*(?:\([^()]*\)\s*)?(?:,\s*)?or\s+(?P<op><=|>=|<|>)\s*(?P<a>\d{1,3})\s*%?")
_PERF_LINK = compiled(r"^(?:\s|[/,()]|\b(?:or|and|performance|status|score|scale|play)\b)*$")


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


def performance_facets(text: str, section: str) -> list[Facet]:
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
            op = operator(op) if op else None
            listed = [int(n) for n in re.findall(r"\d{1,3}", value.group("list") or "")]
            b = int(value.group("b")) if value.group("b") else None
            values.append((op, int(value.group("a")), b, listed))
            end = value.end()
            more = _PERF_MORE.match(masked, end)
            while more:  # ">= 70% (MAC) or >= 60% (RIC)"
                values.append((operator(more.group("op")), int(more.group("a")), None, []))
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
