"""The legacy ClinicalTrials.gov XML importer: the whole corpus, four records field by field, the two
studies also held as API v2 JSON, the text-block reflow, and hostile documents."""

from __future__ import annotations

import socket
import sys
import time
import xml.etree.ElementTree as TrustedET
from contextlib import contextmanager
from pathlib import Path

import pytest

from reviewer.core.importers.base import InvalidSource
from reviewer.core.importers.ctgov_json import IMPORTER as JSON_IMPORTER
from reviewer.core.importers.ctgov_xml import IMPORTER, reflow
from reviewer.core.record import Contact, Document
from tests.conftest import FIXTURES_DIR, SAMPLES_DIR

BAD = FIXTURES_DIR / "bad"
LIST_PARTS = (
    "conditions",
    "keywords",
    "arms",
    "interventions",
    "outcomes",
    "collaborators",
    "locations",
    "central_contacts",
    "officials",
)


@pytest.fixture(scope="module")
def xml_dir(corpus_dir) -> Path:
    return corpus_dir / "ctgov-xml"


def corpus_files(xml_dir: Path) -> list[Path]:
    files = sorted(xml_dir.glob("*.xml"))
    assert len(files) == 99, f"expected the 99 legacy records, found {len(files)}"
    return files


def parse_one(text: str):
    parsed = IMPORTER.parse(text)
    assert len(parsed) == 1
    return parsed[0]


def record_of(xml_dir: Path, nct_id: str):
    return parse_one((xml_dir / f"{nct_id}.xml").read_text(encoding="utf-8")).record


def test_importer_identity():
    assert IMPORTER.name == "ctgov-xml"
    assert IMPORTER.label == "ClinicalTrials.gov legacy XML"


# --- The whole corpus -----------------------------------------------------------------------------


def test_every_corpus_record_parses(xml_dir):
    failures = []
    for path in corpus_files(xml_dir):
        text = path.read_text(encoding="utf-8")
        try:
            parsed = parse_one(text)
        except Exception as error:  # noqa: BLE001 - collect every failure, not just the first
            failures.append(f"{path.name}: {type(error).__name__}: {error}")
            continue
        assert parsed.record.registry_id == path.stem
        assert parsed.source_text is text
        assert parsed.source_format == "ctgov-xml"
        assert parsed.record.brief_title
    assert not failures, "\n".join(failures)


def test_part_counts_equal_the_elements_in_the_xml(xml_dir):
    mismatches = []
    for path in corpus_files(xml_dir):
        root = TrustedET.parse(path).getroot()
        record = parse_one(path.read_text(encoding="utf-8")).record
        expected = {
            "arms": len(root.findall("arm_group")),
            "interventions": len(root.findall("intervention")),
            "primary outcomes": len(root.findall("primary_outcome")),
            "secondary outcomes": len(root.findall("secondary_outcome")),
            "conditions": len(root.findall("condition")),
            "locations": len(root.findall("location")),
        }
        found = {
            "arms": len(record.arms or []),
            "interventions": len(record.interventions or []),
            "primary outcomes": len(record.outcomes_of("primary") or []),
            "secondary outcomes": len(record.outcomes_of("secondary") or []),
            "conditions": len(record.conditions or []),
            "locations": len(record.locations or []),
        }
        if found != expected:
            mismatches.append(f"{path.name}: xml {expected} record {found}")
    assert not mismatches, "\n".join(mismatches)


def test_lists_are_empty_not_missing_when_the_record_has_none(xml_dir):
    """Absent <primary_outcome> etc. means "none" in this format, except in a redacted record."""
    for path in corpus_files(xml_dir):
        record = parse_one(path.read_text(encoding="utf-8")).record
        if record.overall_status == "WITHHELD":
            continue
        for part in LIST_PARTS:
            assert getattr(record, part) is not None, f"{path.name}: {part}"


