"""A ClinicalTrials.Veeva study page saved as text (the browser's "save as text").

The page is a run of label lines ("Status", "Conditions", "Inclusion criteria", "Trial design" ...),
each followed by a blank line and its value lines; the title and the sponsor come first, after the
site's "Menu", and the arms follow a "N participants in K patient groups" line. Reading goes in
two steps: ``read_page`` cuts the text into the header and {label: paragraphs} blocks, then small
functions turn each block into its part of the record.

The page carries no outcomes, officials, documents or dates: those parts are "not in source"
(None). Sites are listed only when the page was saved after they loaded ("Loading..." means they
were not) and are not read: locations are always None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import identity, vocab
from ..criteria import parse_criteria
from ..parsed import ParsedRecord
from ..record import (
    Arm,
    Contact,
    Design,
    Eligibility,
    Identifier,
    Intervention,
    Sponsor,
    TrialRecord,
)
from ..text import squash
from .base import InvalidSource, check_field_sizes
from .fields import ENROLLMENT, Fields

NAME = "veeva-page"
BRAND = "ClinicalTrials.Veeva"

# The page's label lines (compared lower-cased, whitespace squashed) -> the block they start.
# "" (_SKIPPED): a label we foresee but do not read (section headings, parts the record has no place
# for); its text is dropped rather than glued onto the block before it.
_SKIPPED = ""
_LABELS: dict[str, str] = {
    "status": "status",
    "status and phase": "status",
    "phase": "status",
    "phases": "status",
    "conditions": "conditions",
    "treatments": "treatments",
    "study type": "study type",
    "funder types": "funder types",
    "funder type": "funder types",
    "identifiers": "identifiers",
    "about": "about",
    "full description": "full description",
    "enrollment": "enrollment",
    "sex": "sex",
    "ages": "ages",
    "volunteers": "volunteers",
    "inclusion criteria": "inclusion criteria",
    "exclusion criteria": "exclusion criteria",
    "inclusion and exclusion criteria": "criteria",
    "eligibility criteria": "criteria",
    "criteria": "criteria",
    "primary purpose": "primary purpose",
    "allocation": "allocation",
    "interventional model": "interventional model",
    "intervention model": "interventional model",
    "masking": "masking",
    "observational model": "observational model",
    "time perspective": "time perspective",
    "central trial contact": "central trial contact",
    "central trial contacts": "central trial contact",
    "details and patient eligibility": _SKIPPED,
    "trial design": _SKIPPED,
    "trial contacts and locations": _SKIPPED,
    "trial documents": _SKIPPED,
    "study documents": _SKIPPED,
    "documents": _SKIPPED,
    "keywords": _SKIPPED,
    "sponsors": _SKIPPED,
    "collaborators": _SKIPPED,
    "locations": _SKIPPED,
    "sites": _SKIPPED,
    "who is masked": _SKIPPED,
    "masking description": _SKIPPED,
}
# Page chrome after the record: everything from the first of these lines on is ignored.
_FOOTER_STARTS = ("data sourced from clinicaltrials.gov", "find clinical trials", "© copyright")
_FOOTER_LINES = {"clinical trials"}
_HEADER_LINES = 20  # where the site's "Menu" line is looked for
_SNIFF_EVIDENCE = {
    "details and patient eligibility",
    "trial design",
    "identifiers",
    "status and phase",
    "funder types",
    "inclusion criteria",
}
_PATIENT_GROUPS = re.compile(r"^(?:[\d,]+\s+participants?\s+in\s+)?\d+\s+patient\s+groups?$", re.I)
_GROUPS_BLOCK = "patient groups"
_NCT_ID = re.compile(r"NCT\d{8}", re.I | re.ASCII)  # upper-cased when taken
_ENROLLMENT = re.compile(r"^([\d,]+)\s*(estimated|actual|anticipated)?\b", re.I | re.ASCII)
_AGE_TOKEN = re.compile(r"(\d+(?:\.\d+)?)|\b(year|month|week|day|hour|minute)s?\b", re.I | re.ASCII)
_AGE_MAXIMUM_ONLY = re.compile(r"^\s*(?:under|up to|below|younger than|less than)\b", re.I)
_AGE_MINIMUM_ONLY = re.compile(r"\+|\b(?:and|or)\s+(?:older|over|above)\b", re.I)
_TYPED_NAME = re.compile(r"^([^:]{2,40}):\s*(.+)$")
_ARM_MARKERS = {
    "description:": "description",
    "treatment:": "treatment",
    "treatments:": "treatment",
    "intervention:": "treatment",
    "interventions:": "treatment",
}
_LABEL_LIKE = re.compile(r"^[A-Z][a-z]*(?: [a-z]+){0,4}$")
_EMAIL = re.compile(r"^\S+@\S+\.\S+$")
_PHONE = re.compile(r"^[+(]?\d[\d\s().\-/]{5,}\d(?:\s*(?:ext\.?|x)\s*\d+)?$", re.I)
_BULLET = re.compile(r"^(\s*)[•◦▪·‣]\s*")
_MASKING_BLIND = re.compile(r"[\s-]*blind(?:ed)?\b", re.I)
_FUNDER_WORDS = {
    "other u s federal agency": "FED",
    "u s federal agency": "FED",
    "federal": "FED",
    "individual": "INDIV",
    "other government": "OTHER_GOV",
}

Paragraph = list[str]  # consecutive non-blank lines, right-stripped, indentation kept
# (so the stripped lines a block yields are never empty)


class VeevaPageImporter:
    name = NAME
    label = "ClinicalTrials.Veeva page (saved text)"

    def sniff(self, head: str) -> float:
        # BRAND has no whitespace, so a line that squashes to it holds it verbatim: most documents
        # (JSON, XML) are refused here without splitting and squashing their lines
        if BRAND not in head:
            return 0.0
        raw = head.lstrip("\ufeff").splitlines()
        first: list[str] = []  # the first five non-blank lines decide; most documents stop here
        for line in raw:
            line = squash(line)
            if line:
                first.append(line)
                if len(first) == 5:
                    break
        if BRAND not in first:
            return 0.0
        lines = [line for line in map(squash, raw) if line]
        evidence = sum(line.lower() in _SNIFF_EVIDENCE for line in lines)
        if lines[0] == BRAND:
            return 0.95 if evidence else 0.6
        return 0.8 if evidence >= 2 else 0.0

    def parse(self, text: str) -> list[ParsedRecord]:
        warnings: list[str] = []
        record = page_to_record(text, warnings)
        check_field_sizes(record)
        return [ParsedRecord(record, text, NAME, warnings=warnings)]


IMPORTER = VeevaPageImporter()


# ---- the page's layout: header, then label blocks --------------------------------------------------


@dataclass
class Page:
    title: str | None = None
    sponsor: str | None = None
    blocks: dict[str, list[Paragraph]] = field(default_factory=dict)

    def paragraphs(self, key: str) -> list[Paragraph] | None:
        return self.blocks.get(key)

    def lines(self, key: str) -> list[str] | None:
        """Every value line of a block, stripped; None when the page has no such label."""
        if key not in self.blocks:
            return None
        return [line.strip() for paragraph in self.blocks[key] for line in paragraph]

    def first_paragraph(self, key: str) -> list[str]:
        paragraphs = self.blocks.get(key) or [[]]
        return [line.strip() for line in paragraphs[0]]

    def value(self, key: str) -> str | None:
        """A one-line value: the block's first line."""
        first = self.first_paragraph(key)
        return first[0] if first else None

    def text(self, key: str) -> str | None:
        """Free text: lines of a paragraph joined by newlines, paragraphs by a blank line."""
        paragraphs = self.blocks.get(key) or []
        joined = "\n\n".join("\n".join(line.strip() for line in p) for p in paragraphs)
        return joined or None


