"""Side-by-side comparison of 2 to 6 trials (or of the arms of one trial) as aligned rows.

What it is for: a clinician looking at several protocols wants the criteria that speak of the same
thing (age, ECOG, pregnancy, brain metastases, ...) on the same line, and wants to see at a glance
where the trials differ. ``compare_records`` builds that table; the GUI and the PDF report draw it,
``comparison_text`` prints it in a terminal and ``comparison_to_json`` serialises it.

Sections and how their rows are made:

- ``design``: one row per design field (study type, phases, ... start date, conditions). A value the
  document does not carry reads "not in source"; a list the document gives empty reads "—".
- ``arms``: each trial's arms grouped by role (experimental; comparator = active/placebo/sham
  comparator or no intervention; other -- in a trial with no experimental arm, its "other" and
  untyped arms count as experimental), then paired within a role by the similarity of their label
  and interventions (one arm per trial per row). Cells read "[Experimental] label: intervention, ...".
- ``inclusion`` / ``exclusion``: the alignable items are the top-level criteria, except that a
  top-level item that is only a heading (its text ends with ":" and it has children) is replaced by
  its children (recursively). The ``other`` criteria (text without inclusion/exclusion headings) go
  to the inclusion section. Each item gets ONE clinical concept from ``CONCEPTS`` (keyword/regex
  rules; see ``criterion_concept``); items of the same concept share a row, whatever the trial.
  Items with no concept are clustered across trials by word overlap (Jaccard >= 0.5, at most one
  item per trial per row) and listed below the concept rows with ``concept=None``.
- ``outcomes``: primary with primary, secondary with secondary, other with other. Outcomes naming a
  known endpoint (overall survival/OS, PFS, ORR, adverse events, ...) share a row per endpoint;
  the rest are clustered by word overlap like the unmatched criteria.

Every item appears on exactly one row. ``Row.keys`` parallels ``Row.cells`` with the items'
``reviewer.core.items.ItemRef``, the refs notes use: criterion "inclusion/3", "inclusion/3.2" (a child
of a heading), "other/1"; outcome "primary/2"; an arm's label; a design field's name.

The ``differs`` rule: a row is the same (``differs=False``) only when every trial has something on it
and either (a) the trials' normalised texts are equal (lowercase, whitespace squashed, leading list
numbering and trailing punctuation removed, ">=" read as "≥"; a cell of several items compares as
the sorted list of its texts), or (b) the row's concept has a value extractor (age bounds, ECOG /
Karnofsky scores, life expectancy), every item on the row speaks of that concept only, yields a
value, and each trial's set of values is the same. So "Age ≥18 years, regardless of gender;" and
"At least 18 years old." (both: minimum 18) do not differ, "ECOG ... 1-3" and "ECOG 0, 1 or 2" do.
Any trial with an empty cell makes the row differ.

Speed: pure standard library; the rules are precompiled and run on lowercased text, a rule is only
tried on a text containing one of its trigger word-beginnings, and classifications are cached. Four
typical trials (about 100 criteria) compare in about 10 ms cold, 2-4 ms warm.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import lru_cache

from .items import OUTCOME_KINDS, ItemRef, design_field, numbered, numbered_outcomes
from .items import arm as arm_ref
from .items import criterion as criterion_ref
from .record import Arm, Criterion, Outcome, TrialRecord
from .text import squash
from .vocab import age_in_years, label, phases_label

MIN_TRIALS = 2
MAX_TRIALS = 6
SECTIONS = ("design", "arms", "inclusion", "exclusion", "outcomes")
SECTION_TITLES = {
    "design": "Design",
    "arms": "Arms",
    "inclusion": "Inclusion criteria",
    "exclusion": "Exclusion criteria",
    "outcomes": "Outcomes",
}
NOT_IN_SOURCE = "not in source"
EMPTY = "—"  # the source carries the part and it is empty
TEXT_SIMILARITY = 0.5  # Jaccard of content words for unmatched criteria and outcomes
DIFFERS_MARK = "≠"


@dataclass
class Row:
    concept: str | None  # e.g. "Age"; None for unmatched rows
    cells: list[list[str]]  # one cell per trial, in trial order: the texts of its items on this row
    keys: list[list[ItemRef]]  # parallel to cells: the refs of those items
    differs: bool  # True when the cells do not say the same thing (see the module docstring)


@dataclass
class Comparison:
    trials: list[str]  # registry ids in the given order (compare_arms: the arm labels)
    sections: dict[str, list[Row]]  # keys exactly SECTIONS


@dataclass(eq=False)
class AlignedItem:
    """One alignable thing of one trial: a criterion, an outcome or an arm."""

    trial: int  # column
    ref: ItemRef
    text: str
    words: frozenset[str]
    group: str | None = None  # concept, endpoint or arm role


# ---------------------------------------------------------------- text helpers

_LEADING_NUMBER = re.compile(
    r"^\s*(?:\(?\d{1,3}(?:\.\d{1,2})*[.)]|\(?[a-zA-Z][.)]|\(?[ivx]{1,4}[.)]|[-*•·▪])\s+"
)
_TRAILING_PUNCT = re.compile(r"[\s.;,:。；，]+$")
_WORD = re.compile(r"[a-z0-9]+")
_STOPWORD_TEXT = """a an and are as at be been by for from has have if in into is it its of on or that the their
this to was were which who with within without must should will shall may can not no any all than other
patient patients participant participants subject subjects study"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def normalized(text: str) -> str:
    """The text as ``differs`` compares it: lowercase, squashed, no list number, no end punctuation."""
    text = squash(text).lower().replace(">=", "≥").replace("<=", "≤")
    text = _LEADING_NUMBER.sub("", text)
    return _TRAILING_PUNCT.sub("", text)


