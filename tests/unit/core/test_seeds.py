"""The user's three documents import with exactly the values they hold (through the real store)."""

from __future__ import annotations

import pytest

from reviewer.core.ingest import import_paths
from reviewer.core.store import reading
from tests.conftest import SEED_IGNITE_MSC, SEED_VEEVA_FMT, SEED_VEEVA_NOVAFERON


@pytest.fixture
def seeded(store):
    report = import_paths(store, [SEED_VEEVA_FMT, SEED_IGNITE_MSC, SEED_VEEVA_NOVAFERON])
    assert not report.failed, [(r.name, r.error) for r in report.failed]
    assert report.count("added") == 3
    return store


def load(store, registry_id):
    with store.session() as session:
        return reading.current_record(session, registry_id)


def test_formats_detected_by_content(seeded):
    with seeded.session() as session:
        formats = {
            t: reading.versions_of(session, reading.trial_by_registry_id(session, t).id)[0].source_format
            for t in ("NCT06924645", "NCT07312656", "NCT02455596")
        }
    assert formats == {"NCT06924645": "veeva-page", "NCT07312656": "ignite-page", "NCT02455596": "veeva-page"}


def test_seed_000_fmt_neuroendocrine(seeded):
    r = load(seeded, "NCT06924645")
    assert r.brief_title.startswith("Fecal Microbiota Transplantation for Preventing Gastrointestinal Symptoms")
    assert r.lead_sponsor.name == "Zhejiang University"
    assert r.overall_status == "NOT_YET_RECRUITING"
    assert r.design.phases == []
    assert len(r.conditions) == 2
    assert [(i.type, i.name) for i in r.interventions] == [
        ("PROCEDURE", "Fecal Microbiota Transplant (FMT)"),
        ("OTHER", "Standard Therapy"),
    ]
    assert [i.value for i in r.identifiers] == ["NCT06924645", "2025-0198"]
    assert (r.design.enrollment_count, r.design.enrollment_type) == (40, "ESTIMATED")
    e = r.eligibility
    assert (e.sex, e.minimum_age, e.maximum_age, e.healthy_volunteers) == ("ALL", "18 Years", None, False)
    assert len(e.inclusion) == 9 and len(e.exclusion) == 8
    assert e.inclusion[5].text.startswith("Eastern Cooperative Oncology Group (ECOG) Performance Status")
    d = r.design
    assert (d.primary_purpose, d.allocation, d.intervention_model, d.masking) == (
        "SUPPORTIVE_CARE", "RANDOMIZED", "PARALLEL", "NONE",
    )
    fmt, control = r.arms
    assert (fmt.label, fmt.type) == ("Fecal microbiota transplantation", "EXPERIMENTAL")
    assert fmt.description.startswith("Fecal Microbiota Transplantation (FMT) is delivered as a single dose")
    assert fmt.intervention_names == ["Procedure: Fecal Microbiota Transplant (FMT)"]
    assert (control.label, control.type, control.description) == ("Control", "ACTIVE_COMPARATOR", "Standard Therapy Alone")
    assert control.intervention_names == ["Other: Standard Therapy"]
    assert r.outcomes is None  # a Veeva page lists no outcomes: not in source, which is not "none"


def test_seed_001_msc_exosomes(seeded):
    r = load(seeded, "NCT07312656")
    assert r.design.phases == ["PHASE2"]
    assert (r.design.enrollment_count, r.design.enrollment_type) == (200, "ESTIMATED")
    assert (r.eligibility.minimum_age, r.eligibility.maximum_age) == ("18 Years", "75 Years")
    assert len(r.eligibility.inclusion) == 10 and len(r.eligibility.exclusion) == 11
    fifth = r.eligibility.inclusion[4].text
    assert "3.0×10^9/L" in fifth and "\\" not in fifth
    assert "\\" not in r.eligibility.exclusion[4].text and "<30 mL/min" in r.eligibility.exclusion[4].text
    assert [(a.label, a.type) for a in r.arms] == [("experimental group", "EXPERIMENTAL"), ("control group", "NO_INTERVENTION")]
    assert [i.type for i in r.interventions] == ["DRUG"]
    assert r.interventions[0].arm_labels == ["experimental group"]
    primary, secondary = r.outcomes_of("primary"), r.outcomes_of("secondary")
    assert len(primary) == 1 and len(secondary) == 1
    assert primary[0].measure == "The incidence of grade ≥3 radiation-induced oral mucositis"
    assert primary[0].time_frame == "Within 90 days from the initiation to the completion of radiotherapy"
    assert secondary[0].time_frame
    assert r.lead_sponsor.name == "First Affiliated Hospital of Guangxi Medical University"
    assert len(r.collaborators) == 2
    assert len(r.locations) == 1 and r.locations[0].city == "Nanning"
    assert r.has_dmc is True


def test_seed_002_novaferon(seeded):
    r = load(seeded, "NCT02455596")
    assert r.overall_status == "UNKNOWN"
    assert r.design.phases == ["PHASE2"]
    assert (r.design.enrollment_count, r.design.enrollment_type) == (20, "ESTIMATED")
    assert len(r.eligibility.inclusion) == 8 and len(r.eligibility.exclusion) == 6
    assert [(a.label, a.type) for a in r.arms] == [("Experimental", "EXPERIMENTAL")]
    assert [(i.type, i.name) for i in r.interventions] == [
        ("DRUG", "Recombinant anti-tumor and anti-virus protein for injection (Novaferon)")
    ]
    assert [i.value for i in r.identifiers] == ["NCT02455596", "JH-NETs-001"]
    d = r.design
    assert (d.allocation, d.intervention_model, d.masking, d.primary_purpose) == ("NA", "SINGLE_GROUP", "NONE", "TREATMENT")
    assert r.detailed_description.startswith("This is a Phase Ⅱ exploratory clinical study.")
    assert "only survival follow-up datas will be recorded." in r.detailed_description
    assert [c.name for c in r.central_contacts] == ["Xu Jianming, M.D."]
