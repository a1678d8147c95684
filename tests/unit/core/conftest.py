"""Fixtures of the core's tests: the corpus's API v2 studies as one registry-style zip."""

from __future__ import annotations

import zipfile

import pytest


@pytest.fixture(scope="session")
def corpus_zip(tmp_path_factory, corpus_dir):
    """The 385 API v2 studies of the corpus in one zip, as the registry's download holds them."""
    path = tmp_path_factory.mktemp("zip") / "ctg-studies.json.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for study in sorted((corpus_dir / "ctgov-v2").glob("*.json")):
            archive.write(study, study.name)
    return path
