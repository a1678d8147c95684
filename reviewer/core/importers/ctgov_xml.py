"""ClinicalTrials.gov legacy XML: one ``<clinical_study>`` document (schema: public.xsd, 2011-2023).

The registry served this format before API v2: the classic "Download XML", the AACT and bulk
archives. It spells coded values as words ("Not yet recruiting", "Phase 1/Phase 2"), writes dates
as "March 5, 2019" and hard-wraps its text blocks; this module turns all of that into a TrialRecord
in API v2 terms, so a legacy file and a v2 JSON of the same study read the same.

The parser is defusedxml with document type declarations refused outright: the registry never
writes a DTD, and refusing them shuts out entity expansion and external entities (no file or
network is ever read).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from typing import TypeVar
from xml.etree.ElementTree import Element, ParseError
from xml.parsers.expat import errors as expat_errors

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden

from .. import identity, vocab
from .. import record as rec
from ..criteria import parse_criteria
from ..parsed import ParsedRecord
from ..results import Results
from .base import InvalidSource, check_field_sizes
from .fields import ENROLLMENT, Fields

_T = TypeVar("_T")

NAME = "ctgov-xml"
ROOT = "clinical_study"

# Everything that may come before the root element: whitespace, the XML declaration, comments,
# processing instructions and a DOCTYPE (sniffed past so that parse() can refuse it with a reason).
# (The internal subset is matched as "[" non-"]"* "]" so that a hostile head cannot make it backtrack.)
_PROLOG_ITEM = re.compile(r"\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE\b[^\[>]*(?:\[[^\]]*\][^>]*)?>", re.S)
_ROOT_START = re.compile(rf"<(?:!DOCTYPE\s+)?{ROOT}[\s/>\[]")
_XML_DECLARATION = re.compile(r"\A\s*<\?xml\b.*?\?>", re.S)

# The schema added <provided_document_section> on 2019-02-06; older downloads cannot carry documents.
_DOCUMENTS_SINCE = "2019-02-06"


class CtgovXmlImporter:
    name = NAME
    label = "ClinicalTrials.gov legacy XML"

    def sniff(self, head: str) -> float:
        text = head.lstrip("\ufeff")
        position = 0
        while match := _PROLOG_ITEM.match(text, position):
            position = match.end()
        return 0.95 if _ROOT_START.match(text, position) else 0.0

    def parse(self, text: str) -> list[ParsedRecord]:
        root = parse_xml(text)
        if root.tag != ROOT:
            raise InvalidSource(f"XML root is <{root.tag}>, not <{ROOT}>")
        warnings: list[str] = []
        record = study_to_record(root, warnings)
        check_field_sizes(record)
        return [ParsedRecord(record, text, NAME, warnings=warnings)]


IMPORTER = CtgovXmlImporter()


# --- Reading the XML safely -------------------------------------------------------------------

_ENTITY_REASON = "XML entity declarations are refused (possible entity-expansion or external-entity attack)"


def parse_xml(text: str) -> Element:
    """The document's root element, or InvalidSource with a one-line reason."""
    # The text is already decoded: drop the declaration so that its encoding="..." cannot disagree.
    body = _XML_DECLARATION.sub(lambda m: "\n" * m.group().count("\n"), text.lstrip("\ufeff"), count=1)
    if not body.strip():
        raise InvalidSource("document is empty")
    if not body.lstrip().startswith("<"):
        raise InvalidSource("not XML (the text does not start with a tag)")
    try:
        data = body.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidSource("text holds characters that cannot be XML (unpaired surrogates)") from None
    try:
        return SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DTDForbidden as error:
        raise InvalidSource(_dtd_reason(body, error)) from None
    except EntitiesForbidden:
        raise InvalidSource(_ENTITY_REASON) from None
    except DefusedXmlException:
        raise InvalidSource("unsafe XML refused (it asks for entities, DTDs or external resources)") from None
    except ParseError as error:
        raise InvalidSource(_parse_error_reason(error)) from None


