"""The patient check on real imported trials: the seeds and corpus trials in a real store, read
through Library.requirements and Library.match; the patient file and its one-sentence refusals."""

from __future__ import annotations

import json

import pytest

from reviewer.core.library import Library
from reviewer.core.match.checks import FAILS, MEETS, UNKNOWN, evaluate
from reviewer.core.match.patient import Patient, PatientFileError, canonical_unit
from reviewer.core.match.ranking import check_trial, rank
from reviewer.core.profile import Requirement
from tests.conftest import REPO_ROOT
from tests.corpus import corpus_dir

EXAMPLE = REPO_ROOT / "resources" / "patients" / "example.json"
# an EGFR-mutant lung cancer trial (ANC, liver metastases limits, stable brain metastases allowed), a
# family study with an adolescent and a parent population, a trial stating Karnofsky and Lansky
CORPUS_TRIALS = ("NCT02759614", "NCT03630471", "NCT01949129")


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """The three seeds (a first start) and some corpus trials, in a real store."""
    opened = Library.open(tmp_path_factory.mktemp("match") / "data")
    folder = corpus_dir() / "ctgov-v2"
    report = opened.import_paths([folder / f"{registry_id}.json" for registry_id in CORPUS_TRIALS])
    assert not report.failed
    yield opened
    opened.close()


def requirements_of(library, registry_id):
    (found,) = [reqs for rid, reqs in library.requirements([registry_id]) if rid == registry_id]
    return found


def checks_by_key(match):
    return {check.requirement.key: check for check in match.checks}


def patient(**fields) -> Patient:
    return Patient.from_json(fields, "the test patient")


# ---------------------------------------------------------------- the patient file


def test_the_example_file_reads_with_its_units_converted():
    example = Patient.load(EXAMPLE)
    assert example.age == 64 and example.sex == "female" and example.ecog == 1
    assert example.labs["anc"].by_unit == {"10^9/L": 1.5}  # 1500 /uL
    assert example.labs["hemoglobin"].by_unit == {"g/L": 112}  # 11.2 g/dL
    assert example.labs["creatinine"].by_unit == {"umol/L": 80, "xULN": 0.8889}  # with its ULN of 90
    assert example.labs["bilirubin"].by_unit["umol/L"] == pytest.approx(13.68)  # 0.8 mg/dL x 17.1
    assert example.biomarkers == {"EGFR": ("L858R",), "ALK": ("negative",), "PD-L1": ("TPS 60%",)}
    assert example.brain_metastases == "treated_stable" and example.prior_lines == 1
    assert json.loads(EXAMPLE.read_text()) == example.to_json()


