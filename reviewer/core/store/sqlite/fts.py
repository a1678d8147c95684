"""Full-text search with FTS5: what is indexed for a trial, writing it, and turning what a user
types into an FTS5 query.

One FTS5 row per trial (rowid = trial.id) holds the current version's text. SQLite's unicode61
tokenizer treats a run of Chinese, Japanese or Korean characters as one token, so such runs are
indexed as overlapping character pairs ("浙江大学" -> "浙江 江大 大学") and a query of two or more
of those characters becomes the phrase of its pairs: any substring of two or more characters is found.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from ...record import Criterion, TrialRecord

FTS_TABLE = "trial_fts"
FTS_COLUMNS = ("ids", "title", "summary", "conditions", "interventions", "criteria", "outcomes", "sponsor")
# bm25 weights in column order: a hit in a title or condition outranks one in the criteria
FTS_WEIGHTS = (10.0, 8.0, 2.0, 5.0, 4.0, 1.0, 1.5, 3.0)
FTS_CREATE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    + ", ".join(FTS_COLUMNS)
    + ", tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
)

# FTS5 writes its pending terms out as a new segment whenever they pass `hashsize` (1 MiB by default)
# and at every commit, and merges segments as they pile up. A bulk import holds up to 64 MiB of
# terms and commits every few thousand studies: fewer, bigger segments and less merging.
BULK_HASHSIZE = 64 * 2**20
DEFAULT_HASHSIZE = 2**20
# FTS5 merges segments of one level once `automerge` of them pile up (4 by default). A bulk import
# writes one segment per batch; merging at 8 rewrites each term's entries fewer times (the index
# took 17% less time at 100,000 studies), for a few more segments a search reads.
BULK_AUTOMERGE = 8
DEFAULT_AUTOMERGE = 4


def set_bulk_config(conn, bulk: bool) -> None:
    """Set the FTS index's pending-terms limit and merge width for a bulk import, or back to the
    defaults (stored in the index's config table; outside a transaction)."""
    for key, value in (
        ("hashsize", BULK_HASHSIZE if bulk else DEFAULT_HASHSIZE),
        ("automerge", BULK_AUTOMERGE if bulk else DEFAULT_AUTOMERGE),
    ):
        conn.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES (?, ?)", (key, value))


_DOCUMENT_INSERT = (
    f"INSERT INTO {FTS_TABLE}(rowid, {', '.join(FTS_COLUMNS)}) VALUES (?{', ?' * len(FTS_COLUMNS)})"
)
DOCUMENT_DELETE = f"DELETE FROM {FTS_TABLE} WHERE rowid = :id"  # sqlite3 and SQLAlchemy's text() alike


def write_document(cursor: sqlite3.Cursor, trial_id: int, document: tuple[str, ...], replace: bool) -> None:
    """Index a trial's text (FTS_COLUMNS' values, from document_for), in place of its old text if
    ``replace``."""
    if replace:
        cursor.execute(DOCUMENT_DELETE, {"id": trial_id})
    cursor.execute(_DOCUMENT_INSERT, (trial_id, *document))


# Han, Hiragana, Katakana, Hangul (syllables and jamo), CJK compatibility and extension A
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u1100-\u11ff\u3130-\u318f\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_CJK_CHAR = re.compile(f"[{_CJK}]")  # without the "+", a search scans some three times faster


def cjk_pairs(run: str) -> str:
    if len(run) == 1:
        return run
    return " ".join(run[i : i + 2] for i in range(len(run) - 1))


def index_text(text: str | None) -> str:
    """Text as it goes into the index: CJK runs split into overlapping pairs."""
    if not text:
        return ""
    if text.isascii() or not _CJK_CHAR.search(text):  # isascii() reads a flag: the usual case
        return text
    return _CJK_RUN.sub(lambda m: " " + cjk_pairs(m.group(0)) + " ", text)


# Status, phase and study type are also indexed, as tokens no one types ("zzsrecruiting"), at the end
# of the ids column: a filter then joins the text in the index itself (an intersection of two lists
# of trials) instead of reading a trial row for every match. Migration 0002 writes the same tokens.
FACET_PREFIXES = {"status": "zzs", "phase": "zzp", "type": "zzt"}
FACET_COLUMN = "ids"


_NOT_FACET = re.compile(r"[^0-9a-z]")


@functools.lru_cache(maxsize=1024)  # a few dozen codes make nearly every token
def facet_token(kind: str, value: str) -> str:
    return FACET_PREFIXES[kind] + _NOT_FACET.sub("", value.lower())


def facet_text(status: str | None, phases: list[str], study_type: str | None) -> str:
    tokens = [facet_token("status", status)] if status else []
    tokens += [facet_token("phase", phase) for phase in phases]
    tokens += [facet_token("type", study_type)] if study_type else []
    return " ".join(tokens)


def facet_match(statuses: list[str] | None, phases: list[str] | None, study_types: list[str] | None) -> str:
    """The FTS5 condition of a status / phase / study-type filter ("" for none): any of each kind."""
    parts = []
    for kind, values in (("status", statuses), ("phase", phases), ("type", study_types)):
        if values:
            parts.append(f"{FACET_COLUMN} : (" + " OR ".join(facet_token(kind, v) for v in values) + ")")
    return " AND ".join(parts)


# ---------------------------------------------------------------- the search's statements

# the columns a broad query is ranked on first (RANK_CAP in query.search_trials)
_FOCUS = "{ids title conditions}"


def focused(match: str) -> str:
    """The expression ``match`` limited to the ids, titles and conditions."""
    return f"{_FOCUS} : ({match})"


def count_matches(conn: Connection, match: str, cap: int) -> int:
    """Matches up to ``cap``, counted by the index alone (text and indexed filters), without reading
    a trial row (counting through the join had cost a row read per match)."""
    return conn.execute(
        text(f"SELECT count(*) FROM (SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match LIMIT :cap)"),
        {"match": match, "cap": cap},
    ).scalar_one()


def matching_trials(
    conn: Connection,
    match: str,
    columns: Sequence[str],
    filter_sql: str,
    params: dict[str, Any],
    size: int,
    *,
    ranked: bool,
) -> list[dict[str, Any]]:
    """``columns`` of the trials matching ``match`` and ``filter_sql`` (conditions on ``trial``,
    applied to the rows the text found, joined by primary key): the ``size`` best by bm25 if
    ``ranked``, else the ``size`` newest. The text always drives the query (CROSS JOIN keeps the
    index first), so a filter never turns it into a scan of every trial."""
    order = f"bm25({FTS_TABLE}, {', '.join(str(w) for w in FTS_WEIGHTS)})" if ranked else f"{FTS_TABLE}.rowid DESC"
    condition = f" AND {filter_sql}" if filter_sql else ""
    sql = (
        f"SELECT {', '.join(f'trial.{c}' for c in columns)} "
        f"FROM {FTS_TABLE} CROSS JOIN trial ON trial.id = {FTS_TABLE}.rowid "
        f"WHERE {FTS_TABLE} MATCH :match{condition} ORDER BY {order} LIMIT :limit"
    )
    rows = conn.execute(text(sql), {**params, "match": match, "limit": size}).mappings()
    return [dict(row) for row in rows]


def document_for(record: TrialRecord) -> dict[str, str]:
    """The indexed text of a record, one string per FTS column."""
    criteria: list[str] = []
    if record.eligibility:
        for part in (record.eligibility.inclusion, record.eligibility.exclusion, record.eligibility.other):
            _texts_of(part, criteria)
        if not criteria and record.eligibility.criteria_text:
            criteria.append(record.eligibility.criteria_text)
    interventions = []
    for intervention in record.interventions or []:
        interventions.append(intervention.name)
        interventions.extend(intervention.other_names)
    for arm in record.arms or []:
        interventions.append(arm.label)
    sponsors = [record.lead_sponsor.name] if record.lead_sponsor else []
    sponsors += [s.name for s in record.collaborators or []]
    parts = {
        "ids": [i.value for i in record.identifiers] or [record.registry_id],
        "title": [record.brief_title, record.official_title, record.acronym],
        "summary": [record.brief_summary, record.detailed_description],
        "conditions": (record.conditions or []) + (record.keywords or []),
        "interventions": interventions,
        "criteria": criteria,
        "outcomes": [o.measure for o in record.outcomes or []],
        "sponsor": sponsors,
    }
    document = {column: index_text("\n".join([p for p in values if p])) for column, values in parts.items()}
    facets = facet_text(record.overall_status, record.design.phases, record.design.study_type)
    if facets:
        document[FACET_COLUMN] += "\n" + facets
    return document


def _texts_of(items: list[Criterion], texts: list[str]) -> None:
    """Append the texts of ``items`` and their descendants, depth first (Criterion.walk without
    its generators)."""
    for item in items:
        texts.append(item.text)
        if item.children:
            _texts_of(item.children, texts)


@dataclass
class Query:
    """A user's search text turned into an FTS5 MATCH expression (None when nothing to search)."""

    match: str | None
    registry_id: str | None = None  # the text is exactly one registry id
    capped: bool = False  # the text passed a bound below: what was beyond it is not searched


_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)
_NCT = re.compile(r"^NCT\d{8}$", re.IGNORECASE)

