"""A ClinicalTrials.Veeva study page saved as text (the browser's "save as text").

The page is a run of label lines ("Status", "Conditions", "Inclusion criteria", "Trial design" ...)
each followed by its value lines, with the arms listed after "N participants in K patient groups".
The page carries no outcomes, officials or documents: those parts are "not in source". Sites are
listed only when the page was saved after they loaded ("Loading..." means they were not).
"""

from __future__ import annotations

import re

from .. import vocab
from ..criteria import parse_criteria
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
from .base import InvalidSource, ParsedRecord, check_field_sizes

NAME = "veeva-page"
_BRAND = "ClinicalTrials.Veeva"
LABELS = (
    "Status",
    "Status and phase",
    "Phase",
    "Conditions",
    "Treatments",
    "Study type",
    "Funder types",
    "Identifiers",
    "Details and patient eligibility",
    "About",
    "Full description",
    "Enrollment",
    "Sex",
    "Ages",
    "Volunteers",
    "Inclusion criteria",
    "Exclusion criteria",
    "Trial design",
    "Primary purpose",
    "Allocation",
    "Interventional model",
    "Masking",
    "Observational model",
    "Time perspective",
    "Trial contacts and locations",
    "Central trial contact",
    "Sponsors",
    "Study documents",
    "Data sourced from clinicaltrials.gov",
)
_LABEL_SET = {label.lower() for label in LABELS}
_FOOTER = ("data sourced from clinicaltrials.gov", "clinical trials", "find clinical trials", "© copyright")
_GROUPS = re.compile(r"^(\d+)\s+participants?\s+in\s+(\d+)\s+patient\s+groups?", re.IGNORECASE)
_NCT = re.compile(r"^NCT\d{8}$")
_TREATMENT = re.compile(r"^([A-Za-z][A-Za-z /-]+?):\s*(.+)$")
_ENROLLMENT = re.compile(r"^([\d,]+)\s+(estimated|actual|anticipated)?", re.IGNORECASE)
_AGES = re.compile(
    r"^(?:(?P<min>\d+)\s*(?P<minunit>\w+)?\s*(?:\+|to|-|–)\s*(?:(?P<max>\d+)\s*)?(?P<unit>years?|months?|weeks?|days?)?"
    r"|(?:under|up to|below)\s+(?P<under>\d+)\s*(?P<uunit>\w+)?)",
    re.IGNORECASE,
)
_MARKED_ITEM = re.compile(r"^\s*(?:\d{1,3}[.)]|[•*·▪-])\s+")


class VeevaPageImporter:
    name = NAME
    label = "ClinicalTrials.Veeva page (saved text)"

    def sniff(self, head: str) -> float:
        if not head.lstrip("\ufeff \t\r\n").startswith(_BRAND):
            return 0.0
        lines = [line.strip() for line in head.lstrip("\ufeff").splitlines() if line.strip()]
        if not lines or lines[0] != _BRAND:
            return 0.0
        return (
            0.95
            if any(
                line in ("Details and patient eligibility", "Trial design", "Identifiers") for line in lines
            )
            else 0.6
        )

    def parse(self, text: str) -> list[ParsedRecord]:
        record = page_to_record(text)
        check_field_sizes(record)
        return [ParsedRecord(record, text, NAME)]


IMPORTER = VeevaPageImporter()


def _blocks(lines: list[str]) -> tuple[str | None, str | None, dict[str, list[str]]]:
    """Title, sponsor and {label: value lines} of a page. Value lines keep their indentation."""
    stripped = [line.strip() for line in lines]
    try:
        start = stripped.index("Menu") + 1
    except ValueError:
        start = 1
    body = [(raw, s) for raw, s in zip(lines[start:], stripped[start:], strict=True) if s]
    title = body[0][1] if body else None
    sponsor = None
    position = 1
    # sponsor: after an "X logo" line or a one-letter placeholder, the next line, before any label
    while position < len(body) and body[position][1].lower() not in _LABEL_SET:
        line = body[position][1]
        if not line.endswith(" logo") and len(line) > 1:
            sponsor = line
        position += 1
    blocks: dict[str, list[str]] = {}
    current: list[str] | None = None
    for raw, line in body[position:]:
        lowered = line.lower()
        if lowered in _LABEL_SET:
            if lowered in _FOOTER:
                break
            current = blocks.setdefault(lowered, [])
            continue
        if lowered.startswith(_FOOTER):
            break
        if _GROUPS.match(line):
            current = blocks.setdefault("patient groups", [])  # the arm blocks follow
            continue
        if current is not None:
            current.append(raw.rstrip())
    return title, sponsor, blocks


