"""The eligibility grid: what 2 to 50 trials require, facet by facet, side by side.

Rows are the union of the trials' requirements (reviewer.core.profile), in a clinician's order:
demographics, performance status, life expectancy, laboratory values (haematology, liver, kidney,
then the others), brain metastases, biomarkers, prior therapy, washout periods, then the bare kinds
(consent, pregnancy ...). A requirement under a scoping heading ("Cohort 2") is a row of its own,
labelled with the scope, right below the same facet's row for everyone. Each cell is the trial's
requirement in words ("ECOG 0-2", "ANC ≥ 1.5 ×10⁹/L", "stable allowed") or "not stated", with the
items that decide it and their texts. A row differs when two trials state different values (ECOG 0-2
against 1-3: the wording does not count, the values do); it is partial when some trials do not state
it. "Only differences" shows the rows that differ, and on request the partial ones too. In a row
that differs, the cells whose value is not the one most trials state are its outliers (bold in the
window and the PDF): the odd ones out among many trials.

The window (gui/views/grid_window.py), the PDF (reports/grid.html.j2), the CSV, the JSON and the
text of `reviewer grid` all read one Grid.
"""

from __future__ import annotations

import csv
import io
import textwrap
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .eligibility import ItemFacets, criterion_facets
from .items import ItemRef
from .profile import Requirement, facet_title, profile
from .record import TrialRecord

MIN_TRIALS, MAX_TRIALS = 2, 50
NOT_STATED = "not stated"
COLUMNS_PER_PAGE = 8  # the PDF's trials per page; the facet column is repeated on each

# The clinician's order: groups of row slots. A slot is a requirement key ("age", "lab:anc") or, ending
# in ":", every key of that kind not named before it ("lab:"); "" takes any key left.
ROW_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Demographics", ("age", "sex")),
    ("Performance status and life expectancy", (
        "performance:ECOG", "performance:Karnofsky", "performance:WHO", "performance:Lansky", "performance:",
        "life_expectancy",
    )),
    ("Haematology", ("lab:anc", "lab:wbc", "lab:platelets", "lab:hemoglobin", "lab:hematocrit", "lab:inr", "lab:pt", "lab:aptt")),
    ("Liver", ("lab:bilirubin", "lab:direct_bilirubin", "lab:ast", "lab:alt", "lab:transaminases", "lab:alp", "lab:albumin")),
    ("Kidney", ("lab:creatinine", "lab:creatinine_clearance", "lab:egfr")),
    ("Other laboratory and cardiac values", ("lab:lvef", "lab:qtc", "lab:")),
    ("Disease", ("brain_metastases", "biomarker:")),
    ("Treatment history", ("prior_lines", "prior_therapy", "washout:")),
    ("Other criteria", (
        "measurable_disease", "other_malignancy", "infection", "hypersensitivity", "pregnancy",
        "breastfeeding", "contraception", "consent", "",
    )),
)  # fmt: skip
_EXACT_SLOTS = {
    slot: (g, s)
    for g, (_, slots) in enumerate(ROW_GROUPS)
    for s, slot in enumerate(slots)
    if slot and not slot.endswith(":")
}
_PREFIX_SLOTS = [
    (slot, (g, s))
    for g, (_, slots) in enumerate(ROW_GROUPS)
    for s, slot in enumerate(slots)
    if slot.endswith(":")
]
_LAST_SLOT = next(
    (g, s) for g, (_, slots) in enumerate(ROW_GROUPS) for s, slot in enumerate(slots) if slot == ""
)
_SECTION_ABBREVIATIONS = {"inclusion": "incl.", "exclusion": "excl.", "other": "unsectioned"}


@dataclass(frozen=True)
class GridCell:
    """One trial's requirement on one facet, or None: the trial does not state it."""

    requirement: Requirement | None
    quotes: tuple[tuple[ItemRef, str], ...] = ()  # the deciding items and their texts

    @property
    def stated(self) -> bool:
        return self.requirement is not None

    @property
    def text(self) -> str:
        return self.requirement.text if self.requirement is not None else NOT_STATED

    @property
    def value(self) -> Any:
        return self.requirement.value if self.requirement is not None else None

    @property
    def items(self) -> tuple[ItemRef, ...]:
        return self.requirement.items if self.requirement is not None else ()

    @property
    def where(self) -> str:
        """The deciding items in short: "incl. 4, 6 · excl. 2"."""
        return item_numbers(self.items)

    @property
    def deciding(self) -> list[str]:
        """The deciding criteria in words: "Inclusion criterion 6: ECOG performance status 0-2"."""
        return [f"{ref.label}: {text}" for ref, text in self.quotes]


