"""A reviewer's correction of a criterion's facets: checked, stored on the item, kept across imports,
and read over the extracted facets by everything that reads requirements.

A correction is the whole list of facets an item states, in the shapes of issue 15 (``[]``: the item
states none); it replaces what ``facets.extract_facets`` found in the item's text. ``check_facets``
refuses a list that is not of those shapes with one sentence; ``FACET_FIELDS`` says, per kind, which
fields a facet has (the editor's form is built from it, ``facet_from_fields`` reads the form back).

Like a note on a whole item, a correction sits on an ``items.ItemRef`` (a criterion) with the item's
text when it was made. When an import makes a new current version, ``reanchor_new_version`` (in that
version's own transaction) moves it to the criterion that now holds that text (renumbered, moved to
another section, reworded a little: ``anchoring.find``), or marks it orphaned: it keeps its old text
and facets and is never dropped. ``apply_corrections`` puts the corrections over a trial's
``eligibility.criterion_facets``, so ``profile()``, the comparison, the grid and the patient check use
the reviewer's values.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, select

from . import anchoring, items
from .eligibility import ItemFacets, criterion_facets
from .facets.rules import ANALYTE_UNITS, GENES, UNIT_SPELLINGS, WASHOUT_OF
from .items import ItemRef, Kind
from .profile import UNIT_TEXT, profile
from .record import TrialRecord
from .store import reading
from .store.requirements import rows_of, write_requirements
from .store.sqlite.connection import dbapi
from .store.tables import FacetCorrection, Trial
from .text import squash

OPERATORS = ("<", "<=", ">", ">=", "=")
_SIGNS = {"≥": ">=", "≤": "<=", "=>": ">=", "=<": "<="}  # what a person may type for an operator
BARE_KINDS = (
    "pregnancy", "breastfeeding", "contraception", "consent", "measurable_disease", "hypersensitivity",
    "other_malignancy", "prior_therapy", "infection",
)  # fmt: skip
# every canonical unit spelling of a lab value, and the way the app shows some of them (×10⁹/L)
LAB_UNITS = (
    *dict.fromkeys(unit for _, unit in UNIT_SPELLINGS),
    "xULN",
)  # ULN factors have patterns of their own
_UNIT_BY_TEXT = (
    {shown.casefold(): unit for unit, shown in UNIT_TEXT.items()}
    | {u.casefold(): u for u in LAB_UNITS}
    | {"uln": "xULN", "x uln": "xULN", "×uln": "xULN", "µmol/l": "umol/L", "/µl": "/uL", "×10^9/l": "10^9/L"}
)
_SCALE_SCORES = {
    "ECOG": range(6),
    "WHO": range(6),
    "Karnofsky": range(0, 101, 10),
    "Lansky": range(0, 101, 10),
}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


@dataclass(frozen=True)
class FacetField:
    """One field of a facet kind, as the editor's form shows it and ``check_facets`` checks it."""

    name: str
    label: str
    type: str  # "number", "count" (a whole number >= 0), "choice", "text", "scores" (allowed scores)
    choices: tuple[str, ...] = ()
    required: bool = True
    open: bool = False  # the choices are suggestions: another value of the right form is accepted
    default: str | None = None  # what a field left empty means


_OP = FacetField("op", "Operator", "choice", (">=", "<=", ">", "<", "="))  # the commonest first
FACET_FIELDS: dict[str, tuple[FacetField, ...]] = {
    "age": (
        FacetField("min", "Minimum", "number", required=False),
        FacetField("max", "Maximum", "number", required=False),
        FacetField("unit", "Unit", "choice", ("years", "months"), default="years"),
    ),
    "sex": (FacetField("value", "Sex", "choice", ("FEMALE", "MALE"), required=False),),
    "performance": (
        FacetField("scale", "Scale", "choice", tuple(_SCALE_SCORES)),
        FacetField("allowed", "Allowed scores", "scores"),
    ),
    "lab": (
        FacetField("analyte", "Analyte", "choice", tuple(ANALYTE_UNITS), open=True),
        _OP,
        FacetField("value", "Value", "number"),
        FacetField("unit", "Unit", "choice", LAB_UNITS, required=False, open=True),
        FacetField("condition", "Only for", "text", required=False),
    ),
    "life_expectancy": (
        _OP,
        FacetField("value", "Value", "number"),
        FacetField("unit", "Unit", "choice", ("days", "weeks", "months", "years")),
    ),
    "washout": (
        FacetField("value", "Value", "number"),
        FacetField("unit", "Unit", "choice", ("days", "weeks", "months")),
        FacetField("of", "Of", "choice", tuple(name for name, _, _ in WASHOUT_OF), open=True),
    ),
    "prior_lines": (_OP, FacetField("value", "Lines", "count")),
    "brain_metastases": (FacetField("stance", "Stance", "choice", ("excluded", "allowed_if_stable", "required")),),
    "biomarker": (
        FacetField("gene", "Gene", "choice", tuple(gene for gene, _ in GENES), open=True),
        FacetField("status", "Status", "text", required=False),
    ),
    **{kind: () for kind in BARE_KINDS},
}  # fmt: skip
KINDS = tuple(FACET_FIELDS)


