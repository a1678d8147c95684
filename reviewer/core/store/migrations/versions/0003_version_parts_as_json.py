"""A version's parts as one JSON value instead of rows of ten tables.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 18:40:00

A record is always read whole (to show, compare, report or re-anchor notes), and writing its ~60
part rows with their indexes was most of the bulk import's time outside the search index. The
arms, interventions and their links, criteria trees, outcomes, conditions and keywords, sponsors,
sites and contacts, and documents of each version move into trial_version.parts (the JSON of
reviewer.core.store.repo.parts_json); identifiers keep their table (a trial is found by any of them).
Upgrading reads each version's rows (about 0.2 ms a version); downgrading writes them back.
"""

import json

import sqlalchemy as sa
from alembic import context, op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Literal copies of what this revision meant (a migration must keep meaning what it meant).
PART_TABLES_DDL = """
CREATE TABLE arm (id INTEGER NOT NULL, version_id INTEGER NOT NULL, position INTEGER NOT NULL,
    label VARCHAR NOT NULL, type VARCHAR, description VARCHAR, intervention_names VARCHAR NOT NULL,
    PRIMARY KEY (id), FOREIGN KEY(version_id) REFERENCES trial_version (id) ON DELETE CASCADE);
CREATE INDEX ix_arm_version_id ON arm (version_id);
CREATE TABLE criterion (id INTEGER NOT NULL, version_id INTEGER NOT NULL, parent_id INTEGER,
    section VARCHAR NOT NULL, "key" VARCHAR NOT NULL, position INTEGER NOT NULL, depth INTEGER NOT NULL,
    text VARCHAR NOT NULL, PRIMARY KEY (id),
    FOREIGN KEY(parent_id) REFERENCES criterion (id) ON DELETE CASCADE,
    FOREIGN KEY(version_id) REFERENCES trial_version (id) ON DELETE CASCADE);
CREATE INDEX ix_criterion_version_id ON criterion (version_id);
CREATE TABLE document (id INTEGER NOT NULL, version_id INTEGER NOT NULL, position INTEGER NOT NULL,
    label VARCHAR, type_abbrev VARCHAR, has_protocol BOOLEAN, has_sap BOOLEAN, has_icf BOOLEAN,
    filename VARCHAR, date VARCHAR, upload_date VARCHAR, size INTEGER, url VARCHAR, PRIMARY KEY (id),
    FOREIGN KEY(version_id) REFERENCES trial_version (id) ON DELETE CASCADE);
CREATE INDEX ix_document_version_id ON document (version_id);
CREATE TABLE intervention (id INTEGER NOT NULL, version_id INTEGER NOT NULL, position INTEGER NOT NULL,
    name VARCHAR NOT NULL, type VARCHAR, description VARCHAR, other_names VARCHAR NOT NULL,
    PRIMARY KEY (id), FOREIGN KEY(version_id) REFERENCES trial_version (id) ON DELETE CASCADE);
CREATE INDEX ix_intervention_version_id ON intervention (version_id);
CREATE TABLE location (id INTEGER NOT NULL, version_id INTEGER NOT NULL, position INTEGER NOT NULL,
    facility VARCHAR, city VARCHAR, state VARCHAR, zip VARCHAR, country VARCHAR, status VARCHAR,
    latitude FLOAT, longitude FLOAT, PRIMARY KEY (id),
    FOREIGN KEY(version_id) REFERENCES trial_version (id) ON DELETE CASCADE);
CREATE INDEX ix_location_version_id ON location (version_id);
CREATE TABLE outcome (id INTEGER NOT NULL, version_id INTEGER NOT NULL, kind VARCHAR NOT NULL,
    position INTEGER NOT NULL, measure VARCHAR NOT NULL, time_frame VARCHAR, description VARCHAR,
    PRIMARY KEY (id), FOREIGN KEY(version_id) REFERENCES trial_version (id) ON DELETE CASCADE);
CREATE INDEX ix_outcome_version_id ON outcome (version_id);
CREATE TABLE sponsor (id INTEGER NOT NULL, version_id INTEGER NOT NULL, role VARCHAR NOT NULL,
    position INTEGER NOT NULL, name VARCHAR NOT NULL, agency_class VARCHAR, PRIMARY KEY (id),
    FOREIGN KEY(version_id) REFERENCES trial_version (id) ON DELETE CASCADE);
CREATE INDEX ix_sponsor_version_id ON sponsor (version_id);
CREATE TABLE term (id INTEGER NOT NULL, version_id INTEGER NOT NULL, kind VARCHAR NOT NULL,
    position INTEGER NOT NULL, text VARCHAR NOT NULL, PRIMARY KEY (id),
    FOREIGN KEY(version_id) REFERENCES trial_version (id) ON DELETE CASCADE);
CREATE INDEX ix_term_version_id ON term (version_id);
CREATE TABLE arm_intervention (arm_id INTEGER NOT NULL, intervention_id INTEGER NOT NULL,
    PRIMARY KEY (arm_id, intervention_id),
    FOREIGN KEY(arm_id) REFERENCES arm (id) ON DELETE CASCADE,
    FOREIGN KEY(intervention_id) REFERENCES intervention (id) ON DELETE CASCADE);
CREATE INDEX ix_arm_intervention_intervention_id ON arm_intervention (intervention_id);
CREATE TABLE contact (id INTEGER NOT NULL, version_id INTEGER NOT NULL, location_id INTEGER,
    scope VARCHAR NOT NULL, position INTEGER NOT NULL, name VARCHAR, role VARCHAR, phone VARCHAR,
    email VARCHAR, affiliation VARCHAR, PRIMARY KEY (id),
    FOREIGN KEY(location_id) REFERENCES location (id) ON DELETE CASCADE,
    FOREIGN KEY(version_id) REFERENCES trial_version (id) ON DELETE CASCADE);
CREATE INDEX ix_contact_location_id ON contact (location_id);
CREATE INDEX ix_contact_version_id ON contact (version_id);
"""
# children before parents
PART_TABLES = (
    "contact",
    "arm_intervention",
    "term",
    "sponsor",
    "outcome",
    "location",
    "intervention",
    "document",
    "criterion",
    "arm",
)
CONTACT_FIELDS = ("name", "role", "phone", "email", "affiliation")
DOCUMENT_FIELDS = (
    "label",
    "type_abbrev",
    "has_protocol",
    "has_sap",
    "has_icf",
    "filename",
    "date",
    "upload_date",
    "size",
    "url",
)
LOCATION_FIELDS = ("facility", "city", "state", "zip", "country", "status", "latitude", "longitude")
LIST_PARTS = (  # null in parts when the source does not carry them (not_in_source)
    "conditions",
    "keywords",
    "arms",
    "interventions",
    "outcomes",
    "collaborators",
    "locations",
    "central_contacts",
    "officials",
    "documents",
)
BATCH = 2000


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _raw():
    return op.get_bind().connection.driver_connection