def _stem(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def content_words(text: str) -> frozenset[str]:
    """Lowercase words minus stopwords, crudely singular: what similarity is measured on."""
    return frozenset(_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOPWORDS)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


# ---------------------------------------------------------------- criterion concepts
#
# Each concept has ``words``, a regex over the LOWERCASED text (case-sensitive matching of lowercased
# text is several times faster than IGNORECASE), and ``acronyms``, a case-sensitive regex over the
# original text ("HIV", "AST", "PS"). A rule that needs context ("prior ... therapy") matches its
# anchor word and checks the rest in a lookahead, so its position is where the anchor stands.


@dataclass(frozen=True)
class Concept:
    name: str
    # the 2- to 4-letter beginnings of the words any match can start with (or must contain): a text
    # with none of them is not searched for this concept (see ``concept_matches``)
    triggers: str
    tier: int  # 1: specific (wins over tier 2 wherever it appears); 2: generic
    words: str  # regex on the lowercased text
    acronyms: str = ""  # case-sensitive regex on the original text


AGE = "Age"
PERFORMANCE = "Performance status (ECOG/Karnofsky)"
LIFE_EXPECTANCY = "Life expectancy"
ORGAN = "Organ function (overall)"
HAEMATOLOGY = "Haematology (blood counts)"
LIVER = "Liver function"
RENAL = "Renal function"

_THERAPY_WORDS = (
    r"(?:therap|treat|chemo|radio|radiation|regimen|line|agent|drug|transplant|hsct|surgery|resection"
    r"|inhibitor|tki|antibod|immunotherap)"
)

# Listed in display order (a sensible clinical reading order); the order also breaks ties.
CONCEPTS: tuple[Concept, ...] = (
    Concept(
        AGE,
        "age aged ages year yr yrs olde youn",
        1,
        r"\bage(?<!bearing age)(?<!bearing-age)[ds]?\b(?!\s+of\s+(?:onset|diagnosis))(?![- ](?:specific|adjusted"
        r"|related|matched))"
        r"|\b\d{1,3}\s*(?:years?|yrs?)\s*(?:of\s+age|old|or\s+older|and\s+older|or\s+above|and\s+above|or\s+over)"
        r"|(?:≥|>=|≧|>)\s*(?:1[2-9]|2[01])\s*(?:years?|yrs?)\b"
        r"|\b(?:older|younger)\s+than\s+(?:1[2-9]|[2-9]\d)\b"
        r"|\b(?:over|above|under)\s+(?:the\s+age\s+of\s+)?(?:1[2-9]|[2-9]\d)\s*(?:years?|yrs?)\b(?!\s+ago)",
    ),
    Concept(
        "Sex / gender",
        "male fema men wome gend sex",
        2,
        r"^\W*(?:be\s+(?:an?\s+)?)?(?:males?|females?|men|women)\b"
        r"(?!\s*(?:or|and|/|&)\s*(?:females?|males?|women|men)\b)"  # "male or female" restricts nothing
        r"|\bgender\b(?<!regardless of gender)(?<!either gender)(?<!any gender)(?<!both gender)"
        r"|\bsex\b(?!ual)(?<!regardless of sex)(?<!either sex)(?<!any sex)(?<!both sex)",
    ),
    Concept(
        "Diagnosis / histology",
        "hist cyto path diag undi conf biop",
        2,
        r"\b(?:histolog|cytolog|patholog)\w*|\b(?:un)?diagnos(?:is|es|ed)\b|\bconfirmed\b"
        r"|\bbiopsy[- ](?:proven|confirmed)",
    ),
    Concept(
        "Disease stage / extent",
        "stag meta loca unre adva inop recu tnm",
        2,
        r"\bstage\s+(?:[iv0-4]|[a-d]\b)|\bmetasta(?:tic|ses|sis)\b|\blocally\s+advanced|\bunresectable\b"
        r"|\badvanced\b|\binoperable\b"
        r"|\brecurrent\b(?=\s+(?:or\s+\w+\s+)?(?:disease|cancer|tumou?r|carcinoma|malignan|\(?stage))",
        r"\bTNM\b",
    ),
    Concept(
        "Biomarker / molecular",
        "muta rear fusi ampl over expr biom kary cyto phil egfr alk ros1 her2 kras braf met ret ntrk pd pdl1"
        " t790 bcr flt3 idh idh1 idh2 npm1 cd tp53 brca msi dmmr tmb",
        2,
        r"\bmutation\w*|\bmutant\b|\brearrange\w*|\bfusions?\b|\bamplification\b|\boverexpress\w*"
        r"|\bexpression\b|\bbiomarker\w*|\bkaryotyp\w*|\bcytogenetic\w*|\bphiladelphia\b",
        r"\b(?:EGFR|ALK|ROS1|HER2|KRAS|BRAF|MET|RET|NTRK\d?|PD-?L1|T790M|BCR-ABL1?|FLT3|IDH[12]?|NPM1"
        r"|CD\d{1,3}|TP53|BRCA[12]?|MSI-H|dMMR|TMB)\b",
    ),
    Concept(
        "Measurable disease (RECIST)",
        "reci irec mrec meas eval rano luga targ",
        1,
        r"\b[im]?recist\b|\bmeasurable\b|\bevaluable\s+(?:disease|lesions?)|\brano\b|\blugano\b"
        r"|\btarget\s+lesions?",
    ),
    Concept(
        "Prior therapy",
        "prio prev earl prec chem radi irra tran hsct immu targ tyro tki tkis anti syst fail refr resi into"
        " prog trea untr wash line",
        2,
        r"\b(?:prior|previous(?:ly)?|earlier|preceding)\b(?=[^.;]{0,40}?\b" + _THERAPY_WORDS + ")"
        r"|\b(?:chemotherapy|chemo-?radio\w*|radiotherapy|radiation\s+therapy|irradiation|transplant\w*|hsct"
        r"|immunotherapy|targeted\s+therapy|tyrosine\s+kinase\s+inhibitors?|tkis?)\b"
        r"|\b(?:anti-?cancer|anti-?tumou?r|systemic)\s+(?:therap\w*|treatment|drugs?)"
        r"|\b(?:failed|failure\s+of|refractory\s+to|resistant\s+to|intolerant\s+to|progress\w*\s+(?:on|after"
        r"|while\s+on|following|during))\b(?=[^.;]{0,50}?(?:therap|treat|chemo|regimen|tki|inhibitor|line))"
        r"|\btreatment[- ]na[iï]ve\b|\buntreated\b|\bwash-?out\b|\blines?\s+of\s+(?:therapy|treatment)",
    ),
    Concept(
        "Recovery from prior-therapy toxicity",
        "reco reso toxi",
        1,
        r"\b(?:recover\w*|resol\w*)\b(?=[^.;]{0,60}?\b(?:toxicit|adverse\s+(?:event|effect)|side\s+effect))"
        r"|\btoxicit\w*\b(?=[^.;]{0,80}?\b(?:recover|resol))",
    ),
    Concept(
        PERFORMANCE,
        "ecog east karn lans zubr perf who kps ps",
        1,
        r"\becog\b|\beastern\s+cooperative|\bkarnofsky|\blansky|\bzubrod|\bperformance\s+(?:status|score)"
        r"|\bwho\s+(?:ps|performance)\b",
        r"\b(?:KPS|PS)\b",
    ),
    Concept(
        LIFE_EXPECTANCY,
        "life expe anti esti pred surv prog",
        1,
        r"\blife\s+expectancy|\b(?:expected|anticipated|estimated|predicted)\s+(?:survival|to\s+(?:live|survive))"
        r"|\bsurvival\s+(?:period|expectancy|time\s+of)|\bprognosis\s+of",
    ),
    Concept(
        ORGAN,
        "orga bone",
        1,
        r"\b(?:major\s+|end[- ])?organs?\s+(?:function|dysfunction|failure|insufficienc\w*|system)"
        r"|\bmajor\s+organs?\b|\bbone\s+marrow\s+and\s+organ",
    ),
    Concept(
        HAEMATOLOGY,
        "neut plat hemo haem whit leuk leuc gran lymp hema bone bloo anc plt hgb hb wbc",
        1,
        r"\bneutrophil\w*|\bplatelet(?<!anti-platelet)s?\b"
        r"|\bha?emoglobin\b(?<!glycosylated hemoglobin)(?<!glycated hemoglobin)(?!\s*a1c)"
        r"|\bwhite\s+blood\s+cells?\b|\bleu[ck]ocytes?\b|\bgranulocytes?\b|\blymphocyte\s+count"
        r"|\bha?ematolog\w*\s+(?:function|parameters|values|status|reserve|laboratory)"
        r"|\bbone\s+marrow\s+(?:function|reserve)|\bblood\s+counts?\b",
        r"\b(?:ANC|PLT|Hgb|Hb|WBC)\b",
    ),
    Concept(
        LIVER,
        "bili tran amin hepa live cirr chil gilb alka ast alt sgot sgpt ggt alp",
        1,
        r"\bbilirubin\b|\btransaminase\w*|\baminotransferase\w*"
        r"|\b(?:hepatic|liver)\s+(?:function|dysfunction|failure|impairment|insufficienc\w*|disease|cirrhosis)"
        r"|\bcirrhosis\b|\bchild[- ]pugh\b|\bgilbert|\balkaline\s+phosphatase"
        r"|\b(?:hepatic|liver)\b(?=\s+(?:or|and|/)\s+(?:renal|kidney)\s+(?:function|dysfunction|failure"
        r"|impairment|insufficienc|disease))",
        r"\b(?:AST|ALT|SGOT|SGPT|GGT|ALP)\b",
    ),
    Concept(
        RENAL,
        "crea glom dial prot rena kidn crcl egfr gfr",
        1,
        r"\bcreatinine\b|\bglomerular\s+filtration|\bdialysis\b|\bproteinuria\b"
        r"|\b(?:renal|kidney)\s+(?:function|dysfunction|failure|impairment|insufficienc\w*|disease)"
        r"|\b(?:renal|kidney)\b(?=\s+(?:or|and|/)\s+(?:hepatic|liver)\s+(?:function|dysfunction|failure"
        r"|impairment|insufficienc|disease))",
        r"\b(?:CrCl|eGFR|GFR)\b",
    ),
    Concept(
        "Coagulation / bleeding",
        "coag anti blee hemo haem prot thro diat inr ptt aptt",
        1,
        r"\b(?:anti)?coagul\w*|\bbleeding\b|\bha?emorrhag\w*|\bprothrombin\b|\bthrombo(?:sis|tic|embol\w*)\b"
        r"|\bdiathesis\b",
        r"\b(?:INR|PTT|aPTT|APTT)\b",
    ),
    Concept(
        "Cardiac",
        "card hear myoc ejec elec arr ary angi coro hype stro cere bund bloo dias syst hypo new lvef ecg ekg"
        " nyha qt qtc",
        1,
        r"\bcardi\w*|\bheart\b|\bmyocard\w*|\bejection\s+fraction|\belectrocardiogra\w*|\barr?h?ythmi\w*"
        r"|\bangina\b|\bcoronary\b|\bhypertension\b|\bstroke\b|\bcerebrovascular\b|\bbundle\s+branch"
        r"|\bblood\s+pressure|\b(?:diastolic|systolic)\b|\bhypotension\b|\bnew\s+york\s+heart",
        r"\b(?:LVEF|ECG|EKG|NYHA|QTc\w*|QT)\b",
    ),
    Concept(
        "Lung disease (ILD/pneumonitis)",
        "inte pneu pulm lung resp ild copd",
        1,
        r"\binterstitial\s+(?:lung|pneumon)\w*|\bpneumonitis\b|\bpulmonary\s+fibrosis"
        r"|\b(?:lung|pulmonary|respiratory)\s+(?:disease|function|failure|insufficienc\w*|impairment)",
        r"\b(?:ILD|COPD)\b",
    ),
    Concept(
        "Infection (HIV, hepatitis, active infection)",
        "huma hepa infe seps sept tube cyto covi sars hiv hbv hcv hbsa hbca aids cmv",
        1,
        r"\bhuman\s+immunodeficiency|\bhepatitis\b|\binfect\w*|\bseps[ie]s\b|\bseptic\w*|\btuberculosis\b"
        r"|\bcytomegalovirus|\bcovid|\bsars-cov",
        r"\b(?:HIV|HBV|HCV|HBsAg|HBcAb|AIDS|CMV)\b",
    ),
    Concept(
        "Brain / CNS metastases or involvement",
        "brai cent lept meni intr cere spin cns",
        1,
        r"\bbrain\b|\bcentral\s+nervous\s+system|\blepto-?\s*mening\w*|\bmeningeal\b|\bintracranial\b"
        r"|\bcerebral\s+metasta\w*|\bspinal\s+cord\s+compression",
        r"\bCNS\b",
    ),
    Concept(
        "Other malignancy",
        "othe seco anot addi prio prev conc coex sync mali hist",
        1,
        r"\b(?:other|second|secondary|another|additional|prior|previous|concomitant|concurrent|coexisting"
        r"|synchronous)\b(?=(?:\s+(?:or\s+)?\w+){0,3}?\s+(?:malignan\w*|cancers?|tumou?rs?|neoplas\w*"
        r"|carcinomas?)\b(?!\s*(?:therap|treat|surgery|drug|lesion|sample|specimen|tissue|biops|block|cell)))"
        r"|\bmalignanc(?:y|ies)\s+(?:within|in\s+the\s+(?:past|last))|\bsecond\s+primary"
        r"|\bhistory\s+of\s+(?:\w+\s+){0,2}malignan\w*",
    ),
    Concept(
        "Autoimmune disease",
        "auto lupu rheu infl croh ulce psor mult vasc thyr immu sarc myas",
        1,
        r"\bauto-?immun\w*|\blupus\b|\brheumatoid\b|\binflammatory\s+bowel|\bcrohn|\bulcerative\s+colitis"
        r"|\bpsoriasis\b|\bmultiple\s+sclerosis|\bvasculitis\b|\bthyroiditis\b|\bimmune[- ]mediated"
        r"|\bsarcoidosis|\bmyasthenia",
    ),
    Concept(
        "Allergy / hypersensitivity",
        "alle hype anap",
        1,
        r"\ballerg\w*|\bhypersensitiv\w*|\banaphyla\w*",
    ),
    Concept(
        "Gastrointestinal (absorption, perforation, swallowing)",
        "gast perf fist bowe swal dysp mala abso diar ileu coli gi",
        1,
        r"\bgastro-?intestinal|\bperforation|\bfistula\w*|\bbowel\s+obstruction|\bswallow\w*|\bdysphagia"
        r"|\bmalabsorption|\babsorption\b|\bdiarrh\w*|\bileus\b|\bbowel\s+resection|\bcolitis\b",
        r"\bGI\b",
    ),
    Concept(
        "Surgery / wounds",
        "surg oper woun frac rese",
        2,
        r"\bsurg\w*|\boperation\b|\bwounds?\b|\bfractures?\b|\bresection\b",
    ),
    Concept(
        "Concomitant medication",
        "cyp warf vita cort ster gluc pred dexa immu anti conc medi vacc herb stro indu nitr gp pgp",
        1,
        r"\bcyp\d\w*|\bwarfarin\b|\bvitamin\s+k\s+antagonist|\b(?:cortico)?steroids?\b|\bglucocorticoid\w*"
        r"|\bprednis\w*|\bdexamethasone|\bimmunosuppress\w*|\bantibiotic\w*"
        r"|\bconcomitant\s+(?:medication|drug|treatment|use)|\bconcurrent\s+(?:use|medication)"
        r"|\bmedications?\s+(?:known|that)|\bvaccin\w*|\bherbal\b|\bstrong\s+inhibitors?|\binducers?\b"
        r"|\banti-?platelet\w*|\bnitrates?\b",
        r"\bP-?gp\b",
    ),
    Concept(
        "Psychiatric / substance abuse",
        "psyc anxi ment depr schi bipo deme subs drug alco addi abus cogn",
        1,
        r"\bpsychiatr\w*|\bpsycholog\w*|\banxiety\b|\bpsychotropic|\bpsychos[ie]s"
        r"|\bmental\s+(?:disorder|illness|disease|health|status)|\bdepress(?:ion|ive)|\bschizo\w*|\bbipolar"
        r"|\bdementia|\bsubstance\b|\bdrug\s+(?:abuse|addiction|dependence)|\balcohol\w*|\baddict\w*|\babuse\b"
        r"|\bcognitive\s+impairment",
    ),
    Concept(
        "Pregnancy / breast-feeding / contraception",
        "preg lact brea nurs chil cont post abst cond ster fert impr hcg wocb",
        1,
        r"\bpregnan\w*|\blactat(?:ing|ion)\b|\bbreast[- ]?feed\w*|\bnursing\b|\bchild[- ]?bearing"
        r"|\bcontracep\w*|\bpost-?menopaus\w*|\babstinen\w*|\bcondoms?\b|\bsterili[sz]\w*|\bfertile\b"
        r"|\bimpregnat\w*|\bβ-hcg\b",
        r"\b(?:WOCBP|hCG)\b",
    ),
    Concept(
        "Other trials / investigational agents",
        "part enro invo inve anot othe",
        1,
        r"\b(?:participat\w*|enrol\w*|involve\w*)\b(?=[^.;]{0,30}?\b(?:another|other|concurrent|simultaneous"
        r"|different)\b[^.;]{0,20}?\b(?:trials?|stud(?:y|ies))\b)"
        r"|\binvestigational\s+(?:drugs?|agents?|products?|devices?|medic\w*|compounds?)"
        r"|\b(?:another|other)\s+(?:\w+\s+)?(?:clinical\s+)?trials?\b"
        r"|\bparticipat\w*\s+in\s+(?:an?|any)\s+(?:\w+\s+)?(?:clinical\s+)?(?:trial|study)\b",
    ),
    Concept(
        "Compliance / ability to follow the protocol",
        "comp adhe foll geog acce able abil will unab inab capa stud",
        2,
        r"\bcomplian\w*|\bcomply\b|\badher\w*|\bfollow[- ]?ups?\b|\bgeographic\w*|\baccessible\b"
        r"|\b(?:able|ability|willing\w*|unable|inability|capable)\b(?=[^.;]{0,30}?\b(?:to\s+)?(?:follow"
        r"|complete|attend|comprehend|understand|cooperate|participate|return))"
        r"|\bstudy\s+(?:procedures|requirements|visits|schedule)",
    ),
    Concept(
        "Informed consent",
        "cons icf",
        1,
        r"\bconsent\w*",
        r"\bICF\b",
    ),
    Concept(
        "Investigator's judgement",
        "inve judg opin disc deem cons asse unsu inap inte jeop by",
        2,
        r"\binvestigator\W{0,3}s?\b(?=[^.;]{0,20}?\b(?:judg|opinion|discretion|view))"
        r"|\b(?:judg\w*|opinion|discretion)\s+of\s+(?:the\s+)?(?:treating\s+|principal\s+)?investigator"
        r"|\b(?:deemed|considered|judged|assessed)\b(?=[^.;]{0,40}?\b(?:unsuitable|inappropriate"
        r"|not\s+suitable|ineligible|unfit))"
        r"|\bunsuitable\b|\binappropriate\b|\binterfere\w*\s+with|\bjeopardi[sz]\w*|\bby\s+the\s+investigator",
    ),
)
CONCEPT_NAMES: tuple[str, ...] = tuple(c.name for c in CONCEPTS)
_CONCEPT_ORDER = {name: n for n, name in enumerate(CONCEPT_NAMES)}
_TIER = {c.name: c.tier for c in CONCEPTS}
_ORGAN_SYSTEMS = frozenset({HAEMATOLOGY, LIVER, RENAL})


@dataclass(frozen=True)
class _Rule:
    name: str
    tier: int
    triggers: frozenset[str]
    words: re.Pattern
    acronyms: re.Pattern | None


def _rule(concept: Concept) -> _Rule:
    triggers = frozenset(concept.triggers.split())
    if any(not 2 <= len(t) <= 4 or t != t.lower() for t in triggers):
        raise ValueError(f"triggers of {concept.name!r} must be lowercase and 2 to 4 letters long")
    acronyms = re.compile(concept.acronyms) if concept.acronyms else None
    return _Rule(concept.name, concept.tier, triggers, re.compile(concept.words), acronyms)


_RULES = tuple(_rule(c) for c in CONCEPTS)
_TOKEN = re.compile(r"\w+")
_LETTERS = re.compile(r"[^\W\d_]+")  # "75years" -> "years"


def _word_beginnings(lowered: str) -> set[str]:
    """The 2-, 3- and 4-letter beginnings of the words (and of the letter runs) of a text."""
    beginnings = set()
    for word in _TOKEN.findall(lowered) + _LETTERS.findall(lowered):
        beginnings.update((word[:2], word[:3], word[:4]))
    return beginnings


def _first_position(rule: _Rule, text: str, lowered: str) -> int | None:
    match = rule.words.search(lowered)
    position = match.start() if match else None
    if rule.acronyms is not None:
        match = rule.acronyms.search(text)
        if match and (position is None or match.start() < position):
            position = match.start()
    return position


def _matches(text: str, prefilter: bool) -> tuple[tuple[str, int, int], ...]:
    lowered = text.lower()
    beginnings = _word_beginnings(lowered) if prefilter else set()
    found = []
    for rule in _RULES:
        if prefilter and rule.triggers.isdisjoint(beginnings):
            continue  # no word the rule could start from: skip the regex (most rules, most texts)
        position = _first_position(rule, text, lowered)
        if position is not None:
            found.append((rule.name, rule.tier, position))
    found.sort(key=lambda m: (m[2], _CONCEPT_ORDER[m[0]]))
    return tuple(found)


@lru_cache(maxsize=8192)
def concept_matches(text: str) -> tuple[tuple[str, int, int], ...]:
    """Every concept the text mentions: (name, tier, position of its first mention), in text order."""
    return _matches(text, prefilter=True)


def concept_matches_exhaustive(text: str) -> tuple[tuple[str, int, int], ...]:
    """``concept_matches`` without the trigger prefilter: the slow reference it must agree with."""
    return _matches(text, prefilter=False)


def criterion_concept(text: str) -> str | None:
    """The ONE concept a criterion is about, or None.

    The first concept mentioned in the text wins, but a specific (tier 1) concept anywhere beats a
    generic (tier 2) one ("prior", "diagnosis", "investigator", "surgery", ...). An item whose first
    concept is a blood, liver or kidney test and that also tests another of the three is "Organ
    function (overall)".
    """
    matches = concept_matches(text)
    if not matches:
        return None
    best_tier = min(tier for _, tier, _ in matches)
    winner = next(name for name, tier, _ in matches if tier == best_tier)
    if winner in _ORGAN_SYSTEMS and len(_ORGAN_SYSTEMS & {name for name, _, _ in matches}) >= 2:
        return ORGAN
    return winner


# ---------------------------------------------------------------- values for the differs rule

_NUMBER = r"(\d{1,3}(?:\.\d+)?)"
_NOT_AN_AGE_UNIT = r"(?!\s*(?:\.\d|\d|kg|%|mg|g\b|cm|m2|m²|x|×|months?|weeks?|days?))"
_AGE_RANGE = re.compile(
    r"(?<![\d.])" + _NUMBER + r"\s*(?:years?|yrs?)?\s*(?:-|–|—|to|and)\s*" + _NUMBER + _NOT_AN_AGE_UNIT,
    re.I,
)
_LOWER_BOUNDS = (
    (
        re.compile(
            r"(?:≥|>=|≧|=>|at\s+least|minimum(?:\s+of)?|no\s+younger\s+than)\s*" + _NUMBER + _NOT_AN_AGE_UNIT,
            re.I,
        ),
        "≥",
    ),
    (re.compile(r"(?:>|older\s+than|more\s+than|over|above)\s*" + _NUMBER + _NOT_AN_AGE_UNIT, re.I), ">"),
    (
        re.compile(
            _NUMBER + r"\s*(?:years?|yrs?)?\s*(?:of\s+age\s*)?(?:or|and)\s+(?:older|over|above)", re.I
        ),
        "≥",
    ),
)
_UPPER_BOUNDS = (
    (
        re.compile(
            r"(?:≤|<=|≦|=<|at\s+most|up\s+to|maximum(?:\s+of)?|no\s+older\s+than)\s*"
            + _NUMBER
            + _NOT_AN_AGE_UNIT,
            re.I,
        ),
        "≤",
    ),
    (re.compile(r"(?:<|younger\s+than|less\s+than|under|below)\s*" + _NUMBER + _NOT_AN_AGE_UNIT, re.I), "<"),
)


def _first_bound(text: str, patterns) -> str | None:
    best = None
    for pattern, sign in patterns:
        match = pattern.search(text)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), f"{sign}{float(match.group(1)):g}")
    return best[1] if best else None


