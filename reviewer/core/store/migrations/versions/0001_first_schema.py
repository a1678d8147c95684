"""First schema: trials, their versions and every part of a record, notes, and the FTS5 index.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 17:31:02.999308

The tables are written out below as data, in the order they are made, and one loop builds each with
op.create_table, so the DDL (and the text SQLite keeps of it) is what the hand-written calls made.
"""

from typing import NamedTuple

import sqlalchemy as sa
from alembic import op

# Literal SQL, not imported from search.py: a migration must keep meaning what it meant.
FTS_CREATE = "CREATE VIRTUAL TABLE IF NOT EXISTS trial_fts USING fts5(ids, title, summary, conditions, interventions, criteria, outcomes, sponsor, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TYPES = {
    "INTEGER": sa.Integer,
    "VARCHAR": sa.String,
    "BOOLEAN": sa.Boolean,
    "FLOAT": sa.Float,
    "BLOB": sa.LargeBinary,
    "DATETIME": lambda: sa.DateTime(timezone=True),
}


class Table(NamedTuple):
    """One table as this revision made it; the defaults are those of a record part's table."""

    name: str
    columns: str  # "name TYPE[ NOT NULL], ...", in the table's order (TYPE: a key of TYPES)
    # (column, referenced table, ON DELETE) of each foreign key, which always references the table's id
    references: tuple[tuple[str, str, str], ...] = (("version_id", "trial_version", "CASCADE"),)
    indexes: dict[str, tuple[str, ...]] | None = None  # name -> columns; None: ix_<table>_version_id
    primary_key: tuple[str, ...] = ("id",)
    unique: tuple[str, ...] = ()


