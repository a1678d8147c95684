"""The lines of an eligibility text: indent, list marker family and number, text.

``split_numbered`` splits an item whose numbering runs together ("1.18 ≤ age and above. 2. Histology
...") into the items it stands for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
_LEADING_NUMBER = re.compile(r"\(?(\d{1,3})")
# "1.18 ≤ age": a first number glued to the text, taken as a marker only when "2." follows in the line
_GLUED_FIRST = re.compile(r"^1[.)](?=\d)")
# where the next number of a run-together list starts: after a sentence's end, "N." or "N)" and a word
_NEXT_NUMBER = r"(?<=[.;:。；!?)])\s+{n}\s?,?[.)]\s*(?=[^\W\d_]|[(\"'“])"  # "18,." is a typed "18."
# any place of a text where a next number might start: no item of a text without one is split
MAY_RUN_TOGETHER = re.compile(_NEXT_NUMBER.format(n=r"\d{1,3}").replace(r"\s+", " +", 1))


@dataclass(slots=True)
class Line:
    indent: int
    family: str | None  # bullet / number / letter / roman / None for plain text
    text: str
    blank_before: bool
    number: int | None = None  # a numbered line's number ("3." -> 3)


def line_at(stripped: str, indent: int, blank_before: bool) -> Line:
    """The line that ``stripped`` (a line without its indent) stands for."""
    match = _MARKER.match(stripped)
    item = stripped[match.end() :].strip() if match else ""
    if item:
        family = _FAMILY[match.lastgroup]
        if family != "number":
            return Line(indent, family, item, blank_before)
        return Line(indent, family, item, blank_before, int(_LEADING_NUMBER.match(match.group()).group(1)))
    if stripped.startswith("o ") and indent > 0:  # "o" bullets of legacy texts
        return Line(indent, "bullet", stripped[2:].strip(), blank_before)
    if match:  # a marker alone on its line: the text follows on the next line
        return Line(indent, _FAMILY[match.lastgroup], "", blank_before)
    if _GLUED_FIRST.match(stripped) and " 2" in stripped and len(split_numbered(stripped[2:], 1)) > 1:
        return Line(indent, "number", stripped[2:].strip(), blank_before, 1)  # split with its item
    return Line(indent, None, stripped, blank_before)


def split_numbered(text: str, number: int) -> list[str]:
    """The text of item ``number`` and of the next items run together into it ("... above. 2. Histology
    ..."): one text when nothing runs together."""
    pieces: list[str] = []
    while True:
        following = number + 1
        if str(following) not in text:
            break
        match = re.search(_NEXT_NUMBER.format(n=following), text)
        if match is None:
            break
        pieces.append(text[: match.start()].strip())
        text, number = text[match.end() :].strip(), following
    pieces.append(text)
    return pieces


def lines_of(text: str) -> list[Line]:
    """Every non-blank line of ``text``."""
    lines: list[Line] = []
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
        lines.append(line_at(stripped, indent, blank))
        blank = False
    return lines