# ---------------------------------------------------------------- checking a list of facets


def check_facets(facets: Any) -> list[dict[str, Any]]:
    """The facets in their canonical shape (every field present, numbers as numbers, units in their
    canonical spelling); ValueError with one sentence for the first that is not of a known shape."""
    if not isinstance(facets, list):
        raise ValueError("the facets must be a list (use [] for an item that states no facet)")
    return [_checked(facet, n) for n, facet in enumerate(facets, 1)]


def _checked(facet: Any, n: int) -> dict[str, Any]:
    where = f"facet {n}"
    if not isinstance(facet, Mapping) or "kind" not in facet:
        raise ValueError(f'{where} is not an object with a "kind"')
    kind = facet["kind"]
    if kind not in FACET_FIELDS:
        raise ValueError(f"{where} has the unknown kind {kind!r}; the kinds are {', '.join(KINDS)}")
    where = f"{where} ({kind})"
    fields = FACET_FIELDS[kind]
    unknown = sorted(set(facet) - {"kind"} - {f.name for f in fields})
    if unknown:
        has = ", ".join(f.name for f in fields) or "no other field"
        raise ValueError(
            f"{where} has the field {unknown[0]!r}, which {kind} facets do not have (they have {has})"
        )
    checked: dict[str, Any] = {"kind": kind}
    for spec in fields:
        checked[spec.name] = _value(spec, facet.get(spec.name), where)
    return _whole(checked, where)


def _value(spec: FacetField, value: Any, where: str) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        if spec.default is None and spec.required:
            named = "" if spec.label.lower() == spec.name else f' ("{spec.name}")'
            raise ValueError(f"{where} has no {spec.label.lower()}{named}")
        return spec.default
    if spec.type in ("number", "count"):
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ValueError(f"{where}: {spec.name} must be a number, not {value!r}")
        if value < 0 or (spec.type == "count" and not float(value).is_integer()):
            whole = "a whole number" if spec.type == "count" else "a number"
            raise ValueError(f"{where}: {spec.name} must be {whole} of 0 or more, not {value!r}")
        return _tidy(value)
    if spec.type == "scores":
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        ):
            raise ValueError(f"{where}: allowed must be a list of whole-number scores, such as [0, 1, 2]")
        return sorted(set(value))
    if not isinstance(value, str):
        raise ValueError(f"{where}: {spec.name} must be text, not {value!r}")
    value = value.strip()
    if spec.name == "op":
        value = _SIGNS.get(value, value)
        if value not in OPERATORS:
            raise ValueError(f"{where}: the operator {value!r} is not one of {', '.join(OPERATORS)}")
        return value
    if spec.choices and not spec.open and value not in spec.choices:
        raise ValueError(f"{where}: {spec.name} {value!r} is not one of {', '.join(spec.choices)}")
    return value


