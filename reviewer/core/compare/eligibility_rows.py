"""The inclusion and exclusion sections of a comparison: rows by facet first, then by concept, then
by word overlap; and the key differences, one per facet on which the trials differ.

The alignable items (``Unit``) come from the one walk of a record's criteria
(``eligibility.criterion_facets``, or corrected facets from the caller): a heading, and an item that
only leads into its children ("... any of the following:", ending with ":"), is replaced by its
children; an item whose children are its exceptions ("History of other malignancy, except for the
following:"), or, in the inclusion section, its alternatives ("one of the following:"), is one item
with its children shown inside it, never split into rows of their own. Unsectioned items ("other")
are aligned with the inclusion section.

Rows, each item on every row it belongs to:
- facet rows, keyed by the profile's requirement keys (``profile.profile``): an item goes on the row
  of every requirement it states ("ECOG 0-2 and life expectancy >= 6 months": the ECOG row and the
  life-expectancy row). If the topic its text names first is not one of those facets ("Histology
  confirmed NSCLC with brain metastases": the diagnosis), it also goes on that topic's row.
- an item with no value goes on the row of its concept (``concepts.criterion_concept``); where that
  concept is a facet's topic (brain metastases, consent, age ...), on that facet's row;
- items with no concept are clustered across trials by word overlap.

``differs``: a facet row differs exactly when the trials' requirements differ, inclusion and
exclusion read together (so its inclusion and exclusion rows agree); a trial that states nothing is
"not stated", one whose items on the row yield no value is "no value read", and either differs from
a trial that states a value. A row no trial states a value on uses the text rule (``table``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..eligibility import ItemFacets
from ..items import ItemRef
from ..profile import Requirement, facet_title, profile
from ..record import TrialRecord
from . import concepts as c
from .table import (
    NO_VALUE_READ,
    NOT_STATED,
    TEXT_SIMILARITY,
    AlignedItem,
    KeyDifference,
    Row,
    build_row,
    cluster,
    content_words,
)

CRITERIA_SECTIONS = ("inclusion", "exclusion")

# the facets whose topic a concept is: an item of that concept that states one of them needs no
# row of the concept besides its facet rows
_COVERS: dict[str, tuple[str, ...]] = {
    c.AGE: ("age",), c.SEX: ("sex",), c.BIOMARKER: ("biomarker",), c.MEASURABLE: ("measurable_disease",),
    c.PRIOR_THERAPY: ("prior_therapy", "washout", "prior_lines"), c.PERFORMANCE: ("performance",),
    c.LIFE_EXPECTANCY: ("life_expectancy",), c.CARDIAC: ("lab:lvef", "lab:qtc"),
    **dict.fromkeys((c.ORGAN, c.HAEMATOLOGY, c.LIVER, c.RENAL, c.COAGULATION), ("lab",)),
    c.INFECTION: ("infection",), c.BRAIN: ("brain_metastases",), c.OTHER_MALIGNANCY: ("other_malignancy",),
    c.ALLERGY: ("hypersensitivity",), c.PREGNANCY: ("pregnancy", "breastfeeding", "contraception"),
    c.CONSENT: ("consent",), c.MEDICATION: ("washout",), c.SURGERY: ("washout:surgery",),
    c.OTHER_TRIALS: ("washout:investigational",),
}  # fmt: skip
# facets compared by their items' text on their concept's row: "prior_therapy" only marks that some
# prior therapy is spoken of, not which, so two trials excluding different drugs are not the same
_TEXT_COMPARED = {"prior_therapy": c.PRIOR_THERAPY}
# concepts an item with values is never also filed under: "Female patients must use contraception",
# "Active or untreated brain metastases" are not about sex or prior therapy
_NEVER_BESIDES = frozenset({c.SEX, c.PRIOR_THERAPY})
# the concepts whose items without a value go on their facet's row (the facet their topic is)
_ON_THE_FACET_ROW = (c.AGE, c.SEX, c.LIFE_EXPECTANCY, c.MEASURABLE, c.BRAIN, c.INFECTION, c.OTHER_MALIGNANCY)
_ROW_OF_CONCEPT = {concept: _COVERS[concept][0] for concept in (*_ON_THE_FACET_ROW, c.ALLERGY, c.CONSENT)}
_CONCEPT_OF_ROW = {key: concept for concept, key in _ROW_OF_CONCEPT.items()}
# where a facet's row stands: with the concept of its topic (the concepts' clinical order)
_CONCEPT_OF_KIND = {
    "age": c.AGE, "sex": c.SEX, "biomarker": c.BIOMARKER, "measurable_disease": c.MEASURABLE,
    "prior_therapy": c.PRIOR_THERAPY, "prior_lines": c.PRIOR_THERAPY, "washout": c.PRIOR_THERAPY,
    "performance": c.PERFORMANCE, "life_expectancy": c.LIFE_EXPECTANCY, "infection": c.INFECTION,
    "brain_metastases": c.BRAIN, "other_malignancy": c.OTHER_MALIGNANCY, "hypersensitivity": c.ALLERGY,
    "pregnancy": c.PREGNANCY, "breastfeeding": c.PREGNANCY, "contraception": c.PREGNANCY,
    "consent": c.CONSENT,
}  # fmt: skip
_CONCEPT_OF_ANALYTE = {
    **dict.fromkeys(("anc", "wbc", "platelets", "hemoglobin", "lymphocytes"), c.HAEMATOLOGY),
    **dict.fromkeys(("bilirubin", "ast", "alt", "transaminases", "alp", "albumin", "ggt"), c.LIVER),
    **dict.fromkeys(("creatinine", "creatinine_clearance", "egfr"), c.RENAL),
    **dict.fromkeys(("inr", "pt", "aptt"), c.COAGULATION),
    **dict.fromkeys(("lvef", "qtc"), c.CARDIAC),
}
_KIND_ORDER = ("prior_therapy", "prior_lines", "washout", "pregnancy", "breastfeeding", "contraception")
_ANALYTE_ORDER = tuple(_CONCEPT_OF_ANALYTE)
_SEX_TEXT = {"MALE": "male only", "FEMALE": "female only", "ALL": "all"}
# requirement keys that share another key's row: the WHO (Zubrod) performance scale is ECOG's
ROW_OF_KEY = {"performance:WHO": "performance:ECOG", "performance:Zubrod": "performance:ECOG"}


@dataclass(eq=False)
class Unit:
    """One alignable criterion of one trial, with the items shown inside it."""

    trial: int
    ref: ItemRef
    section: str  # "inclusion" (the unsectioned items too) or "exclusion"
    text: str  # its own text, then its children's, indented ("  - ...")
    own_text: str
    shows: tuple[ItemRef, ...]  # itself and the descendants shown inside it


def _splits(item: ItemFacets, children: list[ItemFacets]) -> bool:
    """Whether an item gives way to its children as the alignable items."""
    if item.heading:
        return True
    if any(child.exception for child in children):
        return False  # its exceptions belong to it ("..., except for the following:")
    if any(child.alternative for child in children):
        # "any of the following" excludes on each one alone; "one of the following" inclusions go together
        return item.section == "exclusion"
    return item.text.rstrip().endswith((":", "："))


def criteria_units(items: Sequence[ItemFacets], trial: int = 0) -> list[Unit]:
    """A trial's alignable criteria in page order (see the module docstring)."""
    by_ref = {item.ref: item for item in items}
    children_of = {item.ref: [by_ref[ref] for ref in item.children if ref in by_ref] for item in items}
    units: list[Unit] = []

    def rendered(item: ItemFacets, depth: int, shows: list[ItemRef]) -> list[str]:
        shows.append(item.ref)
        lines = [("  " * depth + "- " if depth else "") + item.text]
        for child in children_of[item.ref]:
            lines.extend(rendered(child, depth + 1, shows))
        return lines

    def visit(item: ItemFacets) -> None:
        children = children_of[item.ref]
        if children and _splits(item, children):
            for child in children:
                visit(child)
            return
        shows: list[ItemRef] = []
        text = "\n".join(rendered(item, 0, shows))
        section = "exclusion" if item.section == "exclusion" else "inclusion"
        units.append(Unit(trial, item.ref, section, text, item.text, tuple(shows)))

    for item in items:
        if item.parent is None or item.parent not in by_ref:
            visit(item)
    return units