def _dtd_reason(body: str, error: DTDForbidden) -> str:
    if "<!ENTITY" in body:
        return _ENTITY_REASON
    if error.sysid or error.pubid:
        return "XML with an external DTD is refused (it is never fetched; registry XML has none)"
    return "XML document type declarations (DTD) are refused; registry XML has none"


_TRUNCATION_ERRORS = {
    expat_errors.codes[expat_errors.XML_ERROR_NO_ELEMENTS],
    expat_errors.codes[expat_errors.XML_ERROR_UNCLOSED_TOKEN],
    expat_errors.codes[expat_errors.XML_ERROR_PARTIAL_CHAR],
}


def _parse_error_reason(error: ParseError) -> str:
    line = error.position[0]
    if error.code in _TRUNCATION_ERRORS:
        return f"truncated XML (the document ends early, line {line})"
    message = re.sub(r":\s*line \d+, column \d+$", "", str(error))
    return f"invalid XML: {message} (line {line})"


# --- The record -----------------------------------------------------------------------------------


def study_to_record(study: Element, warnings: list[str] | None = None) -> rec.TrialRecord:
    """Map one <clinical_study> element to a TrialRecord; a value out of range is "not in source"
    and leaves a warning in ``warnings``. InvalidSource when the NCT id is missing or is none."""
    f = Fields(warnings)
    nct_id = _text(study, "id_info/nct_id")
    if not nct_id:
        raise InvalidSource("record has no NCT id")
    problem = identity.nct_id_problem(nct_id, "id_info/nct_id")
    if problem:
        raise InvalidSource(problem)
    study_type = _text(study, "study_type")
    # A redacted record (study type "N/A", status Withheld) leaves out what the registry withholds:
    # its missing lists are "not in source", not "none".
    carried = study_type != "N/A"
    arms, interventions = _arms_and_interventions(study)
    references, links = _references(study)
    return rec.TrialRecord(
        registry_id=nct_id,
        brief_title=_text(study, "brief_title"),
        official_title=_text(study, "official_title"),
        acronym=_text(study, "acronym"),
        overall_status=_code("status", _text(study, "overall_status")),
        last_known_status=_code("status", _text(study, "last_known_status")),
        why_stopped=_text(study, "why_stopped"),
        brief_summary=_textblock(study, "brief_summary"),
        detailed_description=_textblock(study, "detailed_description"),
        conditions=_carried(_texts(study, "condition"), carried),
        keywords=_carried(_texts(study, "keyword"), carried),
        design=_design(f, study, study_type),
        dates=_dates(study),
        arms=_carried(arms, carried),
        interventions=_carried(interventions, carried),
        eligibility=_eligibility(f, study.find("eligibility")),
        outcomes=_carried(_outcomes(study), carried),
        lead_sponsor=_sponsor(study.find("sponsors/lead_sponsor")),
        collaborators=_carried(
            [s for s in map(_sponsor, study.findall("sponsors/collaborator")) if s], carried
        ),
        identifiers=_identifiers(f, study, nct_id),
        locations=_carried([_location(x) for x in study.findall("location")], carried),
        central_contacts=_carried(_central_contacts(study), carried),
        officials=_carried([_official(x) for x in study.findall("overall_official")], carried),
        documents=_carried(_documents(study), carried and _carries_documents(study)),
        has_dmc=_yes_no(_text(study, "oversight_info/has_dmc")),
        has_results=study.find("clinical_results") is not None,
        version_date=f.version_date(
            [(name, legacy_date(_text(study, name))) for name in _VERSION_DATES]
        ),
        references=references,
        links=links,
        **read_details(study),
    )


# the elements that date a version of the record, best first
_VERSION_DATES = ("last_update_posted", "lastchanged_date", "last_update_submitted")


def results_in(text: str) -> Results | None:
    """The results of a stored version's source document (see core/shown.py)."""
    from .ctgov_xml_results import read_results  # here, not above: that module reads with this one's helpers

    return read_results(parse_xml(text))


def _carried(items: list[_T], carried: bool) -> list[_T] | None:
    return items if items or carried else None


