"""reading.compiled: a rule's pattern led by a lookahead on its possible first characters finds exactly
what the plain pattern finds (the speed-up must never change a facet)."""

from __future__ import annotations

import re

import pytest

from reviewer.core.facets import rules as R
from reviewer.core.facets.reading import compiled

TEXTS = [
    "Patients with known active Hepatitis B (HBsAg positive) or TB; HIV-positive subjects are excluded.",
    "ECOG 0-2, Karnofsky ≥ 70%; ANC ≥ 1.5 × 10^9/L, platelets ≥ 100,000/mm3, Hb > 9 g/dL",
    "No prior chemotherapy, radiotherapy or EGFR-TKI within 4 weeks; life expectancy >= 12 weeks",
    "ﬁrst-line therapy (ﬀ ligatures), İstanbul ſ Kelvin K, ٣ Arabic-Indic digit, 18 ≤ age ≤ 75",
    "",
]


@pytest.mark.parametrize(
    ("pattern", "flags"),
    [
        (r"\bhiv\b|(?-i:\bTB\b)|covid", re.IGNORECASE),
        (r"(?:foo)?bar|\d+\s*years?", re.IGNORECASE),
        (r"(?P<a>\d{1,3})\s*(?:<=|<)\s*age\b", re.IGNORECASE),
        (r"(?i:first)-line", 0),  # (?i:) in a case-sensitive pattern: no lookahead
        (r"\w+\s+therapy", re.IGNORECASE),  # starts with any word character
        (r"a*b|c", re.IGNORECASE),
        (r"x?", re.IGNORECASE),  # can match empty: as it is
        (r"[^a]b", 0),
        (r"(?<!anti)platelets?|\bstan", re.IGNORECASE),
        (r"k|s|i", re.IGNORECASE),  # case folding beyond ASCII (Kelvin sign, long s, dotted I)
        *((pattern, re.IGNORECASE) for pattern in (p for _, p in R.ANALYTES)),
        *((pattern, re.IGNORECASE) for _, pattern, _, _ in R.BARE_KINDS.values()),
    ],
)
def test_the_lookahead_finds_what_the_plain_pattern_finds(pattern, flags):
    plain, led = re.compile(pattern, flags), compiled(pattern, flags)
    for text in TEXTS:
        assert [m.span() for m in led.finditer(text)] == [m.span() for m in plain.finditer(text)]
        for at in range(len(text) + 1):
            a, b = plain.match(text, at), led.match(text, at)
            assert (a and a.span()) == (b and b.span())


def test_known_first_characters_lead_the_pattern():
    assert compiled(r"\bhiv\b|\binfect").pattern.startswith(r"\b(?=[hi])")  # every alternative starts a word
    assert compiled(r"\bhiv\b|infect").pattern.startswith(r"(?=[hi])")
    assert compiled(r"\d+\s*days").pattern.startswith(r"(?=[\d])")
    assert compiled(r"x?").pattern == r"x?"
    assert compiled(r"\w+x").pattern == r"\w+x"  # a class: the lookahead would only cost
