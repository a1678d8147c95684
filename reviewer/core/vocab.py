"""The registry's canonical vocabulary (ClinicalTrials.gov API v2 enums) and human labels.

Importers of free-text sources (legacy XML, saved portal pages) turn what they read into these codes
with ``to_code``; views turn codes back into words with ``label``.
"""

from __future__ import annotations

import re

ENUMS: dict[str, tuple[str, ...]] = {
    "status": (
        "ACTIVE_NOT_RECRUITING",
        "COMPLETED",
        "ENROLLING_BY_INVITATION",
        "NOT_YET_RECRUITING",
        "RECRUITING",
        "SUSPENDED",
        "TERMINATED",
        "WITHDRAWN",
        "AVAILABLE",
        "NO_LONGER_AVAILABLE",
        "TEMPORARILY_NOT_AVAILABLE",
        "APPROVED_FOR_MARKETING",
        "WITHHELD",
        "UNKNOWN",
    ),
    "study_type": ("EXPANDED_ACCESS", "INTERVENTIONAL", "OBSERVATIONAL"),
    "phase": ("NA", "EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4"),
    "results": ("WITH_RESULTS", "NO_RESULTS"),  # the library's filter: whether a trial posted results
    "sex": ("FEMALE", "MALE", "ALL"),
    "std_age": ("CHILD", "ADULT", "OLDER_ADULT"),
    "agency_class": ("NIH", "FED", "OTHER_GOV", "INDIV", "INDUSTRY", "NETWORK", "AMBIG", "OTHER", "UNKNOWN"),
    "allocation": ("RANDOMIZED", "NON_RANDOMIZED", "NA"),
    "intervention_model": ("SINGLE_GROUP", "PARALLEL", "CROSSOVER", "FACTORIAL", "SEQUENTIAL"),
    "primary_purpose": (
        "TREATMENT",
        "PREVENTION",
        "DIAGNOSTIC",
        "ECT",
        "SUPPORTIVE_CARE",
        "SCREENING",
        "HEALTH_SERVICES_RESEARCH",
        "BASIC_SCIENCE",
        "DEVICE_FEASIBILITY",
        "OTHER",
    ),
    "observational_model": (
        "COHORT",
        "CASE_CONTROL",
        "CASE_ONLY",
        "CASE_CROSSOVER",
        "ECOLOGIC_OR_COMMUNITY",
        "FAMILY_BASED",
        "DEFINED_POPULATION",
        "NATURAL_HISTORY",
        "OTHER",
    ),
    "time_perspective": ("RETROSPECTIVE", "PROSPECTIVE", "CROSS_SECTIONAL", "OTHER"),
    "enrollment_type": ("ACTUAL", "ESTIMATED"),
    "date_type": ("ACTUAL", "ESTIMATED"),
    "arm_type": (
        "EXPERIMENTAL",
        "ACTIVE_COMPARATOR",
        "PLACEBO_COMPARATOR",
        "SHAM_COMPARATOR",
        "NO_INTERVENTION",
        "OTHER",
    ),
    "intervention_type": (
        "BEHAVIORAL",
        "BIOLOGICAL",
        "COMBINATION_PRODUCT",
        "DEVICE",
        "DIAGNOSTIC_TEST",
        "DIETARY_SUPPLEMENT",
        "DRUG",
        "GENETIC",
        "PROCEDURE",
        "RADIATION",
        "OTHER",
    ),
    "contact_role": (
        "STUDY_CHAIR",
        "STUDY_DIRECTOR",
        "PRINCIPAL_INVESTIGATOR",
        "SUB_INVESTIGATOR",
        "CONTACT",
    ),
    "masking": ("NONE", "SINGLE", "DOUBLE", "TRIPLE", "QUADRUPLE"),
    "who_masked": ("PARTICIPANT", "CARE_PROVIDER", "INVESTIGATOR", "OUTCOMES_ASSESSOR"),
    "responsible_party": ("SPONSOR", "PRINCIPAL_INVESTIGATOR", "SPONSOR_INVESTIGATOR"),
    "ipd_sharing": ("YES", "NO", "UNDECIDED"),
    "ipd_info_type": ("STUDY_PROTOCOL", "SAP", "ICF", "CSR", "ANALYTIC_CODE"),
    "sampling_method": ("PROBABILITY_SAMPLE", "NON_PROBABILITY_SAMPLE"),
    "biospec_retention": ("NONE_RETAINED", "SAMPLES_WITH_DNA", "SAMPLES_WITHOUT_DNA"),
}

