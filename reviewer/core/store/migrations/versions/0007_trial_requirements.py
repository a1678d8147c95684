"""Each trial's requirements (its current version's eligibility profile), one row each, for the
library's facet filters and the patient check.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 18:00:00

A row per core.profile.Requirement of the trial's current version: its key, scope, kind, value
(JSON), text and items (JSON list of item keys), plus typed columns the filters compare inside
SQLite (the eligible range's bounds, their strictness and unit; allowed performance scores as a
bit mask; a stance), with one covering index by key. Upgrading reads every current version's record
and computes its profile with this version of the app (about 1 ms a trial); the import writes them
from then on.
"""

import sqlalchemy as sa
from alembic import context, op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BATCH = 500
FILTER_INDEX = (
    "key",
    "trial_id",
    "scope",
    "unit",
    "low",
    "low_strict",
    "high",
    "high_strict",
    "scores",
    "stance",
)


def _progress(done: int, total: int) -> None:
    report = context.config.attributes.get("progress")
    if report:
        report(f"Upgrading the library: the eligibility requirements of {done:,} of {total:,} trials…")


def upgrade() -> None:
    op.create_table(
        "trial_requirement",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("scope", sa.String(), nullable=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("items", sa.String(), nullable=False),
        sa.Column("low", sa.Float(), nullable=True),
        sa.Column("low_strict", sa.Boolean(), nullable=True),
        sa.Column("high", sa.Float(), nullable=True),
        sa.Column("high_strict", sa.Boolean(), nullable=True),
        sa.Column("unit", sa.String(), nullable=True),
        sa.Column("scores", sa.Integer(), nullable=True),
        sa.Column("stance", sa.String(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trial_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["trial_id"], ["trial.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_trial_requirement_trial_id", "trial_requirement", ["trial_id"])
    op.create_index("ix_trial_requirement_filter", "trial_requirement", list(FILTER_INDEX))
    _fill()


def _fill() -> None:
    """Every trial's rows, from its current version's record read and profiled by this app."""
    # the app's own reading of a record and of its requirements: what the import writes
    from sqlmodel import Session

    from reviewer.core.store.reading import load_record
    from reviewer.core.store.requirements import requirement_rows, write_requirements

    bind = op.get_bind()
    cursor = bind.connection.driver_connection.cursor()
    versions = cursor.execute(
        "SELECT id, current_version_id FROM trial WHERE current_version_id IS NOT NULL ORDER BY id"
    ).fetchall()
    session = Session(bind=bind)
    for done, (trial_id, version_id) in enumerate(versions, 1):
        rows = requirement_rows(load_record(session, version_id))
        write_requirements(cursor, trial_id, version_id, rows, replace=False)
        if done % BATCH == 0 or done == len(versions):
            _progress(done, len(versions))


def downgrade() -> None:
    op.drop_index("ix_trial_requirement_filter", table_name="trial_requirement")
    op.drop_index("ix_trial_requirement_trial_id", table_name="trial_requirement")
    op.drop_table("trial_requirement")
