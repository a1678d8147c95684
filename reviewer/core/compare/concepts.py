"""Clinical concepts of criteria (age, ECOG, pregnancy, brain metastases, ...): keyword and regex
rules that name what a criterion is about, for the rows of items whose facets state no value and
for the topic an item with values also speaks of ("Histology confirmed NSCLC with brain metastases":
its diagnosis besides its brain-metastases facet).

Speed: the rules are precompiled and run on lowercased text, a rule is only tried on a text
containing one of its trigger word-beginnings, and classifications are cached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

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
SEX = "Sex / gender"
DIAGNOSIS = "Diagnosis / histology"
BIOMARKER = "Biomarker / molecular"
MEASURABLE = "Measurable disease (RECIST)"
PRIOR_THERAPY = "Prior therapy"
COAGULATION = "Coagulation / bleeding"
CARDIAC = "Cardiac"
INFECTION = "Infection (HIV, hepatitis, active infection)"
BRAIN = "Brain / CNS metastases or involvement"
OTHER_MALIGNANCY = "Other malignancy"
ALLERGY = "Allergy / hypersensitivity"
PREGNANCY = "Pregnancy / breast-feeding / contraception"
CONSENT = "Informed consent"
MEDICATION = "Concomitant medication"
SURGERY = "Surgery / wounds"
OTHER_TRIALS = "Other trials / investigational agents"

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
        r"\bage(?<!bearing age)(?<!bearing-age)(?<!due to age)(?<!because of age)[ds]?\b(?!\s+of\s+(?:onset|diagnosis))(?![- ](?:specific|adjusted"
        r"|related|matched))"
        r"|\b\d{1,3}\s*(?:years?|yrs?)\s*(?:of\s+age|old|or\s+older|and\s+older|or\s+above|and\s+above|or\s+over)"
        r"|(?:≥|>=|≧|>)\s*(?:1[2-9]|2[01])\s*(?:years?|yrs?)\b"
        r"|\b(?:older|younger)\s+than\s+(?:1[2-9]|[2-9]\d)\b"
        r"|\b(?:over|above|under)\s+(?:the\s+age\s+of\s+)?(?:1[2-9]|[2-9]\d)\s*(?:years?|yrs?)\b(?!\s+ago)",
    ),
    Concept(
        SEX,
        "male fema men wome gend sex",
        2,
        r"^\W*(?:be\s+(?:an?\s+)?)?(?:males?|females?|men|women)\b"
        r"(?!\s*(?:or|and|/|&)\s*(?:females?|males?|women|men)\b)"  # "male or female" restricts nothing
        r"|\bgender\b(?<!regardless of gender)(?<!either gender)(?<!any gender)(?<!both gender)"
        r"|\bsex\b(?!ual)(?<!regardless of sex)(?<!either sex)(?<!any sex)(?<!both sex)",
    ),
    Concept(
        DIAGNOSIS,
        "hist cyto path diag undi conf biop prov",
        2,
        r"\b(?:histolog|cytolog|patholog)\w*|\b(?:un)?diagnos(?:is|es|ed)\b|\bdiagnostic\s+criteria|\bconfirmed\b"
        r"|\bproven\b"
        r"|\bbiopsy[- ](?:proven|confirmed)",
    ),
    Concept(
        "Disease stage / extent",
        "stag meta loca unre adva inop recu tnm",
        2,
        r"\bstage\s+(?:[iv0-4]|[a-d]\b|t[0-4])|\bmetasta(?:tic|ses|sis)\b|\blocally\s+advanced|\bunresectable\b"
        r"|\badvanced\b|\binoperable\b"
        r"|\brecurrent\b(?=\s+(?:or\s+\w+\s+)?(?:disease|cancer|tumou?r|carcinoma|malignan|\(?stage))",
        r"\bTNM\b",
    ),
    Concept(
        BIOMARKER,
        "muta rear fusi ampl over expr biom kary cyto phil egfr alk ros1 her2 kras braf met ret ntrk pd pdl1"
        " t790 bcr flt3 idh idh1 idh2 npm1 cd tp53 brca msi dmmr tmb",
        2,
        r"\bmutation\w*|\bmutant\b|\brearrange\w*|\bfusions?\b|\bamplification\b|\boverexpress\w*"
        r"|\bexpression\b|\bbiomarker\w*|\bkaryotyp\w*|\bcytogenetic\w*|\bphiladelphia\b",
        r"\b(?:EGFR|ALK|ROS1|HER2|KRAS|BRAF|MET|RET|NTRK\d?|PD-?L1|T790M|BCR-ABL1?|FLT3|IDH[12]?|NPM1"
        r"|CD\d{1,3}|TP53|BRCA[12]?|MSI-H|dMMR|TMB)\b",
    ),
    Concept(
        MEASURABLE,
        "reci irec mrec meas eval rano luga targ lesi",
        1,
        r"\b[im]?recist\b|\bmeasurable\b|\bevaluable\s+(?:disease|lesions?)|\brano\b|\blugano\b"
        r"|\btarget\s+lesions?|\blesions?\b(?=[^.;]{0,160}?\b(?:accurately\s+)?measured\b)",
    ),
    Concept(
        PRIOR_THERAPY,
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
        "reco reso toxi pers resi unre ongo",
        1,
        r"\b(?:recover\w*|resol\w*)\b(?=[^.;]{0,60}?\b(?:toxicit|adverse\s+(?:event|effect)|side\s+effect))"
        r"|\btoxicit\w*\b(?=[^.;]{0,80}?\b(?:recover|resol))"
        r"|\b(?:persistent|residual|unresolved|ongoing)\b(?=(?:[\s,]+[\w-]+){0,4}?[\s,]+toxicit)",
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
        "bili tran amin hepa live cirr chil gilb alka jaun ast alt sgot sgpt ggt alp",
        1,
        r"\bbilirubin\b|\btransaminase\w*|\baminotransferase\w*"
        r"|\b(?:hepatic|liver)\s+(?:function|dysfunction|failure|impairment|insufficienc\w*|disease|cirrhosis)"
        r"|\bcirrhosis\b|\bchild[- ]pugh\b|\bgilbert|\balkaline\s+phosphatase|\bhepatobiliary\b|\bjaundice\b"
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
        COAGULATION,
        "coag anti blee hemo haem prot thro diat inr ptt aptt",
        1,
        r"\b(?:anti)?coagul\w*|\bbleeding\b|\bha?emorrhag\w*|\bprothrombin\b|\bthrombo(?:sis|tic|embol\w*)\b"
        r"|\bdiathesis\b",
        r"\b(?:INR|PTT|aPTT|APTT)\b",
    ),
    Concept(
        CARDIAC,
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
        INFECTION,
        "huma hepa infe seps sept tube cyto covi sars hiv hbv hcv hbsa hbca aids cmv",
        1,
        r"\bhuman\s+immunodeficiency|\bhepatitis\b|\binfect\w*|\bseps[ie]s\b|\bseptic\w*|\btuberculosis\b"
        r"|\bcytomegalovirus|\bcovid|\bsars-cov",
        r"\b(?:HIV|HBV|HCV|HBsAg|HBcAb|AIDS|CMV)\b",
    ),
    Concept(
        BRAIN,
        "brai cent lept meni intr cere spin cns",
        1,
        r"\bbrain\b|\bcentral\s+nervous\s+system(?!\s+(?:injur|disorder|disease|trauma|infection))|\blepto-?\s*mening\w*|\bmeningeal\b|\bintracranial\b"
        r"|\bcerebral\s+metasta\w*|\bspinal\s+cord\s+compression",
        r"\bCNS\b",
    ),
    Concept(
        OTHER_MALIGNANCY,
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
        ALLERGY,
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
        SURGERY,
        "surg oper woun frac rese pros mast hyst orch neph cole gast lobe pneu ooph chol sple thyr",
        2,
        r"\bsurg\w*|\boperation\b|\bwounds?\b|\bfractures?\b|\bresection\b"
        r"|\b(?:prostat|mast|hyster|orchi|nephr|col|gastr|lob|pneumon|oophor|cholecyst|splen|thyroid)ectom(?:y|ies)\b",
    ),
    Concept(
        MEDICATION,
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
        PREGNANCY,
        "preg lact brea nurs chil cont post abst cond ster fert impr hcg wocb",
        1,
        r"\bpregnan\w*|\blactat(?:ing|ion)\b|\bbreast[- ]?feed\w*|\bnursing\b|\bchild[- ]?bearing"
        r"|\bcontracep\w*|\bpost-?menopaus\w*|\babstinen\w*|\bcondoms?\b|\bsterili[sz]\w*|\bfertile\b"
        r"|\bimpregnat\w*|\bβ-hcg\b",
        r"\b(?:WOCBP|hCG)\b",
    ),
    Concept(
        OTHER_TRIALS,
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
        CONSENT,
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
CONCEPT_ORDER = {name: n for n, name in enumerate(CONCEPT_NAMES)}
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
    found.sort(key=lambda m: (m[2], CONCEPT_ORDER[m[0]]))
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
