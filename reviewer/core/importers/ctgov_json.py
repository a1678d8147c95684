"""ClinicalTrials.gov API v2 JSON: one study, an API page, the website's array, newline-delimited JSON.

The zip download (ctg-studies.json.zip) is a zip of single-study files: the package's walker opens
it and hands each member here. ``study_to_record`` is shared with ignite_page.py, whose pages carry
the same study object as a Python literal.
"""

from __future__ import annotations

from typing import Any

import orjson

from .. import vocab
from ..criteria import parse_criteria
from ..record import (
    Arm,
    Contact,
    Dates,
    Design,
    Document,
    Eligibility,
    Identifier,
    Intervention,
    Location,
    Outcome,
    Sponsor,
    TrialRecord,
)
from ..text import clean
from .base import InvalidSource, ParsedRecord, check_field_sizes

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
                raise InvalidSource(f"{where}expected a study object, found {type(study).__name__}")
            try:
                record = study_to_record(study)
            except InvalidSource as error:
                raise InvalidSource(f"{where}{error}") from None
            check_field_sizes(record)
            if len(studies) == 1:
                parsed.append(ParsedRecord(record, text, NAME, source_bytes=data))
            else:
                parsed.append(ParsedRecord(record, None, NAME, source_bytes=orjson.dumps(study)))
        return parsed


IMPORTER = CtgovJsonImporter()


def _studies_in(text: str) -> list[Any]:
    """The study objects of any of the JSON shapes, or InvalidSource naming what is wrong."""
    stripped = text.strip().lstrip("\ufeff")
    if not stripped:
        raise InvalidSource("file is empty")
    try:
        data = orjson.loads(stripped)
    except orjson.JSONDecodeError as error:
        lines = [line for line in stripped.splitlines() if line.strip()]
        if len(lines) > 1 and lines[0].lstrip().startswith("{"):
            return _ndjson(lines)
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
    raise InvalidSource(f"JSON holds a {type(data).__name__}, not studies")


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


def study_to_record(study: dict[str, Any]) -> TrialRecord:
    """Map one API v2 study object to a TrialRecord."""
    protocol = study.get("protocolSection")
    if not isinstance(protocol, dict):
        raise InvalidSource("study has no protocolSection")
    ident = _module(protocol, "identificationModule")
    nct_id = _str(ident.get("nctId"))
    if not nct_id:
        raise InvalidSource("study has no identity (identificationModule.nctId is missing)")
    status = _module(protocol, "statusModule")
    description = _module(protocol, "descriptionModule")
    conditions = protocol.get("conditionsModule")
    sponsors = protocol.get("sponsorCollaboratorsModule")
    arms_module = protocol.get("armsInterventionsModule")
    contacts = protocol.get("contactsLocationsModule")
    documents = (study.get("documentSection") or {}).get("largeDocumentModule")
    misc = _module(study.get("derivedSection") or {}, "miscInfoModule")
    return TrialRecord(
        registry_id=nct_id,
        brief_title=clean(ident.get("briefTitle")),
        official_title=clean(ident.get("officialTitle")),
        acronym=clean(ident.get("acronym")),
        overall_status=_code("status", status.get("overallStatus")),
        last_known_status=_code("status", status.get("lastKnownStatus")),
        why_stopped=clean(status.get("whyStopped")),
        brief_summary=clean(description.get("briefSummary")),
        detailed_description=clean(description.get("detailedDescription")),
        conditions=None if conditions is None else _texts(conditions.get("conditions")),
        keywords=None if conditions is None else _texts(conditions.get("keywords")),
        design=_design(_module(protocol, "designModule")),
        dates=_dates(status),
        arms=None if arms_module is None else [_arm(a) for a in _dicts(arms_module.get("armGroups"))],
        interventions=None
        if arms_module is None
        else [_intervention(i) for i in _dicts(arms_module.get("interventions"))],
        eligibility=_eligibility(protocol.get("eligibilityModule")),
        outcomes=_outcomes(protocol.get("outcomesModule")),
        lead_sponsor=_sponsor((sponsors or {}).get("leadSponsor")),
        collaborators=None
        if sponsors is None
        else [s for s in map(_sponsor, _dicts(sponsors.get("collaborators"))) if s],
        identifiers=_identifiers(ident, nct_id),
        locations=None if contacts is None else [_location(x) for x in _dicts(contacts.get("locations"))],
        central_contacts=None
        if contacts is None
        else [_contact(c) for c in _dicts(contacts.get("centralContacts"))],
        officials=None
        if contacts is None
        else [_contact(c) for c in _dicts(contacts.get("overallOfficials"))],
        documents=None if documents is None else [_document(d) for d in _dicts(documents.get("largeDocs"))],
        has_dmc=_bool((protocol.get("oversightModule") or {}).get("oversightHasDmc")),
        has_results=_bool(study.get("hasResults")),
        version_date=_str(misc.get("versionHolder"))
        or _str((status.get("lastUpdatePostDateStruct") or {}).get("date")),
    )