def _progress(done: int, total: int) -> None:
    report = context.config.attributes.get("progress")
    if report:
        report(f"Upgrading the library: {done:,} of {total:,} trial records…")


# ---------------------------------------------------------------- rows -> JSON


def _parts_of(cursor, version_id: int, missing: set[str]) -> str:
    def rows(sql: str) -> list[tuple]:
        return cursor.execute(sql, (version_id,)).fetchall()

    terms = rows("SELECT kind, text FROM term WHERE version_id = ? ORDER BY kind, position")
    sponsors = rows("SELECT role, name, agency_class FROM sponsor WHERE version_id = ? ORDER BY position")
    arms = rows(
        "SELECT id, label, type, description, intervention_names FROM arm WHERE version_id = ? ORDER BY position"
    )
    interventions = rows(
        "SELECT id, name, type, description, other_names FROM intervention WHERE version_id = ? ORDER BY position"
    )
    links = rows(
        "SELECT l.arm_id, l.intervention_id FROM arm_intervention l JOIN arm a ON a.id = l.arm_id "
        "WHERE a.version_id = ? ORDER BY l.arm_id"
    )
    arm_label = {arm[0]: arm[1] for arm in arms}
    labels_of: dict[int, list[str]] = {}
    for arm_id, intervention_id in links:
        labels_of.setdefault(intervention_id, []).append(arm_label[arm_id])
    locations = rows(
        "SELECT id, facility, city, state, zip, country, status, latitude, longitude FROM location "
        "WHERE version_id = ? ORDER BY position"
    )
    contacts = rows(
        "SELECT location_id, scope, name, role, phone, email, affiliation FROM contact "
        "WHERE version_id = ? ORDER BY position"
    )

    def contact(row) -> dict:
        return dict(zip(CONTACT_FIELDS, row[2:], strict=True))

    documents = rows(
        "SELECT label, type_abbrev, has_protocol, has_sap, has_icf, filename, date, upload_date, size, url "
        "FROM document WHERE version_id = ? ORDER BY position"
    )

    def document(row) -> dict:
        value = dict(zip(DOCUMENT_FIELDS, row, strict=True))
        for flag in ("has_protocol", "has_sap", "has_icf"):
            if value[flag] is not None:
                value[flag] = bool(value[flag])
        return value

    criteria = None
    if "eligibility" not in missing:
        criteria = {"inclusion": [], "exclusion": [], "other": []}
        nodes: dict[int, dict] = {}
        for criterion_id, parent_id, section, text in rows(
            "SELECT id, parent_id, section, text FROM criterion WHERE version_id = ? ORDER BY position"
        ):
            node = nodes[criterion_id] = {"text": text, "children": []}
            (nodes[parent_id]["children"] if parent_id is not None else criteria[section]).append(node)
    lead = [s for s in sponsors if s[0] == "lead"]
    parts = {
        "conditions": [text for kind, text in terms if kind == "condition"],
        "keywords": [text for kind, text in terms if kind == "keyword"],
        "arms": [
            {"label": a[1], "type": a[2], "description": a[3], "intervention_names": json.loads(a[4])} for a in arms
        ],
        "interventions": [
            {
                "name": i[1],
                "type": i[2],
                "description": i[3],
                "other_names": json.loads(i[4]),
                "arm_labels": labels_of.get(i[0], []),
            }
            for i in interventions
        ],
        "outcomes": [
            {"kind": o[0], "measure": o[1], "time_frame": o[2], "description": o[3]}
            for o in rows(
                "SELECT kind, measure, time_frame, description FROM outcome WHERE version_id = ? ORDER BY position"
            )
        ],
        "lead_sponsor": {"name": lead[0][1], "agency_class": lead[0][2]} if lead else None,
        "collaborators": [{"name": s[1], "agency_class": s[2]} for s in sponsors if s[0] == "collaborator"],
        "locations": [
            {
                **dict(zip(LOCATION_FIELDS, loc[1:], strict=True)),
                "contacts": [contact(c) for c in contacts if c[0] == loc[0]],
            }
            for loc in locations
        ],
        "central_contacts": [contact(c) for c in contacts if c[1] == "central"],
        "officials": [contact(c) for c in contacts if c[1] == "official"],
        "documents": [document(d) for d in documents],
        "criteria": criteria,
    }
    for name in LIST_PARTS:
        if name in missing:
            parts[name] = None
    return _dumps(parts)