def age_bounds(text: str) -> tuple[str | None, str | None] | None:
    """'Age 18-75 years' -> ('≥18', '≤75'); 'At least 18 years old' -> ('≥18', None); None if no age."""
    match = _AGE_RANGE.search(text)
    if match and float(match.group(1)) < float(match.group(2)) <= 120:
        return f"≥{float(match.group(1)):g}", f"≤{float(match.group(2)):g}"
    lower = _first_bound(text, _LOWER_BOUNDS)
    upper = _first_bound(text, _UPPER_BOUNDS)
    if lower is None and upper is None:
        return None
    return lower, upper


_ECOG_NAMED = re.compile(
    r"\bECOG\b|\beastern\s+cooperative(?:\s+oncology\s+group)?|\bzubrod|\bWHO\s+(?:PS|performance)", re.I
)
_PERFORMANCE_WORDS = re.compile(r"\bperformance\s+(?:status|score)", re.I)
_PERCENT_SCALE = re.compile(r"\b(karnofsky|lansky)\b|(?-i:\b(KPS)\b)", re.I)
_ECOG_CLAUSE_END = re.compile(
    r"[;.](?:\s|$)|\band\s+(?!\d)|\bwith\b|\bkarnofsky|\blansky|(?-i:\bKPS\b)", re.I
)
_ACRONYM_IN_PARENS = re.compile(r"\((?:ECOG|PS|WHO|KPS)\)", re.I)
_SCORE = r"([0-5])(?![\d.]\d|\d)"
_SCORE_RANGE = re.compile(r"(?<![\d.])" + _SCORE + r"\s*(?:-|–|—|to|through)\s*" + _SCORE, re.I)
_SCORE_AT_MOST = re.compile(
    r"(≤|<=|≦|=<|<|at\s+most|no\s+(?:more|greater)\s+than|less\s+than)\s*" + _SCORE, re.I
)
_SCORE_OR_LESS = re.compile(r"(?<![\d.])" + _SCORE + r"\s*or\s+(?:less|lower|below|better)", re.I)
_SCORE_SINGLE = re.compile(r"(?<![\d.])" + _SCORE)
_PERCENT_BOUND = re.compile(
    r"(≥|>=|≧|>|at\s+least)?\s*(\d{2,3})\s*%?(\s*(?:or\s+(?:more|higher|greater|above)|and\s+above))?",
    re.I,
)


