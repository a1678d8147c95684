"""The facet rules as data: trigger words, vocabularies, patterns and unit tables.

The extractors of this package compile these once at import; nothing here runs code. Patterns are matched against the
criterion's normalised text (markdown escapes removed, comparison signs as ASCII, full-width punctuation
as ASCII) with re.IGNORECASE unless a pattern switches case sensitivity on with (?-i:...). Each kind has
TRIGGERS: lower-case substrings of which at least one must occur before any of its patterns runs, so a
criterion pays for the regexes of the kinds it can hold only.
"""

from __future__ import annotations

# --- the prefilter: which kinds a criterion can hold, from the beginnings of its words -----------------
# A kind's extractor runs only when one of the criterion's words (lower case, split at anything but letters
# and digits) begins with one of its stems; a stem ending in "=" (and any stem of two letters) must be the
# whole word ("alt=" is ALT, not "alternative"). The stems are loose on purpose: a false alarm costs one
# extractor run, a miss loses a facet.
KIND_STEMS: dict[str, tuple[str, ...]] = {
    "performance": ("ecog", "zubrod", "karnofsky", "kps=", "lansky", "performance", "play=", "ps"),
    "age": ("age=", "aged=", "ages=", "old=", "older=", "yrs=", "yr="),
    "sex": ("male", "female", "men=", "man=", "women", "woman", "gender", "sex=", "sexes=", "boys=", "girls="),
    "life_expectancy": ("life=", "survival", "survive", "live="),
    "washout": ("day=", "days=", "week=", "weeks=", "month=", "months="),
    "prior_lines": ("line", "regimen"),
    "brain_metastases": ("brain", "cns=", "central=", "cerebral", "intracranial"),
    "biomarker": ("egfr=", "alk=", "ros1", "ros=", "her2", "erbb", "kras", "nras", "braf", "ntrk", "pd",
                  "pdl1", "brca", "pik3", "idh", "flt3", "estrogen", "oestrogen", "progesteron", "kinase", "exon",
                  "t790", "l858", "g719", "l861", "g12", "g13", "v600", "c797", "del19", "ex19", "tps=", "cps=",
                  "anaplastic"),
    "pregnancy": ("pregn", "gravid", "hcg=", "bhcg="),
    "breastfeeding": ("breast", "lactat", "nursing="),
    "contraception": ("contracep", "birth=", "abstinen"),
    "consent": ("consent", "assent", "icf=", "refus", "reject"),
    "measurable_disease": ("measurable=", "evaluable="),
    "hypersensitivity": ("hypersens", "allerg", "anaphyla", "sensitive=", "idiosyncra"),
    "infection": ("hiv", "immunodef", "hepatitis", "hbv", "hcv", "hbsag", "tubercul", "tb", "infect", "sepsis",
                  "septic", "covid", "sars", "syphilis"),
    "other_malignancy": ("malignan", "cancer", "neoplas", "tumor", "tumour", "carcinoma"),
    "prior_therapy": ("prior=", "previous", "naive=", "naïve=", "failure=", "failed=", "progressed=",
                      "refractory=", "intolerant=", "received=", "treated=", "history=", "adjuvant", "neo=",
                      "resistan", "failure="),
}
# biomarkers written only in capitals that no stem can tell from an English word ("MET", "ER+")
BIOMARKER_CAPITALS = ("MET ", "RET ", "RAS ", "ER+", "ER-", "PR+", "PR-", "ER ", "PR ", "ER/PR", "HER-2", "HER 2")

# --- comparison signs and words, as written in an item ---------------------------------------------
# longest first; each maps to the operator a facet carries
OPERATOR_WORDS: dict[str, str] = {
    "greater than or equal to": ">=",
    "more than or equal to": ">=",
    "higher than or equal to": ">=",
    "less than or equal to": "<=",
    "lower than or equal to": "<=",
    "no greater than": "<=",
    "not greater than": "<=",
    "no more than": "<=",
    "not more than": "<=",
    "no higher than": "<=",
    "not higher than": "<=",
    "not exceeding": "<=",
    "not to exceed": "<=",
    "not exceed": "<=",
    "no less than": ">=",
    "not less than": ">=",
    "of at least": ">=",
    "at least": ">=",
    "at most": "<=",
    "a minimum of": ">=",
    "minimum of": ">=",
    "minimum": ">=",
    "a maximum of": "<=",
    "maximum of": "<=",
    "up to": "<=",
    "greater than": ">",
    "more than": ">",
    "higher than": ">",
    "exceeding": ">",
    "exceeded": ">",
    "exceeds": ">",
    "exceed": ">",
    "above": ">",
    "over": ">",
    "less than": "<",
    "lower than": "<",
    "fewer than": "<",
    "below": "<",
    "under": "<",
    "equal to": "=",
    "within": "<=",
    ">=": ">=",
    "<=": "<=",
    ">": ">",
    "<": "<",
    "=": "=",
}

NUMBER_WORDS: dict[str, float] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "twelve": 12, "twice": 2, "double": 2, "triple": 3, "twofold": 2,
    "threefold": 3,
}

