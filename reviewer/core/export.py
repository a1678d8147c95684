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
    fields = {name: given(value) for name, value in vars(location).items() if name != "contacts"}
    return {**fields, "contacts": [_contact(c) for c in location.contacts]}


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
        "identifiers": [
            {"id": i.value, "kind": i.kind, "type": i.type, "domain": i.domain} for i in record.identifiers
        ],
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
        "dates": {name: given(value) for name, value in vars(record.dates).items()},
        "oversightHasDmc": record.has_dmc,
        "hasResults": record.has_results,
        "centralContacts": listed(record.central_contacts, _contact),
        "overallOfficials": listed(record.officials, _contact),
        "locations": listed(record.locations, _location),
        "largeDocs": listed(record.documents, vars),
        "references": listed(record.references, vars),
        "seeAlsoLinks": listed(record.links, vars),
        "versionDate": record.version_date,
        "resultsSection": results_to_api(record.results),
    }
