"""The arms section (each trial's arms grouped by role, then paired within a role by the similarity
of their label and interventions) and ``compare_arms``, the arms of one trial as the columns.
"""

from __future__ import annotations

import re

from ..items import arm as arm_ref
from ..record import Arm, TrialRecord
from ..text import squash
from ..vocab import label
from .design import code
from .table import (
    EMPTY,
    SECTIONS,
    AlignedItem,
    Comparison,
    Row,
    build_row,
    cluster,
    content_words,
    texts_differ,
)

ROLE_OF_TYPE = {
    "EXPERIMENTAL": "Experimental",
    "ACTIVE_COMPARATOR": "Comparator",
    "PLACEBO_COMPARATOR": "Comparator",
    "SHAM_COMPARATOR": "Comparator",
    "NO_INTERVENTION": "Comparator",
}
ROLES = ("Experimental", "Comparator", "Other")
_INTERVENTION_TYPE_PREFIX = re.compile(r"^[A-Za-z ]+:\s*")


def arm_text(arm: Arm) -> str:
    """'[Experimental] FMT: Procedure: Fecal Microbiota Transplant (FMT)'."""
    head = f"[{label(arm.type)}] {arm.label}" if arm.type else arm.label
    return f"{head}: {', '.join(arm.intervention_names)}" if arm.intervention_names else head


def arm_role(arm: Arm, trial_has_experimental: bool = True) -> str:
    """Experimental, Comparator or Other; in a trial with no experimental arm, "Other" arms (and arms
    of no type) are taken as experimental: that is what a single-group "Other" arm usually is."""
    role = ROLE_OF_TYPE.get(arm.type or "", "Other")
    return "Experimental" if role == "Other" and not trial_has_experimental else role


def arm_items(record: TrialRecord, trial: int = 0) -> list[AlignedItem]:
    arms = record.arms or []
    has_experimental = any(arm.type == "EXPERIMENTAL" for arm in arms)
    aligned = []
    for arm in arms:
        names = " ".join(_INTERVENTION_TYPE_PREFIX.sub("", name) for name in arm.intervention_names)
        words = content_words(f"{arm.label} {names}")
        aligned.append(
            AlignedItem(trial, arm_ref(arm.label), arm_text(arm), words, arm_role(arm, has_experimental))
        )
    return aligned


def arm_rows(records: list[TrialRecord]) -> list[Row]:
    aligned = [item for n, record in enumerate(records) for item in arm_items(record, n)]
    rows = []
    for role in ROLES:
        of_role = [item for item in aligned if item.group == role]
        rows.extend(build_row(f"{role} arm", members, len(records)) for members in cluster(of_role, -1.0))
    return rows


def _interventions_of(record: TrialRecord, arm: Arm) -> list[str]:
    """'name: description' of the interventions given to an arm."""
    given = {_INTERVENTION_TYPE_PREFIX.sub("", name).casefold() for name in arm.intervention_names}
    texts = []
    for intervention in record.interventions or []:
        if arm.label in intervention.arm_labels or intervention.name.casefold() in given:
            details = squash(intervention.description)
            texts.append(f"{intervention.name}: {details}" if details else intervention.name)
    return texts


def compare_arms(record: TrialRecord) -> Comparison:
    """The arms of ONE trial as the columns: rows for type, description, interventions (and details).

    The design, inclusion, exclusion and outcomes sections are empty lists.
    """
    arms = record.arms or []
    if not arms:
        raise ValueError(f"{record.registry_id} has no arms to compare")
    keys = [[arm_ref(arm.label)] for arm in arms]
    cells_by_row = [
        ("Type", [[code(arm.type)] for arm in arms]),
        ("Description", [[squash(arm.description) or EMPTY] for arm in arms]),
        ("Interventions", [list(arm.intervention_names) or ["none"] for arm in arms]),
    ]
    if record.interventions is not None:
        cells_by_row.append(
            ("Intervention details", [_interventions_of(record, arm) or ["none"] for arm in arms])
        )
    rows = [
        Row(
            concept,
            cells,
            [key * len(cell) for key, cell in zip(keys, cells, strict=True)],
            texts_differ(cells),
            values=[None] * len(arms),
        )
        for concept, cells in cells_by_row
    ]
    sections: dict[str, list[Row]] = {name: [] for name in SECTIONS}
    sections["arms"] = rows
    return Comparison(trials=[arm.label for arm in arms], sections=sections)
