"""A minimal valid API v2 study, changed at a path, and the helpers the hostile-input tests share:
write a document, import it into a real store, read the stored record back."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

from reviewer.core.ingest import DocumentResult, import_paths
from reviewer.core.record import TrialRecord
from reviewer.core.store import reading
from tests.conftest import FIXTURES_DIR

NCT_ID = "NCT01234567"
XML_RECORD = FIXTURES_DIR / "hostile_fields" / "NCT00000102.xml"
VEEVA_PAGE = FIXTURES_DIR / "veeva" / "recruiting_two_phases.txt"
# a Python exception's class name, as a traceback or a careless message prints it
EXCEPTION_NAME = re.compile(r"\b[A-Z][A-Za-z]*(?:Error|Exception)\b|Traceback")

STUDY: dict[str, Any] = {
    "protocolSection": {
        "identificationModule": {
            "nctId": NCT_ID,
            "briefTitle": "Aspirin for headache",
            "orgStudyIdInfo": {"id": "ABC-001"},
            "nctIdAliases": ["NCT07654321"],
        },
        "statusModule": {
            "overallStatus": "RECRUITING",
            "lastUpdatePostDateStruct": {"date": "2024-05-01", "type": "ACTUAL"},
        },
        "conditionsModule": {"conditions": ["Headache"]},
        "designModule": {
            "studyType": "INTERVENTIONAL",
            "phases": ["PHASE2"],
            "designInfo": {"maskingInfo": {"masking": "DOUBLE", "whoMasked": ["PARTICIPANT"]}},
            "enrollmentInfo": {"count": 40, "type": "ESTIMATED"},
        },
        "armsInterventionsModule": {
            "armGroups": [{"label": "Aspirin", "type": "EXPERIMENTAL", "interventionNames": ["Drug: Aspirin"]}],
            "interventions": [{"type": "DRUG", "name": "Aspirin", "armGroupLabels": ["Aspirin"]}],
        },
        "eligibilityModule": {
            "eligibilityCriteria": "Inclusion Criteria:\n\n* Adults\n\nExclusion Criteria:\n\n* Pregnancy",
            "sex": "ALL",
            "minimumAge": "18 Years",
            "stdAges": ["ADULT", "OLDER_ADULT"],
        },
        "contactsLocationsModule": {
            "locations": [{"facility": "City Hospital", "city": "Nanning", "geoPoint": {"lat": 22.8, "lon": 108.3}}]
        },
    },
    "derivedSection": {"miscInfoModule": {"versionHolder": "2024-05-02"}},
    "hasResults": False,
}


def study(changes: dict[str, Any] | None = None) -> dict[str, Any]:
    """A copy of STUDY with each "a.b.c" path set to its value."""
    changed = copy.deepcopy(STUDY)
    for path, value in (changes or {}).items():
        parent = changed
        *head, last = path.split(".")
        for key in head:
            parent = parent[int(key)] if isinstance(parent, list) else parent[key]
        if isinstance(parent, list):
            parent[int(last)] = value
        else:
            parent[last] = value
    return changed


def wrapped(value: Any) -> Any:
    """``value`` as R's jsonlite writes it without auto_unbox: every scalar a one-item array."""
    if isinstance(value, dict):
        return {key: wrapped(item) for key, item in value.items()}
    if isinstance(value, list):
        return [wrapped(item) if isinstance(item, dict | list) else item for item in value]
    return [value]


def write(folder: Path, name: str, content: dict[str, Any] | str | bytes) -> Path:
    path = folder / name
    if isinstance(content, dict):
        content = json.dumps(content)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def import_one(store, path: Path) -> DocumentResult:
    report = import_paths(store, [path])
    assert len(report.results) == 1
    return report.results[0]


def stored(store, registry_id: str = NCT_ID) -> TrialRecord | None:
    with store.session() as session:
        return reading.current_record(session, registry_id)


def assert_one_sentence(text: str) -> None:
    """A user-facing message: one line, no traceback, no exception class name."""
    assert text and "\n" not in text, text
    assert not EXCEPTION_NAME.search(text), text
