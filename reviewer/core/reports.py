"""PDF and HTML briefs: build a context from the store, render a Jinja template, print with WeasyPrint.

Templates live in reports/ (a user's templates folder is searched first, so a copied and edited
template wins). Jinja autoescapes and is strict about undefined names, so trial text can never
become markup or template code. WeasyPrint fetches nothing but files inside the bundled reports/
and resources/ folders: every other URL (http, https, file elsewhere, data, attachments) is
refused and logged, so a hostile record cannot read a local file or reach the network.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    select_autoescape,
)
from sqlmodel import Session

from .. import paths
from . import corrections as corrections_core
from . import notes as notes_core
from . import report_parts, vocab
from .compare import compare_records
from .eligibility import ItemFacets
from .grid import COLUMNS_PER_PAGE, build_grid, trial_count_problem
from .items import ItemRef, Kind, label_of
from .presentation.trial import present
from .presentation.values import State
from .record import TrialRecord
from .report_sections import SECTIONS
from .shown import shown_record
from .store import reading

log = logging.getLogger(__name__)

TEMPLATES = {
    "brief": "brief.html.j2",
    "notes": "notes.html.j2",
    "comparison": "comparison.html.j2",
    "grid": "grid.html.j2",
}


class ReportError(ValueError):
    """A report that cannot be made (unknown trial, wrong number of trials ...): the message says why."""


@dataclass
class ReportOptions:
    reviewer: str
    include_notes: bool = True
    generated: datetime = field(default_factory=lambda: datetime.now(UTC))
    template: Path | None = None  # a user's template file; its folder is searched before the built-ins
    templates_dir: Path | None = None  # the user's templates folder: its files replace built-ins of that name
    sections: frozenset[str] = frozenset(SECTIONS)

    def __post_init__(self) -> None:
        unknown = set(self.sections) - set(SECTIONS)
        if unknown:
            raise ReportError(
                f"unknown section {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}"
            )


def _folder_state(folder: Path | None, recursive: bool) -> tuple:
    """The template files of a folder with their times: a new, changed or removed file makes a new
    environment (Jinja alone would keep serving a built-in that a new file replaces)."""
    if folder is None or not folder.is_dir():
        return ()
    files = folder.rglob("*.j2") if recursive else folder.glob("*.j2")
    return tuple(sorted((str(f), f.stat().st_mtime_ns) for f in files if f.is_file()))


def _environment(template_dir: Path | None, user_dir: Path | None = None) -> Environment:
    # the folder of a template file may be any folder (Documents): only its own files are looked at
    state = _folder_state(template_dir, recursive=False) + _folder_state(user_dir, recursive=True)
    return _cached_environment(template_dir, user_dir, state)


@lru_cache(maxsize=8)
def _cached_environment(template_dir: Path | None, user_dir: Path | None, _state: tuple) -> Environment:
    """One environment per search path and state of its folders, kept: Jinja then compiles each
    template once. The search path: the folder of a template file given for this report, the
    user's templates folder, then the built-ins."""
    folders = [folder for folder in (template_dir, user_dir, paths.reports_dir()) if folder is not None]
    loaders = [FileSystemLoader(str(folder)) for folder in folders]  # a missing folder finds nothing
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["label"] = vocab.label
    env.globals["present"] = present  # a record's presentation (the trial partial and the app's page)
    env.globals["State"] = State  # its states, for a template to write one ({{ State.BLANK }})
    env.filters["phases"] = vocab.phases_label
    env.globals["note_label"] = label_of
    env.globals["registry_link"] = report_parts.registry_link
    env.globals["site_groups"] = report_parts.site_groups
    env.filters["file_name"] = report_parts.source_file_name
    env.filters["date"] = lambda moment: moment.strftime("%Y-%m-%d") if moment else ""
    return env


@dataclass
class TrialContext:
    trial_id: int
    record: TrialRecord
    versions: list[Any]
    current_version: Any
    notes: list[Any]
    notes_by_item: dict[ItemRef, list[Any]]

    def notes_on(self, ref: ItemRef) -> list[Any]:
        return self.notes_by_item.get(ref, [])

    def notes_for(self, kind: str, key: str) -> list[Any]:
        """The notes on one item, named by its kind and path ("criterion", "inclusion/11.1"): the
        templates' way to ask."""
        return self.notes_on(ItemRef(Kind(kind), key))


def trial_context(session: Session, registry_id: str, include_notes: bool = True) -> TrialContext:
    trial = reading.trial_by_registry_id(session, registry_id)
    if trial is None or trial.current_version_id is None:
        raise ReportError(f"no trial {registry_id} in the store")
    record = shown_record(session, trial.current_version_id)
    versions = reading.versions_of(session, trial.id)
    current = next(v for v in versions if v.id == trial.current_version_id)
    trial_notes = notes_core.notes_of(session, [trial.id]) if include_notes else []
    by_item: dict[ItemRef, list[Any]] = {}
    for note in trial_notes:  # a selection prints beside the item it lies in
        by_item.setdefault(ItemRef.stored(note.item_kind, note.item_key), []).append(note)
    return TrialContext(trial.id, record, versions, current, trial_notes, by_item)


