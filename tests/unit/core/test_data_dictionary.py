"""Every field of every corpus API v2 study that the registry's data dictionary defines reaches
`reviewer show --json` under the registry's name, or is in README's list of fields left out on
purpose (with why): nothing of a record is dropped unnoticed.

The store is real: the corpus is imported, and each trial's JSON is what `show --json` prints.
A source field is found when the JSON holds a value at a path ending in the same two names (a
module's name, which the JSON flattens, counts as no name), or, for a module's own field, at any
path ending in its name.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from reviewer.core.export import record_to_api
from reviewer.core.library import Library

ROOT = Path(__file__).resolve().parents[3]
DICTIONARY = ROOT / "tests" / "fixtures" / "spec" / "studies-metadata.json.gz"
LEFT_OUT_ROW = re.compile(r"^\| `([A-Za-z.]+)` \| (.+) \|$")


def left_out() -> dict[str, str]:
    """README's left-out fields: path -> why."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("<!-- left-out fields:", 1)[1].split("<!-- end of left-out fields -->", 1)[0]
    return {m.group(1): m.group(2) for line in table.splitlines() if (m := LEFT_OUT_ROW.match(line))}


def dictionary_paths() -> set[tuple[str, ...]]:
    """Every field path the data dictionary defines (its structs' names joined)."""
    paths: set[tuple[str, ...]] = set()

    def walk(nodes, parent):
        for node in nodes:
            path = (*parent, node["name"])
            paths.add(path)
            walk(node.get("children", ()), path)

    walk(json.loads(gzip.decompress(DICTIONARY.read_bytes())), ())
    return paths


def leaves(value, path=()):
    """The paths (list positions left out) of the values that say something."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list):
        for item in value:
            yield from leaves(item, path)
    elif value is not None and value != "":
        yield path


def named(path: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(p for p in path if not p.endswith(("Module", "Section")))


@pytest.fixture(scope="module")
def shown(corpus_dir, tmp_path_factory):
    """Each corpus study's source and its `show --json` data, from a real store."""
    library = Library.open(tmp_path_factory.mktemp("dictionary") / "data", with_samples=False)
    files = sorted((corpus_dir / "ctgov-v2").glob("*.json"))
    library.import_paths(files)
    pairs = []
    for file in files:
        source = json.loads(file.read_bytes())
        nct_id = source["protocolSection"]["identificationModule"]["nctId"]
        pairs.append((source, record_to_api(library.trial_page(nct_id).record)))
    library.close()
    return pairs


def test_left_out_fields_are_the_dictionarys_and_say_why():
    defined = {".".join(p) for p in dictionary_paths()}
    for path, why in left_out().items():
        assert path in defined, f"README leaves out {path}, which the data dictionary does not define"
        assert len(why) >= 8, f"README does not say why {path} is left out"


def test_every_dictionary_field_of_every_corpus_study_is_shown_or_left_out(shown):
    defined, out = dictionary_paths(), left_out()
    assert len(shown) == 385
    missing: dict[str, int] = {}
    for source, data in shown:
        found = set()
        for path in leaves(data):
            short = named(path)
            found.add(short[-2:])
            found.add(short[-1:])
        for path in set(leaves(source)):
            if path not in defined:  # a key the registry does not define (a collector's own) is no field
                continue
            dotted = ".".join(path)
            if any(dotted == o or dotted.startswith(o + ".") for o in out):
                continue
            short = named(path)
            if short[-2:] in found or (len(short) == 1 and short in found):
                continue
            missing[dotted] = missing.get(dotted, 0) + 1
    assert missing == {}


def test_the_detail_parts_reach_show_json_under_the_registrys_names(shown):
    by_id = {s["protocolSection"]["identificationModule"]["nctId"]: d for s, d in shown}
    counts = {
        name: sum(1 for d in by_id.values() if d[name] is not None)
        for name in (
            "organization",
            "responsibleParty",
            "oversight",
            "ipdSharingStatement",
            "studyPopulation",
        )
    }
    # the counts of corpus records carrying each part
    assert counts == {
        "organization": 385,
        "responsibleParty": 371,
        "oversight": 232,
        "ipdSharingStatement": 201,
        "studyPopulation": 70,
    }
    for source, data in shown:
        docs = (source.get("documentSection") or {}).get("largeDocumentModule", {}).get("largeDocs", [])
        for doc, shown_doc in zip(docs, data["largeDocs"] or [], strict=True):
            nct = data["nctId"]
            assert (
                shown_doc["url"]
                == f"https://ClinicalTrials.gov/ProvidedDocs/{nct[-2:]}/{nct}/{doc['filename']}"
            )
            assert shown_doc["typeAbbrev"] == doc["typeAbbrev"]
