"""The ClinicalTrials.Veeva saved-page importer: the user's two sample pages field by field, variant
pages (observational, recruiting with two phases, CRLF, unknown labels), small one-label pages for
each value shape, and broken input (no identifier, truncated, empty)."""

from __future__ import annotations

import json
import random

import pytest

from reviewer.core.importers import detect
from reviewer.core.importers.base import InvalidSource
from reviewer.core.importers.veeva_page import IMPORTER, VeevaPageImporter
from reviewer.core.record import Contact, Identifier
from tests.conftest import FIXTURES_DIR, SEED_IGNITE_MSC, SEED_VEEVA_FMT, SEED_VEEVA_NOVAFERON

VEEVA = FIXTURES_DIR / "veeva"
FOOTER = "Data sourced from clinicaltrials.gov\n\nClinical trials\n\nFind clinical trialsTrials by location\n© Copyright 2026 Veeva Systems\n"


def read(path) -> str:
    return path.read_text(encoding="utf-8")


def parse_one(text: str):
    parsed = IMPORTER.parse(text)
    assert len(parsed) == 1
    return parsed[0].record


def minimal_page(body: str, identifiers: str = "NCT09990001") -> str:
    """A small Veeva page: header, identifiers, then ``body`` (label and value paragraphs)."""
    return (
        "ClinicalTrials.Veeva\n\nMenu\n\nA Minimal Trial\n\nS\n\nSome Sponsor\n\n"
        f"Identifiers\n\n{identifiers}\n\n{body}\n\n{FOOTER}"
    )


@pytest.fixture(scope="module")
def fmt():
    return parse_one(read(SEED_VEEVA_FMT))


@pytest.fixture(scope="module")
def novaferon():
    return parse_one(read(SEED_VEEVA_NOVAFERON))


@pytest.fixture(scope="module")
def observational():
    return parse_one(read(VEEVA / "observational.txt"))


@pytest.fixture(scope="module")
def two_phases():
    return parse_one(read(VEEVA / "recruiting_two_phases.txt"))


# ---- identity and sniffing -------------------------------------------------------------------------


def test_importer_identity():
    assert isinstance(IMPORTER, VeevaPageImporter)
    assert IMPORTER.name == "veeva-page"
    assert IMPORTER.label == "ClinicalTrials.Veeva page (saved text)"


@pytest.mark.parametrize("path", [SEED_VEEVA_FMT, SEED_VEEVA_NOVAFERON, VEEVA / "observational.txt"])
def test_sniff_recognises_pages_by_content(path):
    text = read(path)
    assert IMPORTER.sniff(text[:8192]) >= 0.9
    assert IMPORTER.sniff(text.replace("\n", "\r\n")[:8192]) >= 0.9
    assert IMPORTER.sniff("\ufeff" + text[:8192]) >= 0.9
    assert detect(text) is IMPORTER


@pytest.mark.parametrize(
    "head",
    [
        "",
        "   \n\n",
        json.dumps({"protocolSection": {"identificationModule": {"nctId": "NCT06924645"}}}),
        '<?xml version="1.0"?>\n<clinical_study><id_info><nct_id>NCT00000001</nct_id></id_info></clinical_study>',
        "Some notes about ClinicalTrials.Veeva and its Trial design pages.\n\nIdentifiers\n\nNCT06924645",
        "Status\n\nRecruiting\n\nIdentifiers\n\nNCT06924645\n\nTrial design",
    ],
)
def test_sniff_refuses_other_documents(head):
    assert IMPORTER.sniff(head) == 0.0


def test_sniff_refuses_the_ignite_page():
    assert IMPORTER.sniff(read(SEED_IGNITE_MSC)[:8192]) == 0.0


def test_sniff_accepts_a_page_with_a_line_above_the_brand():
    text = "Study page\n\n" + read(SEED_VEEVA_FMT)
    assert 0.5 < IMPORTER.sniff(text[:8192]) < 0.95
    assert detect(text) is IMPORTER
    assert parse_one(text).to_dict() == parse_one(read(SEED_VEEVA_FMT)).to_dict()


def test_sniff_is_unsure_of_a_bare_brand_line():
    assert 0 < IMPORTER.sniff("ClinicalTrials.Veeva\n\nMenu\n\nSome title\n") < 0.9


# ---- sample 000: NCT06924645, FMT for neuroendocrine neoplasms ------------------------------------


