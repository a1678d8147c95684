"""The About box: what the app is, and the versions a bug report needs."""

from __future__ import annotations

import platform
import sqlite3
import sys
from pathlib import Path

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QVBoxLayout

from ... import __version__
from ..icons import icon


def versions() -> dict[str, str]:
    return {
        "Protocol Reviewer": __version__,
        "Qt": qVersion(),
        "PySide6": PySide6.__version__,
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
        "System": f"{platform.system()} {platform.release()}",
    }


class AboutDialog(QDialog):
    def __init__(self, parent=None, data_dir: Path | None = None, log_file: Path | None = None):
        super().__init__(parent)
        self.setWindowTitle("About Protocol Reviewer")
        logo = QLabel(self)
        logo.setPixmap(icon("app").pixmap(64, 64))
        rows = "".join(
            f"<tr><td>{name}</td><td>&nbsp;&nbsp;{value}</td></tr>" for name, value in versions().items()
        )
        where = ""
        if data_dir is not None:
            where += f"<p>Data folder: {data_dir}</p>"
        if log_file is not None:
            where += f"<p>Log file: {log_file}</p>"
        text = QLabel(
            "<h3>Protocol Reviewer</h3>"
            "<p>Review clinical-trial protocols offline: trials side by side, notes on the exact item.</p>"
            f"<table>{rows}</table>{where}"
            f"<p>Python {sys.version.split()[0]} · trial records are ClinicalTrials.gov data "
            "(U.S. National Library of Medicine).</p>",
            self,
        )
        text.setTextFormat(Qt.TextFormat.RichText)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        text.setWordWrap(True)
        self.text_label = text
        top = QHBoxLayout()
        top.addWidget(logo, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)
