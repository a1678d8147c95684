"""Eligibility text -> ordered, nested items under inclusion, exclusion and other.

Registry texts come as markdown lists ("* item", "  * sub-item", "1. item"), legacy hard-wrapped
plain text ("- item" with indented continuation lines), numbered lists with lettered sub-items, and
free paragraphs; headings ("Inclusion Criteria:", "Key exclusion criteria") split the sections and
sub-headings ("Cohort A:") become items whose children are the items under them. "Nil", "None" and
empty texts give empty lists. One pass over the lines; never raises on any string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .record import Criterion

_SECTION_HEADING = re.compile(
    r"^\W*(?:(?:key|main|major|general|additional|specific|other)\s+)?"
    r"(?P<kind>inclusion|exclusion|inclusions|exclusions)"
    r"(?:\s+(?:criteria|criterion|criterias))?(?:\s+(?:for|of)\s+[^:]{0,60})?\s*[:：.]?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_CRITERIA_FOR = re.compile(
    r"^\W*criteria\s+for\s+(?P<kind>inclusion|exclusion)\s*[:：]?\s*(?P<rest>.*)$", re.I
)
_NOTHING = re.compile(
    r"^(?:nil|none|n/?a|not applicable|no(?:ne)? (?:specified|required))\W*$", re.IGNORECASE
)
_HEADING_WORDS = re.compile(r"criteri|[:：]\s*$", re.IGNORECASE)
_BARE_KIND = re.compile(r"\W*(?:inclusions?|exclusions?)\W*", re.IGNORECASE)
_ROMAN = r"(?:i{1,3}|iv|vi{0,3}|ix|x{1,2}i{0,3})"
# A list marker and the spaces after it; the rest of the line is the item's text. The alternative
# that matched is the match's lastgroup: the line's family ("paren" is a "number").
_MARKER = re.compile(
    r"^(?:"
    r"(?P<bullet>[-*•·▪◦‣►➢–—+])(?=\s)"
    r"|(?P<number>\(?\d{1,3}(?:\.\d{1,2})?[.)、](?!\d))"
    r"|(?P<roman>\(?" + _ROMAN + r"[.)])(?=\s)"
    r"|(?P<letter>\(?[a-zA-Z][.)])(?=\s)"
    r"|(?P<paren>\(\d{1,3}\))"
    r")\s*",
)
_FAMILY = {"bullet": "bullet", "number": "number", "roman": "roman", "letter": "letter", "paren": "number"}


@dataclass
class ParsedCriteria:
    inclusion: list[Criterion] = field(default_factory=list)
    exclusion: list[Criterion] = field(default_factory=list)
    other: list[Criterion] = field(default_factory=list)


@dataclass(slots=True)
class _Line:
    indent: int
    family: str | None  # bullet / number / letter / roman / None for plain text
    text: str
    blank_before: bool


def _lines(text: str) -> list[_Line]:
    lines: list[_Line] = []
    blank = False
    # tabs and wide spaces expanded in the whole text at once: they never touch a line break
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    if not text.isascii():
        text = text.replace("\u00a0", " ").replace("\u3000", " ")
    for expanded in text.split("\n"):
        stripped = expanded.strip()
        if not stripped:
            blank = True
            continue
        indent = len(expanded) - len(expanded.lstrip(" "))
        match = _MARKER.match(stripped)
        item = stripped[match.end() :].strip() if match else ""
        if item:
            lines.append(_Line(indent, _FAMILY[match.lastgroup], item, blank))
        elif stripped.startswith("o ") and indent > 0:  # "o" bullets of legacy texts
            lines.append(_Line(indent, "bullet", stripped[2:].strip(), blank))
        elif match:  # a marker alone on its line: the text follows on the next line
            lines.append(_Line(indent, _FAMILY[match.lastgroup], "", blank))
        else:
            lines.append(_Line(indent, None, stripped, blank))
        blank = False
    return lines


def _heading(line: _Line) -> tuple[str, str] | None:
    """('inclusion'|'exclusion', rest of the line) when the line is a section heading."""
    if len(line.text) > 120:
        return None
    # both patterns need "inclusion" or "exclusion"; "clu" is the part of those whose letters match
    # only their ASCII case pair under re.IGNORECASE (unlike "s" and "i"), so lower() finds it
    if "clu" not in line.text.lower():
        return None
    match = _SECTION_HEADING.match(line.text) or _CRITERIA_FOR.match(line.text)
    if not match:
        return None
    rest = match.group("rest").strip()
    head = line.text[: len(line.text) - len(rest)] if rest else line.text
    rest = rest.lstrip("-–—:： ").strip()  # "INCLUSION CRITERIA - Normal Volunteers:" -> a sub-heading
    if not _HEADING_WORDS.search(head) and not _BARE_KIND.fullmatch(head):
        return None  # "Exclusion of patients with ..." is an item, not a heading
    kind = "inclusion" if match.group("kind").lower().startswith("inclusion") else "exclusion"
    return kind, rest


_NESTING = {"number": 0, "letter": 1, "roman": 2, "bullet": 3}  # a family nests under a lower one


@dataclass(slots=True)
class _Open:
    indent: int
    family: str | None
    node: Criterion
    is_heading: bool = False


class _Section:
    """Builds the item tree of one section from its lines."""

    def __init__(self) -> None:
        self.items: list[Criterion] = []
        self.stack: list[_Open] = []
        self.last: _Open | None = None

    def _attach(self, entry: _Open) -> None:
        parent = self.stack[-1].node.children if self.stack else self.items
        parent.append(entry.node)
        self.stack.append(entry)
        self.last = entry

    def _pop_to(self, line: _Line) -> None:
        while self.stack:
            top = self.stack[-1]
            if top.is_heading and line.indent >= top.indent and line.family is not None:
                return  # items under a sub-heading are its children
            if line.indent > top.indent + 1:
                return
            if line.indent >= top.indent - 1 and top.family != line.family and self._nests(top, line):
                return
            self.stack.pop()
            if abs(line.indent - top.indent) <= 1 and top.family == line.family:
                return

    @staticmethod
    def _nests(top: _Open, line: _Line) -> bool:
        """A different marker at the same indent nests under a numbered (or lettered) item."""
        if top.family is None or line.family is None:
            return False
        return _NESTING[line.family] > _NESTING[top.family]

    def add(self, line: _Line) -> None:
        if line.family is not None:
            self._pop_to(line)
            if self.stack and self.stack[-1].family == line.family and self.stack[-1].indent == line.indent:
                self.stack.pop()
            self._attach(_Open(line.indent, line.family, Criterion(line.text)))
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
        # a new top-level paragraph or sub-heading
        while self.stack and not (self.stack[-1].is_heading and line.indent > self.stack[-1].indent):
            self.stack.pop()
        entry = _Open(line.indent, None, Criterion(line.text), is_heading=line.text.endswith(":"))
        self._attach(entry)
        if not entry.is_heading:
            self.stack.pop()
            self.last = entry

    def result(self) -> list[Criterion]:
        return _prune(self.items)


def _prune(items: list[Criterion]) -> list[Criterion]:
    """Drop empty items and "Nil"-style placeholders; keep a heading's children."""
    kept = []
    for item in items:
        if item.children:
            item.children = _prune(item.children)
        if not item.text and not item.children:
            continue
        # every placeholder starts with an "n" (its case pair is the only match of re.IGNORECASE)
        if not item.children and item.text[:1] in ("n", "N") and _NOTHING.match(item.text):
            continue
        kept.append(item)
    return kept


def parse_criteria(text: str | None) -> ParsedCriteria:
    parsed = ParsedCriteria()
    if not text or not text.strip() or _NOTHING.match(text.strip()):
        return parsed
    sections = {"inclusion": _Section(), "exclusion": _Section(), "other": _Section()}
    current = sections["other"]
    for line in _lines(text):
        heading = _heading(line) if line.family is None or len(line.text) < 60 else None
        if heading is not None and (line.family is None or line.text.rstrip().endswith(":")):
            kind, rest = heading
            current = sections[kind]
            if rest:
                current.add(_Line(line.indent, None, rest, True))
            continue
        current.add(line)
    parsed.inclusion = sections["inclusion"].result()
    parsed.exclusion = sections["exclusion"].result()
    parsed.other = sections["other"].result()
    return parsed