def test_fmt_source_kept_as_given():
    text = read(SEED_VEEVA_FMT)
    parsed = IMPORTER.parse(text)[0]
    assert parsed.source_text == text
    assert parsed.source_format == "veeva-page"


def test_fmt_header(fmt):
    assert fmt.registry_id == "NCT06924645"
    assert fmt.brief_title == (
        "Fecal Microbiota Transplantation for Preventing Gastrointestinal Symptoms in Extrapulmonary "
        "Neuroendocrine Neoplasms: A Real-World Study (FMT-NENs)"
    )
    assert fmt.official_title is None
    assert (fmt.lead_sponsor.name, fmt.lead_sponsor.agency_class) == ("Zhejiang University", "OTHER")
    assert fmt.overall_status == "NOT_YET_RECRUITING"
    assert fmt.design.phases == []
    assert fmt.conditions == [
        "Extrapulmonary Neuroendocrine Neoplasms",
        "Treatment-related Gastrointestinal Toxicity (Including Diarrhea, Constipation, Nausea, and Vomiting)",
    ]
    assert fmt.design.study_type == "INTERVENTIONAL"
    assert fmt.identifiers == [
        Identifier(value="NCT06924645", kind="nct"),
        Identifier(value="2025-0198", kind="org_study"),
    ]


def test_fmt_interventions_and_arms(fmt):
    assert [(i.type, i.name, i.arm_labels) for i in fmt.interventions] == [
        ("PROCEDURE", "Fecal Microbiota Transplant (FMT)", ["Fecal microbiota transplantation"]),
        ("OTHER", "Standard Therapy", ["Control"]),
    ]
    fmt_arm, control = fmt.arms
    assert (fmt_arm.label, fmt_arm.type) == ("Fecal microbiota transplantation", "EXPERIMENTAL")
    assert fmt_arm.description == (
        "Fecal Microbiota Transplantation (FMT) is delivered as a single dose of oral microbiota capsules "
        "within 72 hours before starting standard therapy."
    )
    assert fmt_arm.intervention_names == ["Procedure: Fecal Microbiota Transplant (FMT)"]
    assert (control.label, control.type, control.description) == (
        "Control",
        "ACTIVE_COMPARATOR",
        "Standard Therapy Alone",
    )
    assert control.intervention_names == ["Other: Standard Therapy"]


def test_fmt_summary_keeps_its_paragraphs_and_no_description(fmt):
    assert fmt.brief_summary.startswith("Existing studies have demonstrated that patients")
    assert fmt.brief_summary.endswith(
        "\n\nThis study aims to evaluate the improvement of treatment-related gastrointestinal symptoms "
        "and safety profile of FMT in extrapulmonary neuroendocrine tumor patients."
    )
    assert fmt.brief_summary.count("\n\n") == 1
    assert fmt.detailed_description is None


def test_fmt_design(fmt):
    design = fmt.design
    assert (design.enrollment_count, design.enrollment_type) == (40, "ESTIMATED")
    assert design.primary_purpose == "SUPPORTIVE_CARE"
    assert design.allocation == "RANDOMIZED"
    assert design.intervention_model == "PARALLEL"
    assert design.masking == "NONE"
    assert design.who_masked == []
    assert (design.observational_model, design.time_perspective) == (None, None)


def test_fmt_eligibility(fmt):
    eligibility = fmt.eligibility
    assert eligibility.sex == "ALL"
    assert (eligibility.minimum_age, eligibility.maximum_age) == ("18 Years", None)
    assert eligibility.healthy_volunteers is False
    assert len(eligibility.inclusion) == 9
    assert len(eligibility.exclusion) == 8
    assert eligibility.other == []
    assert eligibility.inclusion[0].text == "Age ≥18 years, regardless of gender;"
    assert (
        eligibility.exclusion[-1].text
        == "Other conditions deemed unsuitable for enrollment by the investigator."
    )
    assert eligibility.criteria_text.startswith(
        "Inclusion Criteria:\n\n1. Age ≥18 years, regardless of gender;\n2. "
    )
    assert "\n\nExclusion Criteria:\n\n1. Patients with major organ dysfunction" in eligibility.criteria_text


def test_fmt_parts_not_on_the_page_are_none(fmt):
    assert fmt.outcomes is None
    assert fmt.officials is None
    assert fmt.documents is None
    assert fmt.has_dmc is None
    assert fmt.locations is None  # "1" site, "Loading...": the sites were not saved
    assert fmt.central_contacts is None
    assert fmt.keywords is None
    assert fmt.collaborators is None


