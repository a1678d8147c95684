"""Facets: the typed values an eligibility criterion states (age bounds, ECOG, lab thresholds, ...).

`extract_facets(text, section)` reads one criterion's text and its section ("inclusion", "exclusion",
"unsectioned") and returns a list of facets in the shapes of issue 15, e.g.
{"kind": "lab", "analyte": "anc", "op": ">=", "value": 1.5, "unit": "10^9/L", "condition": None}.
The rules are data (`rules.py`) read by a small engine (`extract.py`: a word-stem prefilter, then one
module per family of kinds); `same_value` / `comparable` (`values.py`) compare two facets as values.
No Qt, no store: a pure text -> values step.
"""

from .extract import extract_facets, normalise
from .values import canonical_lab, comparable, same_value

__all__ = ["canonical_lab", "comparable", "extract_facets", "normalise", "same_value"]
