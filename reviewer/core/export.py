"""A stored trial as plain data using the registry's API v2 field names (for `reviewer show --json`).

Its values follow the presentation's rule (reviewer.core.presentation.values): ``null`` is a part not
in source or a value left out, ``[]`` a part the source carries empty. Criteria keep their tree: the
item a user reads as "11.1" is ``inclusion[10].children[0]``, and each item carries the ``facets`` its
text states (reviewer.core.eligibility, the one walk from a record to its facets; a heading has none).
"""

from __future__ import annotations

from typing import Any

from .eligibility import criterion_facets
from .importers.ctgov_json_results import results_to_api
from .items import criterion, numbered
from .presentation.values import given, listed
from .record import Arm, Contact, Criterion, Intervention, Location, TrialRecord

Facets = dict[str, tuple[dict[str, Any], ...]]  # an item's key ("criterion:inclusion/3.1") -> its facets


def _criteria(items: list[Criterion], group: str, facets: Facets, parent: str = "") -> list[dict[str, Any]]:
    """The item trees with their structure marks (heading, scope and role: null when unmarked) and the
    facets of each item."""
    return [
        {
            "text": c.text,
            **c.marks(),
            "facets": [dict(f) for f in facets.get(criterion(group, number).key, ())],
            "children": _criteria(c.children, group, facets, number),
        }
        for number, c in numbered(items, parent)
    ]


def _outcomes(record: TrialRecord, kind: str) -> list[dict[str, Any]] | None:
    return listed(
        record.outcomes_of(kind),
        lambda o: {
            "measure": o.measure,
            "timeFrame": given(o.time_frame),
            "description": given(o.description),
        },
    )


def _contact(contact: Contact) -> dict[str, Any]:
    return {name: given(value) for name, value in vars(contact).items()}


# API v2 name -> the record's attribute
ARM_FIELDS = {
    "label": "label",
    "type": "type",
    "description": "description",
    "interventionNames": "intervention_names",
}
INTERVENTION_FIELDS = {
    "type": "type",
    "name": "name",
    "description": "description",
    "otherNames": "other_names",
    "armGroupLabels": "arm_labels",
}


def _named(item: Arm | Intervention, names: dict[str, str]) -> dict[str, Any]:
    return {api: given(getattr(item, attribute)) for api, attribute in names.items()}


def _location(location: Location) -> dict[str, Any]:
    fields = {
        name: given(value)
        for name, value in vars(location).items()
        if name not in ("contacts", "latitude", "longitude")
    }
    geo = None if location.latitude is None else {"lat": location.latitude, "lon": location.longitude}
    return {**fields, "geoPoint": geo, "contacts": [_contact(c) for c in location.contacts]}


def _identifiers(record: TrialRecord) -> dict[str, Any]:
    """The study's other ids in the registry's shape: its own (orgStudyIdInfo), the secondary ones,
    and the NCT ids it was once registered under."""

    def info(i) -> dict[str, Any]:
        fields = {"id": i.value, "type": i.type, "link": i.link}
        return {**fields, "domain": i.domain} if i.kind == "secondary" else fields

    org = next((i for i in record.identifiers if i.kind == "org_study"), None)
    return {
        "orgStudyIdInfo": None if org is None else info(org),
        "secondaryIdInfos": [info(i) for i in record.identifiers if i.kind == "secondary"],
        "nctIdAliases": [i.value for i in record.identifiers if i.kind == "alias"],
    }


# API v2 name -> the record's attribute, for the parts whose objects take the registry's names whole
DOCUMENT_FIELDS = {
    "label": "label",
    "typeAbbrev": "type_abbrev",
    "hasProtocol": "has_protocol",
    "hasSap": "has_sap",
    "hasIcf": "has_icf",
    "filename": "filename",
    "date": "date",
    "uploadDate": "upload_date",
    "size": "size",
    "url": "url",
}
RESPONSIBLE_PARTY_FIELDS = {
    "type": "type",
    "investigatorFullName": "investigator_name",
    "investigatorTitle": "investigator_title",
    "investigatorAffiliation": "investigator_affiliation",
    "oldNameTitle": "old_name_title",
    "oldOrganization": "old_organization",
}
OVERSIGHT_FIELDS = {
    "isFdaRegulatedDrug": "fda_regulated_drug",
    "isFdaRegulatedDevice": "fda_regulated_device",
    "isUnapprovedDevice": "unapproved_device",
    "isPpsd": "pediatric_postmarket_surveillance",
    "isUsExport": "us_export",
    "fdaaa801Violation": "fdaaa801_violation",
}
IPD_FIELDS = {
    "ipdSharing": "plan",
    "description": "description",
    "infoTypes": "info_types",
    "timeFrame": "time_frame",
    "accessCriteria": "access_criteria",
    "url": "url",
}
# the statusModule's date structs: (API v2 name, the record's date attribute, its type's or None)
DATE_FIELDS = (
    ("startDateStruct", "start", "start_type"),
    ("primaryCompletionDateStruct", "primary_completion", "primary_completion_type"),
    ("completionDateStruct", "completion", "completion_type"),
    ("studyFirstSubmitDate", "first_submitted", None),
    ("studyFirstPostDateStruct", "first_posted", None),
    ("lastUpdatePostDateStruct", "last_update_posted", None),
    ("statusVerifiedDate", "status_verified", None),
)


