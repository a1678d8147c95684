"""Schema migrations: new stores, upgrades with a backup first, and refusal of a newer schema."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3

import pytest
from alembic import command

from reviewer.core.store import listing, mapping, reading
from reviewer.core.store.db import (
    STORE_FILE_NAME,
    NewerSchemaError,
    alembic_config,
    current_revision,
    head_revision,
    known_revisions,
    open_store,
)
from tests.conftest import FIXTURES_DIR

STORES = FIXTURES_DIR / "stores"


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_store_is_at_head_with_wal_and_foreign_keys(tmp_path):
    messages = []
    store = open_store(tmp_path, progress=messages.append)
    assert messages == []  # made, not upgraded: no "Upgrading the library" for a new folder
    assert store.schema_revision() == head_revision()
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA page_size").scalar() == 16384
    store.close()


def test_empty_store_upgrades_from_the_first_revision_to_head(tmp_path):
    path = tmp_path / STORE_FILE_NAME
    command.upgrade(alembic_config(path), "0001")
    assert current_revision(path) == "0001"
    store = open_store(tmp_path)
    assert store.schema_revision() == head_revision()
    store.close()


@pytest.mark.parametrize("fixture", sorted(STORES.glob("*.sqlite3")), ids=lambda p: p.stem)
def test_fixture_store_of_each_revision_upgrades_and_keeps_its_data(tmp_path, fixture):
    """One store per schema revision, made by that revision with the sample trials and a note."""
    shutil.copy(fixture, tmp_path / STORE_FILE_NAME)
    revision = current_revision(tmp_path / STORE_FILE_NAME)
    assert revision in known_revisions()
    messages = []
    store = open_store(tmp_path, messages.append)
    assert store.schema_revision() == head_revision()
    if revision != head_revision():  # a long upgrade says what it is doing
        assert messages[:2] == ["Copying the library aside before upgrading it…", "Upgrading the library…"]
    if revision < "0003":
        assert "Upgrading the library: 3 of 3 trial records…" in messages
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # off only while migrating
    with store.session() as session:
        assert listing.count_trials(session) == 3
        assert reading.current_record(session, "NCT07312656").design.phases == ["PHASE2"]
        assert session.connection().exec_driver_sql("SELECT body FROM note").scalars().all() == ["Kept across upgrades"]
        # the search index holds what a fresh import writes (0002: status, phase and type tokens)
        from reviewer.core.store.sqlite import fts

        for trial_id, ids in session.connection().exec_driver_sql("SELECT rowid, ids FROM trial_fts"):
            version_id = session.connection().exec_driver_sql(
                "SELECT current_version_id FROM trial WHERE id = ?", (trial_id,)
            ).scalar_one()
            record = reading.load_record(session, version_id)
            assert ids == fts.document_for(record)["ids"]
        # every version reads back exactly as it was parsed (0003: parts moved from rows to JSON)
        versions = session.connection().exec_driver_sql("SELECT id, content_hash FROM trial_version").all()
        assert len(versions) >= 3
        for version_id, content_hash in versions:
            assert mapping.content_hash(reading.load_record(session, version_id)) == content_hash
        found = listing.search_trials(session, "exosomes", listing.TrialFilter(phases=["PHASE2"]))
        assert [r["registry_id"] for r in found] == ["NCT07312656"]
        assert not listing.search_trials(session, "exosomes", listing.TrialFilter(phases=["PHASE3"]))
    store.close()
    if revision != head_revision():
        assert list(tmp_path.glob(f"{STORE_FILE_NAME}.backup-{revision}-*"))


def test_the_search_facets_migration_goes_down_and_up_again(tmp_path):
    shutil.copy(STORES / "0001.sqlite3", tmp_path / STORE_FILE_NAME)
    path = tmp_path / STORE_FILE_NAME

    def ids_column():
        with sqlite3.connect(path) as conn:
            return conn.execute("SELECT rowid, ids FROM trial_fts ORDER BY rowid").fetchall()

    before = ids_column()
    command.upgrade(alembic_config(path), "0002")
    upgraded = ids_column()
    assert all(new.startswith(old + "\n") and "zzs" in new for (_, old), (_, new) in zip(before, upgraded, strict=True))
    command.downgrade(alembic_config(path), "0001")
    assert ids_column() == before


def test_the_parts_migration_goes_down_and_up_again(tmp_path):
    """0003 -> 0002 writes the part rows back; 0002 -> 0003 reads them into the same JSON."""
    path = tmp_path / STORE_FILE_NAME
    shutil.copy(STORES / "0002.sqlite3", path)
    command.upgrade(alembic_config(path), "0003")

    def parts():
        with sqlite3.connect(path) as conn:
            return conn.execute("SELECT id, parts FROM trial_version ORDER BY id").fetchall()

    upgraded = parts()
    assert all(len(value) > 100 for _, value in upgraded)
    command.downgrade(alembic_config(path), "0002")
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM criterion").fetchone()[0] > 10
        assert conn.execute("SELECT count(*) FROM arm_intervention").fetchone()[0] > 0
        assert "parts" not in {row[1] for row in conn.execute("PRAGMA table_info(trial_version)")}
    command.upgrade(alembic_config(path), "0003")
    assert parts() == upgraded
    store = open_store(tmp_path)
    with store.session() as session:
        for version_id, content_hash in session.connection().exec_driver_sql("SELECT id, content_hash FROM trial_version"):
            assert mapping.content_hash(reading.load_record(session, version_id)) == content_hash
    store.close()


def test_an_upgrade_stopped_half_way_leaves_the_store_as_it_was(tmp_path):
    """The upgrade is one transaction, DDL included: stopped in the middle of 0003 (after its ALTER
    TABLE), nothing of it stays, and the next opening upgrades the store."""
    path = tmp_path / STORE_FILE_NAME
    shutil.copy(STORES / "0002.sqlite3", path)

    def columns():
        with sqlite3.connect(path) as conn:
            return {row[1] for row in conn.execute("PRAGMA table_info(trial_version)")}

    def stop_in_0003(message):
        if "trial records" in message:
            raise KeyboardInterrupt  # as if the app were closed or killed here

    with pytest.raises(KeyboardInterrupt):
        open_store(tmp_path, stop_in_0003)
    assert current_revision(path) == "0002"
    assert "parts" not in columns()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM criterion").fetchone()[0] > 10
    store = open_store(tmp_path)
    assert store.schema_revision() == head_revision() and "parts" in columns()
    with store.session() as session:
        assert reading.current_record(session, "NCT07312656").eligibility.inclusion
    store.close()


def test_every_revision_has_a_fixture_store():
    assert {p.stem for p in STORES.glob("*.sqlite3")} == known_revisions()


def test_newer_schema_is_refused_and_left_untouched(tmp_path):
    store = open_store(tmp_path)
    store.close()
    path = tmp_path / STORE_FILE_NAME
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    before = digest(path)
    with pytest.raises(NewerSchemaError) as error:
        open_store(tmp_path)
    assert "newer version of Protocol Reviewer" in str(error.value)
    assert "9999_from_the_future" in str(error.value)
    assert digest(path) == before
    assert not list(tmp_path.glob("*.backup-*"))


def test_a_foreign_sqlite_file_is_refused(tmp_path):
    path = tmp_path / STORE_FILE_NAME
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE photos (id INTEGER)")
    before = digest(path)
    with pytest.raises(Exception, match="not a Protocol Reviewer store"):
        open_store(tmp_path)
    assert digest(path) == before


def test_migrations_build_exactly_the_tables_the_models_declare(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    store = open_store(tmp_path)
    with store.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    store.close()
    # FTS5 keeps its index in shadow tables no model declares
    assert [d for d in differences if not (d[0] == "remove_table" and d[1].name.startswith("trial_fts"))] == []


def test_0004_drops_the_version_indexes_imports_do_not_need_and_lookups_keep_an_index(tmp_path):
    shutil.copy(STORES / "0003.sqlite3", tmp_path / STORE_FILE_NAME)
    open_store(tmp_path).close()
    with sqlite3.connect(tmp_path / STORE_FILE_NAME) as conn:
        indexes = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'trial_version'")}
        plans = [" ".join(str(row[-1]) for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", (1,)))
                 for sql in ("SELECT id FROM trial_version WHERE trial_id = ?",
                             "SELECT id FROM trial_version WHERE trial_id = ? ORDER BY number DESC")]
    assert "ix_trial_version_source_hash" not in indexes and "ix_trial_version_trial_id" not in indexes
    assert "ix_trial_version_hash" in indexes
    assert all("USING" in plan and "INDEX" in plan for plan in plans), plans
    path = tmp_path / STORE_FILE_NAME
    command.downgrade(alembic_config(path), "0003")
    with sqlite3.connect(path) as conn:
        indexes = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"ix_trial_version_source_hash", "ix_trial_version_trial_id"} <= indexes


def test_0005_indexes_every_sort_column_and_the_library_sorts_along_the_indexes(tmp_path):
    from sqlalchemy import event

    shutil.copy(STORES / "0004.sqlite3", tmp_path / STORE_FILE_NAME)
    store = open_store(tmp_path)
    path = tmp_path / STORE_FILE_NAME
    statements = []
    event.listen(store.engine, "before_cursor_execute",
                 lambda _conn, _cursor, sql, params, _context, _many: statements.append((sql, params)))
    with store.session() as session:
        for column in ("registry_id", "brief_title", "overall_status", "phases", "lead_sponsor", "conditions"):
            for descending in (False, True):
                statements.clear()
                assert len(listing.list_trials(session, None, column, descending, limit=200, offset=1)) == 2
                sql, params = statements[-1]
                with sqlite3.connect(path) as conn:
                    plan = " | ".join(str(row[-1]) for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))
                # a walk along an index: no sort of the whole table for each window of rows
                assert "INDEX" in plan and "TEMP B-TREE" not in plan, (column, descending, plan)
    store.close()
    command.downgrade(alembic_config(path), "0004")
    with sqlite3.connect(path) as conn:
        indexes = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert not indexes & {"ix_trial_brief_title", "ix_trial_lead_sponsor", "ix_trial_conditions"}


def test_0006_gives_each_selection_the_kind_of_its_item_and_keeps_its_offsets(tmp_path):
    """Notes on selected text written by 0005's app ("span", the key of the item they lie in) take
    the kind of that item; an "other/N" key is the outcome only when that outcome alone holds the quote."""
    path = tmp_path / STORE_FILE_NAME
    shutil.copy(STORES / "span_notes" / "0005.sqlite3", path)
    assert current_revision(path) == "0005"
    store = open_store(tmp_path)
    with store.session() as session:
        rows = session.connection().exec_driver_sql(
            "SELECT body, item_kind, item_key, span_start, span_end FROM note ORDER BY id").all()
    store.close()
    assert {body: tuple(rest) for body, *rest in rows} == {
        "in other outcome 1": ("outcome", "other/1", 0, 15),  # "Quality of life on the EORTC scale"
        "in other criterion 2 or other outcome 2": ("criterion", "other/2", 0, 7),  # both hold "Written"
        "in other criterion 1": ("criterion", "other/1", 7, 14),  # offsets kept
        "in primary outcome 1": ("outcome", "primary/1", 8, 16),  # "Overall survival at two years"
        "in other criterion 3.1": ("criterion", "other/3.1", 12, 18),
        "in the title": ("trial", "", 0, 9),
        "in the overview": ("section", "overview", None, None),  # a section's text: no item text to measure
        "in the arm": ("arm", "Treatment arm", 14, 24),  # "Treatment arm Daily dose of the study drug"
        "in the intervention": ("intervention", "DRUG:Studydrug", 0, 9),
        "on other criterion 2": ("criterion", "other/2", None, None),  # not a selection: untouched
    }
    command.downgrade(alembic_config(path), "0005")
    with sqlite3.connect(path) as conn:
        kinds = dict(conn.execute("SELECT body, item_kind FROM note"))
    assert kinds["in other outcome 1"] == kinds["in the arm"] == "span"
    assert kinds["on other criterion 2"] == "criterion"


def test_0007_fills_the_requirements_of_every_trials_current_version(tmp_path):
    """An existing store (the 0006 fixture) gets each trial's profile stored, as the import writes it."""
    from reviewer.core.eligibility import criterion_facets
    from reviewer.core.library import Library
    from reviewer.core.profile import profile

    shutil.copy(STORES / "0006.sqlite3", tmp_path / STORE_FILE_NAME)
    messages = []
    library = Library(open_store(tmp_path, messages.append))
    assert "Upgrading the library: the eligibility requirements of 3 of 3 trials…" in messages
    stored = dict(library.requirements())
    with library.store.session() as session:
        expected = {}
        for registry_id in list(reading.all_registry_ids(session)):
            record = reading.current_record(session, registry_id)
            expected[registry_id] = profile(criterion_facets(record), record.eligibility.sex)
    assert stored == expected and sum(len(r) for r in stored.values()) >= 10
    # the neuroendocrine seeds: ECOG 1-3 against 0-2, both from 18 years
    assert stored["NCT06924645"][("performance:ECOG", None)].value == (1, 2, 3)
    assert stored["NCT02455596"][("performance:ECOG", None)].value == (0, 1, 2)
    assert stored["NCT06924645"][("age", None)].value[0] == stored["NCT02455596"][("age", None)].value[0] == 18
    library.close()
    # down and up again: the table goes and comes back with the same rows
    def dump():
        with sqlite3.connect(tmp_path / STORE_FILE_NAME) as conn:
            return conn.execute("SELECT * FROM trial_requirement ORDER BY id").fetchall()

    before = dump()
    command.downgrade(alembic_config(tmp_path / STORE_FILE_NAME), "0006")
    with sqlite3.connect(tmp_path / STORE_FILE_NAME) as conn:
        assert not conn.execute("SELECT name FROM sqlite_master WHERE name = 'trial_requirement'").fetchall()
    command.upgrade(alembic_config(tmp_path / STORE_FILE_NAME), "0007")
    assert dump() == before


