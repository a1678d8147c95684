"""Where things are: the user's data folder, and the bundled resources/ and reports/ folders.

Resources are found beside the package in a source tree and under sys._MEIPASS in a frozen bundle.
The data folder is always the user's (platformdirs), never inside the bundle; --data-dir or the
REVIEWER_DATA_DIR environment variable overrides it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from platformdirs import user_data_path

APP_NAME = "ProtocolReviewer"


def bundle_root() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    return bundle_root() / "resources"


def reports_dir() -> Path:
    return bundle_root() / "reports"


def samples_dir() -> Path:
    return resources_dir() / "samples"


def data_dir(override: str | os.PathLike | None = None) -> Path:
    if override:
        return Path(override).expanduser().resolve()
    env = os.environ.get("REVIEWER_DATA_DIR")
    if env:
        return Path(env).expanduser().resolve()
    return user_data_path(APP_NAME, appauthor=False)


def templates_dir(data: Path) -> Path:
    """The user's report templates: a file here replaces the built-in of the same name."""
    return data / "templates"


def log_file(data: Path) -> Path:
    return data / "logs" / "reviewer.log"