# --- laboratory analytes -----------------------------------------------------------------------------
# (analyte, pattern); earlier entries win where two could start at the same place ("creatinine clearance"
# before "creatinine", "haemoglobin A1c" before "haemoglobin", "direct bilirubin" before "bilirubin")
ANALYTES: list[tuple[str, str]] = [
    ("hba1c", r"(?:glycosylated|glycated)\s+ha?emoglobin(?:\s*\((?:hba1c|hb1ac|a1c)\))?|ha?emoglobin\s+a1c|\bhba1c\b|\bhb1ac\b|\ba1c\b"),
    ("creatinine_clearance", r"(?:serum\s+)?creatinine\s+clearance(?:\s+rate)?|\bcrcl\b|\bclcr\b"),
    ("egfr", r"(?-i:\beGFR\b|\bGFR\b|\bEGFR(?=\s*(?:<=|>=|<|>)\s*\d))|(?:estimated\s+)?glomerular\s+filtration\s+rate"),
    ("anc", r"absolute\s+neutrophil(?:\s+count)?s?|absolute\s+granulocyte\s+count|neutrophils?(?:\s+counts?)?|\banc\b|\bagc\b"),
    ("wbc", r"white\s+blood\s+(?:cells?|counts?)(?:\s+counts?)?|\bwbcs?\b|leu[ck]ocytes?(?:\s+counts?)?"),
    ("platelets", r"(?<!anti-)(?<!anti)platelets?(?:\s+counts?)?(?!\s*(?:function|rich|agents?|aggregation|inhibit\w*|therap\w*|transfusions?|treatment))|\bplt\b|thrombocytes?"),
    ("hemoglobin", r"ha?emoglobin|\bhgb\b|(?-i:\bHb\b)"),
    ("direct_bilirubin", r"(?:direct|conjugated)\s+bilirubin"),
    ("bilirubin", r"(?:total\s+)?(?:serum\s+)?(?:total\s+)?bilirubin|\bt-?bil\b|\btbili?\b"),
    ("ck", r"creatin(?:in)?e\s+(?:phospho)?kinase|\bcpk\b|(?-i:\bCK\b)"),
    ("creatinine", r"creatinine|(?-i:\bS?Cr\b)(?!\s*=)"),
    ("ast", r"aspartate\s+(?:amino\s*)?trans(?:aminase|ferase)|(?:serum\s+)?glutamic[\s-]+oxal(?:o)?acetic\s+transaminase|\bsgot\b|(?-i:\bAST\b|\bGOT\b)"),
    ("alt", r"alanine\s+(?:amino\s*)?trans(?:aminase|ferase)|(?:serum\s+)?glutamic[\s-]+pyruvic\s+transaminase|\bsgpt\b|(?-i:\bALT\b|\bGPT\b)"),
    ("transaminases", r"transaminases|aminotransferases|(?:hepatic|liver)\s+enzymes"),
    ("alp", r"alkaline\s+phosphatase|(?-i:\bALP\b)|\balk[\s.-]?p(?:hos)?\b"),
    ("albumin", r"(?<!micro)albumin"),
    ("inr", r"international\s+normali[sz]ed\s+ratio|(?-i:\bINR\b)"),
    ("aptt", r"(?:activated\s+)?partial\s+(?:thromboplastin|prothrombin)\s+time|(?-i:\ba?PTT\b)"),
    ("pt", r"(?<!partial\s)prothrombin\s+time|(?-i:\bPT\b)"),
    ("lvef", r"left\s+ventricular\s+ejection\s+fraction|ejection\s+fraction|\blvef\b"),
    ("qtc", r"\bqtc[fb]?\b|corrected\s+qt(?:\s+interval)?|\bqt\s+interval"),
    ("hematocrit", r"ha?ematocrit|(?-i:\bHct\b|\bHCT\b)(?!\s*-?\s*CI\b|\s+comorbidity)"),  # HCT-CI: a transplant index
    ("glucose", r"(?:fasting\s+)?(?:plasma\s+|blood\s+|serum\s+)?glucose(?![\s-]*6)|(?-i:\bFPG\b)"),
    ("shortening_fraction", r"(?:fractional\s+)?shortening(?:\s+fraction)?"),
    ("amylase", r"amylase"),
    ("lipase", r"lipase"),
]
# per analyte, the stems (see KIND_STEMS) of the words that can name it; "lab" runs when any of them occurs
ANALYTE_STEMS: dict[str, tuple[str, ...]] = {
    "hba1c": ("a1c=", "hba1", "hb1a", "glycosylat", "glycat"),
    "creatinine_clearance": ("clearance", "crcl", "clcr"),
    "egfr": ("gfr=", "egfr=", "glomerul"),
    "anc": ("neutroph", "granulocyt", "anc=", "agc="),
    "wbc": ("white", "leukocyt", "leucocyt", "wbc=", "wbcs="),
    "platelets": ("platelet", "thrombocyt", "plt="),
    "hemoglobin": ("hemoglob", "haemoglob", "hb", "hgb="),
    "direct_bilirubin": ("bilirub",),
    "bilirubin": ("bilirub", "tbil", "tbili=", "t="),
    "ck": ("kinase", "cpk=", "ck="),
    "creatinine": ("creatin", "cr=", "scr="),
    "ast": ("aspartate", "sgot", "ast=", "got=", "glutamic"),
    "alt": ("alanine", "sgpt", "alt=", "gpt=", "glutamic"),
    "transaminases": ("transamin", "aminotrans", "enzyme"),
    "alp": ("phosphatase", "alp=", "alk="),
    "albumin": ("albumin",),
    "inr": ("internat", "normali", "inr="),
    "aptt": ("thromboplast", "partial", "ptt=", "aptt="),
    "pt": ("prothromb", "pt"),
    "lvef": ("ejection", "lvef"),
    "qtc": ("qtc", "corrected", "qt"),
    "hematocrit": ("hematocrit", "haematocrit", "hct="),
    "glucose": ("glucose", "fpg="),
    "shortening_fraction": ("shortening", "fractional"),
    "amylase": ("amylase",),
    "lipase": ("lipase",),
}

