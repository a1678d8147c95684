"""The user's library: the one object the window and the commands talk to.

``Library.open`` opens the store in the data folder (the sample trials on a first start, an older
store upgraded with progress, a store that cannot be written opened read-only). Its methods import,
query the library list, read a trial, write notes, compare, report, back up and check. It owns the
store's sessions: no caller sees one. The write methods return a ``Change`` saying what they
touched, so that a window re-reads only that.

What a caller must know of the store's own failures (``StoreError``, ``classify``) and of the
library's filter (``TrialFilter``) it takes from this module.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import paths
from . import corrections as corrections_core
from . import notes as notes_core
from .ingest import import_paths, plan_import
from .items import ItemRef, Kind, TextSpan
from .shown import shown_record
from .store import errors, listing, reading, requirement_values, requirements
from .store.db import STORE_FILE_NAME, Store, backup, current_revision, head_revision, open_store, upgrade
from .store.errors import StoreError, classify
from .store.listing import TrialFilter
from .store.sqlite.bulk import SORT_INDEX_COLUMNS, bulk_import_running
from .store.sqlite.connection import connect_read_only, dbapi, is_writable

if TYPE_CHECKING:
    from .compare import Comparison
    from .corrections import Correction
    from .eligibility import ItemFacets
    from .grid import Grid
    from .ingest import ImportPlan, ImportReport, ProgressCallback
    from .match.patient import Patient
    from .match.ranking import MatchResult
    from .profile import Requirement
    from .record import TrialRecord
    from .report_batch import BriefResult
    from .reports import ReportOptions
    from .store.db import MigrationProgress

__all__ = [
    "STORE_FILE_NAME",
    "Change",
    "Library",
    "StoreCheck",
    "StoreError",
    "TrialFilter",
    "TrialPage",
    "TrialVersion",
    "backup_store",
    "check_store",
    "classify",
    "corrupt_store_message",
    "note_dict",
    "store_path",
    "upgrade_store",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Change:
    """What a write changed: the notes of some trials, some trials' records, the library's list."""

    notes_of: frozenset[int] = frozenset()  # trials whose notes were written, removed or re-anchored
    notes: frozenset[int] = frozenset()  # the notes written or removed
    records_of: frozenset[int] = frozenset()  # trials that got a new current version
    all_records: bool = False  # a bulk import keeps no per-trial results: any open trial may have changed
    library_list: bool = False  # trials were added or their rows in the list changed
    corrections_of: frozenset[int] = frozenset()  # trials whose facet corrections were written or removed
    corrections: frozenset[int] = frozenset()  # the corrections written or removed

    @property
    def trials(self) -> frozenset[int]:
        """Every trial the change touched."""
        return self.notes_of | self.records_of | self.corrections_of


@dataclass(frozen=True)
class TrialVersion:
    """One import of a trial, as the trial page, `show` and `diff` list it."""

    id: int
    number: int
    imported_at: Any  # datetime
    version_date: str | None
    source_format: str
    source_name: str
    source_size: int

    def as_dict(self) -> dict:
        """What the trial page holds (its import time as text)."""
        return {
            "id": self.id,
            "number": self.number,
            "imported_at": f"{self.imported_at:%Y-%m-%d %H:%M}",
            "version_date": self.version_date,
            "source_format": self.source_format,
            "source_name": self.source_name,
            "source_size": self.source_size,
        }


@dataclass(frozen=True)
class TrialPage:
    """A trial as it is read for display: one version's record, every version, its notes."""

    trial_id: int
    registry_id: str
    current_version_id: int
    shown_version_id: int
    record: TrialRecord
    versions: list[TrialVersion]  # newest first
    notes: list[dict]
    corrections: list[Correction] = field(default_factory=list)  # its facet corrections, orphans too


@dataclass(frozen=True)
class StoreCheck:
    """`db check`: the store's schema and integrity, and what it holds."""

    path: Path
    size: int  # bytes
    revision: str | None
    head: str
    writable: bool
    problems: list[str]  # ["ok"] when sound
    trials: int = 0
    versions: int = 0
    notes: int = 0

    @property
    def sound(self) -> bool:
        return self.problems == ["ok"]