# Bounds on what one query asks of the index. FTS5's time grows with the square of the terms ANDed
# together (1,000 copies of one word took 16 s), so a term given twice is asked once, and a query is
# cut at MAX_QUERY_TERMS terms. A phrase keeps its first MAX_PHRASE_WORDS words (a query of a pasted
# paragraph), and a word of more than MAX_WORD_CHARS characters, which no text holds as a word,
# becomes the prefix of its first MAX_WORD_CHARS: each finds what the whole would, and more.
MAX_QUERY_CHARS = 4000
MAX_QUERY_TERMS = 64
MAX_PHRASE_WORDS = 32
MAX_WORD_CHARS = 100


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _words(text: str) -> list[str]:
    return [t for t in index_text(text).split() for t in _WORD.findall(t)]


def _expression(tokens: list[str], prefix: bool) -> tuple[str, bool]:
    """The FTS5 expression of one term's tokens (a word, a prefix or a phrase), and whether a bound
    shortened it."""
    capped = len(tokens) > MAX_PHRASE_WORDS
    tokens = tokens[:MAX_PHRASE_WORDS]
    if len(tokens) == 1 and len(tokens[0]) > MAX_WORD_CHARS:
        return _quote(tokens[0][:MAX_WORD_CHARS]) + "*", True
    tokens = [t[:MAX_WORD_CHARS] for t in tokens]
    if prefix and len(tokens) == 1:
        return _quote(tokens[0]) + "*", capped
    return _quote(" ".join(tokens)), capped  # one word, or a phrase: "non-small" -> "non small"


