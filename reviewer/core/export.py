"""A stored trial as plain data using the registry's API v2 field names (for `reviewer show --json`)."""

from __future__ import annotations

from typing import Any

from .record import Criterion, TrialRecord


def _criteria(items: list[Criterion]) -> list[dict[str, Any]]:
    """The item trees with their structure marks: heading (bool), scope and role (null when unmarked)."""
    return [{"text": c.text, **c.marks(), "children": _criteria(c.children)} for c in items]


def _outcomes(record: TrialRecord, kind: str) -> list[dict[str, Any]] | None:
    items = record.outcomes_of(kind)
    if items is None:
        return None
    return [{"measure": o.measure, "timeFrame": o.time_frame, "description": o.description} for o in items]


def record_to_api(record: TrialRecord) -> dict[str, Any]:
    """The record with API v2 names where one exists; null means "not in source", [] means none."""
    d, e = record.design, record.eligibility
    contact = lambda c: {k: v for k, v in vars(c).items()}  # noqa: E731
    return {
        "nctId": record.registry_id,
        "briefTitle": record.brief_title,
        "officialTitle": record.official_title,
        "acronym": record.acronym,
        "overallStatus": record.overall_status,
        "lastKnownStatus": record.last_known_status,
        "whyStopped": record.why_stopped,
        "briefSummary": record.brief_summary,
        "detailedDescription": record.detailed_description,
        "studyType": d.study_type,
        "phases": d.phases,
        "designInfo": {
            "allocation": d.allocation,
            "interventionModel": d.intervention_model,
            "interventionModelDescription": d.intervention_model_description,
            "primaryPurpose": d.primary_purpose,
            "observationalModel": d.observational_model,
            "timePerspective": d.time_perspective,
            "maskingInfo": {
                "masking": d.masking,
                "whoMasked": d.who_masked,
                "maskingDescription": d.masking_description,
            },
        },
        "enrollmentInfo": {"count": d.enrollment_count, "type": d.enrollment_type},
        "leadSponsor": {"name": record.lead_sponsor.name, "class": record.lead_sponsor.agency_class}
        if record.lead_sponsor
        else None,
        "collaborators": None
        if record.collaborators is None
        else [{"name": s.name, "class": s.agency_class} for s in record.collaborators],
        "conditions": record.conditions,
        "keywords": record.keywords,
        "identifiers": [
            {"id": i.value, "kind": i.kind, "type": i.type, "domain": i.domain} for i in record.identifiers
        ],
        "armGroups": None
        if record.arms is None
        else [
            {
                "label": a.label,
                "type": a.type,
                "description": a.description,
                "interventionNames": a.intervention_names,
            }
            for a in record.arms
        ],
        "interventions": None
        if record.interventions is None
        else [
            {
                "type": i.type,
                "name": i.name,
                "description": i.description,
                "otherNames": i.other_names,
                "armGroupLabels": i.arm_labels,
            }
            for i in record.interventions
        ],
        "eligibility": None
        if e is None
        else {
            "sex": e.sex,
            "minimumAge": e.minimum_age,
            "maximumAge": e.maximum_age,
            "healthyVolunteers": e.healthy_volunteers,
            "stdAges": e.std_ages,
            "eligibilityCriteria": e.criteria_text,
        },
        "inclusion": None if e is None else _criteria(e.inclusion),
        "exclusion": None if e is None else _criteria(e.exclusion),
        "otherCriteria": None if e is None else _criteria(e.other),
        "primaryOutcomes": _outcomes(record, "primary"),
        "secondaryOutcomes": _outcomes(record, "secondary"),
        "otherOutcomes": _outcomes(record, "other"),
        "dates": vars(record.dates),
        "oversightHasDmc": record.has_dmc,
        "hasResults": record.has_results,
        "centralContacts": None
        if record.central_contacts is None
        else [contact(c) for c in record.central_contacts],
        "overallOfficials": None if record.officials is None else [contact(c) for c in record.officials],
        "locations": None
        if record.locations is None
        else [
            {
                **{k: v for k, v in vars(loc).items() if k != "contacts"},
                "contacts": [contact(c) for c in loc.contacts],
            }
            for loc in record.locations
        ],
        "largeDocs": None if record.documents is None else [vars(doc) for doc in record.documents],
        "versionDate": record.version_date,
    }
