"""Keyboard-only use: Tab leaves the tables, the focus shortcuts land where they say, Ctrl+Tab and
Ctrl+PgDown switch tabs, every menu has distinct mnemonics, no two commands share a key, the main
widgets have accessible names, and Help › Keyboard shortcuts lists exactly what the actions bind."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu

from reviewer.gui.shortcuts import key_texts, plain_text

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def focus(qtbot, widget) -> None:
    widget.activateWindow()
    widget.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget)


def menu_actions(menu: QMenu) -> list[QAction]:
    found = []
    for action in menu.actions():
        if action.menu() is not None:
            found.extend(menu_actions(action.menu()))
        elif not action.isSeparator():
            found.append(action)
    return found


def all_menu_actions(window) -> list[QAction]:
    return [a for top in window.menuBar().actions() for a in menu_actions(top.menu())]


def test_tab_and_shift_tab_leave_the_library(window, qtbot):
    table = window.library.table
    focus(qtbot, table)
    qtbot.keyClick(table, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not table
    focus(qtbot, table)
    qtbot.keyClick(table, Qt.Key.Key_Backtab, SHIFT)
    assert QApplication.focusWidget() is not table
    assert not window.notes_panel.view.tabKeyNavigation()


def test_ctrl_tab_and_ctrl_page_down_switch_the_tabs(window, qtbot):
    for registry_id in ("NCT02455596", "NCT06924645", "NCT07312656"):
        view = window.open_trial(registry_id)
    assert window.workspace.currentIndex() == 2
    focus(qtbot, view.browser)  # inside a trial: its own keys do not swallow Ctrl+Tab
    qtbot.keyClick(view.browser, Qt.Key.Key_Tab, CTRL)
    assert window.workspace.currentIndex() == 0  # round from the last to the first
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_PageDown, CTRL)
    assert window.workspace.currentIndex() == 1
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Backtab, CTRL | SHIFT)
    assert window.workspace.currentIndex() == 0
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_PageUp, CTRL)
    assert window.workspace.currentIndex() == 2
    focus(qtbot, window.library.table)  # from the library too
    qtbot.keyClick(window.library.table, Qt.Key.Key_Tab, CTRL)
    assert window.workspace.currentIndex() == 0


def test_the_focus_shortcuts_land_where_they_say(window, qtbot):
    window.open_trial("NCT07312656")
    view = window.workspace.currentWidget()
    focus(qtbot, window.library.search)
    qtbot.keyClick(window.library.search, Qt.Key.Key_2, CTRL)
    assert QApplication.focusWidget() is view.browser
    qtbot.keyClick(view.browser, Qt.Key.Key_3, CTRL)
    assert QApplication.focusWidget() is window.notes_panel.view
    qtbot.keyClick(window.notes_panel.view, Qt.Key.Key_1, CTRL)
    table = window.library.table
    assert QApplication.focusWidget() is table and table.currentIndex().isValid()
    qtbot.keyClick(table, Qt.Key.Key_F, CTRL)
    assert QApplication.focusWidget() is window.library.search
    # Ctrl+U shows the source, and the focus goes with it
    focus(qtbot, view.browser)
    qtbot.keyClick(view.browser, Qt.Key.Key_U, CTRL)
    assert view.tabs.currentIndex() == 1 and QApplication.focusWidget() is view.source
    qtbot.keyClick(view.source, Qt.Key.Key_2, CTRL)
    assert QApplication.focusWidget() is view.source
    qtbot.keyClick(view.source, Qt.Key.Key_U, CTRL)
    assert view.tabs.currentIndex() == 0 and QApplication.focusWidget() is view.browser


def test_enter_in_the_library_opens_the_trial(window, qtbot):
    table = window.library.table
    focus(qtbot, table)
    qtbot.keyClick(table, Qt.Key.Key_1, CTRL)
    registry_id = window.library.model.registry_id_at(table.currentIndex().row())
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert window.workspace.currentWidget().registry_id == registry_id


def test_every_menu_has_distinct_mnemonics(window):
    window.compare(["NCT02455596", "NCT06924645"])
    window.compare(["NCT02455596", "NCT07312656"])  # the recent comparisons are numbered
    def mnemonic(text: str) -> str | None:
        stripped = text.replace("&&", "")
        at = stripped.find("&")
        return stripped[at + 1].casefold() if 0 <= at < len(stripped) - 1 else None

    menus = [("menu bar", [a for a in window.menuBar().actions()])]
    stack = [a.menu() for a in window.menuBar().actions()]
    while stack:
        menu = stack.pop()
        entries = [a for a in menu.actions() if not a.isSeparator()]
        menus.append((menu.title(), entries))
        stack.extend(a.menu() for a in entries if a.menu() is not None)
    for title, entries in menus:
        letters = [mnemonic(a.text()) for a in entries]
        assert None not in letters, (title, [a.text() for a in entries])
        assert len(set(letters)) == len(letters), (title, [a.text() for a in entries])


def test_no_two_commands_share_a_key(window):
    window.open_trial("NCT07312656")
    window.compare(["NCT02455596", "NCT06924645"])
    keys = Counter()
    for action in window.findChildren(QAction):
        if action.shortcutContext() == Qt.ShortcutContext.WindowShortcut:
            for sequence in action.shortcuts():
                keys[sequence.toString()] += 1
    assert keys and [key for key, count in keys.items() if count > 1] == []


def test_the_toolbars_commands_are_in_the_menus(window):
    in_menus = set(map(id, all_menu_actions(window)))
    assert [a.text() for a in window.toolbar.actions() if not a.isSeparator() and id(a) not in in_menus] == []
    view = window.open_trial("NCT07312656")
    menu_texts = {plain_text(a.text()).casefold() for a in all_menu_actions(window)}
    # a trial's own toolbar: Add note, Compare arms, Source
    for action in view.toolbar.actions():
        assert any(plain_text(action.text()).casefold() in text for text in menu_texts), action.text()


def test_the_shortcuts_page_lists_what_the_menus_bind(window, qtbot):
    qtbot.keyClick(window, Qt.Key.Key_F1)
    dialog = window.shortcuts_dialog
    assert dialog.isVisible() and dialog.windowTitle() == "Keyboard shortcuts"
    rows = dialog.rows()
    expected = []
    for top in window.menuBar().actions():
        for action in menu_actions(top.menu()):
            # typed keys only: not the media keys ("Find") of the standard bindings, F13 and up, Backtab
            typed = [
                s for s in action.shortcuts()
                if s[0].key() < Qt.Key.Key_F13 and "Backtab" not in s.toString()
            ]
            keys = [s.toString(QKeySequence.SequenceFormat.NativeText) for s in typed]
            if keys:
                name = plain_text(action.text())
                if action.shortcutContext() == Qt.ShortcutContext.WidgetShortcut:
                    name += f" (in the {action.parent().accessibleName().lower()})"
                expected.append((plain_text(top.text()), name, ", ".join(keys)))
    assert rows == expected  # every binding, in menu order, nothing else
    listed = {(c, k) for _g, c, k in rows}
    for name, keys in (
        ("Go to the library", "Ctrl+1"),
        ("Go to the open tab", "Ctrl+2"),
        ("Go to the notes", "Ctrl+3"),
        ("Find trials", "Ctrl+F"),
        ("Next tab", "Ctrl+Tab, Ctrl+PgDown"),
        ("Previous tab", "Ctrl+Shift+Tab, Ctrl+PgUp"),
        ("Keyboard shortcuts", "F1, Ctrl+/"),
        ("Edit note (in the notes list)", "F2"),
    ):
        assert (name, keys) in listed
    # a key bound later shows the next time the page opens: it is read from the actions
    window.action_preferences.setShortcut(QKeySequence("Ctrl+,"))
    dialog.close()
    window.action_shortcuts.trigger()
    preferences_keys = QKeySequence("Ctrl+,").toString(QKeySequence.SequenceFormat.NativeText)
    assert ("Edit", "Preferences", preferences_keys) in window.shortcuts_dialog.rows()
    window.shortcuts_dialog.filter_edit.setText("ctrl+3")
    assert [r[1] for r in window.shortcuts_dialog.rows(visible_only=True)] == ["Go to the notes"]
    window.shortcuts_dialog.close()
    assert key_texts([QKeySequence("Ctrl+Shift+Backtab")]) == ()


def test_the_main_widgets_have_accessible_names(window):
    window.open_trial("NCT07312656")
    comparison = window.compare(["NCT02455596", "NCT06924645"])
    library = window.library
    names = {
        library.table: "Trial library",
        library.search: "Search trials",
        library.filters["statuses"]: "Status filter",
        library.filters["phases"]: "Phase filter",
        library.filters["study_types"]: "Study type filter",
        window.notes_panel.view: "Notes list",
        window.notes_panel: "Notes",
        window.trial_views()[0].browser: "Trial record NCT07312656",
        comparison.table: "Comparison of NCT02455596, NCT06924645",
    }
    assert {widget.accessibleName(): name for widget, name in names.items()} == {n: n for n in names.values()}


def test_a_note_on_selected_text_from_the_keyboard_alone(window, library, qtbot):
    from .conftest import stored_notes

    table = window.library.table
    focus(qtbot, table)
    qtbot.keyClick(table, Qt.Key.Key_1, CTRL)
    while window.library.model.registry_id_at(table.currentIndex().row()) != "NCT06924645":
        qtbot.keyClick(table, Qt.Key.Key_Down)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_2, CTRL)
    view = window.workspace.currentWidget()
    browser = view.browser
    assert QApplication.focusWidget() is browser
    # the caret moves to the first exclusion criterion's text (as arrows would), Shift+Right selects
    position = next(p for p, n in view._anchor_positions if view.rendered.items[n] == ("criterion", "exclusion/1"))
    cursor = browser.textCursor()
    cursor.setPosition(position + 1)
    browser.setTextCursor(cursor)
    qtbot.keyClick(browser, Qt.Key.Key_Down)
    qtbot.keyClick(browser, Qt.Key.Key_Home)
    for _ in range(6):
        qtbot.keyClick(browser, Qt.Key.Key_Right, SHIFT)
    selected = browser.textCursor().selectedText()
    assert len(selected) == 6
    qtbot.keyClick(browser, Qt.Key.Key_N, CTRL)
    editor = window.note_editor
    assert editor.isVisible()
    editor.activateWindow()  # as a desktop does with a dialog that opens (offscreen does not)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is editor)
    assert QApplication.focusWidget() is editor.body_edit
    qtbot.keyClicks(editor.body_edit, "Typed without a mouse.")
    qtbot.keyClick(editor.body_edit, Qt.Key.Key_Return, CTRL)
    notes = stored_notes(library)
    assert [(n["kind"], n["key"], n["body"]) for n in notes] == [("criterion", "exclusion/1", "Typed without a mouse.")]
    assert notes[0]["body"] and not editor.isVisible()