@dataclass(frozen=True)
class GridRow:
    key: str  # the requirement's key ("performance:ECOG", "lab:bilirubin|Gilbert's syndrome")
    scope: str | None  # the scoping heading ("Cohort 2"), None: everyone
    group: str  # its group's title (ROW_GROUPS)
    cells: tuple[GridCell, ...]
    differs: bool  # two trials state different values
    partial: bool  # some trials state it, some do not
    outliers: frozenset[int] = frozenset()  # columns whose value is not the one most trials state

    @property
    def title(self) -> str:
        """The facet in words, with its scope: "Performance status (ECOG) · Cohort 2"."""
        title = facet_title(self.key)
        return f"{title} · {self.scope}" if self.scope else title

    @property
    def stated_by(self) -> int:
        return sum(cell.stated for cell in self.cells)


@dataclass(frozen=True)
class Grid:
    trials: tuple[str, ...]  # registry ids, the columns' order
    titles: tuple[str, ...]  # the trials' brief titles
    rows: tuple[GridRow, ...]

    def shown_rows(self, only_differences: bool = False, with_partial: bool = False) -> list[GridRow]:
        """Every row, or only those that differ (``with_partial``: and those some trials do not state)."""
        if not only_differences:
            return list(self.rows)
        return [row for row in self.rows if row.differs or (with_partial and row.partial)]

    def groups(
        self, only_differences: bool = False, with_partial: bool = False
    ) -> list[tuple[str, list[GridRow]]]:
        """(group title, its rows) in order, groups without a row left out."""
        found: dict[str, list[GridRow]] = {}
        for row in self.shown_rows(only_differences, with_partial):
            found.setdefault(row.group, []).append(row)
        return list(found.items())

    def column_groups(self, size: int = COLUMNS_PER_PAGE) -> list[range]:
        """The trials' columns in runs of ``size`` (a page of the PDF each)."""
        return [
            range(start, min(start + size, len(self.trials))) for start in range(0, len(self.trials), size)
        ]

    @property
    def differing(self) -> int:
        return sum(row.differs for row in self.rows)


def build_grid(
    records: Sequence[TrialRecord], item_facets: Sequence[Sequence[ItemFacets]] | None = None
) -> Grid:
    """The grid of these trials, in this order. ``item_facets`` gives each trial's criteria with their
    facets (a reviewer's corrections applied); by default they are read from the records. ValueError
    for fewer than 2 or more than 50 trials."""
    problem = trial_count_problem(len(records))
    if problem:
        raise ValueError(problem)
    if item_facets is None:
        item_facets = [criterion_facets(record) for record in records]
    elif len(item_facets) != len(records):
        raise ValueError(f"{len(item_facets)} lists of item facets for {len(records)} trials")
    profiles, texts = [], []
    for record, facets in zip(records, item_facets, strict=True):
        sex = record.eligibility.sex if record.eligibility is not None else None
        profiles.append(profile(facets, sex))
        texts.append({item.ref: item.text for item in facets})
    keys = sorted({key for found in profiles for key in found}, key=_row_order)
    rows = []
    for key, scope in keys:
        cells = tuple(
            _cell(found.get((key, scope)), trial_texts)
            for found, trial_texts in zip(profiles, texts, strict=True)
        )
        stated_values = {cell.value for cell in cells if cell.stated}
        partial = not all(cell.stated for cell in cells)
        group = ROW_GROUPS[_slot(key)[0]][0]
        rows.append(GridRow(key, scope, group, cells, len(stated_values) > 1, partial, _outliers(cells)))
    return Grid(
        tuple(record.registry_id for record in records),
        tuple(record.brief_title or record.official_title or "" for record in records),
        tuple(rows),
    )


def _outliers(cells: tuple[GridCell, ...]) -> frozenset[int]:
    """The columns that state another value than the one most trials state; none when no value is
    stated more often than every other (ECOG 0-1 against 0-2 alone: neither is the odd one out)."""
    counts = Counter(cell.value for cell in cells if cell.stated)
    if len(counts) < 2:
        return frozenset()
    (usual, most), (_, next_most) = counts.most_common(2)
    if most == next_most:
        return frozenset()
    return frozenset(n for n, cell in enumerate(cells) if cell.stated and cell.value != usual)


def trial_count_problem(count: int) -> str | None:
    """Why a grid cannot be made of ``count`` trials, in one sentence; None when it can."""
    if MIN_TRIALS <= count <= MAX_TRIALS:
        return None
    given = f"{count} {'was' if count == 1 else 'were'} given"
    return f"an eligibility grid takes {MIN_TRIALS} to {MAX_TRIALS} trials; {given}"