def read_page(text: str) -> Page:
    lines = _content_lines(text)
    start = _header_end(lines)
    page = Page()
    header = [line.strip() for line in lines[:start] if line.strip()]
    page.title, page.sponsor = _title_and_sponsor(header)
    page.blocks = _label_blocks(lines[start:])
    return page


def _content_lines(text: str) -> list[str]:
    """The page's lines without the site's header and footer chrome; blank lines kept."""
    lines = [
        line.rstrip() for line in text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    ]
    squashed = [squash(line) for line in lines]
    begin = 0
    for marker in ("Menu", BRAND):  # the title follows the site's menu button
        if marker in squashed[:_HEADER_LINES]:
            begin = squashed.index(marker) + 1
            break
    end = next(
        (i for i in range(begin, len(lines)) if _is_footer(squashed[i].lower())),
        len(lines),
    )
    return lines[begin:end]


def _is_footer(line: str) -> bool:
    return line in _FOOTER_LINES or line.startswith(_FOOTER_STARTS)


def _block_key(line: str) -> str | None:
    """The block a label line starts (_SKIPPED for a label not read); None when it is no label."""
    squashed = squash(line).lower()
    if squashed in _LABELS:
        return _LABELS[squashed]
    if _PATIENT_GROUPS.match(squashed):
        return _GROUPS_BLOCK
    return None


