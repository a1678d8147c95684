"""SQLModel tables of the store.

A trial (identity: its registry id) has one or more versions: each import whose content differs
from every stored version adds one, with the original source document kept compressed. A version
holds the whole record: its own columns, its parts (arms, interventions, criteria trees, outcomes,
sponsors, sites, contacts, documents) as one JSON value, and its identifiers as rows, so that a
trial is found by any of them. Older versions stay readable.
The ``trial`` row carries a copy of the current version's list columns for the library view.
Notes belong to the trial, never to a version: an import never touches them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import create_model
from sqlalchemy import Column, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from .columns import RECORD_COLUMNS, REQUIREMENT_COLUMNS


def _parent(table: str, nullable: bool = False, index: bool = True) -> Column:
    return Column(Integer, ForeignKey(f"{table}.id", ondelete="CASCADE"), nullable=nullable, index=index)


class Trial(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    registry_id: str = Field(unique=True)
    current_version_id: int | None = None
    # copies of the current version, for listing, sorting and filtering without joins
    # the library sorts by every listed column: each has an index (schema 0005 for the last three)
    brief_title: str | None = Field(default=None, index=True)
    overall_status: str | None = Field(default=None, index=True)
    phases: str | None = Field(default=None, index=True)  # "PHASE1|PHASE2"
    study_type: str | None = Field(default=None, index=True)
    lead_sponsor: str | None = Field(default=None, index=True)
    conditions: str | None = Field(default=None, index=True)  # "; "-joined
    enrollment_count: int | None = None
    enrollment_type: str | None = None  # schema 0010: ACTUAL, ESTIMATED
    start_date: str | None = None
    last_update_posted: str | None = None
    has_results: bool | None = None  # schema 0009
    version_count: int = 0
    updated_at: datetime


def _record_columns() -> type[SQLModel]:
    """The version table's columns that hold the record's fields, from their declaration: a value
    or None; a list as JSON text, "[]" when empty."""
    fields: dict[str, Any] = {
        column.name: (str, "[]") if column.is_list else (column.type | None, None) for column in RECORD_COLUMNS
    }
    return create_model("RecordColumns", __base__=SQLModel, __module__=__name__, **fields)


RecordColumns = _record_columns()


class TrialVersion(RecordColumns, table=True):
    __tablename__ = "trial_version"
    __table_args__ = (
        UniqueConstraint("trial_id", "number"),
        Index("ix_trial_version_hash", "trial_id", "content_hash"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # no index of its own: ix_trial_version_hash and the unique (trial_id, number) begin with it
    trial_id: int = Field(sa_column=_parent("trial", index=False))
    number: int  # 1, 2, ... in import order
    content_hash: str  # sha256 of the parsed record: equal content, equal hash
    # sha256 of the source document: lets a re-run skip it unparsed. Not indexed: read all at once
    # (an index of random keys cost a page read per new version in a big store; migration 0004)
    source_hash: str
    # provenance
    source_format: str
    source_name: str
    source_doc: bytes = Field(sa_column=Column(LargeBinary, nullable=False))  # zlib-compressed UTF-8
    source_size: int
    imported_at: datetime
    not_in_source: str = "[]"  # JSON list of the parts the source does not carry
    # the record's fields (columns.RECORD_COLUMNS) come from RecordColumns
    # everything else of the record (see mapping.PART_FIELDS), as JSON
    parts: str = Field(sa_column=Column(String, nullable=False, server_default="{}"))


def _requirement_columns() -> type[SQLModel]:
    fields: dict[str, Any] = {
        c.name: (c.type, ...) if c.required else (c.type | None, None) for c in REQUIREMENT_COLUMNS
    }
    return create_model("RequirementColumns", __base__=SQLModel, __module__=__name__, **fields)


RequirementColumns = _requirement_columns()

# the facet filters' index: every row of one key together, in trial order (a new trial's rows go at
# the end of their key's run), covering the typed columns so a filter never reads the table
REQUIREMENT_FILTER_INDEX = ("key", "trial_id", "scope", "unit", "low", "low_strict", "high", "high_strict",
                            "scores", "stance")  # fmt: skip


class TrialRequirement(RequirementColumns, table=True):
    """One requirement (core.profile.Requirement) of a trial's current version; a new current
    version replaces its trial's rows in the transaction that writes it (store/requirements.py)."""

    __tablename__ = "trial_requirement"
    __table_args__ = (Index("ix_trial_requirement_filter", *REQUIREMENT_FILTER_INDEX),)

    id: int | None = Field(default=None, primary_key=True)
    trial_id: int = Field(sa_column=_parent("trial"))
    # the version the rows were computed from (the trial's current one). No foreign key: versions
    # go only with their trial, whose deletion takes these rows; a key would need an index to
    # cascade through, written for nothing at every import
    version_id: int


class Identifier(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(sa_column=_parent("trial_version"))
    kind: str  # nct / org_study / secondary / alias
    position: int
    value: str = Field(index=True)
    type: str | None = None
    domain: str | None = None
    link: str | None = None


class Note(SQLModel, table=True):
    """A reviewer's note, anchored to an item of a trial by kind and key, with the quoted text."""

    id: int | None = Field(default=None, primary_key=True)
    trial_id: int = Field(
        sa_column=Column(Integer, ForeignKey("trial.id", ondelete="RESTRICT"), nullable=False, index=True)
    )
    item_kind: str  # a reviewer.core.items.Kind: trial / section / arm / intervention / criterion / outcome
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


class FacetCorrection(SQLModel, table=True):
    """A reviewer's correction of one criterion's facets: the whole list that replaces what was
    extracted from its text ("[]": the item states no facet). Anchored like a note on a whole item
    (kind, key and the item's text when it was corrected), it belongs to the trial, not to a version."""

    __tablename__ = "facet_correction"

    id: int | None = Field(default=None, primary_key=True)
    trial_id: int = Field(
        sa_column=Column(Integer, ForeignKey("trial.id", ondelete="RESTRICT"), nullable=False, index=True)
    )
    item_kind: str  # "criterion" (a reviewer.core.items.Kind)
    item_key: str  # "inclusion/3.1"
    quote: str  # the item's text when it was corrected: what re-anchoring looks for
    facets: str  # JSON list of facets in the shapes of reviewer.core.facets
    author: str
    corrected_at: datetime
    anchor_version_id: int | None = None  # the version the anchor was last checked against
    orphaned: bool = False  # its item is gone from the current version; the quote keeps its words