# Words seen in the legacy XML and on portal pages that do not normalise to the code by themselves.
SYNONYMS: dict[str, dict[str, str]] = {
    "status": {
        "NOT_YET_ENROLLING": "NOT_YET_RECRUITING",
        "UNKNOWN_STATUS": "UNKNOWN",
        "ENROLLING": "RECRUITING",
        "ACTIVE_NOT_ENROLLING": "ACTIVE_NOT_RECRUITING",
        "ACTIVE_BUT_NOT_RECRUITING": "ACTIVE_NOT_RECRUITING",
        "AVAILABLE_FOR_EXPANDED_ACCESS": "AVAILABLE",
        "TEMPORARILY_UNAVAILABLE": "TEMPORARILY_NOT_AVAILABLE",
    },
    "phase": {
        "N_A": "NA",
        "NOT_APPLICABLE": "NA",
        "PHASE_0": "EARLY_PHASE1",
        "EARLY_PHASE_1": "EARLY_PHASE1",
        "PHASE_1": "PHASE1",
        "PHASE_2": "PHASE2",
        "PHASE_3": "PHASE3",
        "PHASE_4": "PHASE4",
        "PHASE_I": "PHASE1",
        "PHASE_II": "PHASE2",
        "PHASE_III": "PHASE3",
        "PHASE_IV": "PHASE4",
    },
    "allocation": {"N_A": "NA", "NON_RANDOMISED": "NON_RANDOMIZED", "RANDOMISED": "RANDOMIZED"},
    "intervention_model": {
        "SINGLE_GROUP_ASSIGNMENT": "SINGLE_GROUP",
        "PARALLEL_ASSIGNMENT": "PARALLEL",
        "CROSSOVER_ASSIGNMENT": "CROSSOVER",
        "FACTORIAL_ASSIGNMENT": "FACTORIAL",
        "SEQUENTIAL_ASSIGNMENT": "SEQUENTIAL",
    },
    "primary_purpose": {
        "EDUCATIONAL_COUNSELING_TRAINING": "OTHER",
        "DEVICE_FEASIBILITY_STUDY": "DEVICE_FEASIBILITY",
    },
    "observational_model": {
        "ECOLOGIC_OR_COMMUNITY_STUDIES": "ECOLOGIC_OR_COMMUNITY",
        "CASE_CROSSOVER": "CASE_CROSSOVER",
    },
    "study_type": {"EXPANDED_ACCESS": "EXPANDED_ACCESS", "OBSERVATIONAL_PATIENT_REGISTRY": "OBSERVATIONAL"},
    "arm_type": {
        "ACTIVE_COMPARATOR_GROUP": "ACTIVE_COMPARATOR",
        "EXPERIMENTAL_GROUP": "EXPERIMENTAL",
        "PLACEBO_COMPARATOR_GROUP": "PLACEBO_COMPARATOR",
        "SHAM_COMPARATOR_GROUP": "SHAM_COMPARATOR",
        "NO_INTERVENTION_GROUP": "NO_INTERVENTION",
        "OTHER_GROUP": "OTHER",
    },
    "intervention_type": {"DIETARY_SUPPLEMENT": "DIETARY_SUPPLEMENT", "GENETIC": "GENETIC"},
    "masking": {"NONE_OPEN_LABEL": "NONE", "OPEN_LABEL": "NONE", "NO_MASKING": "NONE"},
    "who_masked": {"OUTCOMES_ASSESSOR": "OUTCOMES_ASSESSOR"},
    "sex": {"BOTH": "ALL"},
    "ipd_info_type": {
        "STATISTICAL_ANALYSIS_PLAN_SAP": "SAP",
        "INFORMED_CONSENT_FORM_ICF": "ICF",
        "CLINICAL_STUDY_REPORT_CSR": "CSR",
    },
    "agency_class": {"U_S_FED": "FED", "US_FED": "FED"},
    "enrollment_type": {"ANTICIPATED": "ESTIMATED"},
    "date_type": {"ANTICIPATED": "ESTIMATED"},
}