# unit spellings -> the canonical spelling; the engine tries them longest first after a number
UNIT_SPELLINGS: list[tuple[str, str]] = [
    (r"(?:x|×|\*|´)?\s*10\s*(?:\^|e|\*\*)?\s*(?:9|⁹)\s*(?:cells\s*)?/\s*l\b", "10^9/L"),
    (r"(?:x|×|\*|´)?\s*10\s*(?:\^|e|\*\*)?\s*(?:3|³)\s*(?:cells\s*)?/\s*(?:µl|μl|ul|mcl|mm\s*(?:3|³|\^3))", "10^9/L"),
    (r"(?:k|g)\s*/\s*(?:µl|μl|ul)\b", "10^9/L"),
    (r"(?:cells\s*)?/\s*nl\b", "10^9/L"),
    (r"(?:cells\s*)?/\s*(?:µl|μl|ul|mcl)\b|(?:cells\s*)?(?:/|per\s+)?\s*mm\s*(?:3|³|\^3)|(?:cells\s*)?per\s+(?:µl|μl|ul|mcl|microlit(?:re|er))\b", "/uL"),
    (r"ml\s*/\s*min(?:ute)?\s*/\s*1[.,]73\s*m\s*(?:2|²|\^2)", "mL/min/1.73m^2"),
    (r"(?:ml|cc)\s*/\s*(?:min(?:ute)?|mn)\b|(?:milliliters?|millilitres?|ml)\s+per\s+min(?:ute)?\b", "mL/min"),
    (r"(?:g|gm|gr)\s*/\s*dl\b|g\s*/\s*100\s*ml\b", "g/dL"),
    (r"mg\s*/\s*dl\b|mg\s*(?:/|per)\s*100\s*ml\b|mg\s*%", "mg/dL"),
    (r"mg\s*/\s*ml\b", "mg/mL"),
    (r"(?:µmol|μmol|umol|micromol)\s*/\s*l\b", "umol/L"),
    (r"mmol\s*/\s*mol\b", "mmol/mol"),
    (r"mmol\s*/\s*l\b", "mmol/L"),
    (r"(?:g|gm)\s*/\s*l\b", "g/L"),
    (r"(?:u|iu)\s*/\s*l\b", "U/L"),
    (r"msec\b|ms\b|milliseconds?\b", "ms"),
    (r"%", "%"),
    (r"(?:sec|seconds?|s)\b", "s"),
]
# "× ULN": a factor of the upper limit of normal; "the normal value" and "institutional" variants too
ULN_PATTERN = (
    r"(?<=fold)\s+(?:elevat\w*|increas\w*)|\s*(?:-?fold|times)\s+(?:elevat\w*|increas\w*)|"
    r"\s*(?:-?folds?|times)\s+(?:as\s+high\s+as|above|over|higher\s+than)\s+(?:the\s+)?(?:maximal|maximum|upper)\s+normal\s+(?:values?|limits?)|"
    r"(?:\s*(?:x|×|\*|´|⋅|·|times|fold|-fold)\s*(?:greater\s+than\s+)?)?\s*(?:the\s+)?(?:institutional\s+)?"
    r"(?:upper\s+limits?\s+(?:of\s+)?(?:the\s+)?(?:institutional\s+)?normal(?:\s+(?:range|reference\s+range|limits?))?"
    r"(?:\s*\(uln\))?|uln\b|upper\s+referenced?\s+limits?|upper\s+normal\s+limits?|normal\s+(?:value|limit|range)s?)"
)
# an upper bound stated without a number: "within normal range", "≤ ULN", "below the ULN"
WITHIN_NORMAL = r"within\s+(?:the\s+)?(?:institutional\s+)?normal\s+(?:range|limits?)"
# units each analyte can carry (None: stated without a unit); a threshold in another unit is not its own
COUNT_UNITS = frozenset({"10^9/L", "/uL", None})
ANALYTE_UNITS: dict[str, frozenset] = {
    "anc": COUNT_UNITS, "wbc": COUNT_UNITS, "platelets": COUNT_UNITS,
    "hemoglobin": frozenset({"g/dL", "g/L", "mmol/L", None}),
    "albumin": frozenset({"g/dL", "g/L", None}),
    "creatinine": frozenset({"mg/dL", "umol/L", "mmol/L", "mg/mL", "xULN", None}),
    "bilirubin": frozenset({"mg/dL", "umol/L", "xULN", None}),
    "direct_bilirubin": frozenset({"mg/dL", "umol/L", "xULN", None}),
    "creatinine_clearance": frozenset({"mL/min", "mL/min/1.73m^2", None}),
    "egfr": frozenset({"mL/min", "mL/min/1.73m^2", None}),
    "ast": frozenset({"xULN", "U/L", None}), "alt": frozenset({"xULN", "U/L", None}),
    "transaminases": frozenset({"xULN", "U/L", None}), "alp": frozenset({"xULN", "U/L", None}),
    "amylase": frozenset({"xULN", "U/L", None}), "lipase": frozenset({"xULN", "U/L", None}),
    "inr": frozenset({"xULN", None}), "pt": frozenset({"xULN", "s", None}), "aptt": frozenset({"xULN", "s", None}),
    "lvef": frozenset({"%", None}), "qtc": frozenset({"ms", None}), "hba1c": frozenset({"%", "mmol/mol", None}),
    "ck": frozenset({"xULN", "U/L", None}),
    "shortening_fraction": frozenset({"%", None}),
    "hematocrit": frozenset({"%", None}),
    "glucose": frozenset({"mmol/L", "mg/dL", None}),
}
# "G/L" is giga per litre for a count
COUNT_ALIASES = {"g/L": "10^9/L"}
# words right after a number that make it no laboratory threshold ("within 14 days", "grade 2")
NOT_A_THRESHOLD_AFTER = r"\s*(?:\(\d+\)\s*)?(?:calendar\s+)?(?:days?|weeks?|months?|years?|hours?|h\b|cycles?|grade|mg\b|mg/(?:kg|m2|day|d)\b|times\s+(?!(?:the\s+)?(?:upper|uln|normal|institutional)))"
# subgroups an alternative threshold is for; negated mentions ("if no liver metastases") name none
LAB_CONDITIONS: list[tuple[str, tuple[str, ...], str]] = [
    ("liver metastases", ("liver", "hepatic"), r"liver\s+metasta\w*|hepatic\s+metasta\w*|liver\s+involvement|hepatic\s+involvement|metasta\w*\s+(?:to|in)\s+(?:the\s+)?liver|involvement\s+of\s+(?:the\s+)?liver"),
    ("Gilbert's syndrome", ('gilbert',), r"gilbert"),
    ("bone metastases", ('bone',), r"bone\s+metasta\w*"),
    ("bone marrow involvement", ('marrow',), r"(?:bone\s+)?marrow\s+(?:involvement|infiltration)"),
    ("male", ('male', 'men'), r"\(\s*(?:male|men)\s*\)|\b(?:male|men)\s*:"),
    ("female", ('female', 'women'), r"\(\s*(?:female|women)\s*\)|\b(?:female|women)\s*:"),
]
CONDITION_NEGATION = r"\b(?:no|not|without|absence\s+of|non)\b[^;,]{0,20}$"
# a clause that states which patients an alternative is for, not a threshold of its own
# ("... for patients with creatinine levels > 1.5 x ULN")
CONDITIONAL_CLAUSE = r"(?:\b(?:for|in)\s+(?:patients?|subjects?|participants?|those)\s+(?:with|whose)|\bif\b|\bwhen\b)[^;]{0,15}$"
# alternatives start here: conditions are read per alternative
ALTERNATIVE_BREAK = r";|\bor\b|\(?\bexcept\b|\bunless\b|\.\s"

