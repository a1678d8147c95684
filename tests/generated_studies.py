"""Small API v2 studies made inside the tests (no corpus needed): a registry-style zip or folder of
any size, each study a distinct trial with numbered inclusion and exclusion criteria."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path


def nct_id(number: int) -> str:
    return f"NCT08{number:06d}"


def study(number: int, *, criteria: list[str] | None = None, enrollment: int = 40, title: str | None = None) -> dict:
    """An API v2 study; ``criteria`` are its inclusion criteria (by default 30 of them, and as many
    exclusion criteria), so that a document weighs about 8 KB, as the registry's median does."""
    if criteria is None:
        criteria = [f"Patients with condition number {n}, confirmed by a test done within 28 days" for n in range(1, 31)]
    inclusion = "\n".join(f"{n}. {text}" for n, text in enumerate(criteria, 1))
    exclusion = "\n".join(f"{n}. Previous treatment number {n} within the last six months" for n in range(1, 31))
    return {
        "protocolSection": {
            "identificationModule": {"nctId": nct_id(number), "briefTitle": title or f"Generated study {number}"},
            "designModule": {"studyType": "INTERVENTIONAL", "enrollmentInfo": {"count": enrollment}},
            "eligibilityModule": {
                "eligibilityCriteria": f"Inclusion Criteria:\n{inclusion}\n\nExclusion Criteria:\n{exclusion}"
            },
        }
    }


def write_zip(path: Path, count: int, first: int = 0) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for number in range(first, first + count):
            archive.writestr(f"{nct_id(number)}.json", json.dumps(study(number)))
    return path


def write_folder(folder: Path, count: int, first: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(first, first + count):
        (folder / f"{nct_id(number)}.json").write_text(json.dumps(study(number)))
    return folder
