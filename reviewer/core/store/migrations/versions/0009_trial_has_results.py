"""The trial row's copy of whether its current version has results.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 21:00:00

``trial.has_results`` copies the current version's ``has_results`` for the library's Results column
and filter (like the other copies in ``trial``); the upgrade fills it from the versions in one
statement. The results themselves are not stored: they are in each version's source document and
are read from it when a trial is shown (reviewer.core.shown).
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # ADD COLUMN, not a batch copy: a nullable column is added in place, instantly at any size
    op.add_column("trial", sa.Column("has_results", sa.Boolean(), nullable=True))
    op.execute(
        "UPDATE trial SET has_results = (SELECT v.has_results FROM trial_version v WHERE v.id = trial.current_version_id)"
    )


def downgrade() -> None:
    op.drop_column("trial", "has_results")  # SQLite 3.35+ drops a column in place
