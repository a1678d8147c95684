"""SQLModel tables of the store.

A trial (identity: its registry id) has one or more versions: each import whose content differs
from every stored version adds one, with the original source document kept compressed. Every part
of a record (arms, criteria, outcomes ...) belongs to a version, so older versions stay readable.
The ``trial`` row carries a copy of the current version's list columns for the library view.
Notes belong to the trial, never to a version: an import never touches them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel


def _parent(table: str, nullable: bool = False) -> Column:
    return Column(Integer, ForeignKey(f"{table}.id", ondelete="CASCADE"), nullable=nullable, index=True)


class Trial(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    registry_id: str = Field(unique=True)
    current_version_id: int | None = None
    # copies of the current version, for listing, sorting and filtering without joins
    brief_title: str | None = None
    overall_status: str | None = Field(default=None, index=True)
    phases: str | None = Field(default=None, index=True)  # "PHASE1|PHASE2"
    study_type: str | None = Field(default=None, index=True)
    lead_sponsor: str | None = None
    conditions: str | None = None  # "; "-joined
    enrollment_count: int | None = None
    start_date: str | None = None
    last_update_posted: str | None = None
    version_count: int = 0
    updated_at: datetime


class TrialVersion(SQLModel, table=True):
    __tablename__ = "trial_version"
    __table_args__ = (
        UniqueConstraint("trial_id", "number"),
        Index("ix_trial_version_hash", "trial_id", "content_hash"),
    )

    id: int | None = Field(default=None, primary_key=True)
    trial_id: int = Field(sa_column=_parent("trial"))
    number: int  # 1, 2, ... in import order
    content_hash: str  # sha256 of the parsed record: equal content, equal hash
    source_hash: str = Field(index=True)  # sha256 of the source document: lets a re-run skip it unparsed
    # provenance
    source_format: str
    source_name: str
    source_doc: bytes = Field(sa_column=Column(LargeBinary, nullable=False))  # zlib-compressed UTF-8
    source_size: int
    imported_at: datetime
    version_date: str | None = None  # the registry's date of this version of the record
    not_in_source: str = "[]"  # JSON list of the parts the source does not carry
    # identification and status
    brief_title: str | None = None
    official_title: str | None = None
    acronym: str | None = None
    overall_status: str | None = None
    last_known_status: str | None = None
    why_stopped: str | None = None
    brief_summary: str | None = None
    detailed_description: str | None = None
    has_dmc: bool | None = None
    has_results: bool | None = None
    # design
    study_type: str | None = None
    phases: str = "[]"  # JSON list of phase codes
    primary_purpose: str | None = None
    allocation: str | None = None
    intervention_model: str | None = None
    intervention_model_description: str | None = None
    masking: str | None = None
    who_masked: str = "[]"
    masking_description: str | None = None
    observational_model: str | None = None
    time_perspective: str | None = None
    enrollment_count: int | None = None
    enrollment_type: str | None = None
    # dates, as the registry writes them
    start_date: str | None = None
    start_date_type: str | None = None
    primary_completion_date: str | None = None
    primary_completion_date_type: str | None = None
    completion_date: str | None = None
    completion_date_type: str | None = None
    first_submitted: str | None = None
    first_posted: str | None = None
    last_update_posted: str | None = None
    status_verified: str | None = None
    # eligibility
    sex: str | None = None
    minimum_age: str | None = None
    maximum_age: str | None = None
    healthy_volunteers: bool | None = None
    std_ages: str = "[]"
    criteria_text: str | None = None


class Arm(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(sa_column=_parent("trial_version"))
    position: int
    label: str
    type: str | None = None
    description: str | None = None
    intervention_names: str = "[]"  # JSON list as the source gives them: "Drug: Aspirin"


class Intervention(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(sa_column=_parent("trial_version"))
    position: int
    name: str
    type: str | None = None
    description: str | None = None
    other_names: str = "[]"


class ArmIntervention(SQLModel, table=True):
    """Which arm gets which intervention."""

    __tablename__ = "arm_intervention"
    arm_id: int = Field(sa_column=Column(Integer, ForeignKey("arm.id", ondelete="CASCADE"), primary_key=True))
    intervention_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("intervention.id", ondelete="CASCADE"), primary_key=True, index=True
        )
    )


class Criterion(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(sa_column=_parent("trial_version"))
    parent_id: int | None = Field(sa_column=Column(Integer, ForeignKey("criterion.id", ondelete="CASCADE")))
    section: str  # inclusion / exclusion / other
    key: str  # the note anchor: "inclusion/3", "inclusion/3.2"
    position: int  # order within the version, depth first
    depth: int
    text: str


class Outcome(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(sa_column=_parent("trial_version"))
    kind: str  # primary / secondary / other
    position: int
    measure: str
    time_frame: str | None = None
    description: str | None = None


class Term(SQLModel, table=True):
    """A condition or a keyword."""

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(sa_column=_parent("trial_version"))
    kind: str  # condition / keyword
    position: int
    text: str


class Sponsor(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(sa_column=_parent("trial_version"))
    role: str  # lead / collaborator
    position: int
    name: str
    agency_class: str | None = None


class Identifier(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(sa_column=_parent("trial_version"))
    kind: str  # nct / org_study / secondary / alias
    position: int
    value: str = Field(index=True)
    type: str | None = None
    domain: str | None = None
    link: str | None = None


class Location(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(sa_column=_parent("trial_version"))
    position: int
    facility: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None
    status: str | None = None
    latitude: float | None = None
    longitude: float | None = None


class Contact(SQLModel, table=True):
    """A central contact, an overall official, or a site contact (location_id set)."""

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(sa_column=_parent("trial_version"))
    location_id: int | None = Field(sa_column=_parent("location", nullable=True))
    scope: str  # central / official / site
    position: int
    name: str | None = None
    role: str | None = None
    phone: str | None = None
    email: str | None = None
    affiliation: str | None = None


class Document(SQLModel, table=True):
    """A reference to a large document (protocol, SAP, ICF) the registry holds."""

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(sa_column=_parent("trial_version"))
    position: int
    label: str | None = None
    type_abbrev: str | None = None
    has_protocol: bool | None = None
    has_sap: bool | None = None
    has_icf: bool | None = None
    filename: str | None = None
    date: str | None = None
    upload_date: str | None = None
    size: int | None = None
    url: str | None = None


class Note(SQLModel, table=True):
    """A reviewer's note, anchored to an item of a trial by kind and key, with the quoted text."""

    id: int | None = Field(default=None, primary_key=True)
    trial_id: int = Field(
        sa_column=Column(Integer, ForeignKey("trial.id", ondelete="RESTRICT"), nullable=False, index=True)
    )
    item_kind: str  # trial / section / arm / intervention / criterion / outcome / span
    item_key: str  # "inclusion/3", an arm label, "primary/1", a section name; "" for the trial
    quote: str | None = None  # the item's text (or the selected span) when the note was written
    span_start: int | None = None  # a span's offsets inside the item's text
    span_end: int | None = None
    body: str
    tag: str | None = None  # question / concern / suggestion / ok
    author: str
    created_at: datetime
    updated_at: datetime
    anchor_version_id: int | None = None  # the version the anchor was last checked against
    orphaned: bool = False  # the item is gone from the current version; the quote keeps its words


NOTE_TAGS = ("question", "concern", "suggestion", "ok")
