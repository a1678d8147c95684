"""A note on selected text is on the item it lies in: the "span" item kind goes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 15:00:00

Until 0005 a note on a selection had the item kind "span" and the key of the item it lay in, with no
word of that item's kind: "primary/1" read as a criterion, and "other/2" could be the "other"
criterion 2 or the "other" outcome 2. Each such note now takes the kind of its item (trial, section,
criterion, outcome, arm or intervention; see reviewer.core.items), keeps its key, and keeps its
offsets in span_start/span_end (computed from the item's text when they were not kept). An
"other/N" key is decided by the trial's current version: the outcome when only the "other" outcome N
holds the quote, else the criterion. Downgrading makes every note with offsets a "span" note again.
"""

import json
import re

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Literal copies of what this revision means (a migration must keep meaning what it meant).
SECTION_KEYS = frozenset(
    {"overview", "design", "arms", "eligibility", "outcomes", "sponsors", "documents", "versions", "source"}
)
_SPACES = re.compile(r"\s+")


def _squashed(text):
    return _SPACES.sub(" ", text or "").strip().lower()


def _criterion_texts(trees):
    """"inclusion/2.1" -> text, for every criterion of a version's parts ("criteria" value)."""
    texts = {}

    def walk(items, section, parent):
        for n, item in enumerate(items, 1):
            number = f"{parent}.{n}" if parent else str(n)
            texts[f"{section}/{number}"] = item["text"]
            walk(item.get("children") or (), section, number)

    for section, items in (trees or {}).items():
        walk(items or (), section, "")
    return texts


def _outcome_texts(outcomes):
    texts, counters = {}, {}
    for outcome in outcomes or ():
        counters[outcome["kind"]] = counters.get(outcome["kind"], 0) + 1
        texts[f"{outcome['kind']}/{counters[outcome['kind']]}"] = outcome["measure"]
    return texts


def _holds(text, quote):
    return text is not None and (not quote or _squashed(quote) in _squashed(text))


def item_of(key, quote, parts, brief_title):
    """(kind, the item's text or None) of the item a selection with this key lies in."""
    if key == "":
        return "trial", brief_title
    if key in SECTION_KEYS:
        return "section", None
    criteria = _criterion_texts(parts.get("criteria"))
    outcomes = _outcome_texts(parts.get("outcomes"))
    if "/" in key:
        group = key.split("/", 1)[0]
        if group in ("inclusion", "exclusion"):
            return "criterion", criteria.get(key)
        if group == "other":
            if _holds(outcomes.get(key), quote) and not _holds(criteria.get(key), quote):
                return "outcome", outcomes[key]
            return "criterion", criteria.get(key)
        return "outcome", outcomes.get(key)
    for arm in parts.get("arms") or ():
        if arm["label"] == key:
            return "arm", " ".join(x for x in (arm["label"], arm.get("description")) if x)
    for intervention in parts.get("interventions") or ():
        if f"{intervention.get('type') or 'OTHER'}:{intervention['name']}" == key:
            return "intervention", intervention["name"]
    return ("intervention" if ":" in key else "arm"), None


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.exec_driver_sql(
        "SELECT note.id, note.item_key, note.quote, note.span_start, note.span_end, v.parts, v.brief_title "
        "FROM note JOIN trial ON trial.id = note.trial_id "
        "LEFT JOIN trial_version AS v ON v.id = trial.current_version_id "
        "WHERE note.item_kind = 'span'"
    ).fetchall()
    for note_id, key, quote, start, end, parts, brief_title in rows:
        kind, text = item_of(key, quote, json.loads(parts) if parts else {}, brief_title)
        if start is None and quote and text:
            at = text.find(quote)
            if at >= 0:
                start, end = at, at + len(quote)
        conn.exec_driver_sql(
            "UPDATE note SET item_kind = ?, span_start = ?, span_end = ? WHERE id = ?", (kind, start, end, note_id)
        )


def downgrade() -> None:
    op.execute("UPDATE note SET item_kind = 'span' WHERE span_start IS NOT NULL")