def test_coded_values_are_codes(xml_dir):
    """Every legacy word in the corpus maps to an API v2 code (no raw words left over)."""
    for path in corpus_files(xml_dir):
        record = parse_one(path.read_text(encoding="utf-8")).record
        design = record.design
        codes = [
            record.overall_status,
            record.last_known_status,
            design.study_type,
            design.allocation,
            design.intervention_model,
            design.primary_purpose,
            design.masking,
            design.observational_model,
            design.time_perspective,
            design.enrollment_type,
            record.dates.start_type,
            record.dates.completion_type,
            *design.phases,
            *design.who_masked,
            *(arm.type for arm in record.arms or []),
            *(i.type for i in record.interventions or []),
            *(s.agency_class for s in [record.lead_sponsor, *(record.collaborators or [])] if s),
            *(o.role for o in record.officials or []),
            *(loc.status for loc in record.locations or []),
        ]
        if record.eligibility:
            codes.append(record.eligibility.sex)
        for code in codes:
            assert code is None or code.replace("_", "").isalnum() and code.isupper(), (path.name, code)


# --- Records field by field -----------------------------------------------------------------------


def test_withheld_device_record(xml_dir):
    """NCT03182660: study type N/A, status Withheld, nearly everything redacted."""
    record = record_of(xml_dir, "NCT03182660")
    assert record.overall_status == "WITHHELD"
    assert record.design.study_type is None
    assert record.design.phases == []
    assert record.brief_title == "[Trial of device that is not approved or cleared by the U.S. FDA]"
    assert record.lead_sponsor.name == "[Redacted]"
    assert record.lead_sponsor.agency_class is None
    assert [(i.kind, i.value) for i in record.identifiers] == [
        ("nct", "NCT03182660"),
        ("org_study", "LUM-ABU-AP-17-02"),
    ]
    # the registry withholds these parts: "not in source", not "none"
    for part in ("conditions", "arms", "interventions", "outcomes", "locations", "officials", "documents"):
        assert getattr(record, part) is None, part
    assert record.eligibility is None
    assert record.brief_summary is None
    assert record.dates.first_submitted == "2017-06-01"
    assert record.dates.first_posted == "2017-06-09"
    assert record.dates.last_update_posted == "2017-06-22"
    assert record.version_date == "2017-06-22"
    assert record.has_results is False


def test_expanded_access_approved_for_marketing(xml_dir):
    """NCT00499720: Expanded Access, Approved for marketing, no declaration, nested criteria."""
    record = record_of(xml_dir, "NCT00499720")
    assert record.overall_status == "APPROVED_FOR_MARKETING"
    assert record.design.study_type == "EXPANDED_ACCESS"
    assert record.design.phases == []
    assert record.design.enrollment_count is None
    assert record.official_title.startswith("Expanded Access Program for Aztreonam Lysine")
    assert record.brief_summary == (
        "The primary objective of this program is to provide expanded access to aztreonam lysine for "
        "inhalation (AZLI) 75 mg prior to its commercial availability to patients with cystic fibrosis "
        "(CF) and chronic P. aeruginosa airway infection who have limited treatment options and are at "
        "risk for disease progression."
    )
    assert record.conditions == ["Cystic Fibrosis", "Pseudomonas Aeruginosa Airway Infection"]
    assert record.arms == []
    [intervention] = record.interventions
    assert (intervention.name, intervention.type) == ("Aztreonam Lysine for Inhalation", "DRUG")
    assert intervention.description.startswith("75 mg three times a day")
    assert record.outcomes == []
    assert record.lead_sponsor.name == "Gilead Sciences"
    assert record.lead_sponsor.agency_class == "INDUSTRY"
    eligibility = record.eligibility
    assert (eligibility.sex, eligibility.minimum_age, eligibility.maximum_age) == ("ALL", "6 Years", None)
    assert eligibility.healthy_volunteers is None
    assert eligibility.std_ages == ["CHILD", "ADULT", "OLDER_ADULT"]
    text = eligibility.criteria_text
    assert text.startswith("Inclusion Criteria:\n\nSubjects must meet all of the following")
    assert "\n* ≥ 6 years of age\n* Subject has CF as diagnosed by one of the following:\n\n" in text
    assert (
        "\n  * Documented sweat chloride ≥ 60 mEq/L by quantitative pilocarpine iontophoresis test\n" in text
    )
    assert "\n    * Meets first cohort criteria\n" in text
    assert text.endswith("* Pregnant or lactating females")
    assert "\r" not in text and "  -  " not in text
    assert record.locations[0].facility is None
    assert (record.locations[0].city, record.locations[0].zip) == ("Birmingham", "35233")
    assert record.has_results is False