def _covered(concept: str, keys: Sequence[str]) -> bool:
    prefixes = _COVERS.get(concept, ())
    return any(key == p or key.startswith((p + ":", p + "|")) for p in prefixes for key in keys)


def _concept_of(unit: Unit) -> str | None:
    concept = c.criterion_concept(unit.own_text)
    if concept is None and unit.text != unit.own_text:
        concept = c.criterion_concept(unit.text)
    return concept


def _topic_besides(unit: Unit, keys: Sequence[str]) -> str | None:
    """The concept the item's text names first, when its facets are not about it."""
    matches = c.concept_matches(unit.own_text)
    if not matches or any(key.startswith("lab:") for key in keys):
        return None  # a threshold's conditions ("if liver metastases") are not its topic
    first = matches[0][0]
    return None if first in _NEVER_BESIDES or _covered(first, keys) else first


def _row_id(concept: str) -> tuple[str, str]:
    key = _ROW_OF_CONCEPT.get(concept)
    return ("facet", key) if key else ("concept", concept)


def _order(row_id: tuple[str, str]) -> tuple:
    kind, name = row_id
    if kind == "concept":
        return (c.CONCEPT_ORDER.get(name, len(c.CONCEPT_NAMES)), 1, 0, "")
    facet_kind, _, detail = name.partition(":")
    analyte = detail.partition("|")[0]
    concept = (
        _CONCEPT_OF_ANALYTE.get(analyte, c.ORGAN) if facet_kind == "lab" else _CONCEPT_OF_KIND.get(facet_kind)
    )
    rank = c.CONCEPT_ORDER.get(concept, len(c.CONCEPT_NAMES)) if concept else len(c.CONCEPT_NAMES)
    within = _ANALYTE_ORDER.index(analyte) if analyte in _ANALYTE_ORDER else len(_ANALYTE_ORDER)
    if facet_kind in _KIND_ORDER:
        within = _KIND_ORDER.index(facet_kind)
    return (rank, 0, within, name)


