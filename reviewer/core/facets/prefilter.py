"""The cheap first pass: which kinds (and analytes) a criterion can hold, from the beginnings of its words,
so that each criterion pays only for the regexes of those kinds."""

from __future__ import annotations

import re

from . import rules as R


# --- the prefilter ----------------------------------------------------------------------------------------------
def trie(stems: list[tuple[str, bool]]) -> str:
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
_ALL_STEMS = [stem for stems in (*R.KIND_STEMS.values(), *R.ANALYTE_STEMS.values()) for stem in stems]
# a stem after a non-word character (the text is read with a space before it): a pattern that starts
# with a character set, so the search skips the letters of a word in one loop instead of testing a word
# boundary at each of them (20% faster than "\b(?:...)", the same word starts)
_STEMS = re.compile(
    r"\W(" + trie(sorted({(s.rstrip("="), s.endswith("=") or len(s) == 2) for s in _ALL_STEMS})) + ")"
)


def possible_kinds(low: str) -> dict[str, list[int]]:
    """The kinds (and analytes) whose stems begin a word of the (lower-cased) text, each with where its
    words start: one scan of one regex."""
    kinds: dict[str, list[int]] = {}
    for m in _STEMS.finditer(" " + low):
        at = m.start(1) - 1
        for kind in _STEM_KINDS[m.group(1)]:
            kinds.setdefault(kind, []).append(at)
    return kinds
