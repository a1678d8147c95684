"""ClinicalTrials.gov API v2 JSON: one study, an API page, the website's array, newline-delimited JSON.

The zip download (ctg-studies.json.zip) is a zip of single-study files: the package's walker opens
it and hands each member here. ``study_to_record`` is shared with ignite_page.py, whose pages carry
the same study object as a Python literal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import orjson

from .. import identity
from ..criteria import parse_criteria
from ..identity import kind_of
from ..parsed import ParsedRecord
from ..record import (
    Arm,
    Contact,
    Dates,
    Design,
    Document,
    Eligibility,
    Identifier,
    Intervention,
    Link,
    Location,
    Outcome,
    Reference,
    Sponsor,
    TrialRecord,
    is_registry_date,
)
from ..results import Results
from .base import InvalidSource, check_field_sizes
from .ctgov_json_details import provided_document_url, read_details
from .ctgov_json_results import read_results
from .fields import DOCUMENT_SIZE, ENROLLMENT, LATITUDE, LONGITUDE, Fields, unwrap

NAME = "ctgov-json"


class CtgovJsonImporter:
    name = NAME
    label = "ClinicalTrials.gov JSON (API v2)"

    def sniff(self, head: str) -> float:
        start = head.lstrip("\ufeff \t\r\n")[:1]
        if start not in ("{", "["):
            return 0.0
        if '"protocolSection"' in head or '"studies"' in head:
            return 0.95
        if '"nctId"' in head or '"identificationModule"' in head:
            return 0.8
        return 0.3  # some JSON: ours to refuse with a precise reason

    def parse(self, text: str) -> list[ParsedRecord]:
        return self._records(_studies_in(text), text, None)

    def parse_utf8(self, data: bytes) -> list[ParsedRecord] | None:
        """Parse a document's UTF-8 bytes directly: no text is made of them (decoding, and orjson
        encoding the text back, cost a third as much as parsing). None when orjson refuses them: the
        text path (``parse``) then says why, or reads them as newline-delimited JSON."""
        try:
            loaded = orjson.loads(data)
        except orjson.JSONDecodeError:
            return None
        return self._records(_studies_of(loaded), None, data)

    def _records(self, studies: list[Any], text: str | None, data: bytes | None) -> list[ParsedRecord]:
        if not studies:
            raise InvalidSource("JSON holds no studies")
        parsed = []
        for position, study in enumerate(studies, 1):
            where = f"study {position}: " if len(studies) > 1 else ""
            if not isinstance(study, dict):
                raise InvalidSource(f"{where}expected a study object, found {kind_of(study)}")
            warnings: list[str] = []
            try:
                record = study_to_record(study, warnings)
            except InvalidSource as error:
                raise InvalidSource(f"{where}{error}") from None
            check_field_sizes(record)
            if len(studies) == 1:
                parsed.append(ParsedRecord(record, text, NAME, source_bytes=data, warnings=warnings))
            else:
                source = orjson.dumps(study)
                parsed.append(ParsedRecord(record, None, NAME, source_bytes=source, warnings=warnings))
        return parsed


IMPORTER = CtgovJsonImporter()


def results_in(text: str) -> Results | None:
    """The results section of a stored version's source document (one study: see core/shown.py)."""
    studies = _studies_in(text)
    study = studies[0] if len(studies) == 1 else None
    return read_results(Fields(), study) if isinstance(study, dict) else None


def _studies_in(text: str) -> list[Any]:
    """The study objects of any of the JSON shapes, or InvalidSource naming what is wrong."""
    stripped = text.strip().lstrip("\ufeff")
    if not stripped:
        raise InvalidSource("file is empty")
    try:
        data = orjson.loads(stripped)
    except orjson.JSONDecodeError as error:
        lines = [line for line in stripped.splitlines() if line.strip()]
        if len(lines) > 1 and lines[0].lstrip().startswith("{") and _is_json(lines[0]):
            return _ndjson(lines)  # one document per line (a pretty-printed one's first line is "{")
        raise InvalidSource(_json_error(error, stripped)) from None
    return _studies_of(data)