def _header_end(lines: list[str]) -> int:
    return next((i for i, line in enumerate(lines) if _block_key(line) is not None), len(lines))


def _title_and_sponsor(header: list[str]) -> tuple[str | None, str | None]:
    """The title, then the sponsor after its logo line ("X logo") or one-letter placeholder ("T")."""
    if not header:
        return None, None
    sponsor = next(
        (line for line in header[1:] if len(line) > 1 and not line.lower().endswith(" logo")),
        None,
    )
    return header[0], sponsor


def _label_blocks(lines: list[str]) -> dict[str, list[Paragraph]]:
    blocks: dict[str, list[Paragraph]] = {}
    current: list[Paragraph] = []  # paragraphs of a skipped label land here and are dropped
    paragraph: Paragraph = []
    for line in [*lines, ""]:
        key = _block_key(line) if line.strip() else None
        if key is None and line.strip():
            paragraph.append(line)
            continue
        if paragraph:
            current.append(paragraph)
            paragraph = []
        if key is not None:
            current = blocks.setdefault(key, []) if key != _SKIPPED else []
    return {key: _until_unknown_label(paragraphs) for key, paragraphs in blocks.items()}


def _until_unknown_label(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """A block's paragraphs, cut where a label this module does not know starts.

    An unknown label looks like the page's own labels (one short sentence-case line, such as
    "Trial timing") and is followed by a short value: a sub-heading inside a description is followed
    by prose and so is kept, and so is a short last line. The first paragraph is always the value.
    """
    for index in range(1, len(paragraphs) - 1):
        if _looks_like_label(paragraphs[index]) and _is_short_value(paragraphs[index + 1]):
            return paragraphs[:index]
    return paragraphs


def _looks_like_label(paragraph: Paragraph) -> bool:
    return len(paragraph) == 1 and not paragraph[0][:1].isspace() and bool(_LABEL_LIKE.match(paragraph[0]))


def _is_short_value(paragraph: Paragraph) -> bool:
    return all(len(line.strip()) <= 80 and not line.rstrip().endswith(".") for line in paragraph)


# ---- blocks -> record parts ------------------------------------------------------------------------


def page_to_record(text: str, warnings: list[str] | None = None) -> TrialRecord:
    """The page's record; a value out of range is "not in source" and leaves a warning in ``warnings``."""
    if not text.strip("\ufeff \t\r\n"):
        raise InvalidSource("page is empty")
    f = Fields(warnings)
    page = read_page(text)
    registry_id, identifiers = _identifiers(f, page.lines("identifiers") or [])
    status, phases = _status_and_phases(page.lines("status") or [])
    interventions = _interventions(page.lines("treatments"))
    arm_lines = page.lines(_GROUPS_BLOCK)
    return TrialRecord(
        registry_id=registry_id,
        brief_title=page.title,
        overall_status=status,
        brief_summary=page.text("about"),
        detailed_description=page.text("full description"),
        conditions=page.lines("conditions"),
        design=_design(f, page, phases),
        arms=None if arm_lines is None else _arms(arm_lines, interventions or []),
        interventions=interventions,
        eligibility=_eligibility(f, page),
        outcomes=None,
        lead_sponsor=_lead_sponsor(page.sponsor, page.lines("funder types")),
        identifiers=identifiers,
        locations=None,
        central_contacts=_contacts(page.lines("central trial contact")),
    )


def _identifiers(f: Fields, lines: list[str]) -> tuple[str, list[Identifier]]:
    """The registry id, then every id listed (one holding hidden characters left out, with a warning).

    The registry id is the NCT id; without one, the first id of another registry (EudraCT, ISRCTN
    ...); without any, the first id that is a safe organisation study id (identity.py).
    """
    values = list(dict.fromkeys(lines))
    if not values:
        raise InvalidSource("page has no trial identifier")
    for value in [v for v in values if identity.has_hidden_characters(v)]:
        f.warnings.append(f"field Identifiers {identity.shown(value)} holds control or bidi characters: left out")
        values.remove(value)
    nct_ids = [value.upper() for value in values if _NCT_ID.fullmatch(value)]
    identifiers = [
        Identifier(value=nct_id, kind="nct" if i == 0 else "alias") for i, nct_id in enumerate(nct_ids)
    ]
    others = [value for value in values if not _NCT_ID.fullmatch(value)]
    identifiers += [
        Identifier(value=value, kind="org_study" if i == 0 else "secondary") for i, value in enumerate(others)
    ]
    registry_id = next(iter(nct_ids), None) or next((v for v in others if identity.registry_of(v)), None)
    registry_id = registry_id or next((v for v in others if identity.ORG_STUDY_ID.fullmatch(v)), None)
    if registry_id is None:
        raise InvalidSource(
            identity.registry_id_problem(values[0] if values else lines[0], "Identifiers", org_study_id=True)
        )
    return registry_id, identifiers


def _status_and_phases(lines: list[str]) -> tuple[str | None, list[str]]:
    """'Recruiting' + 'Phase 1/2' -> ('RECRUITING', ['PHASE1', 'PHASE2'])."""
    status = None
    phases: list[str] = []
    for line in lines:
        codes = vocab.phases_from_text(line)
        if codes and all(code in vocab.ENUMS["phase"] for code in codes):
            phases += [code for code in codes if code not in phases]
        elif status is None:
            status = vocab.to_code("status", line)
    return status, phases


def _typed_name(line: str) -> tuple[str | None, str]:
    """'Procedure: Fecal Microbiota Transplant (FMT)' -> ('PROCEDURE', 'Fecal Microbiota Transplant (FMT)').

    A colon that follows no intervention type belongs to the name: ('Vitamin D: high dose') -> (None, ...).
    """
    match = _TYPED_NAME.match(line)
    if match:
        code = vocab.to_code("intervention_type", match.group(1))
        if code in vocab.ENUMS["intervention_type"]:
            return code, match.group(2).strip()
    return None, line


def _interventions(lines: list[str] | None) -> list[Intervention] | None:
    if lines is None:
        return None
    interventions = []
    for line in lines:
        kind, name = _typed_name(line)
        interventions.append(Intervention(name=name, type=kind))
    return interventions


# ---- arms ------------------------------------------------------------------------------------------


def _arm_type(line: str | None) -> str | None:
    """'Active Comparator group' -> 'ACTIVE_COMPARATOR'; None for a line that is no arm type."""
    if not line or not line.lower().endswith(" group"):
        return None
    code = vocab.to_code("arm_type", line)
    return code if code in vocab.ENUMS["arm_type"] else None


def _starts_arm(line: str, following: str | None, mode: str) -> bool:
    """Whether ``line`` is the label of a new arm.

    Among treatments, any line that is not "Type: Name" is. Elsewhere a label is known by the line
    after it: its type ("Experimental group") or "Description:"; or "Treatment:" when the arm before
    ended in its treatments (inside a description, "Treatment:" ends the text instead).
    """
    if mode == "label" or line.lower() in _ARM_MARKERS:
        return False
    if mode == "treatment" and _typed_name(line)[0] is None:
        return True
    if following is None:
        return False
    next_marker = _ARM_MARKERS.get(following.lower())
    return (
        _arm_type(following) is not None
        or next_marker == "description"
        or (next_marker == "treatment" and mode != "description")
    )


def _arms(lines: list[str], interventions: list[Intervention]) -> list[Arm]:
    """Arm blocks: label, '<Type> group', 'Description:' + text, 'Treatment:' + 'Type: Name' lines."""
    arms: list[Arm] = []
    descriptions: list[list[str]] = []
    mode = "label"
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else None
        if not arms or _starts_arm(line, following, mode):
            arms.append(Arm(label=line))
            descriptions.append([])
            mode = "label"
        elif mode == "label" and _arm_type(line):
            arms[-1].type = _arm_type(line)
            mode = "type"
        elif line.lower() in _ARM_MARKERS:
            mode = _ARM_MARKERS[line.lower()]
        elif mode == "treatment":
            arms[-1].intervention_names.append(line)
        else:
            descriptions[-1].append(line)
    for arm, description in zip(arms, descriptions, strict=True):
        arm.description = "\n".join(description) or None
        _link_interventions(arm, interventions)
    return arms


def _link_interventions(arm: Arm, interventions: list[Intervention]) -> None:
    """Add the arm's label to the arm_labels of each intervention it names."""
    for name in arm.intervention_names:
        kind, bare = _typed_name(name)
        for intervention in interventions:
            same_type = kind is None or intervention.type in (None, kind)
            if same_type and intervention.name.casefold() == bare.casefold():
                if arm.label not in intervention.arm_labels:
                    intervention.arm_labels.append(arm.label)
                break


# ---- design ----------------------------------------------------------------------------------------


def _design(f: Fields, page: Page, phases: list[str]) -> Design:
    count, count_type = _enrollment(f, page.value("enrollment"))
    masking, who_masked = _masking(page.value("masking"))
    return Design(
        study_type=vocab.to_code("study_type", page.value("study type")),
        phases=phases,
        primary_purpose=vocab.to_code("primary_purpose", page.value("primary purpose")),
        allocation=vocab.to_code("allocation", page.value("allocation")),
        intervention_model=vocab.to_code("intervention_model", page.value("interventional model")),
        masking=masking,
        who_masked=who_masked,
        observational_model=vocab.to_code("observational_model", page.value("observational model")),
        time_perspective=vocab.to_code("time_perspective", page.value("time perspective")),
        enrollment_count=count,
        enrollment_type=count_type,
    )


def _enrollment(f: Fields, value: str | None) -> tuple[int | None, str | None]:
    """'40 estimated patients' -> (40, 'ESTIMATED'); '1,200 actual participants' -> (1200, 'ACTUAL')."""
    match = _ENROLLMENT.match(value or "")
    if not match:
        return None, None
    count = f.whole_number_text(match.group(1), "Enrollment", ENROLLMENT)
    return count, vocab.to_code("enrollment_type", match.group(2))


def _masking(value: str | None) -> tuple[str | None, list[str]]:
    """'None (Open label)' -> ('NONE', []); 'Double Blind (Participant, Investigator)' -> DOUBLE + who."""
    if not value:
        return None, []
    head, _, inside = value.partition("(")
    code = vocab.to_code("masking", _MASKING_BLIND.sub("", head) or head)
    if code not in vocab.ENUMS["masking"]:
        return vocab.to_code("masking", value), []
    roles = [vocab.to_code("who_masked", role) for role in re.split(r",|\band\b", inside.rstrip(")"))]
    who = [role for role in roles if role in vocab.ENUMS["who_masked"]]
    return code, who


# ---- eligibility -----------------------------------------------------------------------------------


def _eligibility(f: Fields, page: Page) -> Eligibility | None:
    parts = ("sex", "ages", "volunteers", "inclusion criteria", "exclusion criteria", "criteria")
    if not any(part in page.blocks for part in parts):
        return None
    minimum_age, maximum_age = _ages(page.value("ages"))
    minimum_age, maximum_age = f.age(minimum_age, "Ages (minimum)"), f.age(maximum_age, "Ages (maximum)")
    criteria_text = _criteria_text(page)
    parsed = parse_criteria(criteria_text)
    return Eligibility(
        sex=vocab.to_code("sex", page.value("sex")),
        minimum_age=minimum_age,
        maximum_age=maximum_age,
        healthy_volunteers=_healthy_volunteers(page.value("volunteers")),
        criteria_text=criteria_text,
        inclusion=parsed.inclusion,
        exclusion=parsed.exclusion,
        other=parsed.other,
    )


def _age(number: str, unit: str | None) -> str:
    """('18', 'years') -> '18 Years'; ('1', 'month') -> '1 Month' (the registry's form)."""
    word = (unit or "year").lower().rstrip("s").capitalize()
    return f"{number} {word}" if number == "1" else f"{number} {word}s"


def _ages(value: str | None) -> tuple[str | None, str | None]:
    """'18+ years old' -> ('18 Years', None); '6 months to 17 years old' -> ('6 Months', '17 Years').

    A number without its own unit takes the next unit named ('18 to 75 years'); 'Under 18 years old'
    keeps the page's number as the maximum.
    """
    if not value:
        return None, None
    tokens = _AGE_TOKEN.findall(value)
    ages = []
    for position, (number, _) in enumerate(tokens):
        if number:
            unit = next((word for _, word in tokens[position + 1 :] if word), None)
            ages.append(_age(number, unit))
    if not ages:
        return None, None
    if _AGE_MAXIMUM_ONLY.match(value):
        return None, ages[0]
    if len(ages) == 1 or _AGE_MINIMUM_ONLY.search(value):
        return ages[0], None
    return ages[0], ages[1]


def _healthy_volunteers(value: str | None) -> bool | None:
    """'No Healthy Volunteers' -> False; 'Accepts Healthy Volunteers' -> True."""
    words = (value or "").lower()
    if re.search(r"\b(?:no|not)\b", words):
        return False
    if "accept" in words or words.startswith("yes"):
        return True
    return None


def _criteria_text(page: Page) -> str | None:
    """The criteria in the registry's layout: 'Inclusion Criteria:' + items, 'Exclusion Criteria:' + items."""
    sections = []
    for key, heading in (
        ("criteria", None),
        ("inclusion criteria", "Inclusion Criteria:"),
        ("exclusion criteria", "Exclusion Criteria:"),
    ):
        items = _criteria_items(page.paragraphs(key))
        if items:
            sections.append(f"{heading}\n\n{items}" if heading else items)
    return "\n\n".join(sections) or None


def _criteria_items(paragraphs: list[Paragraph] | None) -> str:
    """The page's item lines, dedented, with '•' bullets written as the registry's '* '.

    Indentation beyond the block's own is kept, so nested items stay nested.
    """
    lines = [line for paragraph in paragraphs or [] for line in paragraph]
    if not lines:
        return ""
    margin = min(len(line) - len(line.lstrip()) for line in lines)
    return "\n".join(_BULLET.sub(r"\1* ", line[margin:]) for line in lines)


# ---- people ----------------------------------------------------------------------------------------


def _funder_class(text: str) -> str | None:
    words = re.sub(r"[^a-z]+", " ", text.lower()).strip()
    return _FUNDER_WORDS.get(words) or vocab.to_code("agency_class", text)


def _lead_sponsor(name: str | None, funder_types: list[str] | None) -> Sponsor | None:
    """The sponsor under the title; its class when the page names one funder type.

    Several funder types are those of the sponsor and its collaborators, and the page does not say
    which is whose: the class is then left unknown.
    """
    if not name:
        return None
    classes = list(dict.fromkeys(_funder_class(line) for line in funder_types or []))
    return Sponsor(name=name, agency_class=classes[0] if len(classes) == 1 else None)


def _contacts(lines: list[str] | None) -> list[Contact] | None:
    """Names, each followed by its phone and email lines when the page shows them."""
    if lines is None:
        return None
    contacts: list[Contact] = []
    for line in lines:
        is_email, is_phone = bool(_EMAIL.match(line)), bool(_PHONE.match(line))
        if not contacts or not (is_email or is_phone):
            contacts.append(Contact(role="CONTACT"))
        if is_email:
            contacts[-1].email = line
        elif is_phone:
            contacts[-1].phone = line
        else:
            contacts[-1].name = line
    return contacts
