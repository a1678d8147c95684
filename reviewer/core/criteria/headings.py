"""What a line of eligibility text says about structure: section headings, scopes, roles, cues.

- ``section_heading``: "Inclusion Criteria:", "Non-inclusion Criteria:", "1. Inclusion Criteria",
  "III.6 EXCLUSION CRITERIA", "Patient Inclusion Criteria:", "Criteria for exclusion", "Key
  Inclusion Criteria", "Exclusion criteria for biomarkers substudy (...):", "Inclusion Criteria
  Stage 1" ... The variants were collected from the 483 criteria texts of the corpus (API v2 and
  legacy XML); a heading's qualifier ("Donor", "for epilepsy subjects", "Stage 1") says whom or what
  its items are for, unless it names everyone ("Key", "Patient", "General").
- ``scope_of``: population / cohort / part / sub-study for a heading's label.
- ``role_of``: "exceptions" / "alternatives" for an item that introduces its children that way.
- ``section_cue``: where an item of a text without headings certainly belongs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# "III.6 ", "4.1 ", "B. ": outline numbers before a heading (a "1." marker is taken off already)
_OUTLINE = re.compile(r"^(?:[IVXivx]{1,4}\.\d{1,2}|\d{1,2}(?:\.\d{1,2})+|[IVX]{1,4}\.|[A-H]\.)\s+")
_SECTION = re.compile(
    r"^\W*(?P<qualifier>(?:[^\W\d_][\w'’/-]*\s+){0,4}?)"
    r"(?P<kind>non[-\s]?inclusion|inclusion|exclusion|excluded)s?"
    r"(?P<noun>\s+(?:criteria|criterion|criterias|requirements))?"
    r"(?P<suffix>\s+(?:for|of|in)\s+[^:：]{1,80}"
    r"|\s*\([^)]{1,80}\)"
    r"|\s+(?:stage|part|cohort|phase|step|arm|group)\s*[\w-]{1,3})?"
    r"(?:\s+(?:include|are as follows|include,? but (?:are )?not limited to,? the following))?"
    r"\s*(?P<colon>[:：.]?)\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_CRITERIA_FOR = re.compile(
    r"^\W*criteria\s+for\s+(?P<kind>inclusion|exclusion)\s*(?P<colon>[:：]?)\s*(?P<rest>.*)$", re.I
)
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# words that make "<words> inclusion criteria" a sentence about criteria, not a heading
_NOT_QUALIFIER = _words(
    "not no meet meets meeting met fulfil fulfill fulfils fulfills fulfilling satisfy any all following these "
    "above below who which that see per defined protocol-defined standard applicable may will are is be "
    "of for with to and or"
)
# qualifiers that name everyone: the heading is a plain section heading
_EVERYONE = _words(
    "the key main major general additional specific other list basic common overall study protocol "
    "patient patients subject subjects participant participants"
)
_EVERYONE_SUFFIX = re.compile(r"\s*(?:for|of|in)\s+(?:all|every|the study|this study|study entry|enrol?lment)\b", re.I)
_DASH_LABEL = re.compile(r"^\s*[-–—]\s*")


@dataclass(slots=True)
class SectionHeading:
    kind: str  # inclusion / exclusion
    label: str | None  # the heading's own text when it scopes its items, else None
    rest: str  # text after the heading on its line ("Exclusion Criteria: 1. Age < 40 ...")


# the headings nearly every text has, found without the patterns (a text has two of them)
_COMMON = {
    f"{qualifier}{kind} criteria": kind
    for kind in ("inclusion", "exclusion")
    for qualifier in ("", "key ", "main ", "general ", "other ", "additional ")
} | {"inclusion": "inclusion", "exclusion": "exclusion", "non-inclusion criteria": "exclusion"}


def section_heading(text: str) -> SectionHeading | None:
    """The section heading ``text`` is, or None."""
    if len(text) > 140:
        return None
    common = _COMMON.get(text.rstrip(" :：.").lower())
    if common is not None:
        return SectionHeading(common, None, "")
    # every pattern needs "inclusion", "exclusion" or "excluded" (not "including": items often have it);
    # their letters match only their ASCII case pairs under re.IGNORECASE, so lower() finds them
    lowered = text.lower()
    if "clusion" not in lowered and "excluded" not in lowered:
        return None
    outline = _OUTLINE.match(text)
    body = text[outline.end() :] if outline else text
    match = ("criteria for" in lowered and _CRITERIA_FOR.match(body)) or _SECTION.match(body)
    if match is None:
        return None
    groups = match.groupdict()
    noun, suffix, colon = groups.get("noun"), groups.get("suffix"), match.group("colon")
    rest = match.group("rest").strip()
    qualifier = [w.lower().strip("'’") for w in (groups.get("qualifier") or "").split()]
    if qualifier[:1] == ["list"]:  # "List of inclusion criteria:"
        qualifier = qualifier[2:] if qualifier[1:2] == ["of"] else qualifier
    if set(qualifier) & _NOT_QUALIFIER:
        return None  # "Not meeting inclusion criteria", "History of inclusion ..."
    dash = _DASH_LABEL.match(rest) if rest else None
    if rest and colon not in (":", "：") and not dash:
        return None  # "Inclusion criteria 13 is only for patients ..." is a sentence
    if suffix and not noun and match.re is _SECTION:
        return None  # "Exclusion of patients with ...", "Inclusion in another study:" are items
    if not (noun or colon in (":", "：") or not rest and not qualifier and not suffix):
        return None
    kind = "inclusion" if match.group("kind").lower().startswith("inclusion") else "exclusion"
    head = (body[: len(body) - len(match.group("rest"))] if rest else body).strip()
    label = None
    if dash:  # "INCLUSION CRITERIA - Normal Volunteers:": the part after the dash is the label
        label, rest = rest[dash.end() :].strip(), ""
    elif any(w not in _EVERYONE for w in qualifier) or suffix and not _EVERYONE_SUFFIX.match(suffix):
        label = head.rstrip(".").strip()
    return SectionHeading(kind, label or None, rest)


_SCOPES = (
    ("sub-study", re.compile(r"sub-?stud|ancillary|optional (?:stud|biops|sampl)|biomarker|genetic|\bimaging\b|\bf?mri\b|\bpk\b")),
    ("cohort", re.compile(r"cohort|\barms?\b|\bgroups?\b|\bdose[- ]level|expansion")),
    (
        "part",
        re.compile(
            r"\bparts?\b|\b(?:stage|phase|step|period|segment)\s*(?:\d|[a-d]\b)|screening|"
            r"intra-?operative|pre-?operative|post-?operative|run-?in|transplant|extension|open-label|"
            r"randomi[sz]ation|registration|enrol?ment|"
            r"\b(?:study|treatment|main|follow-?up|maintenance|induction|dose[- ]escalation)\s+(?:phase|period|part)\b",
        ),
    ),
    (
        "population",
        re.compile(
            r"\b(?:patients?|subjects?|participants?|individuals?|people|persons?)\s+(?:with|who|having|in|on|of)\b|"
            r"volunteers?|donors?|recipients?|partners?|famil(?:y|ies)|mothers?|fathers?|parents?|caregivers?|"
            r"carers?|spouses?|children|infants?|neonates?|adults?|adolescents?|pediatric|paediatric|women|\bmen\b|"
            r"\bcontrols?\b|healthy|individual|\b(?:subjects|patients|participants)\W*$",
        ),
    ),
)
# a label that is a sentence ("Patients must meet the following criteria:") has no scope
_SENTENCE = re.compile(r"\b(?:must|will|should|shall|meets?|fulfil+s?|following|may|can|are|is|have|has)\b")
_TOPIC = re.compile(r"characteristics|concurrent therapy|prior therapy|laboratory|history|demographic")


def scope_of(label: str) -> str | None:
    """The scope a heading's label names, or None (a topic heading, a lead-in sentence)."""
    if len(label) > 120:
        return None
    label = label.lower()  # the patterns here are lower case: re.IGNORECASE is several times slower
    if _TOPIC.search(label):
        return None
    leading = _LEADING_SCOPE.match(label)
    if leading:  # "Part B (expansion):" is a part, whatever its words after
        return _LEADING_SCOPE_NAMES[leading.lastgroup]
    if _SENTENCE.search(label):
        return None
    for scope, pattern in _SCOPES:
        if pattern.search(label):
            return scope
    return None


