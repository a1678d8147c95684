"""``present(record)``: a trial as the page, the PDF brief, the plain text and the JSON show it.

Built once, plain and Qt-free: the header's facts, then the sections of ``items.SECTIONS`` with their
fields, lists, criteria trees, outcomes, sponsors and sites, documents and versions. Every value is a
``values.Shown`` (given, not in source, none or blank); every item a note can sit on carries its
``ItemRef``, its number as a user reads it ("11.1" for a child criterion) and ``n``, its place in
``Trial.items`` (the page's anchor ``item-N``). Renderers choose which parts they show and how; they
decide no value's state and number no item themselves.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .. import items as item_model
from .. import vocab
from ..eligibility import ItemFacets
from ..items import ItemRef
from ..record import Arm as RecordArm
from ..record import Contact, Location, TrialRecord
from ..record import Criterion as RecordCriterion
from ..record import Intervention as RecordIntervention
from ..record import Reference as RecordReference
from .details import design_details, eligibility_details
from .facet_words import facets_text
from .results import ResultsView, present_results
from .values import BLANK, NOT_IN_SOURCE, Field, Shown, State, joined, scalar, state_of_list

IDENTIFIER_KINDS = {"org_study": "Org study id", "secondary": "Secondary id", "alias": "Alias"}
# the record's scalars the presentation carries under their own names
TEXTS = ("brief_title", "official_title", "acronym", "why_stopped", "brief_summary", "version_date")
CODES = ("overall_status", "last_known_status")
TYPED_DATES = ("start", "primary_completion", "completion")  # each with its _type: actual / estimated
DATES = ("first_posted", "last_update_posted", "status_verified")
CRITERIA_GROUPS = (
    ("inclusion", "Inclusion criteria"),
    ("exclusion", "Exclusion criteria"),
    ("other", "Other criteria"),
)


def coded(value: str | None) -> Shown:
    """A value of the registry's vocabulary, in words."""
    return scalar(value, vocab.label)


def lower_label(value: str | None) -> str:
    return vocab.label(value).lower() if value else ""


def paragraphs(text: str | None) -> list[list[str]]:
    """Multi-line text as paragraphs (at blank lines) of lines."""
    if not text:
        return []
    parts = (part.strip() for part in text.replace("\r\n", "\n").split("\n\n"))
    return [part.split("\n") for part in parts if part]


class Entry(NamedTuple):
    """An item a note can sit on: its ref (``ref.label`` names it), its number ("" when it has none)
    and its place ``n``."""

    ref: ItemRef
    n: int
    number: str = ""


@dataclass(slots=True)
class Numbered:
    """A criterion or an outcome: an item with a number."""

    entry: Entry
    number = property(lambda self: self.entry.number)  # "11.1", "2": the entry's


@dataclass(slots=True)
class Section:
    key: str
    title: str
    entry: Entry | None  # None: a section the page shows but notes do not sit on (versions, source)


@dataclass(slots=True)
class Arm:
    entry: Entry
    label: str
    type: Shown
    description: Shown
    intervention_names: list[str]


@dataclass(slots=True)
class Intervention:
    entry: Entry
    name: str
    type: Shown
    description: Shown
    other_names: list[str]
    arm_labels: list[str]
    given_to: list[bool]  # per arm of the trial, in order: whether that arm receives it


@dataclass(slots=True)
class Criterion(Numbered):
    text: str
    depth: int
    children: list[Criterion] = field(default_factory=list)
    facets_text: str = ""  # its facets in words ("ECOG 0-2 · life expectancy ≥ 3 months"), when asked for
    corrected: bool = False  # those facets are a reviewer's correction


@dataclass(slots=True)
class CriteriaGroup:
    key: str  # inclusion / exclusion / other
    title: str
    state: State  # none when the group is empty
    items: list[Criterion]  # the tree's top level
    flat: list[Criterion]  # every item, depth first (reading order)


@dataclass(slots=True)
class Outcome(Numbered):
    measure: str
    time_frame: Shown
    description: Shown


@dataclass(slots=True)
class OutcomeGroup:
    kind: str  # primary / secondary / other
    title: str
    state: State
    items: list[Outcome]