def _ecog_scores(window: str) -> frozenset[int] | None:
    window = _ACRONYM_IN_PARENS.sub(" ", window)
    end = _ECOG_CLAUSE_END.search(window)
    window = window[: end.start()] if end else window
    match = _SCORE_RANGE.search(window)
    if match:
        return frozenset(range(int(match.group(1)), int(match.group(2)) + 1))
    match = _SCORE_AT_MOST.search(window)
    if match:
        top = int(match.group(2)) - (1 if match.group(1) in ("<", "less than") else 0)
        return frozenset(range(0, top + 1))
    match = _SCORE_OR_LESS.search(window)
    if match:
        return frozenset(range(0, int(match.group(1)) + 1))
    scores = frozenset(int(m.group(1)) for m in _SCORE_SINGLE.finditer(window))
    return scores or None


def performance_values(text: str) -> tuple | None:
    """'ECOG performance status 0, 1 or 2' -> (('ECOG', (0, 1, 2)),); Karnofsky as ('KPS', '≥70')."""
    values = []
    percent = _PERCENT_SCALE.search(text)
    # "performance status" alone is the ECOG scale, unless the text names Karnofsky or Lansky
    scale = _ECOG_NAMED.search(text) or (None if percent else _PERFORMANCE_WORDS.search(text))
    if scale:
        scores = _ecog_scores(text[scale.end() : scale.end() + 120])
        if scores is None:
            return None
        values.append(("ECOG", tuple(sorted(scores))))
    if percent:
        bound = _PERCENT_BOUND.search(text, percent.end(), percent.end() + 60)
        if not bound or not bound.group(2):
            return None
        written = (bound.group(1) or "").lower()
        sign = ">" if written == ">" else "≥" if written or bound.group(3) else "="
        values.append(("KPS", f"{sign}{bound.group(2)}"))
    return tuple(values) or None


