"""The formats this app reads: ``read_document`` turns one document's bytes into parsed records or an
InvalidSource reason, by decoding them (``decode``) and detecting their format by content (``detect``).
Each format has its own module; REGISTRY lists them. Finding the documents in files, folders and
zips is the import's job (reviewer.core.ingest.finding).
"""

from __future__ import annotations

import codecs
import logging
import re

from ..parsed import ParsedRecord
from ..results import Results
from . import bounds, ctgov_json, ctgov_xml
from .base import MAX_DOCUMENT_BYTES, Importer, InvalidSource
from .ctgov_csv import IMPORTER as CTGOV_CSV
from .ctgov_json import IMPORTER as CTGOV_JSON
from .ctgov_xml import IMPORTER as CTGOV_XML
from .ignite_page import IMPORTER as IGNITE_PAGE
from .veeva_page import IMPORTER as VEEVA_PAGE

REGISTRY: tuple[Importer, ...] = (CTGOV_JSON, CTGOV_XML, CTGOV_CSV, VEEVA_PAGE, IGNITE_PAGE)
SNIFF_BYTES = 8192

__all__ = ["REGISTRY", "InvalidSource", "decode", "detect", "read_document", "results_of"]


log = logging.getLogger(__name__)

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


# the formats whose documents carry a results section, and the reader of each
_RESULTS_IN = {CTGOV_JSON.name: ctgov_json.results_in, CTGOV_XML.name: ctgov_xml.results_in}


def results_of(source_format: str, text: str) -> Results | None:
    """The results section of a stored version's source document; None when its format carries
    none, or when the document does not read (a version's source was read once already: this only
    fails if the store's copy is damaged, and a trial is still shown without them)."""
    read = _RESULTS_IN.get(source_format)
    if read is None:
        return None
    try:
        return read(text)
    except Exception as error:  # noqa: BLE001 - a damaged copy must not stop the trial being shown
        log.warning("the results of a stored %s document could not be read again: %s", source_format, error)
        return None