def test_record_with_results(xml_dir):
    """NCT00490139 (ALTTO): 753 KB with <clinical_results>, an NCT alias, 1,412 sites."""
    record = record_of(xml_dir, "NCT00490139")
    assert record.has_results is True
    assert record.acronym == "ALTTO"
    assert [(i.kind, i.value) for i in record.identifiers] == [
        ("nct", "NCT00490139"),
        ("org_study", "EGF106708"),
        ("secondary", "CLAP016B2301"),
        ("secondary", "2006-000562-36"),
        ("alias", "NCT00609024"),
    ]
    assert record.lead_sponsor.name == "Novartis Pharmaceuticals"
    assert [(s.name, s.agency_class) for s in record.collaborators] == [
        ("North Central Cancer Treatment Group", "OTHER"),
        ("National Cancer Institute (NCI)", "NIH"),
        ("Breast International Group", "OTHER"),
        ("Canadian Cancer Trials Group", "OTHER"),
    ]
    assert record.has_dmc is True
    assert record.overall_status == "COMPLETED"
    dates = record.dates
    assert (dates.start, dates.start_type) == ("2007-05-16", "ACTUAL")
    assert (dates.primary_completion, dates.primary_completion_type) == ("2013-12-06", "ACTUAL")
    assert (dates.completion, dates.completion_type) == ("2021-07-01", "ACTUAL")
    design = record.design
    assert design.phases == ["PHASE3"]
    assert (design.allocation, design.primary_purpose, design.masking) == ("RANDOMIZED", "TREATMENT", "NONE")
    assert design.intervention_model is None
    assert design.who_masked == []
    assert (design.enrollment_count, design.enrollment_type) == (8382, "ACTUAL")
    assert len(record.outcomes_of("primary")) == 1
    assert record.outcomes_of("primary")[0].measure == "Disease-free Survival (DFS)"
    assert [o.measure for o in record.outcomes_of("secondary")][:2] == [
        "Overall Survival (OS)",
        "Time to Recurrence",
    ]
    assert record.outcomes_of("other") == []
    assert [a.label for a in record.arms] == [
        "Arm 1: Trastuzumab",
        "Arm 2: Lapatinib",
        "Arm 3: Trastuzumab followed by Lapatinib",
        "Arm 4: Lapatinib in combination with Trastuzumab",
    ]
    assert record.arms[0].type == "ACTIVE_COMPARATOR"
    assert record.arms[0].intervention_names == ["Biological: Trastuzumab"]
    assert record.arms[3].intervention_names == ["Drug: Lapatinib", "Biological: Trastuzumab"]
    # plain fields keep their real line breaks (CRLF made LF)
    assert record.arms[0].description.startswith("Design 1: Trastuzumab 8mg/kg IV loading dose")
    assert "\nDesign 2: Either paclitaxel" in record.arms[0].description
    assert "\r" not in record.arms[0].description
    lapatinib = record.interventions[0]
    assert (lapatinib.name, lapatinib.type, lapatinib.description) == (
        "Lapatinib",
        "DRUG",
        "Small molecule inhibitor",
    )
    assert lapatinib.arm_labels == [a.label for a in record.arms[1:]]
    assert record.officials == [
        Contact(
            name="Novartis Pharmaceuticals",
            role="STUDY_DIRECTOR",
            affiliation="Novartis Pharmaceuticals",
        )
    ]
    assert len(record.locations) == 1412
    first = record.locations[0]
    assert (first.facility, first.city, first.state, first.zip, first.country) == (
        "Novartis Investigative Site",
        "Mobile",
        "Alabama",
        "36608",
        "United States",
    )
    text = record.eligibility.criteria_text
    assert (
        "\n* Non-metastatic operable primary invasive adenocarcinoma of the breast fulfilling the following:\n\n"
        in text
    )
    assert "\n  1. Histologically confirmed\n  2. Adequately excised" in text
    assert (
        "\n\nFor Design 2B: Randomisation must be performed no longer than 8 weeks from definitive surgery."
        in text
    )
    assert "(> 30% of invasive tumour cells)" in text