_DURATION = re.compile(
    r"(≥|>=|≧|>|≤|<=|<|at\s+least|(?:more|greater|longer|less|fewer|shorter)\s+than|over|under|minimum\s+of)?"
    r"\s*(\d{1,3})\s*(months?|weeks?|days?|years?)",
    re.I,
)
_DURATION_SIGN = {
    ">": ">",
    "more than": ">",
    "greater than": ">",
    "longer than": ">",
    "over": ">",
    "<": "<",
    "less than": "<",
    "fewer than": "<",
    "shorter than": "<",
    "under": "<",
    "≤": "≤",
    "<=": "≤",
}


def life_expectancy_value(text: str) -> str | None:
    """'Life expectancy of at least 3 months' -> '≥3 month'; '>3 months' -> '>3 month'."""
    match = _DURATION.search(text)
    if not match:
        return None
    sign = _DURATION_SIGN.get(squash(match.group(1)).lower(), "≥")
    return f"{sign}{match.group(2)} {match.group(3).lower().rstrip('s')}"


_VALUE_OF: dict[str, Callable[[str], Hashable | None]] = {
    AGE: age_bounds,
    PERFORMANCE: performance_values,
    LIFE_EXPECTANCY: life_expectancy_value,
}


def _single_concept(text: str) -> bool:
    return len({name for name, _, _ in concept_matches(text)}) == 1


