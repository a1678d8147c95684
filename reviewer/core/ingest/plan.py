"""Which path an import takes, decided once (plan_import) from a survey of what it is given."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .finding import survey

# From this many documents, an import that may choose (the window's, the command line's without
# --bulk or --serial) takes the bulk path: below it, the workers' start (about half a second) is not
# worth it, and per-document progress reads better.
BULK_FROM_DOCUMENTS = 2000


@dataclass(frozen=True)
class ImportPlan:
    """Which path an import takes, decided once from a survey of its paths (plan_import)."""

    total: int  # documents, a big array's studies estimated
    big_arrays: dict[str, int]  # big JSON arrays (only the bulk path can split them) and their estimates
    bulk: bool
    reason: str  # why this path, for the line the command line prints

    def describe(self) -> str:
        path = "the bulk path (worker processes)" if self.bulk else "the per-file path"
        return f"importing {self.total:,} document(s) by {path}: {self.reason}"


def plan_import(paths: list[Path], bulk: bool | None = None) -> ImportPlan:
    """The one rule for the bulk path: asked for (``bulk`` True), or, when the caller lets the import
    choose (None), from BULK_FROM_DOCUMENTS documents (a registry zip, a big folder or a big array).
    A big JSON array takes it even when the per-file path was asked for: read whole, it would be
    refused as oversized."""
    total, big_arrays = survey(paths)  # at once, from the zips' end records and the arrays' first studies
    if big_arrays and not bulk:
        return ImportPlan(total, big_arrays, True, "a JSON array too big to read whole is split study by study")
    if bulk is None:
        if total >= BULK_FROM_DOCUMENTS:
            return ImportPlan(total, big_arrays, True, f"{BULK_FROM_DOCUMENTS:,} documents or more")
        return ImportPlan(total, big_arrays, False, f"fewer than {BULK_FROM_DOCUMENTS:,} documents")
    return ImportPlan(total, big_arrays, bulk, "as asked")
