"""Drafts of notes being typed, kept in the data folder so that a crash does not lose them.

The note editor writes its text here as the user types (debounced); the window offers a draft
again when an editor opens on the same trial item (or the same note), and at start. A draft is
removed when its note is saved or discarded. One small JSON file per draft in data_dir/drafts/,
written to a temporary file and renamed into place, so a crash mid-write leaves the last draft whole.

A draft is a plain dict: ``key``, ``kind`` ("new" or "edit"), ``registry_id``, ``label``, ``body``,
``tag``, ``saved_at`` (ISO time, UTC), and ``anchor`` (a new note: what it is on, ANCHOR_FIELDS) or
``note`` (an edited note: its id, trial, item, quote, body, tag and author as they were).
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path

from ..core.items import stored_anchor

log = logging.getLogger(__name__)

DRAFTS_FOLDER = "drafts"
NOTE_FIELDS = ("id", "trial_id", "registry_id", "item_kind", "item_key", "quote", "body", "tag", "author")
# a new note's anchor (items.ItemRef or TextSpan) as its stored columns, in items.anchor_of's order
ANCHOR_FIELDS = ("kind", "key", "quote", "span_start", "span_end")


def new_note_key(trial_id: int, anchor) -> str:
    """The draft key of a new note on one item (or one quoted span) of a trial."""
    import hashlib  # loads OpenSSL: not at start

    fields = json.dumps(list(anchor_fields(anchor).values()), ensure_ascii=False)
    return f"new-{trial_id}-{hashlib.sha256(fields.encode()).hexdigest()[:16]}"


def edited_note_key(note_id: int) -> str:
    return f"note-{note_id}"


def anchor_fields(anchor) -> dict:
    stored = stored_anchor(anchor)
    return dict(zip(ANCHOR_FIELDS, (stored["item_kind"], stored["item_key"], stored["quote"],
                                    stored["span_start"], stored["span_end"]), strict=True))


def note_fields(note: dict) -> dict:
    """The JSON-safe part of a note dict that reopening its editor needs."""
    return {name: note.get(name) for name in NOTE_FIELDS}


class NoteDrafts:
    """The drafts of one data folder. Failing to write one is logged, never raised: typing goes on."""

    def __init__(self, data_dir: Path):
        self.folder = Path(data_dir) / DRAFTS_FOLDER

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def save(self, draft: dict) -> bool:
        draft = {**draft, "saved_at": datetime.now(UTC).isoformat(timespec="seconds")}
        path = self._path(draft["key"])
        temporary = path.with_suffix(".tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary.write_text(json.dumps(draft, ensure_ascii=False), encoding="utf-8")
            os.replace(temporary, path)
        except OSError as error:
            log.warning("could not keep the draft %s: %s", path, error)
            return False
        return True

    def load(self, key: str) -> dict | None:
        return _read(self._path(key))

    def remove(self, key: str) -> None:
        try:
            self._path(key).unlink(missing_ok=True)
        except OSError as error:
            log.warning("could not remove the draft %s: %s", key, error)

    def all(self) -> list[dict]:
        """Every readable draft, newest first."""
        try:
            paths = list(self.folder.glob("*.json"))
        except OSError:
            return []
        drafts = [draft for draft in map(_read, paths) if draft is not None]
        return sorted(drafts, key=lambda draft: str(draft.get("saved_at", "")), reverse=True)


def _read(path: Path) -> dict | None:
    try:
        draft = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        log.warning("ignoring the unreadable draft %s: %s", path, error)
        return None
    valid = (
        isinstance(draft, dict)
        and isinstance(draft.get("key"), str)
        and isinstance(draft.get("body"), str)
        and (
            (draft.get("kind") == "new" and isinstance(draft.get("anchor"), dict))
            or (draft.get("kind") == "edit" and isinstance(draft.get("note"), dict))
        )
    )
    return draft if valid else None


def saved_at_text(draft: dict) -> str:
    """When a draft was last written, in local time for people ("2026-12-02 14:05")."""
    try:
        moment = datetime.fromisoformat(str(draft.get("saved_at")))
    except ValueError:
        return "an earlier session"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return f"{moment.astimezone():%Y-%m-%d %H:%M}"