def test_fmt_page_chrome_is_never_data(fmt):
    everything = json.dumps(fmt.to_dict(), ensure_ascii=False)
    for chrome in (
        "Loading...",
        "Data sourced",
        "Copyright",
        "Find clinical trials",
        "Menu",
        "logo",
        "Veeva",
    ):
        assert chrome not in everything


# ---- sample 002: NCT02455596, Novaferon for advanced neuroendocrine tumours ------------------------


def test_novaferon_header(novaferon):
    assert novaferon.registry_id == "NCT02455596"
    assert novaferon.brief_title == (
        "Recombinant Anti-tumor and Anti-virus Protein for Injection to Treat Advanced Neuroendocrine Tumors"
    )
    assert (
        novaferon.lead_sponsor.name
        == "The Affiliated Hospital of the Chinese Academy of Military Medical Sciences"
    )
    assert novaferon.lead_sponsor.agency_class == "OTHER"
    assert novaferon.overall_status == "UNKNOWN"
    assert novaferon.design.phases == ["PHASE2"]
    assert novaferon.conditions == ["Neuroendocrine Tumors"]
    assert novaferon.identifiers == [
        Identifier(value="NCT02455596", kind="nct"),
        Identifier(value="JH-NETs-001", kind="org_study"),
    ]


def test_novaferon_design(novaferon):
    design = novaferon.design
    assert design.study_type == "INTERVENTIONAL"
    assert (design.enrollment_count, design.enrollment_type) == (20, "ESTIMATED")
    assert design.primary_purpose == "TREATMENT"
    assert design.allocation == "NA"
    assert design.intervention_model == "SINGLE_GROUP"
    assert design.masking == "NONE"


def test_novaferon_arm_and_intervention(novaferon):
    name = "Recombinant anti-tumor and anti-virus protein for injection (Novaferon)"
    assert [(i.type, i.name, i.arm_labels) for i in novaferon.interventions] == [
        ("DRUG", name, ["Experimental"])
    ]
    (arm,) = novaferon.arms
    assert (arm.label, arm.type) == ("Experimental", "EXPERIMENTAL")
    assert arm.description == (
        "Recombinant anti-tumor and anti-virus protein for injection(Novaferon), three times per week."
    )
    assert arm.intervention_names == [f"Drug: {name}"]


def test_novaferon_full_description_kept_whole(novaferon):
    description = novaferon.detailed_description
    first, second = description.split("\n\n")
    assert first.startswith("This is a Phase Ⅱ exploratory clinical study.")
    assert second.startswith("Recombinant anti-tumor and anti-virus protein for injection, 10μg,im,3 times")
    assert second.endswith("but only survival follow-up datas will be recorded.")
    assert novaferon.brief_summary.startswith("The purpose of this study is to evaluate the efficacy")
    assert "\n" not in novaferon.brief_summary


def test_novaferon_eligibility(novaferon):
    eligibility = novaferon.eligibility
    assert (eligibility.sex, eligibility.minimum_age, eligibility.maximum_age) == ("ALL", "18 Years", None)
    assert eligibility.healthy_volunteers is False
    assert len(eligibility.inclusion) == 8
    assert len(eligibility.exclusion) == 6
    assert eligibility.inclusion[5].text == "ECOG performance status 0, 1 or 2."
    assert eligibility.inclusion[2].text.endswith("Ki67 index of > 20% and well-differentiated.")
    assert "≤ 10/10 High Power Field [HPF])" in eligibility.inclusion[2].text
    assert (
        eligibility.exclusion[4].text
        == "Patient who were allergic to Interferon-α or who had interferon-α antibody."
    )
    assert eligibility.criteria_text.startswith(
        "Inclusion Criteria:\n\n* Have been fully aware of the study and voluntarily signed the informed consent.\n"
    )
    assert "•" not in eligibility.criteria_text


def test_novaferon_contacts_and_absent_parts(novaferon):
    assert novaferon.central_contacts == [Contact(name="Xu Jianming, M.D.", role="CONTACT")]
    assert novaferon.outcomes is None
    assert novaferon.locations is None
    assert novaferon.officials is None
    assert novaferon.documents is None
    assert novaferon.has_dmc is None


