"""The items of a trial: what a note can sit on, how it is referred to, numbered and named.

One model for every place that shows, stores or prints an item (the trial page, the PDF, the plain
text, the JSON export, the comparison, the notes digest, re-anchoring and the version diff):

- ``Kind``: what an item is (the trial, a section, a design field, an arm, an intervention, a
  criterion, an outcome; and a facet, a result, a checklist item for the features that add them).
- ``ItemRef``: a typed reference, ``(kind, path)``. Its ``key`` ("criterion:inclusion/3.2",
  "outcome:other/1", "arm:Placebo", "section:design", "trial") is unambiguous on its own; the store
  keeps the two halves in a note's ``item_kind`` and ``item_key`` columns.
- ``walk(record)``: every item of a record in reading order, with its ref, the number a user sees
  (one numbering everywhere: a child criterion is "11.1"), its label ("Inclusion criterion 11.1",
  "Primary outcome 1", "Other criterion 2") and its text.

A selection inside an item's text (a "span") is not a kind of its own: it is an ``ItemRef`` plus the
offsets and the quote selector of ``reviewer.core.anchoring`` (``TextSpan``). A note is on an
``ItemRef`` or on a ``TextSpan``; ``anchor_of`` and ``stored_anchor`` turn one into a note's stored
columns and back, ``label_of`` names what a stored note is on ("Primary outcome 1 (selection)").
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .record import Criterion, Outcome, TrialRecord


class Kind(StrEnum):
    TRIAL = "trial"
    SECTION = "section"
    DESIGN_FIELD = "design"
    ARM = "arm"
    INTERVENTION = "intervention"
    CRITERION = "criterion"
    OUTCOME = "outcome"
    FACET = "facet"
    RESULT = "result"
    CHECKLIST_ITEM = "checklist"


# The trial page's sections, in order: (key, title). A note on a section carries its key.
SECTIONS = (
    ("overview", "Overview"),
    ("design", "Design"),
    ("arms", "Arms & interventions"),
    ("eligibility", "Eligibility"),
    ("outcomes", "Outcomes"),
    ("results", "Results"),
    ("sponsors", "Sponsor & sites"),
    ("documents", "Documents"),
    ("references", "References"),
    ("versions", "Versions"),
    ("source", "Source"),
)
SECTION_TITLES = dict(SECTIONS)

CRITERION_SECTIONS = ("inclusion", "exclusion", "other")
OUTCOME_KINDS = ("primary", "secondary", "other")

# The design fields a note can sit on: (path, label).
DESIGN_FIELDS = (
    ("study_type", "Study type"),
    ("phases", "Phase"),
    ("primary_purpose", "Primary purpose"),
    ("allocation", "Allocation"),
    ("intervention_model", "Intervention model"),
    ("masking", "Masking"),
    ("observational_model", "Observational model"),
    ("time_perspective", "Time perspective"),
    ("enrollment", "Enrollment"),
)
DESIGN_FIELD_LABELS = dict(DESIGN_FIELDS)


@dataclass(frozen=True, order=True)
class ItemRef:
    """Which item of a trial: its kind and its path within that kind ("" for the trial itself)."""

    kind: Kind
    path: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind.value}:{self.path}" if self.path or self.kind is not Kind.TRIAL else self.kind.value

    @classmethod
    def parse(cls, key: str) -> ItemRef:
        """The inverse of ``key``; ValueError names a key that is not one."""
        kind, _, path = key.partition(":")
        try:
            return cls(Kind(kind), path)
        except ValueError:
            raise ValueError(f"{key!r} is not an item key (kind:path)") from None

    @classmethod
    def stored(cls, item_kind: str, item_key: str) -> ItemRef:
        """The ref of a note's two stored columns."""
        return cls(Kind(item_kind), item_key)

    @property
    def number(self) -> str:
        """The number a user sees: "11.1" for a criterion, "2" for an outcome, "" for other kinds."""
        if self.kind in (Kind.CRITERION, Kind.OUTCOME) and "/" in self.path:
            return self.path.split("/", 1)[1]
        return ""

    @property
    def group(self) -> str:
        """A criterion's section or an outcome's kind ("inclusion", "primary"); "" for other kinds."""
        if self.kind in (Kind.CRITERION, Kind.OUTCOME) and "/" in self.path:
            return self.path.split("/", 1)[0]
        return ""

    @property
    def label(self) -> str:
        """The item in words, the same in the app, the PDF, the text, the JSON and the notes digest."""
        return label(self)

    def __str__(self) -> str:
        return self.key


def label(ref: ItemRef) -> str:
    kind, path = ref.kind, ref.path
    if ref.group:
        return f"{ref.group.capitalize()} {kind.value} {ref.number}"
    if kind is Kind.TRIAL:
        return "The trial"
    if kind is Kind.SECTION:
        return "Section " + SECTION_TITLES.get(path, path)
    if kind is Kind.DESIGN_FIELD:
        return "Design: " + DESIGN_FIELD_LABELS.get(path, path)
    if kind is Kind.ARM:
        return f"Arm {path}"
    if kind is Kind.INTERVENTION:
        return "Intervention " + path.split(":", 1)[-1]
    if kind is Kind.CHECKLIST_ITEM:
        return f"Checklist item {path}"
    return f"{kind.value.capitalize()} {path}".rstrip()


TRIAL = ItemRef(Kind.TRIAL)


def section(key: str) -> ItemRef:
    return ItemRef(Kind.SECTION, key)


def criterion(group: str, number: str) -> ItemRef:
    return ItemRef(Kind.CRITERION, f"{group}/{number}")


def outcome(group: str, number: int | str) -> ItemRef:
    return ItemRef(Kind.OUTCOME, f"{group}/{number}")