def build_query(text: str) -> Query:
    """'lung cancer', '"brain metastases"', 'pembro*', 'NCT01234567', '浙江' -> an FTS5 expression.

    Every term must match (AND). A term ending in * is a prefix; a leading - excludes a term.
    User text never reaches FTS5 unquoted, so no input is a syntax error. The bounds above hold
    whatever the text: building takes well under a millisecond, and FTS5 is asked at most
    MAX_QUERY_TERMS distinct terms.
    """
    text = text.strip()
    capped = len(text) > MAX_QUERY_CHARS
    if capped:  # cut between two words, not inside one (a word cut short would be a term of its own)
        cut = text.rfind(" ", 0, MAX_QUERY_CHARS + 1)
        text = text[: cut if cut > 0 else MAX_QUERY_CHARS]
    if not text:
        return Query(None)
    registry_id = text.upper() if _NCT.match(text) else None
    positive: dict[str, None] = {}  # insertion-ordered sets: a term repeated is asked once
    negative: dict[str, None] = {}
    for match in _TOKEN.finditer(text):
        if len(positive) + len(negative) >= MAX_QUERY_TERMS:
            capped = True
            break
        phrase, word = match.group(1), match.group(2)
        if phrase is not None:
            exclude, prefix, tokens = False, False, _words(phrase)
        else:
            exclude = word.startswith("-") and len(word) > 1
            word = word[1:] if exclude else word
            prefix = word.endswith("*")
            tokens = _words(word.rstrip("*"))
        if not tokens:
            continue
        expression, shortened = _expression(tokens, prefix)
        capped = capped or shortened
        (negative if exclude else positive)[expression] = None
    if not positive:
        return Query(None, registry_id, capped)
    match_expression = " AND ".join(positive)
    for expression in negative:
        match_expression += " NOT " + expression
    return Query(match_expression, registry_id, capped)
