"""First schema: trials, their versions and every part of a record, notes, and the FTS5 index.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 17:31:02.999308
"""

import sqlalchemy as sa
from alembic import op

# Literal SQL, not imported from search.py: a migration must keep meaning what it meant.
FTS_CREATE = "CREATE VIRTUAL TABLE IF NOT EXISTS trial_fts USING fts5(ids, title, summary, conditions, interventions, criteria, outcomes, sponsor, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trial",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registry_id", sa.String(), nullable=False),
        sa.Column("current_version_id", sa.Integer(), nullable=True),
        sa.Column("brief_title", sa.String(), nullable=True),
        sa.Column("overall_status", sa.String(), nullable=True),
        sa.Column("phases", sa.String(), nullable=True),
        sa.Column("study_type", sa.String(), nullable=True),
        sa.Column("lead_sponsor", sa.String(), nullable=True),
        sa.Column("conditions", sa.String(), nullable=True),
        sa.Column("enrollment_count", sa.Integer(), nullable=True),
        sa.Column("start_date", sa.String(), nullable=True),
        sa.Column("last_update_posted", sa.String(), nullable=True),
        sa.Column("version_count", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("registry_id"),
    )
    with op.batch_alter_table("trial", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trial_overall_status"), ["overall_status"], unique=False)
        batch_op.create_index(batch_op.f("ix_trial_phases"), ["phases"], unique=False)
        batch_op.create_index(batch_op.f("ix_trial_study_type"), ["study_type"], unique=False)

    op.create_table(
        "note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trial_id", sa.Integer(), nullable=False),
        sa.Column("item_kind", sa.String(), nullable=False),
        sa.Column("item_key", sa.String(), nullable=False),
        sa.Column("quote", sa.String(), nullable=True),
        sa.Column("span_start", sa.Integer(), nullable=True),
        sa.Column("span_end", sa.Integer(), nullable=True),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("tag", sa.String(), nullable=True),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("anchor_version_id", sa.Integer(), nullable=True),
        sa.Column("orphaned", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["trial_id"], ["trial.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_note_trial_id"), ["trial_id"], unique=False)

    op.create_table(
        "trial_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trial_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(), nullable=False),
        sa.Column("source_hash", sa.String(), nullable=False),
        sa.Column("source_format", sa.String(), nullable=False),
        sa.Column("source_name", sa.String(), nullable=False),
        sa.Column("source_doc", sa.LargeBinary(), nullable=False),
        sa.Column("source_size", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version_date", sa.String(), nullable=True),
        sa.Column("not_in_source", sa.String(), nullable=False),
        sa.Column("brief_title", sa.String(), nullable=True),
        sa.Column("official_title", sa.String(), nullable=True),
        sa.Column("acronym", sa.String(), nullable=True),
        sa.Column("overall_status", sa.String(), nullable=True),
        sa.Column("last_known_status", sa.String(), nullable=True),
        sa.Column("why_stopped", sa.String(), nullable=True),
        sa.Column("brief_summary", sa.String(), nullable=True),
        sa.Column("detailed_description", sa.String(), nullable=True),
        sa.Column("has_dmc", sa.Boolean(), nullable=True),
        sa.Column("has_results", sa.Boolean(), nullable=True),
        sa.Column("study_type", sa.String(), nullable=True),
        sa.Column("phases", sa.String(), nullable=False),
        sa.Column("primary_purpose", sa.String(), nullable=True),
        sa.Column("allocation", sa.String(), nullable=True),
        sa.Column("intervention_model", sa.String(), nullable=True),
        sa.Column("intervention_model_description", sa.String(), nullable=True),
        sa.Column("masking", sa.String(), nullable=True),
        sa.Column("who_masked", sa.String(), nullable=False),
        sa.Column("masking_description", sa.String(), nullable=True),
        sa.Column("observational_model", sa.String(), nullable=True),
        sa.Column("time_perspective", sa.String(), nullable=True),
        sa.Column("enrollment_count", sa.Integer(), nullable=True),
        sa.Column("enrollment_type", sa.String(), nullable=True),
        sa.Column("start_date", sa.String(), nullable=True),
        sa.Column("start_date_type", sa.String(), nullable=True),
        sa.Column("primary_completion_date", sa.String(), nullable=True),
        sa.Column("primary_completion_date_type", sa.String(), nullable=True),
        sa.Column("completion_date", sa.String(), nullable=True),
        sa.Column("completion_date_type", sa.String(), nullable=True),
        sa.Column("first_submitted", sa.String(), nullable=True),
        sa.Column("first_posted", sa.String(), nullable=True),
        sa.Column("last_update_posted", sa.String(), nullable=True),
        sa.Column("status_verified", sa.String(), nullable=True),
        sa.Column("sex", sa.String(), nullable=True),
        sa.Column("minimum_age", sa.String(), nullable=True),
        sa.Column("maximum_age", sa.String(), nullable=True),
        sa.Column("healthy_volunteers", sa.Boolean(), nullable=True),
        sa.Column("std_ages", sa.String(), nullable=False),
        sa.Column("criteria_text", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["trial_id"], ["trial.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("trial_id", "number"),
    )
    with op.batch_alter_table("trial_version", schema=None) as batch_op:
        batch_op.create_index("ix_trial_version_hash", ["trial_id", "content_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_trial_version_source_hash"), ["source_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_trial_version_trial_id"), ["trial_id"], unique=False)

    op.create_table(
        "arm",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(), nullable=False),
        sa.Column("type", sa.String(), nullable=True),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("intervention_names", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["trial_version.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("arm", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_arm_version_id"), ["version_id"], unique=False)

    op.create_table(
        "criterion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("section", sa.String(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["criterion.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["version_id"], ["trial_version.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("criterion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_criterion_version_id"), ["version_id"], unique=False)

    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(), nullable=True),
        sa.Column("type_abbrev", sa.String(), nullable=True),
        sa.Column("has_protocol", sa.Boolean(), nullable=True),
        sa.Column("has_sap", sa.Boolean(), nullable=True),
        sa.Column("has_icf", sa.Boolean(), nullable=True),
        sa.Column("filename", sa.String(), nullable=True),
        sa.Column("date", sa.String(), nullable=True),
        sa.Column("upload_date", sa.String(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("url", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["version_id"], ["trial_version.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_version_id"), ["version_id"], unique=False)

    op.create_table(
        "identifier",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.Column("type", sa.String(), nullable=True),
        sa.Column("domain", sa.String(), nullable=True),
        sa.Column("link", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["version_id"], ["trial_version.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("identifier", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_identifier_value"), ["value"], unique=False)
        batch_op.create_index(batch_op.f("ix_identifier_version_id"), ["version_id"], unique=False)

    op.create_table(
        "intervention",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("type", sa.String(), nullable=True),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("other_names", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["trial_version.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("intervention", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_intervention_version_id"), ["version_id"], unique=False)

    op.create_table(
        "location",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("facility", sa.String(), nullable=True),
        sa.Column("city", sa.String(), nullable=True),
        sa.Column("state", sa.String(), nullable=True),
        sa.Column("zip", sa.String(), nullable=True),
        sa.Column("country", sa.String(), nullable=True),
        sa.Column("status", sa.String(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["version_id"], ["trial_version.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("location", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_location_version_id"), ["version_id"], unique=False)

    op.create_table(
        "outcome",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(), nullable=False),
        sa.Column("time_frame", sa.String(), nullable=True),
        sa.Column("description", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["version_id"], ["trial_version.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outcome", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outcome_version_id"), ["version_id"], unique=False)

    op.create_table(
        "sponsor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("agency_class", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["version_id"], ["trial_version.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sponsor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sponsor_version_id"), ["version_id"], unique=False)

    op.create_table(
        "term",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["trial_version.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("term", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_term_version_id"), ["version_id"], unique=False)

    op.create_table(
        "arm_intervention",
        sa.Column("arm_id", sa.Integer(), nullable=False),
        sa.Column("intervention_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["arm_id"], ["arm.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["intervention_id"], ["intervention.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("arm_id", "intervention_id"),
    )
    with op.batch_alter_table("arm_intervention", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_arm_intervention_intervention_id"), ["intervention_id"], unique=False
        )

    op.create_table(
        "contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=True),
        sa.Column("scope", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=True),
        sa.Column("role", sa.String(), nullable=True),
        sa.Column("phone", sa.String(), nullable=True),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("affiliation", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["location_id"], ["location.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["version_id"], ["trial_version.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_location_id"), ["location_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contact_version_id"), ["version_id"], unique=False)

    op.execute(FTS_CREATE)


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS trial_fts")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_version_id"))
        batch_op.drop_index(batch_op.f("ix_contact_location_id"))

    op.drop_table("contact")
    with op.batch_alter_table("arm_intervention", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_arm_intervention_intervention_id"))

    op.drop_table("arm_intervention")
    with op.batch_alter_table("term", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_term_version_id"))

    op.drop_table("term")
    with op.batch_alter_table("sponsor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sponsor_version_id"))

    op.drop_table("sponsor")
    with op.batch_alter_table("outcome", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outcome_version_id"))

    op.drop_table("outcome")
    with op.batch_alter_table("location", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_location_version_id"))

    op.drop_table("location")
    with op.batch_alter_table("intervention", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intervention_version_id"))

    op.drop_table("intervention")
    with op.batch_alter_table("identifier", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identifier_version_id"))
        batch_op.drop_index(batch_op.f("ix_identifier_value"))

    op.drop_table("identifier")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_version_id"))

    op.drop_table("document")
    with op.batch_alter_table("criterion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_criterion_version_id"))

    op.drop_table("criterion")
    with op.batch_alter_table("arm", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_arm_version_id"))

    op.drop_table("arm")
    with op.batch_alter_table("trial_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trial_version_trial_id"))
        batch_op.drop_index("ix_trial_version_hash")

    op.drop_table("trial_version")
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_note_trial_id"))

    op.drop_table("note")
    with op.batch_alter_table("trial", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trial_study_type"))
        batch_op.drop_index(batch_op.f("ix_trial_phases"))
        batch_op.drop_index(batch_op.f("ix_trial_overall_status"))

    op.drop_table("trial")
