"""The trial view's page: a trial's presentation (plus its notes) as HTML for a QTextBrowser.

The page is rendered from reports/partials/trial_page.html.j2 in the reports' Jinja environment
(autoescape, StrictUndefined): a record's text can never become markup. The presentation
(reviewer.core.presentation) decides every value's state and every item's number; this module adds
what only the app shows: each item's anchor ``item-N``, its link ``add:N`` (write a note on it) and,
when it has notes, a coloured badge per tag linking to ``notes:N``, and the notes whose item is not
on the page. ``Rendered.items[N]`` says which item N is, as a note's stored (kind, key) columns.
On the current version each criterion shows its facets with the reviewers' corrections applied
(a link ``facets:N`` corrects them; a corrected one says by whom and what was extracted, on hover),
and the corrections whose criterion is gone are listed at the end with their old text.
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
MAX_RESULT_ROWS = 200  # rows a results table lists in the page (one trial reports 2,000 adverse-event terms)
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
class OrphanCorrection:
    """A facet correction whose criterion is gone from the current version (it keeps its old text)."""

    id: int
    label: str
    facets_text: str
    quote: str


def _correction_marks(trial: Trial, extracted, corrections) -> tuple[dict[int, str], list]:
    """The hover text of each corrected criterion n (who, when, what was extracted), and the
    corrections left over: orphaned ones."""
    from ..core.presentation.facet_words import facets_text
    from ..core.text import squash

    places = {ref: n for n, ref in enumerate(trial.items)}
    found = {item.ref: item for item in extracted}
    hovers: dict[int, str] = {}
    orphans = []
    for correction in corrections:
        n = places.get(correction.ref)
        if correction.orphaned or n is None or correction.ref not in found:
            orphans.append(
                OrphanCorrection(
                    correction.id,
                    correction.ref.label,
                    facets_text(correction.facets, corrected=True),
                    correction.quote,
                )
            )
            continue
        item = found[correction.ref]
        hover = (
            f"Corrected by {correction.author}, {correction.corrected_at:%d %b %Y}. "
            f"Extracted from the text: {facets_text(item.facets) or 'no facet'}."
        )
        if squash(correction.quote) != squash(item.text):
            hover += f" The criterion read, when corrected: “{correction.quote}”"
        hovers[n] = hover
    return hovers, orphans


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
    corrections: Iterable = (),
) -> Rendered:
    """The whole page of one trial (the version ``shown_version``; notes marked on the current one,
    and facets corrected on it by ``corrections``, core.corrections.Correction)."""
    # (these import Jinja, the facet rules and the store: not needed for the first paint)
    from ..core.corrections import apply_corrections
    from ..core.eligibility import criterion_facets
    from ..core.reports import _environment

    is_current = shown_version is None or shown_version.get("id") == current_version_id
    shown_id = shown_version.get("id") if shown_version else None
    labels = format_labels or {}
    extracted = criterion_facets(record)
    corrections = list(corrections) if is_current else []
    trial = present(
        record,
        versions,
        shown_version_id=shown_id,
        current_version_id=current_version_id,
        format_labels=labels,
        item_facets=apply_corrections(extracted, corrections),
    )
    badges, orphans = _marks(trial, notes, marked=is_current)
    corrected, orphaned_corrections = _correction_marks(trial, extracted, corrections)
    context: dict[str, Any] = {
        "p": trial,
        "badges": badges,
        "marks_on": is_current,
        "orphans": orphans,
        "corrected": corrected,
        "orphaned_corrections": orphaned_corrections,
        "banner": None if is_current else version_of(shown_version, shown_id, current_version_id, labels),
        "shown_version": version_of(shown_version, shown_id, current_version_id, labels)
        if shown_version
        else None,
        "max_sites": MAX_SITES,
        "max_result_rows": MAX_RESULT_ROWS,
    }
    html = _environment(None).get_template(TEMPLATE).render(context)
    items = [(ref.kind.value, ref.path) for ref in trial.items] + [orphan.item for orphan in orphans]
    return Rendered(html, items)