def _module(parent: dict[str, Any], name: str) -> dict[str, Any]:
    value = parent.get(name)
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str | None:
    if value.__class__ is str:  # the usual case first
        return value.strip() or None
    if value is None:
        return None
    return str(value).strip() or None


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


# the registry's own codes, which map to themselves: the usual value, looked up without a call
_CODES = {kind: frozenset(codes) for kind, codes in vocab.ENUMS.items()}


def _code(kind: str, value: Any) -> str | None:
    if value.__class__ is str and value in _CODES[kind]:
        return value
    return vocab.to_code(kind, _str(value))


def _texts(values: Any) -> list[str]:
    if not isinstance(values, list):
        return []
    return [t for v in values if v is not None and (t := clean(str(v)))]


def _dicts(values: Any) -> list[dict[str, Any]]:
    if not isinstance(values, list):
        return []
    return [v for v in values if isinstance(v, dict)]


def _design(design: dict[str, Any]) -> Design:
    info = _module(design, "designInfo")
    masking = _module(info, "maskingInfo")
    enrollment = _module(design, "enrollmentInfo")
    count = enrollment.get("count")
    return Design(
        study_type=_code("study_type", design.get("studyType")),
        phases=[p for x in design.get("phases") or [] if (p := _code("phase", x))],
        primary_purpose=_code("primary_purpose", info.get("primaryPurpose")),
        allocation=_code("allocation", info.get("allocation")),
        intervention_model=_code("intervention_model", info.get("interventionModel")),
        intervention_model_description=clean(info.get("interventionModelDescription")),
        masking=_code("masking", masking.get("masking")),
        who_masked=[w for x in masking.get("whoMasked") or [] if (w := _code("who_masked", x))],
        masking_description=clean(masking.get("maskingDescription")),
        observational_model=_code("observational_model", info.get("observationalModel")),
        time_perspective=_code("time_perspective", info.get("timePerspective")),
        enrollment_count=count if isinstance(count, int) and not isinstance(count, bool) else None,
        enrollment_type=_code("enrollment_type", enrollment.get("type")),
    )


def _dates(status: dict[str, Any]) -> Dates:
    def struct(name: str) -> tuple[str | None, str | None]:
        value = _module(status, name)
        return _str(value.get("date")), _code("date_type", value.get("type"))

    start, start_type = struct("startDateStruct")
    primary, primary_type = struct("primaryCompletionDateStruct")
    completion, completion_type = struct("completionDateStruct")
    return Dates(
        start=start,
        start_type=start_type,
        primary_completion=primary,
        primary_completion_type=primary_type,
        completion=completion,
        completion_type=completion_type,
        first_submitted=_str(status.get("studyFirstSubmitDate")),
        first_posted=struct("studyFirstPostDateStruct")[0],
        last_update_posted=struct("lastUpdatePostDateStruct")[0],
        status_verified=_str(status.get("statusVerifiedDate")),
    )


def _arm(arm: dict[str, Any]) -> Arm:
    return Arm(
        label=clean(arm.get("label")) or "",
        type=_code("arm_type", arm.get("type")),
        description=clean(arm.get("description")),
        intervention_names=_texts(arm.get("interventionNames")),
    )


def _intervention(item: dict[str, Any]) -> Intervention:
    return Intervention(
        name=clean(item.get("name")) or "",
        type=_code("intervention_type", item.get("type")),
        description=clean(item.get("description")),
        other_names=_texts(item.get("otherNames")),
        arm_labels=_texts(item.get("armGroupLabels")),
    )