# --- performance status ------------------------------------------------------------------------------
PERFORMANCE_TRIGGERS = ("ecog", "zubrod", "karnofsky", "kps", "lansky", "performance", "who ps", "play score")
PERFORMANCE_SCALES: list[tuple[str, str]] = [
    ("ECOG", r"eastern\s+co\w*\s+(?:oncology|cancer)\s+(?:co\w*\s+)?group(?:\s*\(ecog\))?|\becog\b|\bzubrod\b"),
    ("WHO", r"(?:world\s+health\s+organi[sz]ation|(?-i:\bWHO\b))(?=\s*(?:performance|ps\b))"),
    ("Karnofsky", r"karnofsky|\bkps\b"),
    ("Lansky", r"lansky(?:\s+play)?|\bplay\s+score"),
    (None, r"performance\s+(?:status|score)"),
]
# what may stand between a scale's name and its values ("performance status (PS) score of")
PERFORMANCE_FILLER = (
    r"(?:\s|[:(),]|-(?=\s)|\b(?:performance|physical|status|scores?|scale|play|ps|kps|ecog|of|is|are|must|be|"
    r"grade|points?|criteria|an?|the|level|should|have|has|in|range)\b)*"
)
PERFORMANCE_DOMAIN = {"ECOG": list(range(0, 5)), "WHO": list(range(0, 5)),
                      "Karnofsky": list(range(0, 101, 10)), "Lansky": list(range(0, 101, 10))}
# parentheses that state who a value is for ("(if aged >= 18 years)", "(age < 16 years)") hold no value
PERFORMANCE_ASIDE = r"\([^()]*\b(?:age|aged|years?|patients|participants)\b[^()]*\)"

# --- age -------------------------------------------------------------------------------------------------
AGE_TRIGGERS = ("age", "old", "yrs", "y/o", "years or", "years and")
# whose age it is: a partner's, a relative's, or the subgroup of a condition is none of the participant's
AGE_NOT_OURS_BEFORE = (
    r"(?:partners?|woman|wife|spouse|relatives?|parents?|family(?:\s+members?)?|siblings?|death|\bif|\bfor\s+(?:patients|participants|subjects|those|adolescents|children|minors|adults))"
    r"\W*(?:who\s+are\s+|aged?\s+|is\s+|are\s+)?\W*$"
)
AGE_NOT_OURS_AFTER = r"^[^;.]{0,12}\b(?:in\s+first[- ]degree|relatives)"
AGE_UNITS = r"(?:years?|yrs?|y/o|months?)"

# --- sex ---------------------------------------------------------------------------------------------------
SEX_TRIGGERS = ("male", " men", "women", "woman", "gender", " sex", "boys", "girls")
SEX_LEADING = ("men", "man ", "sex")
SEX_ALL = (
    r"\b(?:male\s+(?:or|and|and/or|&)\s+female|female\s+(?:or|and|and/or|&)\s+male|males?\s+(?:or|and)\s+females?|"
    r"men\s+(?:or|and)\s+women|women\s+(?:or|and)\s+men|both\s+(?:sexes|genders)|(?:regardless|irrespective)\s+of\s+(?:gender|sex)|"
    r"(?:gender|sex)\s+(?:is\s+)?(?:not\s+limited|unlimited|no\s+limit)|any\s+(?:gender|sex)|all\s+(?:genders|sexes))\b"
)
SEX_MALE = r"\b(?:males?|men|man|boys)\b"
SEX_FEMALE = r"\b(?:females?|women|woman|girls)\b"
# a sex word about someone else: "female sexual partner", "male study subject as her sexual partner"
SEX_NOT_OURS_AFTER = r"\W*(?:\w+\W+){0,5}?(?:partners?|spouse)\b"
# sex words the item is about only as the subject of another rule (pregnancy, contraception) say nothing
SEX_SCOPED_KINDS = ("pregnancy", "breastfeeding", "contraception")