def _studies_of(data: Any) -> list[Any]:
    """The study objects of a loaded JSON document of any of the shapes, or InvalidSource."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        if "studies" in data:
            if not isinstance(data["studies"], list):
                raise InvalidSource('"studies" is not a list')
            return data["studies"]
        if "protocolSection" in data:
            return [data]
        if "FullStudiesResponse" in data:
            raise InvalidSource("retired classic-API JSON (FullStudiesResponse), not API v2")
        keys = ", ".join(list(data)[:5])
        raise InvalidSource(f"JSON object is not a study (no protocolSection; keys: {keys})")
    raise InvalidSource(f"JSON holds {kind_of(data)}, not studies")


def _is_json(text: str) -> bool:
    try:
        orjson.loads(text)
    except orjson.JSONDecodeError:
        return False
    return True


def _ndjson(lines: list[str]) -> list[Any]:
    studies = []
    for number, line in enumerate(lines, 1):
        try:
            studies.append(orjson.loads(line))
        except orjson.JSONDecodeError:
            raise InvalidSource(f"invalid JSON on line {number} of newline-delimited JSON") from None
    return studies


def _json_error(error: orjson.JSONDecodeError, text: str) -> str:
    if error.pos >= len(text) - 1 or "unexpected end" in str(error).lower():
        return "truncated JSON (the document ends early)"
    line = text.count("\n", 0, error.pos) + 1
    return f"invalid JSON at line {line}: {error.msg}"


P = "protocolSection"
IDENT, STATUS, DESIGN = f"{P}.identificationModule", f"{P}.statusModule", f"{P}.designModule"
ARMS, CONTACTS = f"{P}.armsInterventionsModule", f"{P}.contactsLocationsModule"
SPONSORS, ELIGIBILITY = f"{P}.sponsorCollaboratorsModule", f"{P}.eligibilityModule"
REFERENCES = f"{P}.referencesModule"
MISC = "derivedSection.miscInfoModule"


def study_to_record(study: dict[str, Any], warnings: list[str] | None = None) -> TrialRecord:
    """Map one API v2 study object to a TrialRecord; a field of the wrong type or out of range is
    "not in source" and leaves a warning in ``warnings``. InvalidSource when the study has no
    protocolSection or no valid identity."""
    f = Fields(warnings)
    protocol = study.get(P)
    if protocol.__class__ is not dict:
        found = "has no protocolSection" if protocol is None else f"has {kind_of(protocol)} as its protocolSection"
        raise InvalidSource(f"study {found}; it cannot be read")
    ident = f.mapping(protocol, "identificationModule", P) or {}
    nct_id = unwrap(ident.get("nctId"))
    if nct_id is None or nct_id == "":
        raise InvalidSource("study has no identity (identificationModule.nctId is missing)")
    problem = identity.nct_id_problem(nct_id, "identificationModule.nctId")
    if problem:
        raise InvalidSource(problem)
    status = f.mapping(protocol, "statusModule", P) or {}
    description = f.mapping(protocol, "descriptionModule", P) or {}
    conditions = f.mapping(protocol, "conditionsModule", P)
    sponsors = f.mapping(protocol, "sponsorCollaboratorsModule", P)
    arms_module = f.mapping(protocol, "armsInterventionsModule", P)
    contacts = f.mapping(protocol, "contactsLocationsModule", P)
    documents = f.mapping(f.mapping(study, "documentSection", "") or {}, "largeDocumentModule", "documentSection")
    derived = f.mapping(study, "derivedSection", "") or {}
    misc = f.mapping(derived, "miscInfoModule", "derivedSection") or {}
    references = f.mapping(protocol, "referencesModule", P)
    conditions_path = f"{P}.conditionsModule"
    docs_path = "documentSection.largeDocumentModule"
    return TrialRecord(
        registry_id=nct_id,
        brief_title=f.text(ident, "briefTitle", IDENT),
        official_title=f.text(ident, "officialTitle", IDENT),
        acronym=f.text(ident, "acronym", IDENT),
        overall_status=f.code("status", status, "overallStatus", STATUS),
        last_known_status=f.code("status", status, "lastKnownStatus", STATUS),
        why_stopped=f.text(status, "whyStopped", STATUS),
        brief_summary=f.text(description, "briefSummary", f"{P}.descriptionModule"),
        detailed_description=f.text(description, "detailedDescription", f"{P}.descriptionModule"),
        conditions=None if conditions is None else _listed(f, conditions, "conditions", conditions_path),
        keywords=None if conditions is None else _listed(f, conditions, "keywords", conditions_path),
        design=_design(f, f.mapping(protocol, "designModule", P) or {}),
        dates=_dates(f, status),
        arms=None if arms_module is None else _each(f, _arm, arms_module, "armGroups", ARMS),
        interventions=None
        if arms_module is None
        else _each(f, _intervention, arms_module, "interventions", ARMS),
        eligibility=_eligibility(f, f.mapping(protocol, "eligibilityModule", P)),
        outcomes=_outcomes(f, f.mapping(protocol, "outcomesModule", P)),
        lead_sponsor=None if sponsors is None else _sponsor(f, sponsors.get("leadSponsor"), f"{SPONSORS}.leadSponsor"),
        collaborators=None if sponsors is None else _collaborators(f, sponsors),
        identifiers=_identifiers(f, ident, nct_id),
        locations=None if contacts is None else _each(f, _location, contacts, "locations", CONTACTS),
        central_contacts=None if contacts is None else _each(f, _contact, contacts, "centralContacts", CONTACTS),
        officials=None if contacts is None else _each(f, _contact, contacts, "overallOfficials", CONTACTS),
        documents=None if documents is None else _documents(f, documents, docs_path, nct_id),
        has_dmc=f.boolean(f.mapping(protocol, "oversightModule", P) or {}, "oversightHasDmc", f"{P}.oversightModule"),
        has_results=f.boolean(study, "hasResults", ""),
        version_date=_version_date(f, misc, status),
        references=None if references is None else _each(f, _reference, references, "references", REFERENCES),
        links=None if references is None else _each(f, _link, references, "seeAlsoLinks", REFERENCES),
        **read_details(f, protocol),
    )


def _version_date(f: Fields, misc: dict[str, Any], status: dict[str, Any]) -> str | None:
    """versionHolder; when it is no date, the last update's dates (with a warning)."""
    holder = f.plain(misc, "versionHolder", MISC)
    if is_registry_date(holder):  # the usual case: no list of candidates made
        return holder
    return f.version_date(
        [
            (f"{MISC}.versionHolder", holder),
            (f"{STATUS}.lastUpdatePostDateStruct.date", _struct(f, status, "lastUpdatePostDateStruct")[0]),
            (f"{STATUS}.lastUpdateSubmitDate", f.plain(status, "lastUpdateSubmitDate", STATUS)),
        ]
    )