def note_dict(note) -> dict:
    """A stored note as a plain dict (what views, models and undo commands hold)."""
    return {
        "id": note.id,
        "trial_id": note.trial_id,
        "item_kind": note.item_kind,
        "item_key": note.item_key,
        "quote": note.quote,
        "span_start": note.span_start,
        "span_end": note.span_end,
        "body": note.body,
        "tag": note.tag,
        "author": note.author,
        "created_at": note.created_at,
        "updated_at": note.updated_at,
        "orphaned": note.orphaned,
    }


def _version(v) -> TrialVersion:
    return TrialVersion(
        v.id, v.number, v.imported_at, v.version_date, v.source_format, v.source_name, v.source_size
    )


def _trial_or_fail(session, registry_id: str):
    trial = reading.trial_by_registry_id(session, registry_id)
    if trial is None or trial.current_version_id is None:
        raise LookupError(f"no trial {registry_id} in the store")
    return trial


def _criterion_ref(item_key: str) -> ItemRef:
    """The criterion an item key names ("criterion:inclusion/3" or "inclusion/3"); ValueError else."""
    ref = ItemRef.parse(item_key) if ":" in item_key else ItemRef.parse(f"criterion:{item_key}")
    if ref.kind is not Kind.CRITERION:
        raise ValueError(f"only a criterion's facets can be corrected; {item_key!r} is {ref.label.lower()}")
    return ref


def _criterion_or_fail(record: TrialRecord, item_key: str) -> ItemFacets:
    """The criterion of a record an item key names, with its facets; LookupError when it has none,
    ValueError for a heading (its facets are its children's)."""
    from .eligibility import criterion_facets

    ref = _criterion_ref(item_key)
    item = next((i for i in criterion_facets(record) if i.ref == ref), None)
    if item is None:
        raise LookupError(f"{record.registry_id} has no {ref.label.lower()}")
    if item.heading:
        raise ValueError(f"{ref.label} is a heading: correct the facets of the criteria under it")
    return item


