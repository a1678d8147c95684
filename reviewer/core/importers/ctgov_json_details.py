"""The record's detail parts (record.DETAIL_PARTS) read from an API v2 study: the organisation, the
responsible party, the FDA flags, the IPD sharing plan, the observational design, gender-based
eligibility and expanded access. Each is None when the study carries none of its fields ("not in
source"); a value of the wrong type is left out with a warning, as everywhere in ctgov_json.
"""

from __future__ import annotations

from typing import Any

from ..record import (
    ExpandedAccess,
    GenderEligibility,
    IpdSharing,
    Link,
    Observational,
    Oversight,
    ResponsibleParty,
    Sponsor,
)
from .fields import Fields

P = "protocolSection"
IDENT, STATUS, DESIGN = f"{P}.identificationModule", f"{P}.statusModule", f"{P}.designModule"
SPONSORS, ELIGIBILITY, OVERSIGHT = (
    f"{P}.sponsorCollaboratorsModule",
    f"{P}.eligibilityModule",
    f"{P}.oversightModule",
)
IPD, REFERENCES = f"{P}.ipdSharingStatementModule", f"{P}.referencesModule"


def provided_document_url(nct_id: str, filename: str | None) -> str | None:
    """Where the registry serves a document a record lists (the legacy XML gives this URL itself)."""
    if not filename:
        return None
    return f"https://ClinicalTrials.gov/ProvidedDocs/{nct_id[-2:]}/{nct_id}/{filename}"


def given_part(value: Any) -> Any:
    """``value``, or None when every field of it is empty (the source carries none of them)."""
    return value if any(v not in (None, []) for v in vars(value).values()) else None


def read_details(f: Fields, protocol: dict[str, Any]) -> dict[str, Any]:
    """The detail parts of a study's protocolSection, by TrialRecord field name."""
    # ctgov_json has read (and warned of) these modules already: one that is no object is none here
    module = {
        name: value if (value := protocol.get(name)).__class__ is dict else {}
        for name in (
            "identificationModule",
            "statusModule",
            "designModule",
            "sponsorCollaboratorsModule",
            "eligibilityModule",
            "oversightModule",
            "ipdSharingStatementModule",
            "referencesModule",
        )
    }
    return {
        "organization": _organization(f, module["identificationModule"]),
        "responsible_party": _responsible_party(f, module["sponsorCollaboratorsModule"]),
        "oversight": _oversight(f, module["oversightModule"]),
        "ipd_sharing": _ipd_sharing(f, module["ipdSharingStatementModule"], module["referencesModule"]),
        "observational": _observational(f, module["eligibilityModule"], module["designModule"]),
        "gender": _gender(f, module["eligibilityModule"]),
        "expanded_access": _expanded_access(f, module["statusModule"], module["designModule"]),
    }


def _organization(f: Fields, ident: dict[str, Any]) -> Sponsor | None:
    path = f"{IDENT}.organization"
    value = f.mapping(ident, "organization", IDENT) or {}
    name = f.text(value, "fullName", path)
    return Sponsor(name, f.code("agency_class", value, "class", path)) if name else None


def _responsible_party(f: Fields, sponsors: dict[str, Any]) -> ResponsibleParty | None:
    path = f"{SPONSORS}.responsibleParty"
    value = f.mapping(sponsors, "responsibleParty", SPONSORS) or {}
    return given_part(
        ResponsibleParty(
            type=f.code("responsible_party", value, "type", path),
            investigator_name=f.text(value, "investigatorFullName", path),
            investigator_title=f.text(value, "investigatorTitle", path),
            investigator_affiliation=f.text(value, "investigatorAffiliation", path),
            old_name_title=f.text(value, "oldNameTitle", path),
            old_organization=f.text(value, "oldOrganization", path),
        )
    )


def _oversight(f: Fields, oversight: dict[str, Any]) -> Oversight | None:
    def flag(key: str) -> bool | None:
        return f.boolean(oversight, key, OVERSIGHT)

    return given_part(
        Oversight(
            fda_regulated_drug=flag("isFdaRegulatedDrug"),
            fda_regulated_device=flag("isFdaRegulatedDevice"),
            unapproved_device=flag("isUnapprovedDevice"),
            pediatric_postmarket_surveillance=flag("isPpsd"),
            us_export=flag("isUsExport"),
            fdaaa801_violation=flag("fdaaa801Violation"),
        )
    )


def _ipd_sharing(f: Fields, ipd: dict[str, Any], references: dict[str, Any]) -> IpdSharing | None:
    available = []
    for n, item in enumerate(f.mappings(references, "availIpds", REFERENCES) or ()):
        where = f"{REFERENCES}.availIpds[{n}]"
        url, kind, comment = (
            f.plain(item, "url", where),
            f.text(item, "type", where),
            f.text(item, "comment", where),
        )
        if url or kind:
            available.append(Link(url=url, label="; ".join(t for t in (kind, comment) if t) or None))
    return given_part(
        IpdSharing(
            plan=f.code("ipd_sharing", ipd, "ipdSharing", IPD),
            description=f.text(ipd, "description", IPD),
            info_types=f.codes("ipd_info_type", ipd, "infoTypes", IPD),
            time_frame=f.text(ipd, "timeFrame", IPD),
            access_criteria=f.text(ipd, "accessCriteria", IPD),
            url=f.plain(ipd, "url", IPD),
            available=available,
        )
    )


def _observational(f: Fields, eligibility: dict[str, Any], design: dict[str, Any]) -> Observational | None:
    bio_path = f"{DESIGN}.bioSpec"
    bio = f.mapping(design, "bioSpec", DESIGN) or {}
    return given_part(
        Observational(
            study_population=f.text(eligibility, "studyPopulation", ELIGIBILITY),
            sampling_method=f.code("sampling_method", eligibility, "samplingMethod", ELIGIBILITY),
            patient_registry=f.boolean(design, "patientRegistry", DESIGN),
            target_duration=f.plain(design, "targetDuration", DESIGN),
            biospec_retention=f.code("biospec_retention", bio, "retention", bio_path),
            biospec_description=f.text(bio, "description", bio_path),
        )
    )


def _gender(f: Fields, eligibility: dict[str, Any]) -> GenderEligibility | None:
    return given_part(
        GenderEligibility(
            based=f.boolean(eligibility, "genderBased", ELIGIBILITY),
            description=f.text(eligibility, "genderDescription", ELIGIBILITY),
        )
    )


EXPANDED_ACCESS_TYPES = ("individual", "intermediate", "treatment")


def _expanded_access(f: Fields, status: dict[str, Any], design: dict[str, Any]) -> ExpandedAccess | None:
    path = f"{STATUS}.expandedAccessInfo"
    value = f.mapping(status, "expandedAccessInfo", STATUS) or {}
    types = f.mapping(design, "expandedAccessTypes", DESIGN) or {}
    types_path = f"{DESIGN}.expandedAccessTypes"
    return given_part(
        ExpandedAccess(
            available=f.boolean(value, "hasExpandedAccess", path),
            nct_id=f.plain(value, "nctId", path),
            status=f.code("status", value, "statusForNctId", path),
            types=[kind.upper() for kind in EXPANDED_ACCESS_TYPES if f.boolean(types, kind, types_path)],
        )
    )