@pytest.mark.parametrize(
    ("written", "unit"),
    [("x10^9/L", "10^9/L"), ("× 10⁹/l", "10^9/L"), ("/mm3", "/uL"), ("cells/uL", "/uL"), ("g/dl", "g/dL"),
     ("µmol/L", "umol/L"), ("mg/dL", "mg/dL"), ("ml/min", "mL/min"), ("× ULN", "xULN"), ("xULN", "xULN"),
     ("furlongs", None)],
)  # fmt: skip
def test_units_as_clinicians_write_them(written, unit):
    assert canonical_unit(written) == unit


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("{not json", "is not JSON (line 1)"),
        ("[1, 2]", "is not a patient: it holds a JSON list"),
        ('{"ecgo": 1}', 'unknown field "ecgo" (did you mean "ecog"?)'),
        ('{"ecog": 7}', '"ecog" is 7, out of range (0-5)'),
        ('{"ecog": 1.5}', '"ecog" is 1.5: it must be a whole number from 0 to 5'),
        ('{"karnofsky": 75}', '"karnofsky" is 75: it must be a multiple of 10 from 0 to 100'),
        ('{"age": "old"}', '"age" must be a number, not "old"'),
        ('{"age": 300}', '"age" is 300, out of range (0-125)'),
        ('{"sex": "other"}', '"sex" is "other": write "female" or "male"'),
        ('{"labs": {"anc": {"value": 1.5, "unit": "mg/dL"}}}', 'the unit "mg/dL" of "anc" cannot be converted (its units: /uL, 10^9/L)'),
        ('{"labs": {"anc": {"value": 1.5, "unit": "furlongs"}}}', 'the unit "furlongs" of "anc" cannot be converted'),
        ('{"labs": {"anc": {"value": 1.5}}}', 'the lab "anc" has no unit (its units: /uL, 10^9/L)'),
        ('{"labs": {"neutrophills": {"value": 1.5, "unit": "10^9/L"}}}', 'unknown laboratory analyte "neutrophills"'),
        ('{"labs": {"anc": {"value": -1, "unit": "10^9/L"}}}', '"labs.anc.value" is -1, out of range'),
        ('{"brain_metastases": "some"}', '"brain_metastases" is "some": write "none", "treated_stable" or "active"'),
        ('{"pregnant": "no"}', '"pregnant" must be true or false, not "no"'),
        ('{"biomarkers": {"EGRF": "L858R"}}', 'unknown gene "EGRF"'),
        ('{"conditions": ["gout"]}', 'unknown condition "gout"'),
    ],
)  # fmt: skip
def test_a_bad_patient_file_is_one_sentence_naming_it(tmp_path, content, says):
    path = tmp_path / "patient.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PatientFileError) as refused:
        Patient.load(path)
    message = str(refused.value)
    assert message.startswith(str(path)) and says in message, message
    assert "\n" not in message and "Traceback" not in message


def test_a_missing_or_binary_file_is_one_sentence_too(tmp_path):
    with pytest.raises(PatientFileError, match="no such file"):
        Patient.load(tmp_path / "nobody.json")
    binary = tmp_path / "scan.json"
    binary.write_bytes(b"\xff\xd8\xff\xe0 a JPEG")
    with pytest.raises(PatientFileError, match="is not a text file"):
        Patient.load(binary)


# ---------------------------------------------------------------- real trials


def test_a_patient_meeting_every_testable_requirement(library):
    """NCT07312656 (the mesenchymal stromal cell seed): age 18-75, ECOG 0-2, blood counts, liver and
    kidney function as x ULN, creatinine clearance; met by the example patient, ANC given per uL."""
    match = check_trial("NCT07312656", requirements_of(library, "NCT07312656"), Patient.load(EXAMPLE))
    assert match.verdict == "possible" and not match.failing
    by_key = checks_by_key(match)
    for key in ("age", "performance:ECOG", "lab:wbc", "lab:hemoglobin", "lab:platelets", "lab:transaminases",
                "lab:bilirubin", "lab:creatinine", "lab:creatinine_clearance", "life_expectancy", "consent"):  # fmt: skip
        assert by_key[key].status == MEETS, by_key[key]
    assert by_key["performance:ECOG"].reason == "ECOG 1 allowed: 0-2"
    assert by_key["lab:creatinine"].reason == "80 µmol/L = 0.889 × ULN allowed: ≤ 1.5 × ULN"
    assert by_key["lab:hemoglobin"].reason == "11.2 g/dL = 112 g/L allowed: ≥ 90 g/L"
    # left unknown: only what no patient value can answer (a washout, prior therapy)
    unknown = {c.requirement.kind for c in match.checks if c.status == UNKNOWN}
    assert unknown <= {"washout", "prior_therapy", "hypersensitivity"}
    assert match.unknown == len([c for c in match.checks if c.status == UNKNOWN])


def test_failing_on_ecog_names_the_deciding_item(library):
    worse = patient(age=64, sex="female", ecog=3)
    match = check_trial("NCT07312656", requirements_of(library, "NCT07312656"), worse)
    assert match.verdict == FAILS
    (failing,) = match.failing
    assert failing.requirement.key == "performance:ECOG"
    assert failing.reason == "ECOG 3 not allowed: 0-2"
    assert [ref.label for ref in failing.items] == ["Inclusion criterion 4"]
    assert match.checks[0] is failing  # the deciding check comes first
    # the other neuroendocrine seed allows ECOG 1-3: ECOG 3 is possible there
    other = check_trial("NCT06924645", requirements_of(library, "NCT06924645"), worse)
    assert (
        other.verdict == "possible"
        and checks_by_key(other)["performance:ECOG"].reason == "ECOG 3 allowed: 1-3"
    )