# --- life expectancy -----------------------------------------------------------------------------------------
LIFE_TRIGGERS = ("life expectancy", "survival", "expected to live", "expected to survive")
LIFE_MENTION = (
    r"(?:(?:expected|anticipated|estimated|predicted)\s+)?life\s+expectancy"
    r"|(?:expected|anticipated|estimated|predicted)\s+survival(?:\s+(?:time|period))?|expected\s+to\s+(?:live|survive)"
)
LIFE_NOT_OURS_BEFORE = r"limit\w*\s+(?:the\s+)?$"
LIFE_FILLER = r"(?:\s|[:,(]|\b(?:time|period|is|are|of|must|be|should|estimated|will|expected|to|a|an)\b)*"
TIME_UNITS = {"day": "days", "days": "days", "week": "weeks", "weeks": "weeks", "month": "months",
              "months": "months", "year": "years", "years": "years", "yrs": "years"}

# --- washout --------------------------------------------------------------------------------------------------
WASHOUT_TRIGGERS = ("within", "prior", "before", "since", "washout", "wash-out", "last", "past", "preceding", "during")
WASHOUT_UNITS = ("day", "week", "month")
WASHOUT_BEFORE = r"(?:within|last|past|previous|prior|minimum(?:\s+of)?|at\s+least|since|during|washout|wash-out|less\s+than|>=|>|<=|<|of)\s*(?:the\s+)?(?:last\s+|past\s+|previous\s+|preceding\s+)?$"
WASHOUT_AFTER = r"^\s*(?:of\s+(?:the\s+)?(?:first|start|enrol|random|screen|study|registr|visit|baseline|initiation|day|treatment)|prior|before|since|preceding|of\s+washout|washout)"
WASHOUT_NOT_AFTER = r"^\s*(?:after|following|post)\b"
# "radiotherapy started more than 2 weeks prior": when a therapy began, not how long ago it stopped
WASHOUT_NOT_BEFORE = r"\b(?:started|initiated|begun|began|commenced)\s+(?:more\s+than\s+|at\s+least\s+)?$"
# what was stopped: (name, words one of which the clause must contain, pattern); the first that matches names it
WASHOUT_OF: list[tuple[str, tuple[str, ...], str]] = [
    ("chemotherapy", ('chemo', 'cytotox'), r"chemo(?:therap\w*)?\b|cytotoxic"),
    ("radiotherapy", ('radi', 'irradia'), r"radiotherap\w*|radiation(?:\s+therapy)?|irradiation|radiosurgery"),
    ("surgery", ('surg',), r"(?<!bypass\s)(?<!graft\s)(?<!brain\s)(?<!cardiac\s)(?<!vascular\s)(?:major\s+)?surg(?:ery|eries|ical)\b"),
    ("investigational", ('investig', 'experiment', 'another', 'clinical'), r"investigational|experimental\s+(?:drugs?|agents?|therap\w*|medications?)|another\s+(?:[\w-]+\s+){0,3}?(?:trial|study)|clinical\s+(?:trial|study)"),
    ("immunotherapy", ('immunother', 'checkpoint', 'immunomod', 'interferon', 'interleukin'), r"immunotherap\w*|checkpoint\s+inhibitors?|immunomodulat\w*|interferon|interleukin"),
    ("targeted", ('tki', 'tyrosine', 'targeted', 'tinib'), r"\btkis?\b|tyrosine\s+kinase\s+inhibitors?|targeted\s+(?:[\w-]+\s+){0,2}?(?:therap\w*|agents?|drugs?)|erlotinib|gefitinib|icotinib|afatinib|osimertinib"),
    ("hormonal", ('hormon', 'endocrine'), r"(?:hormon\w*|endocrine)\s+therap\w*"),
    ("corticosteroids", ('steroid', 'prednis'), r"corticosteroids?|(?<!anabolic\s)steroids?\b|prednisone"),
    ("immunosuppressants", ('immunosuppress',), r"immunosuppress\w*"),
    ("vaccine", ('vaccin',), r"vaccin\w*"),
    ("cyp_drugs", ('cyp', 'cytochrome', 'metabolism'), r"\bcyp\s*\d\w*|cytochrome\s+p\s*450|(?:inhibit|induc)\w*\s+(?:\w+\s+){0,2}?(?:liver|hepatic)\s+metabolism"),
    ("antibiotics", ('antibiotic',), r"antibiotics?"),
    ("transfusion", ('transfus',), r"transfusions?"),
    ("growth_factors", ('growth', 'colony', 'csf', 'erythropoie'), r"growth\s+factors?|colony[\s-]stimulating\s+factors?|\bg-?csf\b|erythropoie\w*"),
    ("anticancer", ('cancer', 'tumo', 'neoplast'), r"anti-?cancer|anti-?tumou?r|antineoplastic"),
]
WASHOUT_NOT_BEFORE_TERM = r"(?:requiring|require[sd]?|need(?:ing|s)?|study|stable|independent\s+of|without)\s+(?:\w+\s+){0,2}$"

# --- prior lines of therapy -------------------------------------------------------------------------------------
LINES_TRIGGERS = ("lines", "line of", "line therap", "line treatment", "-line", "first line", "second line", "regimen", "prior systemic", "prior treatment", "prior therap")
LINES_COUNT = (
    r"(?P<op>at\s+least|no\s+more\s+than|not\s+more\s+than|at\s+most|up\s+to|a?\s*maximum\s+of|more\s+than|fewer\s+than|less\s+than|>=|<=|>|<)?\s*"
    r"(?P<n>\d|one|two|three|four|five)(?:\s*(?:-|to|or)\s*(?P<n2>\d|one|two|three|four|five))?\s*"
    r"(?P<tail>or\s+more\s+|or\s+fewer\s+|or\s+less\s+)?(?:prior\s+|previous\s+)?(?:systemic\s+)?(?:lines?|regimens?)\b"
)
LINES_ONE_PRIOR = r"(?P<op>at\s+least|>=)\s*(?P<n>one|1|two|2)\s+(?:prior|previous)\s+(?:systemic\s+)?(?:treatments?|therap(?:y|ies)|regimens?|chemotherap\w*)"
LINES_NONE_OR_ONE = r"\bno\s+prior\s+(?:systemic\s+)?(?:treatment|therapy|regimen)s?\b.*\bor\s+(?:one|1)\s+prior"
LINES_FIRST_RECEIVED = r"(?:received|after|failed|progressed\s+(?:on|after)|following|during|while\s+on)\s+(?:the\s+)?first[- ]line"
LINES_FIRST_ONLY = r"(?:must\s+be|as\s+the|as)\s+first[- ]line"
LINES_NO_OP_MEANS = ">="  # "failed two lines of TKI": at least two

