"""Typed readers for a record's fields, used by every importer: a field of the wrong type, or a number
out of range, is read as "not in source" and leaves a warning naming the field; the rest of the
record is read as usual.

``Fields`` reads a loaded document (API v2 JSON, or its Python-literal dump): each reader takes the
parent object, the key and the parent's path (the path is joined only for a warning). Where a
scalar is wanted, a one-item list holding that scalar is read as the scalar: R's jsonlite and other
re-serialisers wrap every scalar so ("briefTitle": ["A study"]). Where a list of texts is wanted,
a lone text is read as a list of one (the other way round). ``in_range``, ``age`` and
``version_date`` check values that the text formats (XML, Veeva pages) have already read.
"""

from __future__ import annotations

import functools
from typing import Any

from .. import vocab
from ..identity import kind_of, shown
from ..record import is_registry_date
from ..text import clean

# Bounds of the numbers a record holds. The registry's largest enrollments are national cohorts of
# tens of millions; a count beyond 100 million is a typo or a placeholder, and 2^63 does not fit the
# store at all.
ENROLLMENT = (0, 100_000_000)
DOCUMENT_SIZE = (0, 2**40)
LATITUDE, LONGITUDE = (-90.0, 90.0), (-180.0, 180.0)
OLDEST_AGE_YEARS = 150.0
_SHOWN_NUMBER = 10**30  # a number beyond is named by its size, not written out


def _is_age(text: str) -> bool:
    return _is_short_age(text) if len(text) <= 32 else _years_in_range(text)


def _years_in_range(text: str) -> bool:
    years = vocab.age_in_years(text)
    return years is not None and 0 <= years <= OLDEST_AGE_YEARS


# records hold a few dozen distinct ages ("18 Years", "65 Years" ...): looked up, not parsed again
# (short texts only, so that hostile ones cannot fill the memory)
_is_short_age = functools.lru_cache(maxsize=4096)(_years_in_range)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def unwrap(value: Any) -> Any:
    """A one-item list's item (a re-serialised scalar; [] is no value, as R writes an empty one),
    else the value itself."""
    if value.__class__ is list and len(value) <= 1:
        return value[0] if value else None
    return value