def test_values_not_given_are_unknown_and_counted(library):
    only_age = patient(age=40)
    match = check_trial("NCT07312656", requirements_of(library, "NCT07312656"), only_age)
    by_key = checks_by_key(match)
    assert by_key["age"].status == MEETS
    assert by_key["performance:ECOG"].status == UNKNOWN
    assert by_key["performance:ECOG"].reason == "ECOG or Karnofsky not given (the trial: ECOG 0-2)"
    assert by_key["lab:platelets"].reason == "not given (the trial: ≥ 100 ×10⁹/L)"
    assert match.verdict == "possible" and match.unknown == len(match.checks) - 1
    assert match.met == 1


def test_brain_metastases_against_the_stance(library):
    requirements = requirements_of(library, "NCT02455596")  # "brain metastases" excluded
    for state, status in (("none", MEETS), ("treated_stable", FAILS), ("active", FAILS)):
        check = checks_by_key(check_trial("NCT02455596", requirements, patient(brain_metastases=state)))[
            "brain_metastases"
        ]
        assert check.status == status, (state, check)
    assert [ref.label for ref in check.items] == ["Exclusion criterion 6"]


def test_pregnancy_breastfeeding_and_sex(library):
    requirements = requirements_of(library, "NCT06924645")
    pregnant = checks_by_key(check_trial("NCT06924645", requirements, patient(sex="female", pregnant=True)))
    assert (
        pregnant["pregnancy"].status == FAILS
        and pregnant["pregnancy"].reason == "pregnant: pregnancy excluded"
    )
    assert pregnant["breastfeeding"].status == UNKNOWN
    man = checks_by_key(check_trial("NCT06924645", requirements, patient(sex="male")))
    assert man["pregnancy"].status == MEETS and man["breastfeeding"].status == MEETS  # a man is neither
    assert man["sex"].status == MEETS


def test_an_egfr_trial_of_the_corpus_with_units_converted(library):
    """NCT02759614: ANC >= 1.5 x10^9/L met by 1500 /uL, EGFR L858R or exon 19 deletion, ECOG 0-1,
    treated stable brain metastases allowed, AST/ALT < 5 x ULN with liver metastases."""
    requirements = requirements_of(library, "NCT02759614")
    example = Patient.load(EXAMPLE)
    by_key = checks_by_key(check_trial("NCT02759614", requirements, example))
    anc = by_key["lab:anc"]
    assert anc.status == MEETS and anc.reason == "1500 /µL = 1.5 ×10⁹/L allowed: ≥ 1.5 ×10⁹/L"
    assert [ref.label for ref in anc.items] == ["Inclusion criterion 1.11.1"]
    assert by_key["biomarker:EGFR"].status == MEETS
    assert by_key["brain_metastases"].reason == "treated, stable brain metastases allowed: stable allowed"
    assert by_key["performance:ECOG"].status == MEETS
    assert by_key["lab:inr"].status == UNKNOWN  # not in the example
    low_anc = patient(labs={"anc": {"value": 1400, "unit": "/uL"}})
    assert checks_by_key(check_trial("NCT02759614", requirements, low_anc))["lab:anc"].status == FAILS

    high_alt = {"alt": {"value": 4, "unit": "xULN"}, "ast": {"value": 1, "unit": "xULN"}}
    without = check_trial("NCT02759614", requirements, patient(labs=high_alt))
    assert [c.requirement.key for c in without.failing] == ["lab:alt"]
    assert "lab:alt|liver metastases" not in checks_by_key(without)
    with_liver = check_trial(
        "NCT02759614", requirements, patient(labs=high_alt, conditions=["liver metastases"])
    )
    assert not with_liver.failing
    assert (
        checks_by_key(with_liver)["lab:alt|liver metastases"].reason
        == "with liver metastases: 4 × ULN allowed: < 5 × ULN"
    )