_T = TypeVar("_T")


def _each(
    f: Fields, read: Callable[[Fields, dict[str, Any], str], _T], parent: dict[str, Any], key: str, path: str
) -> list[_T] | None:
    """``read`` applied to each object of the list at ``key``: [] when absent (the part is there and
    lists none), None when it is no list (not in source, with the warning)."""
    if parent.get(key) is None:
        return []
    items = f.mappings(parent, key, path)
    if not items:
        return items
    where = f"{path}.{key}"
    return [read(f, item, f"{where}[{n}]") for n, item in enumerate(items)]


def _listed(f: Fields, module: dict[str, Any], key: str, path: str) -> list[str] | None:
    """A list of texts of a part the source carries: [] when the key is absent."""
    return [] if module.get(key) is None else f.texts(module, key, path)


def _collaborators(f: Fields, sponsors: dict[str, Any]) -> list[Sponsor] | None:
    collaborators = _each(f, _sponsor, sponsors, "collaborators", SPONSORS)
    return None if collaborators is None else [s for s in collaborators if s]


def _design(f: Fields, design: dict[str, Any]) -> Design:
    info = f.mapping(design, "designInfo", DESIGN) or {}
    info_path = f"{DESIGN}.designInfo"
    masking = f.mapping(info, "maskingInfo", info_path) or {}
    masking_path = f"{info_path}.maskingInfo"
    enrollment = f.mapping(design, "enrollmentInfo", DESIGN) or {}
    enrollment_path = f"{DESIGN}.enrollmentInfo"
    return Design(
        study_type=f.code("study_type", design, "studyType", DESIGN),
        phases=f.codes("phase", design, "phases", DESIGN),
        primary_purpose=f.code("primary_purpose", info, "primaryPurpose", info_path),
        allocation=f.code("allocation", info, "allocation", info_path),
        intervention_model=f.code("intervention_model", info, "interventionModel", info_path),
        intervention_model_description=f.text(info, "interventionModelDescription", info_path),
        masking=f.code("masking", masking, "masking", masking_path),
        who_masked=f.codes("who_masked", masking, "whoMasked", masking_path),
        masking_description=f.text(masking, "maskingDescription", masking_path),
        observational_model=f.code("observational_model", info, "observationalModel", info_path),
        time_perspective=f.code("time_perspective", info, "timePerspective", info_path),
        enrollment_count=f.integer(enrollment, "count", enrollment_path, ENROLLMENT),
        enrollment_type=f.code("enrollment_type", enrollment, "type", enrollment_path),
    )


