"""The `reviewer` command line: gui (default), import, list, show, search, compare, grid, match, report,
db, correct and corrections.

Only argparse is loaded before the command is known, so `reviewer gui` shows its window without
first loading the store's libraries; the commands themselves live in commands.py (core only).
"""

from __future__ import annotations

import argparse
import logging
import sys

from . import __version__, paths
from .core.report_sections import SECTIONS
from .core.store.columns import LIST_SORT_COLUMNS


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
    gui.add_argument(
        "--self-test-pdf", metavar="PDF", help="with --self-test: also read this PDF's text with QtPdf and print it"
    )
    gui.add_argument("files", nargs="*", help="trial files to import once the library is open (the menu's Open with)")

    imp = sub.add_parser("import", parents=[common], help="import files, folders or zips")
    imp.add_argument("paths", nargs="+")
    path = imp.add_mutually_exclusive_group()
    path.add_argument(
        "--bulk",
        action="store_const",
        const=True,
        dest="bulk",
        help="the bulk path, taken by itself from 2,000 documents (a registry zip, a big folder or array): "
        "worker processes on every core parse and write batches in turn; skips sources already stored, "
        "so a re-run completes a cancelled import",
    )
    path.add_argument(
        "--serial",
        action="store_const",
        const=False,
        dest="bulk",
        help="the per-file path whatever the number of documents (a JSON array too big to read whole "
        "is still split by the bulk path)",
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
        p.add_argument("--results", choices=("yes", "no"), help="only the trials that posted results (yes) or not (no)")
        p.add_argument(
            "--facet",
            action="append",
            metavar="CONDITION",
            help="an eligibility condition the trial must not rule out (repeatable): ecog=2, karnofsky=70, "
            "'anc=1.0 10^9/L', 'creatinine=1.4 mg/dL', brain-mets, age=70, sex=female; gene=EGFR: the trial "
            "requires it. A trial that states nothing about the facet passes",
        )
        p.add_argument("--limit", type=int, default=100)
        p.add_argument("--json", action="store_true")

    lst = sub.add_parser("list", parents=[common], help="list the trials in the store")
    filters(lst)
    lst.add_argument("--condition", help="condition contains this text")
    lst.add_argument("--sponsor", help="lead sponsor contains this text")
    lst.add_argument("--sort", default="registry_id", choices=LIST_SORT_COLUMNS)

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

    grid = sub.add_parser(
        "grid", parents=[common], help="the eligibility grid of 2 to 50 trials: facets by trials, as text, CSV or PDF"
    )
    grid.add_argument("ids", nargs="+", metavar="ID")
    grid.add_argument("--csv", metavar="FILE", help="write the grid as CSV (UTF-8, opens in Excel)")
    grid.add_argument("--pdf", metavar="FILE", help="write the grid as a PDF (landscape, 8 trials a page)")
    grid.add_argument("--json", action="store_true")
    grid.add_argument("--width", type=int, default=160, help="the terminal's width for the text table")
    grid.add_argument("--reviewer", help="name in the PDF's footer (default: your full name as the system knows it)")
    match = sub.add_parser(
        "match", parents=[common], help="check a patient against trials (no ids: the whole library, ranked)"
    )
    match.add_argument("ids", nargs="*", metavar="ID", help="the trials to check (default: every trial)")
    match.add_argument(
        "--patient", required=True, metavar="FILE.json",
        help="the patient's values (the format: resources/patients/example.json)",
    )  # fmt: skip
    match.add_argument("--limit", type=int, default=20, help="show the first N trials of the ranking (default 20)")
    match.add_argument("--json", action="store_true")

    diff = sub.add_parser("diff", parents=[common], help="what changed between two versions of a trial")
    diff.add_argument("id", metavar="ID")
    diff.add_argument("--from", dest="from_version", type=int, metavar="N", help="version number (default: the one before --to)")
    diff.add_argument("--to", dest="to_version", type=int, metavar="M", help="version number (default: the newest)")
    diff.add_argument("--json", action="store_true")

    report = sub.add_parser(
        "report", parents=[common], help="a PDF (or HTML) brief, comparison, notes digest or eligibility grid"
    )
    report.add_argument("kind", choices=["brief", "compare", "notes", "grid"])
    report.add_argument("ids", nargs="+", metavar="ID")
    report.add_argument("-o", "--output", required=True, help="the file (a folder with --separate)")
    report.add_argument(
        "--separate",
        action="store_true",
        help="brief: one PDF per trial into the folder -o, rendered on every core",
    )
    report.add_argument("--format", choices=["pdf", "html"], default="pdf")
    report.add_argument("--template", help="a template of your own (a copy of one in reports/, edited)")
    report.add_argument(
        "--reviewer", help="name in the footer (default: your full name as the system knows it; none if it has none)"
    )
    report.add_argument("--no-notes", action="store_true", help="leave the reviewer notes out")
    report.add_argument(
        "--sections",
        help=f"only these parts, comma-separated: {', '.join(SECTIONS)}",
    )

    correct = sub.add_parser("correct", parents=[common], help="correct the facets of one criterion of a trial")
    correct.add_argument("id", metavar="ID")
    correct.add_argument("item", metavar="ITEM_KEY", help='the criterion: "criterion:inclusion/3" or "inclusion/3"')
    what = correct.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "--facets",
        metavar="JSON",
        help='every facet the criterion states, a JSON list in the shapes of `show --json` ([] for none); '
        "@FILE reads it from a file",
    )
    what.add_argument("--remove", action="store_true", help="remove the correction: facets from the text again")
    correct.add_argument("--reviewer", help="who corrects (default: your full name as the system knows it)")
    correct.add_argument("--json", action="store_true")
    corrections = sub.add_parser("corrections", parents=[common], help="the facet corrections of a trial")
    corrections.add_argument("id", metavar="ID")
    corrections.add_argument("--json", action="store_true")

    db = sub.add_parser("db", parents=[common], help="check, back up or upgrade the store")
    db.add_argument("action", choices=["check", "backup", "upgrade"])
    return parser


