"""TrialRecord: the one source-independent shape every importer returns.

Conventions every importer follows:
- Coded values use the registry's API v2 vocabulary (see vocab.py): "NOT_YET_RECRUITING", "PHASE2".
- A list that is ``None`` means "not in source" (the document does not carry that part at all);
  an empty list means the source carries the part and it is empty ("none").
- Scalars that are ``None`` mean the source gives no value.
- Text has the registry's markdown escapes resolved (``\\>=`` -> ``>=``) and keeps its Unicode.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from .results import Results, results_from_dict


@dataclass
class Criterion:
    """One eligibility item; nested sub-items are kept as children.

    Structure marks (set by the criteria parser on the items they apply to):
    - ``heading``: the item is a heading over its children ("Cohort 2:", "Donor Inclusion Criteria"),
      not a criterion of its own;
    - ``scope``: whom or what a heading's children apply to, one of SCOPES (None: everyone, as for a
      topic heading such as "DISEASE CHARACTERISTICS:");
    - ``role``: how the children relate to their parent, one of ROLES: "exceptions" (they are exempt
      from the parent: "History of other malignancy, except for the following:"), "alternatives" (any
      one of them is enough: "Any of the following:"); None: each child applies.
    The marks are class-level defaults that an instance overrides only when it is marked, so an
    unmarked item is stored (orjson writes an instance's own attributes) and hashed as before the
    marks existed. They take no part in ``==``.
    """

    SCOPES: ClassVar[tuple[str, ...]] = ("population", "cohort", "part", "sub-study")
    ROLES: ClassVar[tuple[str, ...]] = ("exceptions", "alternatives")

    text: str
    children: list[Criterion] = field(default_factory=list)
    heading: ClassVar[bool] = False
    scope: ClassVar[str | None] = None
    role: ClassVar[str | None] = None

    def walk(self):
        """This item, then its descendants, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()

    def mark(self, *, heading: bool = False, scope: str | None = None, role: str | None = None) -> Criterion:
        """Set the marks that are given (a false or None value leaves a mark as it is)."""
        if heading:
            self.heading = True
        if scope is not None:
            self.scope = scope
        if role is not None:
            self.role = role
        return self

    def marks(self) -> dict[str, Any]:
        return {"heading": self.heading, "scope": self.scope, "role": self.role}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Criterion:
        """Rebuild an item and its children from their stored form (older stores have no marks)."""
        item = cls(data["text"], [cls.from_dict(child) for child in data.get("children", ())])
        return item.mark(heading=data.get("heading", False), scope=data.get("scope"), role=data.get("role"))


@dataclass
class Eligibility:
    sex: str | None = None  # ALL / FEMALE / MALE
    minimum_age: str | None = None  # registry form: "18 Years"
    maximum_age: str | None = None
    healthy_volunteers: bool | None = None
    std_ages: list[str] = field(default_factory=list)
    criteria_text: str | None = None  # the eligibility text as the source gives it (unescaped)
    inclusion: list[Criterion] = field(default_factory=list)
    exclusion: list[Criterion] = field(default_factory=list)
    # items found before any inclusion/exclusion heading when the text has headings elsewhere,
    # or every item when the text has no headings at all
    other: list[Criterion] = field(default_factory=list)


@dataclass
class Arm:
    label: str
    type: str | None = None  # ArmGroupType
    description: str | None = None
    intervention_names: list[str] = field(default_factory=list)  # "Drug: Aspirin"


@dataclass
class Intervention:
    name: str
    type: str | None = None  # InterventionType
    description: str | None = None
    other_names: list[str] = field(default_factory=list)
    arm_labels: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    kind: str  # primary / secondary / other
    measure: str
    time_frame: str | None = None
    description: str | None = None


@dataclass
class Sponsor:
    name: str
    agency_class: str | None = None  # AgencyClass


@dataclass
class Identifier:
    value: str
    kind: str  # nct / org_study / secondary / alias
    type: str | None = None  # SecondaryIdType or OrgStudyIdType
    domain: str | None = None
    link: str | None = None


@dataclass
class Contact:
    name: str | None = None
    role: str | None = None  # ContactRole / OfficialRole
    phone: str | None = None
    email: str | None = None
    affiliation: str | None = None


@dataclass
class Location:
    facility: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None
    status: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    contacts: list[Contact] = field(default_factory=list)


@dataclass
class Document:
    label: str | None = None
    type_abbrev: str | None = None  # Prot, SAP, ICF, Prot_SAP, ...
    has_protocol: bool | None = None
    has_sap: bool | None = None
    has_icf: bool | None = None
    filename: str | None = None
    date: str | None = None
    upload_date: str | None = None
    size: int | None = None
    url: str | None = None


@dataclass
class Reference:
    """A publication the record cites: its citation, its PubMed id, and why it is cited."""

    citation: str | None = None
    pmid: str | None = None
    type: str | None = None  # BACKGROUND, RESULT (of this trial), DERIVED (from this trial)


@dataclass
class Link:
    """A web page the record points to (API v2's seeAlsoLinks)."""

    url: str | None = None
    label: str | None = None


@dataclass
class ResponsibleParty:
    """Who answers for the record: the sponsor, or an investigator named here."""

    type: str | None = None  # SPONSOR / PRINCIPAL_INVESTIGATOR / SPONSOR_INVESTIGATOR
    investigator_name: str | None = None
    investigator_title: str | None = None
    investigator_affiliation: str | None = None
    old_name_title: str | None = None  # the registry's older form: a name and an organisation
    old_organization: str | None = None


@dataclass
class Oversight:
    """The US regulatory flags (the data monitoring committee is TrialRecord.has_dmc)."""

    fda_regulated_drug: bool | None = None
    fda_regulated_device: bool | None = None
    unapproved_device: bool | None = None
    pediatric_postmarket_surveillance: bool | None = None  # isPpsd
    us_export: bool | None = None
    fdaaa801_violation: bool | None = None


@dataclass
class IpdSharing:
    """The plan to share individual participant data, and datasets already available."""

    plan: str | None = None  # YES / NO / UNDECIDED
    description: str | None = None
    info_types: list[str] = field(default_factory=list)  # STUDY_PROTOCOL, SAP, ICF, CSR, ANALYTIC_CODE
    time_frame: str | None = None
    access_criteria: str | None = None
    url: str | None = None
    available: list[Link] = field(default_factory=list)  # referencesModule.availIpds: type as label


@dataclass
class Observational:
    """What an observational (or registry) study adds to its design: whom it samples and how, and
    what it keeps."""

    study_population: str | None = None
    sampling_method: str | None = None  # PROBABILITY_SAMPLE / NON_PROBABILITY_SAMPLE
    patient_registry: bool | None = None
    target_duration: str | None = None  # "5 Years"
    biospec_retention: str | None = None  # NONE_RETAINED / SAMPLES_WITH_DNA / SAMPLES_WITHOUT_DNA
    biospec_description: str | None = None


@dataclass
class GenderEligibility:
    """Whether eligibility rests on gender identity, beyond the sex the record gives."""

    based: bool | None = None
    description: str | None = None


@dataclass
class ExpandedAccess:
    """Whether the treatment is available outside the trial, and the registry record of that."""

    available: bool | None = None
    nct_id: str | None = None
    status: str | None = None
    types: list[str] = field(default_factory=list)  # an expanded-access record's: INDIVIDUAL, INTERMEDIATE, TREATMENT


@dataclass
class Design:
    study_type: str | None = None
    phases: list[str] = field(default_factory=list)  # [] when the source gives none
    primary_purpose: str | None = None
    allocation: str | None = None
    intervention_model: str | None = None
    intervention_model_description: str | None = None
    masking: str | None = None
    who_masked: list[str] = field(default_factory=list)
    masking_description: str | None = None
    observational_model: str | None = None
    time_perspective: str | None = None
    enrollment_count: int | None = None
    enrollment_type: str | None = None  # ACTUAL / ESTIMATED


# the single-object parts added after stores existed, and how to rebuild each from its stored form
DETAIL_PARTS: dict[str, Any] = {
    "organization": Sponsor,
    "responsible_party": ResponsibleParty,
    "oversight": Oversight,
    "ipd_sharing": IpdSharing,
    "observational": Observational,
    "gender": GenderEligibility,
    "expanded_access": ExpandedAccess,
}


def details_from_dict(data: dict[str, Any]) -> dict[str, Any]:
    """The DETAIL_PARTS of a stored record or parts value, as objects (None where absent: a record
    stored before they existed has none)."""
    details: dict[str, Any] = {}
    for name, kind in DETAIL_PARTS.items():
        value = data.get(name)
        if value is not None and kind is IpdSharing:
            value = {**value, "available": [Link(**link) for link in value.get("available", ())]}
        details[name] = None if value is None else kind(**value)
    return details


_REGISTRY_DATE = re.compile(r"(\d{4})-(\d\d)(?:-(\d\d))?", re.ASCII)
# the years a registry date can fall in: "9999-12-31" is a placeholder, not a date
DATE_YEARS = range(1900, 2101)
_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def is_registry_date(text: object) -> bool:
    """Whether ``text`` is a real calendar date in the registry's form ("2026-01" or "2026-01-15")."""
    match = _REGISTRY_DATE.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        return False
    year, month, day = match.groups()
    year, month = int(year), int(month)
    if year not in DATE_YEARS or not 1 <= month <= 12:
        return False
    if day is None:
        return True
    last = 29 if month == 2 and calendar.isleap(year) else _MONTH_DAYS[month]
    return 1 <= int(day) <= last


@dataclass
class Dates:
    """Dates as the registry writes them: "2026-01" or "2026-01-15"."""

    start: str | None = None
    start_type: str | None = None
    primary_completion: str | None = None
    primary_completion_type: str | None = None
    completion: str | None = None
    completion_type: str | None = None
    first_submitted: str | None = None
    first_posted: str | None = None
    last_update_posted: str | None = None
    status_verified: str | None = None


@dataclass
class TrialRecord:
    registry_id: str  # NCT number, or another registry's id
    brief_title: str | None = None
    official_title: str | None = None
    acronym: str | None = None
    overall_status: str | None = None
    last_known_status: str | None = None
    why_stopped: str | None = None
    brief_summary: str | None = None
    detailed_description: str | None = None
    conditions: list[str] | None = None
    keywords: list[str] | None = None
    design: Design = field(default_factory=Design)
    dates: Dates = field(default_factory=Dates)
    arms: list[Arm] | None = None
    interventions: list[Intervention] | None = None
    eligibility: Eligibility | None = None
    outcomes: list[Outcome] | None = None
    lead_sponsor: Sponsor | None = None
    collaborators: list[Sponsor] | None = None
    identifiers: list[Identifier] = field(default_factory=list)
    locations: list[Location] | None = None
    central_contacts: list[Contact] | None = None
    officials: list[Contact] | None = None
    documents: list[Document] | None = None
    has_dmc: bool | None = None
    has_results: bool | None = None
    version_date: str | None = None  # the registry's date of this version (is_registry_date), or None
    # fields added after stores existed, last on purpose: store.mapping.content_hash leaves out each
    # that is None, so records hash as they did before it existed
    references: list[Reference] | None = None
    links: list[Link] | None = None
    organization: Sponsor | None = None  # the organisation that registered the study
    responsible_party: ResponsibleParty | None = None
    oversight: Oversight | None = None
    ipd_sharing: IpdSharing | None = None
    observational: Observational | None = None
    gender: GenderEligibility | None = None
    expanded_access: ExpandedAccess | None = None
    # filled only when a trial is shown, from its stored source (core/shown.py): imports leave it None
    results: Results | None = None

    def outcomes_of(self, kind: str) -> list[Outcome] | None:
        if self.outcomes is None:
            return None
        return [o for o in self.outcomes if o.kind == kind]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrialRecord:
        """Rebuild a record from ``to_dict`` output (used for stored parsed copies)."""

        def listof(kind, items):
            return None if items is None else [kind(**i) for i in items]

        d = dict(data)
        d["design"] = Design(**d.get("design") or {})
        d["dates"] = Dates(**d.get("dates") or {})
        d["arms"] = listof(Arm, d.get("arms"))
        d["interventions"] = listof(Intervention, d.get("interventions"))
        d["outcomes"] = listof(Outcome, d.get("outcomes"))
        d["collaborators"] = listof(Sponsor, d.get("collaborators"))
        d["identifiers"] = listof(Identifier, d.get("identifiers")) or []
        d["central_contacts"] = listof(Contact, d.get("central_contacts"))
        d["officials"] = listof(Contact, d.get("officials"))
        d["documents"] = listof(Document, d.get("documents"))
        d["references"] = listof(Reference, d.get("references"))
        d["links"] = listof(Link, d.get("links"))
        d.update(details_from_dict(d))
        if d.get("lead_sponsor") is not None:
            d["lead_sponsor"] = Sponsor(**d["lead_sponsor"])
        if d.get("locations") is not None:
            d["locations"] = [
                Location(**{**loc, "contacts": [Contact(**c) for c in loc.get("contacts", [])]})
                for loc in d["locations"]
            ]
        if d.get("eligibility") is not None:
            e = dict(d["eligibility"])
            for part in ("inclusion", "exclusion", "other"):
                e[part] = [Criterion.from_dict(item) for item in e.get(part, [])]
            d["eligibility"] = Eligibility(**e)
        d["results"] = results_from_dict(d.get("results"))
        return cls(**d)