def _struct(f: Fields, status: dict[str, Any], name: str) -> tuple[str | None, str | None]:
    """A date struct's date and its type (ACTUAL / ESTIMATED)."""
    value = f.mapping(status, name, STATUS)
    if not value:
        return None, None
    path = f"{STATUS}.{name}"
    return f.plain(value, "date", path), f.code("date_type", value, "type", path)


def _dates(f: Fields, status: dict[str, Any]) -> Dates:
    return Dates(  # positional first: each planned date and its type, in the order of Dates' fields
        *_struct(f, status, "startDateStruct"),
        *_struct(f, status, "primaryCompletionDateStruct"),
        *_struct(f, status, "completionDateStruct"),
        first_submitted=f.plain(status, "studyFirstSubmitDate", STATUS),
        first_posted=_struct(f, status, "studyFirstPostDateStruct")[0],
        last_update_posted=_struct(f, status, "lastUpdatePostDateStruct")[0],
        status_verified=f.plain(status, "statusVerifiedDate", STATUS),
    )


def _arm(f: Fields, arm: dict[str, Any], path: str) -> Arm:
    return Arm(*_named_part(f, arm, path, "label", "arm_type", "interventionNames"))


def _intervention(f: Fields, item: dict[str, Any], path: str) -> Intervention:
    return Intervention(*_named_part(f, item, path, "name", "intervention_type", "otherNames", "armGroupLabels"))


def _named_part(f: Fields, value: dict[str, Any], path: str, name: str, vocabulary: str, *lists: str) -> tuple:
    """An arm's or an intervention's fields, in the order of Arm's and Intervention's: its name, type
    and description, then its lists of names."""
    return (
        f.text(value, name, path) or "",
        f.code(vocabulary, value, "type", path),
        f.text(value, "description", path),
        *[f.texts(value, key, path) or [] for key in lists],
    )


def _eligibility(f: Fields, module: dict[str, Any] | None) -> Eligibility | None:
    if module is None:
        return None
    text = f.text(module, "eligibilityCriteria", ELIGIBILITY)
    parsed = parse_criteria(text)
    return Eligibility(
        sex=f.code("sex", module, "sex", ELIGIBILITY),
        minimum_age=f.age(f.plain(module, "minimumAge", ELIGIBILITY), f"{ELIGIBILITY}.minimumAge"),
        maximum_age=f.age(f.plain(module, "maximumAge", ELIGIBILITY), f"{ELIGIBILITY}.maximumAge"),
        healthy_volunteers=f.boolean(module, "healthyVolunteers", ELIGIBILITY),
        std_ages=f.codes("std_age", module, "stdAges", ELIGIBILITY),
        criteria_text=text,
        inclusion=parsed.inclusion,
        exclusion=parsed.exclusion,
        other=parsed.other,
    )


def _outcomes(f: Fields, module: dict[str, Any] | None) -> list[Outcome] | None:
    if module is None:
        return None
    path = f"{P}.outcomesModule"
    outcomes = []
    for kind, key in (
        ("primary", "primaryOutcomes"),
        ("secondary", "secondaryOutcomes"),
        ("other", "otherOutcomes"),
    ):
        for n, item in enumerate(f.mappings(module, key, path) or ()):
            where = f"{path}.{key}[{n}]"
            outcomes.append(
                Outcome(  # positional (kind, measure, time_frame, description): faster than keywords
                    kind,
                    f.text(item, "measure", where) or "",
                    f.text(item, "timeFrame", where),
                    f.text(item, "description", where),
                )
            )
    return outcomes


def _sponsor(f: Fields, value: Any, path: str) -> Sponsor | None:
    if value is None:
        return None
    if value.__class__ is not dict:
        f.wrong(path, value, "an object")
        return None
    name = f.text(value, "name", path)
    return Sponsor(name=name, agency_class=f.code("agency_class", value, "class", path)) if name else None