def _age(value: str | None) -> tuple[str | None, str | None]:
    """'18+ years old' -> ('18 Years', None); '18 to 75 years old' -> ('18 Years', '75 Years')."""
    if not value:
        return None, None
    match = _AGES.match(value.strip())
    if not match:
        return None, None

    def unit(word: str | None) -> str:
        word = (word or "years").lower().rstrip("s")
        return {"year": "Years", "month": "Months", "week": "Weeks", "day": "Days"}.get(word, "Years")

    if match.group("under"):
        return None, f"{match.group('under')} {unit(match.group('uunit'))}"
    shared = unit(match.group("unit"))
    minimum_unit = unit(match.group("minunit")) if match.group("minunit") and match.group("max") else shared
    minimum = f"{match.group('min')} {minimum_unit}"
    maximum = f"{match.group('max')} {shared}" if match.group("max") else None
    return minimum, maximum


def _criteria_text(blocks: dict[str, list[str]]) -> str | None:
    parts = []
    for label, heading in (
        ("inclusion criteria", "Inclusion Criteria:"),
        ("exclusion criteria", "Exclusion Criteria:"),
    ):
        if label in blocks:
            items = [line.strip() for line in blocks[label]]
            # "• item" bullets become registry-style "* item"
            items = [re.sub(r"^[•·▪]\s*", "* ", item) for item in items]
            parts.append(heading + "\n\n" + "\n".join(items))
    return "\n\n".join(parts) or None


def _treatments(lines: list[str]) -> list[Intervention]:
    interventions = []
    for line in lines:
        match = _TREATMENT.match(line.strip())
        if match:
            interventions.append(
                Intervention(
                    name=match.group(2).strip(), type=vocab.to_code("intervention_type", match.group(1))
                )
            )
        else:
            interventions.append(Intervention(name=line.strip()))
    return interventions


def _arms(lines: list[str], interventions: list[Intervention]) -> list[Arm]:
    """Arm blocks: label, '<Type> group', 'Description:' text, 'Treatment:' lines."""
    lines = [line.strip() for line in lines]
    arms: list[Arm] = []
    by_name = {f"{vocab.label(i.type)}: {i.name}".lower(): i for i in interventions}
    by_name.update({i.name.lower(): i for i in interventions})
    index = 0
    while index < len(lines):
        if (
            index + 1 < len(lines)
            and lines[index + 1].lower().endswith(" group")
            and not lines[index].endswith(":")
        ):
            arm = Arm(label=lines[index], type=vocab.to_code("arm_type", lines[index + 1]))
            arms.append(arm)
            index += 2
            mode = None
            description: list[str] = []
            while index < len(lines):
                line = lines[index]
                if (
                    index + 1 < len(lines)
                    and lines[index + 1].lower().endswith(" group")
                    and mode == "treatment"
                ):
                    break
                if line == "Description:":
                    mode = "description"
                elif line in ("Treatment:", "Treatments:"):
                    mode = "treatment"
                elif mode == "description":
                    description.append(line)
                elif mode == "treatment":
                    arm.intervention_names.append(line)
                    match = _TREATMENT.match(line)
                    target = by_name.get(line.lower()) or (
                        by_name.get(match.group(2).lower()) if match else None
                    )
                    if target is not None and arm.label not in target.arm_labels:
                        target.arm_labels.append(arm.label)
                index += 1
            arm.description = "\n".join(description) or None
        else:
            index += 1
    return arms