def row_order(row: Row) -> tuple:
    """Where a criteria row stands: facet and concept rows in the concepts' clinical order, a
    facet's row before its concept's row of items without values."""
    if row.facet is not None:
        return _order(("facet", row.facet))
    return _order(_row_id(row.concept)) if row.concept is not None else (len(c.CONCEPT_NAMES) + 1,)


@dataclass
class _Trial:
    """What one trial brings to the criteria rows."""

    units: list[Unit]
    requirements: dict[str, list[Requirement]]  # by key, every scope
    record_sex: str | None

    def value(self, key: str, speaks: bool) -> tuple[object, str]:
        """(what is compared, what is shown) for a facet row; ``speaks``: the trial has items on it."""
        found = self.requirements.get(key, [])
        if not found and key == "sex" and self.record_sex in _SEX_TEXT:
            return frozenset({(None, self.record_sex)}), _SEX_TEXT[self.record_sex]  # the registry's field
        if not found:
            return (NO_VALUE_READ, NO_VALUE_READ) if speaks else (NOT_STATED, NOT_STATED)
        found = sorted(found, key=lambda r: (r.scope is not None, r.scope or ""))
        text = "; ".join(f"{r.scope}: {r.text}" if r.scope else r.text for r in found)
        return frozenset((r.scope, r.value) for r in found), text


def _trial(record: TrialRecord, items: Sequence[ItemFacets], n: int) -> _Trial:
    sex = record.eligibility.sex if record.eligibility is not None else None
    requirements: dict[str, list[Requirement]] = {}
    for requirement in profile(items, sex).values():
        requirements.setdefault(ROW_OF_KEY.get(requirement.key, requirement.key), []).append(requirement)
    return _Trial(criteria_units(items, n), requirements, sex)


def _placements(trial: _Trial) -> dict[int, list[tuple[str, str] | None]]:
    """The rows of each unit (by id(unit)); None: to be clustered by word overlap."""
    shown_in = {ref: unit for unit in trial.units for ref in unit.shows}
    keys: dict[int, list[str]] = {id(unit): [] for unit in trial.units}
    for key, requirements in trial.requirements.items():
        for requirement in requirements:
            for ref in requirement.items:
                unit = shown_in.get(ref)
                if unit is not None and key not in keys[id(unit)]:
                    keys[id(unit)].append(key)
    placed: dict[int, list[tuple[str, str] | None]] = {}
    for unit in trial.units:
        stated = keys[id(unit)]
        rows: list[tuple[str, str] | None] = []
        for key in stated:
            row_id = ("concept", _TEXT_COMPARED[key]) if key in _TEXT_COMPARED else ("facet", key)
            if row_id not in rows:
                rows.append(row_id)
        topic = _topic_besides(unit, stated) if stated else _concept_of(unit)
        if topic is not None and _row_id(topic) not in rows:
            rows.append(_row_id(topic))
        placed[id(unit)] = rows or [None]
    return placed


# an item of these concepts that states no value but names the test goes on that test's row, when
# another trial states a threshold for it ("QTcF from 3 ECGs ..." beside "QTc > 470 ms")
_THRESHOLD_CUES = {
    c.CARDIAC: (("lab:qtc", re.compile(r"\bQTc\w*|\bQT\s+interval", re.I)),
                ("lab:lvef", re.compile(r"\bLVEF\b|\bejection\s+fraction", re.I))),
}  # fmt: skip