def _values_agree(concept: str | None, cells: list[list[AlignedItem]]) -> bool:
    """Case (b) of the differs rule: the concept's values are extracted and equal for every trial."""
    extract = _VALUE_OF.get(concept or "")
    if extract is None:
        return False
    per_trial = []
    for cell in cells:
        values = set()
        for item in cell:
            value = extract(item.text) if _single_concept(item.text) else None
            if value is None:
                return False
            values.add(value)
        per_trial.append(values)
    return all(values == per_trial[0] for values in per_trial)


def _differs(cells: list[list[AlignedItem]], concept: str | None = None) -> bool:
    if any(not cell for cell in cells):
        return True
    texts = [sorted(normalized(item.text) for item in cell) for cell in cells]
    if all(t == texts[0] for t in texts):
        return False
    return not _values_agree(concept, cells)


def _texts_differ(cells: list[list[str]]) -> bool:
    return _differs([[AlignedItem(0, "", text, frozenset()) for text in cell] for cell in cells])


# ---------------------------------------------------------------- alignment


def _cluster(items: list[AlignedItem], threshold: float) -> list[list[AlignedItem]]:
    """Greedy single-link clusters of similar items, at most one item per trial in a cluster.

    Pairs from different trials are merged best first (ties: earlier items first) while their words
    overlap at least ``threshold`` (a negative threshold pairs everything it can). Clusters come in
    order of their first item.
    """
    root = list(range(len(items)))
    trials = [{item.trial} for item in items]

    def find(n: int) -> int:
        while root[n] != n:
            root[n] = root[root[n]]
            n = root[n]
        return n

    pairs = []
    for a, first in enumerate(items):
        for b in range(a + 1, len(items)):
            second = items[b]
            if first.trial != second.trial:
                score = jaccard(first.words, second.words)
                if score >= threshold:
                    pairs.append((-score, a, b))
    pairs.sort()
    for _, a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb and not trials[ra] & trials[rb]:
            root[rb] = ra
            trials[ra] |= trials[rb]
    clusters: dict[int, list[AlignedItem]] = {}
    for n, item in enumerate(items):
        clusters.setdefault(find(n), []).append(item)  # dicts keep insertion order: first item first
    return list(clusters.values())


def _row(concept: str | None, items: list[AlignedItem], n_trials: int, compare_values: bool = False) -> Row:
    cells: list[list[AlignedItem]] = [[] for _ in range(n_trials)]
    for item in items:
        cells[item.trial].append(item)
    return Row(
        concept=concept,
        cells=[[item.text for item in cell] for cell in cells],
        keys=[[item.ref for item in cell] for cell in cells],
        differs=_differs(cells, concept if compare_values else None),
    )


# ---------------------------------------------------------------- eligibility


def _is_heading(criterion: Criterion) -> bool:
    return bool(criterion.children) and criterion.text.rstrip().endswith((":", "："))


def _render(criterion: Criterion, depth: int = 0) -> str:
    lines = [("  " * depth + "- " if depth else "") + criterion.text]
    lines.extend(_render(child, depth + 1) for child in criterion.children)
    return "\n".join(lines)


def _units(criteria: list[Criterion], section: str, parent: str = "") -> list[tuple[ItemRef, Criterion]]:
    """(ref, criterion) for each alignable item: heading-only items are replaced by their children."""
    units = []
    for number, criterion in numbered(criteria, parent):
        if _is_heading(criterion):
            units.extend(_units(criterion.children, section, number))
        else:
            units.append((criterion_ref(section, number), criterion))
    return units


def criteria_items(record: TrialRecord, section: str, trial: int = 0) -> list[AlignedItem]:
    """The alignable criteria of one section ("inclusion" also takes the "other" items)."""
    eligibility = record.eligibility
    if eligibility is None:
        return []
    parts = ("inclusion", "other") if section == "inclusion" else (section,)
    aligned = []
    for part in parts:
        for ref, criterion in _units(getattr(eligibility, part), part):
            text = _render(criterion)
            concept = criterion_concept(criterion.text)
            if concept is None and criterion.children:
                concept = criterion_concept(text)
            aligned.append(AlignedItem(trial, ref, text, content_words(text), concept))
    return aligned


def _by_group(aligned: list[AlignedItem]) -> tuple[dict[str, list[AlignedItem]], list[AlignedItem]]:
    """The items of each group (in order of first appearance), and the items of none."""
    groups: dict[str, list[AlignedItem]] = {}
    loose = []
    for item in aligned:
        if item.group is None:
            loose.append(item)
        else:
            groups.setdefault(item.group, []).append(item)
    return groups, loose


def _criteria_rows(records: list[TrialRecord], section: str) -> list[Row]:
    aligned = [item for n, record in enumerate(records) for item in criteria_items(record, section, n)]
    by_concept, unmatched = _by_group(aligned)
    rows = [
        _row(concept, by_concept[concept], len(records), compare_values=True)
        for concept in CONCEPT_NAMES
        if concept in by_concept
    ]
    rows.extend(_row(None, cluster, len(records)) for cluster in _cluster(unmatched, TEXT_SIMILARITY))
    return rows


# ---------------------------------------------------------------- outcomes


def _endpoint(name: str, *alternatives: str) -> tuple[str, re.Pattern]:
    return name, re.compile("|".join(alternatives), re.IGNORECASE)


ENDPOINTS: tuple[tuple[str, re.Pattern], ...] = (
    _endpoint("Overall survival", r"\boverall\s+survival\b", r"(?-i:\bOS\b)"),
    _endpoint("Progression-free survival", r"\bprogression[- ]free\s+survival", r"(?-i:\bPFS\d*\b)"),
    _endpoint("Event-free survival", r"\bevent[- ]free\s+survival", r"(?-i:\bEFS\b)"),
    _endpoint(
        "Disease/relapse-free survival",
        r"\b(?:disease|relapse|recurrence|metastasis)[- ]free\s+survival",
        r"(?-i:\b(?:DFS|RFS|MFS)\b)",
    ),
    _endpoint("Time to progression", r"\btime\s+to\s+(?:disease\s+)?progression", r"(?-i:\bTTP\b)"),
    _endpoint(
        "Duration of response", r"\bduration\s+of\s+(?:\w+\s+)?(?:response|remission)", r"(?-i:\bDoR\b)"
    ),
    _endpoint("Time to response", r"\btime\s+to\s+(?:\w+\s+)?(?:response|remission)"),
    _endpoint(
        "Complete response/remission",
        r"\bcomplete\s+(?:response|remission)",
        r"(?-i:\b(?:CR|CRR|pCR)\b)",
        r"\bpathologic\w*\s+complete",
    ),
    _endpoint("Disease control", r"\bdisease\s+control", r"(?-i:\bDCR\b)", r"\bclinical\s+benefit"),
    _endpoint(
        "Objective response",
        r"\b(?:objective|overall|tumou?r|best\s+overall)\s+response",
        r"(?-i:\b(?:ORR|BOR)\b)",
        r"\bresponse\s+rate",
    ),
    _endpoint("Dose-limiting toxicity", r"\bdose[- ]limiting", r"(?-i:\bDLTs?\b)"),
    _endpoint(
        "Maximum tolerated / recommended dose",
        r"\bmaximum\s+tolerated\s+dose",
        r"(?-i:\b(?:MTD|RP2D)\b)",
        r"\brecommended\s+phase\s+(?:2|II)\s+dose",
    ),
    _endpoint(
        "Adverse events / safety",
        r"\badverse\s+(?:events?|reactions?)",
        r"(?-i:\bT?E?AEs?\b)",
        r"\btoxicit\w*|\bsafety\b|\btolerab\w*|\bside\s+effects?",
    ),
    _endpoint(
        "Pharmacokinetics",
        r"\bpharmacokinetic\w*",
        r"(?-i:\b(?:PK|Cmax|Cmin|AUC\w*|Tmax|tmax|t1/2|CL|Vss|Vd)\b)",
        r"\bhalf-life",
    ),
    _endpoint("Immunogenicity", r"\banti-drug\s+antibod\w*", r"(?-i:\bADAs?\b)", r"\bimmunogenicity"),
    _endpoint(
        "Quality of life / patient-reported",
        r"\bquality\s+of\s+life",
        r"(?-i:\b(?:QoL|HRQoL|QLQ-\w+|EQ-5D\S*|PROs?|FACT-\w+)\b)",
        r"\bpatient[- ]reported",
        r"\bEORTC\b",
    ),
    _endpoint("Minimal residual disease", r"\bminimal\s+residual\s+disease", r"(?-i:\bMRD\b)"),
)


