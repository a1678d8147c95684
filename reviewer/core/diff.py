"""What changed between two versions of a trial, part by part, as a reviewer reads it.

``diff_records(before, after)`` compares two TrialRecords of the same trial and lists the changes:
status and dates; design and enrollment; sponsor and collaborators; arms and interventions matched
by label, then by content (a renamed arm is one change, not a removal and an addition); criteria
item by item (inserted, deleted, moved, reworded, with word-level marks inside a reworded item);
outcomes matched by measure (a change of time frame or description; promoted from secondary to
primary and back); sites added, removed or changing status.

A change in punctuation, case or line breaks alone is no change: texts are compared by their words.
Renumbering is no change either: criteria are matched by their text, not by their number, so an item
inserted at the top does not make every later item "changed". Bookkeeping dates that move with every
version (last update posted, status verified, first submitted) are left out.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from . import items
from .items import CRITERION_SECTIONS
from .record import Arm, Intervention, Location, Outcome, TrialRecord

CHANGE_KINDS = ("changed", "inserted", "deleted", "reworded", "moved")
OUTCOME_PARTS = {"primary": "primaryOutcomes", "secondary": "secondaryOutcomes", "other": "otherOutcomes"}
# below this share of words in common, two items are different items, not a rewording of one
REWORDED_AT = 0.5
_DATES = ("start", "primary_completion", "completion", "first_posted")
_DESIGN = (
    "study_type", "primary_purpose", "allocation", "intervention_model", "masking", "who_masked",
    "observational_model", "time_perspective",
)  # fmt: skip
_WORD = re.compile(r"\w+", re.UNICODE)
_TOKEN = re.compile(r"\S+\s*")


@dataclass(frozen=True)
class Change:
    """One difference. ``item`` names the item in the version it is found in (the new one, or the old
    one for a deletion): a criterion's key such as "inclusion/3.2", an outcome's "primary/1", an arm's
    label, a site's name. ``words`` marks a rewording word by word: ("=", text), ("-", removed),
    ("+", added), each text with the spacing of its source."""

    part: str
    kind: str
    item: str | None
    before: Any
    after: Any
    words: tuple[tuple[str, str], ...] | None = None
    before_item: str | None = None  # where a moved or reworded item was in the old version

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["words"] = None if self.words is None else [list(w) for w in self.words]
        return out


@dataclass
class RecordDiff:
    changes: list[Change] = field(default_factory=list)

    def of_part(self, part: str) -> list[Change]:
        return [c for c in self.changes if c.part == part]

    def __bool__(self) -> bool:
        return bool(self.changes)


def words_of(text: str | None) -> tuple[str, ...]:
    """The words of a text, case folded: what two texts must share to be the same text."""
    return tuple(w.casefold() for w in _WORD.findall(text or ""))


def same_text(a: str | None, b: str | None) -> bool:
    return words_of(a) == words_of(b)


def word_marks(before: str, after: str) -> tuple[tuple[str, str], ...]:
    """A rewording word by word: words kept are given as the new text has them, words removed and
    added as each side has them (with their punctuation and the spacing after them)."""
    old, new = _TOKEN.findall(before), _TOKEN.findall(after)
    matcher = difflib.SequenceMatcher(a=[words_of(t) for t in old], b=[words_of(t) for t in new], autojunk=False)
    marks: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            marks.append(("=", "".join(new[j1:j2])))
            continue
        if i2 > i1:
            marks.append(("-", "".join(old[i1:i2])))
        if j2 > j1:
            marks.append(("+", "".join(new[j1:j2])))
    return tuple(marks)


def similarity(a: str, b: str) -> float:
    """The share of words two texts have in common, in order (0 to 1)."""
    wa, wb = words_of(a), words_of(b)
    if not wa and not wb:
        return 1.0
    matcher = difflib.SequenceMatcher(a=wa, b=wb, autojunk=False)
    if matcher.real_quick_ratio() < REWORDED_AT or matcher.quick_ratio() < REWORDED_AT:
        return 0.0
    return matcher.ratio()


def diff_records(before: TrialRecord, after: TrialRecord) -> RecordDiff:
    diff = RecordDiff()
    add = diff.changes.append
    for part, old, new in (
        ("title", before.brief_title, after.brief_title),
        ("status", before.overall_status, after.overall_status),
        ("lastKnownStatus", before.last_known_status, after.last_known_status),
        ("whyStopped", before.why_stopped, after.why_stopped),
    ):
        _value(add, part, old, new)
    for name in _DATES:
        old_date = _dated(getattr(before.dates, name), getattr(before.dates, f"{name}_type", None))
        new_date = _dated(getattr(after.dates, name), getattr(after.dates, f"{name}_type", None))
        _value(add, f"dates.{name}", old_date, new_date)
    _value(add, "phases", before.design.phases, after.design.phases)
    for name in _DESIGN:
        _value(add, f"design.{name}", getattr(before.design, name), getattr(after.design, name))
    old_enrollment = {"count": before.design.enrollment_count, "type": before.design.enrollment_type}
    new_enrollment = {"count": after.design.enrollment_count, "type": after.design.enrollment_type}
    _value(add, "enrollment", old_enrollment, new_enrollment)
    _value(add, "sponsor", _sponsor_name(before), _sponsor_name(after))
    _sets(add, "collaborators", [c.name for c in before.collaborators or []], [c.name for c in after.collaborators or []])
    _sets(add, "conditions", before.conditions or [], after.conditions or [])
    _matched(add, "arms", before.arms or [], after.arms or [], lambda a: a.label, _arm_content, _arm_fields)
    _matched(
        add, "interventions", before.interventions or [], after.interventions or [],
        lambda i: f"{(i.type or '').upper()}:{i.name}", lambda i: i.name, _intervention_fields,
    )  # fmt: skip
    _criteria(add, before, after)
    _outcomes(add, before.outcomes or [], after.outcomes or [])
    _sites(add, before.locations or [], after.locations or [])
    return diff


# --- values -------------------------------------------------------------------------------------


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, str) and isinstance(new, str):
        return same_text(old, new)
    return old == new


def _value(add: Callable[[Change], None], part: str, old: Any, new: Any) -> None:
    if not _same(old, new):
        add(Change(part, "changed", None, old, new))


def _dated(date: str | None, kind: str | None) -> str | None:
    if date is None:
        return None
    return f"{date} ({kind.lower()})" if kind else date


def _sponsor_name(record: TrialRecord) -> str | None:
    return record.lead_sponsor.name if record.lead_sponsor else None


def _sets(add: Callable[[Change], None], part: str, old: list[str], new: list[str]) -> None:
    old_words = {words_of(v): v for v in old}
    new_words = {words_of(v): v for v in new}
    for key, value in old_words.items():
        if key not in new_words:
            add(Change(part, "deleted", value, value, None))
    for key, value in new_words.items():
        if key not in old_words:
            add(Change(part, "inserted", value, None, value))


# --- arms and interventions -----------------------------------------------------------------------


def _arm_content(arm: Arm) -> str:
    return " ".join([arm.description or "", *arm.intervention_names])


def _arm_fields(arm: Arm) -> dict[str, Any]:
    return {"label": arm.label, "type": arm.type, "description": arm.description, "interventions": arm.intervention_names}


def _intervention_fields(item: Intervention) -> dict[str, Any]:
    return {
        "name": item.name, "type": item.type, "description": item.description,
        "otherNames": item.other_names, "arms": item.arm_labels,
    }  # fmt: skip


def _matched(add, part, old_items, new_items, label_of, content_of, fields_of) -> None:
    """Items matched by label (as words), then the rest by content (a renamed item); each pair's
    fields compared; the unmatched are added or removed."""
    pairs: list[tuple[Any, Any]] = []
    old_left = list(old_items)
    by_label = {}
    for item in old_left:
        by_label.setdefault(words_of(label_of(item)), item)
    new_left = []
    for item in new_items:
        match = by_label.pop(words_of(label_of(item)), None)
        if match is None:
            new_left.append(item)
        else:
            pairs.append((match, item))
            old_left.remove(match)
    for old, new, _score in _best_pairs(old_left, new_left, content_of):
        pairs.append((old, new))
        old_left.remove(old)
        new_left.remove(new)
    for old, new in pairs:
        before, after = fields_of(old), fields_of(new)
        changed = [name for name in before if not _same(before[name], after[name])]
        if changed:
            add(
                Change(
                    part, "changed", label_of(new),
                    {n: before[n] for n in changed}, {n: after[n] for n in changed}, before_item=label_of(old),
                )
            )  # fmt: skip
    for item in old_left:
        add(Change(part, "deleted", label_of(item), fields_of(item), None))
    for item in new_left:
        add(Change(part, "inserted", label_of(item), None, fields_of(item)))


def _best_pairs(old: list[Any], new: list[Any], text_of: Callable[[Any], str]) -> Iterator[tuple[Any, Any, float]]:
    """Pairs of the most similar items first, each item in one pair at most, above REWORDED_AT."""
    if not old or not new:
        return
    scored = []
    for i, a in enumerate(old):
        for j, b in enumerate(new):
            score = similarity(text_of(a), text_of(b))
            if score >= REWORDED_AT:
                # nearer places win a tie: a rewording usually stays where it was
                scored.append((score, -abs(i / len(old) - j / len(new)), i, j))
    used_old: set[int] = set()
    used_new: set[int] = set()
    for score, _near, i, j in sorted(scored, reverse=True):
        if i not in used_old and j not in used_new:
            used_old.add(i)
            used_new.add(j)
            yield old[i], new[j], score


# --- criteria ------------------------------------------------------------------------------------


@dataclass
class _Item:
    section: str
    key: str  # "inclusion/3.2"
    text: str
    index: int  # place in its version's reading order (all sections)


def criterion_items(record: TrialRecord) -> list[_Item]:
    """A record's criteria in reading order, each with its key (its ItemRef's path, as notes name it)."""
    if record.eligibility is None:
        return []
    found = (
        (section, item)
        for section in CRITERION_SECTIONS
        for item in items.criterion_items(getattr(record.eligibility, section), section)
    )
    return [_Item(section, item.ref.path, item.text, index) for index, (section, item) in enumerate(found)]


def _criteria(add: Callable[[Change], None], before: TrialRecord, after: TrialRecord) -> None:
    old_items, new_items = criterion_items(before), criterion_items(after)
    pairs: list[tuple[_Item, _Item]] = []
    by_words: dict[tuple[str, ...], list[_Item]] = {}
    for item in old_items:
        by_words.setdefault(words_of(item.text), []).append(item)
    new_left: list[_Item] = []
    for item in new_items:
        same = by_words.get(words_of(item.text))
        if same:
            # the same text in the same section first, then anywhere
            match = next((o for o in same if o.section == item.section), same[0])
            same.remove(match)
            pairs.append((match, item))
        else:
            new_left.append(item)
    matched_old = {id(o) for o, _ in pairs}
    old_left = [o for o in old_items if id(o) not in matched_old]
    reworded = list(_best_pairs(old_left, new_left, lambda i: i.text))
    for old, new, _score in reworded:
        old_left.remove(old)
        new_left.remove(new)
    kept = _kept_in_order(pairs + [(old, new) for old, new, _score in reworded])
    for old, new in pairs:
        if old.section != new.section or id(new) not in kept:
            add(Change(new.section, "moved", new.key, old.text, new.text, before_item=old.key))
    for old, new, _score in reworded:
        words = word_marks(old.text, new.text)
        add(Change(new.section, "reworded", new.key, old.text, new.text, words=words, before_item=old.key))
    for item in old_left:
        add(Change(item.section, "deleted", item.key, item.text, None))
    for item in new_left:
        add(Change(item.section, "inserted", item.key, None, item.text))


def _kept_in_order(pairs: list[tuple[_Item, _Item]]) -> set[int]:
    """The new items (by id) of the longest run of pairs whose old order the new order keeps (the
    longest increasing subsequence): every other pair is an item that moved."""
    ordered = sorted(pairs, key=lambda p: p[1].index)
    tails: list[int] = []  # tails[k]: the pair ending the best run of k + 1 pairs found so far
    tail_values: list[int] = []  # and its old index
    previous: list[int] = [-1] * len(ordered)
    for n, (old, _new) in enumerate(ordered):
        k = bisect.bisect_left(tail_values, old.index)
        if k == len(tail_values):
            tail_values.append(old.index)
            tails.append(n)
        else:
            tail_values[k] = old.index
            tails[k] = n
        previous[n] = tails[k - 1] if k else -1
    keep: set[int] = set()
    n = tails[-1] if tails else -1
    while n != -1:
        keep.add(id(ordered[n][1]))
        n = previous[n]
    return keep


# --- outcomes ------------------------------------------------------------------------------------


def _outcome_keys(outcomes: list[Outcome]) -> list[str]:
    return [ref.path for ref, _outcome in items.numbered_outcomes(outcomes)]


def _outcomes(add: Callable[[Change], None], old: list[Outcome], new: list[Outcome]) -> None:
    old_keys = dict(zip(map(id, old), _outcome_keys(old), strict=True))
    new_keys = dict(zip(map(id, new), _outcome_keys(new), strict=True))
    old_left, new_left = list(old), []
    pairs: list[tuple[Outcome, Outcome, bool]] = []  # (old, new, reworded measure)
    for outcome in new:
        match = next((o for o in old_left if same_text(o.measure, outcome.measure) and o.kind == outcome.kind), None)
        match = match or next((o for o in old_left if same_text(o.measure, outcome.measure)), None)
        if match is None:
            new_left.append(outcome)
        else:
            old_left.remove(match)
            pairs.append((match, outcome, False))
    for a, b, _score in list(_best_pairs(old_left, new_left, lambda o: o.measure)):
        old_left.remove(a)
        new_left.remove(b)
        pairs.append((a, b, True))
    for a, b, reworded in pairs:
        key, before_key = new_keys[id(b)], old_keys[id(a)]
        part = OUTCOME_PARTS.get(b.kind, b.kind)
        if a.kind != b.kind:
            add(Change(part, "moved", key, a.kind, b.kind, before_item=before_key))
        if reworded:
            add(Change(part, "reworded", key, a.measure, b.measure, words=word_marks(a.measure, b.measure), before_item=before_key))
        for name, label in (("time_frame", "timeFrame"), ("description", "description")):
            if not _same(getattr(a, name), getattr(b, name)):
                add(
                    Change(
                        part, "changed", key, {label: getattr(a, name)}, {label: getattr(b, name)},
                        words=word_marks(getattr(a, name) or "", getattr(b, name) or ""), before_item=before_key,
                    )
                )  # fmt: skip
    for outcome in old_left:
        add(Change(OUTCOME_PARTS.get(outcome.kind, outcome.kind), "deleted", old_keys[id(outcome)], outcome.measure, None))
    for outcome in new_left:
        add(Change(OUTCOME_PARTS.get(outcome.kind, outcome.kind), "inserted", new_keys[id(outcome)], None, outcome.measure))


# --- sites ---------------------------------------------------------------------------------------


def site_name(site: Location) -> str:
    return ", ".join(x for x in (site.facility, site.city, site.country) if x)


def _sites(add: Callable[[Change], None], old: list[Location], new: list[Location]) -> None:
    old_by = {words_of(site_name(s)): s for s in old}
    new_by = {words_of(site_name(s)): s for s in new}
    for key, site in old_by.items():
        if key not in new_by:
            add(Change("sites", "deleted", site_name(site), site_name(site), None))
    for key, site in new_by.items():
        before = old_by.get(key)
        if before is None:
            add(Change("sites", "inserted", site_name(site), None, site_name(site)))
        elif before.status != site.status:
            add(Change("sites", "changed", site_name(site), {"status": before.status}, {"status": site.status}))