# ---- variant pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [SEED_VEEVA_FMT, SEED_VEEVA_NOVAFERON, VEEVA / "recruiting_two_phases.txt"])
def test_crlf_and_bom_give_the_same_record(path):
    text = read(path)
    expected = parse_one(text).to_dict()
    assert parse_one(text.replace("\n", "\r\n")).to_dict() == expected
    assert parse_one("\ufeff" + text).to_dict() == expected
    crlf = text.replace("\n", "\r\n")
    assert IMPORTER.parse(crlf)[0].source_text == crlf


def test_observational_page(observational):
    r = observational
    assert r.registry_id == "NCT09990101"
    assert r.brief_title == "Gut Microbiome and Growth in Children After Cardiac Surgery (GROW-HEART)"
    assert r.lead_sponsor.name == "Children's Heart Research Foundation"  # after a one-letter placeholder
    assert r.overall_status == "RECRUITING"
    assert r.design.phases == []
    assert r.design.study_type == "OBSERVATIONAL"
    assert (r.design.observational_model, r.design.time_perspective) == ("COHORT", "PROSPECTIVE")
    assert (r.design.allocation, r.design.intervention_model, r.design.masking) == (None, None, None)
    assert (r.design.enrollment_count, r.design.enrollment_type) == (1250, "ACTUAL")
    assert r.interventions is None  # no "Treatments" label on the page
    assert [i.kind for i in r.identifiers] == ["nct", "org_study", "secondary"]
    assert [i.value for i in r.identifiers] == ["NCT09990101", "CHRF-2024-07", "R01HD123456"]


def test_observational_eligibility(observational):
    eligibility = observational.eligibility
    assert eligibility.sex == "FEMALE"
    assert (eligibility.minimum_age, eligibility.maximum_age) == ("6 Months", "17 Years")
    assert eligibility.healthy_volunteers is True
    assert [c.text for c in eligibility.inclusion] == [
        "Children undergoing cardiac surgery with cardiopulmonary bypass",
        "Parent or guardian able to give consent",
    ]
    assert [c.text for c in eligibility.inclusion[1].children] == ["assent from children aged ≥7 years"]
    assert [c.text for c in eligibility.exclusion] == [
        "Antibiotic use within 14 days before surgery",
        "Known immunodeficiency",
    ]


def test_observational_groups_without_type_lines(observational):
    cohort, siblings = observational.arms
    assert (cohort.label, cohort.type, cohort.intervention_names) == ("Surgical cohort", None, [])
    assert cohort.description == (
        "Children who have cardiac surgery with bypass.\nStool is collected before and after surgery."
    )
    assert (siblings.label, siblings.description) == (
        "Healthy siblings",
        "Siblings without heart disease, sampled once.",
    )


def test_unknown_label_is_not_glued_into_the_summary(observational):
    assert observational.brief_summary == (
        "This prospective cohort follows children after cardiac surgery to describe how the gut microbiome "
        "changes.\n\nStool samples are taken at ≥3 time points; weight gain (g/kg/day) is the main measure."
    )
    everything = json.dumps(observational.to_dict(), ensure_ascii=False)
    assert "Trial timing" not in everything and "Started March 2024" not in everything


def test_central_contacts_with_phone_and_email(observational):
    assert observational.central_contacts == [
        Contact(
            name="Maria Lopez, RN", role="CONTACT", phone="+1 555 010 2030", email="maria.lopez@example.org"
        ),
        Contact(name="Tom Becker", role="CONTACT"),
    ]


def test_recruiting_page_with_two_phases(two_phases):
    r = two_phases
    assert r.overall_status == "RECRUITING"
    assert r.design.phases == ["PHASE2", "PHASE3"]
    assert (r.design.masking, r.design.who_masked) == ("DOUBLE", ["PARTICIPANT", "INVESTIGATOR"])
    assert (r.design.allocation, r.design.intervention_model) == ("RANDOMIZED", "PARALLEL")
    assert (r.design.enrollment_count, r.design.enrollment_type) == (300, "ESTIMATED")
    assert (r.eligibility.minimum_age, r.eligibility.maximum_age) == ("18 Years", "75 Years")
    assert r.eligibility.healthy_volunteers is True
    assert (len(r.eligibility.inclusion), len(r.eligibility.exclusion)) == (2, 1)
    # two funder types: which one is the lead sponsor's the page does not say
    assert (r.lead_sponsor.name, r.lead_sponsor.agency_class) == ("Acme Pharma", None)
    assert [i.kind for i in r.identifiers] == ["nct", "org_study", "secondary"]