def _eligibility(module: Any) -> Eligibility | None:
    if not isinstance(module, dict):
        return None
    text = clean(module.get("eligibilityCriteria"))
    parsed = parse_criteria(text)
    return Eligibility(
        sex=_code("sex", module.get("sex")),
        minimum_age=_str(module.get("minimumAge")),
        maximum_age=_str(module.get("maximumAge")),
        healthy_volunteers=_bool(module.get("healthyVolunteers")),
        std_ages=[a for x in module.get("stdAges") or [] if (a := _code("std_age", x))],
        criteria_text=text,
        inclusion=parsed.inclusion,
        exclusion=parsed.exclusion,
        other=parsed.other,
    )


def _outcomes(module: Any) -> list[Outcome] | None:
    if not isinstance(module, dict):
        return None
    outcomes = []
    for kind, key in (
        ("primary", "primaryOutcomes"),
        ("secondary", "secondaryOutcomes"),
        ("other", "otherOutcomes"),
    ):
        for item in _dicts(module.get(key)):
            outcomes.append(
                Outcome(  # positional (kind, measure, time_frame, description): faster than keywords
                    kind,
                    clean(item.get("measure")) or "",
                    clean(item.get("timeFrame")),
                    clean(item.get("description")),
                )
            )
    return outcomes


def _sponsor(value: Any) -> Sponsor | None:
    if not isinstance(value, dict) or not _str(value.get("name")):
        return None
    return Sponsor(name=clean(value["name"]) or "", agency_class=_code("agency_class", value.get("class")))


def _identifiers(ident: dict[str, Any], nct_id: str) -> list[Identifier]:
    ids = [Identifier(value=nct_id, kind="nct")]
    org = _module(ident, "orgStudyIdInfo")
    if _str(org.get("id")):
        ids.append(
            Identifier(
                value=_str(org["id"]) or "",
                kind="org_study",
                type=_str(org.get("type")),
                link=_str(org.get("link")),
            )
        )
    for item in _dicts(ident.get("secondaryIdInfos")):
        if _str(item.get("id")):
            ids.append(
                Identifier(
                    value=_str(item["id"]) or "",
                    kind="secondary",
                    type=_str(item.get("type")),
                    domain=clean(item.get("domain")),
                    link=_str(item.get("link")),
                )
            )
    for alias in ident.get("nctIdAliases") or []:
        if _str(alias):
            ids.append(Identifier(value=_str(alias) or "", kind="alias"))
    return ids


def _contact(value: dict[str, Any]) -> Contact:
    phone = _str(value.get("phone"))
    if phone and _str(value.get("phoneExt")):
        phone = f"{phone} ext. {_str(value.get('phoneExt'))}"
    return Contact(  # positional: name, role, phone, email, affiliation
        clean(value.get("name")),
        _code("contact_role", value.get("role")),
        phone,
        _str(value.get("email")),
        clean(value.get("affiliation")),
    )


def _location(value: dict[str, Any]) -> Location:
    geo = value.get("geoPoint")
    lat, lon = (geo.get("lat"), geo.get("lon")) if isinstance(geo, dict) else (None, None)
    return Location(  # positional, in the order of Location's fields
        clean(value.get("facility")),
        _str(value.get("city")),
        _str(value.get("state")),
        _str(value.get("zip")),
        _str(value.get("country")),
        _code("status", value.get("status")),
        float(lat) if isinstance(lat, (int, float)) else None,  # a tuple: faster than int | float
        float(lon) if isinstance(lon, (int, float)) else None,
        [_contact(c) for c in _dicts(value.get("contacts"))],
    )


def _document(value: dict[str, Any]) -> Document:
    size = value.get("size")
    return Document(
        label=clean(value.get("label")),
        type_abbrev=_str(value.get("typeAbbrev")),
        has_protocol=_bool(value.get("hasProtocol")),
        has_sap=_bool(value.get("hasSap")),
        has_icf=_bool(value.get("hasIcf")),
        filename=_str(value.get("filename")),
        date=_str(value.get("date")),
        upload_date=_str(value.get("uploadDate")),
        size=size if isinstance(size, int) else None,
    )