def test_0008_adds_the_facet_corrections_table_empty_and_goes_down_again(tmp_path):
    path = tmp_path / STORE_FILE_NAME
    shutil.copy(STORES / "0006.sqlite3", path)
    store = open_store(tmp_path)
    with store.session() as session:
        connection = session.connection()
        assert connection.exec_driver_sql("SELECT count(*) FROM facet_correction").scalar() == 0
        assert connection.exec_driver_sql("SELECT body FROM note").scalars().all() == ["Kept across upgrades"]
    store.close()
    command.downgrade(alembic_config(path), "0006")
    with sqlite3.connect(path) as conn:
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "facet_correction" not in tables and "note" in tables


def test_0009_copies_has_results_to_the_trial_row_and_goes_down_again(tmp_path, corpus_dir):
    path = tmp_path / STORE_FILE_NAME
    shutil.copy(STORES / "0008.sqlite3", path)
    store = open_store(tmp_path)
    with store.session() as session:
        copies = session.connection().exec_driver_sql(
            "SELECT t.has_results, v.has_results FROM trial t JOIN trial_version v ON v.id = t.current_version_id"
        ).all()
        assert copies and all(t == v for t, v in copies) and any(t is not None for t, _ in copies)
    from reviewer.core.ingest import import_paths

    assert not import_paths(store, [corpus_dir / "ctgov-v2" / "NCT00931528.json"]).failed
    with store.session() as session:
        rows = listing.list_trials(session, listing.TrialFilter(results=["WITH_RESULTS"]))
        assert [row["registry_id"] for row in rows] == ["NCT00931528"]
    store.close()
    command.downgrade(alembic_config(path), "0008")
    with sqlite3.connect(path) as conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(trial)")}
    assert "has_results" not in columns and "conditions" in columns


def test_0010_copies_the_enrollment_type_to_the_trial_row_and_goes_down_again(tmp_path):
    path = tmp_path / STORE_FILE_NAME
    shutil.copy(STORES / "0009.sqlite3", path)
    store = open_store(tmp_path)
    with store.session() as session:
        copies = session.connection().exec_driver_sql(
            "SELECT t.enrollment_type, v.enrollment_type FROM trial t JOIN trial_version v ON v.id = t.current_version_id"
        ).all()
        assert copies and all(t == v for t, v in copies) and any(t is not None for t, _ in copies)
        rows = listing.list_trials(session)
        assert all("enrollment_type" in row for row in rows)
    store.close()
    command.downgrade(alembic_config(path), "0009")
    with sqlite3.connect(path) as conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(trial)")}
    assert "enrollment_type" not in columns and "enrollment_count" in columns
