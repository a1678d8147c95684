"""A hostile set of import inputs, generated: bombs, lying zips, big arrays that hide errors, odd
encodings, wrong field types and bad identities, each with the outcome an import must give it.

    python -m tests.hostile.make_hostile FOLDER     # writes the files and FOLDER/expected.json

CASES is the table: the file's name, what it is, the expected outcome and a phrase the outcome
must hold. Outcomes:
- "refused": nothing is stored, and a failure's reason holds the phrase;
- "imported": at least one trial is stored and nothing failed (a warning is allowed);
- "warned": imported, and a warning holds the phrase;
- "partial": trials are stored and a failure's reason holds the phrase (a big array's studies import
  one by one, so an element that is not a study or trailing data fails alone).
"""

from __future__ import annotations

import codecs
import json
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BIG = 17 * 2**20  # over json_stream.BIG_ARRAY_BYTES: such an array is split study by study
NCT = "NCT01234567"
PAGE_HEAD = f"Viewing Study {NCT}\n\nStudy NCT ID: {NCT}\n\nRaw JSON\n"
P = "protocolSection"


def study(nct_id: object = NCT, changes: dict | None = None) -> dict:
    """A small valid API v2 study; ``changes`` maps dotted paths to the values put there."""
    record = {
        P: {
            "identificationModule": {
                "nctId": nct_id,
                "briefTitle": "A hostile-set study of a new drug",
                "officialTitle": "A randomised study of a new drug in adults",
                "nctIdAliases": ["NCT07654321"],
            },
            "statusModule": {"overallStatus": "RECRUITING", "lastUpdatePostDateStruct": {"date": "2025-01-02"}},
            "sponsorCollaboratorsModule": {"leadSponsor": {"name": "Hostile Hospital", "class": "OTHER"}},
            "conditionsModule": {"conditions": ["Asthma"]},
            "designModule": {
                "studyType": "INTERVENTIONAL",
                "phases": ["PHASE2"],
                "designInfo": {"maskingInfo": {"masking": "DOUBLE", "whoMasked": ["PARTICIPANT"]}},
                "enrollmentInfo": {"count": 40, "type": "ESTIMATED"},
            },
            "armsInterventionsModule": {
                "armGroups": [{"label": "Drug", "type": "EXPERIMENTAL", "interventionNames": ["Drug: X"]}],
                "interventions": [{"type": "DRUG", "name": "X"}],
            },
            "eligibilityModule": {
                "eligibilityCriteria": "Inclusion Criteria:\n\n* Adults\n\nExclusion Criteria:\n\n* Pregnancy",
                "stdAges": ["ADULT"],
                "minimumAge": "18 Years",
            },
        }
    }
    for path, value in (changes or {}).items():
        *parents, key = path.split(".")
        node = record
        for part in parents:
            node = node[part]
        node[key] = value
    return record


def studies(count: int, start: int = 1) -> list[dict]:
    return [study(f"NCT{n:08d}") for n in range(start, start + count)]


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def _wrapped(value: object) -> object:
    """R's re-serialisation: every scalar a one-item array."""
    if isinstance(value, dict):
        return {k: _wrapped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_wrapped(v) for v in value]
    return [value]


XML_STUDY = f"""<?xml version="1.0" encoding="ISO-8859-1"?>
<clinical_study rank="1">
  <id_info><org_study_id>HH-1</org_study_id><nct_id>{NCT}</nct_id></id_info>
  <brief_title>Caf\u00e9 au lait spots in children</brief_title>
  <sponsors><lead_sponsor><agency>Hostile Hospital</agency><agency_class>Other</agency_class></lead_sponsor></sponsors>
  <overall_status>Recruiting</overall_status>
  <study_type>Interventional</study_type>
  <condition>Neurofibromatosis</condition>
  <eligibility><criteria><textblock>Inclusion Criteria: - children</textblock></criteria>
    <gender>All</gender><minimum_age>2 Years</minimum_age><maximum_age>N/A</maximum_age></eligibility>
</clinical_study>
"""


