"""The kinds that carry no value (pregnancy, consent, infection, ...): a pattern, and the context that makes
a match someone else's (a partner's pregnancy) or no requirement ("the only source of measurable disease")."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import chain

from . import rules as R
from .reading import compiled

# --- bare kinds ------------------------------------------------------------------------------------------------------------------------------
BARE = {
    kind: (triggers, compiled(pattern), compiled(before) if before else None, compiled(after) if after else None)
    for kind, (triggers, pattern, before, after) in R.BARE_KINDS.items()
}
_OTHER_MALIGNANCY_EXCLUSION = compiled(R.OTHER_MALIGNANCY_EXCLUSION)
_PRIOR_THERAPY_NOT = compiled(R.PRIOR_THERAPY_NOT)
PARTNER_SUBJECT = compiled(R.PARTNER_SUBJECT)


def has_kind(kind: str, text: str, section: str) -> bool:
    _triggers, pattern, before, after = BARE[kind]
    candidates: Iterator[re.Match] = pattern.finditer(text)  # read lazily: the first that counts decides
    if kind == "other_malignancy" and section == "exclusion":
        candidates = chain(candidates, _OTHER_MALIGNANCY_EXCLUSION.finditer(text))
    for m in candidates:
        if kind == "prior_therapy" and _PRIOR_THERAPY_NOT.search(m.group(0)):
            continue
        if before and before.search(text[max(0, m.start() - 100) : m.start()]):
            continue
        if after and after.search(text[m.end() : m.end() + 40]):
            continue
        return True
    return False
