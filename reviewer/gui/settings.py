"""The app's preferences and remembered state: QSettings in INI format inside the data folder.

Keeping the file beside the store (data_dir/settings.ini) keeps every data folder, and every test,
isolated. Values that Qt's INI backend would type ambiguously (lists) are stored as JSON text.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QSettings

SETTINGS_FILE = "settings.ini"
MAX_RECENT = 8
APPEARANCES = ("system", "light", "dark")


class Settings:
    """Typed access to the few settings the app keeps."""

    def __init__(self, data_dir: Path):
        self.qsettings = QSettings(str(Path(data_dir) / SETTINGS_FILE), QSettings.Format.IniFormat)

    # preferences
    def author(self) -> str:
        """The name written on new notes; empty until the user has given one (see has_author)."""
        return str(self.qsettings.value("author", "")).strip()

    def has_author(self) -> bool:
        return bool(self.author())

    def set_author(self, name: str) -> None:
        self.qsettings.setValue("author", name.strip())
        self.qsettings.sync()

    def appearance(self) -> str:
        value = str(self.qsettings.value("appearance", "system"))
        return value if value in APPEARANCES else "system"

    def set_appearance(self, value: str) -> None:
        self.qsettings.setValue("appearance", value if value in APPEARANCES else "system")
        self.qsettings.sync()

    # recent comparisons: lists of registry ids, newest first
    def recent_comparisons(self) -> list[list[str]]:
        raw = self.qsettings.value("recent_comparisons", "[]")
        try:
            value = json.loads(str(raw))
        except ValueError:
            return []
        return [list(map(str, ids)) for ids in value if isinstance(ids, list) and ids][:MAX_RECENT]

    def add_recent_comparison(self, ids: list[str]) -> None:
        recent = [r for r in self.recent_comparisons() if r != list(ids)]
        recent.insert(0, list(ids))
        self.qsettings.setValue("recent_comparisons", json.dumps(recent[:MAX_RECENT]))
        self.qsettings.sync()

    # the Report dialog's last choices: reviewer name, sections, notes on or off, save folder
    def report_choices(self) -> dict:
        return self._json_object("report_choices")

    def set_report_choices(self, choices: dict) -> None:
        self._set_json("report_choices", choices)

    # the workspace's tabs at the last close: [{"kind": "trial"|"compare"|"arms", "ids": [...]}, ...]
    def open_tabs(self) -> tuple[list[dict], int]:
        try:
            value = json.loads(str(self.qsettings.value("open_tabs", "{}")))
        except ValueError:
            return [], -1
        if not isinstance(value, dict):
            return [], -1
        tabs = [
            {"kind": str(tab.get("kind")), "ids": [str(i) for i in tab.get("ids", [])]}
            for tab in value.get("tabs", [])
            if isinstance(tab, dict) and isinstance(tab.get("ids"), list)
        ]
        current = value.get("current", -1)
        return tabs, current if isinstance(current, int) else -1

    def set_open_tabs(self, tabs: list[dict], current: int) -> None:
        self.qsettings.setValue("open_tabs", json.dumps({"tabs": tabs, "current": current}))

    # the patient check's form: {"patient": the patient file's JSON, "whole_library": bool}
    def patient_check(self) -> dict:
        return self._json_object("patient_check")

    def set_patient_check(self, state: dict) -> None:
        self._set_json("patient_check", state)

    def _json_object(self, key: str) -> dict:
        """A setting kept as a JSON object ({} when missing or damaged)."""
        try:
            value = json.loads(str(self.qsettings.value(key, "{}")))
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    def _set_json(self, key: str, value) -> None:
        self.qsettings.setValue(key, json.dumps(value, ensure_ascii=False))
        self.qsettings.sync()

    # window state (bytes from saveGeometry / saveState)
    def state(self, key: str) -> bytes | None:
        value = self.qsettings.value(f"window/{key}")
        if value is None:
            return None
        try:
            return bytes(value)
        except TypeError:
            return None

    def set_state(self, key: str, value) -> None:
        self.qsettings.setValue(f"window/{key}", value)

    def sync(self) -> None:
        self.qsettings.sync()
