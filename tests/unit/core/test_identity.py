"""A trial's identity is a registry id: every bad identity is refused with one sentence and the store is
left unchanged, in every format; the registries' own ids, the seeds' and the corpus's are accepted."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from reviewer.core import identity
from reviewer.core.importers import read_document
from tests.conftest import REPO_ROOT, SAMPLES_DIR, store_content
from tests.unit.core.importers.minimal_study import (
    EXCEPTION_NAME,
    VEEVA_PAGE,
    XML_RECORD,
    assert_one_sentence,
    import_one,
    stored,
    study,
    write,
)

NCT_PATH = "protocolSection.identificationModule.nctId"

BAD_NCT_IDS = {
    "path": ("../../../../tmp/x", "'../../../../tmp/x' is not an NCT id"),
    "shell and path characters": ("NCT/9\\9:0*?<>|", "is not an NCT id (NCT and 8 digits)"),
    "sql": ("NCT1'); DROP TABLE trial;--\"", "is not an NCT id"),
    "200 digits": ("NCT" + "1" * 200, "'NCT1111111111111111111111111111111111111…' is not an NCT id"),
    "number": (12345678, "identificationModule.nctId is a number, not an NCT id"),
    "object": ({"a": 1}, "identificationModule.nctId is an object, not an NCT id"),
    "true": (True, "identificationModule.nctId is true/false, not an NCT id"),
    "right-to-left override": ("NCT0123\u202e4567", "'NCT0123\\u202e4567' is not an NCT id"),
    "arabic digits": ("NCT" + "\u0661" * 8, "is not an NCT id"),
    "trailing newline": ("NCT01234567\n", "is not an NCT id"),
    "lower case": ("nct01234567", "is not an NCT id"),
}


@pytest.mark.parametrize(("nct_id", "reason"), BAD_NCT_IDS.values(), ids=BAD_NCT_IDS.keys())
def test_a_bad_nct_id_refuses_the_json_document(store, tmp_path, nct_id, reason):
    before = store_content(store)
    result = import_one(store, write(tmp_path, "study.json", study({NCT_PATH: nct_id})))
    assert not result.ok and reason in result.error, result.error
    assert result.error.endswith("the record has no identity")
    assert_one_sentence(result.error)
    assert "\u202e" not in result.error  # the override is shown as an escape, never written out
    assert store_content(store) == before


def test_a_bad_nct_id_in_a_viewing_study_page_is_refused(store, tmp_path):
    seed = (SAMPLES_DIR / "001_ff9342c9be19cd9f.txt").read_text(encoding="utf-8")
    assert seed.count("'NCT07312656'") >= 1
    hostile = seed.replace("'nctId': 'NCT07312656'", "'nctId': '../../etc/passwd'")
    assert hostile != seed
    before = store_content(store)
    result = import_one(store, write(tmp_path, "page.txt", hostile))
    assert "'../../etc/passwd' is not an NCT id" in result.error
    assert_one_sentence(result.error)
    assert store_content(store) == before


@pytest.mark.parametrize("nct_id", ["../x", "NCT123", "NCT0000010\u202e2"])
def test_a_bad_nct_id_refuses_the_xml_record(store, tmp_path, nct_id):
    text = XML_RECORD.read_text(encoding="utf-8").replace("<nct_id>NCT00000102</nct_id>", f"<nct_id>{nct_id}</nct_id>")
    before = store_content(store)
    result = import_one(store, write(tmp_path, "study.xml", text))
    assert "id_info/nct_id" in result.error and "is not an NCT id" in result.error, result.error
    assert_one_sentence(result.error)
    assert store_content(store) == before


def veeva_with_identifiers(*ids: str) -> str:
    page = VEEVA_PAGE.read_text(encoding="utf-8")
    start = page.index("Identifiers\n\n") + len("Identifiers\n\n")
    end = page.index("\n\n", start)
    return page[:start] + "\n".join(ids) + page[end:]


@pytest.mark.parametrize(
    ("ids", "registry_id"),
    [
        (("NCT09990101", "CHRF-2024-07"), "NCT09990101"),
        (("2019/123 ABC", "2017-004221-23"), "2017-004221-23"),  # EudraCT before an unsafe org id
        (("ISRCTN12345678",), "ISRCTN12345678"),
        (("ChiCTR-TRC-12002345",), "ChiCTR-TRC-12002345"),
        (("2023-503512-13-00",), "2023-503512-13-00"),  # CTIS
        (("jRCTs031180001",), "jRCTs031180001"),
        (("CHRF-2024-07",), "CHRF-2024-07"),  # an organisation's study id, when nothing else exists
    ],
)
def test_a_veeva_page_takes_a_registry_id_then_a_safe_org_study_id(store, tmp_path, ids, registry_id):
    result = import_one(store, write(tmp_path, "page.txt", veeva_with_identifiers(*ids)))
    assert result.ok, result.error
    assert result.saved[0].registry_id == registry_id
    assert [i.value for i in stored(store, registry_id).identifiers] == list(ids)


@pytest.mark.parametrize("ids", [("../../tmp/x",), ("2019/123 ABC",), ("A\u202eB",), ("x" * 200,)])
def test_a_veeva_page_without_a_usable_identity_is_refused(store, tmp_path, ids):
    before = store_content(store)
    result = import_one(store, write(tmp_path, "page.txt", veeva_with_identifiers(*ids)))
    assert not result.ok and "the record has no identity" in result.error, result.error
    assert_one_sentence(result.error)
    assert store_content(store) == before


def test_other_identifiers_with_hidden_characters_are_left_out_with_a_warning(store, tmp_path):
    changes = {
        "protocolSection.identificationModule.orgStudyIdInfo.id": "ABC\u202e-1",
        "protocolSection.identificationModule.nctIdAliases": ["NCT07654321", "../x"],
    }
    result = import_one(store, write(tmp_path, "study.json", study(changes)))
    assert result.ok
    assert [w.split(" ")[2] for w in result.warnings] == [
        "protocolSection.identificationModule.orgStudyIdInfo.id",
        "protocolSection.identificationModule.nctIdAliases[1]",
    ]
    assert [(i.kind, i.value) for i in stored(store).identifiers] == [("nct", "NCT01234567"), ("alias", "NCT07654321")]


def test_the_registries_patterns():
    accepted = {
        "NCT01234567": "NCT",
        "2017-004221-23": "EudraCT",
        "2023-503512-13-00": "CTIS",
        "ISRCTN12345678": "ISRCTN",
        "ChiCTR2000029953": "ChiCTR",
        "ChiCTR-IOR-15006234": "ChiCTR",
        "jRCT2031200123": "jRCT",
        "jRCTs031180001": "jRCT",
    }
    assert {value: identity.registry_of(value) for value in accepted} == accepted
    for value in ["NCT1234567", "NCT012345678", "ISRCTN1234567", "2017-04221-23", "ChiCTR/../x", "jRCT123", ""]:
        assert identity.registry_of(value) is None, value
    assert identity.ORG_STUDY_ID.fullmatch("LUM-ABU-AP-17-02") and not identity.ORG_STUDY_ID.fullmatch("a/b")
    assert identity.has_hidden_characters("A\u2066B") and identity.has_hidden_characters("A\x1b[2J")
    assert not identity.has_hidden_characters("维生素 D · ≥ 18")


def test_the_seeds_and_the_fixtures_keep_their_identities():
    """None of the identities this repository's own records use is refused."""
    files = sorted(SAMPLES_DIR.glob("*.txt")) + sorted(VEEVA_PAGE.parent.glob("*.txt")) + [XML_RECORD]
    ids = [p.record.registry_id for f in files if f.name != "no_identifier.txt" for p in read_document(f.read_bytes())]
    assert all(identity.NCT_ID.fullmatch(i) for i in ids) and len(ids) == len(files) - 1


def test_the_command_line_refuses_bad_identities_in_one_sentence_each(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name, (nct_id, _) in BAD_NCT_IDS.items():
        write(folder, f"{name.replace(' ', '_')}.json", json.dumps(study({NCT_PATH: nct_id})))
    run = subprocess.run(
        [sys.executable, "-m", "reviewer", "import", str(folder), "--data-dir", str(tmp_path / "data")],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
    )
    out = run.stdout + run.stderr
    assert run.returncode == 1 and not EXCEPTION_NAME.search(out), out
    failures = [line for line in out.splitlines() if line.startswith("  FAILED")]
    assert len(failures) == len(BAD_NCT_IDS) and all(line.endswith("the record has no identity") for line in failures)
    assert "\u202e" not in out
