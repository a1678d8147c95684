"""Finding a note's text again in a new version of a trial, the way Hypothesis re-anchors annotations.

A note on part of an item keeps a quote selector (the W3C Web Annotation TextQuoteSelector: the exact
quote, a little text before it and after it) and where it was (its item's key and place, and the
offset in the item's text). In a new version, ``find`` looks for that quote among the items of the
same kind and weighs each place it could be: how much of the quote is there (by words, so a change of
punctuation, case or spacing does not count against it), whether the text before and after still
surrounds it, and how near it is to where it was. The weights follow the Hypothesis client's
(quote 50, prefix 20, suffix 20, position 2); a quote found with fewer than ``MIN_QUOTE_SCORE`` of its
words in order is not found: the note becomes an orphan that keeps its quote, rather than sit on an
item it was not written about.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

CONTEXT_CHARS = 32  # how much text before and after a quote its selector keeps (W3C convention)
MIN_QUOTE_SCORE = 0.75
QUOTE_WEIGHT, PREFIX_WEIGHT, SUFFIX_WEIGHT, POSITION_WEIGHT = 50, 20, 20, 2
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class QuoteSelector:
    exact: str
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True)
class Target:
    """An item a note can sit on: its key (as the note stores it) and its text."""

    key: str
    text: str


@dataclass(frozen=True)
class Found:
    key: str
    start: int  # offsets of the quote in the item's text
    end: int
    score: float  # 0 to 1, the weighted score
    how: str  # "unchanged" (same item, same text), "renumbered" (same text, another key), "reworded"


def selector_for(text: str, start: int, end: int) -> QuoteSelector:
    """The quote selector of text[start:end] within an item's text."""
    return QuoteSelector(text[start:end], text[max(0, start - CONTEXT_CHARS) : start], text[end : end + CONTEXT_CHARS])


def _words(text: str) -> list[tuple[str, int, int]]:
    return [(m.group().casefold(), m.start(), m.end()) for m in _WORD.finditer(text)]


def _context_score(expected: str, actual: str) -> float:
    if not expected.strip():
        return 1.0
    want = [w for w, _, _ in _words(expected)]
    got = [w for w, _, _ in _words(actual)]
    if not want:
        return 1.0
    return difflib.SequenceMatcher(a=want, b=got, autojunk=False).ratio()


def _best_span(quote: list[str], words: list[tuple[str, int, int]]) -> tuple[float, int, int] | None:
    """Where in an item the quote's words stand most completely, in order: (share of the quote's words
    found, first word's index, last word's index + 1)."""
    if not quote or not words:
        return None
    matcher = difflib.SequenceMatcher(a=quote, b=[w for w, _, _ in words], autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size]
    if not blocks:
        return None
    best: tuple[float, int, int] | None = None
    # the densest run of matching blocks: a quote is one stretch of text, not words scattered over an item
    for i in range(len(blocks)):
        matched = 0
        for j in range(i, len(blocks)):
            matched += blocks[j].size
            first, last = blocks[i].b, blocks[j].b + blocks[j].size
            span = last - first
            # words of the item inside the span that the quote does not have count against it
            score = matched / max(len(quote), span)
            if best is None or score > best[0]:
                best = (score, first, last)
    return best


def find(
    selector: QuoteSelector, old_key: str, old_place: int, targets: Sequence[Target], position: int | None = None
) -> Found | None:
    """The best place for the quote among ``targets`` (the new version's items of the note's kind, in
    reading order), or None when it is not there well enough (the note becomes an orphan).

    ``old_place`` is the item's place in the old version's reading order; ``position`` the quote's
    offset in the old item's text, when the note is on part of it."""
    quote = [w for w, _, _ in _words(selector.exact)]
    # the same text under the same key: nothing moved (the usual case, checked first and cheaply)
    for target in targets:
        if target.key == old_key:
            starts = _occurrences(target.text, selector.exact) if selector.exact else []
            if starts:
                start = min(starts, key=lambda s: abs(s - (position or 0)))
                return Found(target.key, start, start + len(selector.exact), 1.0, "unchanged")
            break
    if not quote:
        return None
    best: Found | None = None
    count = max(len(targets) - 1, 1)
    for place, target in enumerate(targets):
        words = _words(target.text)
        span = _best_span(quote, words)
        if span is None or span[0] < MIN_QUOTE_SCORE:
            continue
        quote_score, first, last = span
        start, end = words[first][1], words[last - 1][2]
        prefix = _context_score(selector.prefix, target.text[max(0, start - CONTEXT_CHARS) : start])
        suffix = _context_score(selector.suffix, target.text[end : end + CONTEXT_CHARS])
        nearness = 1 - abs(place - old_place) / count if len(targets) > 1 else 1.0
        score = (
            QUOTE_WEIGHT * quote_score + PREFIX_WEIGHT * prefix + SUFFIX_WEIGHT * suffix + POSITION_WEIGHT * nearness
        ) / (QUOTE_WEIGHT + PREFIX_WEIGHT + SUFFIX_WEIGHT + POSITION_WEIGHT)
        if target.text[start:end] != selector.exact:
            how = "reworded"
        else:
            how = "unchanged" if target.key == old_key else "renumbered"
        if best is None or score > best.score:
            best = Found(target.key, start, end, score, how)
    return best


def _occurrences(text: str, quote: str) -> list[int]:
    starts, at = [], text.find(quote)
    while at >= 0:
        starts.append(at)
        at = text.find(quote, at + 1)
    return starts
