"""Every real record of the shared corpus imports, and the store holds as many parts as the source."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET  # trusted corpus files only; the importer itself uses defusedxml

import pytest

from reviewer.core.ingest import import_paths
from reviewer.core.store import reading
from reviewer.core.store.db import open_store


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory, corpus_dir):
    store = open_store(tmp_path_factory.mktemp("corpus") / "data")
    report = import_paths(
        store, [corpus_dir / "ctgov-v2", corpus_dir / "ctgov-xml", corpus_dir / "ctgov-v2-containers"]
    )
    yield store, report
    store.close()


def test_whole_corpus_imports_without_errors(corpus_store):
    _, report = corpus_store
    assert [(r.name, r.error) for r in report.failed] == []
    assert len(report.results) == 385 + 99 + 2


def _version_of(store, name_fragment: str, registry_id: str):
    with store.session() as session:
        trial = reading.trial_by_registry_id(session, registry_id)
        for version in reading.versions_of(session, trial.id):
            if name_fragment in version.source_name:
                return reading.load_record(session, version.id)
    raise AssertionError(f"no version of {registry_id} from {name_fragment}")


def _v2_counts(study: dict) -> dict[str, int]:
    p = study["protocolSection"]
    arms = p.get("armsInterventionsModule", {})
    outcomes = p.get("outcomesModule", {})
    return {
        "arms": len(arms.get("armGroups", [])),
        "interventions": len(arms.get("interventions", [])),
        "primary": len(outcomes.get("primaryOutcomes", [])),
        "secondary": len(outcomes.get("secondaryOutcomes", [])),
        "conditions": len(p.get("conditionsModule", {}).get("conditions", [])),
        "locations": len(p.get("contactsLocationsModule", {}).get("locations", [])),
    }


def _record_counts(record) -> dict[str, int]:
    return {
        "arms": len(record.arms or []),
        "interventions": len(record.interventions or []),
        "primary": len(record.outcomes_of("primary") or []),
        "secondary": len(record.outcomes_of("secondary") or []),
        "conditions": len(record.conditions or []),
        "locations": len(record.locations or []),
    }


def test_v2_counts_equal_the_source(corpus_store, corpus_dir):
    store, _ = corpus_store
    mismatches = []
    for path in sorted((corpus_dir / "ctgov-v2").glob("*.json")):
        study = json.loads(path.read_text(encoding="utf-8"))
        registry_id = study["protocolSection"]["identificationModule"]["nctId"]
        stored = _record_counts(_version_of(store, f"ctgov-v2/{path.name}", registry_id))
        if stored != _v2_counts(study):
            mismatches.append((path.name, stored, _v2_counts(study)))
    assert mismatches == []


def test_xml_counts_equal_the_source(corpus_store, corpus_dir):
    store, _ = corpus_store
    mismatches = []
    for path in sorted((corpus_dir / "ctgov-xml").glob("*.xml")):
        root = ET.parse(path).getroot()
        expected = {
            "arms": len(root.findall("arm_group")),
            "interventions": len(root.findall("intervention")),
            "primary": len(root.findall("primary_outcome")),
            "secondary": len(root.findall("secondary_outcome")),
            "conditions": len(root.findall("condition")),
            "locations": len(root.findall("location")),
        }
        stored = _record_counts(_version_of(store, f"ctgov-xml/{path.name}", root.findtext("id_info/nct_id")))
        if stored != expected:
            mismatches.append((path.name, stored, expected))
    assert mismatches == []


@pytest.mark.parametrize(
    "container, count",
    [
        ("website-download-array__dgg32-clinical-trials-public__ctg-studies.json", 10),
        ("api-page-fields-subset__arjuns238-Cheiron__7934157724343967.json", 16),
    ],
)
def test_containers_give_one_version_per_study(corpus_store, corpus_dir, container, count):
    store, report = corpus_store
    result = next(r for r in report.results if r.name.endswith(container))
    assert len(result.saved) == count
    data = json.loads((corpus_dir / "ctgov-v2-containers" / container).read_text(encoding="utf-8"))
    studies = data["studies"] if isinstance(data, dict) else data
    for study, saved in zip(studies, result.saved, strict=True):
        ident = study["protocolSection"]["identificationModule"]
        assert saved.registry_id == ident["nctId"]
        with store.session() as session:
            record = reading.load_record(session, saved.version_id)
        assert record.brief_title == ident.get("briefTitle")
        assert _record_counts(record) == _v2_counts(study)


@pytest.mark.parametrize("registry_id", ["NCT02513394", "NCT00000102"])
def test_cross_format_agreement(corpus_store, registry_id):
    store, _ = corpus_store
    from_json = _version_of(store, "ctgov-v2/", registry_id)
    from_xml = _version_of(store, "ctgov-xml/", registry_id)
    assert from_json.registry_id == from_xml.registry_id
    assert from_json.brief_title == from_xml.brief_title
    assert from_json.design.phases == from_xml.design.phases
    assert from_json.design.study_type == from_xml.design.study_type
    assert len(from_json.arms or []) == len(from_xml.arms or [])
    assert len(from_json.outcomes_of("primary") or []) == len(from_xml.outcomes_of("primary") or [])
    assert from_json.lead_sponsor.name == from_xml.lead_sponsor.name
    assert [a.label for a in from_json.arms or []] == [a.label for a in from_xml.arms or []]


def test_status_and_outcomes_agree_where_the_captures_agree(corpus_store):
    # Both studies hold the same status in both captures. NCT02513394's outcomes differ: the XML is
    # of 2020 (1 secondary outcome), the JSON of 2023 (4), so only the primary outcome is compared.
    store, _ = corpus_store
    json_102, xml_102 = _version_of(store, "ctgov-v2/", "NCT00000102"), _version_of(store, "ctgov-xml/", "NCT00000102")
    assert json_102.overall_status == xml_102.overall_status == "COMPLETED"
    assert len(json_102.outcomes or []) == len(xml_102.outcomes or [])
    json_394, xml_394 = _version_of(store, "ctgov-v2/", "NCT02513394"), _version_of(store, "ctgov-xml/", "NCT02513394")
    assert json_394.overall_status == xml_394.overall_status == "ACTIVE_NOT_RECRUITING"
    assert (len(json_394.outcomes_of("secondary")), len(xml_394.outcomes_of("secondary"))) == (4, 1)
    assert (json_394.version_date, xml_394.version_date) == ("2023-10-06", "2020-03-09")


def test_newest_record_is_current_across_formats(corpus_store):
    store, _ = corpus_store
    with store.session() as session:
        trial = reading.trial_by_registry_id(session, "NCT00000102")
        versions = reading.versions_of(session, trial.id)
        current = next(v for v in versions if v.id == trial.current_version_id)
        assert len(versions) == 2
        assert current.version_date == max(v.version_date for v in versions)


def test_long_nested_criteria_and_nil(corpus_store):
    store, _ = corpus_store
    with store.session() as session:
        long = reading.current_record(session, "NCT05798663").eligibility
        nil = reading.current_record(session, "NCT01100827").eligibility
    assert len(long.inclusion) > 5 and len(long.exclusion) > 5
    assert any(item.children for item in long.inclusion + long.exclusion)
    assert (nil.inclusion, nil.exclusion) == ([], [])


def test_markdown_escapes_resolved_and_unicode_kept(corpus_store):
    store, _ = corpus_store
    with store.session() as session:
        cyrillic = reading.current_record(session, "NCT04226105")
        korean = reading.current_record(session, "NCT01705197")
    assert "\u0421ompared" in cyrillic.brief_title  # the Cyrillic С the registry holds, kept as it is
    assert any("임상제도과" in i.value for i in korean.identifiers)
