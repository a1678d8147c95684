"""Hostile field shapes, imported into a real store: a field of the wrong type or a number out of range
is "not in source" with a warning naming the field while the rest of the study imports; a study that
cannot be read at all is refused with one sentence and the store is unchanged; an R-re-serialised
API page reads as the plain one; a version date that is no date does not decide which version is
current; detection reads past leading comments; never a traceback."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest

from reviewer.core.importers import read_document
from reviewer.core.ingest import import_paths
from reviewer.core.parsed import MAX_WARNINGS
from reviewer.core.store import listing
from tests.conftest import REPO_ROOT, SAMPLES_DIR, store_content
from tests.unit.core.importers.minimal_study import (
    EXCEPTION_NAME,
    NCT_ID,
    VEEVA_PAGE,
    XML_RECORD,
    assert_one_sentence,
    import_one,
    stored,
    study,
    wrapped,
    write,
)

P = "protocolSection"

# (change to the minimal study, the field the warning names, what the record then holds there)
WRONG_FIELDS = [
    ({f"{P}.designModule.phases": 3}, f"{P}.designModule.phases", lambda r: r.design.phases == []),
    (
        {f"{P}.armsInterventionsModule": [1, 2]},
        f"{P}.armsInterventionsModule",
        lambda r: r.arms is None and r.interventions is None,
    ),
    (
        {f"{P}.identificationModule.briefTitle": {"a": 1}},
        f"{P}.identificationModule.briefTitle",
        lambda r: r.brief_title is None,
    ),
    (
        {f"{P}.designModule.designInfo.maskingInfo.whoMasked": 2},
        f"{P}.designModule.designInfo.maskingInfo.whoMasked",
        lambda r: r.design.who_masked == [] and r.design.masking == "DOUBLE",
    ),
    (
        {f"{P}.identificationModule.nctIdAliases": 7},
        f"{P}.identificationModule.nctIdAliases",
        lambda r: [i.kind for i in r.identifiers] == ["nct", "org_study"],
    ),
    (
        {f"{P}.eligibilityModule.stdAges": 1},
        f"{P}.eligibilityModule.stdAges",
        lambda r: r.eligibility.std_ages == [] and r.eligibility.minimum_age == "18 Years",
    ),
    (
        {f"{P}.conditionsModule.conditions": {"a": 1}},
        f"{P}.conditionsModule.conditions",
        lambda r: r.conditions is None,
    ),
    ({"hasResults": "yes"}, "hasResults", lambda r: r.has_results is None),
    (
        {f"{P}.armsInterventionsModule.armGroups": [{"label": "A"}, "B"]},
        f"{P}.armsInterventionsModule.armGroups[1]",
        lambda r: [a.label for a in r.arms] == ["A"],
    ),
]

OUT_OF_RANGE = [
    ({f"{P}.designModule.enrollmentInfo.count": 2**63}, f"{P}.designModule.enrollmentInfo.count"),
    ({f"{P}.designModule.enrollmentInfo.count": 2**64 + 1}, f"{P}.designModule.enrollmentInfo.count"),
    ({f"{P}.designModule.enrollmentInfo.count": -5}, f"{P}.designModule.enrollmentInfo.count"),
    ({f"{P}.designModule.enrollmentInfo.count": True}, f"{P}.designModule.enrollmentInfo.count"),
    ({f"{P}.eligibilityModule.minimumAge": "900 Years"}, f"{P}.eligibilityModule.minimumAge"),
    ({f"{P}.eligibilityModule.maximumAge": "Forever"}, f"{P}.eligibilityModule.maximumAge"),
    (
        {f"{P}.contactsLocationsModule.locations.0.geoPoint.lat": 500},
        f"{P}.contactsLocationsModule.locations[0].geoPoint.lat",
    ),
]


def assert_imported_with_warning(result, field: str) -> None:
    assert result.ok, result.error
    assert any(f"field {field} " in warning for warning in result.warnings), result.warnings
    for warning in result.warnings:
        assert_one_sentence(warning)
        assert warning.startswith(f"{NCT_ID}: field ")


@pytest.mark.parametrize(("changes", "field", "holds"), WRONG_FIELDS, ids=[w[1] for w in WRONG_FIELDS])
def test_a_field_of_the_wrong_type_is_not_in_source_with_a_warning(store, tmp_path, changes, field, holds):
    result = import_one(store, write(tmp_path, "study.json", study(changes)))
    assert_imported_with_warning(result, field)
    record = stored(store)
    assert holds(record)
    assert record.brief_title in ("Aspirin for headache", None) and record.overall_status == "RECRUITING"
    assert record.design.enrollment_count == 40


@pytest.mark.parametrize(("changes", "field"), OUT_OF_RANGE, ids=[f"{list(c.values())[0]}" for c, _ in OUT_OF_RANGE])
def test_a_json_number_out_of_range_is_not_in_source_with_a_warning(store, tmp_path, changes, field):
    result = import_one(store, write(tmp_path, "study.json", study(changes)))
    assert_imported_with_warning(result, field)
    record = stored(store)
    assert record.brief_title == "Aspirin for headache"
    if "enrollment" in field:
        assert record.design.enrollment_count is None and record.design.enrollment_type == "ESTIMATED"
    elif "Age" in field:
        assert record.eligibility.minimum_age in (None, "18 Years") and record.eligibility.maximum_age is None
    else:
        assert record.locations[0].latitude is None and record.locations[0].longitude == 108.3


def test_xml_enrollment_out_of_range_is_not_in_source(store, tmp_path):
    text = XML_RECORD.read_text(encoding="utf-8").replace(
        "<study_type>", '<enrollment type="Actual">9223372036854775808</enrollment>\n  <study_type>', 1
    )
    result = import_one(store, write(tmp_path, "study.xml", text))
    assert result.ok, result.error
    assert result.warnings == [
        "NCT00000102: field enrollment is 9,223,372,036,854,775,808, outside 0 to 100,000,000: read as not in source"
    ]
    record = stored(store, "NCT00000102")
    assert record.design.enrollment_count is None and record.design.enrollment_type == "ACTUAL"
    assert record.brief_title.startswith("Congenital Adrenal Hyperplasia")


def test_xml_enrollment_of_thousands_of_digits_and_an_absurd_age(store, tmp_path):
    text = (
        XML_RECORD.read_text(encoding="utf-8")
        .replace("<study_type>", f"<enrollment>{'9' * 5000}</enrollment>\n  <study_type>", 1)
        .replace("<minimum_age>14 Years</minimum_age>", "<minimum_age>900 Years</minimum_age>")
    )
    result = import_one(store, write(tmp_path, "study.xml", text))
    assert result.ok, result.error
    assert [w.split(" is ")[0] for w in result.warnings] == [
        "NCT00000102: field enrollment",
        "NCT00000102: field eligibility/minimum_age '900 Years'",
    ]
    record = stored(store, "NCT00000102")
    assert record.design.enrollment_count is None and record.eligibility.minimum_age is None


def test_veeva_enrollment_out_of_range_is_not_in_source(store, tmp_path):
    page = VEEVA_PAGE.read_text(encoding="utf-8")
    assert "300 estimated patients" in page
    hostile = page.replace("300 estimated patients", "92,233,720,368,547,758,080 estimated patients")
    result = import_one(store, write(tmp_path, "page.txt", hostile))
    assert result.ok, result.error
    (warning,) = result.warnings
    assert "field Enrollment is 92,233,720,368,547,758,080, outside 0 to 100,000,000" in warning
    record = stored(store, result.saved[0].registry_id)
    assert record.design.enrollment_count is None and record.design.enrollment_type == "ESTIMATED"
    assert record.eligibility.minimum_age == "18 Years"


def test_veeva_absurd_ages_are_not_in_source(store, tmp_path):
    page = VEEVA_PAGE.read_text(encoding="utf-8").replace("18 to 75 years old", "18 to 7500 years old")
    result = import_one(store, write(tmp_path, "page.txt", page))
    assert result.ok and len(result.warnings) == 1 and "Ages (maximum) '7500 Years' is not an age" in result.warnings[0]
    record = stored(store, result.saved[0].registry_id)
    assert (record.eligibility.minimum_age, record.eligibility.maximum_age) == ("18 Years", None)


def test_viewing_study_page_enrollment_out_of_range_is_not_in_source(store, tmp_path):
    seed = (SAMPLES_DIR / "001_ff9342c9be19cd9f.txt").read_text(encoding="utf-8")
    hostile = seed.replace("'count': 200}", f"'count': {2**63}}}", 1).replace("'phases': ['PHASE2']", "'phases': 2", 1)
    assert hostile.count(str(2**63)) == 1 and "'phases': 2" in hostile
    result = import_one(store, write(tmp_path, "page.txt", hostile))
    assert result.ok and result.source_format == "ignite-page", result.error
    assert [w.split(" is ")[0] for w in result.warnings] == [
        "NCT07312656: field protocolSection.designModule.phases",
        "NCT07312656: field protocolSection.designModule.enrollmentInfo.count",
    ]
    record = stored(store, "NCT07312656")
    assert record.design.enrollment_count is None and record.design.phases == []
    assert record.locations[0].city == "Nanning"


def test_an_r_wrapped_api_page_reads_as_the_plain_study(store, tmp_path):
    plain = read_document(json.dumps(study()).encode())[0]
    page = {"studies": [wrapped(study())], "nextPageToken": ["NF0g5JGBlPMuwQY"]}
    assert page["studies"][0][P]["identificationModule"]["nctId"] == [NCT_ID]
    result = import_one(store, write(tmp_path, "page.json", page))
    assert result.ok and result.warnings == [], (result.error, result.warnings)
    assert stored(store) == plain.record


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ({"studies": [3]}, "expected a study object, found a number"),
        ({P: [1, 2]}, "study has a list as its protocolSection; it cannot be read"),
        (["text"], "expected a study object, found text"),
        ({"studies": {"a": 1}}, '"studies" is not a list'),
        ({"studies": [study({P: "x"}), study()]}, "study 1: study has text as its protocolSection"),
    ],
)
def test_a_study_that_cannot_be_read_is_refused_with_one_sentence(store, tmp_path, document, reason):
    path = write(tmp_path, "bad.json", json.dumps(document))
    before = store_content(store)
    result = import_one(store, path)
    assert reason in result.error
    assert_one_sentence(result.error)
    assert store_content(store) == before


def test_a_million_odd_items_give_a_short_list_of_warnings(store, tmp_path):
    changes = {f"{P}.conditionsModule.conditions": ["Headache", *range(100_000)]}
    result = import_one(store, write(tmp_path, "study.json", study(changes)))
    assert result.ok and len(result.warnings) == MAX_WARNINGS
    assert result.warnings[-1] == f"{NCT_ID}: and 99,981 more warnings"
    assert stored(store).conditions == ["Headache"]


# ---- version dates


@pytest.mark.parametrize("bad_date", ["unknown", "9999-99-99", "9999-12-31", "2024-02-30"])
def test_a_version_date_that_is_no_date_does_not_pin_the_version(store, tmp_path, bad_date):
    pinned = study(
        {"derivedSection.miscInfoModule.versionHolder": bad_date, f"{P}.statusModule.lastUpdatePostDateStruct": None}
    )
    result = import_one(store, write(tmp_path, "v1.json", pinned))
    assert result.ok
    assert result.warnings == [
        f"{NCT_ID}: field derivedSection.miscInfoModule.versionHolder '{bad_date}' is not a date: "
        "it does not decide which version is current"
    ]
    later = study({f"{P}.identificationModule.briefTitle": "Later title", "derivedSection.miscInfoModule.versionHolder": "2020-01-01"})
    assert import_one(store, write(tmp_path, "v2.json", later)).ok
    assert stored(store).brief_title == "Later title"  # the undated version decides nothing


def test_the_other_dates_decide_when_the_version_date_is_no_date(store, tmp_path):
    newer = study({"derivedSection.miscInfoModule.versionHolder": "unknown"})  # last update 2024-05-01
    import_one(store, write(tmp_path, "newer.json", newer))
    older = study({f"{P}.identificationModule.briefTitle": "Older", "derivedSection.miscInfoModule.versionHolder": "2020-01-01"})
    assert import_one(store, write(tmp_path, "older.json", older)).saved[0].outcome == "updated"
    record = stored(store)
    assert record.brief_title == "Aspirin for headache" and record.version_date == "2024-05-01"


def test_a_stored_version_date_that_is_no_date_does_not_pin_the_version(store, tmp_path):
    """A store written before the importers checked dates may hold "9999-99-99" on its current version."""
    import_one(store, write(tmp_path, "v1.json", study()))
    with sqlite3.connect(store.path) as conn:
        conn.execute("UPDATE trial_version SET version_date = '9999-99-99'")
    later = study({f"{P}.identificationModule.briefTitle": "Later title", "derivedSection.miscInfoModule.versionHolder": "2025-01-01"})
    import_one(store, write(tmp_path, "v2.json", later))
    assert stored(store).brief_title == "Later title"


# ---- detection and messages


def test_xml_after_a_100_kb_comment_is_xml(store, tmp_path):
    declaration, rest = XML_RECORD.read_text(encoding="utf-8").split("\n", 1)
    text = f"\ufeff{declaration}\n<?xml-stylesheet href='s.xsl'?>\n<!--{'x' * 100_000}-->\n  {rest}"
    result = import_one(store, write(tmp_path, "commented.xml", text))
    assert result.ok and result.source_format == "ctgov-xml", result.error


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (json.dumps(study(), indent=2)[:700], "truncated JSON (the document ends early)"),
        (json.dumps(study()) + "\n" + '{"protocolSection": \n', "invalid JSON on line 2 of newline-delimited JSON"),
        ("<!DOCTYPE html>\n<html><body>Trial</body></html>", "unknown format: an HTML page"),
        ('<?xml version="1.0"?>\n<!-- a feed -->\n<feed><entry/></feed>', "XML whose root is <feed>"),
        ("%PDF-1.7\n%\xe2\xe3\n1 0 obj", "a PDF file, not a trial record"),
    ],
    ids=["truncated-pretty-json", "ndjson", "html", "other-xml", "pdf"],
)
def test_messages_say_what_the_file_looks_like(store, tmp_path, content, reason):
    result = import_one(store, write(tmp_path, "file", content))
    assert result.error.startswith(reason) or reason in result.error, result.error
    assert_one_sentence(result.error)


# ---- the real command line


def test_the_command_line_prints_warnings_and_reasons_never_a_traceback(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder, "a_good.json", study())
    write(folder, "b_phases.json", study({f"{P}.designModule.phases": 3, f"{P}.identificationModule.nctId": "NCT01234568"}))
    write(folder, "c_enrollment.json", study({f"{P}.designModule.enrollmentInfo.count": 2**63, f"{P}.identificationModule.nctId": "NCT01234569"}))
    write(folder, "d_identity.json", study({f"{P}.identificationModule.nctId": "../../../../tmp/x"}))
    write(folder, "e_truncated.json", json.dumps(study(), indent=2)[:500])
    write(folder, "f_wrapped.json", {"studies": [wrapped(study({f"{P}.identificationModule.nctId": "NCT01234570"}))]})
    run = subprocess.run(
        [sys.executable, "-m", "reviewer", "import", str(folder), "--data-dir", str(tmp_path / "data")],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
    )
    out = run.stdout + run.stderr
    assert run.returncode == 1, out
    assert not EXCEPTION_NAME.search(out), out
    assert "6 document(s): 4 trial(s) added, 0 updated, 0 unchanged, 2 failed, 2 imported with warnings" in out
    assert f"b_phases.json: imported with warnings:\n    NCT01234568: field {P}.designModule.phases is a number" in out
    assert "c_enrollment.json: imported with warnings:\n    NCT01234569: field" in out
    assert "FAILED" in out and "'../../../../tmp/x' is not an NCT id" in out and "truncated JSON" in out
    listed = subprocess.run(
        [sys.executable, "-m", "reviewer", "import", "--json", str(folder / "b_phases.json"), "--data-dir", str(tmp_path / "d2")],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
    )
    (result,) = json.loads(listed.stdout)["results"]
    assert result["ok"] and result["warnings"][0].startswith(f"NCT01234568: field {P}.designModule.phases")


def test_a_bulk_import_keeps_the_warnings(store, tmp_path):
    for n in range(3):
        write(tmp_path, f"s{n}.json", study({f"{P}.identificationModule.nctId": f"NCT0000000{n}", f"{P}.designModule.phases": n}))
    report = import_paths(store, sorted(tmp_path.glob("*.json")), bulk=True, workers=0)
    assert report.failed == [] and len(report.warned) == 3
    assert report.to_dict()["results"][0]["warnings"][0].startswith("NCT00000000: field protocolSection.designModule.phases")
    with store.session() as session:
        assert listing.count_trials(session) == 3