class Library:
    """The store of the data folder behind the operations of the app and the commands.

    ``store`` is the Store underneath, for the core's own modules and for tests; callers above the
    core use the methods."""

    def __init__(self, store: Store):
        self.store = store
        self._requirements = requirements.LibraryRequirements(store.path, store.uri)

    # ------------------------------------------------------------ opening

    @classmethod
    def open(
        cls, data_dir: Path, with_samples: bool = True, progress: MigrationProgress | None = None
    ) -> Library:
        """Open the store in ``data_dir``; a store created now gets the sample trials. ``progress``
        hears of a long upgrade of an older store."""
        is_new = not (data_dir / STORE_FILE_NAME).exists()
        library = cls(open_store(data_dir, progress))
        if is_new and with_samples and paths.samples_dir().is_dir():
            samples = sorted(p for p in paths.samples_dir().iterdir() if p.suffix == ".txt")
            report = library.import_paths(samples)
            log.info("first start: sample trials: %s", report.summary())
            for failed in report.failed:
                log.error("sample %s was refused: %s", failed.name, failed.error)
        return library

    @property
    def path(self) -> Path:
        return self.store.path

    @property
    def data_dir(self) -> Path:
        return self.store.path.parent

    @property
    def read_only(self) -> bool:
        return self.store.read_only

    def close(self) -> None:
        self._requirements.close()
        self.store.close()

    def failure_of(self, error: BaseException) -> StoreError | None:
        """The StoreError ``error`` stands for (a full disk, a damaged file ...), or None: a bug."""
        return error if isinstance(error, StoreError) else classify(error, self.path)

    # ------------------------------------------------------------ import

    @staticmethod
    def plan_import(paths_: list[Path], bulk: bool | None = None) -> ImportPlan:
        return plan_import(paths_, bulk)

    def import_paths(
        self,
        paths_: list[Path],
        progress: ProgressCallback | None = None,
        cancelled: Callable[[], bool] | None = None,
        *,
        bulk: bool | None = False,
        plan: ImportPlan | None = None,
    ) -> ImportReport:
        """Import every document under ``paths_`` (ingest.import_paths: progress, cancel, the bulk path)."""
        return import_paths(self.store, paths_, progress, cancelled, bulk=bulk, plan=plan)

    @staticmethod
    def changed_by(report: ImportReport) -> Change:
        """What an import changed: its trials' records (and notes, re-anchored), and the list."""
        changed = {
            saved.trial_id for result in report.results for saved in result.saved if saved.outcome != "unchanged"
        } | report.updated_trials
        return Change(
            notes_of=frozenset(changed),
            records_of=frozenset(changed),
            all_records=not report.keep_results and bool(report.counts["updated"]),
            library_list=True,
        )

    def bulk_import_running(self) -> bool:
        """A bulk import holds the store (its sort indexes are being rebuilt at its end)."""
        return bulk_import_running(self.path)

    @staticmethod
    def sort_waits_for_bulk_import(order_by: str) -> bool:
        """The list sorted by this column is re-sorted from the whole table while a bulk import runs."""
        return order_by in SORT_INDEX_COLUMNS

    # ------------------------------------------------------------ the library list

    def list_trials(
        self, where: TrialFilter | None = None, order_by: str = "registry_id", descending: bool = False,
        limit: int | None = None, offset: int = 0,
    ) -> list[dict[str, Any]]:  # fmt: skip
        """Rows of the list (with their note counts), filtered and sorted in SQL."""
        with self.store.session() as session:
            return listing.list_trials(session, where, order_by, descending, limit=limit, offset=offset)

    def count_trials(self, where: TrialFilter | None = None) -> int:
        with self.store.session() as session:
            return listing.count_trials(session, where)

    def first_rows(
        self, where: TrialFilter | None, order_by: str, descending: bool, limit: int
    ) -> tuple[int, list[dict[str, Any]]]:
        """(row count, first ``limit`` rows) of the list, read together."""
        with self.store.session() as session:
            total = listing.count_trials(session, where)
            return total, listing.list_trials(session, where, order_by, descending, limit=limit)

    def search_trials(
        self, text: str, where: TrialFilter | None = None, limit: int = 100, note_counts: bool = False
    ) -> list[dict[str, Any]]:
        """Full-text matches, best first; ``note_counts`` adds each match's count of notes."""
        with self.store.session() as session:
            rows = listing.search_trials(session, text, where, limit=limit)
            if note_counts:
                counts = self._note_counts(session, [row["id"] for row in rows])
                for row in rows:
                    row["note_count"] = counts.get(row["id"], 0)
            return rows

    def note_counts(self, trial_ids: list[int]) -> dict[int, int]:
        """trial id -> its number of notes (every one of ``trial_ids``, 0 included)."""
        with self.store.session() as session:
            counts = self._note_counts(session, trial_ids)
        return {trial_id: counts.get(trial_id, 0) for trial_id in trial_ids}

    @staticmethod
    def _note_counts(session, trial_ids: list[int]) -> dict[int, int]:
        if not trial_ids:
            return {}
        from sqlalchemy import func, select

        from .store.tables import Note

        note = Note.__table__
        query = (
            select(note.c.trial_id, func.count()).where(note.c.trial_id.in_(trial_ids)).group_by(note.c.trial_id)
        )
        return dict(session.connection().execute(query).all())

    # ------------------------------------------------------------ one trial

    def trial_page(self, registry_id: str, version_id: int | None = None) -> TrialPage:
        """The trial (by any of its identifiers): its current version's record, or ``version_id``'s,
        every version and its notes. LookupError when there is no such trial."""
        with self.store.session() as session:
            trial = _trial_or_fail(session, registry_id)
            shown = version_id or trial.current_version_id
            return TrialPage(
                trial.id,
                trial.registry_id,
                trial.current_version_id,
                shown,
                shown_record(session, shown),
                [_version(v) for v in reading.versions_of(session, trial.id)],
                [note_dict(n) for n in notes_core.notes_of(session, [trial.id])],
                corrections_core.corrections_of(session, [trial.id]),
            )

    def current_record(self, registry_id: str) -> TrialRecord | None:
        with self.store.session() as session:
            return reading.current_record(session, registry_id)

    def version_record(self, version_id: int) -> TrialRecord:
        with self.store.session() as session:
            return reading.load_record(session, version_id)

    def source_document(self, version_id: int) -> str:
        """The original document a version was imported from."""
        with self.store.session() as session:
            return reading.source_document(session, version_id)

    def notes_of(self, trial_ids: list[int], tag: str | None = None) -> list[dict]:
        """The notes of these trials (of one tag only, if given), by trial, item and time."""
        with self.store.session() as session:
            return [note_dict(n) for n in notes_core.notes_of(session, list(trial_ids), tag)]

    def requirements(
        self, registry_ids: list[str] | None = None
    ) -> Iterator[tuple[str, dict[tuple[str, str | None], Requirement]]]:
        """(registry id, its requirements by (key, scope)) of these trials, or of every trial
        (None), as stored with their current versions: equal to core.profile.profile() of each
        current record, read in one pass (a trial that states none has {}; an id that is no
        trial's registry id is left out). The whole library is read once and kept until the store
        changes (requirements.LibraryRequirements): a patient check asked again reads nothing."""
        if registry_ids is None:
            return iter(self._requirements.all())
        with self.store.session() as session:
            found = list(requirements.iter_requirements(dbapi(session), registry_ids))
        return iter(found)

    # ------------------------------------------------------------ writing notes

    def add_note(
        self, trial_id: int, anchor: ItemRef | TextSpan, body: str, author: str, tag: str | None = None
    ) -> Change:
        """A new note, committed at once; its id is the one in ``Change.notes``."""
        with self.store.transaction() as session:
            note = notes_core.add_note(session, trial_id, anchor, body, author, tag)
            return Change(notes_of=frozenset({trial_id}), notes=frozenset({note.id}))

    def edit_note(self, note_id: int, body: str, tag: str | None) -> Change:
        with self.store.transaction() as session:
            note = notes_core.edit_note(session, note_id, body=body, tag=tag)
            return Change(notes_of=frozenset({note.trial_id}), notes=frozenset({note_id}))

    def delete_note(self, note_id: int) -> tuple[dict, Change]:
        """Delete a note; returns what ``restore_note`` needs to bring it back exactly (undo)."""
        with self.store.transaction() as session:
            saved = notes_core.delete_note(session, note_id)
        return saved, Change(notes_of=frozenset({saved["trial_id"]}), notes=frozenset({note_id}))

    def restore_note(self, saved: dict) -> Change:
        """Bring a deleted note back, with its id."""
        with self.store.transaction() as session:
            notes_core.restore_note(session, saved)
        return Change(notes_of=frozenset({saved["trial_id"]}), notes=frozenset({saved["id"]}))

    # ------------------------------------------------------------ facet corrections

    def correct_facets(self, registry_id: str, item_key: str, facets: list[dict], reviewer: str) -> Change:
        """A reviewer's facets for one criterion of the trial's current version ("criterion:inclusion/3"
        or "inclusion/3"), over its earlier correction: the whole list (``[]``: it states none),
        committed at once; its id is the one in ``Change.corrections``. ValueError (one sentence) for
        facets of no known shape or an item that is not a criterion; LookupError for no such trial or
        criterion."""
        checked = corrections_core.check_facets(facets)
        if not reviewer.strip():
            raise ValueError("a correction needs the reviewer's name")
        with self.store.transaction() as session:
            trial = _trial_or_fail(session, registry_id)
            item = _criterion_or_fail(reading.load_record(session, trial.current_version_id), item_key)
            saved, _replaced = corrections_core.correct(
                session, trial.id, item.ref, item.text, checked, reviewer.strip(), trial.current_version_id
            )
            corrections_core.store_corrected_requirements(session, trial.id)
        return Change(corrections_of=frozenset({trial.id}), corrections=frozenset({saved.id}))

    def remove_correction(
        self, registry_id: str, item_key: str, *, correction_id: int | None = None
    ) -> tuple[Correction, Change]:
        """Remove the correction of a criterion (the orphaned one under that key when the item has
        none; ``correction_id``: that one); returns it for ``restore_correction`` (undo). LookupError
        when there is none."""
        ref = _criterion_ref(item_key)
        with self.store.transaction() as session:
            trial = _trial_or_fail(session, registry_id)
            on_key = [
                c
                for c in corrections_core.corrections_of(session, [trial.id])
                if c.ref == ref and correction_id in (None, c.id)
            ]
            if not on_key:
                raise LookupError(f"{registry_id} has no facet correction on {ref.label.lower()}")
            chosen = min(on_key, key=lambda c: c.orphaned)  # the item's own before an orphan
            saved = corrections_core.remove(session, chosen.id)
            corrections_core.store_corrected_requirements(session, saved.trial_id)
        return saved, Change(corrections_of=frozenset({saved.trial_id}), corrections=frozenset({saved.id}))

    def restore_correction(self, saved: Correction) -> Change:
        """Put a correction back exactly as it was, with its id (undo of a removal or a change)."""
        with self.store.transaction() as session:
            corrections_core.restore(session, saved)
            corrections_core.store_corrected_requirements(session, saved.trial_id)
        return Change(corrections_of=frozenset({saved.trial_id}), corrections=frozenset({saved.id}))

    def corrections_of(self, registry_id: str) -> list[Correction]:
        """A trial's facet corrections (orphaned ones too), by item and time. LookupError: no such trial."""
        with self.store.session() as session:
            trial = _trial_or_fail(session, registry_id)
            return corrections_core.corrections_of(session, [trial.id])

    def corrected_item_facets(self, record_or_id: TrialRecord | str) -> list[ItemFacets]:
        """The item facets of a trial (its current record, or the record given) with its reviewers'
        corrections put over the extracted ones: what profile(), the comparison, the grid and the
        patient check read. A record of a trial not in the store has no corrections."""
        with self.store.session() as session:
            if isinstance(record_or_id, str):
                trial = _trial_or_fail(session, record_or_id)
                record = reading.load_record(session, trial.current_version_id)
            else:
                record = record_or_id
                trial = reading.trial_by_registry_id(session, record.registry_id)
            return corrections_core.corrected_facets(session, trial.id if trial else None, record)

    # ------------------------------------------------------------ compare and report

    def current_records(self, registry_ids: list[str]) -> tuple[list[TrialRecord], dict[int, str]]:
        """The current records of these trials and {trial id: registry id}; LookupError naming the
        first one that is not in the store."""
        records, trial_ids = [], {}
        with self.store.session() as session:
            for registry_id in registry_ids:
                trial = _trial_or_fail(session, registry_id)
                records.append(reading.load_record(session, trial.current_version_id))
                trial_ids[trial.id] = trial.registry_id
        return records, trial_ids

    def corrected_records(
        self, registry_ids: list[str]
    ) -> tuple[list[TrialRecord], list[list[ItemFacets]], dict[int, str]]:
        """current_records, and each record's item facets with its reviewers' corrections over them."""
        records, facets, trial_ids = [], [], {}
        with self.store.session() as session:
            for registry_id in registry_ids:
                trial = _trial_or_fail(session, registry_id)
                record = reading.load_record(session, trial.current_version_id)
                records.append(record)
                facets.append(corrections_core.corrected_facets(session, trial.id, record))
                trial_ids[trial.id] = trial.registry_id
        return records, facets, trial_ids

    def compare(self, registry_ids: list[str], arms: bool = False) -> tuple[Comparison, dict[int, str]]:
        """The trials side by side (``arms``: the arms of the one trial) and {trial id: registry id}.
        LookupError names a trial that is not in the store; ValueError, a number of trials that
        cannot be compared."""
        from .compare import compare_arms, compare_records

        if arms:
            records, trial_ids = self.current_records(registry_ids)
            if len(records) != 1:
                raise ValueError("the arms of one trial are compared at a time")
            return compare_arms(records[0]), trial_ids
        records, facets, trial_ids = self.corrected_records(registry_ids)
        return compare_records(records, item_facets=facets), trial_ids

    def grid(self, registry_ids: list[str]) -> Grid:
        """The eligibility grid of these trials' current versions, in this order (each once).
        LookupError names a trial that is not in the store; ValueError, fewer than 2 or more than 50."""
        from .grid import build_grid, trial_count_problem

        ids = list(dict.fromkeys(registry_ids))
        problem = trial_count_problem(len(ids))
        if problem:
            raise ValueError(problem)
        records, facets, _trial_ids = self.corrected_records(ids)
        return build_grid(records, item_facets=facets)

    def trial_titles(self, registry_ids: list[str]) -> dict[str, str]:
        """registry id -> the title the library list shows (the ids in the store only)."""
        from sqlalchemy import select

        from .store.tables import Trial

        trial = Trial.__table__
        titles: dict[str, str] = {}
        with self.store.session() as session:
            ids = list(dict.fromkeys(registry_ids))
            for start in range(0, len(ids), 500):  # SQLite's limit on bound parameters
                query = select(trial.c.registry_id, trial.c.brief_title).where(
                    trial.c.registry_id.in_(ids[start : start + 500])
                )
                titles.update((rid, title or "") for rid, title in session.connection().execute(query))
        return titles

    def match(
        self, patient: Patient, registry_ids: list[str] | None = None, limit: int | None = None
    ) -> MatchResult:
        """The patient check (core.match): these trials (None: the whole library) ranked for the
        patient, the first ``limit`` with their checks; ``missing`` names the ids not in the store."""
        from .match.ranking import rank, rank_values

        if registry_ids is None:
            with self.store.session() as session:
                conn = dbapi(session)
                names = requirement_values.trial_names(conn)
                rows = requirement_values.requirement_values(conn).fetchall()
            return rank_values(names, rows, patient, self.requirements, limit)
        known, missing = [], []
        with self.store.session() as session:
            for registry_id in dict.fromkeys(registry_ids):
                trial = reading.trial_by_registry_id(session, registry_id)
                if trial is None or trial.current_version_id is None:
                    missing.append(registry_id)
                elif trial.registry_id not in known:
                    known.append(trial.registry_id)
        result = rank(self.requirements(known) if known else [], patient, limit)
        return replace(result, missing=tuple(missing))

    def report_context(self, kind: str, registry_ids: list[str], options: ReportOptions) -> dict[str, Any]:
        """What a report's template is rendered with (reports.build_context)."""
        from .reports import build_context

        with self.store.session() as session:
            return build_context(session, kind, list(registry_ids), options)

    def report_html(self, kind: str, registry_ids: list[str], options: ReportOptions) -> str:
        """The report's HTML, from the template ``options`` name (what the PDF is printed from)."""
        from .reports import render_html

        context = self.report_context(kind, registry_ids, options)
        return render_html(kind, context, options.template, options.templates_dir)

    def make_report(
        self, kind: str, registry_ids: list[str], options: ReportOptions, output_format: str = "pdf"
    ) -> bytes:
        """The report as PDF bytes (or UTF-8 HTML bytes with output_format="html")."""
        from .reports import make_report

        with self.store.session() as session:
            return make_report(session, kind, list(registry_ids), options, output_format=output_format)

    def write_briefs(self, registry_ids: list[str], out_dir: Path, options: ReportOptions) -> list[BriefResult]:
        """A PDF brief per trial into ``out_dir``, rendered on every core (report_batch)."""
        from .report_batch import write_briefs

        return write_briefs(self.data_dir, registry_ids, out_dir, options)


