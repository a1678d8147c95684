"""The record's detail parts (record.DETAIL_PARTS) read from a legacy XML <clinical_study>: the
same parts as ctgov_json_details reads from API v2, from the XML's own elements (its <source> is
API v2's organization, without the organisation's class). Each is None when the record carries
none of its elements ("not in source").
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from .. import vocab
from ..record import (
    ExpandedAccess,
    GenderEligibility,
    IpdSharing,
    Observational,
    Oversight,
    ResponsibleParty,
    Sponsor,
)
from .ctgov_json_details import EXPANDED_ACCESS_TYPES, given_part
from .ctgov_xml import _text as text_of
from .ctgov_xml import _textblock as textblock_of
from .ctgov_xml import _yes_no as yes_no


def read_details(study: Element) -> dict:
    """The detail parts of a record, by TrialRecord field name."""

    def text(path: str) -> str | None:
        return text_of(study, path)

    def flag(path: str) -> bool | None:
        return yes_no(text(path))

    source = text("source")
    return {
        "organization": Sponsor(source) if source else None,
        "responsible_party": given_part(
            ResponsibleParty(
                type=vocab.to_code("responsible_party", text("responsible_party/responsible_party_type")),
                investigator_name=text("responsible_party/investigator_full_name"),
                investigator_title=text("responsible_party/investigator_title"),
                investigator_affiliation=text("responsible_party/investigator_affiliation"),
                old_name_title=text("responsible_party/name_title"),
                old_organization=text("responsible_party/organization"),
            )
        ),
        "oversight": given_part(
            Oversight(
                fda_regulated_drug=flag("oversight_info/is_fda_regulated_drug"),
                fda_regulated_device=flag("oversight_info/is_fda_regulated_device"),
                unapproved_device=flag("oversight_info/is_unapproved_device"),
                pediatric_postmarket_surveillance=flag("oversight_info/is_ppsd"),
                us_export=flag("oversight_info/is_us_export"),
            )
        ),
        "ipd_sharing": given_part(
            IpdSharing(
                plan=vocab.to_code("ipd_sharing", text("patient_data/sharing_ipd")),
                description=text("patient_data/ipd_description"),
                info_types=[
                    vocab.to_code("ipd_info_type", e.text)
                    for e in study.findall("patient_data/ipd_info_type")
                    if e.text
                ],
                time_frame=text("patient_data/ipd_time_frame"),
                access_criteria=text("patient_data/ipd_access_criteria"),
                url=text("patient_data/ipd_url"),
            )
        ),
        "observational": given_part(
            Observational(
                study_population=textblock_of(study, "eligibility/study_pop"),
                sampling_method=vocab.to_code("sampling_method", text("eligibility/sampling_method")),
                patient_registry=flag("patient_registry"),
                target_duration=text("target_duration"),
                biospec_retention=vocab.to_code("biospec_retention", text("biospec_retention")),
                biospec_description=textblock_of(study, "biospec_descr"),
            )
        ),
        "gender": given_part(
            GenderEligibility(
                based=flag("eligibility/gender_based"), description=text("eligibility/gender_description")
            )
        ),
        "expanded_access": given_part(
            ExpandedAccess(
                available=flag("has_expanded_access"),
                types=[
                    kind.upper()
                    for kind in EXPANDED_ACCESS_TYPES
                    if flag(f"expanded_access_info/expanded_access_type_{kind}")
                ],
            )
        ),
    }
