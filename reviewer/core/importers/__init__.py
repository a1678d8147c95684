"""Finding and reading trial documents: files, folders and zips, with the format detected by content.

``iter_documents`` walks what the user gave (never reading outside it: zip members are read into
memory, never extracted) and ``read_document`` turns one document's bytes into parsed records or an
InvalidSource reason. Each format has its own module; REGISTRY lists them.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ..parsed import ParsedRecord
from . import bounds
from .base import (
    MAX_DOCUMENT_BYTES,
    MAX_ZIP_RATIO,
    MAX_ZIP_TOTAL_BYTES,
    Importer,
    InvalidSource,
)
from .ctgov_csv import IMPORTER as CTGOV_CSV
from .ctgov_json import IMPORTER as CTGOV_JSON
from .ctgov_xml import IMPORTER as CTGOV_XML
from .ignite_page import IMPORTER as IGNITE_PAGE
from .json_stream import estimate_items, is_big_study_array
from .veeva_page import IMPORTER as VEEVA_PAGE

REGISTRY: tuple[Importer, ...] = (CTGOV_JSON, CTGOV_XML, CTGOV_CSV, VEEVA_PAGE, IGNITE_PAGE)
SNIFF_BYTES = 8192

__all__ = [
    "REGISTRY",
    "Document",
    "InvalidSource",
    "ZipMemberRef",
    "count_documents",
    "iter_documents",
    "survey",
    "read_document",
]


@dataclass
class Document:
    """One file, or one member of a zip, to be read."""

    name: str  # what the user sees: "trials/NCT001.json" or "ctg-studies.zip › NCT001.json"
    size: int  # bytes, as far as known before reading
    # Reads the bytes (raises InvalidSource when they cannot be had safely). Call it before asking
    # iter_documents for the next document: a zip member is read from the archive held open meanwhile.
    load: Callable[[], bytes]
    # a stored or deflated zip member: where its bytes are, for reading in another process
    ref: ZipMemberRef | None = None


@dataclass(frozen=True)
class ZipMemberRef:
    """Where a zip member's bytes are: enough to read it without opening the archive again (a worker
    process reads it; opening a zip's directory of 600,000 members takes seconds and hundreds of MB).
    The checks are those of reading it through the archive: sizes, CRC-32, the document size limit."""

    path: str
    header_offset: int
    compress_size: int
    file_size: int
    crc: int
    deflated: bool  # else stored
    raw_name: bytes = b""  # as the central directory spells it: the local header must agree

    def read(self) -> tuple[bytes, bytes | None]:
        """The member's bytes, and its raw deflate stream when it is deflated."""
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self.header_offset)
                header = handle.read(30)
                if len(header) != 30 or header[:4] != b"PK\x03\x04":
                    raise InvalidSource("damaged zip member: bad local file header")
                name_length, extra_length = struct.unpack("<HH", header[26:30])
                self._check_local_header(header, handle.read(name_length))
                handle.seek(extra_length, os.SEEK_CUR)
                raw = handle.read(self.compress_size)
        except OSError as error:
            raise InvalidSource(f"damaged zip member: {error}") from None
        if len(raw) != self.compress_size:
            raise InvalidSource("damaged zip member: truncated")
        if not self.deflated:
            data = raw
        else:
            inflater = zlib.decompressobj(-15)
            try:
                # never more than the size the directory gives (and the refusals checked): inflating
                # a lying member costs no more than an honest one of its declared size
                data = inflater.decompress(raw, self.file_size + 1)
            except zlib.error as error:
                raise InvalidSource(f"damaged zip member: {error}") from None
            if len(data) <= self.file_size and not inflater.eof:
                raise InvalidSource("damaged zip member: truncated")
        if len(data) > self.file_size:
            raise InvalidSource("the member is larger than its size in the zip directory says (a zip bomb?); not read")
        if len(data) != self.file_size or zlib.crc32(data) != self.crc:
            raise InvalidSource("damaged zip member: bad CRC-32 or size")
        return data, raw if self.deflated else None

    def _check_local_header(self, header: bytes, name: bytes) -> None:
        """Refuse a member whose local header disagrees with its central directory entry (name,
        compression, sizes, CRC-32): a sign of a crafted zip whose entries share their data."""
        method, crc, compress_size, file_size = struct.unpack("<H4xIII", header[8:26])
        flag_bits = struct.unpack("<H", header[6:8])[0]
        disagree = name != self.raw_name or method != (zipfile.ZIP_DEFLATED if self.deflated else zipfile.ZIP_STORED)
        if not flag_bits & 0x8:  # else the sizes and CRC-32 follow the data and are zero here
            sizes = (compress_size, file_size)
            zip64 = 0xFFFFFFFF in sizes  # the sizes are in the local zip64 extra field
            disagree = disagree or crc != self.crc or (not zip64 and sizes != (self.compress_size, self.file_size))
        if disagree:
            raise InvalidSource("the member's local header disagrees with the zip directory (a crafted zip?); not read")