# ---------------------------------------------------------------- the `db` commands: the file itself


def store_path(data_dir: Path) -> Path:
    return data_dir / STORE_FILE_NAME


def upgrade_store(data_dir: Path, progress: MigrationProgress | None = None) -> tuple[str, Path | None]:
    """Upgrade the store to this app's schema: (the schema now, the backup made first or None)."""
    made = upgrade(store_path(data_dir), progress=progress)
    return head_revision(), made


def backup_store(data_dir: Path) -> Path:
    """A copy of the store beside it; a 0-byte file is refused (its "backup" would look like one)."""
    path = store_path(data_dir)
    if path.stat().st_size == 0:
        raise errors.not_a_store(path)
    return backup(path)


def check_store(data_dir: Path) -> StoreCheck:
    """The store's schema, integrity and counts, read without writing to it. Damage is reported in
    ``problems``, never raised."""
    path = store_path(data_dir)
    revision = current_revision(path)
    writable = is_writable(path)
    counts = [0, 0, 0]
    conn = connect_read_only(path)
    try:
        # quick_check would skip the indexes' content; a damaged index gives wrong search results
        problems = [line for (row,) in conn.execute("PRAGMA integrity_check(20)") for line in row.splitlines()]
        if problems == ["ok"]:
            counts = [
                conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("trial", "trial_version", "note")
            ]
    except sqlite3.DatabaseError as error:
        problems = [str(error)]
    finally:
        conn.close()
    return StoreCheck(path, path.stat().st_size, revision, head_revision(), writable, problems, *counts)


def corrupt_store_message(data_dir: Path) -> str:
    """The sentence for a damaged store (with the advice to restore a backup)."""
    return str(errors.corrupt(store_path(data_dir)))
