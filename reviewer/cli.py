"""The `reviewer` command: gui (default), import, list, show, search, db. Uses the core only."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from . import __version__, paths
from .core import vocab
from .core.export import record_to_api
from .core.ingest import Progress, import_paths
from .core.library import open_library
from .core.plain_text import record_text
from .core.store import repo
from .core.store.db import STORE_FILE_NAME, StoreError, backup, current_revision, head_revision, upgrade

log = logging.getLogger("reviewer")


def _print_json(value) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


def _terminal_progress(progress: Progress) -> None:
    done, total = progress.done, progress.total
    if not total:
        return
    width = 30
    filled = int(width * done / total)
    eta = progress.eta_seconds
    left = f" {int(eta // 60)}:{int(eta % 60):02d} left" if eta is not None else ""
    name = progress.current
    short = name if len(name) <= 40 else "…" + name[-39:]
    sys.stderr.write(f"\r[{'#' * filled}{' ' * (width - filled)}] {done}/{total}{left} {short:<40}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def cmd_import(args, store) -> int:
    show_progress = sys.stderr.isatty() and not args.json
    report = import_paths(
        store, [Path(p) for p in args.paths], progress=_terminal_progress if show_progress else None
    )
    if args.json:
        _print_json(report.to_dict())
    else:
        print(report.summary())
        for failed in report.failed:
            print(f"  FAILED {failed.name}: {failed.error}")
        if report.seconds > 5:
            print(f"  {report.seconds:.1f} s, {report.documents / report.seconds:,.0f} documents/s")
    return 1 if report.failed else 0


def _filter(args) -> repo.TrialFilter:
    def codes(kind: str, values: list[str] | None) -> list[str] | None:
        return [vocab.to_code(kind, v) or v for v in values] if values else None

    return repo.TrialFilter(
        statuses=codes("status", args.status),
        phases=codes("phase", args.phase),
        study_types=codes("study_type", args.study_type),
        condition=getattr(args, "condition", None),
        sponsor=getattr(args, "sponsor", None),
    )


def _print_rows(rows: list[dict]) -> None:
    if not rows:
        print("no trials")
        return
    for row in rows:
        phases = vocab.phases_label((row["phases"] or "").split("|") if row["phases"] else [])
        title = (row["brief_title"] or "")[:70]
        print(f"{row['registry_id']:<12} {vocab.label(row['overall_status']):<24} {phases:<16} {title}")


def cmd_list(args, store) -> int:
    with store.session() as session:
        rows = repo.list_trials(session, _filter(args), order_by=args.sort, limit=args.limit)
        total = repo.count_trials(session, _filter(args))
    if args.json:
        _print_json({"total": total, "trials": rows})
    else:
        _print_rows(rows)
        print(f"{total} trial(s)" + (f", first {len(rows)} shown" if len(rows) < total else ""))
    return 0


def cmd_search(args, store) -> int:
    with store.session() as session:
        rows = repo.search_trials(session, " ".join(args.query), _filter(args), limit=args.limit)
    if args.json:
        _print_json({"query": " ".join(args.query), "trials": rows})
    else:
        _print_rows(rows)
    return 0


def cmd_show(args, store) -> int:
    with store.session() as session:
        trial = repo.trial_by_registry_id(session, args.id)
        if trial is None:
            print(f"no trial {args.id} in the store", file=sys.stderr)
            return 1
        record = repo.load_record(session, trial.current_version_id)
        versions = repo.versions_of(session, trial.id)
    if args.json:
        data = record_to_api(record)
        data["versions"] = [
            {
                "number": v.number,
                "format": v.source_format,
                "file": v.source_name,
                "importedAt": v.imported_at,
                "versionDate": v.version_date,
                "current": v.id == trial.current_version_id,
            }
            for v in versions
        ]
        _print_json(data)
    else:
        lines = [
            f"{v.number}: {v.source_format} from {v.source_name}, imported {v.imported_at:%Y-%m-%d %H:%M}"
            + (f", record of {v.version_date}" if v.version_date else "")
            + (" (current)" if v.id == trial.current_version_id else "")
            for v in versions
        ]
        sys.stdout.write(record_text(record, lines))
    return 0


def cmd_db(args, data_dir: Path) -> int:
    path = data_dir / STORE_FILE_NAME
    if args.action == "upgrade":
        made = upgrade(path)
        print(f"store is at schema {head_revision()}" + (f" (backup first: {made})" if made else ""))
        return 0
    if not path.exists():
        print(f"no store at {path}", file=sys.stderr)
        return 1
    if args.action == "backup":
        print(backup(path))
        return 0
    revision = current_revision(path)
    import sqlite3

    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        trials = conn.execute("SELECT count(*) FROM trial").fetchone()[0]
        versions = conn.execute("SELECT count(*) FROM trial_version").fetchone()[0]
        notes = conn.execute("SELECT count(*) FROM note").fetchone()[0]
    print(f"store:     {path} ({path.stat().st_size / 2**20:.1f} MiB)")
    print(f"schema:    {revision} (this app: {head_revision()})")
    print(f"integrity: {integrity}")
    print(f"trials:    {trials} ({versions} versions), notes: {notes}")
    return 0 if integrity == "ok" and revision == head_revision() else 1


def cmd_report(args, store) -> int:
    import getpass

    from .core.reports import ReportError, ReportOptions, make_report

    kind = {"brief": "brief", "compare": "comparison", "notes": "notes"}[args.kind]
    template = Path(args.template).resolve() if args.template else None
    if template and not template.is_file():
        print(f"reviewer: no template {template}", file=sys.stderr)
        return 2
    options = ReportOptions(
        reviewer=args.reviewer or getpass.getuser(), include_notes=not args.no_notes, template=template
    )
    try:
        with store.session() as session:
            data = make_report(session, kind, args.ids, options, output_format=args.format)
    except ReportError as error:
        print(f"reviewer: {error}", file=sys.stderr)
        return 1
    Path(args.output).write_bytes(data)
    print(f"wrote {args.output} ({len(data) / 1024:.0f} KiB)")
    return 0


def cmd_compare(args, store) -> int:
    from .core.compare import compare_arms, compare_records, comparison_text, comparison_to_json

    with store.session() as session:
        records = []
        for registry_id in args.ids:
            record = repo.current_record(session, registry_id)
            if record is None:
                print(f"reviewer: no trial {registry_id} in the store", file=sys.stderr)
                return 1
            records.append(record)
    try:
        if args.arms:
            if len(records) != 1:
                print("reviewer: --arms compares the arms of one trial", file=sys.stderr)
                return 2
            comparison = compare_arms(records[0])
        else:
            comparison = compare_records(records)
    except ValueError as error:
        print(f"reviewer: {error}", file=sys.stderr)
        return 2
    if args.json:
        _print_json(comparison_to_json(comparison))
    else:
        sys.stdout.write(comparison_text(comparison, width=args.width))
    return 0


def cmd_gui(args, data_dir: Path) -> int:
    from .gui.app import run  # Qt is imported only when the window is wanted

    return run(data_dir, args)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir", default=argparse.SUPPRESS, help="folder of the store (default: the user's data folder)"
    )
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS)

    parser = argparse.ArgumentParser(
        prog="reviewer", description="Review clinical-trial protocols offline.", parents=[common]
    )
    parser.add_argument("--version", action="version", version=f"Protocol Reviewer {__version__}")
    sub = parser.add_subparsers(dest="command")

    gui = sub.add_parser("gui", parents=[common], help="open the desktop app (the default)")
    gui.add_argument("--self-test", action="store_true", help="open the main window and quit")

    imp = sub.add_parser("import", parents=[common], help="import files, folders or zips")
    imp.add_argument("paths", nargs="+")
    imp.add_argument(
        "--bulk",
        action="store_true",
        help="for thousands of studies: parse on every core, commit in batches, skip sources already stored",
    )
    imp.add_argument("--json", action="store_true")

    def filters(p):
        p.add_argument(
            "--status", action="append", help="e.g. RECRUITING or 'Not yet recruiting' (repeatable)"
        )
        p.add_argument("--phase", action="append", help="e.g. PHASE2 or 'Phase 2' (repeatable)")
        p.add_argument(
            "--study-type", action="append", help="INTERVENTIONAL / OBSERVATIONAL / EXPANDED_ACCESS"
        )
        p.add_argument("--limit", type=int, default=100)
        p.add_argument("--json", action="store_true")

    lst = sub.add_parser("list", parents=[common], help="list the trials in the store")
    filters(lst)
    lst.add_argument("--condition", help="condition contains this text")
    lst.add_argument("--sponsor", help="lead sponsor contains this text")
    lst.add_argument("--sort", default="registry_id", choices=repo.LIST_COLUMNS[1:])

    srch = sub.add_parser("search", parents=[common], help="full-text search")
    srch.add_argument("query", nargs="+")
    filters(srch)

    show = sub.add_parser("show", parents=[common], help="show one trial, every section")
    show.add_argument("id", help="NCT number or another identifier")
    show.add_argument("--json", action="store_true")

    cmp = sub.add_parser("compare", parents=[common], help="2 to 6 trials side by side, criteria aligned")
    cmp.add_argument("ids", nargs="+", metavar="ID")
    cmp.add_argument("--arms", action="store_true", help="the arms of one trial side by side")
    cmp.add_argument("--json", action="store_true")
    cmp.add_argument("--width", type=int, default=160)

    report = sub.add_parser(
        "report", parents=[common], help="a PDF (or HTML) brief, comparison or notes digest"
    )
    report.add_argument("kind", choices=["brief", "compare", "notes"])
    report.add_argument("ids", nargs="+", metavar="ID")
    report.add_argument("-o", "--output", required=True)
    report.add_argument("--format", choices=["pdf", "html"], default="pdf")
    report.add_argument("--template", help="a template of your own (a copy of one in reports/, edited)")
    report.add_argument("--reviewer", help="name in the footer (default: your user name)")
    report.add_argument("--no-notes", action="store_true", help="leave the reviewer notes out")

    db = sub.add_parser("db", parents=[common], help="check, back up or upgrade the store")
    db.add_argument("action", choices=["check", "backup", "upgrade"])
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if getattr(args, "verbose", False) else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    data_dir = paths.data_dir(getattr(args, "data_dir", None))
    command = args.command or "gui"
    try:
        if command == "gui":
            return cmd_gui(args, data_dir)
        if command == "db":
            return cmd_db(args, data_dir)
        store = open_library(data_dir)
        try:
            handlers = {
                "import": cmd_import,
                "list": cmd_list,
                "search": cmd_search,
                "show": cmd_show,
                "report": cmd_report,
                "compare": cmd_compare,
            }
            handler = handlers[command]
            return handler(args, store)
        finally:
            store.close()
    except StoreError as error:
        print(f"reviewer: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