def _to_threshold_rows(
    trials: list[_Trial], placements: list[dict[int, list[tuple[str, str] | None]]]
) -> None:
    stated = {key for trial in trials for key in trial.requirements}
    for trial, placed in zip(trials, placements, strict=True):
        for unit in trial.units:
            rows = placed[id(unit)]
            if len(rows) != 1 or rows[0] is None or rows[0][0] != "concept":
                continue
            moved = [
                ("facet", key)
                for key, cue in _THRESHOLD_CUES.get(rows[0][1], ())
                if key in stated and cue.search(unit.own_text)
            ]
            if moved:
                placed[id(unit)] = moved


def criteria_sections(
    records: Sequence[TrialRecord], item_facets: Sequence[Sequence[ItemFacets]]
) -> tuple[dict[str, list[Row]], list[KeyDifference]]:
    """The inclusion and exclusion rows of the trials, and their key differences."""
    trials = [
        _trial(record, items, n) for n, (record, items) in enumerate(zip(records, item_facets, strict=True))
    ]
    placements = [_placements(trial) for trial in trials]
    _to_threshold_rows(trials, placements)
    speaks = {  # (trial, facet key) of the facet rows each trial has items on, in either section
        (n, row_id[1])
        for n, placed in enumerate(placements)
        for rows in placed.values()
        for row_id in rows
        if row_id is not None and row_id[0] == "facet"
    }
    sections: dict[str, list[Row]] = {}
    facet_values: dict[str, tuple[list[str], bool]] = {}
    for section in CRITERIA_SECTIONS:
        members: dict[tuple[str, str], list[Unit]] = {}
        loose: list[AlignedItem] = []
        for trial, placed in zip(trials, placements, strict=True):
            for unit in trial.units:
                if unit.section != section:
                    continue
                for row_id in placed[id(unit)]:
                    if row_id is None:
                        loose.append(AlignedItem(unit.trial, unit.ref, unit.text, content_words(unit.text)))
                    else:
                        members.setdefault(row_id, []).append(unit)
        rows = []
        for row_id in sorted(members, key=_order):
            rows.append(_row(row_id, members[row_id], trials, speaks, facet_values))
        rows.extend(build_row(None, group, len(trials)) for group in cluster(loose, TEXT_SIMILARITY))
        sections[section] = rows
    return sections, _key_differences(sections, facet_values)


def _row(
    row_id: tuple[str, str],
    units: list[Unit],
    trials: list[_Trial],
    speaks: set[tuple[int, str]],
    facet_values: dict[str, tuple[list[str], bool]],
) -> Row:
    items = [AlignedItem(unit.trial, unit.ref, unit.text, frozenset()) for unit in units]
    kind, name = row_id
    if kind == "facet" and any(trial.requirements.get(name) for trial in trials):
        if name not in facet_values:
            compared, shown = zip(
                *(t.value(name, (n, name) in speaks) for n, t in enumerate(trials)), strict=True
            )
            facet_values[name] = (list(shown), len(set(compared)) > 1)
        shown, differs = facet_values[name]
        row = build_row(facet_title(name), items, len(trials))
        row.facet, row.values, row.differs = name, list(shown), differs
        return row
    concept = _CONCEPT_OF_ROW.get(name, name) if kind == "facet" else name
    return build_row(concept, items, len(trials))


def _short(key: str, text: str) -> str:
    """A value without the detail its title already names: "ECOG 1-3" under "(ECOG)" is "1-3"."""
    detail = key.partition(":")[2].partition("|")[0]
    return text[len(detail) + 1 :] if detail and text.startswith(detail + " ") else text


def _key_differences(
    sections: dict[str, list[Row]], facet_values: dict[str, tuple[list[str], bool]]
) -> list[KeyDifference]:
    found: dict[str, KeyDifference] = {}
    for section in CRITERIA_SECTIONS:
        for row in sections[section]:
            if row.facet is None or row.facet in found or not facet_values[row.facet][1]:
                continue
            values = tuple(_short(row.facet, value or "") for value in row.values)
            found[row.facet] = KeyDifference(row.facet, facet_title(row.facet), values, section)
    order = {key: n for n, key in enumerate(found)}
    # the values that conflict first, then the facets only some trials state
    return sorted(found.values(), key=lambda k: (not k.conflict, _order(("facet", k.facet)), order[k.facet]))
