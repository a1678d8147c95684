"""`reviewer list --facet` and `reviewer search --facet` as real processes on the imported corpus."""

from __future__ import annotations

import json

import pytest

from reviewer.core.facet_filters import parse_facet
from reviewer.core.library import Library, TrialFilter
from tests.corpus import corpus_dir

from .test_cli import reviewer


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("facet-cli") / "data"
    reviewer(folder, "import", str(corpus_dir() / "ctgov-v2"), str(corpus_dir() / "ctgov-xml"))
    return folder


def listed(data_dir, *facets: str, command: tuple[str, ...] = ("list",)) -> set[str]:
    args = [arg for facet in facets for arg in ("--facet", facet)]
    out = json.loads(reviewer(data_dir, *command, *args, "--json", "--limit", "1000").stdout)
    if command == ("list",):
        assert out["total"] == len(out["trials"])
    return {t["registry_id"] for t in out["trials"]}


def in_process(data_dir, *facets: str) -> set[str]:
    library = Library.open(data_dir, with_samples=False)
    try:
        where = TrialFilter(facets=tuple(parse_facet(f) for f in facets))
        return {row["registry_id"] for row in library.list_trials(where)}
    finally:
        library.close()


@pytest.mark.parametrize(
    "facets",
    [
        ("ecog=2",),
        ("anc>=1.0 10^9/L",),
        ("brain-mets",),
        ("age=80",),
        ("sex=male",),
        ("gene=EGFR",),
        ("ecog=2", "anc>=1.0 10^9/L", "brain-mets"),
    ],  # fmt: skip
    ids=lambda f: "+".join(f),
)
def test_list_with_facets_keeps_the_trials_the_library_filter_keeps(data_dir, facets):
    everything = listed(data_dir)
    kept = listed(data_dir, *facets)
    assert kept == in_process(data_dir, *facets)
    assert kept and kept < everything


def test_each_facet_narrows_and_the_brief_example_holds(data_dir):
    ecog = listed(data_dir, "ecog=2")
    both = listed(data_dir, "ecog=2", "anc>=1.0 10^9/L")
    all_three = listed(data_dir, "ecog=2", "anc>=1.0 10^9/L", "brain-mets")
    assert all_three <= both <= ecog
    text = reviewer(data_dir, "list", "--facet", "ecog=2", "--limit", "5").stdout
    assert text.rstrip().endswith(f"{len(ecog)} trial(s), first 5 shown")


def test_search_takes_facets_too(data_dir):
    found = listed(data_dir, "ecog=0", command=("search", "cancer"))
    assert found and found <= listed(data_dir, "ecog=0")


@pytest.mark.parametrize(
    ("facet", "says"),
    [
        ("ecog=9", "ECOG scores are 0-4"),
        ("anc=1 mg/dL", "is not a unit of ANC"),
        ("weight=80", "is not a facet"),
    ],
)
def test_bad_syntax_is_one_sentence_and_exit_2(data_dir, facet, says):
    result = reviewer(data_dir, "list", "--facet", facet, check=False)
    assert result.returncode == 2 and result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert (
        line.startswith(f"reviewer: --facet '{facet}'") and says in line and "Traceback" not in result.stderr
    )
