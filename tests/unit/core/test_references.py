"""References (with their PubMed ids) and see-also links: read from API v2 JSON and the legacy XML
alike, stored with the record, shown with a PubMed link in the page, the brief, the text and the JSON."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import xml.etree.ElementTree as TrustedET

import orjson
from pypdf import PdfReader

from reviewer.core.export import record_to_api
from reviewer.core.importers import ctgov_json, ctgov_xml
from reviewer.core.ingest import import_paths
from reviewer.core.plain_text import record_text
from reviewer.core.presentation.trial import present
from reviewer.core.presentation.values import State
from reviewer.core.record import DETAIL_PARTS
from reviewer.core.reports import ReportOptions, make_report
from reviewer.core.store import reading
from reviewer.core.store.mapping import LATER_FIELDS, content_hash
from tests.unit.core.test_reports import pdf_text, squashed

WITH_LINKS = "NCT00334477"  # 5 references, a see-also link


def link_targets(pdf: bytes) -> set[str]:
    """The URIs of a PDF's link annotations."""
    targets = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None and "/URI" in action:
                targets.add(str(action["/URI"]))
    return targets


def test_every_json_record_keeps_its_references_and_links(corpus_dir):
    with_references = 0
    for path in sorted((corpus_dir / "ctgov-v2").glob("*.json")):
        study = orjson.loads(path.read_bytes())
        record = ctgov_json.study_to_record(study)
        module = study["protocolSection"].get("referencesModule")
        if module is None:
            assert record.references is None and record.links is None, path.name
            continue
        with_references += bool(module.get("references"))
        assert [(r.pmid, r.type) for r in record.references] == [
            (x.get("pmid"), x.get("type")) for x in module.get("references", [])
        ], path.name
        assert [link.url for link in record.links] == [x["url"] for x in module.get("seeAlsoLinks", [])]
    assert with_references == 111


def test_every_xml_record_keeps_its_references_and_links(corpus_dir):
    for path in sorted((corpus_dir / "ctgov-xml").glob("*.xml")):
        root = TrustedET.parse(path).getroot()
        (parsed,) = ctgov_xml.IMPORTER.parse(path.read_text(encoding="utf-8"))
        record = parsed.record
        cited = root.findall("reference") + root.findall("results_reference")
        links = root.findall("link")
        if not cited and not links:
            assert record.references is None and record.links is None, path.name
            continue
        assert sorted(r.pmid or "" for r in record.references) == sorted(x.findtext("PMID") or "" for x in cited)
        assert {r.type for r in record.references} <= {"BACKGROUND", "RESULT"}
        assert len(record.links) == len(links)


def test_a_record_without_them_hashes_as_before(corpus_dir):
    record = ctgov_json.study_to_record(orjson.loads((corpus_dir / "ctgov-v2" / "NCT00000102.json").read_bytes()))
    assert record.references is None and record.links is None and record.results is None
    for name in DETAIL_PARTS:  # read since: a record of an older reading has none
        setattr(record, name, None)
    before = {k: v for k, v in dataclasses.asdict(record).items() if k not in LATER_FIELDS}
    assert content_hash(record) == hashlib.sha256(orjson.dumps(before)).hexdigest()


def test_references_are_stored_and_shown_with_their_pubmed_links(store, corpus_dir):
    path = corpus_dir / "ctgov-v2" / f"{WITH_LINKS}.json"
    assert not import_paths(store, [path]).failed
    parsed = ctgov_json.study_to_record(orjson.loads(path.read_bytes()))
    with store.session() as session:
        stored = reading.current_record(session, WITH_LINKS)
        pdf = make_report(session, "brief", [WITH_LINKS], ReportOptions(reviewer="Dr Alvarez"))
    assert stored.references == parsed.references and stored.links == parsed.links
    shown = present(stored)
    assert shown.references_state is State.GIVEN and len(shown.references) == 5
    first = shown.references[0]
    assert first.url == f"https://pubmed.ncbi.nlm.nih.gov/{parsed.references[0].pmid}/"
    text = squashed(pdf_text(pdf))
    assert "References" in text and f"PubMed {parsed.references[0].pmid}" in text
    assert first.url in link_targets(pdf)  # a link annotation opens the article
    plain = record_text(stored)
    assert first.url in plain and parsed.links[0].url in plain
    api = record_to_api(stored)
    assert api["references"][0]["pmid"] == parsed.references[0].pmid
    assert api["seeAlsoLinks"] == [{"url": link.url, "label": link.label} for link in parsed.links]
    nothing = ctgov_json.study_to_record(orjson.loads((corpus_dir / "ctgov-v2" / "NCT00000102.json").read_bytes()))
    assert present(nothing).references_state is State.NOT_IN_SOURCE and "PubMed" not in record_text(nothing)


def test_the_same_document_imported_again_after_the_importers_read_more_is_no_new_version(store, corpus_dir):
    path = corpus_dir / "ctgov-v2" / "NCT00000102.json"
    assert import_paths(store, [path]).count("added") == 1
    # as an older version of the app stored it: another content hash for the same source
    with store.session() as session:
        session.connection().exec_driver_sql("UPDATE trial_version SET content_hash = 'read-by-an-older-importer'")
        session.commit()
    again = import_paths(store, [path])
    assert again.count("added") == again.count("updated") == 0
