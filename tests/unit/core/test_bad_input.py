"""Bad input gets a one-line reason naming the document, and leaves the store exactly as it was."""

from __future__ import annotations

import json
import zipfile

import pytest

from reviewer.core.importers.base import MAX_DOCUMENT_BYTES, MAX_FIELD_CHARS
from reviewer.core.ingest import import_paths
from tests.conftest import FIXTURES_DIR, SEED_IGNITE_MSC, store_content

BAD = FIXTURES_DIR / "bad"


@pytest.fixture
def filled(store):
    """A store that already holds a trial, so that 'unchanged' means more than 'still empty'."""
    assert not import_paths(store, [SEED_IGNITE_MSC]).failed
    return store


def refuse(store, path, reason_fragment):
    before = store_content(store)
    report = import_paths(store, [path])
    assert len(report.failed) == 1, report.to_dict()
    failed = report.failed[0]
    assert str(path.name) in failed.name
    assert reason_fragment in failed.error, failed.error
    assert "\n" not in failed.error
    assert store_content(store) == before
    return failed


@pytest.mark.parametrize(
    "name, reason",
    [
        ("empty.json", "file is empty"),
        ("truncated.json", "truncated JSON"),
        ("invalid.json", "invalid JSON at line 1"),
        ("wrong_shape.json", "not a study"),
        ("no_identity.json", "no identity"),
        ("unknown_format.txt", "unknown format"),
        ("undecodable.txt", "undecodable bytes"),
        ("garbage.bin", "undecodable bytes"),
        ("hostile_external_entity.xml", "refused"),
        ("hostile_entity_expansion.xml", "refused"),
    ],
)
def test_bad_file_refused_with_reason(filled, name, reason):
    refuse(filled, BAD / name, reason)


def test_external_entity_never_read(filled):
    failed = refuse(filled, BAD / "hostile_external_entity.xml", "entit")
    assert "NCT09999993" not in store_content(filled)
    assert failed.saved == []


def test_utf16_with_bom_is_decoded(store):
    report = import_paths(store, [BAD / "utf16_bom.json"])
    assert not report.failed
    assert report.results[0].saved[0].registry_id == "NCT09999992"


def test_zip_member_with_parent_path_is_refused_and_the_rest_imported(store, tmp_path):
    archive = tmp_path / "mixed.zip"
    good = {"protocolSection": {"identificationModule": {"nctId": "NCT09999995", "briefTitle": "Good"}}}
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("../escape.json", json.dumps(good))
        z.writestr("ok/NCT09999995.json", json.dumps(good))
        z.writestr("broken.json", "{")
    report = import_paths(store, [archive])
    by_name = {r.name.split(" › ")[1]: r for r in report.results}
    assert "unsafe path" in by_name["../escape.json"].error
    assert by_name["ok/NCT09999995.json"].ok
    assert "truncated JSON" in by_name["broken.json"].error
    assert all("mixed.zip" in r.name for r in report.results)
    assert not (tmp_path.parent / "escape.json").exists()


def test_zip_bomb_refused(filled, tmp_path):
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("NCT00000000.json", b"{" + b" " * 20_000_000 + b"}")
    refuse(filled, archive, "compression ratio")


def test_oversized_document_refused(filled, tmp_path):
    big = tmp_path / "big.json"
    with big.open("wb") as handle:
        handle.truncate(MAX_DOCUMENT_BYTES + 10)
    refuse(filled, big, "oversized document")


def test_oversized_field_refused(filled, tmp_path):
    study = {
        "protocolSection": {
            "identificationModule": {"nctId": "NCT09999996", "briefTitle": "Huge"},
            "descriptionModule": {"briefSummary": "x" * (MAX_FIELD_CHARS + 1)},
        }
    }
    path = tmp_path / "huge_field.json"
    path.write_text(json.dumps(study))
    refuse(filled, path, "oversized")


def test_a_page_with_one_bad_study_stores_none_of_it(filled, tmp_path):
    good = {"protocolSection": {"identificationModule": {"nctId": "NCT09999997", "briefTitle": "Good"}}}
    bad = {"protocolSection": {"identificationModule": {"briefTitle": "No id"}}}
    path = tmp_path / "page.json"
    path.write_text(json.dumps({"studies": [good, bad]}))
    failed = refuse(filled, path, "study 2")
    assert "no identity" in failed.error


def test_missing_path_named(store, tmp_path):
    report = import_paths(store, [tmp_path / "nowhere.json"])
    assert report.failed[0].error == "no such file or folder"


def test_batch_goes_on_past_bad_files(store):
    report = import_paths(store, [BAD])
    assert report.count("added") == 1  # utf16_bom.json
    files = [p for p in BAD.iterdir() if not p.name.startswith(".")]
    assert len(report.failed) == len(files) - 1  # all but the UTF-16 one (README.md too: unknown format)