@dataclass(slots=True)
class Person:
    name: Shown
    role: Shown
    affiliation: Shown
    phone: Shown
    email: Shown

    @property
    def words(self) -> str:
        """Name, role and affiliation (what is given of them), " · "-joined."""
        return " · ".join(part.text for part in (self.name, self.role, self.affiliation) if part.is_given)

    @property
    def reach(self) -> str:
        """Phone and email, ", "-joined."""
        return ", ".join(part.text for part in (self.phone, self.email) if part.is_given)


@dataclass(slots=True)
class People:
    title: str
    state: State
    people: list[Person]


SiteRow = tuple[str | State, str | State, str | State, str | State]  # facility, city, country, status


@dataclass(slots=True)
class Sites:
    state: State
    total: int
    countries: list[tuple[str, int]]  # most sites first
    locations: list[Location]

    def rows(self, limit: int | None = None) -> list[SiteRow]:
        """The first ``limit`` sites as shown (made on demand: a record may list thousands)."""
        return [site_row(location) for location in self.locations[:limit]]

    @staticmethod
    def row(location: Location) -> SiteRow:
        return site_row(location)

    @staticmethod
    def people(location: Location) -> list[Person]:
        """A site's contacts."""
        return [person_of(contact) for contact in location.contacts]


@dataclass(slots=True)
class Document:
    name: str
    details: str  # date, file name, size
    url: Shown


@dataclass(slots=True)
class Citation:
    """A reference as a reader sees it: its citation, its kind in words, and its PubMed link."""

    text: str
    kind: str  # "Background", "Results of this trial", "Derived from this trial", or ""
    pmid: str
    url: str  # the article on PubMed, "" without a PubMed id


REFERENCE_KINDS = {"BACKGROUND": "Background", "RESULT": "Results of this trial", "DERIVED": "Derived from this trial"}
PUBMED = "https://pubmed.ncbi.nlm.nih.gov/{}/"


def citation_of(reference: RecordReference) -> Citation:
    pmid = (reference.pmid or "").strip()
    url = PUBMED.format(pmid) if pmid.isdigit() else ""
    text = reference.citation or (f"PubMed {pmid}" if pmid else "Citation not given")
    return Citation(text, REFERENCE_KINDS.get(reference.type or "", vocab.label(reference.type)), pmid, url)


@dataclass(slots=True)
class Version:
    number: int
    imported_at: str
    version_date: Shown
    format: str  # in words
    source_name: str
    source_size: int
    id: int | None = None
    is_current: bool = False
    is_shown: bool = False