def test_populations_of_a_corpus_trial_never_fail_it_alone(library):
    """NCT03630471: "For adolescent participants" 13-20 years, "For parent participants" 18 and older."""
    match = check_trial("NCT03630471", requirements_of(library, "NCT03630471"), patient(age=44))
    assert match.verdict == "possible"
    assert match.scopes_failing == ("For adolescent participants",)
    ages = {c.scope: c.status for c in match.checks if c.requirement.key == "age"}
    assert ages == {"For adolescent participants": FAILS, "For parent participants": MEETS}


def test_karnofsky_and_lansky_of_a_corpus_trial(library):
    """NCT01949129: Karnofsky 50-100 (and Lansky 50-100 for children)."""
    requirements = requirements_of(library, "NCT01949129")
    fit = checks_by_key(check_trial("NCT01949129", requirements, patient(ecog=1)))
    assert fit["performance:Karnofsky"].reason == "ECOG 1 (Karnofsky 80-90) allowed: Karnofsky 50-100"
    assert fit["performance:Lansky"].status == UNKNOWN
    bedbound = check_trial("NCT01949129", requirements, patient(ecog=4))
    assert [c.requirement.key for c in bedbound.failing] == ["performance:Karnofsky"]
    assert check_trial("NCT01949129", requirements, patient(karnofsky=40)).verdict == FAILS


def requirement(key, value, text="", scope=None):
    from reviewer.core.items import criterion

    return Requirement(
        key, key.split(":")[0], value, text or str(value), (criterion("inclusion", "1"),), scope
    )


def test_performance_scales_and_the_karnofsky_mapping():
    ecog_0_2 = requirement("performance:ECOG", (0, 1, 2), "ECOG 0-2")
    kps_70 = requirement("performance:Karnofsky", (70, 80, 90, 100), "Karnofsky 70-100")
    kps_90 = requirement("performance:Karnofsky", (90, 100), "Karnofsky 90-100")
    assert evaluate(ecog_0_2, patient(karnofsky=70)) == (MEETS, "Karnofsky 70 (ECOG 2) allowed: ECOG 0-2")
    assert evaluate(ecog_0_2, patient(karnofsky=50))[0] == FAILS
    assert evaluate(kps_70, patient(ecog=1)) == (MEETS, "ECOG 1 (Karnofsky 80-90) allowed: Karnofsky 70-100")
    assert evaluate(kps_90, patient(ecog=1))[0] == UNKNOWN  # ECOG 1 is KPS 80 or 90
    assert evaluate(kps_90, patient(ecog=3))[0] == FAILS
    assert evaluate(requirement("performance:WHO", (0, 1), "WHO 0-1"), patient(ecog=1))[0] == MEETS
    assert (
        evaluate(requirement("performance:Lansky", (50, 60, 70, 80, 90, 100)), patient(ecog=0))[0] == UNKNOWN
    )
    # two scales in one trial are alternatives: meeting one keeps the other from failing the trial
    both = {
        ("performance:ECOG", None): requirement("performance:ECOG", (0, 1), "ECOG 0-1"),
        ("performance:Karnofsky", None): kps_70,
    }
    match = check_trial("X", both, patient(ecog=2, karnofsky=70))
    assert match.verdict == "possible" and {c.status for c in match.checks} == {MEETS, UNKNOWN}