def _cell(requirement: Requirement | None, texts: dict[ItemRef, str]) -> GridCell:
    if requirement is None:
        return GridCell(None)
    return GridCell(requirement, tuple((ref, texts[ref]) for ref in requirement.items if ref in texts))


def _slot(key: str) -> tuple[int, int]:
    base = key.partition("|")[0]
    if base in _EXACT_SLOTS:
        return _EXACT_SLOTS[base]
    for prefix, slot in _PREFIX_SLOTS:
        if base.startswith(prefix):
            return slot
    return _LAST_SLOT


def _row_order(key_scope: tuple[str, str | None]) -> tuple:
    key, scope = key_scope
    base, _, condition = key.partition("|")
    # a subgroup's threshold below the analyte's, a scope's row below everyone's
    return (*_slot(key), base, bool(condition), condition, scope is not None, scope or "")


def item_numbers(refs: Sequence[ItemRef]) -> str:
    """Criterion items in short, by section: "incl. 4, 6 · excl. 2"."""
    by_section: dict[str, list[str]] = {}
    for ref in refs:
        by_section.setdefault(ref.group, []).append(ref.number)
    return " · ".join(
        f"{_SECTION_ABBREVIATIONS.get(section, section)} {', '.join(numbers)}"
        for section, numbers in by_section.items()
    )


# ---------------------------------------------------------------- the grid as CSV, JSON and text

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(text: str) -> str:
    """A cell a spreadsheet will not run: text starting like a formula (= + - @, a tab) gets a "'"
    first. A criterion's text is whatever the document says, so it is never trusted."""
    return "'" + text if text.lstrip(" ").startswith(_FORMULA_STARTS) else text


def grid_csv(grid: Grid) -> bytes:
    """The grid as CSV for a spreadsheet: a header row (Facet, then each trial's registry id), a row
    per facet; UTF-8 with a byte-order mark (Excel then reads ≥ and µ right), CRLF line ends."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_safe(text) for text in ("Facet", *grid.trials)])
    for row in grid.rows:
        writer.writerow([csv_safe(text) for text in (row.title, *(cell.text for cell in row.cells))])
    return buffer.getvalue().encode("utf-8-sig")


def grid_to_json(grid: Grid) -> dict[str, Any]:
    return {
        "trials": [
            {"id": registry_id, "title": title}
            for registry_id, title in zip(grid.trials, grid.titles, strict=True)
        ],
        "rows": [
            {
                "facet": row.title,
                "key": row.key,
                "scope": row.scope,
                "group": row.group,
                "differs": row.differs,
                "partial": row.partial,
                "cells": [
                    {"text": cell.text, "stated": cell.stated, "items": [ref.key for ref in cell.items]}
                    for cell in row.cells
                ],
            }
            for row in grid.rows
        ],
    }


def grid_text(grid: Grid, width: int = 160) -> str:
    """The grid for a terminal: as many trials side by side as ``width`` holds, the next ones below
    (the facet column repeated), each group under its title; ≠ marks a row that differs."""
    facet_width = 34
    column_width = 24
    per_block = max(1, (width - facet_width) // column_width)
    lines = [
        f"Eligibility grid of {len(grid.trials)} trials; {grid.differing} of {len(grid.rows)} facets differ (≠)."
    ]
    for columns in grid.column_groups(per_block):
        lines.append("")
        lines.append(_text_row("Facet", [grid.trials[i] for i in columns], facet_width, column_width))
        lines.append("-" * min(width, facet_width + column_width * len(columns)))
        for group, rows in grid.groups():
            lines.append(group.upper())
            for row in rows:
                title = ("≠ " if row.differs else "  ") + row.title
                lines.append(
                    _text_row(title, [row.cells[i].text for i in columns], facet_width, column_width)
                )
    return "\n".join(lines) + "\n"


def _text_row(first: str, cells: list[str], facet_width: int, column_width: int) -> str:
    wrapped = [textwrap.wrap(first, facet_width - 1) or [""]] + [
        textwrap.wrap(cell, column_width - 2) or [""] for cell in cells
    ]
    height = max(len(lines) for lines in wrapped)
    out = []
    for n in range(height):
        parts = [(lines[n] if n < len(lines) else "") for lines in wrapped]
        out.append(parts[0].ljust(facet_width) + "".join(part.ljust(column_width) for part in parts[1:]))
    return "\n".join(line.rstrip() for line in out)