def _whole(facet: dict[str, Any], where: str) -> dict[str, Any]:
    """The checks across a facet's fields."""
    kind = facet["kind"]
    if kind == "age":
        low, high = facet["min"], facet["max"]
        if low is None and high is None:
            raise ValueError(f"{where} needs a minimum or a maximum age")
        if low is not None and high is not None and low > high:
            raise ValueError(f"{where}: the minimum age {low} is above the maximum {high}")
        limit = 150 if facet["unit"] == "years" else 1800
        if any(v is not None and v > limit for v in (low, high)):
            raise ValueError(f"{where}: an age above {limit} {facet['unit']} is not an age")
    elif kind == "performance":
        scores = _SCALE_SCORES[facet["scale"]]
        wrong = [s for s in facet["allowed"] if s not in scores]
        if wrong:
            allowed = "0 to 5" if len(scores) == 6 else "0 to 100 in tens"
            raise ValueError(f"{where}: {facet['scale']} scores are {allowed}, not {wrong[0]}")
    elif kind == "lab":
        analyte = facet["analyte"]
        if not _NAME.match(analyte):
            raise ValueError(
                f"{where}: the analyte {analyte!r} must be a lower-case name such as anc or bilirubin"
            )
        unit = facet["unit"]
        if unit is not None:
            unit = facet["unit"] = _UNIT_BY_TEXT.get(unit.casefold(), unit)
            if unit not in LAB_UNITS:
                raise ValueError(f"{where}: {unit!r} is not a unit the app knows ({', '.join(LAB_UNITS)})")
        units = ANALYTE_UNITS.get(analyte)
        if units is not None and unit not in units:
            known = ", ".join(u for u in LAB_UNITS if u in units) + (" or none" if None in units else "")
            raise ValueError(f"{where}: {analyte} is given in {known}, not {unit or 'no unit'}")
    elif kind == "biomarker":
        facet["gene"] = facet["gene"].upper() if facet["gene"].upper() in dict(GENES) else facet["gene"]
    return facet


