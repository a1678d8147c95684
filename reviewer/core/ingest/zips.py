"""A zip's members as documents, read in memory (never extracted), with the checks against crafted zips.

One walk over the central directory, streamed entry by entry (zipfile.ZipFile holds an object per
member: 380 MB and seconds before the first document for the registry's 600,000); when that cannot
read the directory, zipfile's reading of it (with zipfile's reasons) feeds the same walk. A stored or
deflated member is read by its ZipMemberRef (in this process, or in a bulk import's worker); zipfile
reads only the members of other compressions.
"""

from __future__ import annotations

import os
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..importers.base import MAX_DOCUMENT_BYTES, MAX_ZIP_RATIO, MAX_ZIP_TOTAL_BYTES, InvalidSource
from .document import Document, Found


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



def entry_count(path: Path) -> int | None:
    """The entry count in a zip's end record, or None when ``path`` is not a readable zip."""
    try:
        with path.open("rb") as handle:
            end = zipfile._EndRecData(handle)  # zipfile's own search for the end record (zip64 too)
    except OSError:
        return None
    return end[zipfile._ECD_ENTRIES_TOTAL] if end else None


# what keeps the streamed reading from reading a directory (zipfile then reads it, with its reasons)
_UNREADABLE_DIRECTORY = (zipfile.BadZipFile, OSError, struct.error, UnicodeDecodeError, ValueError)
_OVERLAP = "entries of the zip share their data (a crafted zip, possibly a zip bomb); not read"
# A zip expanding to more than this many times its size, beyond ZIP_RATIO_FROM bytes, is refused
# whole: each member can be small enough to pass the member's own ratio check.
ZIP_RATIO_FROM = 100 * 2**20

Member = _Entry | zipfile.ZipInfo


class Directory:
    """A zip's central directory: its entries (read again at each call of ``entries``), the bytes
    they expand to, whether two of them share their data, and the zipfile archive that reads the
    members neither stored nor deflated (opened when one is read, or already open when zipfile read
    the directory)."""

    def __init__(self, path: Path, entries: Callable[[], Iterable[Member]], archive: zipfile.ZipFile | None = None):
        self.path, self.entries, self.archive = path, entries, archive
        self.total, self.overlapping = _directory_summary(entries)

    @classmethod
    def streamed(cls, path: Path) -> Directory:
        """Raises one of _UNREADABLE_DIRECTORY when the directory cannot be streamed."""
        return cls(path, _central_directory(path))

    @classmethod
    def of_zipfile(cls, path: Path) -> Directory:
        """zipfile's reading of the directory; InvalidSource with zipfile's reason when it fails."""
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as error:
            raise InvalidSource(f"damaged zip: {error}") from None
        members = archive.infolist()
        return cls(path, lambda: members, archive)

    def loader(self, member: Member, ref: ZipMemberRef | None) -> Callable[[], bytes]:
        if ref is not None:
            return lambda: ref.read()[0]
        return lambda: self._read_by_zipfile(member)

    def _read_by_zipfile(self, member: Member) -> bytes:
        try:
            if self.archive is None:
                self.archive = zipfile.ZipFile(self.path)
            info = member if isinstance(member, zipfile.ZipInfo) else self.archive.getinfo(member.filename)
            with self.archive.open(info) as handle:
                data = handle.read(info.file_size + 1)  # the directory's size may lie
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, KeyError) as error:
            raise InvalidSource(f"damaged zip member: {error}") from None
        except NotImplementedError as error:
            raise InvalidSource(f"unsupported zip compression: {error}") from None
        if len(data) > info.file_size:
            raise InvalidSource("the member is larger than its size in the zip directory says (a zip bomb?); not read")
        return data

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()


def zip_documents(path: Path, name: str) -> Iterator[Found]:
    """The documents of the zip at ``path`` (``name``: the zip as the user sees it)."""
    try:
        directory = Directory.streamed(path)
    except _UNREADABLE_DIRECTORY:
        try:
            directory = Directory.of_zipfile(path)
        except InvalidSource as refused:
            yield name, refused
            return
    yield from documents_of(directory, name)


def documents_of(directory: Directory, name: str) -> Iterator[Found]:
    """The documents of a zip's members: the refused ones named with the reason, the stored and
    deflated ones with a reference a worker process can read them by. A zip with none (empty, or
    only folders and hidden files) is refused; so is one whose entries overlap, or that expands too
    far. Closes ``directory`` when done."""
    path, total = directory.path, directory.total
    try:
        if directory.overlapping:
            yield name, InvalidSource(_OVERLAP)
            return
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
        for member in directory.entries():
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
            yield Document(member_name, member.file_size, directory.loader(member, ref), ref)
        if not found:
            yield name, InvalidSource(
                "the zip holds only folders and hidden files, no document" if skipped else "the zip is empty"
            )
    finally:
        directory.close()


def _directory_summary(entries: Callable[[], Iterable[Member]]) -> tuple[int, bool]:
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


def _raw_name(member: Member) -> bytes:
    """A member's name as its zip's headers spell it."""
    if isinstance(member, _Entry):
        return member.raw_name
    return member.orig_filename.encode("utf-8" if member.flag_bits & 0x800 else "cp437")


def name_parts(filename: str) -> tuple[str, ...]:
    """A member name's path parts, as PurePosixPath gives them (a backslash read as a slash)."""
    if "/" not in filename and "\\" not in filename and filename not in ("", "."):
        return (filename,)  # the registry's flat members: the same answer, without building a path
    return PurePosixPath(filename.replace("\\", "/")).parts


def _refusal(member: Member) -> str | None:
    """Why a member is not read ("skip": silently, as macOS's folders and hidden files), or None."""
    parts = name_parts(member.filename)
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
