"""The shapes of a comparison (Row, Comparison, KeyDifference) and what every section's rows are
built with: the text a row compares, content words and their overlap, clustering by that overlap,
and the text rule of ``differs`` for rows that carry no values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..items import ItemRef
from ..text import squash

SECTIONS = ("design", "arms", "inclusion", "exclusion", "outcomes")
SECTION_TITLES = {
    "design": "Design",
    "arms": "Arms",
    "inclusion": "Inclusion criteria",
    "exclusion": "Exclusion criteria",
    "outcomes": "Outcomes",
}
NOT_IN_SOURCE = "not in source"
NOT_STATED = "not stated"  # a facet row: the trial's criteria say nothing about the facet
NO_VALUE_READ = "no value read"  # a facet row: the trial speaks of it, but no value was read
EMPTY = "—"  # the source carries the part and it is empty
TEXT_SIMILARITY = 0.5  # Jaccard of content words for unmatched criteria and outcomes
DIFFERS_MARK = "≠"


@dataclass
class Row:
    concept: str | None  # the row's name: "Age", "Performance status (ECOG)"; None for unmatched rows
    cells: list[list[str]]  # one cell per trial, in trial order: the texts of its items on this row
    keys: list[list[ItemRef]]  # parallel to cells: the refs of those items
    differs: bool  # True when the trials do not require the same (see the package docstring)
    facet: str | None = None  # the profile's requirement key ("performance:ECOG") of a facet row
    # per trial, what it requires about the facet in words ("ECOG 0-2", "not stated"); None on rows
    # that carry no values (concept and word-overlap rows, design, arms, outcomes)
    values: list[str | None] = field(default_factory=list)


@dataclass(frozen=True)
class KeyDifference:
    """One facet on which the trials differ, for the summary above the table."""

    facet: str  # the requirement key, "performance:ECOG"
    title: str  # "Performance status (ECOG)"
    values: tuple[str, ...]  # per trial, short: ("1-3", "0-2")
    section: str  # the first section that has the facet's row (where a click jumps to)

    @property
    def conflict(self) -> bool:
        """Two trials state different values (not only: some state it, the others do not)."""
        return len({v for v in self.values if v not in (NOT_STATED, NO_VALUE_READ)}) > 1

    @property
    def text(self) -> str:
        """'Performance status (ECOG): 1-3 | 0-2'."""
        return f"{self.title}: {' | '.join(self.values)}"


@dataclass
class Comparison:
    trials: list[str]  # registry ids in the given order (compare_arms: the arm labels)
    sections: dict[str, list[Row]]  # keys exactly SECTIONS
    key_differences: list[KeyDifference] = field(default_factory=list)  # in row order


@dataclass(eq=False)
class AlignedItem:
    """One alignable thing of one trial: a criterion, an outcome or an arm."""

    trial: int  # column
    ref: ItemRef
    text: str
    words: frozenset[str]
    group: str | None = None  # concept, endpoint or arm role


_LEADING_NUMBER = re.compile(
    r"^\s*(?:\(?\d{1,3}(?:\.\d{1,2})*[.)]|\(?[a-zA-Z][.)]|\(?[ivx]{1,4}[.)]|[-*•·▪])\s+"
)
_TRAILING_PUNCT = re.compile(r"[\s.;,:。；，]+$")
_WORD = re.compile(r"[a-z0-9]+")
_STOPWORD_TEXT = """a an and are as at be been by for from has have if in into is it its of on or that the their
this to was were which who with within without must should will shall may can not no any all than other
patient patients participant participants subject subjects study"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def normalized(text: str) -> str:
    """The text as ``differs`` compares it: lowercase, squashed, no list number, no end punctuation."""
    text = squash(text).lower().replace(">=", "≥").replace("<=", "≤")
    text = _LEADING_NUMBER.sub("", text)
    return _TRAILING_PUNCT.sub("", text)


def _stem(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def content_words(text: str) -> frozenset[str]:
    """Lowercase words minus stopwords, crudely singular: what similarity is measured on."""
    return frozenset(_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOPWORDS)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _differs(cells: list[list[AlignedItem]]) -> bool:
    """The text rule: any empty cell differs; otherwise the trials' sorted normalised texts differ."""
    if any(not cell for cell in cells):
        return True
    texts = [sorted(normalized(item.text) for item in cell) for cell in cells]
    return any(t != texts[0] for t in texts)


def texts_differ(cells: list[list[str]]) -> bool:
    """The text rule on cells of plain texts (design, arms)."""
    return _differs([[AlignedItem(0, "", text, frozenset()) for text in cell] for cell in cells])


def cluster(items: list[AlignedItem], threshold: float) -> list[list[AlignedItem]]:
    """Greedy single-link clusters of similar items, at most one item per trial in a cluster.

    Pairs from different trials are merged best first (ties: earlier items first) while their words
    overlap at least ``threshold`` (a negative threshold pairs everything it can). Clusters come in
    order of their first item.
    """
    root = list(range(len(items)))
    trials = [{item.trial} for item in items]

    def find(n: int) -> int:
        while root[n] != n:
            root[n] = root[root[n]]
            n = root[n]
        return n

    pairs = []
    for a, first in enumerate(items):
        for b in range(a + 1, len(items)):
            second = items[b]
            if first.trial != second.trial:
                score = jaccard(first.words, second.words)
                if score >= threshold:
                    pairs.append((-score, a, b))
    pairs.sort()
    for _, a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb and not trials[ra] & trials[rb]:
            root[rb] = ra
            trials[ra] |= trials[rb]
    clusters: dict[int, list[AlignedItem]] = {}
    for n, item in enumerate(items):
        clusters.setdefault(find(n), []).append(item)  # dicts keep insertion order: first item first
    return list(clusters.values())


def build_row(concept: str | None, items: list[AlignedItem], n_trials: int) -> Row:
    """A row of these items, each in its trial's cell, compared by the text rule."""
    cells: list[list[AlignedItem]] = [[] for _ in range(n_trials)]
    for item in items:
        cells[item.trial].append(item)
    return Row(
        concept=concept,
        cells=[[item.text for item in cell] for cell in cells],
        keys=[[item.ref for item in cell] for cell in cells],
        differs=_differs(cells),
        values=[None] * n_trials,
    )


def by_group(aligned: list[AlignedItem]) -> tuple[dict[str, list[AlignedItem]], list[AlignedItem]]:
    """The items of each group (in order of first appearance), and the items of none."""
    groups: dict[str, list[AlignedItem]] = {}
    loose = []
    for item in aligned:
        if item.group is None:
            loose.append(item)
        else:
            groups.setdefault(item.group, []).append(item)
    return groups, loose