def page_to_record(text: str) -> TrialRecord:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    title, sponsor, blocks = _blocks(lines)

    def value(label: str) -> str | None:
        values = [line.strip() for line in blocks.get(label, []) if line.strip()]
        return values[0] if values else None

    def paragraphs(label: str) -> str | None:
        text_lines = [line.strip() for line in blocks.get(label, [])]
        return "\n\n".join(line for line in text_lines if line) or None

    identifiers_text = [line.strip() for line in blocks.get("identifiers", []) if line.strip()]
    nct = next((i for i in identifiers_text if _NCT.match(i)), None)
    if not identifiers_text:
        raise InvalidSource("page has no trial identifier")
    registry_id = nct or identifiers_text[0]
    identifiers = [Identifier(value=registry_id, kind="nct" if nct else "org_study")]
    for other in identifiers_text:
        if other != registry_id:
            kind = "org_study" if len(identifiers) == 1 and nct else "secondary"
            identifiers.append(Identifier(value=other, kind=kind))

    status_lines = [
        line.strip() for line in blocks.get("status and phase", blocks.get("status", [])) if line.strip()
    ]
    phase_lines = [
        line for line in status_lines[1:] if line.lower().startswith(("phase", "early phase", "n/a"))
    ]
    phase_lines += [line.strip() for line in blocks.get("phase", []) if line.strip()]
    phases: list[str] = []
    for line in phase_lines:
        phases += [
            p for p in vocab.phases_from_text(line.replace("Phase 1/2", "Phase 1/Phase 2")) if p not in phases
        ]

    enrollment = _ENROLLMENT.match(value("enrollment") or "")
    interventions = _treatments([line for line in blocks.get("treatments", []) if line.strip()])
    masking = value("masking")
    minimum_age, maximum_age = _age(value("ages"))
    volunteers = (value("volunteers") or "").lower()
    criteria_text = _criteria_text(blocks)
    parsed = parse_criteria(criteria_text)
    has_eligibility = any(
        k in blocks for k in ("sex", "ages", "volunteers", "inclusion criteria", "exclusion criteria")
    )
    contacts = [line.strip() for line in blocks.get("central trial contact", []) if line.strip()]
    funder = value("funder types")
    return TrialRecord(
        registry_id=registry_id,
        brief_title=title,
        overall_status=vocab.to_code("status", status_lines[0]) if status_lines else None,
        brief_summary=paragraphs("about"),
        detailed_description=paragraphs("full description"),
        conditions=[line.strip() for line in blocks["conditions"] if line.strip()]
        if "conditions" in blocks
        else None,
        keywords=None,
        design=Design(
            study_type=vocab.to_code("study_type", value("study type")),
            phases=phases,
            primary_purpose=vocab.to_code("primary_purpose", value("primary purpose")),
            allocation=vocab.to_code("allocation", value("allocation")),
            intervention_model=vocab.to_code("intervention_model", value("interventional model")),
            masking=vocab.to_code("masking", masking),
            observational_model=vocab.to_code("observational_model", value("observational model")),
            time_perspective=vocab.to_code("time_perspective", value("time perspective")),
            enrollment_count=int(enrollment.group(1).replace(",", "")) if enrollment else None,
            enrollment_type=vocab.to_code("enrollment_type", enrollment.group(2))
            if enrollment and enrollment.group(2)
            else None,
        ),
        arms=_arms(blocks["patient groups"], interventions) if "patient groups" in blocks else None,
        interventions=interventions if "treatments" in blocks else None,
        eligibility=Eligibility(
            sex=vocab.to_code("sex", value("sex")),
            minimum_age=minimum_age,
            maximum_age=maximum_age,
            healthy_volunteers=None
            if not volunteers
            else ("accept" in volunteers or volunteers.startswith("yes")),
            criteria_text=criteria_text,
            inclusion=parsed.inclusion,
            exclusion=parsed.exclusion,
            other=parsed.other,
        )
        if has_eligibility
        else None,
        outcomes=None,
        lead_sponsor=Sponsor(sponsor, vocab.to_code("agency_class", funder)) if sponsor else None,
        collaborators=None,
        identifiers=identifiers,
        locations=None,
        central_contacts=[Contact(name=name, role="CONTACT") for name in contacts] if contacts else None,
        officials=None,
        documents=None,
    )