@lru_cache(maxsize=4096)
def outcome_endpoint(measure: str) -> str | None:
    """The known endpoint the measure names first ('Progression-Free Survival (PFS)' -> PFS), or None."""
    best = None
    for name, pattern in ENDPOINTS:
        match = pattern.search(measure)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), name)
    return best[1] if best else None


def outcome_text(outcome: Outcome) -> str:
    return f"{outcome.measure} ({outcome.time_frame})" if outcome.time_frame else outcome.measure


def outcome_items(record: TrialRecord, trial: int = 0) -> list[AlignedItem]:
    """The outcomes of a record as items: outcome "primary/1", "secondary/2", ..."""
    return [
        AlignedItem(trial, ref, outcome_text(o), content_words(o.measure), outcome_endpoint(o.measure))
        for ref, o in numbered_outcomes(record.outcomes)
    ]


def _kind_label(kind: str) -> str:
    return kind[:1].upper() + kind[1:]


def _outcome_rows(records: list[TrialRecord]) -> list[Row]:
    aligned = [item for n, record in enumerate(records) for item in outcome_items(record, n)]
    kinds = list(OUTCOME_KINDS) + sorted({i.ref.group for i in aligned} - set(OUTCOME_KINDS))
    rows = []
    for kind in kinds:
        of_kind = [item for item in aligned if item.ref.group == kind]
        groups, loose = _by_group(of_kind)
        named = [(f"{_kind_label(kind)}: {name}", members) for name, members in groups.items()]
        unnamed = [(f"{_kind_label(kind)} outcome", members) for members in _cluster(loose, TEXT_SIMILARITY)]
        position = {id(item): n for n, item in enumerate(of_kind)}
        ordered = sorted(named + unnamed, key=lambda group: position[id(group[1][0])])
        rows.extend(_row(concept, members, len(records)) for concept, members in ordered)
    return rows


# ---------------------------------------------------------------- arms

ROLE_OF_TYPE = {
    "EXPERIMENTAL": "Experimental",
    "ACTIVE_COMPARATOR": "Comparator",
    "PLACEBO_COMPARATOR": "Comparator",
    "SHAM_COMPARATOR": "Comparator",
    "NO_INTERVENTION": "Comparator",
}
ROLES = ("Experimental", "Comparator", "Other")
_INTERVENTION_TYPE_PREFIX = re.compile(r"^[A-Za-z ]+:\s*")


def arm_text(arm: Arm) -> str:
    """'[Experimental] FMT: Procedure: Fecal Microbiota Transplant (FMT)'."""
    head = f"[{label(arm.type)}] {arm.label}" if arm.type else arm.label
    return f"{head}: {', '.join(arm.intervention_names)}" if arm.intervention_names else head


def arm_role(arm: Arm, trial_has_experimental: bool = True) -> str:
    """Experimental, Comparator or Other; in a trial with no experimental arm, "Other" arms (and arms
    of no type) are taken as experimental: that is what a single-group "Other" arm usually is."""
    role = ROLE_OF_TYPE.get(arm.type or "", "Other")
    return "Experimental" if role == "Other" and not trial_has_experimental else role


def arm_items(record: TrialRecord, trial: int = 0) -> list[AlignedItem]:
    arms = record.arms or []
    has_experimental = any(arm.type == "EXPERIMENTAL" for arm in arms)
    aligned = []
    for arm in arms:
        names = " ".join(_INTERVENTION_TYPE_PREFIX.sub("", name) for name in arm.intervention_names)
        words = content_words(f"{arm.label} {names}")
        aligned.append(AlignedItem(trial, arm_ref(arm.label), arm_text(arm), words, arm_role(arm, has_experimental)))
    return aligned


def _arm_rows(records: list[TrialRecord]) -> list[Row]:
    aligned = [item for n, record in enumerate(records) for item in arm_items(record, n)]
    rows = []
    for role in ROLES:
        of_role = [item for item in aligned if item.group == role]
        rows.extend(_row(f"{role} arm", cluster, len(records)) for cluster in _cluster(of_role, -1.0))
    return rows


# ---------------------------------------------------------------- design


def _code(value: str | None) -> str:
    return label(value) if value else NOT_IN_SOURCE


def _masking(record: TrialRecord) -> str:
    design = record.design
    if not design.masking:
        return NOT_IN_SOURCE
    who = ", ".join(label(w) for w in design.who_masked)
    return f"{label(design.masking)} ({who})" if who else label(design.masking)


def _enrollment(record: TrialRecord) -> str:
    design = record.design
    if design.enrollment_count is None:
        return NOT_IN_SOURCE
    kind = f" ({label(design.enrollment_type)})" if design.enrollment_type else ""
    return f"{design.enrollment_count}{kind}"


def _eligibility_field(record: TrialRecord, name: str) -> str:
    eligibility = record.eligibility
    if eligibility is None:
        return NOT_IN_SOURCE
    value = getattr(eligibility, name)
    if name in ("minimum_age", "maximum_age"):
        return value or "no limit"
    if name == "healthy_volunteers":
        return NOT_IN_SOURCE if value is None else ("Yes" if value else "No")
    return _code(value)


def _start(record: TrialRecord) -> str:
    dates = record.dates
    if not dates.start:
        return NOT_IN_SOURCE
    return f"{dates.start} ({label(dates.start_type)})" if dates.start_type else dates.start


def _listed(values: list[str] | None) -> str:
    if values is None:
        return NOT_IN_SOURCE
    return "; ".join(values) if values else EMPTY


