"""The real `reviewer import` on a few of the hostile files: exit status 1, each file named with one
sentence, no traceback, nothing stored; the empty zip on its own, the big array without a study."""

from __future__ import annotations

import json

from tests.e2e.test_cli import reviewer
from tests.hostile.make_hostile import CASES

CHOSEN = {
    "zip-only-folders.zip": "the zip holds only folders and hidden files, no document",
    "zip-overlap.zip": "entries of the zip share their data",
    "big-array-no-study.json": "no study in big-array-no-study.json",
    "page-million-lists.txt": "holds too many values",
}


def _written(folder, name):
    case = next(case for case in CASES if case.name == name)
    path = folder / name
    if case.build.__code__.co_argcount:
        case.build(path)
    else:
        path.write_bytes(case.build())
    return path


def _failed_lines(out) -> list[str]:
    assert "Traceback" not in out.stdout + out.stderr and "Error" not in out.stdout, out
    lines = [line.strip() for line in out.stdout.splitlines() if line.strip().startswith("FAILED")]
    assert all(line.count("FAILED") == 1 for line in lines)
    return lines


def test_the_command_line_fails_each_file_with_one_sentence(tmp_path):
    data_dir = tmp_path / "data"
    empty = _written(tmp_path, "zip-empty.zip")
    out = reviewer(data_dir, "import", str(empty), check=False)
    assert out.returncode == 1, out
    assert _failed_lines(out) == [f"FAILED {empty}: the zip is empty"]

    paths = [_written(tmp_path, name) for name in CHOSEN]
    out = reviewer(data_dir, "import", *map(str, paths), check=False)
    assert out.returncode == 1, out
    failed = _failed_lines(out)
    for path in paths:
        assert any(line.startswith(f"FAILED {path}") and CHOSEN[path.name] in line for line in failed), failed
    assert json.loads(reviewer(data_dir, "list", "--json").stdout)["total"] == 3  # the samples alone