def test_contacts_masking_and_a_2018_download(xml_dir):
    """NCT03204344: central and site contacts, who is masked, and no documents in a 2018 download."""
    record = record_of(xml_dir, "NCT03204344")
    design = record.design
    assert (design.masking, design.who_masked) == ("SINGLE", ["OUTCOMES_ASSESSOR"])
    assert (
        design.masking_description
        == "Outcomes assessor who perform postoperative follow-up is masked to group assignment."
    )
    assert design.intervention_model_description.startswith("This is a outcomes assessor-blinded")
    assert (design.enrollment_count, design.enrollment_type) == (60, "ESTIMATED")
    assert design.phases == ["NA"]
    assert (design.primary_purpose, design.allocation, design.intervention_model) == (
        "PREVENTION",
        "RANDOMIZED",
        "PARALLEL",
    )
    dates = record.dates
    assert (dates.start, dates.start_type) == ("2017-08-01", "ACTUAL")
    assert (dates.primary_completion, dates.primary_completion_type) == ("2018-08", "ESTIMATED")
    assert (dates.completion, dates.completion_type) == ("2018-09", "ESTIMATED")
    assert (dates.first_submitted, dates.first_posted) == ("2017-06-26", "2017-07-02")
    assert (dates.last_update_posted, dates.status_verified) == ("2017-09-19", "2017-09")
    assert record.central_contacts == [
        Contact(
            name="Dong-Xin Wang, MD, PhD",
            role="CONTACT",
            phone="8610 83572784",
            email="wangdongxin@hotmail.com",
        ),
        Contact(name="Xue Li, MD", role="CONTACT", phone="8610 83572460", email="3999165@163.com"),
    ]
    [site] = record.locations
    assert (site.facility, site.city, site.zip, site.country, site.status) == (
        "Peking University First Hospital",
        "Beijing",
        "100034",
        "China",
        "RECRUITING",
    )
    assert [(c.name, c.role) for c in site.contacts] == [
        ("Dong-Xin Wang, MD, PhD", "CONTACT"),
        ("Xue Li, MD", "CONTACT"),
        ("Xue Li, MD", "PRINCIPAL_INVESTIGATOR"),
    ]
    assert record.arms[0].intervention_names == ["Dietary Supplement: Oral carbohydrate (Outfast)"]
    assert record.arms[1].type == "SHAM_COMPARATOR"
    assert record.keywords[0] == "Gastrointestinal surgery"
    # the schema gained <provided_document_section> in 2019: a 2018 download cannot say "none"
    assert record.documents is None


def test_provided_documents(xml_dir):
    record = record_of(xml_dir, "NCT00004635")
    assert record.documents == [
        Document(
            label="Study Protocol",
            type_abbrev="Prot",
            has_protocol=True,
            has_sap=False,
            has_icf=False,
            filename="Prot_000.pdf",
            date="2009-05-20",
            url="https://ClinicalTrials.gov/ProvidedDocs/35/NCT00004635/Prot_000.pdf",
        ),
        Document(
            label="Informed Consent Form",
            type_abbrev="ICF",
            has_protocol=False,
            has_sap=False,
            has_icf=True,
            filename="ICF_001.pdf",
            date="2005-04-28",
            url="https://ClinicalTrials.gov/ProvidedDocs/35/NCT00004635/ICF_001.pdf",
        ),
    ]
    assert record_of(xml_dir, "NCT00003270").documents[0].type_abbrev == "Prot_SAP"


def test_unknown_status_keeps_the_last_known_one(xml_dir):
    unknown = []
    for path in corpus_files(xml_dir):
        record = parse_one(path.read_text(encoding="utf-8")).record
        if record.overall_status == "UNKNOWN":
            unknown.append(record)
    assert len(unknown) == 5
    assert {r.last_known_status for r in unknown} <= {
        "ACTIVE_NOT_RECRUITING",
        "ENROLLING_BY_INVITATION",
        "RECRUITING",
    }
    assert all(r.last_known_status for r in unknown)


def test_us_fed_collaborators_are_fed(xml_dir):
    classes = set()
    for path in corpus_files(xml_dir):
        if "<agency_class>U.S. Fed</agency_class>" in path.read_text(encoding="utf-8"):
            record = parse_one(path.read_text(encoding="utf-8")).record
            classes |= {s.agency_class for s in record.collaborators}
    assert "FED" in classes
    assert "U.S. Fed" not in classes


