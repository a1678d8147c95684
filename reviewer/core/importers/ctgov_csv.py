"""The ClinicalTrials.gov website's CSV downloads: `ctg-studies.csv` (the current site) and
`SearchResults.csv` (the classic site), detected by their header row.

Each row becomes one trial: the row is turned into the API v2 study shape it was flattened from and
read by the JSON importer's mapping (one mapping from the registry's fields to a TrialRecord), so
what a CSV does not carry (eligibility text, arms, sites' contacts ...) is "not in source" exactly as
for a study that lacks those modules. Each record's source is the header and its own row, written
again as CSV: re-importing the same download changes nothing.

Some columns join several values with ", " (an outcome's measure, description and time frame; a
site's facility, city, state, zip and country), and their parts may hold commas themselves: those
are split by rules that read the end first (the country, a postal code, a time frame), and a reader
can always check the row itself in the Source tab.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from .. import vocab
from ..parsed import ParsedRecord
from . import ctgov_json
from .base import InvalidSource, check_field_sizes
from .ctgov_xml import legacy_date

NAME = "ctgov-csv"

# The columns of each download, in the website's order (a download may hold any subset of them).
CURRENT_COLUMNS = (
    "NCT Number", "Study Title", "Study URL", "Acronym", "Study Status", "Brief Summary", "Study Results",
    "Conditions", "Interventions", "Primary Outcome Measures", "Secondary Outcome Measures",
    "Other Outcome Measures", "Sponsor", "Collaborators", "Sex", "Age", "Phases", "Enrollment", "Funder Type",
    "Study Type", "Study Design", "Other IDs", "Start Date", "Primary Completion Date", "Completion Date",
    "First Posted", "Results First Posted", "Last Update Posted", "Locations", "Study Documents",
)  # fmt: skip
CLASSIC_COLUMNS = (
    "Rank", "NCT Number", "Title", "Acronym", "Status", "Study Results", "Conditions", "Interventions",
    "Outcome Measures", "Sponsor/Collaborators", "Gender", "Age", "Phases", "Enrollment", "Funded Bys",
    "Study Type", "Study Designs", "Other IDs", "Start Date", "Primary Completion Date", "Completion Date",
    "First Posted", "Results First Posted", "Last Update Posted", "Locations", "Study Documents", "URL",
)  # fmt: skip
_KNOWN = frozenset(CURRENT_COLUMNS) | frozenset(CLASSIC_COLUMNS)
_ID_COLUMN = "NCT Number"

_DATE_COLUMNS = {
    "Start Date": "startDateStruct",
    "Primary Completion Date": "primaryCompletionDateStruct",
    "Completion Date": "completionDateStruct",
    "First Posted": "studyFirstPostDateStruct",
    "Results First Posted": "resultsFirstPostDateStruct",
    "Last Update Posted": "lastUpdatePostDateStruct",
}
_ISO_DATE = re.compile(r"\d{4}-\d{2}(?:-\d{2})?")
_DESIGN_KEYS = {
    "allocation": "allocation",
    "intervention model": "interventionModel",
    "masking": "masking",
    "primary purpose": "primaryPurpose",
    "observational model": "observationalModel",
    "time perspective": "timePerspective",
}
# Countries whose names hold a comma in the classic site's spelling (the current site has none).
_COMMA_COUNTRIES = frozenset(
    {
        "korea, republic of", "korea, democratic people's republic of", "iran, islamic republic of",
        "taiwan, province of china", "congo, the democratic republic of the", "moldova, republic of",
        "tanzania, united republic of", "macedonia, the former yugoslav republic of",
        "venezuela, bolivarian republic of", "micronesia, federated states of", "virgin islands, u.s.",
        "bolivia, plurinational state of", "palestinian territory, occupied", "virgin islands, british",
    }
)  # fmt: skip
_POSTAL_CODE = re.compile(r"(?=.*\d)[A-Z0-9][A-Z0-9 -]{1,9}", re.I)
_TIME_WORDS = re.compile(
    r"\b(?:\d+|baseline|day|days|week|weeks|month|months|year|years|hour|hours|minute|minutes|visit|cycle|"
    r"through|up to|until|end of|after|before|during|follow[- ]?up|discharge|completion|study|treatment)\b",
    re.I,
)
_AGE_RANGE = re.compile(
    r"^\s*(?:(?P<min>\d+(?:\.\d+)?\s+[A-Za-z]+)\s+(?:to\s+(?P<max>\d+(?:\.\d+)?\s+[A-Za-z]+)|and older))?"
    r"(?:up to\s+(?P<upto>\d+(?:\.\d+)?\s+[A-Za-z]+))?\s*(?:\((?P<groups>[^)]*)\))?\s*$"
)


class CtgovCsvImporter:
    name = NAME
    label = "ClinicalTrials.gov CSV download"

    def sniff(self, head: str) -> float:
        header = _first_line(head)
        if not header or "," not in header:
            return 0.0
        columns = _header_columns(header)
        if _ID_COLUMN in columns:
            return 0.9
        if sum(c in _KNOWN for c in columns) >= 2:
            return 0.6  # the registry's columns without the id: ours to refuse with the reason
        return 0.0

    def parse(self, text: str) -> list[ParsedRecord]:
        rows = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
        try:
            header = [column.strip() for column in next(rows)]
        except StopIteration:
            raise InvalidSource("empty CSV") from None
        except csv.Error as error:
            raise InvalidSource(f"unreadable CSV header ({error})") from None
        _check_columns(header)
        classic = "Rank" in header or "Title" in header or "Status" in header
        records = []
        line = 1
        try:
            for row in rows:
                line = rows.line_num
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(header):
                    raise InvalidSource(
                        f"CSV row ending on line {line} has {len(row)} cells where the header has {len(header)}"
                    )
                values = {column: cell.strip() for column, cell in zip(header, row, strict=True)}
                warnings: list[str] = []
                study = _study(values, classic, warnings, len(records) + 1)
                record = ctgov_json.study_to_record(study, warnings)
                # no download carries arm groups or contacts: not in source, not "none"
                record.arms = record.central_contacts = record.officials = None
                check_field_sizes(record)
                records.append(ParsedRecord(record, _row_source(header, row), NAME, warnings=warnings))
        except csv.Error as error:
            raise InvalidSource(f"unreadable CSV on line {line + 1} ({error})") from None
        if not records:
            raise InvalidSource("CSV has a header but no study rows")
        return records


IMPORTER = CtgovCsvImporter()


def _first_line(head: str) -> str:
    return head.lstrip("\ufeff \t\r\n").split("\n", 1)[0].strip()


def _header_columns(header: str) -> list[str]:
    try:
        return [c.strip() for c in next(csv.reader([header]))]
    except (csv.Error, StopIteration):
        return []


def _check_columns(header: list[str]) -> None:
    unknown = [c for c in header if c not in _KNOWN]
    if _ID_COLUMN not in header or unknown:
        found = ", ".join(unknown) if unknown else "no 'NCT Number' column"
        raise InvalidSource(
            f"CSV with columns this app does not know ({found}); expected the columns of the "
            f"ClinicalTrials.gov download, ctg-studies.csv ({', '.join(CURRENT_COLUMNS)}) or "
            f"SearchResults.csv ({', '.join(CLASSIC_COLUMNS)})"
        )


def _row_source(header: list[str], row: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerow(row)
    return out.getvalue()


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split("|") if part.strip()]


def _study(values: dict[str, str], classic: bool, warnings: list[str], row: int) -> dict[str, Any]:
    """The API v2 study a row was flattened from (only the modules the row's columns carry)."""

    def get(column: str) -> str | None:
        return values.get(column) or None

    # An empty cell stands for what the registry's JSON leaves out (a study with no sites has no
    # locations module), so a part is read only from a cell that holds something.
    def has(*columns: str) -> bool:
        return any(values.get(column) for column in columns)

    protocol: dict[str, Any] = {}
    ident: dict[str, Any] = {"nctId": get(_ID_COLUMN)}
    for column, key in (("Study Title", "briefTitle"), ("Title", "briefTitle"), ("Acronym", "acronym")):
        if get(column):
            ident[key] = get(column)
    other_ids = _split(get("Other IDs"))
    if other_ids:
        ident["orgStudyIdInfo"] = {"id": other_ids[0]}
        ident["secondaryIdInfos"] = [{"id": value} for value in other_ids[1:]]
    protocol["identificationModule"] = ident

    status: dict[str, Any] = {}
    if get("Study Status") or get("Status"):
        status["overallStatus"] = get("Study Status") or get("Status")
    for column, key in _DATE_COLUMNS.items():
        if get(column):
            date = _date(get(column))
            if date is None:
                warnings.append(f"row {row}, column {column}: {get(column)!r} is not a date: read as not in source")
            else:
                status[key] = {"date": date}
    protocol["statusModule"] = status

    if get("Brief Summary"):
        protocol["descriptionModule"] = {"briefSummary": get("Brief Summary")}
    if has("Conditions"):
        protocol["conditionsModule"] = {"conditions": _split(get("Conditions"))}
    _sponsors(protocol, values, classic)
    _design(protocol, values, warnings, row)
    if has("Interventions"):
        protocol["armsInterventionsModule"] = {"interventions": [_intervention(v) for v in _split(get("Interventions"))]}
    _outcomes(protocol, values, classic)
    if has("Sex", "Gender", "Age"):
        protocol["eligibilityModule"] = _eligibility(get("Sex") or get("Gender"), get("Age"))
    if has("Locations"):
        protocol["contactsLocationsModule"] = {"locations": [_location(v) for v in _split(get("Locations"))]}
    study: dict[str, Any] = {"protocolSection": protocol}
    if get("Study Results"):
        study["hasResults"] = get("Study Results").upper() in ("YES", "HAS RESULTS")
    if has("Study Documents"):
        study["documentSection"] = {"largeDocumentModule": {"largeDocs": _documents(get("Study Documents"))}}
    return study


def _date(text: str) -> str | None:
    if _ISO_DATE.fullmatch(text):
        return text
    date = legacy_date(text)
    return date if date and _ISO_DATE.fullmatch(date) else None


def _sponsors(protocol: dict[str, Any], values: dict[str, str], classic: bool) -> None:
    if classic:
        names = _split(values.get("Sponsor/Collaborators"))
        classes = _split(values.get("Funded Bys"))
        lead, collaborators = (names[:1], names[1:]) if names else ([], [])
    else:
        lead = [values["Sponsor"]] if values.get("Sponsor") else []
        collaborators = _split(values.get("Collaborators"))
        classes = [values["Funder Type"]] if values.get("Funder Type") else []
    if not (lead or "Sponsor" in values or "Sponsor/Collaborators" in values):
        return
    module: dict[str, Any] = {"collaborators": [{"name": name} for name in collaborators]}
    if lead:
        module["leadSponsor"] = {"name": lead[0], **({"class": classes[0]} if classes else {})}
    protocol["sponsorCollaboratorsModule"] = module


def _design(protocol: dict[str, Any], values: dict[str, str], warnings: list[str], row: int) -> None:
    design: dict[str, Any] = {}
    if values.get("Study Type"):
        design["studyType"] = values["Study Type"]
    if "Phases" in values:
        design["phases"] = [p for p in _split(values["Phases"].replace("Not Applicable", "NA"))]
    enrollment = values.get("Enrollment")
    if enrollment:
        if enrollment.replace(",", "").isdigit() and len(enrollment) <= 12:
            design["enrollmentInfo"] = {"count": int(enrollment.replace(",", ""))}
        else:
            warnings.append(f"row {row}, column Enrollment: {enrollment!r} is not a count: read as not in source")
    info: dict[str, Any] = {}
    for part in _split(values.get("Study Design") or values.get("Study Designs")):
        key, _, value = part.partition(":")
        field = _DESIGN_KEYS.get(key.strip().lower())
        if field and value.strip():
            info[field] = value.strip()
    if "masking" in info:
        masking, _, who = info.pop("masking").partition("(")
        info["maskingInfo"] = {"masking": masking.strip()}
        # "None (Open Label)" names no one masked; "Double (Participant, Investigator)" does
        if who and vocab.to_code("masking", masking) != "NONE":
            info["maskingInfo"]["whoMasked"] = [w.strip() for w in who.rstrip(")").split(",") if w.strip()]
    if info:
        design["designInfo"] = info
    if design:
        protocol["designModule"] = design


def _intervention(value: str) -> dict[str, str]:
    kind, sep, name = value.partition(":")
    if sep and kind.strip() and " " not in kind.strip().replace("_", ""):
        return {"type": kind.strip(), "name": name.strip()}
    return {"name": value}


def _outcomes(protocol: dict[str, Any], values: dict[str, str], classic: bool) -> None:
    module: dict[str, Any] = {}
    if classic:
        if values.get("Outcome Measures"):
            # The classic download lists every outcome's measure in one column, primary and secondary
            # alike: they are read as "other" outcomes, since the row does not say which is which.
            module["otherOutcomes"] = [{"measure": m} for m in _split(values["Outcome Measures"])]
    else:
        for column, key in (
            ("Primary Outcome Measures", "primaryOutcomes"),
            ("Secondary Outcome Measures", "secondaryOutcomes"),
            ("Other Outcome Measures", "otherOutcomes"),
        ):
            if values.get(column):
                module[key] = [_outcome(v) for v in _split(values[column])]
    if module:
        protocol["outcomesModule"] = module


def _outcome(value: str) -> dict[str, str]:
    """'measure, description, time frame' -> its parts. Commas inside parentheses join; the
    description is the run of parts up to the last one that ends a sentence, and the time frame is
    what follows it (time frames are phrases, descriptions sentences); without a sentence end, the
    time frame is the last part and the parts before it that continue it ("..., on average 2 years",
    "Cycle 1 Day 1, Cycle 2 Day 1")."""
    parts = _balanced(value.split(", "))
    outcome = {"measure": parts[0]}
    rest = parts[1:]
    if len(rest) == 1:
        outcome["timeFrame" if _TIME_WORDS.search(rest[0]) else "description"] = rest[0]
    elif rest:
        sentence_ends = [i for i, part in enumerate(rest[:-1]) if part.rstrip(")\"'").endswith(".")]
        if sentence_ends:
            start = sentence_ends[-1] + 1
        else:
            start = len(rest) - 1
            while start > 0 and _continues(rest[start - 1], rest[start]):
                start -= 1
        outcome["timeFrame"] = ", ".join(rest[start:])
        if rest[:start]:
            outcome["description"] = ", ".join(rest[:start])
    return outcome


def _balanced(parts: list[str]) -> list[str]:
    """Parts split at commas, joined again where a parenthesis is open across the comma."""
    joined: list[str] = []
    for part in parts:
        if joined and joined[-1].count("(") > joined[-1].count(")"):
            joined[-1] += ", " + part
        else:
            joined.append(part)
    return joined


def _continues(before: str, part: str) -> bool:
    """Whether ``part`` carries on the phrase ``before``: a lower-case start, a number ("after 3, 6,
    9 and 12 months", "August 1, 2022"), or a list of the same kind of time point ("Cycle 1 Day 1,
    Cycle 2 Day 1")."""
    return part[:1].islower() or part[:1].isdigit() or before.split(" ", 1)[0] == part.split(" ", 1)[0]


def _eligibility(sex: str | None, age: str | None) -> dict[str, Any]:
    module: dict[str, Any] = {}
    if sex:
        module["sex"] = sex
    if not age:
        return module
    match = _AGE_RANGE.match(age)
    if match and (match["min"] or match["upto"]):  # the classic form: "18 Years to 65 Years   (Adult)"
        if match["min"]:
            module["minimumAge"] = match["min"]
        if match["max"] or match["upto"]:
            module["maximumAge"] = match["max"] or match["upto"]
        groups = match["groups"] or ""
    else:
        groups = age
    module["stdAges"] = [g.strip().upper().replace(" ", "_") for g in groups.split(",") if g.strip()]
    return module


def _location(value: str) -> dict[str, str]:
    """'Facility, City, State, Zip, Country', read from the end (facilities often hold commas)."""
    parts = [p.strip() for p in value.split(", ")]
    location: dict[str, str] = {}
    if len(parts) >= 2 and f"{parts[-2]}, {parts[-1]}".lower() in _COMMA_COUNTRIES:
        parts[-2:] = [f"{parts[-2]}, {parts[-1]}"]
    location["country"] = parts.pop()
    if len(parts) >= 2 and _POSTAL_CODE.fullmatch(parts[-1]):
        location["zip"] = parts.pop()
    if len(parts) >= 3:
        location["state"] = parts.pop()
    if parts:
        location["city"] = parts.pop()
    if parts:
        location["facility"] = ", ".join(parts)
    return location


def _documents(value: str | None) -> list[dict[str, str]]:
    documents = []
    for part in _split(value):
        label, sep, url = part.rpartition(", ")
        if sep and url.startswith(("http://", "https://")):
            documents.append({"label": label, "url": url, "filename": url.rsplit("/", 1)[-1]})
        else:
            documents.append({"label": part})
    return documents
