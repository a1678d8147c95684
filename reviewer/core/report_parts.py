"""What the report templates print beyond a record's own fields: the registry's link for a trial,
the file a version came from (its name, never a local path), a trial's sites grouped by country,
and the rows of a comparison with each trial's notes beside the items they are on.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .compare import NOT_IN_SOURCE, SECTION_TITLES, Comparison
from .items import ItemRef
from .record import Location, TrialRecord

SITES_SHOWN = 50  # a brief lists this many sites at most and says how many there are in all
UNMATCHED_ROW = "Other (no shared concept)"
UNSECTIONED_TITLE = "Inclusion criteria, and criteria under no heading"
# which report section holds each comparison section
COMPARISON_PARTS = {
    "design": "design",
    "arms": "arms",
    "inclusion": "eligibility",
    "exclusion": "eligibility",
    "outcomes": "outcomes",
}
_REGISTRY_LINKS = (
    (re.compile(r"NCT\d{8}"), "https://clinicaltrials.gov/study/{}"),
    (re.compile(r"ISRCTN\d{8}"), "https://www.isrctn.com/{}"),
    (re.compile(r"\d{4}-\d{6}-\d{2}"), "https://www.clinicaltrialsregister.eu/ctr-search/search?query={}"),
)
_ITEMS_ON_SEVERAL_ROWS = ("inclusion", "exclusion")  # a criterion is on the row of each facet it states
_RECRUITING = ("RECRUITING", "ENROLLING_BY_INVITATION", "NOT_YET_RECRUITING")
# a comparison cell's lines, estimated: over this many, its row may split across pages (a row
# kept whole that does not fit leaves the rest of the page empty)
ROW_LINES_KEPT_WHOLE = 9
# over this many (about half a landscape page), a row of several items is cut into labelled parts
ROW_LINES_IN_PARTS = 24
_LANDSCAPE_TEXT_WIDTH_CHARS = 170  # characters of 7.8 pt text across the trials' columns together


def registry_link(registry_id: str) -> str | None:
    """The registry's public page of a trial, for the ids whose page address is known."""
    for pattern, address in _REGISTRY_LINKS:
        if pattern.fullmatch(registry_id):
            return address.format(registry_id)
    return None


def source_file_name(source_name: str) -> str:
    """The file a version was read from, without its folders: "ctg-studies.zip › NCT001.json" for a
    zip member, "NCT001.json" for "/home/me/Downloads/NCT001.json"."""
    parts = [re.split(r"[/\\]", part.strip())[-1] for part in source_name.split(" › ")]
    return " › ".join(part for part in parts if part) or source_name


@dataclass
class SiteGroups:
    countries: list[tuple[str, list[Location]]]  # in order of their first shown site
    shown: int
    total: int
    recruiting: int  # of all sites, not only the shown ones
    all_countries: list[tuple[str, int]]  # every country with its number of sites, most sites first


def site_groups(record: TrialRecord, limit: int = SITES_SHOWN) -> SiteGroups | None:
    """A trial's sites grouped by country, recruiting sites first, at most ``limit``; None when the
    source does not carry sites."""
    if record.locations is None:
        return None
    ordered = sorted(record.locations, key=lambda site: site.status not in _RECRUITING)
    countries: dict[str, list[Location]] = {}
    for site in ordered[:limit]:
        countries.setdefault(site.country or "Country not given", []).append(site)
    recruiting = sum(site.status in _RECRUITING for site in record.locations)
    counts = Counter(site.country or "Country not given" for site in record.locations)
    return SiteGroups(
        list(countries.items()), min(limit, len(ordered)), len(ordered), recruiting, counts.most_common()
    )


@dataclass
class ComparisonItem:
    text: str
    notes: list[Any] = field(default_factory=list)
    repeat: bool = False  # an item already printed on an earlier row: its text is a pointer there
    unsectioned: bool = False  # found under no inclusion or exclusion heading (aligned as inclusion)


@dataclass
class ComparisonRow:
    label: str
    differs: bool
    cells: list[list[ComparisonItem]]  # one per trial
    may_split: bool  # too tall to be kept whole on a page without leaving much of it empty
    continued: bool = False  # the second or later part of a tall row cut at its items
    more: bool = False  # a continued part follows
    values: list[str | None] = field(default_factory=list)  # a facet row's value per trial (its first part)


@dataclass
class ComparisonSection:
    part: str  # the report section that holds it (SECTIONS): eligibility for inclusion and exclusion
    title: str
    rows: list[ComparisonRow]


