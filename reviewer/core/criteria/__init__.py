"""Eligibility text -> ordered, nested items under inclusion, exclusion and other.

Registry texts come as markdown lists ("* item", "  * sub-item", "1. item"), legacy hard-wrapped
plain text ("- item" with indented continuation lines), numbered lists with lettered sub-items, and
free paragraphs. Section headings ("Inclusion Criteria:", "Non-inclusion criteria", "III.6
EXCLUSION CRITERIA", headings.py) split the sections; a heading that scopes its items ("Donor
Inclusion Criteria", "SPECIFIC INCLUSION CRITERIA FOR EPILEPSY SUBJECTS:", "Cohort B:") becomes an
item marked as a heading, with its scope, whose children are the items under it; an item that
introduces exceptions or alternatives ("..., except for the following:") is marked with that role.
Numbering run together on one line is split; items without a word ("." or "-") are dropped. A text
without any section heading is placed by cues where they are certain (headings.section_cue) and
otherwise kept as "other". "Nil", "None" and empty texts give empty lists. One pass over the lines;
never raises on any string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..record import Criterion
from .headings import is_item_heading, is_lead_in, is_pdq, role_of, scope_of, section_cue, section_heading
from .lines import Line, lines_of, split_numbered

__all__ = ["ParsedCriteria", "parse_criteria"]

_NOTHING = re.compile(
    r"^(?:nil|none|n/?a|not applicable|no(?:ne)? (?:specified|required))\W*$", re.IGNORECASE
)
_WORD = re.compile(r"\w")
_NUMERALS = tuple(str(n) for n in range(1001))  # list numbers have up to 3 digits: no str() per item


@dataclass
class ParsedCriteria:
    inclusion: list[Criterion] = field(default_factory=list)
    exclusion: list[Criterion] = field(default_factory=list)
    other: list[Criterion] = field(default_factory=list)


_NESTING = {"number": 0, "letter": 1, "roman": 2, "bullet": 3}  # a family nests under a lower one


@dataclass(slots=True)
class _Open:
    indent: int
    family: str | None
    node: Criterion
    is_heading: bool = False
    holds_all: bool = False  # a scoping heading: everything up to the next heading is its own
    scope_label: bool = False  # a plain-text scoping heading ("Cohort 2:"), closed by the next one
    deeper_children: bool = False  # some of its children are indented more than it


class _Section:
    """Builds the item tree of one section from its lines."""

    def __init__(self) -> None:
        self.items: list[Criterion] = []
        self.stack: list[_Open] = []
        self.last: _Open | None = None
        self.top_indent: int | None = None  # the indent of the section's first top-level item
        self.sub_headings: set[int] = set()  # ids of the plain-text lines that head what follows
        # (its siblings, item, number, the item it is a child of)
        self.numbered: list[tuple[list[Criterion], Criterion, int, Criterion | None]] = []

    def _attach(self, entry: _Open) -> list[Criterion]:
        """Put an item under the open one (or at the top); its siblings' list."""
        if self.stack:
            parent = self.stack[-1]
            siblings = parent.node.children
            parent.deeper_children = parent.deeper_children or entry.indent > parent.indent
        else:
            siblings = self.items
            if self.top_indent is None and not entry.is_heading:
                self.top_indent = entry.indent
        siblings.append(entry.node)
        self.stack.append(entry)
        self.last = entry
        return siblings

    def restart(self) -> None:
        """A section heading: what follows starts at the section's top level."""
        self.stack.clear()
        self.last = None

    def open_heading(self, text: str, indent: int) -> None:
        """A scoping section heading ("Donor Inclusion Criteria"): a heading item over what follows."""
        self.restart()
        node = Criterion(text).mark(heading=True, scope=scope_of(text))
        self._attach(_Open(indent, None, node, is_heading=True, holds_all=True))
        self.last = None

    def _pop_to(self, line: Line) -> None:
        while self.stack:
            top = self.stack[-1]
            if top.is_heading and line.family is not None and (line.indent >= top.indent or top.holds_all):
                return  # items under a sub-heading are its children
            if line.indent > top.indent + 1:
                return
            if line.indent >= top.indent - 1 and top.family != line.family and self._nests(top, line):
                return
            self.stack.pop()
            if abs(line.indent - top.indent) <= 1 and top.family == line.family:
                return

    def _promote(self, entry: _Open) -> None:
        """A paragraph found to head what follows, once its last line is read."""
        entry.is_heading = True
        self.stack.append(entry)
        self.sub_headings.add(id(entry.node))

    @staticmethod
    def _holds(heading: _Open, line: Line) -> bool:
        """A scoping heading holds a paragraph up to the next heading, unless its items are indented
        under it and the paragraph is not (a note after an indented list applies to everyone)."""
        return heading.holds_all and not (heading.deeper_children and line.indent <= heading.indent)

    @staticmethod
    def _nests(top: _Open, line: Line) -> bool:
        """A different marker at the same indent nests under a numbered (or lettered) item."""
        if top.family is None or line.family is None:
            return False
        return _NESTING[line.family] > _NESTING[top.family]

    def add(self, line: Line) -> None:
        if line.family is not None:
            self._pop_to(line)
            if self.stack and self.stack[-1].family == line.family and self.stack[-1].indent == line.indent:
                self.stack.pop()
            node = Criterion(line.text)
            parent = self.stack[-1].node if self.stack else None
            siblings = self._attach(_Open(line.indent, line.family, node))
            if line.number is not None:
                self.numbered.append((siblings, node, line.number, parent))
            return
        # plain text: a sub-heading, a continuation of the last item, or a paragraph item
        # a wrapped line continues the last item, unless it is a "Cohort B:" sub-heading: one that ends
        # with a colon after a finished sentence, or stands left of the last item's text
        subheading = (
            line.text.endswith(":")
            and self.last is not None
            and (
                self.last.node.text.rstrip().endswith((".", ";", ":", "。", "；"))
                or (self.last.family is not None and line.indent <= self.last.indent)
            )
        )
        if self.last is not None and not line.blank_before and not subheading:
            self.last.node.text = (self.last.node.text + " " + line.text).strip()  # a wrapped line
            if (
                self.last.family is None
                and not self.last.is_heading
                and (line.text.endswith(":") or line.text.endswith(".") and is_lead_in(self.last.node.text))
            ):
                # a lead-in wrapped over lines ("... prior to the\n baseline visit:")
                self._promote(self.last)
            return
        if self.last is not None and line.blank_before is False and self.last.node.text == "":
            self.last.node.text = line.text
            return
        if (
            self.last is not None
            and line.blank_before
            and line.indent > self.last.indent
            and self.last.family is not None
            and not line.text.endswith(":")
        ):
            self.last.node.text = (self.last.node.text + " " + line.text).strip()
            return
        # a new top-level paragraph or sub-heading; a scope label ("Cohort 2:") holds what follows up to
        # the next heading, and closes the one before it ("Cohort 1:") whatever their indents
        is_heading = line.text.endswith(":") or "following" in line.text and is_lead_in(line.text)
        scope_label = (
            is_heading
            and scope_of(line.text) is not None
            # not a label indented into a list item ("5. ... \n   Female participants:\n6. ..."),
            # unless it follows a label it closes
            and (
                self.top_indent is None
                or line.indent <= self.top_indent
                or any(o.scope_label for o in self.stack)
            )
        )
        while self.stack and not (
            (self.stack[-1].holds_all and not (scope_label and self.stack[-1].scope_label))
            if scope_label
            else self.stack[-1].is_heading
            and (line.indent > self.stack[-1].indent or self._holds(self.stack[-1], line))
        ):
            self.stack.pop()
        entry = _Open(
            line.indent,
            None,
            Criterion(line.text),
            is_heading,
            holds_all=scope_label,
            scope_label=scope_label,
        )
        self._attach(entry)
        if is_heading:
            self.sub_headings.add(id(entry.node))
        else:
            self.stack.pop()
            self.last = entry

    def result(self) -> list[Criterion]:
        places = {id(item): (siblings, number) for siblings, item, number, _parent in self.numbered}
        moved: dict[int, Criterion] = {}
        for siblings, item, number, _parent in self.numbered:
            if _NUMERALS[number + 1] in item.text:  # "... above. 2. Histology ...": items run together
                pieces = _split_run_together(item, number)
                if len(pieces) > 1:
                    at = next(n for n, sibling in enumerate(siblings) if sibling is item)
                    siblings[at : at + 1] = pieces
                    moved[id(item)] = pieces[-1]  # the last piece has the item's children
                    places[id(pieces[-1])] = (siblings, number + len(pieces) - 1)
        for _siblings, item, _number, parent in self.numbered:
            parent = moved.get(id(parent), parent)
            if parent is not None and id(parent) in places and parent.children[-1:] == [item]:
                _split_after_parent(item, parent, *places[id(parent)])
        return _finish(self.items, self.sub_headings)