def _xml(body: str, head: str = "", attribute: str = "") -> bytes:
    text = XML_STUDY.replace('rank="1"', f'rank="1"{attribute}').replace("<brief_title>", body + "<brief_title>", 1)
    if head:
        text = text.replace("<clinical_study", head + "<clinical_study", 1)
    return text.encode("iso-8859-1")


def _page(dump: str) -> bytes:
    return (PAGE_HEAD + dump).encode()


# ---------------------------------------------------------------- zips written byte by byte

_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")
_END = struct.Struct("<4sHHHHIIH")


@dataclass
class RawEntry:
    """One central directory entry of a crafted zip, and the local header it points at: the fields
    lie where a test wants them to."""

    name: bytes
    data: bytes  # as stored in the zip (compressed when method is 8)
    crc: int
    size: int  # uncompressed, as the directory says
    method: int = 8
    offset: int | None = None  # where the directory says its local header is (None: its own)
    local_name: bytes | None = None
    local_compressed: int | None = None
    flags: int = 0


def deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def raw_zip(entries: list[RawEntry]) -> bytes:
    out = bytearray()
    offsets = []
    for entry in entries:
        offsets.append(len(out))
        if entry.offset is not None:
            continue  # it points into another entry's bytes: no local header of its own
        name = entry.local_name if entry.local_name is not None else entry.name
        compressed = entry.local_compressed if entry.local_compressed is not None else len(entry.data)
        out += _LOCAL.pack(b"PK\x03\x04", 20, entry.flags, entry.method, 0, 33, entry.crc, compressed, entry.size, len(name), 0)
        out += name + entry.data
    directory = bytearray()
    for entry, own in zip(entries, offsets, strict=True):
        offset = entry.offset if entry.offset is not None else own
        directory += _CENTRAL.pack(
            b"PK\x01\x02", 20, 20, entry.flags, entry.method, 0, 33, entry.crc, len(entry.data), entry.size,
            len(entry.name), 0, 0, 0, 0, 0, offset,
        )
        directory += entry.name
    end = _END.pack(b"PK\x05\x06", 0, 0, len(entries), len(entries), len(directory), len(out), 0)
    return bytes(out + directory + end)


def _member(name: str, data: bytes, **lies) -> RawEntry:
    return RawEntry(name.encode(), deflate(data), zlib.crc32(data), len(data), **lies)


def zip_overlapping_at_one_offset(count: int = 300) -> bytes:
    """Many entries pointing at the same local header and deflate stream."""
    data = _json(study()) * 1
    first = _member("s0.json", data)
    rest = [RawEntry(f"s{n}.json".encode(), first.data, first.crc, first.size, offset=0) for n in range(1, count)]
    return raw_zip([first, *rest])


def zip_sharing_one_stream(count: int = 300) -> bytes:
    """The issue's bomb: entries that share one deflate stream of 64 MiB of zeros (64 KB), each
    saying it holds 1,000 bytes, so that no ratio check stops them (each took 0.2 s to inflate)."""
    stream = deflate(bytes(64 * 2**20))
    first = RawEntry(b"s0.json", stream, zlib.crc32(bytes(1000)), 1000)
    rest = [RawEntry(f"s{n}.json".encode(), stream, first.crc, 1000, offset=0) for n in range(1, count)]
    return raw_zip([first, *rest])


def zip_overlapping_inside_each_other(count: int = 300) -> bytes:
    """Entries whose offsets step through one stored blob: each entry's data holds the next's."""
    blob = b" " * (count * 64)
    first = RawEntry(b"s0.json", blob, zlib.crc32(blob), len(blob), method=0)
    rest = [
        RawEntry(f"s{n}.json".encode(), blob[n * 64 :], zlib.crc32(blob[n * 64 :]), len(blob) - n * 64, method=0, offset=30 + 7 + n * 64)
        for n in range(1, count)
    ]
    return raw_zip([first, *rest])


def _zipfile(members: list[tuple[str, bytes]], compression: int = zipfile.ZIP_DEFLATED) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        with zipfile.ZipFile(path, "w", compression) as archive:
            for name, data in members:
                archive.writestr(name, data)

    return write


def _encrypted_zip(path: Path) -> None:
    entry = _member("secret.json", _json(study()), flags=0x1)
    path.write_bytes(raw_zip([entry]))


