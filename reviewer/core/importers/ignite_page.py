"""A "Viewing Study NCT..." page: a short header, then the API v2 study as a Python-literal dump.

The dump follows a "Raw JSON" line. It is read with ``ast.literal_eval`` (literals only: never
``eval``) and mapped by the API v2 importer's ``study_to_record``.
"""

from __future__ import annotations

import ast
import re

from ..identity import kind_of, shown
from ..parsed import ParsedRecord
from .base import InvalidSource, check_field_sizes
from .bounds import check_literal
from .ctgov_json import study_to_record

NAME = "ignite-page"
_HEADER = re.compile(r"^\s*Viewing Study\s+\S+", re.MULTILINE)
_RAW_MARKER = re.compile(r"^\s*Raw JSON\s*$", re.MULTILINE)
_HEADER_ID = re.compile(r"^\s*Study NCT ID:\s*(\S+)", re.MULTILINE)


class IgnitePageImporter:
    name = NAME
    label = '"Viewing Study" page with the record dump'

    def sniff(self, head: str) -> float:
        start = head[:400]
        if "Viewing Study" not in start or not _HEADER.search(start):  # a plain search first: cheaper
            return 0.0
        return 0.95 if "Raw JSON" in head or "Study NCT ID:" in head else 0.6

    def parse(self, text: str) -> list[ParsedRecord]:
        marker = _RAW_MARKER.search(text)
        if not marker:
            raise InvalidSource('page has no "Raw JSON" section with the study record')
        dump = text[marker.end() :].strip()
        if not dump:
            raise InvalidSource('the "Raw JSON" section is empty')
        study = _literal(dump)
        if not isinstance(study, dict):
            raise InvalidSource(f"the record dump is {kind_of(study)}, not a study")
        warnings: list[str] = []
        record = study_to_record(study, warnings)
        header_id = _HEADER_ID.search(text[: marker.start()])
        if header_id and header_id.group(1) != record.registry_id:
            raise InvalidSource(
                f"header names {shown(header_id.group(1))} but the record dump is {record.registry_id}"
            )
        check_field_sizes(record)
        return [ParsedRecord(record, text, NAME, warnings=warnings)]


def _literal(dump: str) -> object:
    """The record dump's value, read as a Python literal (never eval) within bounds.check_literal's
    bounds, which are checked first: ast.literal_eval needs about 1.5 KB per value."""
    check_literal(dump)
    try:
        return ast.literal_eval(dump)
    except SyntaxError as error:
        if "too many nested" in str(error):
            raise InvalidSource('the record dump after "Raw JSON" is nested too deeply') from None
        reason = "truncated" if "never closed" in str(error) or "unexpected EOF" in str(error) else "invalid"
        line = f" (line {error.lineno})" if error.lineno else ""
        raise InvalidSource(f'{reason} record dump after "Raw JSON"{line}: not a Python literal') from None
    except RecursionError:
        raise InvalidSource('the record dump after "Raw JSON" is nested too deeply') from None
    except MemoryError:
        raise InvalidSource('the record dump after "Raw JSON" is too large to read') from None
    except (ValueError, TypeError):
        # a name or a call where a literal should be (literal_eval runs no code), an unhashable key,
        # an integer of over 4,300 digits
        raise InvalidSource('invalid record dump after "Raw JSON": not a literal a study is made of') from None


IMPORTER = IgnitePageImporter()
