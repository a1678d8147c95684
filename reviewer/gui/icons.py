"""The app's SVG icons, loaded by path from resources/icons (sharp at any device-pixel ratio)."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from .. import paths


def icon_path(name: str) -> str:
    return str(paths.resources_dir() / "icons" / f"{name}.svg")


@cache
def icon(name: str) -> QIcon:
    """QIcon of resources/icons/<name>.svg (an empty icon if the file is missing)."""
    return QIcon(icon_path(name))