def iter_documents(paths: list[Path]) -> Iterator[Document | tuple[str, InvalidSource]]:
    """Every document under ``paths``, in a stable order; a path that cannot be opened yields its error.

    Streams: a folder or a zip of any size is walked without holding its documents in memory.
    """
    for path in paths:
        path = Path(path)
        if path.is_dir():
            for file in _walk(path):
                yield from _documents_of_file(file, str(file))
        elif path.is_file():
            yield from _documents_of_file(path, str(path))
        elif path.exists():
            yield str(path), InvalidSource("not a regular file")
        else:
            yield str(path), InvalidSource("no such file or folder")


def count_documents(paths: list[Path]) -> int:
    """How many documents an import of ``paths`` handles, found without reading them: for a zip,
    the entries its end record gives (which also counts folders and hidden members; no central
    directory is read: 4 s for the registry's 600,000 members); for a big JSON array, which the
    bulk import splits, an estimate of its studies; otherwise one per file."""
    return survey(paths)[0]


def survey(paths: list[Path]) -> tuple[int, dict[str, int]]:
    """count_documents, and the big JSON arrays among the files (which only the bulk import can
    read: it splits them study by study), each with the estimate of its studies counted."""
    count, big_arrays = 0, {}
    for path in paths:
        path = Path(path)
        files = _walk(path) if path.is_dir() else [path]
        for file in files:
            try:
                status = file.stat()
            except OSError:
                count += 1  # named with its reason by the walk
                continue
            if not stat.S_ISREG(status.st_mode):
                count += 1
                continue
            entries = _zip_entries(file)
            if entries is not None:
                count += entries or 1
            elif is_big_study_array(file, status.st_size):
                big_arrays[str(file)] = estimate_items(file, status.st_size)
                count += big_arrays[str(file)]
            else:
                count += 1
    return count, big_arrays


def _zip_entries(path: Path) -> int | None:
    """The entry count in a zip's end record, or None when ``path`` is not a readable zip."""
    try:
        with path.open("rb") as handle:
            end = zipfile._EndRecData(handle)  # zipfile's own search for the end record (zip64 too)
    except OSError:
        return None
    return end[zipfile._ECD_ENTRIES_TOTAL] if end else None


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(root) / name


def _documents_of_file(path: Path, name: str) -> Iterator[Document | tuple[str, InvalidSource]]:
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):  # a pipe or a device would block the read
            yield name, InvalidSource("not a regular file")
            return
        size = status.st_size
        if zipfile.is_zipfile(path):
            yield from _zip_members(path, name)
            return
        if _starts_as_zip(path):
            yield name, InvalidSource("damaged zip: its directory at the end cannot be found (a truncated download?)")
            return
    except OSError as error:
        yield name, InvalidSource(f"cannot read: {error.strerror or error}")
        return
    yield Document(name, size, lambda: _read_file(path))