def _carries_documents(study: Element) -> bool:
    downloaded = _download_date(study)
    return downloaded is None or downloaded >= _DOCUMENTS_SINCE


def _download_date(study: Element) -> str | None:
    """'ClinicalTrials.gov processed this data on May 11, 2018' -> '2018-05-11'."""
    header = _text(study, "required_header/download_date") or ""
    match = re.search(r"[A-Z][a-z]+\.? \d{1,2}, \d{4}", header)
    date = legacy_date(match.group()) if match else None
    return date if date and re.fullmatch(r"\d{4}-\d\d-\d\d", date) else None


# --- Plain values -------------------------------------------------------------------------------


def _plain(value: str | None) -> str | None:
    """Element text with line endings normalised and outer whitespace stripped; empty -> None."""
    if value is None:
        return None
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    text = "\n".join(line.rstrip() for line in lines).strip()
    return text or None


def _child(parent: Element, path: str) -> Element:
    """The element at ``path``, or an empty one (whose fields all read as None)."""
    element = parent.find(path)
    return Element(path) if element is None else element


def _text(parent: Element, path: str) -> str | None:
    element = parent.find(path)
    return None if element is None else _plain(element.text)


def _texts(parent: Element, path: str) -> list[str]:
    return [t for t in (_plain(e.text) for e in parent.findall(path)) if t]


def _code(kind: str, text: str | None) -> str | None:
    return vocab.to_code(kind, text)


def _yes_no(text: str | None) -> bool | None:
    if text is None:
        return None
    answer = text.strip().lower()
    if answer in ("yes", "accepts healthy volunteers"):
        return True
    if answer == "no":
        return False
    return None


_MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_name) if name}
_MONTHS |= {name.lower(): n for n, name in enumerate(calendar.month_abbr) if name}
_LEGACY_DATE = re.compile(r"([A-Za-z]+)\.?\s+(?:(\d{1,2}),?\s+)?(\d{4})")


def legacy_date(text: str | None) -> str | None:
    """'March 2019' -> '2019-03'; 'March 5, 2019' -> '2019-03-05'; 'Unknown' -> None.

    Text in no known form is kept as written rather than dropped.
    """
    if not text or text.strip().lower() == "unknown":
        return None
    text = text.strip()
    match = _LEGACY_DATE.fullmatch(text)
    month = _MONTHS.get(match.group(1).lower()) if match else None
    if match is None or month is None:
        return text
    day = int(match.group(2)) if match.group(2) else None
    if day is not None and not 1 <= day <= 31:
        return text
    return f"{match.group(3)}-{month:02d}" + (f"-{day:02d}" if day else "")


# --- Text blocks ---------------------------------------------------------------------------------


# A list item's marker: bullets (- * • o), numbers (1. 10) ), letters (a. B)), roman numerals (IV.)
_LIST_MARKER = re.compile(r"([-*•o]|\d{1,3}[.)]|[A-Za-z][.)]|[ivxIVX]{1,5}[.)])\s+(?=\S)")
_BULLETS = "-*•o"


@dataclass
class _Block:
    """One blank-line-separated block of a legacy text block: a paragraph or one list item."""

    column: int  # where its text starts (after the marker, for a list item)
    marker: str | None
    text: str


def _textblock(parent: Element, path: str) -> str | None:
    element = parent.find(f"{path}/textblock")
    if element is None:
        element = parent.find(path)
    return None if element is None else reflow(element.text)