_LEADING_SCOPE = re.compile(
    r"^\W*(?:(?P<substudy>sub-?stud(?:y|ies))|(?P<cohort>cohorts?|arms?|groups?)"
    r"|(?P<part>parts?|steps?|periods?|(?:stages?|phases?)(?=\s*(?:\d|[a-d]\b))))\b",  # not "Stage IV disease"
)
_LEADING_SCOPE_NAMES = {"substudy": "sub-study", "cohort": "cohort", "part": "part"}


# a short label that is a heading even as a list item: "- Second Cohort Criteria:", "* Part A:"
_ITEM_HEADING = re.compile(
    r"^\W*(?:(?:[\w-]+\s+){0,3}(?:criteria|requirements)|(?:cohort|part|arm|group|sub-?study|stage|phase)\b[^.;]{0,50})\s*[:：]\s*$",
    re.I,
)


def is_item_heading(text: str) -> bool:
    """A list item's text that heads its children rather than stating a criterion."""
    return len(text) <= 70 and bool(_ITEM_HEADING.match(text))


# a sentence that introduces the list after it, ending with a full stop: "Subjects who meet any of the
# following exclusion criteria are not to be enrolled in this study."
_LEAD_IN = re.compile(
    r"\b(?:any|all|each|one or more) of the following\b[^.;:]{0,40}\b(?:criteria|conditions|requirements)\b[^;:]{0,80}\.$",
    re.I,
)


