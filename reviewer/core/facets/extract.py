"""The rule engine: one criterion's text and section -> its facets (typed values).

`extract_facets(text, section)` normalises the text once (markdown escapes, comparison signs, full-width
punctuation), asks the prefilter which kinds its words can hold, then runs only those kinds' extractors
(labs.py, performance.py, demographics.py, oncology.py, treatment.py, bare.py); their patterns come from
`rules.py`, compiled once at import. Never raises on any string; an empty list means no facet.

Polarity: age, sex and performance describe who is ELIGIBLE (an exclusion "Age < 18" gives min 18, an
exclusion "Karnofsky < 50" allows 50-100); lab thresholds, life expectancy and prior lines keep the
operator as written, so an exclusion "creatinine clearance < 50" is "<" and the section says it excludes.
"""

from __future__ import annotations

import functools
import re

from . import rules as R
from .bare import BARE, PARTNER_SUBJECT, has_kind
from .demographics import age_spans, ages_from, sex_facets
from .labs import lab_facets
from .oncology import biomarker_facets, brain_facets, life_expectancy_facets
from .performance import performance_facets
from .prefilter import possible_kinds
from .reading import Facet, compiled, normalise
from .treatment import prior_line_facets, washout_facets

# --- the engine ------------------------------------------------------------------------------------------------------------------------------------
_DIGIT = re.compile(r"\d")
_BIOMARKER_CAPITALS = compiled("|".join(re.escape(word) for word in R.BIOMARKER_CAPITALS), 0)
_WASHOUT_TRIGGERS = compiled("|".join(re.escape(word) for word in R.WASHOUT_TRIGGERS), 0)
_PRIOR_THERAPY_NOUNS = compiled("|".join(re.escape(word) for word in R.PRIOR_THERAPY_NOUNS), 0)


def extract_facets(text: str, section: str = "unsectioned") -> list[Facet]:
    """The facets of one criterion. `section` is "inclusion", "exclusion" or "unsectioned"."""
    if not text or not text.strip():
        return []
    return [{k: list(v) if isinstance(v, list) else v for k, v in facet.items()} for facet in shared_facets(text, section)]


@functools.lru_cache(maxsize=65536)
def shared_facets(text: str, section: str = "unsectioned") -> tuple[Facet, ...]:
    """extract_facets' answer shared between the callers asking of the same text: read it, never
    change it. Registries repeat boilerplate criteria ("Signed informed consent") across thousands
    of trials; an import reads every criterion of every study through it."""
    if not text or not text.strip():
        return ()
    return tuple(_extract(text, section))


def _extract(text: str, section: str) -> list[Facet]:
    norm = normalise(text)
    low = norm.lower()
    possible = possible_kinds(low)
    if _BIOMARKER_CAPITALS.search(norm):
        possible["biomarker"] = []
    if not possible:
        return []
    has_digit = _DIGIT.search(norm) is not None
    facets: list[Facet] = []
    kinds: set[str] = set()

    def add(found: list[Facet]) -> None:
        for facet in found:
            if facet not in facets:
                facets.append(facet)
                kinds.add(facet["kind"])

    partner_subject = "partner" in low and PARTNER_SUBJECT.search(norm) is not None
    for kind in BARE:
        if kind not in possible or kind == "prior_therapy" or (partner_subject and kind in R.PARTNER_SCOPED_KINDS):
            continue
        if has_kind(kind, norm, section):
            add([{"kind": kind}])
    has_performance = False
    age_stretches: list[tuple[int, int]] = []
    if has_digit:
        if "performance" in possible:
            found = performance_facets(norm, section)
            has_performance = bool(found) or "(" in norm
            add(found)
        if "lab" in possible:
            add(lab_facets(norm, section, possible))
        if "age" in possible:
            spans = age_spans(norm, section, has_performance, possible["age"])
            if spans:
                age_stretches = [(s, e) for s, e, *_ in spans]
                add(ages_from(norm, spans))
    if "life_expectancy" in possible:
        add(life_expectancy_facets(norm, section))
    if "washout" in possible and _WASHOUT_TRIGGERS.search(low):
        add(washout_facets(norm, section, possible["washout"]))
    if "sex" in possible:
        add(sex_facets(norm, section, age_stretches, kinds))
    if "prior_lines" in possible or ("at least" in low and "prior" in low):
        add(prior_line_facets(norm, section))
    if "brain_metastases" in possible:
        add(brain_facets(norm, section))
    if "biomarker" in possible:
        add(biomarker_facets(norm, section))
    if (
        "prior_therapy" in possible
        and not any(k in kinds for k in R.PRIOR_THERAPY_SUPERSEDED_BY)
        and _PRIOR_THERAPY_NOUNS.search(low)
        and has_kind("prior_therapy", norm, section)
    ):
        add([{"kind": "prior_therapy"}])
    return facets