TABLES = (
    Table(
        "trial",
        "id INTEGER NOT NULL, registry_id VARCHAR NOT NULL, current_version_id INTEGER, brief_title VARCHAR, "
        "overall_status VARCHAR, phases VARCHAR, study_type VARCHAR, lead_sponsor VARCHAR, conditions VARCHAR, "
        "enrollment_count INTEGER, start_date VARCHAR, last_update_posted VARCHAR, "
        "version_count INTEGER NOT NULL, updated_at DATETIME NOT NULL",
        references=(),
        indexes={
            "ix_trial_overall_status": ("overall_status",),
            "ix_trial_phases": ("phases",),
            "ix_trial_study_type": ("study_type",),
        },
        unique=("registry_id",),
    ),
    Table(
        "note",
        "id INTEGER NOT NULL, trial_id INTEGER NOT NULL, item_kind VARCHAR NOT NULL, item_key VARCHAR NOT NULL, "
        "quote VARCHAR, span_start INTEGER, span_end INTEGER, body VARCHAR NOT NULL, tag VARCHAR, "
        "author VARCHAR NOT NULL, created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL, "
        "anchor_version_id INTEGER, orphaned BOOLEAN NOT NULL",
        references=(("trial_id", "trial", "RESTRICT"),),
        indexes={"ix_note_trial_id": ("trial_id",)},
    ),
    Table(
        "trial_version",
        "id INTEGER NOT NULL, trial_id INTEGER NOT NULL, number INTEGER NOT NULL, content_hash VARCHAR NOT NULL, "
        "source_hash VARCHAR NOT NULL, source_format VARCHAR NOT NULL, source_name VARCHAR NOT NULL, "
        "source_doc BLOB NOT NULL, source_size INTEGER NOT NULL, imported_at DATETIME NOT NULL, "
        "version_date VARCHAR, not_in_source VARCHAR NOT NULL, brief_title VARCHAR, official_title VARCHAR, "
        "acronym VARCHAR, overall_status VARCHAR, last_known_status VARCHAR, why_stopped VARCHAR, "
        "brief_summary VARCHAR, detailed_description VARCHAR, has_dmc BOOLEAN, has_results BOOLEAN, "
        "study_type VARCHAR, phases VARCHAR NOT NULL, primary_purpose VARCHAR, allocation VARCHAR, "
        "intervention_model VARCHAR, intervention_model_description VARCHAR, masking VARCHAR, "
        "who_masked VARCHAR NOT NULL, masking_description VARCHAR, observational_model VARCHAR, "
        "time_perspective VARCHAR, enrollment_count INTEGER, enrollment_type VARCHAR, start_date VARCHAR, "
        "start_date_type VARCHAR, primary_completion_date VARCHAR, primary_completion_date_type VARCHAR, "
        "completion_date VARCHAR, completion_date_type VARCHAR, first_submitted VARCHAR, first_posted VARCHAR, "
        "last_update_posted VARCHAR, status_verified VARCHAR, sex VARCHAR, minimum_age VARCHAR, "
        "maximum_age VARCHAR, healthy_volunteers BOOLEAN, std_ages VARCHAR NOT NULL, criteria_text VARCHAR",
        references=(("trial_id", "trial", "CASCADE"),),
        indexes={
            "ix_trial_version_hash": ("trial_id", "content_hash"),
            "ix_trial_version_source_hash": ("source_hash",),
            "ix_trial_version_trial_id": ("trial_id",),
        },
        unique=("trial_id", "number"),
    ),
    Table(
        "arm",
        "id INTEGER NOT NULL, version_id INTEGER NOT NULL, position INTEGER NOT NULL, label VARCHAR NOT NULL, "
        "type VARCHAR, description VARCHAR, intervention_names VARCHAR NOT NULL",
    ),
    Table(
        "criterion",
        "id INTEGER NOT NULL, version_id INTEGER NOT NULL, parent_id INTEGER, section VARCHAR NOT NULL, "
        "key VARCHAR NOT NULL, position INTEGER NOT NULL, depth INTEGER NOT NULL, text VARCHAR NOT NULL",
        references=(("parent_id", "criterion", "CASCADE"), ("version_id", "trial_version", "CASCADE")),
    ),
    Table(
        "document",
        "id INTEGER NOT NULL, version_id INTEGER NOT NULL, position INTEGER NOT NULL, label VARCHAR, "
        "type_abbrev VARCHAR, has_protocol BOOLEAN, has_sap BOOLEAN, has_icf BOOLEAN, filename VARCHAR, "
        "date VARCHAR, upload_date VARCHAR, size INTEGER, url VARCHAR",
    ),
    Table(
        "identifier",
        "id INTEGER NOT NULL, version_id INTEGER NOT NULL, kind VARCHAR NOT NULL, position INTEGER NOT NULL, "
        "value VARCHAR NOT NULL, type VARCHAR, domain VARCHAR, link VARCHAR",
        indexes={"ix_identifier_value": ("value",), "ix_identifier_version_id": ("version_id",)},
    ),
    Table(
        "intervention",
        "id INTEGER NOT NULL, version_id INTEGER NOT NULL, position INTEGER NOT NULL, name VARCHAR NOT NULL, "
        "type VARCHAR, description VARCHAR, other_names VARCHAR NOT NULL",
    ),
    Table(
        "location",
        "id INTEGER NOT NULL, version_id INTEGER NOT NULL, position INTEGER NOT NULL, facility VARCHAR, "
        "city VARCHAR, state VARCHAR, zip VARCHAR, country VARCHAR, status VARCHAR, latitude FLOAT, "
        "longitude FLOAT",
    ),
    Table(
        "outcome",
        "id INTEGER NOT NULL, version_id INTEGER NOT NULL, kind VARCHAR NOT NULL, position INTEGER NOT NULL, "
        "measure VARCHAR NOT NULL, time_frame VARCHAR, description VARCHAR",
    ),
    Table(
        "sponsor",
        "id INTEGER NOT NULL, version_id INTEGER NOT NULL, role VARCHAR NOT NULL, position INTEGER NOT NULL, "
        "name VARCHAR NOT NULL, agency_class VARCHAR",
    ),
    Table(
        "term",
        "id INTEGER NOT NULL, version_id INTEGER NOT NULL, kind VARCHAR NOT NULL, position INTEGER NOT NULL, "
        "text VARCHAR NOT NULL",
    ),
    Table(
        "arm_intervention",
        "arm_id INTEGER NOT NULL, intervention_id INTEGER NOT NULL",
        references=(("arm_id", "arm", "CASCADE"), ("intervention_id", "intervention", "CASCADE")),
        indexes={"ix_arm_intervention_intervention_id": ("intervention_id",)},
        primary_key=("arm_id", "intervention_id"),
    ),
    Table(
        "contact",
        "id INTEGER NOT NULL, version_id INTEGER NOT NULL, location_id INTEGER, scope VARCHAR NOT NULL, "
        "position INTEGER NOT NULL, name VARCHAR, role VARCHAR, phone VARCHAR, email VARCHAR, affiliation VARCHAR",
        references=(("location_id", "location", "CASCADE"), ("version_id", "trial_version", "CASCADE")),
        indexes={"ix_contact_location_id": ("location_id",), "ix_contact_version_id": ("version_id",)},
    ),
)


def _column(declaration: str) -> sa.Column:
    name, type_name, *not_null = declaration.split()
    return sa.Column(name, TYPES[type_name](), nullable=not not_null)


def upgrade() -> None:
    for table in TABLES:
        op.create_table(
            table.name,
            *(_column(declaration) for declaration in table.columns.split(", ")),
            *(
                sa.ForeignKeyConstraint([column], [f"{target}.id"], ondelete=on_delete)
                for column, target, on_delete in table.references
            ),
            sa.PrimaryKeyConstraint(*table.primary_key),
            *([sa.UniqueConstraint(*table.unique)] if table.unique else []),
        )
        indexes = table.indexes if table.indexes is not None else {f"ix_{table.name}_version_id": ("version_id",)}
        for name, columns in indexes.items():
            op.create_index(name, table.name, list(columns), unique=False)
    op.execute(FTS_CREATE)


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS trial_fts")
    for table in reversed(TABLES):
        op.drop_table(table.name)  # its indexes go with it