def _split_run_together(item: Criterion, number: int) -> list[Criterion]:
    """The items run together into a numbered ``item`` (its children go with the last of them)."""
    texts = split_numbered(item.text, number)
    if len(texts) == 1:
        return [item]
    following = [Criterion(text) for text in texts[1:-1]] + [Criterion(texts[-1], item.children)]
    item.text, item.children = texts[0], []  # the first keeps its place (and its key)
    return [item, *following]


def _split_after_parent(item: Criterion, parent: Criterion, siblings: list[Criterion], number: int) -> None:
    """The parent's next items run together into its last sub-item ("4. Lung function: ... > 92%; 6.
    Female subjects ...; 7. ..." under item 5): they follow the parent, unless its next item is there."""
    if _NUMERALS[number + 1] not in item.text:
        return
    at = next(n for n, sibling in enumerate(siblings) if sibling is parent)
    if at + 1 < len(siblings):
        return  # the parent's next item is in its place: "6." in the sub-item is something else
    texts = split_numbered(item.text, number)
    if len(texts) > 1:
        item.text = texts[0]
        siblings[at + 1 : at + 1] = [Criterion(text) for text in texts[1:]]


def _finish(items: list[Criterion], sub_headings: set[int]) -> list[Criterion]:
    """Drop empty, word-less and "Nil"-style items (a word-less item's children take its place); mark
    the headings and the roles of items that keep children."""
    kept: list[Criterion] = []
    for item in items:
        if item.children:
            item.children = _finish(item.children, sub_headings)
        if not (item.text[:1].isalnum() or _WORD.search(item.text)):
            kept.extend(item.children)  # "-", ".", or an empty marker line
            continue
        if not item.children:
            # every placeholder starts with an "n" (its case pair is the only match of re.IGNORECASE)
            if item.text[:1] in ("n", "N") and _NOTHING.match(item.text):
                continue
        else:
            # a plain-text line ending with a colon heads what follows ("Cohort B only:", "DISEASE
            # CHARACTERISTICS:", a lead-in sentence); a list item only when it is a label ("- Second
            # Cohort Criteria:"), not a criterion with its details ("Adequate organ function:")
            if not item.heading and (
                id(item) in sub_headings or item.text.endswith((":", "：")) and is_item_heading(item.text)
            ):
                item.mark(heading=True, scope=scope_of(item.text))
            item.mark(role=role_of(item.text))
        kept.append(item)
    return kept