def test_recruiting_arms_link_their_interventions(two_phases):
    arms = two_phases.arms
    assert [(a.label, a.type) for a in arms] == [
        ("experimental group", "EXPERIMENTAL"),  # a label that itself ends in "group"
        ("Placebo group", "PLACEBO_COMPARATOR"),
        ("Observation", "NO_INTERVENTION"),
    ]
    assert arms[0].intervention_names == [
        "Drug: Drug X",
        "Biological: Anti-IL5 antibody (mepolizumab): 100 mg",
    ]
    assert arms[0].description == "Drug X 10 μg twice daily, with the anti-IL5 antibody."
    assert (arms[2].description, arms[2].intervention_names) == ("Usual care only.", [])
    assert [(i.type, i.name, i.arm_labels) for i in two_phases.interventions] == [
        ("DRUG", "Drug X", ["experimental group"]),
        ("DRUG", "Placebo", ["Placebo group"]),
        ("BIOLOGICAL", "Anti-IL5 antibody (mepolizumab): 100 mg", ["experimental group"]),
    ]


def test_description_sub_headings_are_kept(two_phases):
    assert two_phases.detailed_description == (
        "Background\n\nAsthma affects many adults. This phase 2/3 study tests whether Drug X reduces "
        "exacerbations compared with placebo.\n\nDesign\n\nParticipants are randomized 1:1:1. "
        "Dose: 10 μg inhaled twice daily."
    )


# ---- one label at a time ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("Not yet enrolling", "NOT_YET_RECRUITING"),
        ("Unknown", "UNKNOWN"),
        ("Recruiting", "RECRUITING"),
        ("Enrolling", "RECRUITING"),
        ("Completed", "COMPLETED"),
        ("Active, not recruiting", "ACTIVE_NOT_RECRUITING"),
        ("Enrolling by invitation", "ENROLLING_BY_INVITATION"),
        ("Terminated", "TERMINATED"),
        ("Withdrawn", "WITHDRAWN"),
        ("Suspended", "SUSPENDED"),
    ],
)
def test_status_words(value, status):
    assert parse_one(minimal_page(f"Status\n\n{value}")).overall_status == status


@pytest.mark.parametrize(
    ("lines", "phases"),
    [
        ("Phase 2", ["PHASE2"]),
        ("Phase 1/2", ["PHASE1", "PHASE2"]),
        ("Phase 2\nPhase 3", ["PHASE2", "PHASE3"]),
        ("Early Phase 1", ["EARLY_PHASE1"]),
        ("Phase 4", ["PHASE4"]),
    ],
)
def test_phase_lines(lines, phases):
    record = parse_one(minimal_page(f"Status and phase\n\nRecruiting\n{lines}"))
    assert (record.overall_status, record.design.phases) == ("RECRUITING", phases)


@pytest.mark.parametrize(
    ("value", "ages"),
    [
        ("18+ years old", ("18 Years", None)),
        ("18 to 75 years old", ("18 Years", "75 Years")),
        ("6 months to 17 years old", ("6 Months", "17 Years")),
        ("Under 18 years old", (None, "18 Years")),
        ("Up to 1 year old", (None, "1 Year")),
        ("3+ months old", ("3 Months", None)),
        ("65 years and older", ("65 Years", None)),
        ("All ages", (None, None)),
    ],
)
def test_ages(value, ages):
    eligibility = parse_one(minimal_page(f"Ages\n\n{value}")).eligibility
    assert (eligibility.minimum_age, eligibility.maximum_age) == ages


@pytest.mark.parametrize(
    ("value", "accepts"),
    [("No Healthy Volunteers", False), ("Accepts Healthy Volunteers", True), ("Unclear", None)],
)
def test_volunteers(value, accepts):
    assert parse_one(minimal_page(f"Volunteers\n\n{value}")).eligibility.healthy_volunteers is accepts


@pytest.mark.parametrize(
    ("value", "masking"),
    [
        ("None (Open label)", "NONE"),
        ("Single Blind", "SINGLE"),
        ("Double Blind", "DOUBLE"),
        ("Triple Blind", "TRIPLE"),
        ("Quadruple Blind", "QUADRUPLE"),
    ],
)
def test_masking(value, masking):
    assert parse_one(minimal_page(f"Trial design\n\nMasking\n\n{value}")).design.masking == masking