# --- brain metastases --------------------------------------------------------------------------------------------
BRAIN_TRIGGERS = ("brain", "cns", "central nervous system", "cerebral", "intracranial")
BRAIN_MENTION = (
    r"(?:brain|cns|central\s+nervous\s+system|cerebral|intracranial)(?:\s+parenchymal)?\s*(?:\(cns\)\s*)?"
    r"(?:metasta\w*|mets\b|involvement|leuka?emia|lesions?)"
    r"|metasta\w*\s+(?:to|in|of)\s+(?:the\s+)?(?:brain|cns|central\s+nervous\s+system)"
    r"|(?:leuka?emia\s+)?(?:infiltration|involvement|invasion)\s+of\s+(?:the\s+)?(?:central\s+nervous\s+system|cns|brain)"
    r"|(?:central\s+nervous\s+system|cns)\s+(?:\(cns\)\s+)?(?:involvement|invasion)"
    r"|involves?\s+(?:the\s+)?(?:central\s+nervous\s+system|cns|brain)"
)
BRAIN_NOT_OURS_BEFORE = r"(?:autoimmune\s+disease\s+with|used\s+to\s+treat|for\s+(?:the\s+)?treatment\s+of|radiotherapy\s+for)\s*$"
BRAIN_ACTIVE = r"\b(?:active|untreated|symptomatic|unstable|progressive|progressing|uncontrolled|new)\b"
BRAIN_STABLE = (
    r"\b(?:stable|treated|asymptomatic|controlled|inactive)\b|without\s+(?:any\s+)?symptoms?|no\s+(?:overt\s+)?(?:signs|symptoms)"
    r"|\beligible\b|\ballowed\b|\bpermitted\s+if\b"
)
BRAIN_EXCEPT = r"\b(?:unless|except|eligible|allowed|permitted\s+if)\b"
BRAIN_NEGATED = r"\b(?:no|without|not|absence\s+of|free\s+of|history\s+of)\b[^;.]{0,25}$"
BRAIN_FORBIDDEN = r"\b(?:not\s+(?:permitted|allowed|eligible)|excluded|ineligible)\b"

# --- biomarkers ---------------------------------------------------------------------------------------------------
# gene names are matched case-sensitively: EGFR the gene, never eGFR the kidney
GENES: list[tuple[str, str]] = [
    ("EGFR", r"EGFR"),
    ("ALK", r"ALK|anaplastic\s+lymphoma\s+kinase(?:\s*\(ALK\))?"),
    ("ROS1", r"ROS-?1"),
    ("HER2", r"HER-?2(?:/neu)?|ERBB2"),
    ("KRAS", r"KRAS"),
    ("NRAS", r"NRAS"),
    ("RAS", r"RAS(?=\s+(?:mutations?|mutated|mutant|wild|alterations?|pathway))"),
    ("BRAF", r"BRAF"),
    ("MET", r"c-?MET|MET(?=\s+(?:exon|amplification|mutation|alteration|overexpression))"),
    ("RET", r"RET(?=\s+(?:fusion|rearrangement|mutation|alteration))"),
    ("NTRK", r"NTRK[123]?"),
    ("PD-L1", r"PD-?L1"),
    ("BRCA", r"BRCA[12]?"),
    ("PIK3CA", r"PIK3CA"),
    ("IDH", r"IDH[12]?"),
    ("FLT3", r"FLT3"),
    ("ER", r"ER(?=\s*(?:\+|-(?![A-Za-z])|positive|negative|status))|estrogen\s+receptor"),
    ("PR", r"PR(?=\s*(?:\+|-(?![A-Za-z])|positive|negative|status))|progesterone\s+receptor"),
]
BIOMARKER_TRIGGERS = ("EGFR", "ALK", "ROS", "HER", "ERBB", "RAS", "BRAF", "MET", "RET", "NTRK", "PD-L1", "PDL1",
                      "BRCA", "PIK3CA", "IDH", "FLT3", "ER+", "ER-", "ER ", "PR+", "PR-", "PR ", "estrogen",
                      "progesterone", "kinase", "exon", "T790M", "L858R", "G12C", "V600")
# a gene named as a drug target is prior therapy, not a biomarker
GENE_DRUG_BEFORE = r"(?:anti-?\s*(?:[\w-]+\s*/\s*)?|inhibit\w*\s+(?:the\s+)?(?:[\w ]{0,40}\()?)$"
GENE_DRUG_AFTER = r"[\s/\w-]{0,14}?(?:-?tkis?\b|tyrosine|inhibitors?|antibod|agents?|therap|treatment|blockade|targeted|directed|drugs?)"
# known variants and the gene they belong to
VARIANT = r"\b(?P<v>[A-Z]\d{2,4}[A-Z])\b"
VARIANT_GENE = {"T790M": "EGFR", "L858R": "EGFR", "G719X": "EGFR", "G719S": "EGFR", "G719A": "EGFR", "G719C": "EGFR",
                "L861Q": "EGFR", "S768I": "EGFR", "C797S": "EGFR", "G12C": "KRAS", "G12D": "KRAS",
                "G12V": "KRAS", "G13D": "KRAS", "V600E": "BRAF", "V600K": "BRAF", "T315I": "ABL1"}
