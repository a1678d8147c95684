"""The facets of a trial's eligibility criteria, item by item: the one place that walks a record's
criteria tree for its typed values. The store keeps what it returns, and the comparison, the grid,
the patient check and the library's facet filters read it.

Each criterion item yields an ItemFacets: its ItemRef (the item a note or a correction sits on),
its section, its text, the facets of its own text, and the structure around it: the scope of the
headings above it ("Cohort 2", a sub-study) and whether it is an exception to its parent
("History of other malignancy, except for the following:"). A heading states no facets of its own.
A reviewer's correction replaces an item's facets (``corrections.apply_corrections``: ``corrected``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .facets import extract_facets
from .items import CRITERION_SECTIONS, ItemRef, criterion, numbered
from .record import Criterion, TrialRecord

# the extractor's name for the criteria found outside an inclusion or exclusion section
_EXTRACTOR_SECTION = {"inclusion": "inclusion", "exclusion": "exclusion", "other": "unsectioned"}


@dataclass(frozen=True)
class ItemFacets:
    """One criterion item and the facets its text states."""

    ref: ItemRef
    section: str  # "inclusion", "exclusion" or "other" (items.CRITERION_SECTIONS)
    text: str
    facets: tuple[dict[str, Any], ...]
    heading: bool = False  # a heading over its children: no facets of its own
    scope: str | None = None  # the nearest scoping heading's text ("Cohort 2:"), None: everyone
    exception: bool = False  # an exception to its parent: its facets are exempt, not required
    alternative: bool = False  # one of its parent's alternatives: any one of them is enough
    parent: ItemRef | None = None
    children: tuple[ItemRef, ...] = field(default=())
    corrected: bool = False  # its facets are a reviewer's correction (core/corrections.py), not extracted

    def to_json(self) -> dict[str, Any]:
        return {
            "item": self.ref.key,
            "section": self.section,
            "facets": [dict(f) for f in self.facets],
            "heading": self.heading,
            "scope": self.scope,
            "exception": self.exception,
            "alternative": self.alternative,
            "corrected": self.corrected,
        }


def criterion_facets(record: TrialRecord) -> list[ItemFacets]:
    """Every criterion item of a record, in page order, with its facets (no criteria: [])."""
    eligibility = record.eligibility
    if eligibility is None:
        return []
    found: list[ItemFacets] = []
    for group in CRITERION_SECTIONS:
        found.extend(_walk(getattr(eligibility, group), group, "", None, None, None))
    return found


def _walk(
    criteria: list[Criterion],
    group: str,
    parent_number: str,
    parent: Criterion | None,
    parent_ref: ItemRef | None,
    scope: str | None,
) -> Iterator[ItemFacets]:
    for number, item in numbered(criteria, parent_number):
        ref = criterion(group, number)
        children = tuple(criterion(group, n) for n, _ in numbered(item.children, number))
        role = parent.role if parent is not None else None
        facets = () if item.heading else tuple(extract_facets(item.text, _EXTRACTOR_SECTION[group]))
        yield ItemFacets(
            ref,
            group,
            item.text,
            facets,
            heading=item.heading,
            scope=scope,
            exception=role == "exceptions",
            alternative=role == "alternatives",
            parent=parent_ref,
            children=children,
        )
        child_scope = item.text.strip().rstrip(":").strip() if item.heading and item.scope else scope
        yield from _walk(item.children, group, number, item, ref, child_scope)