_LABEL_OVERRIDES = {
    "NA": "N/A",
    "EARLY_PHASE1": "Early phase 1",
    "PHASE1": "Phase 1",
    "PHASE2": "Phase 2",
    "PHASE3": "Phase 3",
    "PHASE4": "Phase 4",
    "ECT": "Early clinical trial",
    "SAP": "Statistical analysis plan (SAP)",
    "ICF": "Informed consent form (ICF)",
    "CSR": "Clinical study report (CSR)",
    "OTHER_GOV": "Other government",
    "INDIV": "Individual",
    "FED": "Federal",
    "AMBIG": "Ambiguous",
    "NONE": "None (open label)",
    "ALL": "All",
}


_NOT_TOKEN = re.compile(r"[^A-Z0-9]+")


def _token(text: str) -> str:
    """'Active Comparator group' -> 'ACTIVE_COMPARATOR_GROUP'."""
    return _NOT_TOKEN.sub("_", text.upper()).strip("_")


# every code is its own token, so text that already is a code maps to itself (the registry's usual case)
_CODES = {kind: frozenset(codes) for kind, codes in ENUMS.items()}


def to_code(kind: str, text: str | None) -> str | None:
    """The registry code for ``text`` in vocabulary ``kind``.

    Text that matches no code is returned stripped rather than dropped: a reader sees what the
    source said instead of an empty cell.
    """
    if text is None:
        return None
    text = text.strip()
    if not text:
        return None
    codes = _CODES[kind]
    if text in codes:
        return text
    token = _token(text)
    if token in codes:
        return token
    token = SYNONYMS.get(kind, {}).get(token, token)
    if token in codes:
        return token
    # "None (Open Label)" -> "NONE"; "Double (Participant, Investigator)" -> "DOUBLE"
    head = _token(re.split(r"[(\[]", text, maxsplit=1)[0])
    head = SYNONYMS.get(kind, {}).get(head, head)
    if head in codes:
        return head
    return text


def phases_from_text(text: str | None) -> list[str]:
    """'Phase 1/Phase 2' -> ['PHASE1', 'PHASE2']; 'N/A' -> ['NA']; '' -> []."""
    if not text or not text.strip():
        return []
    if _token(text) in ("N_A", "NA", "NOT_APPLICABLE"):
        return ["NA"]
    parts = re.split(r"\s*(?:/|,|\band\b|\|)\s*(?=(?:early\s+)?phase|\d)", text.strip(), flags=re.I)
    out = []
    for part in parts:
        part = part.strip()
        if re.fullmatch(r"\d", part):
            part = "Phase " + part
        code = to_code("phase", part)
        if code and code not in out:
            out.append(code)
    return out


def label(code: str | None) -> str:
    """Human words for a code: 'NOT_YET_RECRUITING' -> 'Not yet recruiting'."""
    if not code:
        return ""
    if code in _LABEL_OVERRIDES:
        return _LABEL_OVERRIDES[code]
    if not re.fullmatch(r"[A-Z0-9_]+", code):
        return code
    words = code.replace("_", " ").lower()
    return words[0].upper() + words[1:]


def phases_label(phases: list[str] | None) -> str:
    return "/".join(label(p) for p in phases or [])


def age_in_years(age: str | None) -> float | None:
    """'18 Years' -> 18.0, '6 Months' -> 0.5; None when unknown."""
    if not age:
        return None
    m = re.match(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)", age)
    if not m:
        return None
    n = float(m.group(1))
    unit = m.group(2).lower()
    per_year = {"year": 1, "month": 12, "week": 52.1775, "day": 365.25, "hour": 8766, "minute": 525960}
    for name, factor in per_year.items():
        if unit.startswith(name):
            return n / factor
    return n