class Fields:
    """The typed readers of one record, and the warnings they left (in reading order)."""

    __slots__ = ("warnings",)

    def __init__(self, warnings: list[str] | None = None):
        self.warnings = [] if warnings is None else warnings

    def wrong(self, field: str, value: Any, wanted: str) -> None:
        self.warnings.append(f"field {field} is {kind_of(value)}, not {wanted}: read as not in source")

    def _odd_text(self, value: Any, field: str) -> str | None:
        """A value that is not a str where text is wanted: a wrapped text's text, or None (warned)."""
        item = unwrap(value)
        if item is None or isinstance(item, str):
            return item
        self.wrong(field, value, "text")
        return None

    # text() and plain() test for a str themselves: they are called for every field of every study

    def text(self, parent: dict[str, Any], key: str, path: str) -> str | None:
        """Free text: markdown escapes resolved, stripped; empty -> None."""
        value = parent.get(key)
        if value.__class__ is not str and value is not None:
            value = self._odd_text(value, _join(path, key))
        return clean(value)

    def plain(self, parent: dict[str, Any], key: str, path: str) -> str | None:
        """A short value (a code, a date, an id): stripped; empty -> None."""
        value = parent.get(key)
        if value.__class__ is not str:
            if value is None:
                return None
            value = self._odd_text(value, _join(path, key))
            if value is None:
                return None
        return value.strip() or None

    def code(self, kind: str, parent: dict[str, Any], key: str, path: str) -> str | None:
        """A coded value in the registry's vocabulary ``kind`` (vocab.py)."""
        value = parent.get(key)
        if value.__class__ is str and value in _CODES[kind]:
            return value
        return vocab.to_code(kind, self.plain(parent, key, path))

    def texts(self, parent: dict[str, Any], key: str, path: str) -> list[str] | None:
        """A list of texts (each cleaned, empty ones left out); None when absent or not a list."""
        values = parent.get(key)
        if values is None:
            return None
        if isinstance(values, str):
            values = [values]
        elif values.__class__ is not list:
            self.wrong(_join(path, key), values, "a list of texts")
            return None
        for value in values:
            if value.__class__ is not str:
                break
        else:  # the usual list: every item a text
            return [text for value in values if (text := clean(value))]
        texts = []
        for position, value in enumerate(values):
            if value.__class__ is not str:
                value = unwrap(value)
                if not isinstance(value, str):
                    if value is not None:
                        self.wrong(f"{_join(path, key)}[{position}]", value, "text")
                    continue
            if text := clean(value):
                texts.append(text)
        return texts

    def codes(self, kind: str, parent: dict[str, Any], key: str, path: str) -> list[str]:
        """A list of coded values; [] when absent (the lists of codes a record holds are never None)."""
        codes = _CODES[kind]
        return [c if c in codes else vocab.to_code(kind, c) for c in self.texts(parent, key, path) or ()]

    def integer(
        self, parent: dict[str, Any], key: str, path: str, bounds: tuple[int, int]
    ) -> int | None:
        """A whole number within ``bounds`` (a float with no fraction counts)."""
        value = unwrap(parent.get(key))
        if value is None:
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if value.__class__ is not int:  # bool is an int subclass: not a number here
            self.wrong(_join(path, key), parent[key], "a whole number")
            return None
        return self.in_range(value, _join(path, key), bounds)

    def number(
        self, parent: dict[str, Any], key: str, path: str, bounds: tuple[float, float]
    ) -> float | None:
        value = parent.get(key)
        if value.__class__ is float and bounds[0] <= value <= bounds[1]:  # the usual case, at once
            return value
        value = unwrap(value)
        if value is None:
            return None
        if value.__class__ not in (int, float) or value != value:  # NaN is no number
            self.wrong(_join(path, key), parent[key], "a number")
            return None
        return self.in_range(float(value), _join(path, key), bounds)

    def boolean(self, parent: dict[str, Any], key: str, path: str) -> bool | None:
        value = parent.get(key)
        if value is None or value.__class__ is bool:
            return value
        value = unwrap(value)
        if value is None or isinstance(value, bool):
            return value
        self.wrong(_join(path, key), parent[key], "true or false")
        return None

    def mapping(self, parent: dict[str, Any], key: str, path: str) -> dict[str, Any] | None:
        """A nested object; None when absent or of another type (a part "not in source")."""
        value = parent.get(key)
        if value is None or value.__class__ is dict:
            return value
        self.wrong(_join(path, key), value, "an object")
        return None

    def mappings(self, parent: dict[str, Any], key: str, path: str) -> list[dict[str, Any]] | None:
        """A list of objects (an item of another type left out with a warning); None when absent."""
        values = parent.get(key)
        if values is None:
            return None
        if values.__class__ is not list:
            self.wrong(_join(path, key), values, "a list of objects")
            return None
        for value in values:  # a loop, not all(): most lists are short, and a generator costs more
            if value.__class__ is not dict:
                break
        else:
            return values
        for position, value in enumerate(values):
            if value.__class__ is not dict:
                self.wrong(f"{_join(path, key)}[{position}]", value, "an object")
        return [v for v in values if v.__class__ is dict]

    def in_range(self, value: int | float | None, field: str, bounds: tuple[Any, Any]) -> Any:
        """``value`` when it lies within ``bounds``; else None, with a warning."""
        if value is None or bounds[0] <= value <= bounds[1]:
            return value
        self._out_of_range(field, f"{value:,}" if abs(value) < _SHOWN_NUMBER else "a number of over 30 digits", bounds)
        return None

    def _out_of_range(self, field: str, number: str, bounds: tuple[Any, Any]) -> None:
        self.warnings.append(
            f"field {field} is {number}, outside {bounds[0]:,} to {bounds[1]:,}: read as not in source"
        )

    def whole_number_text(self, text: str | None, field: str, bounds: tuple[int, int]) -> int | None:
        """A whole number written as digits (commas allowed), within ``bounds``; None when the text
        holds no such number; None with a warning when it is out of range."""
        digits = (text or "").strip().replace(",", "")
        if not digits.isascii() or not digits.isdigit():
            return None
        if len(digits) > 30:  # int() of thousands of digits is slow, and refused from 4,300
            self._out_of_range(field, "a number of over 30 digits", bounds)
            return None
        return self.in_range(int(digits), field, bounds)

    def age(self, text: str | None, field: str) -> str | None:
        """An age limit ("18 Years"): None, with a warning, when it is no age or over 150 years."""
        if text is None or _is_age(text):
            return text
        self.warnings.append(f"field {field} {shown(text)} is not an age: read as not in source")
        return None

    def version_date(self, candidates: list[tuple[str, str | None]]) -> str | None:
        """The first of the (field, text) candidates that is a date; a candidate that is given but is
        no date is passed over with a warning (and without any, the import date decides)."""
        for field, text in candidates:
            if text is None:
                continue
            if is_registry_date(text):
                return text
            self.warnings.append(
                f"field {field} {shown(text)} is not a date: it does not decide which version is current"
            )
        return None


# the registry's own codes, which map to themselves: the usual value, looked up without a call
_CODES = {kind: frozenset(codes) for kind, codes in vocab.ENUMS.items()}
