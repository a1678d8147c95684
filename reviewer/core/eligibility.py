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

from dataclasses import dataclass, field
from typing import Any

from .facets.extract import shared_facets
from .items import CRITERION_SECTIONS, ItemRef, Kind
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


def criterion_facets(record: TrialRecord, stating_only: bool = False) -> list[ItemFacets]:
    """Every criterion item of a record, in page order, with its facets (no criteria: []);
    ``stating_only``: only the items that state facets (what a profile reads: an import's walk)."""
    eligibility = record.eligibility
    if eligibility is None:
        return []
    found: list[ItemFacets] = []
    for group in CRITERION_SECTIONS:
        _walk(getattr(eligibility, group), group, "", None, None, None, stating_only, found)
    return found


def _walk(
    criteria: list[Criterion],
    group: str,
    parent_number: str,
    parent: Criterion | None,
    parent_ref: ItemRef | None,
    scope: str | None,
    stating_only: bool,
    found: list[ItemFacets],
) -> None:
    # every import walks every criterion of every study: a plain loop appending to one list, and the
    # extractor's shared (read-only) facets, cost a third of a generator per level copying them
    role = parent.role if parent is not None else None
    exception, alternative = role == "exceptions", role == "alternatives"
    extractor_section = _EXTRACTOR_SECTION[group]
    prefix = f"{group}/{parent_number}." if parent_number else f"{group}/"
    for n, item in enumerate(criteria, 1):
        number = f"{parent_number}.{n}" if parent_number else str(n)
        ref = ItemRef(Kind.CRITERION, prefix + str(n))
        kids = item.children
        facets = () if item.heading else shared_facets(item.text, extractor_section)
        if facets or not stating_only:
            children = tuple(ItemRef(Kind.CRITERION, f"{group}/{number}.{k}") for k in range(1, len(kids) + 1))
            found.append(
                ItemFacets(ref, group, item.text, facets, item.heading, scope, exception, alternative, parent_ref, children)
            )
        if kids:
            child_scope = item.text.strip().rstrip(":").strip() if item.heading and item.scope else scope
            _walk(kids, group, number, item, ref, child_scope, stating_only, found)
