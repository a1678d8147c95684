"""The trial row's copy of its current version's enrollment type (ACTUAL or ESTIMATED).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 02:40:00

The library's Enrollment column shows the count with "(est.)" when the registry says it is an
estimate; ``trial.enrollment_type`` copies the current version's ``enrollment_type`` beside the
``enrollment_count`` the trial row already had, filled from the versions in one statement. No index:
the library does not sort by enrollment (a sort index would cost a bulk import, see schema 0005).
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # ADD COLUMN, not a batch copy: a nullable column is added in place, instantly at any size
    op.add_column("trial", sa.Column("enrollment_type", sa.String(), nullable=True))
    op.execute(
        "UPDATE trial SET enrollment_type = "
        "(SELECT v.enrollment_type FROM trial_version v WHERE v.id = trial.current_version_id)"
    )


def downgrade() -> None:
    op.drop_column("trial", "enrollment_type")  # SQLite 3.35+ drops a column in place
