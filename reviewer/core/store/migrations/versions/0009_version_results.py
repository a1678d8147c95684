"""A version's results section: a column of its own; the trial row's copy of whether it has results.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 21:00:00

``trial_version.results`` holds the record's results (participant flow, baseline, outcome measures,
adverse events, more information: reviewer.core.results) as zlib-compressed JSON, NULL when the
record has none. Results run to tens of kilobytes and are read only to show a trial, so they are kept
out of ``parts`` (read for every comparison) and compressed. Versions stored before this revision have
NULL: their records were read without results, and re-importing a source with results adds a version
that has them (a source without results hashes as before and adds none).

``trial.has_results`` copies the current version's ``has_results`` for the library's Results column
and filter; the upgrade fills it from the versions in one statement.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # ADD COLUMN, not a batch copy: a nullable column is added in place, instantly at any size
    op.add_column("trial_version", sa.Column("results", sa.LargeBinary(), nullable=True))
    op.add_column("trial", sa.Column("has_results", sa.Boolean(), nullable=True))
    op.execute(
        "UPDATE trial SET has_results = (SELECT v.has_results FROM trial_version v WHERE v.id = trial.current_version_id)"
    )


def downgrade() -> None:
    op.drop_column("trial", "has_results")  # SQLite 3.35+ drops a column in place
    op.drop_column("trial_version", "results")