@dataclass
class Trial:
    """See the module docstring."""

    registry_id: str
    title: str
    items: list[ItemRef]  # item n's ref
    entry: Entry  # the trial itself
    sections: dict[str, Section]
    ids: list[str]  # the registry id, the acronym, then other ids with their kind: "Org study id X"
    identifiers: Shown
    # the record's scalars, by the record's names
    brief_title: Shown
    official_title: Shown
    acronym: Shown
    why_stopped: Shown
    brief_summary: Shown
    version_date: Shown
    overall_status: Shown
    last_known_status: Shown
    start: Shown  # dates: detail actual / estimated
    primary_completion: Shown
    completion: Shown
    first_posted: Shown
    last_update_posted: Shown
    status_verified: Shown
    phase: Shown
    study_type: Shown
    enrollment: Shown  # detail: actual / estimated
    sponsor: Shown  # the lead sponsor's name
    lead_sponsor: Shown  # detail: its class
    summary_paragraphs: list[list[str]]
    description_paragraphs: list[list[str]]
    conditions: Shown
    keywords: Shown
    design: list[Field]  # what the design section lists (observational fields for such studies)
    model_description: Shown
    masking_description: Shown
    arms_state: State
    arms: list[Arm]
    interventions_state: State
    interventions: list[Intervention]
    eligibility_state: State
    eligibility: list[Field]  # sex, ages, age groups, healthy volunteers
    minimum_age: Shown
    maximum_age: Shown
    criteria: list[CriteriaGroup]  # inclusion, exclusion, and other when it has items
    criteria_text: list[list[str]]  # the criteria as written, when no item was found in them
    outcomes_state: State
    outcomes: list[OutcomeGroup]  # primary, secondary, and other when it has items
    collaborators: Shown
    contacts: list[People]  # central contacts, study officials
    sites: Sites
    documents_state: State
    documents: list[Document]
    references_state: State
    references: list[Citation]
    links: list[tuple[str, str]]  # (label, url) of the pages the record points to
    versions: list[Version]
    results: ResultsView

    @property
    def facts(self) -> list[Field]:
        """The header's facts, in the page's order."""
        status = self.overall_status
        if status.is_given:
            last_known = (
                f"last known: {self.last_known_status.text}" if self.last_known_status.is_given else ""
            )
            # an "Unknown" status is one the sponsor has not confirmed since: say since when
            verified = (
                f"last verified {self.status_verified.text}"
                if status.text == vocab.label("UNKNOWN") and self.status_verified.is_given
                else ""
            )
            detail = "; ".join(x for x in (last_known, verified, self.why_stopped.text) if x)
            status = Shown(State.GIVEN, status.text, detail)
        return [
            Field("Status", status),
            Field("Phase", self.phase),
            Field("Study type", self.study_type),
            Field("Enrollment", self.enrollment),
            Field("Sponsor", self.sponsor),
            Field("Start", self.start),
            Field("Primary completion", self.primary_completion),
            Field("Completion", self.completion),
            Field("First posted", self.first_posted),
            Field("Last update", self.last_update_posted),
        ]

    @property
    def results_fact(self) -> Shown:
        """The header's word on results: "Posted" (with what they hold), "None posted", or not in source."""
        view = self.results
        if view.state is State.GIVEN:
            return Shown(State.GIVEN, "Posted", view.counts)
        return Shown(State.GIVEN, "None posted") if view.state is State.NONE else NOT_IN_SOURCE

    def criterion(self, group: str, number: str) -> Criterion | None:
        for criteria in self.criteria:
            if criteria.key == group:
                return next((c for c in criteria.flat if c.number == number), None)
        return None


class _Register:
    """Hands out each item's place n, in reading order."""

    def __init__(self) -> None:
        self.refs: list[ItemRef] = []

    def __call__(self, ref: ItemRef, number: str = "") -> Entry:
        self.refs.append(ref)
        return Entry(ref, len(self.refs) - 1, number)


def site_row(location: Location) -> SiteRow:
    """A site's cells: each the text given, or State.BLANK (plain text, not ``Shown``: a page makes
    hundreds of these cells, and a string is the quickest to make and to escape)."""
    city = ", ".join(x for x in (location.city, location.state) if x)
    status = vocab.label(location.status)
    return (
        location.facility or State.BLANK,
        city or State.BLANK,
        location.country or State.BLANK,
        status or State.BLANK,
    )


def person_of(contact: Contact) -> Person:
    return Person(
        scalar(contact.name),
        coded(contact.role),
        scalar(contact.affiliation),
        scalar(contact.phone),
        scalar(contact.email),
    )


def arm_gets(arm: RecordArm, intervention: RecordIntervention) -> bool:
    """Whether an arm receives an intervention (either side of the source's cross-reference)."""
    if arm.label in intervention.arm_labels:
        return True
    for name in arm.intervention_names:
        tail = name.split(":", 1)[1].strip() if ":" in name else name.strip()
        if tail == intervention.name or name.strip() == intervention.name:
            return True
    return False


def _date(value: str | None, kind: str | None) -> Shown:
    return scalar(value, detail=lower_label(kind))


def _criteria_group(
    register: _Register,
    key: str,
    title: str,
    criteria: list[RecordCriterion],
    facets: Mapping[ItemRef, ItemFacets],
) -> CriteriaGroup:
    top: list[Criterion] = []
    flat: list[Criterion] = []
    parents: list[Criterion] = []  # the path to the item being placed
    for item in item_model.criterion_items(criteria, key):  # depth first, numbered "1", "2", "2.1" ...
        node = Criterion(register(item.ref, item.number), item.text, item.depth)
        if (stated := facets.get(item.ref)) is not None:
            node.facets_text = facets_text(stated.facets, stated.corrected)
            node.corrected = stated.corrected
        del parents[item.depth :]
        (parents[-1].children if parents else top).append(node)
        parents.append(node)
        flat.append(node)
    return CriteriaGroup(key, title, State.GIVEN if top else State.NONE, top, flat)


