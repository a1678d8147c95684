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
# what follows the next number of a run-together list: "." or ")" ("18,." is a typed "18.") and a word
_AFTER_NUMBER = re.compile(r"\s?,?[.)]\s*(?=[^\W\d_]|[(\"'“])")
_SENTENCE_END = ".;:。；!?)"


@dataclass(slots=True)
class Line:
    indent: int
    family: str | None  # bullet / number / letter / roman / None for plain text
    text: str
    blank_before: bool
    number: int | None = None  # a numbered line's number ("3." -> 3)


def _next_number(text: str, number: int) -> tuple[int, int] | None:
    """Where item ``number`` starts inside ``text``: after a sentence's end, "N." and a word. The end
    of the text before it and the start of the item's own text."""
    token = str(number)
    at = text.find(token)
    while at != -1:
        if at > 0 and text[at - 1].isspace():
            after = _AFTER_NUMBER.match(text, at + len(token))
            before = text[:at].rstrip()
            if after and before and before[-1] in _SENTENCE_END:
                return len(before), after.end()
        at = text.find(token, at + 1)
    return None


def split_numbered(text: str, number: int) -> list[str]:
    """The text of item ``number`` and of the next items run together into it ("... above. 2. Histology
    ..."): one text when nothing runs together."""
    pieces: list[str] = []
    while (found := _next_number(text, number + 1)) is not None:
        pieces.append(text[: found[0]])
        text, number = text[found[1] :].strip(), number + 1
    pieces.append(text)
    return pieces


def lines_of(text: str, indent: int = 0) -> list[Line]:
    """Every non-blank line of ``text`` (``indent``: where the text starts, for a heading's rest)."""
    lines: list[Line] = []
    append = lines.append
    blank = indent > 0
    # tabs and wide spaces expanded in the whole text at once: they never touch a line break
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    if not text.isascii():
        text = text.replace("\u00a0", " ").replace("\u3000", " ")
    for expanded in text.split("\n"):
        stripped = expanded.strip()
        if not stripped:
            blank = True
            continue
        at = indent or len(expanded) - len(expanded.lstrip(" "))
        # the line's list marker and the spaces after it; the rest is the item's text (inline: this
        # loop runs for every line of every study of a bulk import)
        match = _MARKER.match(stripped)
        item = stripped[match.end() :].strip() if match else ""
        if item:
            family = _FAMILY[match.lastgroup]
            number = _number_of(stripped) if family == "number" else None
            append(Line(at, family, item, blank, number))
        elif stripped.startswith("o ") and at > 0:  # "o" bullets of legacy texts
            append(Line(at, "bullet", stripped[2:].strip(), blank))
        elif match:  # a marker alone on its line: the text follows on the next line
            append(Line(at, _FAMILY[match.lastgroup], "", blank))
        elif stripped[:1] == "1" and _glued_first_number(stripped):
            append(Line(at, "number", stripped[2:].strip(), blank, 1))  # split with its item later
        else:
            append(Line(at, None, stripped, blank))
        blank = False
    return lines


def _number_of(marker: str) -> int:
    """The number a numbered line starts with ("12. ...", "(3) ..."), without a pattern."""
    digits = marker[1:4] if marker[0] == "(" else marker[:3]
    while len(digits) > 1 and not digits.isdigit():
        digits = digits[:-1]
    return int(digits)


def _glued_first_number(stripped: str) -> bool:
    """"1.18 ≤ age and above. 2. ...": a first number glued to the text is a marker when "2." follows."""
    return (
        stripped[1:2] in ".)"
        and stripped[2:3].isdigit()
        and " 2" in stripped
        and len(split_numbered(stripped[2:], 1)) > 1
    )
