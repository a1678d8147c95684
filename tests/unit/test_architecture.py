"""The layering contracts of pyproject.toml ([tool.importlinter]): the core never imports Qt."""

from __future__ import annotations

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
    assert result.returncode == 0, result.stdout + result.stderr


def test_importing_the_core_loads_no_qt():
    code = (
        "import sys, reviewer.core.ingest, reviewer.core.library, reviewer.cli; "
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_cli_sort_choices_match_the_store():
    """cli.py repeats the list columns so that `reviewer gui` starts without loading the store."""
    from reviewer import cli
    from reviewer.core.store import repo

    assert repo.LIST_COLUMNS[1:] == cli.LIST_SORT_COLUMNS