def test_labs_in_other_units_and_as_multiples_of_the_uln():
    anc = requirement("lab:anc", ((">=", 1.5, "10^9/L"),), "≥ 1.5 ×10⁹/L")
    assert evaluate(anc, patient(labs={"anc": {"value": 1500, "unit": "/uL"}})) == (
        MEETS, "1500 /µL = 1.5 ×10⁹/L allowed: ≥ 1.5 ×10⁹/L"
    )  # fmt: skip
    assert evaluate(anc, patient(labs={"anc": {"value": 1499, "unit": "cells/mm3"}}))[0] == FAILS
    alt = requirement("lab:alt", (("<=", 2.5, "xULN"),), "≤ 2.5 × ULN")
    assert evaluate(alt, patient(labs={"alt": {"value": 80, "unit": "U/L", "uln": 40}}))[0] == MEETS
    assert evaluate(alt, patient(labs={"alt": {"value": 120, "unit": "U/L", "uln": 40}}))[0] == FAILS
    without_uln = evaluate(alt, patient(labs={"alt": {"value": 80, "unit": "U/L"}}))
    assert without_uln == (UNKNOWN, "80 U/L cannot be tested against ≤ 2.5 × ULN: give it with its ULN")
    creatinine = requirement("lab:creatinine", (("<=", 132.6, "umol/L"),), "≤ 132.6 µmol/L")  # 1.5 mg/dL
    assert evaluate(creatinine, patient(labs={"creatinine": {"value": 1.5, "unit": "mg/dL"}}))[0] == MEETS
    assert evaluate(creatinine, patient(labs={"creatinine": {"value": 1.6, "unit": "mg/dL"}}))[0] == FAILS
    both = requirement("lab:transaminases", (("<=", 3, "xULN"),), "≤ 3 × ULN")
    assert (
        evaluate(
            both, patient(labs={"ast": {"value": 1, "unit": "xULN"}, "alt": {"value": 4, "unit": "xULN"}})
        )[0]
        == FAILS
    )
    assert evaluate(both, patient(labs={"ast": {"value": 1, "unit": "xULN"}}))[0] == UNKNOWN


def test_an_alternative_limit_for_a_subgroup():
    base = requirement("lab:alt", (("<=", 2.5, "xULN"),), "≤ 2.5 × ULN")
    liver = requirement("lab:alt|liver metastases", (("<=", 5, "xULN"),), "≤ 5 × ULN")
    trial = {("lab:alt", None): base, ("lab:alt|liver metastases", None): liver}
    alt_4 = {"alt": {"value": 4, "unit": "xULN"}}
    without = check_trial("X", trial, patient(labs=alt_4))
    assert without.verdict == FAILS and [c.requirement.key for c in without.checks] == ["lab:alt"]
    with_liver = check_trial("X", trial, patient(labs=alt_4, conditions=["liver metastases"]))
    assert with_liver.verdict == "possible"
    (check,) = with_liver.checks
    assert check.requirement is liver and check.reason == "with liver metastases: 4 × ULN allowed: ≤ 5 × ULN"


def test_biomarkers_by_gene():
    required = requirement(
        "biomarker:EGFR", ("required", ("L858R", "exon 19 deletion")), "EGFR L858R, exon 19 deletion required"
    )
    assert evaluate(required, patient(biomarkers={"EGFR": "L858R"}))[0] == MEETS
    assert evaluate(required, patient(biomarkers={"egfr": ["exon 19 deletion", "T790M"]}))[0] == MEETS
    assert evaluate(required, patient(biomarkers={"EGFR": "negative"}))[0] == FAILS
    assert evaluate(required, patient(biomarkers={"EGFR": "G719X"}))[0] == FAILS
    assert evaluate(required, patient(biomarkers={"EGFR": "mutation"}))[0] == UNKNOWN  # which one?
    assert evaluate(required, patient(biomarkers={"ALK": "negative"}))[0] == UNKNOWN
    excluded = requirement("biomarker:ALK", ("excluded", ("rearrangement",)), "ALK rearrangement excluded")
    assert evaluate(excluded, patient(biomarkers={"ALK": "negative"}))[0] == MEETS
    assert evaluate(excluded, patient(biomarkers={"ALK": "rearrangement"}))[0] == FAILS
    ras = requirement("biomarker:RAS", ("required", ("wild-type",)), "RAS wild-type required")
    assert evaluate(ras, patient(biomarkers={"KRAS": "wild-type", "NRAS": "negative"}))[0] == MEETS
    assert evaluate(ras, patient(biomarkers={"KRAS": "G12C"}))[0] == FAILS
    pdl1 = requirement("biomarker:PD-L1", ("required", ("TPS>=50%",)), "PD-L1 TPS>=50% required")
    assert evaluate(pdl1, patient(biomarkers={"PD-L1": "TPS 60%"}))[0] == MEETS
    assert evaluate(pdl1, patient(biomarkers={"PD-L1": "TPS 10%"}))[0] == FAILS


