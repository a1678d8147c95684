"""Reviewers' corrections of a criterion's facets: a table of their own.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 18:00:00

A correction replaces the facets extracted from one criterion's text with the reviewer's list ("[]":
the item states no facet). Like a note it belongs to the trial, not to a version, and is anchored to
its item by kind, key and the item's text when it was corrected (see reviewer.core.corrections), so
imports re-anchor it and never drop it. Nothing else changes: the table is new and starts empty.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "facet_correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trial_id", sa.Integer(), nullable=False),
        sa.Column("item_kind", sa.String(), nullable=False),
        sa.Column("item_key", sa.String(), nullable=False),
        sa.Column("quote", sa.String(), nullable=False),
        sa.Column("facets", sa.String(), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("corrected_at", sa.DateTime(), nullable=False),
        sa.Column("anchor_version_id", sa.Integer(), nullable=True),
        sa.Column("orphaned", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["trial_id"], ["trial.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_facet_correction_trial_id", "facet_correction", ["trial_id"])


def downgrade() -> None:
    op.drop_index("ix_facet_correction_trial_id", table_name="facet_correction")
    op.drop_table("facet_correction")