def _design(record: TrialRecord) -> list[Field]:
    d = record.design
    fields = [Field("Study type", coded(d.study_type)), Field("Primary purpose", coded(d.primary_purpose))]
    if d.study_type == "OBSERVATIONAL" or d.observational_model or d.time_perspective:
        fields += [
            Field("Observational model", coded(d.observational_model)),
            Field("Time perspective", coded(d.time_perspective)),
        ]
    if d.study_type != "OBSERVATIONAL":
        masking = coded(d.masking)
        if d.who_masked and masking.is_given:
            masking = Shown(State.GIVEN, masking.text, ", ".join(vocab.label(w) for w in d.who_masked))
        fields += [
            Field("Allocation", coded(d.allocation)),
            Field("Intervention model", coded(d.intervention_model)),
            Field("Masking", masking),
        ]
    fields.append(Field("Data monitoring committee", scalar(record.has_dmc)))
    return fields + design_details(record)


def _eligibility(record: TrialRecord) -> list[Field]:
    e = record.eligibility
    if e is None:
        return []
    if e.minimum_age or e.maximum_age:
        ages = Shown(State.GIVEN, f"{e.minimum_age or 'no minimum'} to {e.maximum_age or 'no maximum'}")
    else:
        ages = BLANK
    groups = joined([vocab.label(a) for a in e.std_ages], ", ") if e.std_ages else BLANK
    return [
        Field("Sex", coded(e.sex)),
        Field("Ages", ages),
        Field("Age groups", groups),
        Field("Healthy volunteers", scalar(e.healthy_volunteers)),
        *eligibility_details(record),
    ]


def _documents(record: TrialRecord) -> list[Document]:
    shown = []
    for doc in record.documents or []:
        name = doc.label or doc.type_abbrev or doc.filename or "Document"
        details = (doc.date and f"dated {doc.date}", doc.filename, doc.size and f"{doc.size:,} bytes")
        shown.append(Document(name, " · ".join(x for x in details if x), scalar(doc.url)))
    return shown


def version_of(
    version: dict[str, Any], shown_id: int | None, current_id: int | None, format_labels: dict[str, str]
) -> Version:
    """A version (a dict with id, number, imported_at, version_date, source_format, source_name and
    source_size) as the versions table shows it."""
    return Version(
        version["number"],
        version["imported_at"],
        scalar(version.get("version_date")),
        format_labels.get(version["source_format"], version["source_format"]),
        version["source_name"],
        version["source_size"],
        version["id"],
        version["id"] == current_id,
        shown_id is not None and version["id"] == shown_id,
    )