def _estimated_lines(cell: list[ComparisonItem], chars_per_line: int) -> int:
    lines = 0
    for item in cell:
        lines += sum(1 + len(line) // chars_per_line for line in item.text.splitlines() or [""])
        lines += sum(2 + len(note.body) // chars_per_line for note in item.notes)
    return lines


def _rows_of(
    label: str,
    differs: bool,
    cells: list[list[ComparisonItem]],
    chars_per_line: int,
    values: list[str | None] | None = None,
) -> list[ComparisonRow]:
    """One row, or a row of more than half a page cut at its items into parts (the k-th item of
    each trial on part k), each part labelled: such a row runs on to the next page, and its
    continuation there would not name its concept."""
    value_lines = 1 if values and any(v is not None for v in values) else 0

    def lines(part: list[list[ComparisonItem]]) -> int:
        return value_lines + max(_estimated_lines(cell, chars_per_line) for cell in part)

    def tall(part: list[list[ComparisonItem]]) -> bool:
        return lines(part) > ROW_LINES_KEPT_WHOLE

    depth = max(len(cell) for cell in cells)
    if lines(cells) <= ROW_LINES_IN_PARTS or depth == 1:
        return [ComparisonRow(label, differs, cells, tall(cells), values=list(values or []))]
    parts = [[cell[k : k + 1] for cell in cells] for k in range(depth)]
    return [
        ComparisonRow(
            label, differs, part, tall(part), continued=k > 0, more=k < depth - 1, values=list(values or [])
        )
        for k, part in enumerate(parts)
    ]


def _nothing_to_align(record: TrialRecord, section: str) -> str:
    """What a trial has in a comparison section that has no row: the part is absent or empty."""
    part = {
        "arms": record.arms,
        "outcomes": record.outcomes,
        "inclusion": record.eligibility,
        "exclusion": record.eligibility,
    }.get(section)
    return NOT_IN_SOURCE if part is None else "none"


def comparison_sections(
    comparison: Comparison, records: list[TrialRecord], notes_on: list[Callable[[ItemRef], list[Any]]]
) -> list[ComparisonSection]:
    """The comparison's rows, per section, each item with its trial's notes (an item on several rows
    is printed on the first, and points there from the others); a section without
    rows gets one that says, per trial, whether the part is not in its source or empty.

    ``notes_on`` gives, per trial (column), the notes on an item: ref -> notes.
    """
    chars_per_line = max(20, _LANDSCAPE_TEXT_WIDTH_CHARS // max(1, len(comparison.trials)))
    printed: dict[tuple[int, ItemRef], tuple[int, str]] = {}  # (trial, item) -> (row number, label) first on
    printed_rows: list[tuple[int, str]] = []
    out = []
    for name, rows in comparison.sections.items():
        part = COMPARISON_PARTS[name]
        if not rows:
            cells = [[ComparisonItem(_nothing_to_align(record, name))] for record in records]
            empty = ComparisonRow(f"No {SECTION_TITLES[name].lower()}", False, cells, False)
            out.append(ComparisonSection(part, SECTION_TITLES[name], [empty]))
            continue
        built = []
        for row in rows:
            label = row.concept or UNMATCHED_ROW
            here = (len(printed_rows), label)
            printed_rows.append(here)
            cells = [
                [
                    _printed(printed, n, ref, text, here, notes)
                    if name in _ITEMS_ON_SEVERAL_ROWS
                    else ComparisonItem(text, notes(ref))
                    for text, ref in zip(texts, refs, strict=True)
                ]
                for n, (texts, refs, notes) in enumerate(zip(row.cells, row.keys, notes_on, strict=True))
            ]
            built.extend(
                _rows_of(row.concept or UNMATCHED_ROW, row.differs, cells, chars_per_line, row.values)
            )
        unsectioned = any(ref.group == "other" for row in rows for refs in row.keys for ref in refs)
        title = UNSECTIONED_TITLE if name == "inclusion" and unsectioned else SECTION_TITLES[name]
        out.append(ComparisonSection(part, title, built))
    return out


def _printed(
    printed: dict[tuple[int, ItemRef], tuple[int, str]],
    trial: int,
    ref: ItemRef,
    text: str,
    row: tuple[int, str],
    notes_on: Callable[[ItemRef], list[Any]],
) -> ComparisonItem:
    """An item with its notes on the first row it is on; on a later row (an item stating several
    facets is on each of their rows) a pointer to that first row, so its text and notes print once."""
    first = printed.setdefault((trial, ref), row)
    if first != row:
        return ComparisonItem(f"the item under “{first[1]}” above", repeat=True)
    return ComparisonItem(text, notes_on(ref), unsectioned=ref.group == "other")


def notes_off_the_rows(trial_notes: list[Any], sections: list[ComparisonSection]) -> list[Any]:
    """A trial's notes that are on no row of the comparison (on the trial itself, on a section, on
    an intervention, orphaned): the comparison prints them together, so that none is left out."""
    on_rows = {
        id(note)
        for section in sections
        for row in section.rows
        for cell in row.cells
        for item in cell
        for note in item.notes
    }
    return [note for note in trial_notes if id(note) not in on_rows]