def upgrade() -> None:
    op.add_column("trial_version", sa.Column("parts", sa.String(), nullable=False, server_default="{}"))
    cursor = _raw().cursor()
    versions = cursor.execute("SELECT id, not_in_source FROM trial_version ORDER BY id").fetchall()
    for start in range(0, len(versions), BATCH):
        values = [
            (_parts_of(cursor, version_id, set(json.loads(missing or "[]"))), version_id)
            for version_id, missing in versions[start : start + BATCH]
        ]
        cursor.executemany("UPDATE trial_version SET parts = ? WHERE id = ?", values)
        _progress(start + len(values), len(versions))
    report = context.config.attributes.get("progress")
    if report:
        report("Upgrading the library: removing the old tables…")
    for table in PART_TABLES:
        op.execute(f"DROP TABLE {table}")


# ---------------------------------------------------------------- JSON -> rows


def _write_rows(cursor, version_id: int, parts: dict) -> None:
    def insert(table: str, row: dict) -> int:
        columns = ", ".join(f'"{c}"' for c in row)
        cursor.execute(
            f"INSERT INTO {table} (version_id, {columns}) VALUES (?{', ?' * len(row)})", (version_id, *row.values())
        )
        return cursor.lastrowid

    for kind in ("condition", "keyword"):
        for position, text in enumerate(parts[kind + "s"] or []):
            insert("term", {"kind": kind, "position": position, "text": text})
    if parts["lead_sponsor"]:
        insert("sponsor", {"role": "lead", "position": 0, **parts["lead_sponsor"]})
    for position, sponsor in enumerate(parts["collaborators"] or []):
        insert("sponsor", {"role": "collaborator", "position": position, **sponsor})
    for position, outcome in enumerate(parts["outcomes"] or []):
        fields = {k: outcome[k] for k in ("measure", "time_frame", "description")}
        insert("outcome", {"kind": outcome["kind"], "position": position, **fields})
    for position, document in enumerate(parts["documents"] or []):
        insert("document", {"position": position, **document})

    def insert_each(table: str, items: list[dict], name: str, names: str) -> list[int]:
        """Arms and interventions: a name, a type, a description and a list of names (as JSON)."""
        return [
            insert(
                table,
                {
                    "position": position,
                    **{k: item[k] for k in (name, "type", "description")},
                    names: _dumps(item[names]),
                },
            )
            for position, item in enumerate(items)
        ]

    arm_of: dict[str, int] = {}
    arms = parts["arms"] or []
    for arm, arm_id in zip(arms, insert_each("arm", arms, "label", "intervention_names"), strict=True):
        arm_of.setdefault(arm["label"], arm_id)
    links = set()
    interventions = parts["interventions"] or []
    ids = insert_each("intervention", interventions, "name", "other_names")
    for item, intervention_id in zip(interventions, ids, strict=True):
        links.update((arm_of[label], intervention_id) for label in item["arm_labels"] if label in arm_of)
    cursor.executemany("INSERT INTO arm_intervention (arm_id, intervention_id) VALUES (?, ?)", sorted(links))
    position = 0

    def criteria(items: list[dict], section: str, parent: int | None, prefix: str, depth: int) -> None:
        nonlocal position
        for n, item in enumerate(items, 1):
            key = f"{prefix}{n}"
            row = {"parent_id": parent, "section": section, "key": f"{section}/{key}", "position": position}
            position += 1
            criterion_id = insert("criterion", {**row, "depth": depth, "text": item["text"]})
            criteria(item["children"], section, criterion_id, f"{key}.", depth + 1)

    for section, items in (parts["criteria"] or {}).items():
        criteria(items, section, None, "", 0)

    def contact(value: dict, scope: str, position: int, location: int | None = None) -> None:
        insert("contact", {"location_id": location, "scope": scope, "position": position, **value})

    for n, value in enumerate(parts["central_contacts"] or []):
        contact(value, "central", n)
    for n, value in enumerate(parts["officials"] or []):
        contact(value, "official", n)
    for n, location in enumerate(parts["locations"] or []):
        location_id = insert("location", {"position": n, **{k: location[k] for k in LOCATION_FIELDS}})
        for i, value in enumerate(location["contacts"]):
            contact(value, "site", i, location_id)


def downgrade() -> None:
    for statement in PART_TABLES_DDL.split(";"):
        if statement.strip():
            op.execute(statement)
    cursor = _raw().cursor()
    versions = cursor.execute("SELECT id, parts FROM trial_version ORDER BY id").fetchall()
    for done, (version_id, parts) in enumerate(versions, 1):
        _write_rows(cursor, version_id, json.loads(parts))
        if done % BATCH == 0:
            _progress(done, len(versions))
    op.execute("ALTER TABLE trial_version DROP COLUMN parts")