def _starts_as_zip(path: Path) -> bool:
    """A file that begins with a zip's first local header (but is_zipfile found no end record)."""
    with path.open("rb") as handle:
        return handle.read(4) == b"PK\x03\x04"


def _read_file(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_DOCUMENT_BYTES + 1)
    except OSError as error:
        raise InvalidSource(f"cannot read: {error.strerror or error}") from None
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InvalidSource(f"oversized document (over {MAX_DOCUMENT_BYTES // 2**20} MiB)")
    return data


@dataclass(frozen=True)
class _Entry:
    """What the walk needs of a zip's central directory entry."""

    filename: str
    flag_bits: int
    compress_type: int
    CRC: int  # spelt as zipfile.ZipInfo spells it: the member walk takes either
    compress_size: int
    file_size: int
    header_offset: int
    raw_name: bytes

    def is_dir(self) -> bool:
        return self.filename.endswith("/")


_CENTRAL = struct.Struct(zipfile.structCentralDir)
_ZIP64_EXTRA = 0x0001


def _central_directory(path: Path) -> Callable[[], Iterator[_Entry]]:
    """The zip's central directory, read entry by entry each time the returned function is called.

    zipfile.ZipFile holds an object per member (about 600 bytes each: 380 MB and seconds before the
    first document for the registry's 600,000); this streams them. Raises zipfile.BadZipFile/OSError
    when the directory cannot be found.
    """
    with path.open("rb") as handle:
        end = zipfile._EndRecData(handle)  # zipfile's own search for the end record (zip64 too)
    if not end:
        raise zipfile.BadZipFile("File is not a zip file")
    size, offset = end[zipfile._ECD_SIZE], end[zipfile._ECD_OFFSET]
    concat = end[zipfile._ECD_LOCATION] - size - offset  # bytes before the archive (a self-extractor)
    if end[zipfile._ECD_SIGNATURE] == zipfile.stringEndArchive64:
        concat -= zipfile.sizeEndCentDir64 + zipfile.sizeEndCentDir64Locator
    if concat < 0:
        raise zipfile.BadZipFile("Bad offset for central directory")

    def entries() -> Iterator[_Entry]:
        with path.open("rb", buffering=2**20) as handle:
            handle.seek(offset + concat)
            done = 0
            while done < size:
                header = handle.read(_CENTRAL.size)
                if len(header) != _CENTRAL.size:
                    raise zipfile.BadZipFile("Truncated central directory")
                fields = _CENTRAL.unpack(header)
                if fields[0] != zipfile.stringCentralDir:
                    raise zipfile.BadZipFile("Bad magic number for central directory")
                name_length, extra_length, comment_length = fields[12], fields[13], fields[14]
                raw_name = handle.read(name_length)
                extra = handle.read(extra_length)
                handle.seek(comment_length, os.SEEK_CUR)
                flag_bits, compress_type, crc = fields[5], fields[6], fields[9]
                compress_size, file_size, header_offset = fields[10], fields[11], fields[18]
                if 0xFFFFFFFF in (compress_size, file_size, header_offset):
                    file_size, compress_size, header_offset = _zip64_sizes(
                        extra, file_size, compress_size, header_offset
                    )
                # ASCII reads the same in both encodings, and its codec is C; cp437's is Python
                name = raw_name.decode("ascii" if raw_name.isascii() else "utf-8" if flag_bits & 0x800 else "cp437")
                yield _Entry(
                    name, flag_bits, compress_type, crc, compress_size, file_size, header_offset + concat, raw_name
                )
                done += _CENTRAL.size + name_length + extra_length + comment_length

    return entries