def _ratio_bomb(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.json", b"0" * (50 * 2**20))


def _whole_zip_ratio_bomb(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for n in range(120):  # each small enough for a member's own ratio check; together 120 MiB
            archive.writestr(f"m{n}.json", b" " * 2**20)


def _many_tiny_members(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for n in range(20_000):
            archive.writestr(f"e{n:05d}.json", b"")


def _only_folders(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("folder/", b"")
        archive.writestr("__MACOSX/._a.json", b"x")
        archive.writestr(".hidden.json", _json(study()))


def _truncated_zip(path: Path) -> None:
    _zipfile([("a.json", _json(study()))])(path)
    path.write_bytes(path.read_bytes()[:-30])


# ---------------------------------------------------------------- big arrays (split study by study)


def _padding() -> str:
    return "x" * BIG  # one string element of 17 MiB: the file is "big", the scan stays quick


def _big_array_mixed(path: Path) -> None:
    elements = [study("NCT00000001"), 5, "a string", [1, 2], True, None, {"a": 1}, study("NCT00000002"), _padding()]
    path.write_bytes(_json(elements))


def _big_array_trailing(path: Path) -> None:
    path.write_bytes(_json([study("NCT00000001"), _padding()]) + b"\n{garbage after the array")


def _big_page_trailing(path: Path) -> None:
    page = {"studies": [study("NCT00000001"), _padding()], "nextPageToken": "abc"}
    path.write_bytes(_json(page) + b"}")


def _big_array_truncated(path: Path) -> None:
    data = _json([study("NCT00000001"), _padding(), study("NCT00000002")])
    path.write_bytes(data[:-40])


def _big_array_no_study(path: Path) -> None:
    path.write_bytes(b"[" + b"1," * (BIG // 2) + b"1]")


def _big_array_flat_objects(path: Path) -> None:
    path.write_bytes(b"[" + b'{"x": 1},' * (BIG // 9) + b'{"x": 1}]')


def _big_array_ok(path: Path) -> None:
    path.write_bytes(_json([*studies(3), _padding()]))


# ---------------------------------------------------------------- the table


@dataclass(frozen=True)
class Case:
    name: str
    what: str
    build: Callable[[], bytes] | Callable[[Path], None]  # the file's bytes, or a writer of the file
    expect: str  # refused | imported | warned | partial
    phrase: str = ""


def _type_case(name: str, what: str, changes: dict, field: str) -> Case:
    return Case(name, what, lambda: _json(study(changes=changes)), "warned", field)


def _identity_case(name: str, what: str, nct_id: object) -> Case:
    return Case(name, what, lambda: _json(study(nct_id)), "refused", "is not an NCT id")


CASES: list[Case] = [
    # ---- plain and odd encodings
    Case("plain.json", "a valid study", lambda: _json(study()), "imported"),
    Case("utf8-bom.json", "UTF-8 with a byte-order mark", lambda: codecs.BOM_UTF8 + _json(study()), "imported"),
    Case("utf16-bom.json", "UTF-16 with a byte-order mark", lambda: json.dumps(study()).encode("utf-16"), "imported"),
    Case("utf32-bom.json", "UTF-32 with a byte-order mark", lambda: json.dumps(study()).encode("utf-32"), "imported"),
    Case("utf16-no-bom.json", "UTF-16 without its mark", lambda: json.dumps(study()).encode("utf-16-le"), "refused", "not a text document"),
    Case("latin1.json", "Latin-1 bytes in JSON", lambda: json.dumps(study(changes={f"{P}.identificationModule.briefTitle": "Café"}), ensure_ascii=False).encode("latin-1"), "refused", "undecodable bytes"),
    Case("false-bom.json", "a UTF-32 mark before bytes that are not UTF-32", lambda: codecs.BOM_UTF32_LE + b"\xff\xff\xff\xff{}", "refused", "undecodable bytes"),
    Case("nul-bytes.json", "binary data", lambda: b"\x00\x01\x02" * 1000, "refused", "not a text document"),
    Case("empty.json", "an empty file", lambda: b"", "refused", "empty"),
    Case("blank.json", "white space only", lambda: b" \n\t\r\n" * 100, "refused", "empty"),
    Case("latin1-declared.xml", "XML declared ISO-8859-1, with an accented title", lambda: _xml(""), "imported"),
    Case("ndjson.json", "newline-delimited JSON of three studies", lambda: b"\n".join(_json(s) for s in studies(3)), "imported"),
    Case("api-page.json", "an API page", lambda: _json({"studies": studies(2), "nextPageToken": "x"}), "imported"),
    Case("controls-in-title.json", "escape sequences in a title", lambda: _json(study(changes={f"{P}.identificationModule.briefTitle": "A \x1b]0;pwned\x07 \x1b[2J title"})), "imported"),
    # ---- "Viewing Study" pages with a Python-literal dump
    Case("page.txt", "a valid Viewing Study page", lambda: _page(repr(study())), "imported"),
    Case("page-million-lists.txt", "a dump of a million empty lists (3 MB)", lambda: _page("{'protocolSection': [" + "[], " * 1_000_000 + "[]]}"), "refused", "holds too many values"),
    Case("page-wide-dict.txt", "a dump of a dict of 200,000 keys", lambda: _page("{" + ", ".join(f"'k{n}': {n}" for n in range(200_000)) + "}"), "refused", "holds too many values"),
    Case("page-nested-lists.txt", "a dump nested 300 lists deep", lambda: _page("[" * 300 + "]" * 300), "refused", "nested too deeply"),
    Case("page-nested-dicts.txt", "a dump nested 250 dicts deep", lambda: _page("{'a': " * 250 + "1" + "}" * 250), "refused", "nested too deeply"),
    Case("page-nested-tuples.txt", "a dump nested 100,000 parentheses deep", lambda: _page("(" * 100_000 + ")" * 100_000), "refused", "nested too deeply"),
    Case("page-call.txt", "a dump holding a call", lambda: _page("{'protocolSection': __import__('os').system('echo pwned')}"), "refused", "not a literal a study is made of"),
    Case("page-truncated.txt", "a truncated dump", lambda: _page(repr(study())[:-200]), "refused", "truncated record dump"),
    Case("page-huge-int.txt", "a dump with a 100,000-digit number", lambda: _page("{'protocolSection': " + "9" * 100_000 + "}"), "refused", "invalid record dump"),
    Case("page-header-mismatch.txt", "a header naming another trial than the dump", lambda: _page(repr(study("NCT07654321"))), "refused", "header names"),
    # ---- JSON bombs
    Case("deep-arrays.json", "arrays nested 100,000 deep", lambda: b"[" * 100_000 + b"]" * 100_000, "refused", "depth limit"),
    Case("deep-objects.json", "objects nested 5,000 deep", lambda: b'{"a":' * 5000 + b"1" + b"}" * 5000, "refused", "depth limit"),
    Case("deep-in-study.json", "a study with a field nested 2,000 deep", lambda: _json(study())[:-2] + b', "x": ' + b"[" * 2000 + b"]" * 2000 + b"}}", "refused", "depth limit"),
    Case("wide-lists.json", "2 million empty lists (6 MB)", lambda: b"[" + b"[]," * 2_000_000 + b"[]]", "refused", "too many values for its size"),
    Case("wide-page.json", "a page of 3 million empty strings", lambda: b'{"studies": [' + b'"",' * 3_000_000 + b'""]}', "refused", "too many values for its size"),
    Case("wide-object.json", "a study with 1 million unknown keys (dense, but within the bound: real compact JSON is as dense)", lambda: _json(study())[:-2] + b", " + b", ".join(b'"k%d": 0' % n for n in range(1_000_000)) + b"}}", "imported"),
    Case("long-string.json", "a study whose title is 3 million characters", lambda: _json(study(changes={f"{P}.identificationModule.briefTitle": "t" * 3_000_000})), "refused", "oversized"),
    # ---- big arrays, split study by study
    Case("big-array.json", "a 17 MB array: 3 studies and a long string", _big_array_ok, "partial", "not a study (a string)"),
    Case("big-array-mixed.json", "a 17 MB array of studies, numbers, strings, lists, true, null, an object", _big_array_mixed, "partial", "not a study (a number)"),
    Case("big-array-trailing.json", "a 17 MB array followed by garbage", _big_array_trailing, "partial", "trailing data after the array"),
    Case("big-page-trailing.json", "a 17 MB page with a brace too many", _big_page_trailing, "partial", "invalid JSON after the array"),
    Case("big-array-truncated.json", "a 17 MB array cut short", _big_array_truncated, "partial", "truncated JSON"),
    Case("big-array-no-study.json", "17 MB of numbers, no study", _big_array_no_study, "refused", "no study in big-array-no-study.json"),
    Case("big-array-flat-objects.json", "17 MB of 2 million tiny objects", _big_array_flat_objects, "refused", "more elements are not studies"),
    # ---- XML
    Case("billion-laughs.xml", "entity expansion", lambda: b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">' + b"".join(b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10) for n in range(1, 10)) + b"]>\n<clinical_study>&lol9;</clinical_study>", "refused", "entity declarations are refused"),
    Case("external-entity.xml", "an external entity", lambda: b'<?xml version="1.0"?>\n<!DOCTYPE c [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<clinical_study><brief_title>&x;</brief_title></clinical_study>', "refused", "entity declarations are refused"),
    Case("external-dtd.xml", "an external DTD", lambda: b'<?xml version="1.0"?>\n<!DOCTYPE clinical_study SYSTEM "http://example.com/x.dtd">\n<clinical_study/>', "refused", "external DTD"),
    Case("huge-attribute.xml", "a 30 MB attribute", lambda: _xml("", attribute=' junk="' + "a" * 30_000_000 + '"'), "imported"),
    Case("wide.xml", "a million empty elements", lambda: _xml("<x/>" * 1_000_000), "refused", "too many XML tags"),
    Case("deep.xml", "elements nested 100,000 deep", lambda: _xml("<x>" * 100_000 + "</x>" * 100_000), "refused", "too many XML tags"),
    Case("after-comment.xml", "a record after a 100 KB comment", lambda: _xml("", head="<!-- " + "c" * 100_000 + " -->\n"), "imported", ""),
    # ---- zips
    Case("zip-ok.zip", "a zip of two studies", _zipfile([("a.json", _json(study("NCT00000001"))), ("b.json", _json(study("NCT00000002")))]), "imported"),
    Case("zip-overlap.zip", "300 entries at one offset, sharing one deflate stream", lambda: zip_overlapping_at_one_offset(), "refused", "share their data"),
    Case("zip-shared-stream.zip", "300 entries sharing one 64 MiB deflate stream, each saying 1,000 bytes", lambda: zip_sharing_one_stream(), "refused", "share their data"),
    Case("zip-shared-stream-once.zip", "one entry of that stream, saying 1,000 bytes", lambda: zip_sharing_one_stream(1), "refused", "larger than its size"),
    Case("zip-overlap-steps.zip", "300 entries each inside the one before", lambda: zip_overlapping_inside_each_other(), "refused", "share their data"),
    Case("zip-local-name.zip", "a local header naming another file", lambda: raw_zip([_member("a.json", _json(study()), local_name=b"../../evil.json")]), "refused", "local header disagrees"),
    Case("zip-local-size.zip", "a local header with another compressed size", lambda: raw_zip([_member("a.json", _json(study()), local_compressed=7)]), "refused", "local header disagrees"),
    Case("zip-lying-size.zip", "a member that inflates to 20 MB where the directory says 100 bytes", lambda: raw_zip([RawEntry(b"a.json", deflate(b" " * 20_000_000), 0, 100)]), "refused", "larger than its size"),
    Case("zip-ratio-bomb.zip", "one member of 50 MB of zeros", _ratio_bomb, "refused", "absurd compression ratio"),
    Case("zip-many-small-bombs.zip", "120 members of 1 MiB of spaces each", _whole_zip_ratio_bomb, "refused", "compression ratio for the whole zip"),
    Case("zip-many-tiny.zip", "20,000 empty members", _many_tiny_members, "refused", "empty"),
    Case("zip-empty.zip", "a zip with no members", _zipfile([]), "refused", "the zip is empty"),
    Case("zip-only-folders.zip", "only a folder and hidden files", _only_folders, "refused", "only folders and hidden files"),
    Case("zip-dotdot.zip", "a member named ../", _zipfile([("../../evil.json", _json(study()))]), "refused", "unsafe path"),
    Case("zip-absolute.zip", "a member with an absolute path", _zipfile([("/etc/evil.json", _json(study()))]), "refused", "unsafe path"),
    Case("zip-encrypted.zip", "an encrypted member", _encrypted_zip, "refused", "encrypted"),
    Case("zip-truncated.zip", "a zip cut short", _truncated_zip, "refused", "damaged zip"),
    Case("zip-of-bomb-page.zip", "a zip holding the million-lists page", _zipfile([("page.txt", _page("{'protocolSection': [" + "[], " * 1_000_000 + "[]]}"))], zipfile.ZIP_STORED), "refused", "holds too many values"),
    Case("zip-mixed.zip", "a good study and a bad member", _zipfile([("a.json", _json(study())), ("b.json", b"{not json")]), "partial", "invalid JSON"),
    # ---- wrong field types (the importers' typed readers)
    _type_case("type-phases.json", "phases is a number", {f"{P}.designModule.phases": 2}, "phases"),
    _type_case("type-arms-list.json", "the arms module is a list", {f"{P}.armsInterventionsModule": [1, 2]}, "armsInterventionsModule"),
    _type_case("type-title-object.json", "the title is an object", {f"{P}.identificationModule.briefTitle": {"a": 1}}, "briefTitle"),
    _type_case("type-who-masked.json", "whoMasked is a number", {f"{P}.designModule.designInfo.maskingInfo.whoMasked": 3}, "whoMasked"),
    _type_case("type-aliases.json", "nctIdAliases is a number", {f"{P}.identificationModule.nctIdAliases": 7}, "nctIdAliases"),
    _type_case("type-std-ages.json", "stdAges is a number", {f"{P}.eligibilityModule.stdAges": 18}, "stdAges"),
    _type_case("enrollment-2-63.json", "an enrollment of 2**63", {f"{P}.designModule.enrollmentInfo.count": 2**63}, "enrollment"),
    Case("r-wrapped-page.json", "an API page re-serialised by R (every scalar a one-item array)", lambda: _json({"studies": [_wrapped(study())], "nextPageToken": ["x"]}), "imported", ""),
    # ---- bad identities
    _identity_case("id-path.json", "an id that is a path", "../../../../tmp/x"),
    _identity_case("id-shell.json", "an id of path and shell characters", "NCT/9\\9:0*?<>|"),
    _identity_case("id-sql.json", "an id that is SQL", "NCT1'); DROP TABLE trial;--\""),
    _identity_case("id-200-digits.json", "an id of 200 digits", "NCT" + "1" * 200),
    Case("id-number.json", "an id that is a number", lambda: _json(study(12345678)), "refused", "nctId is a number"),
    Case("id-object.json", "an id that is an object", lambda: _json(study({"a": 1})), "refused", "nctId is an object"),
    Case("id-true.json", "an id that is true", lambda: _json(study(True)), "refused", "nctId is true/false"),
    _identity_case("id-rtl.json", "an id holding a right-to-left override", "NCT0123\u202e4567"),
]


def expected(case: Case) -> dict:
    return {"file": case.name, "what": case.what, "expect": case.expect, "phrase": case.phrase}


def write_all(folder: Path, cases: list[Case] = CASES) -> list[dict]:
    """Write every case's file into ``folder`` (and expected.json); the table's rows, as dicts."""
    folder.mkdir(parents=True, exist_ok=True)
    for case in cases:
        path = folder / case.name
        if case.build.__code__.co_argcount:
            case.build(path)
        else:
            path.write_bytes(case.build())
    rows = [expected(case) for case in cases]
    (folder / "expected.json").write_text(json.dumps(rows, indent=1, ensure_ascii=False))
    return rows


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tests.hostile.make_hostile FOLDER", file=sys.stderr)
        return 2
    rows = write_all(Path(argv[0]))
    print(f"{len(rows)} files written to {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