VARIANT_DRUG_BEFORE = r"(?:tkis?|inhibitors?)\)?\s*(?:for|against|targeting)\s*$"
EXON_STATUS: list[tuple[str, str]] = [
    (r"\bexon\s*(?P<n>\d{1,2})\s*(?:deletions?|del)\b|\bdel\s*(?P<n2>19)\b|\bex(?P<n3>19)del\b", "exon {n} deletion"),
    (r"\bexon\s*(?P<n>\d{1,2})\s*(?:insertions?|ins)\b", "exon {n} insertion"),
    (r"\bexon\s*(?P<n>\d{1,2})\s*skipping\b", "exon {n} skipping"),
    (r"\bexon\s*(?P<n>\d{1,2})\s*(?:mutations?|alterations?)\b", "exon {n} mutation"),
]
# a status without a variant, the first found after the gene (earlier entries first)
GENERIC_STATUS: list[tuple[str, str]] = [
    (r"wild[\s-]?type|\bwt\b", "wild-type"),
    (r"fusions?|rearrange\w*|translocations?", "rearrangement"),
    (r"amplifi\w*", "amplification"),
    (r"over-?expression|\b3\+", "overexpression"),
    (r"alterations?|aberrations?", "alteration"),
    (r"mutations?|mutated|mutant|sensiti[sz]ing", "mutation"),
    (r"negative|^\s*[-−](?=[\s,;.)]|$)", "negative"),
    (r"positive|^\s*\+", "positive"),
]
PDL1_SCORE = r"\b(?P<score>TPS|CPS|TC|IC)\s*(?P<op>>=|<=|>|<|=)\s*(?P<n>\d{1,3})\s*%?"
PDL1_PERCENT = r"(?P<op>>=|<=|>|<)\s*(?P<n>\d{1,3})\s*%"
# a specimen to be tested is no status, unless the item also states a result
TESTING_ONLY = r"\b(?:available|suitable|adequa\w+|submission|determination|provide|central\s+review)\b"
TEST_RESULT = r"\b(?:positive|negative|found|confirmed|harbou?r\w*|documented|carry\w*|detected|wild.?type|results?)\b"

