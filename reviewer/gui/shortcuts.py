"""The keyboard shortcuts the window really binds, read from its menus and actions (never a list
kept by hand): what Help › Keyboard shortcuts shows, and what the tests compare with the actions.

``bindings(window)`` walks the menu bar (submenus included) in menu order, then the window's other
actions and QShortcuts that have keys; an action whose keys only work in one pane (a widget
shortcut) says where.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QMainWindow, QMenu, QWidget

OTHER_GROUP = "Other"


@dataclass(frozen=True)
class Binding:
    group: str  # the menu path ("View", "File › Recent comparisons") or OTHER_GROUP
    name: str  # the command, without its mnemonic ("Go to the library")
    keys: tuple[str, ...]  # as shown to people ("Ctrl+1", "Ctrl+PgDown")
    where: str = ""  # "" for the whole window, else the pane its keys work in

    @property
    def keys_text(self) -> str:
        return ", ".join(self.keys)


def plain_text(text: str) -> str:
    """A menu text without its mnemonic ampersands or the "…" of a command that asks more."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


def key_texts(sequences: list[QKeySequence]) -> tuple[str, ...]:
    """The keys people type, as they read them. Left out: the keys few keyboards have that a
    platform's standard bindings add (a "Find" or "Redo" key: Qt.Key_Back onwards; F13 to F35, as
    Sun's F14 for Undo), and Backtab, which is Shift+Tab's twin (bound too so that either event
    form matches)."""
    texts = [
        s.toString(QKeySequence.SequenceFormat.NativeText)
        for s in sequences
        if not s.isEmpty() and _typed(s[0].key())
    ]
    return tuple(dict.fromkeys(texts))


def _typed(key: Qt.Key) -> bool:
    return key < Qt.Key.Key_Back and key != Qt.Key.Key_Backtab and not Qt.Key.Key_F13 <= key <= Qt.Key.Key_F35


def _where(action: QAction) -> str:
    if action.shortcutContext() not in (
        Qt.ShortcutContext.WidgetShortcut,
        Qt.ShortcutContext.WidgetWithChildrenShortcut,
    ):
        return ""
    widget = action.parent()
    name = widget.accessibleName() if isinstance(widget, QWidget) else ""
    return f"in the {name.lower()}" if name else "in its pane"


def _menu_bindings(menu: QMenu, group: str, seen: set[int], found: list[Binding]) -> None:
    for action in menu.actions():
        if action.isSeparator():
            continue
        submenu = action.menu()
        if isinstance(submenu, QMenu):
            _menu_bindings(submenu, f"{group} › {plain_text(submenu.title())}", seen, found)
            continue
        seen.add(id(action))
        keys = key_texts(action.shortcuts())
        if keys:
            found.append(Binding(group, plain_text(action.text()), keys, _where(action)))


def bindings(window: QMainWindow) -> list[Binding]:
    """Every command of ``window`` that has a key, in menu order, then the others."""
    found: list[Binding] = []
    seen: set[int] = set()
    for action in window.menuBar().actions():
        menu = action.menu()
        if isinstance(menu, QMenu):
            _menu_bindings(menu, plain_text(menu.title()), seen, found)
    for action in window.findChildren(QAction):
        keys = key_texts(action.shortcuts())
        if keys and id(action) not in seen and action.text():
            seen.add(id(action))
            found.append(Binding(OTHER_GROUP, plain_text(action.text()), keys, _where(action)))
    for shortcut in window.findChildren(QShortcut):
        keys = key_texts(shortcut.keys())
        if keys and shortcut.whatsThis():
            found.append(Binding(OTHER_GROUP, shortcut.whatsThis(), keys))
    return found