def _zip64_sizes(
    extra: bytes, file_size: int, compress_size: int, header_offset: int
) -> tuple[int, int, int]:
    """The sizes and offset a zip64 extra field holds for the fields set to 0xFFFFFFFF."""
    position = 0
    while position + 4 <= len(extra):
        kind, length = struct.unpack_from("<HH", extra, position)
        if kind == _ZIP64_EXTRA:
            values = iter(struct.unpack_from(f"<{length // 8}Q", extra, position + 4))
            try:
                if file_size == 0xFFFFFFFF:
                    file_size = next(values)
                if compress_size == 0xFFFFFFFF:
                    compress_size = next(values)
                if header_offset == 0xFFFFFFFF:
                    header_offset = next(values)
            except StopIteration:
                raise zipfile.BadZipFile("Corrupt zip64 extra field") from None
            break
        position += 4 + length
    return file_size, compress_size, header_offset


def _zip_members(path: Path, name: str) -> Iterator[Document | tuple[str, InvalidSource]]:
    try:
        directory = _central_directory(path)
        total, overlapping = _directory_summary(directory)
    except (zipfile.BadZipFile, OSError, struct.error, UnicodeDecodeError, ValueError):
        yield from _zip_members_of_archive(path, name)  # zipfile's reading, with its reasons
        return
    if overlapping:
        yield name, InvalidSource(_OVERLAP)
        return
    archive: list[zipfile.ZipFile] = []  # opened only for a member neither stored nor deflated

    def loader(entry: _Entry, ref: ZipMemberRef | None) -> Callable[[], bytes]:
        if ref is not None:
            return _reader(ref)
        if not archive:
            archive.append(zipfile.ZipFile(path))
        return _member_loader(archive[0], archive[0].getinfo(entry.filename))

    try:
        yield from _member_documents(path, name, directory(), total, loader)
    finally:
        for opened in archive:
            opened.close()


_OVERLAP = "entries of the zip share their data (a crafted zip, possibly a zip bomb); not read"
# A zip expanding to more than this many times its size, beyond ZIP_RATIO_FROM bytes, is refused
# whole: each member can be small enough to pass the member's own ratio check.
ZIP_RATIO_FROM = 100 * 2**20


def _directory_summary(entries: Callable[[], Iterable[_Entry | zipfile.ZipInfo]]) -> tuple[int, bool]:
    """The bytes a zip's members expand to, and whether two entries' data overlap (each entry takes
    at least its 30-byte local header and its compressed data from its offset on; honest zips
    have disjoint entries, a crafted one points several at the same bytes). One pass over the
    directory when its entries are in the order of their offsets, as zip writers leave them;
    otherwise a second pass sorts them."""
    total, last_start, last_end, ordered, overlapping = 0, -1, 0, True, False
    for entry in entries():
        if not entry.is_dir():
            total += entry.file_size
        start = entry.header_offset
        if not ordered or overlapping:
            continue
        if start < last_start:
            ordered = False
        elif start < last_end:
            overlapping = True
        else:
            last_start, last_end = start, start + 30 + entry.compress_size
    if not ordered:
        extents = sorted((e.header_offset, e.header_offset + 30 + e.compress_size) for e in entries())
        overlapping = any(after[0] < before[1] for before, after in zip(extents, extents[1:], strict=False))
    return total, overlapping


def _member_documents(
    path: Path,
    name: str,
    members: Iterable[_Entry | zipfile.ZipInfo],
    total: int,
    loader: Callable[[Any, ZipMemberRef | None], Callable[[], bytes]],  # (member, its reference)
) -> Iterator[Document | tuple[str, InvalidSource]]:
    """The documents of a zip's members (from its central directory, streamed or read by zipfile):
    the refused ones named with the reason, the stored and deflated ones with a reference a worker
    process can read them by. A zip with none (empty, or only folders and hidden files) is refused."""
    if total > MAX_ZIP_TOTAL_BYTES:
        yield name, InvalidSource(f"zip expands to {total / 2**30:.1f} GiB, over the limit")
        return
    size = path.stat().st_size
    if total > ZIP_RATIO_FROM and total > MAX_ZIP_RATIO * size:
        yield name, InvalidSource(
            f"absurd compression ratio for the whole zip ({total / max(size, 1):,.0f}:1), possible zip bomb"
        )
        return
    found = skipped = 0
    for member in members:
        if member.is_dir():
            skipped += 1
            continue
        problem = _refusal(member)
        if problem == "skip":
            skipped += 1
            continue
        found += 1
        member_name = f"{name} › {member.filename}"
        if problem is not None:
            yield member_name, InvalidSource(problem)
            continue
        ref = None
        if member.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            ref = ZipMemberRef(
                str(path),
                member.header_offset,
                member.compress_size,
                member.file_size,
                member.CRC,
                member.compress_type == zipfile.ZIP_DEFLATED,
                _raw_name(member),
            )
        yield Document(member_name, member.file_size, loader(member, ref), ref)
    if not found:
        yield name, InvalidSource(
            "the zip holds only folders and hidden files, no document" if skipped else "the zip is empty"
        )


