"""The one rule for what a value of a trial is, and the words each state reads as.

A record's value is in one of four states (record.py's conventions):
- given: the source gives it;
- not in source: a part the document does not carry at all (a list that is ``None``);
- none: a part the document carries empty (an empty list);
- blank: a scalar the source leaves out (``None`` or "").

Every renderer asks these, never the record's ``None`` and ``[]`` directly: the page and the PDF write
a ``Shown`` or a ``State`` as it is (``__html__``: one markup for the states, in both), the plain text
its ``words``, the JSON export ``listed`` and ``given`` (``null`` for not in source and blank, ``[]``
for none).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, NamedTuple

from markupsafe import escape


class State(StrEnum):
    GIVEN = "given"
    NOT_IN_SOURCE = "not in source"
    NONE = "none"
    BLANK = "blank"

    def __html__(self) -> str:
        """The state's markup in the page and the PDF (their stylesheets style the classes)."""
        return _MARKUP[self]


WORDS = {State.NOT_IN_SOURCE: "Not in source", State.NONE: "None", State.BLANK: "—"}
_MARKUP = {
    State.GIVEN: "",
    State.NOT_IN_SOURCE: '<span class="nis">Not in source</span>',
    State.NONE: '<span class="none">None</span>',
    State.BLANK: '<span class="none">—</span>',
}


class Shown(NamedTuple):
    """A value as a reader sees it: its state, its words when given, and a lesser detail said after
    it ("estimated" after an enrollment, "actual" after a date), shown in parentheses.
    (A named tuple: a page makes hundreds of them, and a tuple is the quickest to make.)"""

    state: State
    text: str = ""
    detail: str = ""

    @property
    def is_given(self) -> bool:
        return self.state is State.GIVEN

    @property
    def words(self) -> str:
        """Plain words: the text (and its detail) when given, else the state's words."""
        if self.state is not State.GIVEN:
            return WORDS[self.state]
        return f"{self.text} ({self.detail})" if self.detail else self.text

    def __str__(self) -> str:
        return self.words

    def __html__(self) -> str:
        """Escaped words, or the state's markup: what ``{{ value }}`` writes in an autoescaping template."""
        if self.state is not State.GIVEN:
            return _MARKUP[self.state]
        if self.detail:
            return f'{escape(self.text)} <span class="muted">({escape(self.detail)})</span>'
        return escape(self.text)


NOT_IN_SOURCE = Shown(State.NOT_IN_SOURCE)
NONE = Shown(State.NONE)
BLANK = Shown(State.BLANK)


def state_of_list(values: list | None) -> State:
    if values is None:
        return State.NOT_IN_SOURCE
    return State.GIVEN if values else State.NONE


class Field(NamedTuple):
    """A labelled value of a trial's facts."""

    label: str
    value: Shown


def scalar(value: Any, words: Callable[[Any], str] = str, detail: str = "") -> Shown:
    """A scalar: blank when the source leaves it out, else its words (``words(value)``)."""
    if value is None or value == "":
        return BLANK
    if isinstance(value, bool):
        return Shown(State.GIVEN, "Yes" if value else "No")
    return Shown(State.GIVEN, words(value), detail)


def joined(values: list | None, separator: str = "; ") -> Shown:
    """A list read as one value: not in source, none, or its items joined."""
    state = state_of_list(values)
    if state is not State.GIVEN:
        return NOT_IN_SOURCE if state is State.NOT_IN_SOURCE else NONE
    return Shown(State.GIVEN, separator.join(values))


def listed(values: list | None, render: Callable[[Any], Any]) -> list | None:
    """A list part as data: ``None`` (not in source) stays ``None``, each item else rendered."""
    return None if values is None else [render(value) for value in values]


def given(value: Any) -> Any:
    """A scalar as data: a blank one is ``None``."""
    return None if value == "" else value