DESIGN_FIELDS: tuple[tuple[str, str, Callable[[TrialRecord], str]], ...] = (
    ("study_type", "Study type", lambda r: _code(r.design.study_type)),
    ("phases", "Phases", lambda r: phases_label(r.design.phases) or EMPTY),
    ("primary_purpose", "Primary purpose", lambda r: _code(r.design.primary_purpose)),
    ("allocation", "Allocation", lambda r: _code(r.design.allocation)),
    ("intervention_model", "Intervention model", lambda r: _code(r.design.intervention_model)),
    ("masking", "Masking", _masking),
    ("enrollment", "Enrollment", _enrollment),
    ("overall_status", "Status", lambda r: _code(r.overall_status)),
    ("sex", "Sex", lambda r: _eligibility_field(r, "sex")),
    ("minimum_age", "Minimum age", lambda r: _eligibility_field(r, "minimum_age")),
    ("maximum_age", "Maximum age", lambda r: _eligibility_field(r, "maximum_age")),
    ("healthy_volunteers", "Healthy volunteers", lambda r: _eligibility_field(r, "healthy_volunteers")),
    ("lead_sponsor", "Sponsor", lambda r: r.lead_sponsor.name if r.lead_sponsor else NOT_IN_SOURCE),
    ("start", "Start date", _start),
    ("conditions", "Conditions", lambda r: _listed(r.conditions)),
)


def _ages_differ(texts: list[str]) -> bool:
    years = [age_in_years(text) for text in texts]
    if None in years:
        return len({normalized(text) for text in texts}) > 1
    return len(set(years)) > 1


def _design_rows(records: list[TrialRecord]) -> list[Row]:
    rows = []
    for field_name, concept, show in DESIGN_FIELDS:
        texts = [show(record) for record in records]
        if field_name in ("minimum_age", "maximum_age"):
            differs = _ages_differ(texts)
        else:
            differs = _texts_differ([[text] for text in texts])
        keys = [[design_field(field_name)] for _ in records]
        rows.append(Row(concept, [[text] for text in texts], keys, differs))
    return rows


# ---------------------------------------------------------------- public API


def compare_records(records: list[TrialRecord]) -> Comparison:
    """Align the design, arms, criteria and outcomes of 2 to 6 trials (columns in the given order)."""
    records = list(records)
    if not MIN_TRIALS <= len(records) <= MAX_TRIALS:
        raise ValueError(
            f"compare {MIN_TRIALS} to {MAX_TRIALS} trials at a time; {len(records)} "
            f"{'was' if len(records) == 1 else 'were'} given"
        )
    return Comparison(
        trials=[record.registry_id for record in records],
        sections={
            "design": _design_rows(records),
            "arms": _arm_rows(records),
            "inclusion": _criteria_rows(records, "inclusion"),
            "exclusion": _criteria_rows(records, "exclusion"),
            "outcomes": _outcome_rows(records),
        },
    )


def _interventions_of(record: TrialRecord, arm: Arm) -> list[str]:
    """'name: description' of the interventions given to an arm."""
    given = {_INTERVENTION_TYPE_PREFIX.sub("", name).casefold() for name in arm.intervention_names}
    texts = []
    for intervention in record.interventions or []:
        if arm.label in intervention.arm_labels or intervention.name.casefold() in given:
            details = squash(intervention.description)
            texts.append(f"{intervention.name}: {details}" if details else intervention.name)
    return texts


def compare_arms(record: TrialRecord) -> Comparison:
    """The arms of ONE trial as the columns: rows for type, description, interventions (and details).

    The design, inclusion, exclusion and outcomes sections are empty lists.
    """
    arms = record.arms or []
    if not arms:
        raise ValueError(f"{record.registry_id} has no arms to compare")
    keys = [[arm_ref(arm.label)] for arm in arms]
    cells_by_row = [
        ("Type", [[_code(arm.type)] for arm in arms]),
        ("Description", [[squash(arm.description) or EMPTY] for arm in arms]),
        ("Interventions", [list(arm.intervention_names) or ["none"] for arm in arms]),
    ]
    if record.interventions is not None:
        cells_by_row.append(
            ("Intervention details", [_interventions_of(record, arm) or ["none"] for arm in arms])
        )
    rows = [
        Row(
            concept,
            cells,
            [key * len(cell) for key, cell in zip(keys, cells, strict=True)],
            _texts_differ(cells),
        )
        for concept, cells in cells_by_row
    ]
    sections: dict[str, list[Row]] = {name: [] for name in SECTIONS}
    sections["arms"] = rows
    return Comparison(trials=[arm.label for arm in arms], sections=sections)


def comparison_to_json(c: Comparison) -> dict:
    """{"trials": [...], "sections": {section: [{"concept", "cells", "differs"}, ...]}} (JSON-ready)."""
    return {
        "trials": list(c.trials),
        "sections": {
            name: [
                {"concept": row.concept, "cells": [list(cell) for cell in row.cells], "differs": row.differs}
                for row in c.sections.get(name, [])
            ]
            for name in SECTIONS
        },
    }


# ---------------------------------------------------------------- plain text


def _wrap_cell(texts: list[str], width: int) -> list[str]:
    if not texts:
        return [EMPTY]
    lines = []
    for text in texts:
        bullet = "• " if len(texts) > 1 else ""
        for n, part in enumerate(text.split("\n")):
            first = bullet if n == 0 else " " * len(bullet)
            lead = len(part) - len(part.lstrip())
            indent = first + " " * lead
            lines.extend(
                textwrap.wrap(
                    part.strip(),
                    width,
                    initial_indent=indent,
                    subsequent_indent=" " * len(indent),
                    break_long_words=True,
                )
                or [""]
            )
    return lines


def _table_lines(rows: list[Row], headers: list[str], width: int) -> list[str]:
    n = len(headers)
    label_width = max(12, min(28, width // 6))
    column = max(12, (width - 2 - label_width - 3 * n) // n)

    def line(mark: str, first: str, cells: list[str]) -> str:
        parts = [f"{mark} {first:<{label_width}}"] + [f"{cell:<{column}}" for cell in cells]
        return " | ".join(parts).rstrip()

    rule = "-" * (2 + label_width + n * (3 + column))
    out = [line(" ", "", [h[:column] for h in headers]), rule]
    previous_height = 1
    for row in rows:
        first = textwrap.wrap(row.concept or "(unmatched)", label_width) or [""]
        cells = [_wrap_cell(cell, column) for cell in row.cells]
        height = max(len(first), *(len(c) for c in cells))
        if out[-1] != rule and (height > 1 or previous_height > 1):
            out.append(rule)  # rows of one line each sit together; longer rows are ruled off
        for i in range(height):
            mark = DIFFERS_MARK if row.differs and i == 0 else " "
            label_part = first[i] if i < len(first) else ""
            out.append(line(mark, label_part, [c[i] if i < len(c) else "" for c in cells]))
        previous_height = height
    out.append(rule)
    return out


def comparison_text(c: Comparison, width: int = 160) -> str:
    """Plain-text tables for a terminal: a heading per section, a column per trial, "≠" where rows differ."""
    out = []
    for name in SECTIONS:
        rows = c.sections.get(name, [])
        if not rows:
            continue
        title = SECTION_TITLES[name]
        out.extend(["", f"{title}", "=" * len(title)])
        out.extend(_table_lines(rows, list(c.trials), width))
    out.append(f"{DIFFERS_MARK} = the columns differ on this row")
    return "\n".join(out).lstrip("\n") + "\n"