def reflow(text: str | None) -> str | None:
    """Undo the legacy hard wrap and indentation the way the registry's own v2 conversion does.

    The legacy writer wraps every paragraph and list item at about 100 columns and separates them
    with blank lines; list nesting shows only as indentation. Here each block becomes one line: a
    paragraph stays a paragraph (blank line around it) and a list item becomes a markdown item ("* "
    for bullets, the number kept for numbered items), nested items indented under their parent's
    text. Consecutive items sit on consecutive lines, with a blank line before a nested list.
    """
    if text is None:
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = [_block(chunk) for chunk in re.split(r"\n\s*\n", text) if chunk.strip()]
    out: list[str] = []
    # the list items enclosing the current block: (column of their text, indent of their children)
    enclosing: list[tuple[int, int]] = []
    previous_item_depth: int | None = None
    for block in blocks:
        is_item = block.marker is not None
        while enclosing and (
            enclosing[-1][0] >= block.column if is_item else enclosing[-1][0] > block.column
        ):
            enclosing.pop()
        indent = enclosing[-1][1] if enclosing else 0
        depth = len(enclosing)
        if out:
            same_list = is_item and previous_item_depth is not None and depth <= previous_item_depth
            out.append("\n" if same_list else "\n\n")
        if is_item:
            marker = "*" if block.marker in _BULLETS else block.marker
            out.append(f"{' ' * indent}{marker} {block.text}")
            enclosing.append((block.column, indent + len(marker) + 1))
        else:
            out.append(f"{' ' * indent}{block.text}")
        previous_item_depth = depth if is_item else None
    return "".join(out) or None


def _block(chunk: str) -> _Block:
    lines = [line for line in chunk.split("\n") if line.strip()]
    first = lines[0].expandtabs()
    indent = len(first) - len(first.lstrip())
    head = first.strip()
    rest = [line.strip() for line in lines[1:]]
    marker = _LIST_MARKER.match(head)
    if marker is None:
        return _Block(indent, None, " ".join([head, *rest]))
    return _Block(indent + marker.end(), marker.group(1), " ".join([head[marker.end() :], *rest]))


# --- Parts of the record ----------------------------------------------------------------------------


def _design(f: Fields, study: Element, study_type: str | None) -> rec.Design:
    info = _child(study, "study_design_info")
    masking = _text(info, "masking")
    enrollment = study.find("enrollment")
    return rec.Design(
        study_type=None if study_type == "N/A" else _code("study_type", study_type),
        phases=vocab.phases_from_text(_text(study, "phase")),
        primary_purpose=_code("primary_purpose", _text(info, "primary_purpose")),
        allocation=_code("allocation", _text(info, "allocation")),
        intervention_model=_code("intervention_model", _text(info, "intervention_model")),
        intervention_model_description=_text(info, "intervention_model_description"),
        masking=_code("masking", masking),
        who_masked=_who_masked(masking),
        masking_description=_text(info, "masking_description"),
        observational_model=_code("observational_model", _text(info, "observational_model")),
        time_perspective=_code("time_perspective", _text(info, "time_perspective")),
        enrollment_count=None
        if enrollment is None
        else f.whole_number_text(enrollment.text, "enrollment", ENROLLMENT),
        enrollment_type=None if enrollment is None else _code("enrollment_type", enrollment.get("type")),
    )


def _who_masked(masking: str | None) -> list[str]:
    """'Double (Participant, Investigator)' -> ['PARTICIPANT', 'INVESTIGATOR']."""
    match = re.search(r"\(([^)]*)\)", masking or "")
    if not match or _code("masking", masking) == "NONE":
        return []
    return [c for c in (_code("who_masked", w) for w in match.group(1).split(",")) if c]


def _dates(study: Element) -> rec.Dates:
    def dated(name: str) -> tuple[str | None, str | None]:
        element = study.find(name)
        if element is None:
            return None, None
        return legacy_date(_plain(element.text)), _code("date_type", element.get("type"))

    return rec.Dates(  # positional first: each planned date and its type, in the order of Dates' fields
        *dated("start_date"),
        *dated("primary_completion_date"),
        *dated("completion_date"),
        first_submitted=legacy_date(_text(study, "study_first_submitted") or _text(study, "firstreceived_date")),
        first_posted=legacy_date(_text(study, "study_first_posted")),
        last_update_posted=legacy_date(_text(study, "last_update_posted")),
        status_verified=legacy_date(_text(study, "verification_date")),
    )