def test_criteria_are_parsed_into_items(xml_dir):
    eligibility = record_of(xml_dir, "NCT00000102").eligibility
    assert [c.text for c in eligibility.inclusion] == [
        "diagnosed with Congenital Adrenal Hyperplasia (CAH)",
        "normal ECG during baseline evaluation",
    ]
    assert [c.text for c in eligibility.exclusion] == [
        "history of liver disease, or elevated liver function tests",
        "history of cardiovascular disease",
    ]


# --- The same studies as API v2 JSON ---------------------------------------------------------------


@pytest.mark.parametrize("nct_id", ["NCT02513394", "NCT00000102"])
def test_agrees_with_the_v2_json(corpus_dir, nct_id):
    """The two corpus studies held in both formats agree wherever both versions hold the same data."""
    xml = record_of(corpus_dir / "ctgov-xml", nct_id)
    json_text = (corpus_dir / "ctgov-v2" / f"{nct_id}.json").read_text(encoding="utf-8")
    v2 = JSON_IMPORTER.parse(json_text)[0].record
    assert xml.registry_id == v2.registry_id == nct_id
    assert [(i.kind, i.value) for i in xml.identifiers] == [(i.kind, i.value) for i in v2.identifiers]
    for field in (
        "brief_title",
        "official_title",
        "acronym",
        "overall_status",
        "brief_summary",
        "detailed_description",
    ):
        assert getattr(xml, field) == getattr(v2, field), field
    assert xml.conditions == v2.conditions
    assert xml.design.phases == v2.design.phases
    for field in (
        "study_type",
        "allocation",
        "intervention_model",
        "primary_purpose",
        "masking",
        "enrollment_count",
    ):
        assert getattr(xml.design, field) == getattr(v2.design, field), field
    assert len(xml.arms or []) == len(v2.arms or [])
    assert [(a.label, a.type, a.intervention_names) for a in xml.arms] == [
        (a.label, a.type, a.intervention_names) for a in v2.arms or []
    ]
    assert [(i.name, i.type, i.arm_labels) for i in xml.interventions] == [
        (i.name, i.type, i.arm_labels) for i in v2.interventions
    ]
    assert len(xml.outcomes_of("primary")) == len(v2.outcomes_of("primary") or [])
    assert (xml.lead_sponsor.name, xml.lead_sponsor.agency_class) == (
        v2.lead_sponsor.name,
        v2.lead_sponsor.agency_class,
    )
    assert [s.name for s in xml.collaborators] == [s.name for s in v2.collaborators or []]
    assert xml.dates.start == v2.dates.start
    assert xml.dates.first_submitted == v2.dates.first_submitted
    assert xml.dates.first_posted == v2.dates.first_posted
    # the registry's own legacy-to-v2 conversion of the text blocks is reproduced exactly
    for field in ("criteria_text", "sex", "minimum_age", "maximum_age", "healthy_volunteers", "std_ages"):
        assert getattr(xml.eligibility, field) == getattr(v2.eligibility, field), field
    assert [c.text for c in xml.eligibility.inclusion] == [c.text for c in v2.eligibility.inclusion]
    assert [c.text for c in xml.eligibility.exclusion] == [c.text for c in v2.eligibility.exclusion]


def test_versions_that_differ_in_date_are_told_apart(corpus_dir):
    """NCT02513394's XML (2020) predates its results and later outcome edits held in the v2 JSON (2023)."""
    xml = record_of(corpus_dir / "ctgov-xml", "NCT02513394")
    assert xml.version_date == "2020-03-09"
    assert xml.has_results is False
    assert len(xml.outcomes_of("secondary")) == 1
    assert len(xml.locations) == 233


# --- Text blocks and dates --------------------------------------------------------------------------


def test_reflow_joins_wrapped_lines_and_keeps_paragraphs():
    block = (
        "\r\n      First paragraph wrapped\r\n      over two lines.\r\n\r\n      Second paragraph.\r\n    "
    )
    assert reflow(block) == "First paragraph wrapped over two lines.\n\nSecond paragraph."