def _tidy(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


# ---------------------------------------------------------------- the editor's form


def fields_of(facet: Mapping[str, Any]) -> dict[str, str]:
    """A facet's fields as the form's texts (``facet_from_fields`` reads them back)."""
    texts = {}
    for spec in FACET_FIELDS.get(facet.get("kind"), ()):
        value = facet.get(spec.name)
        if value is None:
            texts[spec.name] = ""
        elif spec.type == "scores":
            texts[spec.name] = ", ".join(str(v) for v in value)
        else:
            texts[spec.name] = str(_tidy(value)) if spec.type in ("number", "count") else str(value)
    return texts


_SCORE_RUN = re.compile(r"^\s*(\d+)\s*(?:-|–|to)\s*(\d+)\s*$")


def facet_from_fields(kind: str, texts: Mapping[str, str], n: int = 1) -> dict[str, Any]:
    """A facet from the form's texts ("0-2" or "0, 1, 2" for scores; "1.5" or "1,5" for a number),
    checked; ValueError names the field."""
    if kind not in FACET_FIELDS:
        raise ValueError(f"facet {n} has the unknown kind {kind!r}; the kinds are {', '.join(KINDS)}")
    facet: dict[str, Any] = {"kind": kind}
    for spec in FACET_FIELDS[kind]:
        text = (texts.get(spec.name) or "").strip()
        facet[spec.name] = _parsed(spec, text, f"facet {n} ({kind})") if text else None
    return _checked(facet, n)


def _parsed(spec: FacetField, text: str, where: str) -> Any:
    if spec.type in ("number", "count"):
        try:
            return float(text.replace(",", ".").replace(" ", ""))
        except ValueError:
            raise ValueError(f"{where}: {spec.label.lower()} {text!r} is not a number") from None
    if spec.type == "scores":
        run = _SCORE_RUN.match(text)
        if run:
            low, high = int(run[1]), int(run[2])
            step = 10 if high > 5 and low % 10 == 0 and high % 10 == 0 else 1
            return list(range(low, high + 1, step))
        try:
            return [int(part) for part in re.split(r"[,;\s]+", text) if part]
        except ValueError:
            raise ValueError(
                f"{where}: allowed scores {text!r} are not scores such as 0-2 or 0, 1, 2"
            ) from None
    return text


# ---------------------------------------------------------------- a stored correction


@dataclass(frozen=True)
class Correction:
    """A stored correction (what ``Library.corrections_of`` lists and ``restore_correction`` takes back)."""

    id: int
    trial_id: int
    item_kind: str
    item_key: str
    quote: str  # the item's text when it was corrected
    facets: tuple[dict[str, Any], ...]
    author: str
    corrected_at: datetime
    anchor_version_id: int | None = None
    orphaned: bool = False

    @property
    def ref(self) -> ItemRef:
        return ItemRef.stored(self.item_kind, self.item_key)

    def to_json(self) -> dict[str, Any]:
        return {
            "item": self.ref.key,
            "label": self.ref.label,
            "facets": [dict(f) for f in self.facets],
            "author": self.author,
            "corrected_at": self.corrected_at.isoformat(timespec="seconds"),
            "orphaned": self.orphaned,
            "text": self.quote,
        }


def _correction(row: FacetCorrection) -> Correction:
    return Correction(
        row.id, row.trial_id, row.item_kind, row.item_key, row.quote, tuple(json.loads(row.facets)),
        row.author, row.corrected_at, row.anchor_version_id, bool(row.orphaned),
    )  # fmt: skip


def correct(
    session: Session,
    trial_id: int,
    ref: ItemRef,
    text: str,
    facets: list[dict],
    author: str,
    version_id: int | None,
) -> tuple[Correction, Correction | None]:
    """Write the correction of an item (over the one it had, if any): (the correction, the one it
    replaced). ``facets`` must be checked already (``check_facets``); ``text`` is the item's text now."""
    row = session.exec(
        select(FacetCorrection).where(
            FacetCorrection.trial_id == trial_id,
            FacetCorrection.item_kind == ref.kind.value,
            FacetCorrection.item_key == ref.path,
            FacetCorrection.orphaned == False,  # noqa: E712 (SQL)
        )
    ).first()
    before = _correction(row) if row is not None else None
    if row is None:
        row = FacetCorrection(trial_id=trial_id, item_kind=ref.kind.value, item_key=ref.path)
    row.quote, row.facets = text, json.dumps(facets, ensure_ascii=False)
    row.author, row.corrected_at, row.anchor_version_id, row.orphaned = (
        author,
        datetime.now(UTC),
        version_id,
        False,
    )
    session.add(row)
    session.flush()
    return _correction(row), before


def remove(session: Session, correction_id: int) -> Correction:
    """Delete a correction; returns it, for ``restore`` (undo)."""
    row = session.get(FacetCorrection, correction_id)
    if row is None:
        raise LookupError(f"no facet correction {correction_id}")
    saved = _correction(row)
    session.delete(row)
    session.flush()
    return saved


def restore(session: Session, saved: Correction) -> None:
    """Put a correction back exactly as it was (its id too), over what its row holds now."""
    fields = asdict(saved) | {"facets": json.dumps([dict(f) for f in saved.facets], ensure_ascii=False)}
    session.merge(FacetCorrection(**fields))
    session.flush()


def corrections_of(session: Session, trial_ids: Sequence[int]) -> list[Correction]:
    """The corrections of these trials, by trial, item and time."""
    query = (
        select(FacetCorrection)
        .where(FacetCorrection.trial_id.in_(list(trial_ids)))
        .order_by(FacetCorrection.trial_id, FacetCorrection.item_key, FacetCorrection.corrected_at)
    )
    return [_correction(row) for row in session.exec(query)]


# ---------------------------------------------------------------- read over the extracted facets


def apply_corrections(
    item_facets: Iterable[ItemFacets], corrections: Iterable[Correction]
) -> list[ItemFacets]:
    """A trial's item facets with each corrected item's facets replaced by its correction (marked
    ``corrected``); orphaned corrections have no item and change nothing."""
    by_ref = {c.ref: c for c in sorted(corrections, key=lambda c: c.corrected_at) if not c.orphaned}
    if not by_ref:
        return list(item_facets)
    return [
        replace(item, facets=tuple(dict(f) for f in by_ref[item.ref].facets), corrected=True)
        if item.ref in by_ref
        else item
        for item in item_facets
    ]


def corrected_facets(session: Session, trial_id: int | None, record: TrialRecord) -> list[ItemFacets]:
    """A record's item facets with its trial's corrections over them (no trial id: none)."""
    found = corrections_of(session, [trial_id]) if trial_id is not None else []
    return apply_corrections(criterion_facets(record), found)


def _sex(record: TrialRecord) -> str | None:
    return record.eligibility.sex if record.eligibility is not None else None


def store_corrected_requirements(session: Session, trial_id: int) -> None:
    """Write the trial's stored requirements again from its current version with its corrections
    over the extracted facets (in the caller's transaction): what the facet filters and the patient
    check read follows each correction, its removal and its undo."""
    trial = session.get(Trial, trial_id)
    if trial is None or trial.current_version_id is None:
        return
    record = reading.load_record(session, trial.current_version_id)
    rows = rows_of(profile(corrected_facets(session, trial_id, record), _sex(record)))
    write_requirements(dbapi(session).cursor(), trial_id, trial.current_version_id, rows, replace=True)


# ---------------------------------------------------------------- across imports


def criterion_targets(record: TrialRecord) -> list[anchoring.Target]:
    """The criteria of a record, in reading order, as re-anchoring looks for a correction among them."""
    return [
        anchoring.Target(ref.path, text)
        for ref, text in items.texts(record).items()
        if ref.kind is Kind.CRITERION
    ]


def refind(quote: str, key: str, targets: Sequence[anchoring.Target]) -> str | None:
    """The key of the criterion that now holds a correction's item (``quote``, its text when it was
    corrected): the same key with the same text; else the same text under another key (renumbered,
    moved to another section); else the item that holds most of the words, is mostly those words
    and states the same numbers (a small rewording: "ECOG 0-1" become "ECOG 0-2" is another
    requirement, which the correction was not about); None when no item does (it is orphaned)."""
    wanted = squash(quote).lower()
    same = [t for t in targets if squash(t.text).lower() == wanted]
    if any(t.key == key for t in same):
        return key
    places = {t.key: n for n, t in enumerate(targets)}
    old_place = places.get(key, 0)
    if same:
        return min(same, key=lambda t: abs(places[t.key] - old_place)).key
    found = anchoring.find(anchoring.QuoteSelector(quote), key, old_place, targets)
    if found is None:
        return None
    text = next(t.text for t in targets if t.key == found.key).strip()
    # the quote must be most of the item, not a part of a longer criterion that states more
    if found.end - found.start < anchoring.MIN_QUOTE_SCORE * len(text):
        return None
    return found.key if sorted(_NUMBER.findall(quote)) == sorted(_NUMBER.findall(text)) else None


def reanchor_new_version(
    conn: sqlite3.Connection, trial_id: int, version_id: int, record: Callable[[], TrialRecord]
) -> int:
    """In the transaction that writes a trial's new version (raw sqlite3, like
    ``notes.reanchor_new_version``): when that version became current, find every correction of the
    trial again in it. ``record`` makes the version's record, only when the trial has corrections.
    Returns the number of corrections whose anchor changed."""
    rows = conn.execute(
        "SELECT id, item_key, quote, orphaned FROM facet_correction WHERE trial_id = ? AND item_kind = ?",
        (trial_id, Kind.CRITERION.value),
    ).fetchall()
    if not rows:
        return 0
    (current,) = conn.execute("SELECT current_version_id FROM trial WHERE id = ?", (trial_id,)).fetchone()
    if current != version_id:
        return 0  # an older record imported later: the current version, and the anchors, stay
    targets = criterion_targets(record())
    updates, moved = [], 0
    for correction_id, key, quote, orphaned in rows:
        found = refind(quote, key, targets)
        anchor = (found or key, found is None)
        moved += anchor != (key, bool(orphaned))
        updates.append((*anchor, version_id, correction_id))
    conn.executemany(
        "UPDATE facet_correction SET item_key = ?, orphaned = ?, anchor_version_id = ? WHERE id = ?", updates
    )
    _store_requirements_with(conn, trial_id, version_id, record(), rows, updates)
    return moved


def _store_requirements_with(
    conn: sqlite3.Connection, trial_id: int, version_id: int, record: TrialRecord, rows: list, updates: list
) -> None:
    """The new version's stored requirements with the corrections that were found again in it."""
    found = {key for key, orphaned, _version, _id in updates if not orphaned}
    if not found:
        return  # every correction orphaned: the import's rows (the extracted facets) stand
    facets_of = {}
    for (correction_id, _key, _quote, _orphaned), (key, orphaned, _v, _i) in zip(rows, updates, strict=True):
        if not orphaned:
            (text,) = conn.execute("SELECT facets FROM facet_correction WHERE id = ?", (correction_id,)).fetchone()
            facets_of[key] = tuple(json.loads(text))
    corrected = [
        replace(item, facets=facets_of[item.ref.path], corrected=True) if item.ref.path in facets_of else item
        for item in criterion_facets(record)
    ]
    requirement_rows = rows_of(profile(corrected, _sex(record)))
    write_requirements(conn.cursor(), trial_id, version_id, requirement_rows, replace=True)