def _raw_name(member: _Entry | zipfile.ZipInfo) -> bytes:
    """A member's name as its zip's headers spell it."""
    if isinstance(member, _Entry):
        return member.raw_name
    return member.orig_filename.encode("utf-8" if member.flag_bits & 0x800 else "cp437")


def _reader(ref: ZipMemberRef) -> Callable[[], bytes]:
    return lambda: ref.read()[0]


def _name_parts(filename: str) -> tuple[str, ...]:
    """A member name's path parts, as PurePosixPath gives them (a backslash read as a slash)."""
    if "/" not in filename and "\\" not in filename and filename not in ("", "."):
        return (filename,)  # the registry's flat members: the same answer, without building a path
    return PurePosixPath(filename.replace("\\", "/")).parts


def _refusal(member: zipfile.ZipInfo | _Entry) -> str | None:
    """Why a member is not read ("skip": silently, as macOS's folders and hidden files), or None."""
    parts = _name_parts(member.filename)
    if parts and (parts[0].startswith("__MACOSX") or parts[-1].startswith(".")):
        return "skip"
    if member.filename.startswith(("/", "\\")) or ".." in parts or re.match(r"^[A-Za-z]:", member.filename):
        return "unsafe path inside the zip (absolute or ../); not read"
    if member.flag_bits & 0x1:
        return "encrypted zip member"
    if member.file_size > MAX_DOCUMENT_BYTES:
        return f"oversized document (over {MAX_DOCUMENT_BYTES // 2**20} MiB)"
    ratio = member.file_size / max(member.compress_size, 1)
    if ratio > MAX_ZIP_RATIO and member.file_size > 1_000_000:
        return f"absurd compression ratio ({ratio:,.0f}:1), possible zip bomb"
    return None


def _zip_members_of_archive(path: Path, name: str) -> Iterator[Document | tuple[str, InvalidSource]]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        yield name, InvalidSource(f"damaged zip: {error}")
        return
    with archive:
        members = archive.infolist()
        total, overlapping = _directory_summary(lambda: members)
        if overlapping:
            yield name, InvalidSource(_OVERLAP)
            return
        yield from _member_documents(path, name, members, total, lambda member, _ref: _member_loader(archive, member))