def _arms_and_interventions(study: Element) -> tuple[list[rec.Arm], list[rec.Intervention]]:
    interventions = [_intervention(x) for x in study.findall("intervention")]
    arms = []
    for element in study.findall("arm_group"):
        label = _text(element, "arm_group_label") or ""
        arms.append(
            rec.Arm(
                label=label,
                type=_code("arm_type", _text(element, "arm_group_type")),
                description=_text(element, "description"),
                intervention_names=_interventions_of_arm(study, label),
            )
        )
    return arms, interventions


def _interventions_of_arm(study: Element, label: str) -> list[str]:
    """The arm's interventions as API v2 names them: 'Drug: Aspirin' (type in the registry's words)."""
    wanted = _label_key(label)
    names = []
    for element in study.findall("intervention"):
        if any(_label_key(x) == wanted for x in _texts(element, "arm_group_label")):
            kind, name = _text(element, "intervention_type"), _text(element, "intervention_name") or ""
            names.append(f"{kind}: {name}" if kind else name)
    return names


def _label_key(label: str) -> str:
    return " ".join(label.split()).casefold()


def _intervention(element: Element) -> rec.Intervention:
    return rec.Intervention(
        name=_text(element, "intervention_name") or "",
        type=_code("intervention_type", _text(element, "intervention_type")),
        description=_text(element, "description"),
        other_names=_texts(element, "other_name"),
        arm_labels=_texts(element, "arm_group_label"),
    )


def _eligibility(f: Fields, element: Element | None) -> rec.Eligibility | None:
    if element is None:
        return None
    text = _textblock(element, "criteria")
    parsed = parse_criteria(text)
    minimum_age = f.age(_age(_text(element, "minimum_age")), "eligibility/minimum_age")
    maximum_age = f.age(_age(_text(element, "maximum_age")), "eligibility/maximum_age")
    return rec.Eligibility(
        sex=_code("sex", _text(element, "gender")),
        minimum_age=minimum_age,
        maximum_age=maximum_age,
        healthy_volunteers=_yes_no(_text(element, "healthy_volunteers")),
        std_ages=_std_ages(minimum_age, maximum_age),
        criteria_text=text,
        inclusion=parsed.inclusion,
        exclusion=parsed.exclusion,
        other=parsed.other,
    )


def _age(text: str | None) -> str | None:
    """'18 Years' stays; 'N/A' (no limit) -> None."""
    return None if text is None or text.upper() in ("N/A", "NA") else text


def _std_ages(minimum_age: str | None, maximum_age: str | None) -> list[str]:
    """The registry's age groups, derived from the limits as it derives them for API v2.

    The legacy XML does not carry them; child is under 18, older adult 65 and over.
    """
    low = vocab.age_in_years(minimum_age) or 0.0
    high = vocab.age_in_years(maximum_age)
    high = float("inf") if high is None else high
    groups = []
    if low < 18:
        groups.append("CHILD")
    if low < 65 and high >= 18:
        groups.append("ADULT")
    if high >= 65:
        groups.append("OLDER_ADULT")
    return groups


def _outcomes(study: Element) -> list[rec.Outcome]:
    outcomes = []
    for kind in ("primary", "secondary", "other"):
        for element in study.findall(f"{kind}_outcome"):
            outcomes.append(
                rec.Outcome(
                    kind=kind,
                    measure=_text(element, "measure") or "",
                    time_frame=_text(element, "time_frame"),
                    description=_text(element, "description"),
                )
            )
    return outcomes


def _sponsor(element: Element | None) -> rec.Sponsor | None:
    name = None if element is None else _text(element, "agency")
    if element is None or not name:
        return None
    return rec.Sponsor(name=name, agency_class=_code("agency_class", _text(element, "agency_class")))