def _identifiers(f: Fields, ident: dict[str, Any], nct_id: str) -> list[Identifier]:
    ids = [Identifier(value=nct_id, kind="nct")]
    if org := _id_info(f, f.mapping(ident, "orgStudyIdInfo", IDENT) or {}, "org_study", f"{IDENT}.orgStudyIdInfo"):
        ids.append(org)
    for n, item in enumerate(f.mappings(ident, "secondaryIdInfos", IDENT) or ()):
        if secondary := _id_info(f, item, "secondary", f"{IDENT}.secondaryIdInfos[{n}]"):
            ids.append(secondary)
    for n, alias in enumerate(f.texts(ident, "nctIdAliases", IDENT) or ()):
        if identity.NCT_ID.fullmatch(alias):
            ids.append(Identifier(value=alias, kind="alias"))
        else:
            f.warnings.append(f"field {IDENT}.nctIdAliases[{n}] {identity.shown(alias)} is not an NCT id: left out")
    return ids


def _id_info(f: Fields, info: dict[str, Any], kind: str, path: str) -> Identifier | None:
    """An orgStudyIdInfo or one of the secondaryIdInfos (only those have a domain); None without a
    usable id."""
    value = _safe_id(f, info, "id", path)
    if not value:
        return None
    return Identifier(
        value=value,
        kind=kind,
        type=f.plain(info, "type", path),
        domain=f.text(info, "domain", path) if kind == "secondary" else None,
        link=f.plain(info, "link", path),
    )


def _safe_id(f: Fields, parent: dict[str, Any], key: str, path: str) -> str | None:
    """An identifier's text, left out (with a warning) when it holds hidden characters."""
    value = f.plain(parent, key, path)
    if value and identity.has_hidden_characters(value):
        f.warnings.append(f"field {path}.{key} {identity.shown(value)} holds control or bidi characters: left out")
        return None
    return value


def _contact(f: Fields, value: dict[str, Any], path: str) -> Contact:
    phone = f.plain(value, "phone", path)
    extension = f.plain(value, "phoneExt", path)
    if phone and extension:
        phone = f"{phone} ext. {extension}"
    return Contact(  # positional: name, role, phone, email, affiliation
        f.text(value, "name", path),
        f.code("contact_role", value, "role", path),
        phone,
        f.plain(value, "email", path),
        f.text(value, "affiliation", path),
    )


def _location(f: Fields, value: dict[str, Any], path: str) -> Location:
    geo = f.mapping(value, "geoPoint", path)
    geo_path = f"{path}.geoPoint"
    return Location(  # positional, in the order of Location's fields
        f.text(value, "facility", path),
        f.plain(value, "city", path),
        f.plain(value, "state", path),
        f.plain(value, "zip", path),
        f.plain(value, "country", path),
        f.code("status", value, "status", path),
        None if geo is None else f.number(geo, "lat", geo_path, LATITUDE),
        None if geo is None else f.number(geo, "lon", geo_path, LONGITUDE),
        _each(f, _contact, value, "contacts", path) or [],
    )


def _reference(f: Fields, value: dict[str, Any], path: str) -> Reference:
    return Reference(
        citation=f.text(value, "citation", path),
        pmid=f.plain(value, "pmid", path),
        type=f.plain(value, "type", path),
    )


def _link(f: Fields, value: dict[str, Any], path: str) -> Link:
    return Link(url=f.plain(value, "url", path), label=f.text(value, "label", path))


def _documents(f: Fields, module: dict[str, Any], path: str, nct_id: str) -> list[Document] | None:
    documents = _each(f, _document, module, "largeDocs", path)
    for document in documents or ():
        document.url = provided_document_url(nct_id, document.filename)
    return documents


def _document(f: Fields, value: dict[str, Any], path: str) -> Document:
    return Document(
        label=f.text(value, "label", path),
        type_abbrev=f.plain(value, "typeAbbrev", path),
        has_protocol=f.boolean(value, "hasProtocol", path),
        has_sap=f.boolean(value, "hasSap", path),
        has_icf=f.boolean(value, "hasIcf", path),
        filename=f.plain(value, "filename", path),
        date=f.plain(value, "date", path),
        upload_date=f.plain(value, "uploadDate", path),
        size=f.integer(value, "size", path, DOCUMENT_SIZE),
    )
