"""What each `reviewer` command does (the parser and dispatch are in cli.py). Core only, no Qt."""

from __future__ import annotations

import json
import logging
import sys
import time
from dataclasses import replace
from pathlib import Path

from . import paths
from .core import vocab
from .core.export import record_to_api
from .core.facet_filters import FacetSyntaxError, parse_facet
from .core.ingest import Progress
from .core.library import (
    Library,
    TrialFilter,
    backup_store,
    check_store,
    corrupt_store_message,
    store_path,
    upgrade_store,
)
from .core.plain_text import record_text
from .core.text import json_terminal_safe, terminal_safe

log = logging.getLogger("reviewer")


def _print_json(value) -> None:
    sys.stdout.write(json_terminal_safe(json.dumps(value, ensure_ascii=False, indent=2, default=str)) + "\n")


def say_error(message: str) -> None:
    """One line on stderr, data in it made safe for the terminal."""
    print(f"reviewer: {terminal_safe(message)}", file=sys.stderr)


def _terminal_progress(progress: Progress) -> None:
    done, total = progress.done, progress.total
    if not total:
        return
    width = 30
    filled = int(width * done / total)
    eta = progress.eta_seconds
    left = f" {int(eta // 60)}:{int(eta % 60):02d} left" if eta is not None else ""
    name = terminal_safe(progress.current)
    short = name if len(name) <= 40 else "…" + name[-39:]
    sys.stderr.write(f"\r[{'#' * filled}{' ' * (width - filled)}] {done}/{total}{left} {short:<40}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def cmd_import(args, library: Library) -> int:
    show_progress = sys.stderr.isatty() and not args.json
    paths = [Path(p) for p in args.paths]
    plan = library.plan_import(paths, args.bulk)  # args.bulk: None (choose), True (--bulk), False (--serial)
    print(f"reviewer: {plan.describe()}", file=sys.stderr, flush=True)
    report = library.import_paths(paths, progress=_terminal_progress if show_progress else None, plan=plan)
    if args.json:
        _print_json(report.to_dict())
    else:
        print(report.summary())
        for failed in report.failed:
            print(f"  FAILED {terminal_safe(failed.name)}: {terminal_safe(failed.error or '')}")
        for warned in report.warned:
            print(f"  {terminal_safe(warned.name)}: imported with warnings:")
            for warning in warned.warnings:
                print(f"    {terminal_safe(warning)}")
        if report.seconds > 5:
            print(f"  {report.seconds:.1f} s, {report.documents / report.seconds:,.0f} documents/s")
    return 1 if report.failed else 0


def _filter(args) -> TrialFilter:
    def codes(kind: str, values: list[str] | None) -> list[str] | None:
        return [vocab.to_code(kind, v) or v for v in values] if values else None

    return TrialFilter(
        statuses=codes("status", args.status),
        phases=codes("phase", args.phase),
        study_types=codes("study_type", args.study_type),
        condition=getattr(args, "condition", None),
        sponsor=getattr(args, "sponsor", None),
        results=["WITH_RESULTS" if args.results == "yes" else "NO_RESULTS"] if getattr(args, "results", None) else None,
        facets=tuple(parse_facet(text) for text in getattr(args, "facet", None) or ()),
    )


def _filter_or_say(args) -> TrialFilter | None:
    """The filter of the arguments, or None once a --facet that is not of the syntax is said."""
    try:
        return _filter(args)
    except FacetSyntaxError as error:
        say_error(f"--facet {error}")
        return None


def _print_rows(rows: list[dict]) -> None:
    if not rows:
        print("no trials")
        return
    for row in rows:
        phases = vocab.phases_label((row["phases"] or "").split("|") if row["phases"] else [])
        title = terminal_safe((row["brief_title"] or "")[:70])
        registry_id = terminal_safe(row["registry_id"])
        print(f"{registry_id:<12} {vocab.label(row['overall_status']):<24} {phases:<16} {title}")


def cmd_list(args, library: Library) -> int:
    where = _filter_or_say(args)
    if where is None:
        return 2
    rows = library.list_trials(where, order_by=args.sort, limit=args.limit)
    total = library.count_trials(where)
    if args.json:
        _print_json({"total": total, "trials": rows})
    else:
        if where.facets:
            said = "; ".join(condition.label for condition in where.facets)
            print(f"Eligibility: {said} (a trial that states nothing about it passes)")
        _print_rows(rows)
        print(f"{total} trial(s)" + (f", first {len(rows)} shown" if len(rows) < total else ""))
    return 0


def cmd_search(args, library: Library) -> int:
    where = _filter_or_say(args)
    if where is None:
        return 2
    rows = library.search_trials(" ".join(args.query), where, limit=args.limit)
    if args.json:
        _print_json({"query": " ".join(args.query), "trials": rows})
    else:
        _print_rows(rows)
    return 0


def cmd_show(args, library: Library) -> int:
    try:
        page = library.trial_page(args.id)
    except LookupError:
        print(f"no trial {terminal_safe(args.id)} in the store", file=sys.stderr)
        return 1
    record, versions, current_version_id = page.record, page.versions, page.current_version_id
    if args.json:
        data = record_to_api(record)
        data["versions"] = [
            {
                "number": v.number,
                "format": v.source_format,
                "file": v.source_name,
                "importedAt": v.imported_at,
                "versionDate": v.version_date,
                "current": v.id == current_version_id,
            }
            for v in versions
        ]
        _print_json(data)
    else:
        lines = [
            f"{v.number}: {v.source_format} from {v.source_name}, imported {v.imported_at:%Y-%m-%d %H:%M}"
            + (f", record of {v.version_date}" if v.version_date else "")
            + (" (current)" if v.id == current_version_id else "")
            for v in versions
        ]
        sys.stdout.write(terminal_safe(record_text(record, lines), keep_newlines=True))
    return 0


def cmd_db(args, data_dir: Path) -> int:
    if args.action == "upgrade":
        head, made = upgrade_store(data_dir, progress=lambda message: print(message, file=sys.stderr, flush=True))
        print(f"store is at schema {head}" + (f" (backup first: {made})" if made else ""))
        return 0
    path = store_path(data_dir)
    if not path.exists():
        print(f"no store at {path}", file=sys.stderr)
        return 1
    if args.action == "backup":
        print(backup_store(data_dir))
        return 0
    return _check(data_dir)


def _check(data_dir: Path) -> int:
    """`db check`: the store's schema and integrity, and what it holds. Damage is reported (with the
    advice to restore a backup, exit status 2), never a crash."""
    check = check_store(data_dir)
    if not check.writable:
        say_error(f"{check.path} is read-only: it can be checked, but changes cannot be saved")
    print(f"store:     {check.path} ({check.size / 2**20:.1f} MiB)")
    print(f"schema:    {check.revision} (this app: {check.head})")
    if not check.sound:
        print("integrity: damaged")
        for problem in check.problems:
            print(f"  {terminal_safe(problem)}")
        say_error(corrupt_store_message(data_dir))
        return 2
    print("integrity: ok")
    print(f"trials:    {check.trials} ({check.versions} versions), notes: {check.notes}")
    return 0 if check.revision == check.head else 1


def cmd_report(args, library: Library) -> int:
    from .core.output_file import write_output
    from .core.people import system_full_name
    from .core.reports import ReportError, ReportOptions

    kind = {"brief": "brief", "compare": "comparison", "notes": "notes", "grid": "grid"}[args.kind]
    template = Path(args.template).resolve() if args.template else None
    if template and not template.is_file():
        print(f"reviewer: no template {template}", file=sys.stderr)
        return 2
    try:
        options = ReportOptions(
            reviewer=args.reviewer or system_full_name(),
            include_notes=not args.no_notes,
            template=template,
            templates_dir=paths.templates_dir(library.data_dir),
        )
        if args.sections:
            wanted = frozenset(name.strip() for name in args.sections.split(",") if name.strip())
            options = replace(options, sections=wanted)
        if args.separate:
            return _write_separate_briefs(args, library, kind, options)
        data = library.make_report(kind, args.ids, options, output_format=args.format)
    except ReportError as error:
        say_error(str(error))
        return 1
    write_output(Path(args.output), data)
    print(f"wrote {args.output} ({len(data) / 1024:.0f} KiB)")
    return 0


def _write_separate_briefs(args, library: Library, kind: str, options) -> int:
    if kind != "brief" or args.format != "pdf":
        print("reviewer: --separate makes PDF briefs only", file=sys.stderr)
        return 2
    started = time.perf_counter()
    results = library.write_briefs(args.ids, Path(args.output), options)
    for result in results:
        if result.error:
            say_error(f"{result.registry_id}: {result.error}")
    written = [r for r in results if r.path]
    seconds = time.perf_counter() - started
    print(f"wrote {len(written)} brief(s) into {args.output} in {seconds:.1f} s")
    return 0 if len(written) == len(results) else 1


def cmd_compare(args, library: Library) -> int:
    from .core.compare import comparison_text, comparison_to_json

    try:
        comparison, _trial_ids = library.compare(args.ids, arms=args.arms)
    except LookupError as error:
        say_error(str(error))
        return 1
    except ValueError as error:
        if args.arms and len(args.ids) != 1:
            print("reviewer: --arms compares the arms of one trial", file=sys.stderr)
        else:
            say_error(str(error))
        return 2
    if args.json:
        _print_json(comparison_to_json(comparison))
    else:
        sys.stdout.write(terminal_safe(comparison_text(comparison, width=args.width), keep_newlines=True))
    return 0


def cmd_grid(args, library: Library) -> int:
    """The eligibility grid of 2 to 50 trials: on the terminal (or --json), into --csv and --pdf files."""
    from .core.grid import grid_csv, grid_text, grid_to_json
    from .core.output_file import write_output

    try:
        grid = library.grid(args.ids)
    except LookupError as error:
        say_error(str(error))
        return 1
    except ValueError as error:
        say_error(str(error))
        return 2
    written = []
    if args.csv:
        data = grid_csv(grid)
        write_output(Path(args.csv), data)
        written.append((args.csv, data))
    if args.pdf:
        from .core.people import system_full_name
        from .core.reports import ReportError, ReportOptions

        options = ReportOptions(
            reviewer=args.reviewer or system_full_name(), templates_dir=paths.templates_dir(library.data_dir)
        )
        try:
            data = library.make_report("grid", list(grid.trials), options)
        except ReportError as error:
            say_error(str(error))
            return 1
        write_output(Path(args.pdf), data)
        written.append((args.pdf, data))
    if args.json:
        _print_json(grid_to_json(grid))
    elif not written:
        sys.stdout.write(terminal_safe(grid_text(grid, width=args.width), keep_newlines=True))
    for name, data in written:
        print(f"wrote {name} ({len(data) / 1024:.0f} KiB)", file=sys.stderr if args.json else sys.stdout)
    return 0


def cmd_diff(args, library: Library) -> int:
    """The changes between two versions of a trial (by their numbers, as the Versions tab shows them;
    by default the newest by the registry's dates and the one before it)."""
    from .core.diff import diff_records

    try:
        page = library.trial_page(args.id)
    except LookupError:
        say_error(f"no trial {args.id} in the store")
        return 1
    registry_id = page.registry_id
    versions = sorted(page.versions, key=lambda v: (v.version_date or "", v.number))
    by_number = {v.number: v for v in versions}
    for wanted in (args.from_version, args.to_version):
        if wanted is not None and wanted not in by_number:
            numbers = ", ".join(str(n) for n in sorted(by_number))
            say_error(f"{registry_id} has no version {wanted} (its versions: {numbers})")
            return 1
    if len(versions) < 2 and args.from_version is None:
        say_error(f"{registry_id} has one version only: there is nothing to compare it with")
        return 1
    newer = by_number[args.to_version] if args.to_version is not None else versions[-1]
    if args.from_version is not None:
        older = by_number[args.from_version]
    else:
        earlier = [v for v in versions if v is not newer]
        before = [v for v in earlier if versions.index(v) < versions.index(newer)]
        older = (before or earlier)[-1]
    changes = diff_records(library.version_record(older.id), library.version_record(newer.id)).changes
    if args.json:
        _print_json(
            {
                "trial": registry_id,
                "from": older.number,
                "to": newer.number,
                "changes": [change.to_dict() for change in changes],
            }
        )
        return 0
    print(terminal_safe(f"{registry_id}: version {older.number} -> {newer.number}, {len(changes)} change(s)"))
    for change in changes:
        where = f" {change.item}" if change.item else ""
        print(terminal_safe(f"  {change.part} {change.kind}{where}: {_short(change.before)} -> {_short(change.after)}"))
    return 0


def _short(value, limit: int = 100) -> str:
    text = "-" if value is None else value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def cmd_match(args, library: Library) -> int:
    """The patient check: each trial's verdict and the criteria that decide (fails, then unknowns,
    then what is met), ranked possible first; a bad patient file is one sentence and exit status 2."""
    from .core.match.patient import Patient, PatientFileError

    try:
        patient = Patient.load(Path(args.patient))
    except PatientFileError as error:
        say_error(str(error))
        return 2
    if args.limit < 1:
        say_error("--limit must be 1 or more")
        return 2
    result = library.match(patient, args.ids or None, limit=args.limit)
    for registry_id in result.missing:
        say_error(f"no trial {registry_id} in the store")
    if args.json:
        _print_json(result.to_json())
    else:
        sys.stdout.write(terminal_safe(_match_text(result), keep_newlines=True))
    return 1 if result.missing else 0


_STATUS_WORDS = {"fails": "FAILS", "unknown": "unknown", "meets": "meets"}


def _match_text(result) -> str:
    failing = result.checked - result.possible
    lines = [
        f"Patient: {result.patient.summary()}",
        f"{result.checked} trial(s) checked: {result.possible} possible, {failing} failing"
        + (f"; the first {len(result.matches)} shown" if len(result.matches) < result.checked else ""),
        'Requirements under a scope ("Cohort 2") never fail a trial on their own: the patient may belong '
        "to another cohort.",
    ]
    for place, match in enumerate(result.matches, 1):
        lines += ["", f"{place:>3}. {match.registry_id}  {match.summary()}"]
        for check in match.checks:
            scope = f"[{check.scope}] " if check.scope else ""
            where = ", ".join(ref.label for ref in check.items) or "the record's eligibility"
            title = f"{scope}{check.requirement.title}"
            lines.append(f"       {_STATUS_WORDS[check.status]:<8} {title:<28} {check.reason}  ({where})")
    return "\n".join(lines) + "\n"


def _facets_argument(text: str) -> list:
    """--facets: JSON text, or @FILE; ValueError with one sentence naming what is wrong."""
    source = "--facets"
    if text.startswith("@"):
        path = Path(text[1:])
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ValueError(f"{path} cannot be read ({getattr(error, 'strerror', None) or error})") from None
        source = str(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"{source} is not JSON ({error.msg} at line {error.lineno}, column {error.colno})") from None


def _correction_line(correction) -> str:
    from .core.presentation.facet_words import facets_text

    state = " (orphaned: its criterion is gone)" if correction.orphaned else ""
    when = f"{correction.corrected_at:%Y-%m-%d %H:%M}"
    return (
        f"{correction.ref.key}{state}: {facets_text(correction.facets, corrected=True)}\n"
        f"    by {correction.author}, {when}; the criterion read: “{correction.quote}”"
    )


def cmd_correct(args, library: Library) -> int:
    from .core.people import system_full_name

    reviewer = args.reviewer or system_full_name()
    try:
        if args.remove:
            removed, _change = library.remove_correction(args.id, args.item)
            found = None
        else:
            if not reviewer:
                raise ValueError("say who corrects with --reviewer (the system knows no full name for you)")
            change = library.correct_facets(args.id, args.item, _facets_argument(args.facets), reviewer)
            found = next(c for c in library.corrections_of(args.id) if c.id in change.corrections)
    except (ValueError, LookupError) as error:
        say_error(str(error))
        return 1
    if args.json:
        _print_json({"removed": removed.to_json()} if found is None else found.to_json())
    elif found is None:
        print(terminal_safe(f"removed the correction of {removed.ref.key}: its facets are read from its text again"))
    else:
        print(terminal_safe(_correction_line(found), keep_newlines=True))
    return 0


def cmd_corrections(args, library: Library) -> int:
    try:
        found = library.corrections_of(args.id)
    except LookupError as error:
        say_error(str(error))
        return 1
    if args.json:
        _print_json({"trial": args.id, "corrections": [c.to_json() for c in found]})
    elif not found:
        print(f"no facet corrections on {terminal_safe(args.id)}")
    else:
        for correction in found:
            print(terminal_safe(_correction_line(correction), keep_newlines=True))
    return 0