def _member_loader(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> Callable[[], bytes]:
    def load() -> bytes:
        try:
            with archive.open(member) as handle:
                data = handle.read(member.file_size + 1)  # the directory's size may lie
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
            raise InvalidSource(f"damaged zip member: {error}") from None
        except NotImplementedError as error:
            raise InvalidSource(f"unsupported zip compression: {error}") from None
        if len(data) > member.file_size:
            raise InvalidSource("the member is larger than its size in the zip directory says (a zip bomb?); not read")
        return data

    return load


_XML_ENCODING = re.compile(rb"""^<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)["']""")


def decode(data: bytes) -> str:
    """Bytes -> text: UTF-8 (with or without BOM), UTF-16/32 with BOM, or an XML-declared encoding."""
    if not data.strip():
        raise InvalidSource("file is empty")
    if data.startswith(b"%PDF-"):
        raise InvalidSource("a PDF file, not a trial record this app reads (import the registry's record)")
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                raise InvalidSource(
                    f"undecodable bytes: starts with a {encoding.upper()} mark but is not"
                ) from None
            break
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            declared = _XML_ENCODING.match(data.lstrip())
            text = _declared(data, declared.group(1).decode()) if declared else None
            if text is None:
                raise InvalidSource(
                    f"undecodable bytes: not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start})"
                ) from None
    if "\x00" in text:
        raise InvalidSource("binary data, not a text document")
    if not text.strip("\ufeff \t\r\n"):
        raise InvalidSource("file is empty")
    return text


def _declared(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        return None


def detect(text: str) -> Importer:
    """The importer for ``text``, judged by its first 8 KiB after any leading XML comments and
    processing instructions (which may be of any length); InvalidSource saying what the text
    looks like when no importer reads it."""
    head = _past_prolog(text)[:SNIFF_BYTES]
    scored = sorted(
        ((imp.sniff(head), i, imp) for i, imp in enumerate(REGISTRY)), key=lambda s: (-s[0], s[1])
    )
    confidence, _, importer = scored[0]
    if confidence <= 0:
        raise InvalidSource(_looks_like(head))
    return importer


_PROLOG_ENDS = {"<!--": "-->", "<?": "?>"}


def _past_prolog(text: str) -> str:
    """``text`` from its first character that is not a BOM, whitespace, an XML comment or a
    processing instruction (text whose comment never ends is returned from that comment)."""
    position, length = 0, len(text)
    while True:
        while position < length and text[position] in "\ufeff \t\r\n":
            position += 1
        for start, end in _PROLOG_ENDS.items():
            if text.startswith(start, position):
                closed = text.find(end, position + len(start))
                if closed < 0:
                    return text[position:]
                position = closed + len(end)
                break
        else:
            return text[position:]


_XML_ROOT = re.compile(r"<(?:!DOCTYPE\s+)?([A-Za-z_][\w.:-]*)")


def _looks_like(head: str) -> str:
    """The unknown-format reason, saying what the text looks like."""
    first = next((line.strip() for line in head.splitlines() if line.strip()), "")[:60]
    lowered = head[:200].lower()
    if lowered.startswith(("<!doctype html", "<html")) or "<html" in lowered:
        return "unknown format: an HTML page, not a trial record this app reads (save the page as text)"
    if (root := _XML_ROOT.match(head)) is not None:
        return f"unknown format: XML whose root is <{root.group(1)}>, not a <clinical_study> record"
    return f"unknown format (starts with {first!r}); not a trial record this app reads"


def _check_bounds(importer: Importer, text: str) -> None:
    """Refuse a document with more structure than its parser may build (bounds.py); a "Viewing
    Study" page's dump is bounded by its importer."""
    if importer is CTGOV_JSON:
        bounds.check_json(text)
    elif importer is CTGOV_XML:
        bounds.check_xml(text)


def read_document(data: bytes) -> list[ParsedRecord]:
    """Every record in one document's bytes, or InvalidSource with the reason."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InvalidSource(f"oversized document (over {MAX_DOCUMENT_BYTES // 2**20} MiB)")
    try:
        # JSON in plain UTF-8 (no byte-order mark), as the registry's files are: parsed from its bytes
        records = None
        if data[:1] in (b"{", b"[") and detect(data[:SNIFF_BYTES].decode("utf-8", "ignore")) is CTGOV_JSON:
            bounds.check_json(data)
            records = CTGOV_JSON.parse_utf8(data)
        if records is None:
            text = decode(data)
            importer = detect(text)
            _check_bounds(importer, text)
            records = importer.parse(text)
    except InvalidSource:
        raise
    except RecursionError:
        raise InvalidSource("document nested too deeply") from None
    except MemoryError:
        raise InvalidSource("document too large to read") from None
    if not records:
        raise InvalidSource("no trial records found")
    return records