def test_a_scoped_requirement_never_fails_the_trial_alone():
    adults = requirement("age", (18, 85), "18-85 years")
    epilepsy = requirement(
        "age", (18, 55), "18-55 years", scope="SPECIFIC INCLUSION CRITERIA FOR EPILEPSY SUBJECTS"
    )
    trial = {("age", None): adults, ("age", epilepsy.scope): epilepsy}
    match = check_trial("X", trial, patient(age=70))
    assert match.verdict == "possible"
    assert match.scopes_failing == (epilepsy.scope,)
    assert "fails the criteria of SPECIFIC INCLUSION CRITERIA FOR EPILEPSY SUBJECTS only" in match.summary()
    assert match.checks[-1].scope == epilepsy.scope  # scoped checks come after the trial-wide ones


def test_the_ranking(library):
    example = Patient.load(EXAMPLE)
    result = library.match(example)
    assert result.checked == library.count_trials() == 6
    order = [(m.verdict, -m.met, m.unknown) for m in result.matches]
    possible = [key for key in order if key[0] == "possible"]
    assert order[: len(possible)] == possible == sorted(possible)  # possible first, most met, fewest unknown
    assert result.possible == len(possible)
    assert "NCT02455596" not in [m.registry_id for m in result.matches[: len(possible)]]  # brain metastases
    # the whole library is ranked from the stored rows (rank_values): exactly as rank() ranks it
    from_requirements = rank(library.requirements(None), example)
    assert [m.registry_id for m in result.matches] == [m.registry_id for m in from_requirements.matches]
    assert [m.checks for m in result.matches] == [m.checks for m in from_requirements.matches]
    assert (result.checked, result.possible) == (from_requirements.checked, from_requirements.possible)
    first = library.match(example, limit=2)
    assert [m.registry_id for m in first.matches] == [m.registry_id for m in result.matches[:2]]
    assert first.checked == 6 and first.possible == result.possible
    chosen = library.match(example, ["nct07312656", "NCT02455596", "NCT99999999"])
    assert sorted(m.registry_id for m in chosen.matches) == ["NCT02455596", "NCT07312656"]
    assert chosen.missing == ("NCT99999999",)
    data = json.loads(json.dumps(chosen.to_json()))
    assert data["trials"][0]["checks"][0]["items"][0]["label"].startswith(("Inclusion", "Exclusion"))


def test_each_reason_quotes_its_own_trial():
    """Two trials stating the same value in other words ("4 weeks", "28 days") are judged once, each
    reason in its own trial's words."""
    weeks = requirement("washout:surgery", 28, "4 weeks")
    days = requirement("washout:surgery", 28, "28 days")
    result = rank(
        [("A", {("washout:surgery", None): weeks}), ("B", {("washout:surgery", None): days})], patient()
    )
    reasons = {m.registry_id: m.checks[0].reason for m in result.matches}
    assert reasons == {
        "A": "not in the patient's values: check by hand (the trial: 4 weeks)",
        "B": "not in the patient's values: check by hand (the trial: 28 days)",
    }


def test_comments_and_nulls_in_a_patient_file():
    read = Patient.from_json(
        {"$comment": "from the clinic letter", "age": 70, "ecog": None, "labs": {"anc": None}}
    )
    assert read.age == 70 and read.ecog is None and read.labs == {}
