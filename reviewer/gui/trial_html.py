"""The trial view's page: a trial's presentation (plus its notes) as HTML for a QTextBrowser.

The page is rendered from reports/partials/trial_page.html.j2 in the reports' Jinja environment
(autoescape, StrictUndefined): a record's text can never become markup. The presentation
(reviewer.core.presentation) decides every value's state and every item's number; this module adds
what only the app shows: each item's anchor ``item-N``, its link ``add:N`` (write a note on it) and,
when it has notes, a coloured badge per tag linking to ``notes:N``, and the notes whose item is not
on the page. ``Rendered.items[N]`` says which item N is, as a note's stored (kind, key) columns.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..core.items import label_of
from ..core.presentation.trial import Trial, present, version_of
from ..core.record import TrialRecord

TAG_ORDER = ("concern", "question", "suggestion", "ok", None)
MAX_SITES = 150  # sites listed in the page; the rest are counted (the source tab has them all)
TEMPLATE = "partials/trial_page.html.j2"


@dataclass
class Rendered:
    html: str
    items: list[tuple[str, str]] = field(default_factory=list)  # item N -> (kind, key)

    def anchor_of(self, kind: str, key: str) -> str | None:
        try:
            return f"item-{self.items.index((kind, key))}"
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class Orphan:
    """A note whose item is gone (with its quote) or not on the page (a selection elsewhere)."""

    n: int
    item: tuple[str, str]  # the note's (kind, key)
    tag: str | None
    label: str
    body: str
    quote: str | None


def _marks(trial: Trial, notes: Iterable[dict], marked: bool) -> tuple[dict[int, list], list[Orphan]]:
    """Badges per item n ([(tag, count)] in TAG_ORDER) and the notes left over for the end: the
    orphaned ones and those whose item is not on the page."""
    by_item: dict[tuple[str, str], list[dict]] = {}
    leftover: list[dict] = []
    for note in notes:
        if note.get("orphaned"):
            leftover.append(note)
        else:
            by_item.setdefault((note["item_kind"], note["item_key"]), []).append(note)
    badges: dict[int, list] = {}
    for n, ref in enumerate(trial.items):
        on_item = by_item.pop((ref.kind.value, ref.path), [])
        if on_item and marked:
            counts = Counter(note.get("tag") for note in on_item)
            badges[n] = [(tag, counts[tag]) for tag in TAG_ORDER if counts.get(tag)]
    leftover += [note for on_item in by_item.values() for note in on_item]
    first = len(trial.items)
    return badges, [
        Orphan(
            first + i,
            (note["item_kind"], note["item_key"]),
            note.get("tag"),
            label_of(note),
            note["body"],
            note.get("quote"),
        )
        for i, note in enumerate(leftover)
    ]


def render_trial(
    record: TrialRecord,
    *,
    notes: Iterable[dict] = (),
    versions: list[dict] | None = None,
    shown_version: dict | None = None,
    current_version_id: int | None = None,
    format_labels: dict[str, str] | None = None,
) -> Rendered:
    """The whole page of one trial (the version ``shown_version``; notes marked on the current one)."""
    from ..core.reports import _environment  # (imports Jinja and the store: not needed for the first paint)

    is_current = shown_version is None or shown_version.get("id") == current_version_id
    shown_id = shown_version.get("id") if shown_version else None
    labels = format_labels or {}
    trial = present(
        record,
        versions,
        shown_version_id=shown_id,
        current_version_id=current_version_id,
        format_labels=labels,
    )
    badges, orphans = _marks(trial, notes, marked=is_current)
    context: dict[str, Any] = {
        "p": trial,
        "badges": badges,
        "marks_on": is_current,
        "orphans": orphans,
        "banner": None if is_current else version_of(shown_version, shown_id, current_version_id, labels),
        "shown_version": version_of(shown_version, shown_id, current_version_id, labels)
        if shown_version
        else None,
        "max_sites": MAX_SITES,
    }
    html = _environment(None).get_template(TEMPLATE).render(context)
    items = [(ref.kind.value, ref.path) for ref in trial.items] + [orphan.item for orphan in orphans]
    return Rendered(html, items)