# --- the bare kinds -------------------------------------------------------------------------------------------------
# kind -> (triggers, pattern, not-ours-before, not-ours-after); a match preceded (in its clause) or followed by the
# "not ours" context is someone else's (a partner's pregnancy) or not a requirement ("source of measurable disease")
_PARTNER_BEFORE = r"partners?\b[^;.]{0,100}$"
# an item whose subject is the participant's partner states nothing about the participant's pregnancy
PARTNER_SUBJECT = r"^\W*(?:(?:the|a|his|her|their)\s+)?(?:sexual\s+|female\s+|male\s+|sex\s+)?partners?\b|^\W*(?:subjects?|patients?)\s+(?:with|whose)\s+(?:\w+\s+){0,2}partners?\b"
PARTNER_SCOPED_KINDS = ("pregnancy", "breastfeeding")
BARE_KINDS: dict[str, tuple[tuple[str, ...], str, str | None, str | None]] = {
    "pregnancy": (
        ("pregnan", "gravid", "hcg"),
        r"\bpregnan\w*|\bgravid\w*|\b(?:b-?|beta[\s-]?)?hcg\b",
        _PARTNER_BEFORE + r"|able\s+to\s+(?:have|become)\s+(?:a\s+)?$",
        r"^\s*partners?\b",
    ),
    "breastfeeding": (
        ("breast", "lactat", "nursing"),
        r"breast[\s-]?feed\w*|lactat(?:ing|ion)\b|\bnursing\b(?!\s+(?:homes?|care|staff|facilit))|breast\s+milk",
        _PARTNER_BEFORE,
        r"^\s*partners?\b",
    ),
    "contraception": (
        ("contracep", "birth control", "abstinen"),
        r"contracep\w*|birth\s+control|\babstinen\w*",
        None,
        None,
    ),
    "consent": (
        ("consent", "assent", "icf"),
        r"\bconsent\b|\bassent\b|(?-i:\bICF\b)|\b(?:refus\w*|reject\w*)\s+(?:[\w-]+\s+){0,4}?(?:to\s+)?participat\w*",
        r"(?:(?:prior\s+to|before|after|from|since|of|at)\s+(?:the\s+)?(?:point\s+of\s+|signing\s+(?:of\s+)?(?:the\s+)?|signature\s+of\s+(?:the\s+)?|obtaining\s+(?:the\s+)?)"
        r"|(?:days?|weeks?)\s+(?:of|after|before|prior\s+to)\s+(?:signing\s+)?(?:the\s+)?)(?:informed\s+)?$",
        r"^\s*of\s+the\s+sponsor",
    ),
    "measurable_disease": (
        ("measurable", "evaluable disease"),
        r"(?<!non-)(?<!non)\bmeasurable\b|\bevaluable\s+disease",
        r"(?:source\s+of|considered|be\s+used\s+as)\s+(?:\w+\s+)?$",
        None,
    ),
    "hypersensitivity": (
        ("hypersensitiv", "allerg", "anaphyla", "sensitive to", "idiosyncratic"),
        r"hypersensitiv\w*|allerg\w*|anaphyla\w*|\bsensitive\s+to\b|idiosyncratic\s+reactions?",
        None,
        r"^\s*(?:rhinitis|asthma|conjunctivitis|dermatitis)",
    ),
    "infection": (
        ("hiv", "immunodeficiency virus", "hepatitis", "hbv", "hcv", "hbsag", "tubercul", "tb", "infect",
         "sepsis", "septic", "covid", "sars-cov", "syphilis"),
        r"\bhiv\b|human\s+immunodeficiency\s+virus|hepatitis\s*(?:type\s*)?[bc]\b|(?:viral|infectious)\s+hepatitis|hepatitis\s+virus|\bhbv\b|\bhcv\b|\bhbsag\b|tubercul\w*|(?-i:\bTB\b)|"
        r"\binfect(?:ion|ions|ious|ive)\b|\bsepsis\b|\bsepticemia\b|covid|sars-cov-?2|syphilis",
        r"(?:for|against)\s+$|non-$|(?:autoimmune|alcoholic|drug-induced)\s+$",
        r"^\s*(?:protease\s+inhibitors?|disease\s+or\s+cancer|\W*(?:19\W*)?vaccin\w*)",
    ),
    "other_malignancy": (
        ("malignan", "cancer", "neoplasm", "tumor", "tumour", "carcinoma"),
        r"\b(?:other|another|second(?:ary)?|prior|previous|concurrent|concomitant|additional|coexisting|synchronous|"
        r"active|known)\s+(?:(?:primary|invasive|active|known|malignant)\s+){0,2}(?:malignan\w*|cancers?\b|neoplasms?\b|tumou?rs?\b|carcinomas?\b)"
        r"|history\s+of\s+(?:a\s+|any\s+|treated\s+|other\s+)?(?:(?:hematologic|haematologic|solid|invasive|primary)\s+)?"
        r"(?:malignan\w*|cancers?\b|neoplasms?\b|malignant\s+tumou?rs?)"
        r"|(?:malignan\w*|cancers?)\s+within\s+(?:the\s+)?(?:past\s+|last\s+)?\d+\s+years?"
        r"|\bany\s+(?:\w+\s+)?(?:malignan\w*|cancers?\b)",
        r"(?:current|this|the\s+study|underlying)\s+$",
        r"^\s*(?:hypertension|hyperthermia|samples?|tissues?|specimens?|blocks?|biops\w*|cells?|lesions?|size|markers?)\b",
    ),
    "prior_therapy": (
        ("prior", "previous", "naive", "naïve", "failure of", "failed", "progressed", "refractory", "intolerant", "received"),
        r"\b(?:prior|previous)\s+(?!to\b)(?:[\w-]+\s+){0,4}?(?:treatments?|therap(?:y|ies)|chemotherap\w*|radiotherap\w*|immunotherap\w*|irradiation|agents?|tkis?|inhibitors?|regimens?)\b"
        r"|\bpreviously\s+(?:treated|received|untreated)\b"
        r"|\b(?:treatment|therapy|chemotherapy)[\s-]na[iï]ve\b"
        r"|\bhistory\s+of\s+(?:[\w-]+\s+){0,3}?(?:treatments?|therap(?:y|ies)|chemotherap\w*|radiotherap\w*|irradiation)\b"
        r"|\b(?:neo-?adjuvant|adjuvant)\s+(?:\w+\s+)?(?:therap(?:y|ies)|treatments?|chemotherap\w*)"
        r"|\b(?:tkis?|inhibitors?|therapy|treatment|chemotherapy)[\s-]+(?:resistan\w*|refractory|failure)\b"
        r"|\bresistan\w*\s+to\s+(?:[\w-]+\s+){0,3}?(?:treatments?|therap(?:y|ies)|tkis?|inhibitors?|chemotherap\w*)\b"
        r"|\b(?:has|have|had)\s+(?:been\s+)?(?:received|treated\s+with)\s+(?:[\w-]+\s+){0,5}?(?:treatments?|therap(?:y|ies)|chemotherap\w*|tkis?|inhibitors?|antibod\w*|immunotherap\w*|regimens?|agents?)\b"
        r"|\b(?:treatments?|therap(?:y|ies)|chemotherapy)\s+(?:[\w-]+\s+){0,5}?prior\s+to\s+(?:entry|enrol\w*|randomi\w*|registration|screening|(?:the\s+)?study\b|[A-Z]{2,}\s+TKIs?)"
        r"|\b(?:failure\s+of|failed\s+(?:in\s+)?|progressed\s+(?:on|after)(?:\s+receiving)?|progression\s+(?:on|after|while\s+on)|refractory\s+to|"
        r"intolerant\s+(?:to|of))\s+(?:[\w-]+\s+){0,5}?(?:treatments?|therap(?:y|ies)|chemotherap\w*|tkis?|inhibitors?|antibod\w*|immunotherap\w*|regimens?)\b",
        r"(?:toxicit\w*|recover\w*|resolv\w*|adverse\s+events?)\s+(?:\w+\s+){0,3}?(?:from|of|due\s+to|related\s+to)\s+(?:any\s+)?$"
        r"|\(\s*(?:e\.g\.|i\.e\.|such\s+as|including)[,\s]*$",
        r"^\s*(?:-|\s)?(?:related|resistant|refractory)|^\s+(?:brain|cns|central|metasta)",
    ),
}
# other malignancy named without a qualifier counts in an exclusion list ("Malignancy", "..., malignancy, infection")
OTHER_MALIGNANCY_EXCLUSION = r"\bmalignan(?:cy|cies|t\s+(?:\w+\s+)?(?:diseases?|tumou?rs?|neoplasms?))\b"
# prior surgery is not prior therapy in this sense; neither is the study's own treatment
PRIOR_THERAPY_NOT = r"surg\w*|study\s+(?:treatment|therapy|drug)"
# every prior_therapy pattern names a treatment: without one of these (lower case) the pattern cannot match
PRIOR_THERAPY_NOUNS = ("treat", "therap", "irradiat", "agent", "tki", "inhibitor", "regimen", "antibod", "receiv")
# an item yielding these has said what the prior therapy was; a bare prior_therapy would only repeat it
PRIOR_THERAPY_SUPERSEDED_BY = ("washout", "prior_lines")

# a creatinine clearance formula is no requirement of age or sex ("CrCl = (140 - age) x weight ...")
FORMULA = r"\bcrcl\s*=|\bx\s+weight\b|\(\s*140\s*-\s*age\b|\bif\s+female\s*\)"