def test_reflow_turns_legacy_lists_into_markdown_items():
    block = """
        Inclusion Criteria:

          -  first item wrapped
             onto a second line

               1. nested numbered

               2. second nested item that
                  wraps

          -  second item

         10. right-aligned number

        A closing paragraph.
    """
    assert reflow(block) == (
        "Inclusion Criteria:\n\n"
        "* first item wrapped onto a second line\n\n"
        "  1. nested numbered\n"
        "  2. second nested item that wraps\n"
        "* second item\n"
        "10. right-aligned number\n\n"
        "A closing paragraph."
    )


def test_reflow_of_nothing():
    assert reflow(None) is None
    assert reflow("  \n \n") is None


@pytest.mark.parametrize(
    "legacy, iso",
    [
        ("March 2019", "2019-03"),
        ("March 5, 2019", "2019-03-05"),
        ("December 31, 1999", "1999-12-31"),
        ("Sept 2001", "Sept 2001"),  # no known form: kept as written
        ("Unknown", None),
    ],
)
def test_dates_become_registry_form(legacy, iso):
    text = f"<clinical_study><id_info><nct_id>NCT09999970</nct_id></id_info><start_date>{legacy}</start_date></clinical_study>"
    assert parse_one(text).record.dates.start == iso


def test_minimal_record_with_bom_declaration_and_crlf():
    text = (
        '\ufeff<?xml version="1.0" encoding="ISO-8859-1"?>\r\n'
        "<clinical_study>\r\n  <id_info><nct_id>NCT09999971</nct_id></id_info>\r\n"
        "  <brief_title>Café au lait</brief_title>\r\n  <study_type>Observational [Patient Registry]</study_type>\r\n"
        "  <phase>N/A</phase>\r\n  <eligibility><gender>Both</gender><minimum_age>N/A</minimum_age>"
        "<maximum_age>17 Years</maximum_age><healthy_volunteers>Accepts Healthy Volunteers</healthy_volunteers>"
        "</eligibility>\r\n</clinical_study>\r\n"
    )
    parsed = parse_one(text)
    record = parsed.record
    assert parsed.source_text == text
    assert record.brief_title == "Café au lait"
    assert record.design.study_type == "OBSERVATIONAL"
    assert record.design.phases == ["NA"]
    assert (record.eligibility.sex, record.eligibility.minimum_age) == ("ALL", None)
    assert record.eligibility.healthy_volunteers is True
    assert record.eligibility.std_ages == ["CHILD"]
    assert record.eligibility.criteria_text is None
    assert (record.arms, record.outcomes, record.locations, record.documents) == ([], [], [], [])
    assert record.has_results is False
    assert record.has_dmc is None


# --- Sniffing -------------------------------------------------------------------------------------


def test_sniff_is_high_for_every_corpus_file(xml_dir):
    for path in corpus_files(xml_dir):
        assert IMPORTER.sniff(path.read_text(encoding="utf-8")[:8192]) >= 0.9, path.name


def test_sniff_sees_past_bom_comments_and_doctype():
    assert IMPORTER.sniff('\ufeff<?xml version="1.0"?>\n<!-- note -->\n<clinical_study rank="1">') >= 0.9
    assert IMPORTER.sniff((BAD / "xml_billion_laughs.xml").read_text()[:8192]) >= 0.9


@pytest.mark.parametrize(
    "head",
    [
        '{"protocolSection": {"identificationModule": {"nctId": "NCT00000102"}}}',
        "Inclusion Criteria:\n\n* adults",
        '<?xml version="1.0"?><search_results/>',
        "<html><body><clinical_study></clinical_study></body></html>",
        "",
    ],
)
def test_sniff_is_zero_for_other_text(head):
    assert IMPORTER.sniff(head) == 0.0


def test_sniff_cannot_be_made_to_backtrack():
    started = time.perf_counter()
    for head in ("<!DOCTYPE x [" + "[]" * 4000, "<!DOCTYPE x [" + "][" * 4000 + ">", "<!--" * 2000):
        assert IMPORTER.sniff(head) == 0.0
    assert time.perf_counter() - started < 1.0


