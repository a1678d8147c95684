"""The layering contracts of pyproject.toml ([tool.importlinter]): the core never imports Qt; the store
never imports the importers; the GUI and the command line reach the store only through the core's Library."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO_ROOT


def test_import_contracts_hold():
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint_imports, "import-linter is not installed in the test environment"
    result = subprocess.run([lint_imports], cwd=REPO_ROOT, capture_output=True, text=True)
    assert "reviewer.core imports no Qt KEPT" in result.stdout, result.stdout + result.stderr
    assert "the store does not import the importers KEPT" in result.stdout, result.stdout + result.stderr
    assert "the GUI does not touch the store KEPT" in result.stdout, result.stdout + result.stderr
    assert "the command line talks to the Library, not to the store KEPT" in result.stdout, result.stdout
    assert "the core is layered (records, their meaning, the store, the work on them) KEPT" in result.stdout, result.stdout
    assert result.returncode == 0, result.stdout + result.stderr


def _loaded(statements: str, packages: tuple[str, ...]) -> list[str]:
    """The modules of ``packages`` that a fresh interpreter has loaded after ``statements``."""
    code = f"import sys; {statements}; print(sorted(m for m in sys.modules if m.split('.')[0] in {packages!r}))"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    return ast.literal_eval(result.stdout)


def test_importing_the_core_loads_no_qt():
    assert _loaded("import reviewer.core.ingest, reviewer.core.library, reviewer.cli", ("PySide6", "shiboken6")) == []


def test_the_first_paint_and_the_command_line_load_no_store_library():
    """core/preview.py and cli.py read the library's columns from store/columns.py, which stays light."""
    statements = "import reviewer.core.preview, reviewer.cli; reviewer.cli.build_parser()"
    assert _loaded(statements, ("sqlalchemy", "sqlmodel", "alembic", "orjson")) == []


def test_nothing_reads_beside_the_clone():
    """A user's clone has nothing beside it: no code, test, script or build file reaches for the folder beside it
    (the corpus they need is tests/fixtures/corpus.tar.xz). `.ci/run` proves it by running the suite
    in a fresh clone in an empty folder; this catches a new reference before CI does."""
    import re

    # the folder's name is joined here so that this test's own text is not a reference to it
    beside = "sha" + "red"
    outside = re.compile(
        rf"\.\./{beside}|REVIEWER_{beside.upper()}|parents?\[?\d*\]?\s*/\s*[\"']{beside}[\"']|parent\.parent / [\"']{beside}"
    )
    places = [REPO_ROOT / "Makefile", *(REPO_ROOT / ".ci").iterdir()]
    for folder in ("reviewer", "tests", "installer", "reports", "resources"):
        places += [p for p in (REPO_ROOT / folder).rglob("*") if p.suffix in {".py", ".sh", ".j2", ".spec", ".cfg", ""}]
    offenders = [
        str(p.relative_to(REPO_ROOT))
        for p in places
        if p.is_file() and ".unpacked" not in p.parts and p != Path(__file__) and outside.search(p.read_text(errors="replace"))
    ]
    assert offenders == []