@pytest.mark.parametrize(
    ("value", "agency_class"),
    [("Other", "OTHER"), ("Industry", "INDUSTRY"), ("NIH", "NIH"), ("Other U.S. Federal agency", "FED")],
)
def test_funder_types(value, agency_class):
    record = parse_one(minimal_page(f"Funder types\n\n{value}"))
    assert (record.lead_sponsor.name, record.lead_sponsor.agency_class) == ("Some Sponsor", agency_class)


def test_enrollment_actual_with_thousands():
    design = parse_one(minimal_page("Enrollment\n\n1,024 actual patients")).design
    assert (design.enrollment_count, design.enrollment_type) == (1024, "ACTUAL")


def test_treatment_without_a_known_type_keeps_its_whole_line():
    (intervention,) = parse_one(minimal_page("Treatments\n\nVitamin D3: high dose")).interventions
    assert (intervention.type, intervention.name) == (None, "Vitamin D3: high dose")


def test_page_without_nct_id_uses_its_other_identifier():
    record = parse_one(minimal_page("Status\n\nCompleted", identifiers="ChiCTR2400012345"))
    assert record.registry_id == "ChiCTR2400012345"
    assert record.identifiers == [Identifier(value="ChiCTR2400012345", kind="org_study")]


def test_listed_but_empty_parts_and_absent_parts():
    record = parse_one(minimal_page("Conditions\n\nStudy type\n\nInterventional"))
    assert record.conditions == []  # the label is there with nothing under it
    assert record.interventions is None and record.arms is None and record.eligibility is None
    assert record.brief_summary is None and record.detailed_description is None


def test_short_last_paragraph_of_a_summary_is_kept():
    record = parse_one(
        minimal_page("About\n\nA pilot study of diet in gout.\n\nRecruitment is ongoing\n\nSex\n\nAll")
    )
    assert record.brief_summary == "A pilot study of diet in gout.\n\nRecruitment is ongoing"


def test_unknown_label_after_a_value_is_ignored():
    record = parse_one(
        minimal_page(
            "Conditions\n\nAsthma\n\nLast updated\n\nJune 2025\n\nSex\n\nMale\n\nWho can join\n\nAnyone"
        )
    )
    assert record.conditions == ["Asthma"]
    assert record.eligibility.sex == "MALE"


# ---- broken input ----------------------------------------------------------------------------------


def test_page_without_identifier_is_refused():
    with pytest.raises(InvalidSource, match="page has no trial identifier"):
        IMPORTER.parse(read(VEEVA / "no_identifier.txt"))


@pytest.mark.parametrize("text", ["", "   \n\r\n\t", "\ufeff"])
def test_empty_page_is_refused(text):
    with pytest.raises(InvalidSource, match="empty"):
        IMPORTER.parse(text)


def test_page_cut_after_its_title_is_refused_with_a_reason():
    text = read(SEED_VEEVA_FMT)
    cut = text[: text.index("Zhejiang University logo")]
    with pytest.raises(InvalidSource, match="page has no trial identifier"):
        IMPORTER.parse(cut)


def test_page_cut_after_identifiers_keeps_what_is_there():
    text = read(SEED_VEEVA_NOVAFERON)
    record = parse_one(text[: text.index("Details and patient eligibility")])
    assert record.registry_id == "NCT02455596"
    assert (record.overall_status, record.design.phases) == ("UNKNOWN", ["PHASE2"])
    assert record.brief_summary is None and record.detailed_description is None
    assert record.eligibility is None and record.arms is None and record.central_contacts is None
    assert record.design.enrollment_count is None and record.design.masking is None


@pytest.mark.parametrize("path", [SEED_VEEVA_FMT, SEED_VEEVA_NOVAFERON, VEEVA / "observational.txt"])
def test_every_truncation_parses_or_is_refused(path):
    text = read(path)
    cuts = {text.index(line) + len(line) for line in text.splitlines() if line}
    cuts |= set(random.Random(7).sample(range(len(text)), 150))
    for cut in sorted(cuts):
        try:
            records = IMPORTER.parse(text[:cut])
        except InvalidSource as error:
            assert str(error)
        else:
            assert len(records) == 1 and records[0].record.registry_id


def test_page_cut_inside_the_patient_groups_keeps_the_arms_read():
    text = read(SEED_VEEVA_FMT)
    record = parse_one(text[: text.index("Active Comparator group")])
    assert [a.label for a in record.arms] == ["Fecal microbiota transplantation", "Control"]
    assert record.arms[1].type is None