def present(
    record: TrialRecord,
    versions: list[dict[str, Any]] | None = None,
    *,
    shown_version_id: int | None = None,
    current_version_id: int | None = None,
    format_labels: dict[str, str] | None = None,
    item_facets: Iterable[ItemFacets] | None = None,
) -> Trial:
    """The presentation of ``record`` and of its versions (dicts: see ``version_of``). With
    ``item_facets`` (eligibility.criterion_facets, corrections applied) each criterion carries its
    facets in words."""
    r, d, e = record, record.design, record.eligibility
    facets_by_ref = {item.ref: item for item in item_facets or ()}
    register = _Register()
    trial_entry = register(item_model.TRIAL)
    sections: dict[str, Section] = {}

    def section(key: str, annotatable: bool = True) -> None:
        entry = register(item_model.section(key)) if annotatable else None
        sections[key] = Section(key, item_model.SECTION_TITLES[key], entry)

    section("overview")
    section("design")
    section("arms")
    arms = [
        Arm(
            register(item_model.arm(a.label)),
            a.label,
            coded(a.type),
            scalar(a.description),
            a.intervention_names,
        )
        for a in r.arms or []
    ]
    interventions = [
        Intervention(
            register(item_model.intervention(i.type, i.name)),
            i.name,
            coded(i.type),
            scalar(i.description),
            i.other_names,
            i.arm_labels,
            [arm_gets(a, i) for a in r.arms or []],
        )
        for i in r.interventions or []
    ]
    section("eligibility")
    criteria = []
    if e is not None:
        for key, title in CRITERIA_GROUPS:
            items = getattr(e, key)
            if key != "other" or items:
                criteria.append(_criteria_group(register, key, title, items, facets_by_ref))
    section("outcomes")
    outcome_groups: dict[str, list[Outcome]] = {kind: [] for kind in item_model.OUTCOME_KINDS}
    for source, item in zip(r.outcomes or [], item_model.outcome_items(r), strict=True):
        outcome = Outcome(
            register(item.ref, item.number),
            source.measure,
            scalar(source.time_frame),
            scalar(source.description),
        )
        outcome_groups[source.kind].append(outcome)
    outcomes = [
        OutcomeGroup(kind, f"{kind.capitalize()} outcomes", State.GIVEN if found else State.NONE, found)
        for kind, found in outcome_groups.items()
        if kind != "other" or found
    ]
    section("results")
    section("sponsors")
    section("documents")
    section("references")
    section("versions", annotatable=False)
    section("source", annotatable=False)

    enrollment = BLANK
    if d.enrollment_count is not None:
        enrollment = Shown(State.GIVEN, str(d.enrollment_count), lower_label(d.enrollment_type))
    sponsor = BLANK
    if r.lead_sponsor:
        sponsor = Shown(State.GIVEN, r.lead_sponsor.name, vocab.label(r.lead_sponsor.agency_class))
    ids = [r.registry_id] + ([r.acronym] if r.acronym else [])
    ids += [
        f"{IDENTIFIER_KINDS.get(i.kind, i.kind)} {i.value}"
        for i in r.identifiers
        if i.kind != "nct" and i.value != r.registry_id
    ]
    locations = r.locations or []
    countries = Counter(location.country or "country not given" for location in locations)
    return Trial(
        registry_id=r.registry_id,
        title=r.brief_title or r.official_title or r.registry_id,
        items=register.refs,
        entry=trial_entry,
        sections=sections,
        ids=ids,
        identifiers=joined([i.value for i in r.identifiers], ", ") if r.identifiers else BLANK,
        **{name: scalar(getattr(r, name)) for name in TEXTS},
        **{name: coded(getattr(r, name)) for name in CODES},
        **{name: _date(getattr(r.dates, name), getattr(r.dates, name + "_type")) for name in TYPED_DATES},
        **{name: scalar(getattr(r.dates, name)) for name in DATES},
        phase=scalar(vocab.phases_label(d.phases)),
        study_type=coded(d.study_type),
        enrollment=enrollment,
        sponsor=scalar(r.lead_sponsor.name) if r.lead_sponsor else BLANK,
        lead_sponsor=sponsor,
        summary_paragraphs=paragraphs(r.brief_summary),
        description_paragraphs=paragraphs(r.detailed_description),
        conditions=joined(r.conditions),
        keywords=joined(r.keywords),
        design=_design(r),
        model_description=scalar(d.intervention_model_description),
        masking_description=scalar(d.masking_description),
        arms_state=state_of_list(r.arms),
        arms=arms,
        interventions_state=state_of_list(r.interventions),
        interventions=interventions,
        eligibility_state=State.NOT_IN_SOURCE if e is None else State.GIVEN,
        eligibility=_eligibility(r),
        minimum_age=scalar(e.minimum_age) if e else BLANK,
        maximum_age=scalar(e.maximum_age) if e else BLANK,
        criteria=criteria,
        criteria_text=paragraphs(e.criteria_text)
        if e and not (e.inclusion or e.exclusion or e.other)
        else [],
        outcomes_state=state_of_list(r.outcomes),
        outcomes=outcomes,
        collaborators=joined([s.name for s in r.collaborators])
        if r.collaborators is not None
        else NOT_IN_SOURCE,
        contacts=[
            People(title, state_of_list(people), [person_of(c) for c in people or []])
            for title, people in (("Central contacts", r.central_contacts), ("Study officials", r.officials))
        ],
        sites=Sites(state_of_list(r.locations), len(locations), countries.most_common(), locations),
        documents_state=state_of_list(r.documents),
        documents=_documents(r),
        references_state=state_of_list(r.references),
        references=[citation_of(x) for x in r.references or []],
        links=[(x.label or x.url or "", x.url or "") for x in r.links or [] if x.url],
        versions=[
            version_of(v, shown_version_id, current_version_id, format_labels or {}) for v in versions or []
        ],
        results=present_results(r),
    )