def _corrected(session: Session, trials: list[TrialContext]) -> list[list[ItemFacets]]:
    """Each trial's item facets with its reviewers' corrections: what the comparison and grid read."""
    return [corrections_core.corrected_facets(session, t.trial_id, t.record) for t in trials]


def build_context(
    session: Session, kind: str, registry_ids: list[str], options: ReportOptions
) -> dict[str, Any]:
    if kind not in TEMPLATES:
        raise ReportError(f"unknown report {kind!r}; choose one of {', '.join(TEMPLATES)}")
    if not registry_ids:
        raise ReportError("name at least one trial")
    trials = [trial_context(session, registry_id, options.include_notes) for registry_id in registry_ids]
    context: dict[str, Any] = {
        "kind": kind,
        "trials": trials,
        "reviewer": options.reviewer,
        "generated": options.generated,
        "include_notes": options.include_notes,
        "sections": options.sections,
        "tags": ("question", "concern", "suggestion", "ok"),
        "stylesheet": (paths.reports_dir() / "report.css").as_uri(),
        "inline_css": "",  # the HTML output's copy of report.css (the PDF gets it pre-parsed)
    }
    if kind == "comparison":
        if not 2 <= len(trials) <= 6:
            raise ReportError(f"a comparison takes 2 to 6 trials; {len(trials)} were given")
        comparison = compare_records([t.record for t in trials], item_facets=_corrected(session, trials))
        table = report_parts.comparison_sections(
            comparison, [t.record for t in trials], [t.notes_on for t in trials]
        )
        context["comparison"] = comparison
        context["comparison_sections"] = table
        context["notes_off_the_rows"] = [report_parts.notes_off_the_rows(t.notes, table) for t in trials]
    elif kind == "grid":
        problem = trial_count_problem(len(trials))
        if problem:
            raise ReportError(problem)
        grid = build_grid([t.record for t in trials], item_facets=_corrected(session, trials))
        context["grid"] = grid
        context["column_groups"] = grid.column_groups(COLUMNS_PER_PAGE)
    return context


def render_html(
    kind: str, context: dict[str, Any], template: Path | None = None, templates_dir: Path | None = None
) -> str:
    """The report's HTML, from the user's template file if given (it may extend the built-in base),
    else from the template of that kind in the user's templates folder or the built-ins."""
    environment = _environment(template.parent if template else None, templates_dir)
    name = template.name if template else TEMPLATES[kind]
    try:
        return environment.get_template(name).render(**context)
    except (TemplateError, UnicodeDecodeError) as error:  # most likely a user's template: say which
        where = getattr(error, "filename", None) or str(template or name)
        line = getattr(error, "lineno", None)
        at = f" line {line}" if line else ""
        raise ReportError(f"the template {where}{at} cannot be used: {type(error).__name__}: {error}") from error


def _allowed_roots() -> list[Path]:
    return [paths.reports_dir().resolve(), paths.resources_dir().resolve()]


def _locked_fetcher():
    from weasyprint.urls import URLFetcher

    class LockedURLFetcher(URLFetcher):
        """Fetches only files inside the bundled reports/ and resources/ folders."""

        def fetch(self, url, headers=None):
            parsed = urlparse(url)
            if parsed.scheme == "file":
                path = Path(unquote(parsed.path)).resolve()
                if any(path.is_relative_to(root) for root in _allowed_roots()) and path.is_file():
                    return super().fetch(url, headers)
            log.warning("report: refused to fetch %s", url[:200])
            raise ValueError(f"refused to fetch {url[:200]}: reports read only their bundled files")

    return LockedURLFetcher(allowed_protocols=("file",), allow_redirects=False)


@lru_cache(maxsize=1)
def _report_stylesheet():
    """reports/report.css parsed once: parsing it took a quarter of a brief's time."""
    from weasyprint import CSS

    # by URL, so it is read through the locked fetcher like anything else a report loads
    return CSS(url=(paths.reports_dir() / "report.css").as_uri(), url_fetcher=_locked_fetcher())


def render_document(html: str):
    """The report laid out in pages (a WeasyPrint Document): what render_pdf prints, and what a test
    measures (how full each page is)."""
    from weasyprint import HTML  # imported here: WeasyPrint loads Pango, which takes a moment

    document = HTML(string=html, base_url=paths.reports_dir().as_uri() + "/", url_fetcher=_locked_fetcher())
    return document.render(stylesheets=[_report_stylesheet()])


def render_pdf(html: str) -> bytes:
    return render_document(html).write_pdf(attachments=[], uncompressed_pdf=False) or b""


def make_report(
    session: Session, kind: str, registry_ids: list[str], options: ReportOptions, output_format: str = "pdf"
) -> bytes:
    """The report as PDF bytes (or UTF-8 HTML bytes with output_format="html")."""
    context = build_context(session, kind, registry_ids, options)
    if output_format == "html":
        context["inline_css"] = (paths.reports_dir() / "report.css").read_text(encoding="utf-8")
        return render_html(kind, context, options.template, options.templates_dir).encode("utf-8")
    return render_pdf(render_html(kind, context, options.template, options.templates_dir))
