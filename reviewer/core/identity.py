"""A trial's identity: the registry ids a record may be stored under, and why any other value is not one.

A record is stored, found and named (in reports, in file names) by its registry id, so only a value
that matches a registry's own pattern is taken: an NCT id is ``NCT`` and 8 digits; EudraCT, CTIS,
ISRCTN, ChiCTR and jRCT ids match theirs; an organisation's own study id is taken only when a
record has no registry id at all, and only in a conservative character set. None of these patterns
admits a path separator, a control character or a bidirectional-text override.
"""

from __future__ import annotations

import re
import unicodedata

NCT_ID = re.compile(r"NCT\d{8}", re.ASCII)  # ASCII: \d is 0-9 only

# the registries whose ids a record may carry instead of an NCT id, most specific first
# (a CTIS id is a EudraCT-like number with one more group)
REGISTRY_IDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("NCT", NCT_ID),
    ("CTIS", re.compile(r"\d{4}-\d{6}-\d{2}-\d{2}", re.ASCII)),
    ("EudraCT", re.compile(r"\d{4}-\d{6}-\d{2}", re.ASCII)),
    ("ISRCTN", re.compile(r"ISRCTN\d{8}", re.ASCII)),
    ("ChiCTR", re.compile(r"ChiCTR[-A-Za-z0-9]{4,30}")),  # ChiCTR2000029953, ChiCTR-TRC-12002345
    ("jRCT", re.compile(r"jRCT[a-z]?\d{9,10}", re.ASCII)),  # jRCT2031200123, jRCTs031180001
)
# an organisation's study id: letters, digits, dot, underscore and hyphen, starting with a letter or digit
ORG_STUDY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")

# characters that change how text reads without being seen: controls, format characters (bidi
# overrides and isolates, zero-width joiners), line and paragraph separators
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
SHOWN_CHARACTERS = 40


def registry_of(value: str) -> str | None:
    """The registry whose id pattern ``value`` matches exactly ("NCT", "EudraCT" ...), or None."""
    for registry, pattern in REGISTRY_IDS:
        if pattern.fullmatch(value):
            return registry
    return None


def has_hidden_characters(text: str) -> bool:
    """Whether ``text`` holds a control, format (bidi override, zero-width) or separator character."""
    return not text.isprintable() and any(unicodedata.category(c) in _HIDDEN_CATEGORIES for c in text)


def shown(value: object) -> str:
    """A value as a message may quote it: short, quoted, its hidden characters written as escapes."""
    text = value if isinstance(value, str) else repr(value)
    cut = text[:SHOWN_CHARACTERS]
    visible = "".join(
        f"\\u{ord(c):04x}" if unicodedata.category(c) in _HIDDEN_CATEGORIES else c for c in cut
    )
    return f"'{visible}{'…' if len(text) > len(cut) else ''}'"


def kind_of(value: object) -> str:
    """What a loaded value is, in words (never a Python type name): "a number", "a list" ..."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "no value" if value is None else "not a plain value"


def nct_id_problem(value: object, field: str) -> str | None:
    """Why ``value`` (from ``field``) is not an NCT id, or None when it is one."""
    if not isinstance(value, str):
        return f"{field} is {kind_of(value)}, not an NCT id: the record has no identity"
    if NCT_ID.fullmatch(value):
        return None
    return f"{field} {shown(value)} is not an NCT id (NCT and 8 digits): the record has no identity"


def registry_id_problem(value: str, field: str, *, org_study_id: bool = False) -> str | None:
    """Why ``value`` is not a registry id (or, with ``org_study_id``, a safe organisation study id)."""
    if registry_of(value) or (org_study_id and ORG_STUDY_ID.fullmatch(value)):
        return None
    wanted = "a registry id (NCT, EudraCT, CTIS, ISRCTN, ChiCTR or jRCT)"
    if org_study_id:
        wanted += " or an organisation's study id of letters, digits, '.', '_' and '-'"
    return f"{field} {shown(value)} is not {wanted}: the record has no identity"
