"""Appearance: the Fusion style with a light or dark palette that follows the system (or the user's choice).

Colours used by views for meaning (rows that differ, highlighted items) are semi-transparent so they
read on either palette.
"""

from __future__ import annotations

import contextlib

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from .. import paths

DIFFERS = QColor(255, 184, 0, 50)  # amber wash: rows of a comparison whose trials differ
GROUP = QColor(128, 128, 128, 48)  # section header rows


def system_is_dark() -> bool:
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


def dark_palette() -> QPalette:
    p = QPalette()
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    colors = {
        role.Window: "#2b2d30",
        role.WindowText: "#e4e6e9",
        role.Base: "#1e1f22",
        role.AlternateBase: "#26282b",
        role.ToolTipBase: "#3a3d41",
        role.ToolTipText: "#e4e6e9",
        role.PlaceholderText: "#8b9099",
        role.Text: "#e4e6e9",
        role.Button: "#34363a",
        role.ButtonText: "#e4e6e9",
        role.BrightText: "#ff6b6b",
        role.Light: "#4a4d52",
        role.Midlight: "#3c3f44",
        role.Mid: "#45484d",
        role.Dark: "#18191b",
        role.Shadow: "#000000",
        role.Highlight: "#3d6fb6",
        role.HighlightedText: "#ffffff",
        role.Link: "#7ab0ff",
        role.LinkVisited: "#b59cff",
    }
    for r, color in colors.items():
        p.setColor(r, QColor(color))
    for r in (role.Text, role.WindowText, role.ButtonText):
        p.setColor(group.Disabled, r, QColor("#7b7f86"))
    return p


def light_palette() -> QPalette:
    style = QStyleFactory.create("Fusion")
    p = style.standardPalette() if style else QPalette()
    p.setColor(QPalette.ColorRole.Link, QColor("#1a5fb4"))
    p.setColor(QPalette.ColorRole.LinkVisited, QColor("#6a3fb4"))
    return p


def apply(app: QApplication, appearance: str = "system") -> bool:
    """Fusion style and the palette for ``appearance`` (system / light / dark); returns whether dark."""
    if "fusion" in [k.lower() for k in QStyleFactory.keys()]:  # noqa: SIM118 (a Qt list, not a dict)
        app.setStyle("Fusion")
    dark = appearance == "dark" or (appearance == "system" and system_is_dark())
    app.setPalette(dark_palette() if dark else light_palette())
    with contextlib.suppress(OSError):
        app.setStyleSheet((paths.resources_dir() / "style" / "app.qss").read_text(encoding="utf-8"))
    return dark


def follow_system(app: QApplication, appearance_getter) -> None:
    """Re-apply the palette when the system switches between light and dark."""
    QGuiApplication.styleHints().colorSchemeChanged.connect(
        lambda _scheme: apply(app, appearance_getter()) if appearance_getter() == "system" else None
    )
