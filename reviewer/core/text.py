"""Small text helpers: markdown unescaping and whitespace tidying (the importers), and text made safe
for a terminal (the command line)."""

from __future__ import annotations

import operator
import re

# The registry escapes markdown-significant ASCII punctuation with a backslash: \>= \[ 10\^9 \*
_SPACES = re.compile(r"\s+")
_ESCAPE = re.compile(r"\\([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")
# the escaped character: as the template r"\1", but Python 3.11 expands a template in Python per match
_ESCAPED = operator.itemgetter(1)


def unescape_markdown(text: str | None) -> str | None:
    """'\\>=18 years, 10\\^9/L' -> '>=18 years, 10^9/L'. Line endings become \\n."""
    if text is None:
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _ESCAPE.sub(_ESCAPED, text) if "\\" in text else text


def clean(text: str | None) -> str | None:
    """Unescape, strip; empty text becomes None."""
    if text is None:
        return None
    if "\\" in text or "\r" in text:  # most texts have neither: no call, no regex
        text = unescape_markdown(text)
    text = text.strip()
    return text or None


def squash(text: str | None) -> str:
    """Collapse runs of whitespace to one space (for comparing and indexing)."""
    return _SPACES.sub(" ", text or "").strip()


# What a terminal would obey rather than show: C0 controls but tab (and newline, where kept), DEL,
# C1 controls (U+009B is a CSI on its own), and the bidirectional controls that reorder a line.
_TERMINAL_UNSAFE = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_UNSAFE_IN_LINE = re.compile(f"[\n{_TERMINAL_UNSAFE}]")
_UNSAFE_IN_TEXT = re.compile(f"[{_TERMINAL_UNSAFE}]")


def _escaped(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text: str, keep_newlines: bool = False) -> str:
    """``text`` (from a record or a file name) with every control and escape character shown
    escaped (ESC as \\x1b, CR as \\x0d, U+202E as \\u202e), so printing it cannot set the
    terminal's title, clear its screen, move the cursor or forge a line. Newlines stay when
    ``keep_newlines`` (multi-line text such as ``show``), else they are escaped too."""
    pattern = _UNSAFE_IN_TEXT if keep_newlines else _UNSAFE_IN_LINE
    return pattern.sub(_escaped, text) if pattern.search(text) else text


_JSON_UNSAFE = re.compile(f"[{_TERMINAL_UNSAFE}]")


def json_terminal_safe(encoded: str) -> str:
    """JSON text (json.dumps with ensure_ascii=False escapes C0 controls but not C1 or bidi controls)
    with those escaped as JSON escapes too (U+202E as \\u202e): they can only be inside strings, where that
    is their escape."""
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", encoded)
