"""A comparison as JSON (``compare --json``) and as plain-text tables for a terminal."""

from __future__ import annotations

import textwrap

from .table import DIFFERS_MARK, EMPTY, SECTION_TITLES, SECTIONS, Comparison, Row


def row_to_json(row: Row) -> dict:
    """{"concept", "facet", "cells", "items", "values", "differs"}: ``items`` parallels ``cells`` with
    the items' keys ("criterion:inclusion/3"); ``values`` is null on rows that carry no values."""
    return {
        "concept": row.concept,
        "facet": row.facet,
        "cells": [list(cell) for cell in row.cells],
        "items": [[ref.key for ref in refs] for refs in row.keys],
        "values": list(row.values) if any(v is not None for v in row.values) else None,
        "differs": row.differs,
    }


def comparison_to_json(c: Comparison) -> dict:
    """{"trials", "key_differences": [{"facet", "title", "values", "text", "conflict"}], "sections": {section:
    [row_to_json(row), ...]}} (JSON-ready)."""
    return {
        "trials": list(c.trials),
        "key_differences": [
            {"facet": k.facet, "title": k.title, "values": list(k.values), "text": k.text, "conflict": k.conflict}
            for k in c.key_differences
        ],
        "sections": {name: [row_to_json(row) for row in c.sections.get(name, [])] for name in SECTIONS},
    }


# ---------------------------------------------------------------- plain text


def _values(row: Row) -> list[str | None]:
    return row.values if len(row.values) == len(row.cells) else [None] * len(row.cells)


def _wrap_cell(texts: list[str], width: int, value: str | None = None) -> list[str]:
    """A cell's lines: its value ("[ECOG 0-2]") first on a facet row, then its items."""
    lines = textwrap.wrap(f"[{value}]", width) if value is not None else []
    if not texts:
        return lines + ([] if lines else [EMPTY])
    for text in texts:
        bullet = "• " if len(texts) > 1 else ""
        for n, part in enumerate(text.split("\n")):
            first = bullet if n == 0 else " " * len(bullet)
            lead = len(part) - len(part.lstrip())
            indent = first + " " * lead
            lines.extend(
                textwrap.wrap(
                    part.strip(),
                    width,
                    initial_indent=indent,
                    subsequent_indent=" " * len(indent),
                    break_long_words=True,
                )
                or [""]
            )
    return lines


def _table_lines(rows: list[Row], headers: list[str], width: int) -> list[str]:
    n = len(headers)
    label_width = max(12, min(28, width // 6))
    column = max(12, (width - 2 - label_width - 3 * n) // n)

    def line(mark: str, first: str, cells: list[str]) -> str:
        parts = [f"{mark} {first:<{label_width}}"] + [f"{cell:<{column}}" for cell in cells]
        return " | ".join(parts).rstrip()

    rule = "-" * (2 + label_width + n * (3 + column))
    out = [line(" ", "", [h[:column] for h in headers]), rule]
    previous_height = 1
    for row in rows:
        first = textwrap.wrap(row.concept or "(unmatched)", label_width) or [""]
        cells = [_wrap_cell(cell, column, value) for cell, value in zip(row.cells, _values(row), strict=True)]
        height = max(len(first), *(len(c) for c in cells))
        if out[-1] != rule and (height > 1 or previous_height > 1):
            out.append(rule)  # rows of one line each sit together; longer rows are ruled off
        for i in range(height):
            mark = DIFFERS_MARK if row.differs and i == 0 else " "
            label_part = first[i] if i < len(first) else ""
            out.append(line(mark, label_part, [c[i] if i < len(c) else "" for c in cells]))
        previous_height = height
    out.append(rule)
    return out


def comparison_text(c: Comparison, width: int = 160) -> str:
    """Plain-text tables for a terminal: a heading per section, a column per trial, "≠" where rows differ."""
    out = []
    if c.key_differences:
        out.extend(["Key differences", "==============="])
        out.extend(
            f"{DIFFERS_MARK} {textwrap.shorten(k.text, width - 2, placeholder=' …')}"
            for k in c.key_differences
        )
    for name in SECTIONS:
        rows = c.sections.get(name, [])
        if not rows:
            continue
        title = SECTION_TITLES[name]
        out.extend(["", f"{title}", "=" * len(title)])
        out.extend(_table_lines(rows, list(c.trials), width))
    out.append(f"{DIFFERS_MARK} the trials differ · [value] what a trial requires")
    return "\n".join(out).lstrip("\n") + "\n"
