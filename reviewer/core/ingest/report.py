"""What an import tells its caller: a result per document, the report of the whole import, its progress."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..store import writing as store_writing


@dataclass
class DocumentResult:
    name: str
    error: str | None = None  # one-line reason when the document was refused
    saved: list[store_writing.SaveResult] = field(default_factory=list)
    source_format: str | None = None
    skipped: bool = False  # bulk mode: this exact source is already stored
    # imported, but fields read as "not in source" because of their type or range: "NCT...: field ..."
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class ImportReport:
    """Counts of what an import did, the failures, and (unless a bulk import) every document's result."""

    results: list[DocumentResult] = field(default_factory=list)
    failed: list[DocumentResult] = field(default_factory=list)
    warned: list[DocumentResult] = field(default_factory=list)  # imported with warnings
    counts: dict[str, int] = field(default_factory=lambda: {"added": 0, "updated": 0, "unchanged": 0})
    documents: int = 0
    skipped: int = 0  # bulk mode: documents whose exact source was already stored
    cancelled: bool = False
    seconds: float = 0.0
    keep_results: bool = True  # a bulk import of 600,000 studies keeps only counts and failures
    updated_trials: set[int] = field(default_factory=set)  # trials that got a new version

    def add(self, result: DocumentResult) -> None:
        self.documents += 1
        self.skipped += result.skipped
        for saved in result.saved:
            self.counts[saved.outcome] += 1
            if saved.outcome == "updated":
                self.updated_trials.add(saved.trial_id)
        if not result.ok:
            self.failed.append(result)
        elif result.warnings:
            self.warned.append(result)
        if self.keep_results:
            self.results.append(result)

    def merge(self, other: ImportReport) -> None:
        """Add the counts, failures and results of a part of this import (a worker's batch)."""
        self.documents += other.documents
        self.skipped += other.skipped
        for outcome, number in other.counts.items():
            self.counts[outcome] += number
        self.failed.extend(other.failed)
        self.warned.extend(other.warned)
        self.updated_trials |= other.updated_trials
        if self.keep_results:
            self.results.extend(other.results)

    def count(self, outcome: str) -> int:
        return self.counts[outcome]

    def summary(self) -> str:
        text = (
            f"{self.documents:,} document(s): {self.count('added'):,} trial(s) added, "
            f"{self.count('updated'):,} updated, {self.count('unchanged') + self.skipped:,} unchanged, "
            f"{len(self.failed):,} failed"
        )
        if self.warned:
            text += f", {len(self.warned):,} imported with warnings"
        return text + (" (cancelled)" if self.cancelled else "")

    def to_dict(self) -> dict:
        shown = self.results if self.keep_results else self.failed + self.warned
        return {
            "documents": self.documents,
            "added": self.count("added"),
            "updated": self.count("updated"),
            "unchanged": self.count("unchanged") + self.skipped,
            "failed": len(self.failed),
            "cancelled": self.cancelled,
            "seconds": round(self.seconds, 3),
            "results": [
                {
                    "name": r.name,
                    "ok": r.ok,
                    "error": r.error,
                    "format": r.source_format,
                    "warnings": r.warnings,
                    "trials": [{"id": s.registry_id, "outcome": s.outcome} for s in r.saved],
                }
                for r in shown
            ],
        }


@dataclass
class Progress:
    """What a progress display needs: counts, the current document and an estimate of time left."""

    done: int
    total: int | None
    current: str
    elapsed: float

    @property
    def eta_seconds(self) -> float | None:
        if not self.total or not self.done or self.done >= self.total:
            return None
        return self.elapsed / self.done * (self.total - self.done)


ProgressCallback = Callable[[Progress], None]