def is_lead_in(text: str) -> bool:
    return len(text) < 250 and "following" in text and bool(_LEAD_IN.search(text))


_EXCEPTIONS = re.compile(
    r"(?:\b(?:except|excluding|exception of|other than|unless|apart from|but not)\b[^.;:()]{0,40}"
    r"\b(?:following|below|these|those|listed)\b[^.;:()]{0,40}|\b(?:except|excluding|exceptions?)\s*)[:：]\s*$"
)
_ALTERNATIVES = re.compile(
    r"\b(?:any(?:\s+(?:one|\d+|two|three))?|either|one or more|at least (?:one|two|\d+)|(?:one|two|three|\d+)(?: or more)?)"
    r"\s+(?:\(\d+\)\s+)?of\s+(?:the\s+)?(?:following|these|below)\b[^.;]{0,120}[:：]?\s*$"
)


def role_of(text: str) -> str | None:
    """"exceptions" or "alternatives" when an item's text introduces its children that way."""
    tail = text[-200:].lower()
    if ("exc" in tail or "other than" in tail or "unless" in tail or "apart" in tail or "but not" in tail) and (
        _EXCEPTIONS.search(tail)
    ):
        return "exceptions"
    if ("of " in tail or "of\n" in tail) and _ALTERNATIVES.search(tail):
        return "alternatives"
    return None


# texts of the NCI PDQ layout: every item is an entry requirement (its "No ..." items included)
_PDQ = re.compile(r"^\W*(?:disease characteristics|patient characteristics|prior concurrent therapy|protocol entry criteria)\b", re.I)
_EXCLUSION_CUE = re.compile(
    r"\b(?:(?:are|is|be|were|was)\s+(?:also\s+)?(?:excluded|ineligible|not eligible|not included|not allowed|not permitted|"
    r"precluded)|will not be (?:included|enrolled|eligible)|excluded (?:from|if)|exclusion|exclude[sd]? (?:a|the|any)\b|"
    r"ineligible|not be eligible)\b|^no\b.*\bwill be (?:included|enrolled)\b",
    re.I,
)
_INCLUSION_CUE = re.compile(
    r"\bmust\b|\b(?:is|are) required\b|\b(?:are|is|be) eligible\b|\bwilling\b|\bable to\b|^age[ds]?\b|"
    r"\byears (?:of age )?(?:or|and) (?:older|over|above)\b|\bto be (?:eligible|included)\b|\bwill be included\b",
    re.I,
)
# "Unable to ...", "Not willing ...": a requirement's words, negated, state a reason to exclude
_NEGATION = re.compile(r"\b(?:unable|inability|cannot|can't|(?<!must )not|unwilling|refus\w*|lack of)\b", re.I)
# "No prior chemotherapy", "Not pregnant" (not "Not willing to ...": an unwillingness, not a requirement)
_NEGATED_REQUIREMENT = re.compile(r"^(?:no|not)\b(?!\s+(?:willing|able|capable|eligible)\b)", re.I)


def is_pdq(text: str) -> bool:
    return bool(_PDQ.match(text))


def section_cue(text: str) -> str | None:
    """"inclusion" or "exclusion" when an unsectioned item certainly belongs there, else None.

    An item that says it excludes ("... are excluded", "will not be enrolled") is an exclusion. A
    negated requirement ("No prior chemotherapy", "Not pregnant") is a requirement the patient meets
    by not having the thing: filed under exclusion its words would say the opposite, so it is an
    inclusion, like an item that states a requirement ("must", "willing to", "aged ...").
    """
    exclusion = _EXCLUSION_CUE.search(text) is not None
    negated = _NEGATED_REQUIREMENT.match(text) is not None
    inclusion = negated or (_INCLUSION_CUE.search(text) is not None and _NEGATION.search(text) is None)
    if exclusion and negated:
        return "exclusion"  # "No smokers or tobacco users will be included in the study."
    if exclusion == inclusion:
        return None
    return "exclusion" if exclusion else "inclusion"
