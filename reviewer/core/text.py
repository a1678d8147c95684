"""Small text helpers shared by the importers: markdown unescaping and whitespace tidying."""

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
