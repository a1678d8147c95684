"""Status, phase and study type as tokens of the search index, so filters apply inside the index.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 17:20:00

Appends to each trial's `ids` column of trial_fts the tokens reviewer.core.store.search.facet_text
writes for new imports ("zzsrecruiting zzpphase2 zztinterventional"), made here from the trial
row. FTS5 re-indexes each updated row: about 0.3 ms a trial.
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Literal SQL (a migration must keep meaning what it meant): the same tokens as search.facet_text,
# whose values hold only letters, digits and underscores.
FACETS = (
    "replace(trim(coalesce('zzs' || lower(replace(t.overall_status, '_', '')), '') || ' ' || "
    "coalesce('zzp' || replace(lower(replace(t.phases, '_', '')), '|', ' zzp'), '') || ' ' || "
    "coalesce('zzt' || lower(replace(t.study_type, '_', '')), '')), '  ', ' ')"
)
OF_ROW = f"(SELECT {FACETS} FROM trial t WHERE t.id = trial_fts.rowid)"


def upgrade() -> None:
    op.execute(f"UPDATE trial_fts SET ids = ids || char(10) || {OF_ROW} WHERE {OF_ROW} != ''")


def downgrade() -> None:
    op.execute(
        f"UPDATE trial_fts SET ids = substr(ids, 1, length(ids) - length({OF_ROW}) - 1) "
        f"WHERE {OF_ROW} != '' AND substr(ids, -length({OF_ROW}) - 1) = char(10) || {OF_ROW}"
    )