def arm(arm_label: str) -> ItemRef:
    return ItemRef(Kind.ARM, arm_label)


def intervention(intervention_type: str | None, name: str) -> ItemRef:
    return ItemRef(Kind.INTERVENTION, f"{intervention_type or 'OTHER'}:{name}")


def design_field(path: str) -> ItemRef:
    return ItemRef(Kind.DESIGN_FIELD, path)


@dataclass(frozen=True)
class Item:
    """One item of a record: its ref, what a user reads for it, and its text (what a quote is taken from)."""

    ref: ItemRef
    text: str
    depth: int = 0  # a child criterion is 1 deeper than its parent

    @property
    def number(self) -> str:
        return self.ref.number

    @property
    def label(self) -> str:
        return self.ref.label


@dataclass(frozen=True)
class TextSpan:
    """A quote of an item's text: the item, the offsets and the quote selector's parts.

    A selection has its offsets; a quote without them is the item's whole text as it was when the
    note was written (what re-anchoring looks for), or a selection not found in the item's text."""

    ref: ItemRef
    start: int | None
    end: int | None
    exact: str
    prefix: str = ""
    suffix: str = ""

    @property
    def is_selection(self) -> bool:
        return self.start is not None

    @property
    def label(self) -> str:
        return self.ref.label + (" (selection)" if self.is_selection else "")


# ---------------------------------------------------------------- what a note is on, as the store keeps it


def anchor_of(item_kind: str, item_key: str, quote: str | None = None,
              span_start: int | None = None, span_end: int | None = None) -> ItemRef | TextSpan:
    """A note's anchor from its stored columns (a quote makes it a TextSpan)."""
    ref = ItemRef.stored(item_kind, item_key)
    return TextSpan(ref, span_start, span_end, quote) if quote else ref


def stored_anchor(anchor: ItemRef | TextSpan) -> dict[str, Any]:
    """The note columns of an anchor: item_kind, item_key, quote, span_start, span_end."""
    span = anchor if isinstance(anchor, TextSpan) else None
    ref = span.ref if span else anchor
    return {
        "item_kind": ref.kind.value,
        "item_key": ref.path,
        "quote": span.exact if span else None,
        "span_start": span.start if span else None,
        "span_end": span.end if span else None,
    }


def label_of(note: Any) -> str:
    """What a note is on, in words ("Primary outcome 1 (selection)"), from a stored note or its dict."""
    get = note.get if isinstance(note, Mapping) else lambda name: getattr(note, name)
    ref = ItemRef.stored(get("item_kind"), get("item_key"))
    return TextSpan(ref, get("span_start"), get("span_end"), "").label


def span_in(text: str, ref: ItemRef, quote: str) -> TextSpan:
    """A selection of ``quote`` in an item's ``text`` (no offsets when the text does not hold it)."""
    start = text.find(quote)
    return TextSpan(ref, None, None, quote) if start < 0 else TextSpan(ref, start, start + len(quote), quote)


# ---------------------------------------------------------------- the items of a record, numbered


def numbered(criteria: list[Criterion], parent: str = "") -> Iterator[tuple[str, Criterion]]:
    """Each criterion of a list with its number: "1", "2" ...; under parent "2": "2.1", "2.2" ...
    (not their children: number those with ``numbered(criterion.children, number)``)."""
    for n, item in enumerate(criteria, 1):
        yield (f"{parent}.{n}" if parent else str(n)), item


def criterion_items(criteria: list[Criterion], group: str, parent: str = "", depth: int = 0) -> Iterator[Item]:
    """The criteria of one group and their children, numbered "1", "2", "2.1" ..."""
    for number, item in numbered(criteria, parent):
        yield Item(criterion(group, number), item.text, depth)
        yield from criterion_items(item.children, group, number, depth + 1)


def numbered_outcomes(outcomes: list[Outcome] | None) -> Iterator[tuple[ItemRef, Outcome]]:
    """The outcomes with their refs, numbered within their kind: "primary/1", "secondary/1" ..."""
    counters: dict[str, int] = {}
    for o in outcomes or []:
        counters[o.kind] = counters.get(o.kind, 0) + 1
        yield outcome(o.kind, counters[o.kind]), o


def outcome_items(record: TrialRecord) -> Iterator[Item]:
    return (Item(ref, o.measure) for ref, o in numbered_outcomes(record.outcomes))


def walk(record: TrialRecord) -> Iterator[Item]:
    """Every item of a record a note can sit on, in the order the trial page shows them."""
    yield Item(TRIAL, record.brief_title or record.registry_id)
    for key, _title in SECTIONS:
        yield Item(section(key), "")
        if key == "overview":
            continue
        if key == "design":
            for path, _label in DESIGN_FIELDS:
                yield Item(design_field(path), "")
        elif key == "arms":
            for a in record.arms or []:
                yield Item(arm(a.label), " ".join(x for x in (a.label, a.description) if x))
            for i in record.interventions or []:
                yield Item(intervention(i.type, i.name), i.name)
        elif key == "eligibility" and record.eligibility:
            for group in CRITERION_SECTIONS:
                yield from criterion_items(getattr(record.eligibility, group), group)
        elif key == "outcomes":
            yield from outcome_items(record)


def items_by_ref(record: TrialRecord) -> dict[ItemRef, Item]:
    return {item.ref: item for item in walk(record)}


# the kinds whose items have a text of their own a note can quote (a section's or a design field's
# text is the page's, not one item's)
QUOTED_KINDS = frozenset({Kind.TRIAL, Kind.ARM, Kind.INTERVENTION, Kind.CRITERION, Kind.OUTCOME})


def texts(record: TrialRecord) -> dict[ItemRef, str]:
    """The text of every item a note can quote, in reading order."""
    return {item.ref: item.text for item in walk(record) if item.ref.kind in QUOTED_KINDS}
