"""`reviewer show ID --json` carries the criteria tree with its marks and each item's facets, read back
through the real command on a real data folder (the seeds the first start imports)."""

from __future__ import annotations

import json

import pytest

from reviewer.core.facets import extract_facets
from tests.e2e.test_cli import reviewer


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("show-json") / "data"


def _items(tree: list[dict]):
    for item in tree:
        yield item
        yield from _items(item["children"])


def test_every_criterion_item_carries_its_facets_and_marks(data_dir):
    shown = json.loads(reviewer(data_dir, "show", "NCT06924645", "--json").stdout)
    for group in ("inclusion", "exclusion", "otherCriteria"):
        for item in _items(shown[group]):
            assert set(item) == {"text", "heading", "scope", "role", "facets", "children"}
            assert isinstance(item["facets"], list)
    first = shown["inclusion"]
    assert first[0]["text"].startswith("Age ≥18 years")
    assert {"kind": "age", "min": 18, "max": None, "unit": "years"} in first[0]["facets"]
    ecog = next(i for i in first if "ECOG" in i["text"])
    assert {"kind": "performance", "scale": "ECOG", "allowed": [1, 2, 3]} in ecog["facets"]
    # the facets are the extractor's for the item's own text and section, item by item
    for group, section in (("inclusion", "inclusion"), ("exclusion", "exclusion")):
        for item in _items(shown[group]):
            expected = [] if item["heading"] else extract_facets(item["text"], section)
            assert item["facets"] == json.loads(json.dumps(expected))


def test_the_other_neuroendocrine_seed_allows_ecog_0_to_2(data_dir):
    shown = json.loads(reviewer(data_dir, "show", "NCT02455596", "--json").stdout)
    facets = [f for item in _items(shown["inclusion"]) for f in item["facets"]]
    assert {"kind": "performance", "scale": "ECOG", "allowed": [0, 1, 2]} in facets
    assert any(f["kind"] == "age" and f["min"] == 18 for f in facets)
    assert all(isinstance(f["kind"], str) for item in _items(shown["exclusion"]) for f in item["facets"])