def test_sniff_is_zero_for_v2_json_and_samples(corpus_dir):
    assert (
        IMPORTER.sniff((corpus_dir / "ctgov-v2" / "NCT00000102.json").read_text(encoding="utf-8")[:8192])
        == 0.0
    )
    for sample in sorted(SAMPLES_DIR.glob("*.txt")):
        assert IMPORTER.sniff(sample.read_text(encoding="utf-8")[:8192]) == 0.0, sample.name


# --- Hostile and broken input -----------------------------------------------------------------------

_io_seen: list[tuple[str, object]] | None = None  # a list only while watch_io() is open


def _audit(event: str, args: tuple) -> None:
    if _io_seen is None:
        return
    is_network = event.startswith(("socket.", "urllib."))
    is_data_file = event == "open" and not str(args[0]).endswith((".py", ".pyc", ".so"))
    if is_network or is_data_file:
        _io_seen.append((event, args))


sys.addaudithook(_audit)  # cannot be removed; inert outside watch_io()


@contextmanager
def watch_io():
    """Collect every file opened and socket used inside the block (Python audit events)."""
    global _io_seen
    _io_seen = []
    try:
        yield _io_seen
    finally:
        _io_seen = None


def refuse_without_io(text: str) -> str:
    """Parse ``text`` expecting InvalidSource; fail if any file or socket was touched meanwhile."""
    IMPORTER.parse("<clinical_study><id_info><nct_id>NCT09999979</nct_id></id_info></clinical_study>")
    with watch_io() as touched, pytest.raises(InvalidSource) as caught:
        IMPORTER.parse(text)
    assert touched == [], f"the parser touched files or the network: {touched}"
    reason = str(caught.value)
    assert reason and "\n" not in reason
    return reason


def test_the_io_watch_sees_files_and_sockets(tmp_path):
    (tmp_path / "f.txt").write_text("x")
    with watch_io() as touched:
        (tmp_path / "f.txt").read_text()
        socket.socket().close()
    assert [event for event, _ in touched][:2] == ["open", "socket.__new__"]


@pytest.mark.parametrize(
    "name, reason",
    [
        ("xml_external_entity.xml", "XML entity declarations are refused"),
        ("xml_billion_laughs.xml", "XML entity declarations are refused (possible entity-expansion"),
        ("xml_parameter_entity.xml", "XML entity declarations are refused"),
        ("xml_external_dtd.xml", "external DTD is refused"),
        ("xml_wrong_root.xml", "XML root is <search_results>, not <clinical_study>"),
        ("xml_truncated.xml", "truncated XML"),
        ("xml_no_nct_id.xml", "record has no NCT id"),
        ("hostile_external_entity.xml", "refused"),
        ("hostile_entity_expansion.xml", "refused"),
    ],
)
def test_bad_fixture_refused_with_reason(name, reason):
    assert reason in refuse_without_io((BAD / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "text, reason",
    [
        ("", "document is empty"),
        ("this is plain prose, not XML", "not XML"),
        (
            "<clinical_study><id_info><nct_id>NCT1</nct_id></clinical_study>",
            "invalid XML: mismatched tag (line 1)",
        ),
        (
            "<clinical_study>\n<a>x</a>\n<b>&nope;</b></clinical_study>",
            "invalid XML: undefined entity (line 3)",
        ),
        ("<clinical_study><brief_title>x</brief_title>", "truncated XML"),
        ("<!DOCTYPE clinical_study><clinical_study/>", "document type declarations (DTD) are refused"),
        ("<clinical_study>\ud800</clinical_study>", "unpaired surrogates"),
        ("<clinical_study><id_info><nct_id> </nct_id></id_info></clinical_study>", "record has no NCT id"),
    ],
)
def test_broken_text_refused_with_reason(text, reason):
    assert reason in refuse_without_io(text)


def test_external_entity_target_is_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    text = (
        f'<?xml version="1.0"?>\n<!DOCTYPE clinical_study [<!ENTITY x SYSTEM "{secret.as_uri()}">]>\n'
        "<clinical_study><id_info><nct_id>NCT09999978</nct_id></id_info><brief_title>&x;</brief_title></clinical_study>"
    )
    reason = refuse_without_io(text)
    assert "TOP-SECRET" not in reason