def parse_criteria(text: str | None) -> ParsedCriteria:
    parsed = ParsedCriteria()
    if not text or not text.strip() or _NOTHING.match(text.strip()):
        return parsed
    sections = {"inclusion": _Section(), "exclusion": _Section(), "other": _Section()}
    current = sections["other"]
    seen: set[str] = set()
    for line in lines_of(text):
        words = line.text
        # a fast pre-check: every heading has "inclusion", "exclusion" or "excluded", written in one case
        # or capitalised ("InClusion" is not), so "clu" or "CLU" is in it
        heading = (
            section_heading(words)
            if (line.family is None or len(words) < 70) and ("clu" in words or "CLU" in words)
            else None
        )
        if heading is not None and (
            line.family is None or line.text.rstrip().endswith((":", "：")) or not heading.rest
        ):
            seen.add(heading.kind)
            current = sections[heading.kind]
            if heading.label:
                current.open_heading(heading.label, line.indent)
            else:
                current.restart()
            if heading.rest:
                for piece in lines_of(heading.rest, line.indent):
                    current.add(piece)
            continue
        current.add(line)
    for name, section in sections.items():
        setattr(parsed, name, section.result())
    _place_unsectioned(parsed, seen)
    return parsed


def _place_unsectioned(parsed: ParsedCriteria, seen: set[str]) -> None:
    """Move the top-level "other" items of a text into the section its cues certainly name, when the
    text has no heading of that section."""
    if not parsed.other or seen == {"inclusion", "exclusion"}:
        return
    if not seen and is_pdq(parsed.other[0].text):
        parsed.inclusion, parsed.other = parsed.other, []
        return
    kept = []
    for item in parsed.other:
        cue = section_cue(item.text)
        if cue is not None and cue not in seen:
            getattr(parsed, cue).append(item)  # that section is empty: no heading of it came before
        else:
            kept.append(item)
    parsed.other = kept