def _fields(item: Any, names: dict[str, str]) -> dict[str, Any] | None:
    return (
        None if item is None else {api: given(getattr(item, attribute)) for api, attribute in names.items()}
    )


def _dates(record: TrialRecord) -> dict[str, Any]:
    dates: dict[str, Any] = {}
    for name, attribute, kind in DATE_FIELDS:
        value = given(getattr(record.dates, attribute))
        if name.endswith("Struct"):
            dates[name] = {"date": value, "type": getattr(record.dates, kind) if kind else None}
        else:
            dates[name] = value
    return dates


def _details(record: TrialRecord) -> dict[str, Any]:
    """The detail parts (record.DETAIL_PARTS) under the registry's names: null where not in source."""
    org, obs, gender, access, ipd = (
        record.organization,
        record.observational,
        record.gender,
        record.expanded_access,
        record.ipd_sharing,
    )
    return {
        "organization": None if org is None else {"fullName": org.name, "class": org.agency_class},
        "responsibleParty": _fields(record.responsible_party, RESPONSIBLE_PARTY_FIELDS),
        "oversight": _fields(record.oversight, OVERSIGHT_FIELDS),
        "ipdSharingStatement": _fields(ipd, IPD_FIELDS),
        "availIpds": None if ipd is None else [{"type": x.label, "url": x.url} for x in ipd.available],
        "studyPopulation": given(obs.study_population) if obs else None,
        "samplingMethod": obs.sampling_method if obs else None,
        "patientRegistry": obs.patient_registry if obs else None,
        "targetDuration": obs.target_duration if obs else None,
        "bioSpec": None
        if obs is None
        else {"retention": obs.biospec_retention, "description": given(obs.biospec_description)},
        "genderBased": gender.based if gender else None,
        "genderDescription": given(gender.description) if gender else None,
        "expandedAccessInfo": None
        if access is None
        else {"hasExpandedAccess": access.available, "nctId": access.nct_id, "statusForNctId": access.status},
        "expandedAccessTypes": None if access is None else {kind.lower(): True for kind in access.types},
    }


def record_to_api(record: TrialRecord) -> dict[str, Any]:
    """The record with API v2 names where one exists; null means "not in source" (a part) or left out
    (a value), [] means none."""
    d, e = record.design, record.eligibility
    facets: Facets = {item.ref.key: item.facets for item in criterion_facets(record)}
    return {
        "nctId": record.registry_id,
        "briefTitle": given(record.brief_title),
        "officialTitle": given(record.official_title),
        "acronym": given(record.acronym),
        "overallStatus": record.overall_status,
        "lastKnownStatus": record.last_known_status,
        "whyStopped": given(record.why_stopped),
        "briefSummary": given(record.brief_summary),
        "detailedDescription": given(record.detailed_description),
        "studyType": d.study_type,
        "phases": d.phases,
        "designInfo": {
            "allocation": d.allocation,
            "interventionModel": d.intervention_model,
            "interventionModelDescription": given(d.intervention_model_description),
            "primaryPurpose": d.primary_purpose,
            "observationalModel": d.observational_model,
            "timePerspective": d.time_perspective,
            "maskingInfo": {
                "masking": d.masking,
                "whoMasked": d.who_masked,
                "maskingDescription": given(d.masking_description),
            },
        },
        "enrollmentInfo": {"count": d.enrollment_count, "type": d.enrollment_type},
        "leadSponsor": {"name": record.lead_sponsor.name, "class": record.lead_sponsor.agency_class}
        if record.lead_sponsor
        else None,
        "collaborators": listed(record.collaborators, lambda s: {"name": s.name, "class": s.agency_class}),
        "conditions": record.conditions,
        "keywords": record.keywords,
        **_identifiers(record),
        "armGroups": listed(record.arms, lambda a: _named(a, ARM_FIELDS)),
        "interventions": listed(record.interventions, lambda i: _named(i, INTERVENTION_FIELDS)),
        "eligibility": None
        if e is None
        else {
            "sex": e.sex,
            "minimumAge": e.minimum_age,
            "maximumAge": e.maximum_age,
            "healthyVolunteers": e.healthy_volunteers,
            "stdAges": e.std_ages,
            "eligibilityCriteria": given(e.criteria_text),
        },
        "inclusion": None if e is None else _criteria(e.inclusion, "inclusion", facets),
        "exclusion": None if e is None else _criteria(e.exclusion, "exclusion", facets),
        "otherCriteria": None if e is None else _criteria(e.other, "other", facets),
        "primaryOutcomes": _outcomes(record, "primary"),
        "secondaryOutcomes": _outcomes(record, "secondary"),
        "otherOutcomes": _outcomes(record, "other"),
        "dates": _dates(record),
        "oversightHasDmc": record.has_dmc,
        "hasResults": record.has_results,
        "centralContacts": listed(record.central_contacts, _contact),
        "overallOfficials": listed(record.officials, _contact),
        "locations": listed(record.locations, _location),
        "largeDocs": listed(record.documents, lambda doc: _fields(doc, DOCUMENT_FIELDS)),
        "references": listed(record.references, vars),
        "seeAlsoLinks": listed(record.links, vars),
        **_details(record),
        "versionHolder": record.version_date,
        "resultsSection": results_to_api(record.results),
    }
