"""The outcomes section: primary with primary, secondary with secondary, other with other. Outcomes
naming a known endpoint (overall survival/OS, PFS, ORR, adverse events, ...) share a row per
endpoint; the rest are clustered by word overlap.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..items import OUTCOME_KINDS, numbered_outcomes
from ..record import Outcome, TrialRecord
from .table import TEXT_SIMILARITY, AlignedItem, Row, build_row, by_group, cluster, content_words


def _endpoint(name: str, *alternatives: str) -> tuple[str, re.Pattern]:
    return name, re.compile("|".join(alternatives), re.IGNORECASE)


ENDPOINTS: tuple[tuple[str, re.Pattern], ...] = (
    _endpoint("Overall survival", r"\boverall\s+survival\b", r"(?-i:\bOS\b)"),
    _endpoint("Progression-free survival", r"\bprogression[- ]free\s+survival", r"(?-i:\bPFS\d*\b)"),
    _endpoint("Event-free survival", r"\bevent[- ]free\s+survival", r"(?-i:\bEFS\b)"),
    _endpoint(
        "Disease/relapse-free survival",
        r"\b(?:disease|relapse|recurrence|metastasis)[- ]free\s+survival",
        r"(?-i:\b(?:DFS|RFS|MFS)\b)",
    ),
    _endpoint("Time to progression", r"\btime\s+to\s+(?:disease\s+)?progression", r"(?-i:\bTTP\b)"),
    _endpoint(
        "Duration of response", r"\bduration\s+of\s+(?:\w+\s+)?(?:response|remission)", r"(?-i:\bDoR\b)"
    ),
    _endpoint("Time to response", r"\btime\s+to\s+(?:\w+\s+)?(?:response|remission)"),
    _endpoint(
        "Complete response/remission",
        r"\bcomplete\s+(?:response|remission)",
        r"(?-i:\b(?:CR|CRR|pCR)\b)",
        r"\bpathologic\w*\s+complete",
    ),
    _endpoint("Disease control", r"\bdisease\s+control", r"(?-i:\bDCR\b)", r"\bclinical\s+benefit"),
    _endpoint(
        "Objective response",
        r"\b(?:objective|overall|tumou?r|best\s+overall)\s+response",
        r"(?-i:\b(?:ORR|BOR)\b)",
        r"\bresponse\s+rate",
    ),
    _endpoint("Dose-limiting toxicity", r"\bdose[- ]limiting", r"(?-i:\bDLTs?\b)"),
    _endpoint(
        "Maximum tolerated / recommended dose",
        r"\bmaximum\s+tolerated\s+dose",
        r"(?-i:\b(?:MTD|RP2D)\b)",
        r"\brecommended\s+phase\s+(?:2|II)\s+dose",
    ),
    _endpoint(
        "Adverse events / safety",
        r"\badverse\s+(?:events?|reactions?)",
        r"(?-i:\bT?E?AEs?\b)",
        r"\btoxicit\w*|\bsafety\b|\btolerab\w*|\bside\s+effects?",
    ),
    _endpoint(
        "Pharmacokinetics",
        r"\bpharmacokinetic\w*",
        r"(?-i:\b(?:PK|Cmax|Cmin|AUC\w*|Tmax|tmax|t1/2|CL|Vss|Vd)\b)",
        r"\bhalf-life",
    ),
    _endpoint("Immunogenicity", r"\banti-drug\s+antibod\w*", r"(?-i:\bADAs?\b)", r"\bimmunogenicity"),
    _endpoint(
        "Quality of life / patient-reported",
        r"\bquality\s+of\s+life",
        r"(?-i:\b(?:QoL|HRQoL|QLQ-\w+|EQ-5D\S*|PROs?|FACT-\w+)\b)",
        r"\bpatient[- ]reported",
        r"\bEORTC\b",
    ),
    _endpoint("Minimal residual disease", r"\bminimal\s+residual\s+disease", r"(?-i:\bMRD\b)"),
)


@lru_cache(maxsize=4096)
def outcome_endpoint(measure: str) -> str | None:
    """The known endpoint the measure names first ('Progression-Free Survival (PFS)' -> PFS), or None."""
    best = None
    for name, pattern in ENDPOINTS:
        match = pattern.search(measure)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), name)
    return best[1] if best else None


def outcome_text(outcome: Outcome) -> str:
    return f"{outcome.measure} ({outcome.time_frame})" if outcome.time_frame else outcome.measure


def outcome_items(record: TrialRecord, trial: int = 0) -> list[AlignedItem]:
    """The outcomes of a record as items: outcome "primary/1", "secondary/2", ..."""
    return [
        AlignedItem(trial, ref, outcome_text(o), content_words(o.measure), outcome_endpoint(o.measure))
        for ref, o in numbered_outcomes(record.outcomes)
    ]


def _kind_label(kind: str) -> str:
    return kind[:1].upper() + kind[1:]


def outcome_rows(records: list[TrialRecord]) -> list[Row]:
    aligned = [item for n, record in enumerate(records) for item in outcome_items(record, n)]
    kinds = list(OUTCOME_KINDS) + sorted({i.ref.group for i in aligned} - set(OUTCOME_KINDS))
    rows = []
    for kind in kinds:
        of_kind = [item for item in aligned if item.ref.group == kind]
        groups, loose = by_group(of_kind)
        named = [(f"{_kind_label(kind)}: {name}", members) for name, members in groups.items()]
        unnamed = [(f"{_kind_label(kind)} outcome", members) for members in cluster(loose, TEXT_SIMILARITY)]
        position = {id(item): n for n, item in enumerate(of_kind)}
        ordered = sorted(named + unnamed, key=lambda group: position[id(group[1][0])])
        rows.extend(build_row(concept, members, len(records)) for concept, members in ordered)
    return rows
