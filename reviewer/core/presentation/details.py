"""The record's detail parts (record.DETAIL_PARTS) as fields of the trial's design and eligibility
facts, for the page, the brief and the text alike. Only what the source gives is listed: these parts
are absent from most records, and a row of "not in source" for each would bury the design.
"""

from __future__ import annotations

from .. import vocab
from ..record import TrialRecord
from .values import Field, Shown, State, scalar


def _coded(value: str | None) -> Shown:
    return scalar(value, vocab.label)


def _codes(values: list[str]) -> Shown:
    return scalar(", ".join(vocab.label(v) for v in values) if values else None)


def _detailed(shown: Shown, detail: str | None) -> Shown:
    """``shown`` with ``detail`` said after it, when both are given."""
    return Shown(State.GIVEN, shown.text, detail) if shown.is_given and detail else shown


def _given(fields: list[Field]) -> list[Field]:
    return [f for f in fields if f.value.state is State.GIVEN]


def design_details(record: TrialRecord) -> list[Field]:
    """Registration, oversight, data sharing and the observational design, as design facts."""
    org, party, over = record.organization, record.responsible_party, record.oversight
    ipd, obs, access = record.ipd_sharing, record.observational, record.expanded_access
    fields = []
    if org:
        fields.append(
            Field(
                "Organisation",
                scalar(org.name, detail=vocab.label(org.agency_class) if org.agency_class else ""),
            )
        )
    if party:
        who = party.investigator_name or party.old_name_title
        detail = ", ".join(
            x
            for x in (party.investigator_title, party.investigator_affiliation or party.old_organization)
            if x
        )
        text = vocab.label(party.type) if party.type else None
        if who:
            text = f"{text}: {who}" if text else who
        fields.append(Field("Responsible party", scalar(text, detail=detail)))
    if over:
        fields += [
            Field("FDA-regulated drug", scalar(over.fda_regulated_drug)),
            Field("FDA-regulated device", scalar(over.fda_regulated_device)),
            Field("Unapproved device", scalar(over.unapproved_device)),
            Field("Pediatric postmarket surveillance", scalar(over.pediatric_postmarket_surveillance)),
            Field("Exported from the US", scalar(over.us_export)),
            Field("FDAAA 801 violation", scalar(over.fdaaa801_violation)),
        ]
    if obs:
        biospecimens = _detailed(_coded(obs.biospec_retention), obs.biospec_description)
        fields += [
            Field("Patient registry", scalar(obs.patient_registry)),
            Field("Target follow-up", scalar(obs.target_duration)),
            Field("Biospecimens", biospecimens),
        ]
    if ipd:
        plan = _detailed(_coded(ipd.plan), ipd.description)
        available = "; ".join(x.url or x.label or "" for x in ipd.available)
        fields += [
            Field("Shares participant data (IPD)", plan),
            Field("IPD documents", _codes(ipd.info_types)),
            Field("IPD available", scalar(ipd.time_frame)),
            Field("IPD access", scalar(ipd.access_criteria)),
            Field("IPD at", scalar(ipd.url or available or None)),
        ]
    if access:
        detail = ", ".join(
            x for x in (access.nct_id, vocab.label(access.status) if access.status else "") if x
        )
        fields += [
            Field("Expanded access", scalar(access.available, detail=detail)),
            Field("Expanded access types", _codes(access.types)),
        ]
    return _given(fields)


def eligibility_details(record: TrialRecord) -> list[Field]:
    """The observational study's population and sampling, and gender-based eligibility."""
    obs, gender = record.observational, record.gender
    fields = []
    if obs:
        fields += [
            Field("Study population", scalar(obs.study_population)),
            Field("Sampling method", _coded(obs.sampling_method)),
        ]
    if gender:
        fields.append(Field("Gender-based eligibility", _detailed(scalar(gender.based), gender.description)))
    return _given(fields)
