"""The library's query: one filter (TrialFilter) compiled to SQL once, for the list, its count, its
note-count order and the full-text search."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import TextClause, func, literal_column, select, text
from sqlmodel import Session

from ..facet_filters import FacetCondition
from .columns import LIST_COLUMNS
from .requirements import score_bit
from .sqlite import fts
from .tables import Note, Trial


@dataclass
class TrialFilter:
    """Filters of the library list; each is a list of accepted codes (empty: any)."""

    statuses: list[str] | None = None
    phases: list[str] | None = None  # a trial matches if any of its phases is listed
    study_types: list[str] | None = None
    condition: str | None = None  # substring, case-insensitive
    sponsor: str | None = None
    results: list[str] | None = None  # WITH_RESULTS, NO_RESULTS (vocab "results")
    facets: tuple[FacetCondition, ...] = ()  # each must hold (facet_filters: what each means)

    def sql(self) -> tuple[str, dict[str, Any]]:
        """The filter as SQL conditions on the ``trial`` table, joined by AND ("" for none), and
        their parameters (named ``filter_...``: no clash with a statement's own)."""
        parts, params = [], {}
        for name, column, values in (
            ("status", "overall_status", self.statuses),
            ("type", "study_type", self.study_types),
        ):
            if values:
                keys = [f"filter_{name}_{i}" for i in range(len(values))]
                parts.append(f"trial.{column} IN ({', '.join(':' + k for k in keys)})")
                params.update(zip(keys, values, strict=True))
        if self.phases:  # the trial row holds "PHASE1|PHASE2"
            keys = [f"filter_phase_{i}" for i in range(len(self.phases))]
            parts.append(
                "(" + " OR ".join(f"instr('|' || coalesce(trial.phases, '') || '|', :{k}) > 0" for k in keys) + ")"
            )
            params.update({k: f"|{p}|" for k, p in zip(keys, self.phases, strict=True)})
        if self.results and set(self.results) != {"WITH_RESULTS", "NO_RESULTS"}:
            parts.append("trial.has_results = 1" if "WITH_RESULTS" in self.results else "coalesce(trial.has_results, 0) = 0")
        if self.condition:  # LIKE ignores the case of ASCII letters
            parts.append("trial.conditions LIKE :filter_condition")
            params["filter_condition"] = f"%{self.condition}%"
        if self.sponsor:
            parts.append("trial.lead_sponsor LIKE :filter_sponsor")
            params["filter_sponsor"] = f"%{self.sponsor}%"
        for number, condition in enumerate(self.facets or ()):
            sql, values = _facet_sql(condition, f"filter_facet_{number}")
            parts.append(sql)
            params.update(values)
        return " AND ".join(parts), params

    def clauses(self) -> list[TextClause]:
        """The filter as a SQLAlchemy condition (none for an empty filter)."""
        sql, params = self.sql()
        return [text(sql).bindparams(**params)] if sql else []


# A trial is ruled out by a requirement of its own that excludes the value (for everyone: a cohort's
# requirement does not rule the trial out); each condition is one uncorrelated subquery along the
# covering index ix_trial_requirement_filter (key first), which SQLite evaluates once per query.
_RULED_OUT = "trial.id NOT IN (SELECT trial_id FROM trial_requirement WHERE key IN ({keys}) AND scope IS NULL AND {test})"
_OUT_OF_RANGE = (
    "(low > :{p}_value OR (low = :{p}_value AND low_strict) OR high < :{p}_value OR (high = :{p}_value AND high_strict))"
)


def _facet_sql(condition: FacetCondition, p: str) -> tuple[str, dict[str, Any]]:
    """One facet condition as SQL on ``trial`` and its parameters (named from ``p``)."""
    names = [f"{p}_key_{i}" for i in range(len(condition.keys))]
    params: dict[str, Any] = dict(zip(names, condition.keys, strict=True))
    keys = ", ".join(f":{name}" for name in names)
    kind = condition.kind
    if kind == "biomarker":
        sql = f"trial.id IN (SELECT trial_id FROM trial_requirement WHERE key IN ({keys}) AND stance = 'required')"
        return sql, params
    if kind == "performance":
        scale = condition.key.split(":", 1)[1]
        params[f"{p}_bit"] = score_bit(scale, int(condition.value))
        test = f"(scores & :{p}_bit) = 0"
    elif kind in ("lab", "age"):
        units = [f"{p}_unit_{i}" for i in range(len(condition.units))]
        params.update(zip(units, condition.units, strict=True))
        params[f"{p}_value"] = condition.value
        test = f"unit IN ({', '.join(':' + u for u in units)}) AND " + _OUT_OF_RANGE.format(p=p)
    elif kind == "sex":
        params[f"{p}_other"] = "MALE" if condition.value == "FEMALE" else "FEMALE"
        test = f"stance = :{p}_other"
    elif kind == "brain_metastases":
        test = "stance = 'excluded'"
    else:
        raise ValueError(f"no filter for facets of kind {kind!r}")
    return _RULED_OUT.format(keys=keys, test=test), params


def _columns(table) -> list:
    return [table.c[c] for c in LIST_COLUMNS]


def list_trials(
    session: Session,
    where: TrialFilter | None = None,
    order_by: str = "registry_id",
    descending: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    if order_by == "note_count":
        return _list_by_note_count(session, where, descending, limit, offset)
    table = Trial.__table__
    notes = select(func.count()).where(Note.__table__.c.trial_id == table.c.id).scalar_subquery()
    query = select(*_columns(table), notes.label("note_count")).where(*(where or TrialFilter()).clauses())
    column = table.c.get(order_by, table.c.registry_id)
    # ties in the same direction as the column: the column's index (which ends with the row id)
    # then serves both directions
    tie = table.c.id.desc() if descending else table.c.id
    query = query.order_by(column.desc() if descending else column, tie).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [dict(row) for row in session.connection().execute(query).mappings()]


def _list_by_note_count(
    session: Session, where: TrialFilter | None, descending: bool, limit: int | None, offset: int
) -> list[dict[str, Any]]:
    """list_trials by note count (ties by id, the same way). Sorting every trial by a count made
    the whole table a sort (1 s at 600,000 for the first rows); instead, the few annotated trials
    are sorted by their counts, and the others (count 0) follow, or come first when ascending, in
    id order: a walk along the primary key."""
    table, note = Trial.__table__, Note.__table__
    clauses = (where or TrialFilter()).clauses()
    counts = select(note.c.trial_id, func.count().label("note_count")).group_by(note.c.trial_id).subquery()
    order = (counts.c.note_count.desc(), table.c.id.desc()) if descending else (counts.c.note_count, table.c.id)
    annotated_query = (
        select(*_columns(table), counts.c.note_count)
        .join(counts, counts.c.trial_id == table.c.id)
        .where(*clauses)
        .order_by(*order)
    )
    annotated = [dict(row) for row in session.connection().execute(annotated_query).mappings()]

    def plain(skip: int, size: int | None) -> list[dict[str, Any]]:
        if size is not None and size <= 0:
            return []
        query = (
            select(*_columns(table), literal_column("0").label("note_count"))
            .where(*clauses, ~select(note.c.id).where(note.c.trial_id == table.c.id).exists())
            .order_by(table.c.id.desc() if descending else table.c.id)
            .offset(skip)
        )
        if size is not None:
            query = query.limit(size)
        return [dict(row) for row in session.connection().execute(query).mappings()]

    end = None if limit is None else offset + limit
    if descending:  # annotated first
        rows = annotated[offset:end]
        rest = None if limit is None else limit - len(rows)
        return rows + plain(max(0, offset - len(annotated)), rest)
    without_notes = count_trials(session, where) - len(annotated)
    rows = plain(offset, None if limit is None else min(limit, max(0, without_notes - offset)))
    first = max(0, offset - without_notes)
    return rows + annotated[first : None if limit is None else first + (limit - len(rows))]


def count_trials(session: Session, where: TrialFilter | None = None) -> int:
    query = select(func.count()).select_from(Trial.__table__).where(*(where or TrialFilter()).clauses())
    return session.connection().execute(query).scalar_one()


RANK_CAP = 2000  # matches scored with bm25 at most; beyond that a query is "broad"


def search_trials(
    session: Session, query_text: str, where: TrialFilter | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """Trials matching the text (and the filter), best first, with the library columns.

    Scoring every match of a broad term ("study" matches nearly every trial) is what makes full-text
    search slow at registry scale, so ranking is two-step: if at most RANK_CAP trials match, all are
    ranked with bm25; otherwise only the matches in ids, titles and conditions are ranked (if they
    are at most RANK_CAP), followed by the other matches; if even those are too many, the newest
    matches come first, unranked. Status, phase and study type are tokens of the index, so the
    index applies them with the text and counts only what passes; the other filters (condition,
    sponsor) are applied to the rows the text found, joined by primary key.
    """
    query = fts.build_query(query_text)
    if query.match is None:
        return []
    where = where or TrialFilter()
    # status, phase and type are indexed too: the index applies them together with the text
    facets = fts.facet_match(where.statuses, where.phases, where.study_types)

    def filtered(match: str) -> str:
        return f"({match}) AND {facets}" if facets else match

    conn = session.connection()
    filter_sql, params = where.sql()

    def matches(match: str, size: int, ranked: bool) -> list[dict[str, Any]]:
        return fts.matching_trials(conn, match, LIST_COLUMNS, filter_sql, params, size, ranked=ranked)

    everything = filtered(query.match)
    if fts.count_matches(conn, everything, RANK_CAP + 1) <= RANK_CAP:
        rows = matches(everything, limit, ranked=True)
    else:
        focused = filtered(fts.focused(query.match))
        rows = matches(focused, limit, ranked=True) if fts.count_matches(conn, focused, RANK_CAP + 1) <= RANK_CAP else []
        if len(rows) < limit:
            seen = {r["id"] for r in rows}
            newest = matches(everything, limit - len(rows) + len(seen), ranked=False)
            rows += [r for r in newest if r["id"] not in seen][: limit - len(rows)]
    if query.registry_id:
        rows.sort(key=lambda r: r["registry_id"] != query.registry_id)
    return rows