def _say(message: str) -> None:
    """Progress of long work (upgrading an older store), on stderr: stdout is the command's answer."""
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if getattr(args, "verbose", False) else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    data_dir = paths.data_dir(getattr(args, "data_dir", None))
    command = args.command or "gui"
    if command == "gui":
        from .gui.app import run  # Qt is imported only when the window is wanted

        return run(data_dir, args)
    from .commands import (
        cmd_compare,
        cmd_correct,
        cmd_corrections,
        cmd_db,
        cmd_diff,
        cmd_grid,
        cmd_import,
        cmd_list,
        cmd_match,
        cmd_report,
        cmd_search,
        cmd_show,
        say_error,
    )
    from .core.library import Library, StoreError, classify, store_path

    try:
        if command == "db":
            return cmd_db(args, data_dir)
        library = Library.open(data_dir, progress=_say)
        if library.read_only:
            say_error(f"{library.path} is read-only: it can be read, but changes cannot be saved")
        try:
            handlers = {
                "import": cmd_import,
                "list": cmd_list,
                "search": cmd_search,
                "show": cmd_show,
                "report": cmd_report,
                "compare": cmd_compare,
                "diff": cmd_diff,
                "grid": cmd_grid,
                "match": cmd_match,
                "correct": cmd_correct,
                "corrections": cmd_corrections,
            }
            handler = handlers[command]
            return handler(args, library)
        finally:
            library.close()
    except StoreError as error:
        say_error(str(error))
        return 2
    except BrokenPipeError:
        return 0
    except Exception as error:  # the store's own failures, from SQLite or SQLAlchemy; anything else is a bug
        failure = classify(error, store_path(data_dir))
        if failure is None:
            raise
        logging.getLogger("reviewer").debug("store failure", exc_info=True)
        say_error(str(failure))
        return 2
