"""Eligibility texts of every shape the registry and the portals write -> nested items."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET  # trusted corpus files only

from reviewer.core.criteria import parse_criteria
from reviewer.core.text import unescape_markdown


def texts(items):
    return [i.text for i in items]


def v2_text(corpus_dir, nct):
    study = json.loads((corpus_dir / "ctgov-v2" / f"{nct}.json").read_text(encoding="utf-8"))
    return unescape_markdown(study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"])


def xml_text(corpus_dir, nct):
    return ET.parse(corpus_dir / "ctgov-xml" / f"{nct}.xml").getroot().findtext("eligibility/criteria/textblock")


def test_numbered_sections():
    parsed = parse_criteria("Inclusion Criteria:\n\n1. Age 18-75 years;\n2. ECOG 0-2\n\nExclusion Criteria:\n\n1. Pregnancy")
    assert texts(parsed.inclusion) == ["Age 18-75 years;", "ECOG 0-2"]
    assert texts(parsed.exclusion) == ["Pregnancy"]
    assert parsed.other == []


def test_bullets_and_nesting_by_indent():
    text = "Inclusion Criteria:\n\n* Adequate organ function:\n  * ANC ≥ 1.5 × 10^9/L\n  * Platelets ≥ 100 × 10^9/L\n* Consent\n\nExclusion Criteria:\n\n• Brain metastases\n• Hepatitis B"
    parsed = parse_criteria(text)
    assert texts(parsed.inclusion) == ["Adequate organ function:", "Consent"]
    assert texts(parsed.inclusion[0].children) == ["ANC ≥ 1.5 × 10^9/L", "Platelets ≥ 100 × 10^9/L"]
    assert texts(parsed.exclusion) == ["Brain metastases", "Hepatitis B"]


def test_letters_under_numbers_and_subheadings():
    text = "Inclusion criteria\n1. Disease:\n   a. Stage III\n   b. Stage IV\n2. Age over 18\nCohort B only:\n- Prior surgery"
    parsed = parse_criteria(text)
    assert texts(parsed.inclusion) == ["Disease:", "Age over 18", "Cohort B only:"]
    assert texts(parsed.inclusion[0].children) == ["Stage III", "Stage IV"]
    assert texts(parsed.inclusion[2].children) == ["Prior surgery"]


def test_no_headings_goes_to_other_and_nil_is_empty():
    parsed = parse_criteria("- Adults with asthma\n- Non-smokers")
    assert (parsed.inclusion, parsed.exclusion, texts(parsed.other)) == ([], [], ["Adults with asthma", "Non-smokers"])
    for nothing in (None, "", "   \n", "Nil", "Inclusion Criteria: Nil\n\nExclusion Criteria: Nil"):
        parsed = parse_criteria(nothing)
        assert (parsed.inclusion, parsed.exclusion, parsed.other) == ([], [], [])


def test_legacy_wrapped_lines_are_joined(corpus_dir):
    parsed = parse_criteria(xml_text(corpus_dir, "NCT00001922"))
    first = parsed.inclusion[0]
    assert first.text == "Normal Volunteers:"
    assert first.children[0].text == (
        "Normal volunteers between the ages of 20 and 80 years of age will be selected after a screening examination."
    )


def test_long_nested_record_keeps_nesting(corpus_dir):
    parsed = parse_criteria(v2_text(corpus_dir, "NCT05798663"))
    assert len(parsed.inclusion) >= 15 and len(parsed.exclusion) >= 30
    specimen = next(i for i in parsed.inclusion if i.text.startswith("Availability of a representative tumor specimen"))
    assert len(specimen.children) == 3
    assert specimen.children[0].text.startswith("A representative FFPE tumor specimen")


def test_nil_record(corpus_dir):
    parsed = parse_criteria(v2_text(corpus_dir, "NCT01100827"))
    assert (parsed.inclusion, parsed.exclusion, parsed.other) == ([], [], [])


def test_chinese_text_kept(corpus_dir):
    parsed = parse_criteria(v2_text(corpus_dir, "NCT05563090"))
    every = [c.text for part in (parsed.inclusion, parsed.exclusion, parsed.other) for i in part for c in i.walk()]
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in t) for t in every)


def test_whole_corpus_parses_fast_and_finds_items(corpus_dir):
    all_texts = [v2_text(corpus_dir, p.stem) for p in sorted((corpus_dir / "ctgov-v2").glob("*.json"))
                 if "eligibilityCriteria" in p.read_text(encoding="utf-8")]
    all_texts += [xml_text(corpus_dir, p.stem) or "" for p in sorted((corpus_dir / "ctgov-xml").glob("*.xml"))]
    started = time.perf_counter()
    results = [parse_criteria(t) for t in all_texts]
    mean_ms = (time.perf_counter() - started) / len(all_texts) * 1000
    assert mean_ms < 5  # about 0.1 ms here; generous for slow CI machines
    empty = [t[:60] for t, r in zip(all_texts, results, strict=True)
             if len(t) > 60 and not (r.inclusion or r.exclusion or r.other)]
    assert empty == []