def _identifiers(f: Fields, study: Element, nct_id: str) -> list[rec.Identifier]:
    """The NCT id, then the others; an alias that is no NCT id, or an id holding hidden
    characters, is left out with a warning."""
    ids = [rec.Identifier(value=nct_id, kind="nct")]
    for kind, name in (("org_study", "org_study_id"), ("secondary", "secondary_id"), ("alias", "nct_alias")):
        for value in _texts(study, f"id_info/{name}"):
            if kind == "alias" and not identity.NCT_ID.fullmatch(value):
                f.warnings.append(f"field id_info/nct_alias {identity.shown(value)} is not an NCT id: left out")
            elif identity.has_hidden_characters(value):
                f.warnings.append(
                    f"field id_info/{name} {identity.shown(value)} holds control or bidi characters: left out"
                )
            else:
                ids.append(rec.Identifier(value=value, kind=kind))
    return ids


def _person_name(element: Element) -> str | None:
    """first/middle/last name (the registry often puts the whole name in last_name) and degrees."""
    name = " ".join(
        part for part in (_text(element, f) for f in ("first_name", "middle_name", "last_name")) if part
    )
    degrees = _text(element, "degrees")
    if name and degrees:
        name = f"{name}, {degrees}"
    return name or None


def _contact(element: Element) -> rec.Contact:
    phone = _text(element, "phone")
    extension = _text(element, "phone_ext")
    if phone and extension:
        phone = f"{phone} ext. {extension}"
    return rec.Contact(name=_person_name(element), role="CONTACT", phone=phone, email=_text(element, "email"))


def _official(element: Element) -> rec.Contact:
    return rec.Contact(
        name=_person_name(element),
        role=_code("contact_role", _text(element, "role")),
        affiliation=_text(element, "affiliation"),
    )


def _central_contacts(study: Element) -> list[rec.Contact]:
    return [
        _contact(x) for name in ("overall_contact", "overall_contact_backup") for x in study.findall(name)
    ]


def _location(element: Element) -> rec.Location:
    contacts = [_contact(x) for name in ("contact", "contact_backup") for x in element.findall(name)]
    contacts += [_official(x) for x in element.findall("investigator")]
    return rec.Location(
        facility=_text(element, "facility/name"),
        city=_text(element, "facility/address/city"),
        state=_text(element, "facility/address/state"),
        zip=_text(element, "facility/address/zip"),
        country=_text(element, "facility/address/country"),
        status=_code("status", _text(element, "status")),
        contacts=contacts,
    )


# the legacy elements of the references and what API v2 calls each kind (it adds DERIVED, which the
# XML cannot tell from a background reference)
_REFERENCE_KINDS = (("reference", "BACKGROUND"), ("results_reference", "RESULT"))


def _references(study: Element) -> tuple[list[rec.Reference] | None, list[rec.Link] | None]:
    """The references and links; both None when the record has neither (API v2 then has no
    referencesModule: the same "not in source")."""
    references = [
        rec.Reference(citation=_text(x, "citation"), pmid=_text(x, "PMID"), type=kind)
        for tag, kind in _REFERENCE_KINDS
        for x in study.findall(tag)
    ]
    links = [rec.Link(url=_text(x, "url"), label=_text(x, "description")) for x in study.findall("link")]
    return (references, links) if references or links else (None, None)


def _documents(study: Element) -> list[rec.Document]:
    return [_document(x) for x in study.findall("provided_document_section/provided_document")]


def _document(element: Element) -> rec.Document:
    url = _text(element, "document_url")
    filename = url.rstrip("/").rsplit("/", 1)[-1] if url else None
    # "Prot_SAP_000.pdf" -> "Prot_SAP", as API v2 gives it in typeAbbrev
    abbrev = re.fullmatch(r"([A-Za-z_]+?)_\d+\.\w+", filename or "")
    return rec.Document(
        label=_text(element, "document_type"),
        type_abbrev=abbrev.group(1) if abbrev else None,
        has_protocol=_yes_no(_text(element, "document_has_protocol")),
        has_sap=_yes_no(_text(element, "document_has_sap")),
        has_icf=_yes_no(_text(element, "document_has_icf")),
        filename=filename,
        date=legacy_date(_text(element, "document_date")),
        url=url,
    )


# last: that module reads with this one's helpers
from .ctgov_xml_details import read_details  # noqa: E402
