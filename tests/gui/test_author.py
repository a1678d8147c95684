"""The author of notes: asked once, at the first note, prefilled with the system's full name (the
GECOS field of the passwd entry) and never with a bare login such as "root"; changeable in
Preferences."""

from __future__ import annotations

import getpass
import pwd
from types import SimpleNamespace

import pytest

from reviewer.core.people import system_full_name
from reviewer.gui.settings import Settings

from .conftest import drop_typed_note, stored_notes


@pytest.fixture
def gecos(monkeypatch):
    """Set the passwd entry's GECOS field (and the login) this process sees."""

    def set_gecos(value: str, login: str = "alovelace") -> None:
        monkeypatch.setattr(pwd, "getpwuid", lambda _uid: SimpleNamespace(pw_gecos=value, pw_name=login))
        monkeypatch.setattr(getpass, "getuser", lambda: login)

    return set_gecos


@pytest.fixture
def unsigned_window(qtbot, library, data_dir):
    """The window on a data folder where no author was given yet."""
    from reviewer.gui import tasks
    from reviewer.gui.main_window import MainWindow

    (data_dir / "settings.ini").unlink()
    win = MainWindow(library, data_dir)
    qtbot.addWidget(win, before_close_func=drop_typed_note)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
    tasks.wait_all()


def test_the_full_name_comes_from_gecos_and_never_a_login(gecos):
    gecos("Ada  Lovelace,Room 3,555-0100,")
    assert system_full_name() == "Ada Lovelace"
    for value, login in (("root", "root"), ("alovelace", "alovelace"), ("", "alovelace"), (",,,", "ada"),
                         ("ROOT", "admin")):
        gecos(value, login)
        assert system_full_name() == "", value


def test_this_machines_suggestion_is_never_its_login():
    suggestion = system_full_name()
    assert suggestion.casefold() not in {getpass.getuser().casefold(), "root"} or suggestion == ""


def test_the_first_note_asks_for_the_author_prefilled_from_gecos(unsigned_window, library, qtbot, gecos):
    gecos("Ada Lovelace,,,")
    window = unsigned_window
    assert window.settings.author() == ""
    view = window.open_trial("NCT07312656")
    view.request_note_on("trial", "")
    dialog = window.author_dialog
    assert dialog.isVisible() and window.note_editor is None
    assert dialog.name_edit.text() == "Ada Lovelace"
    dialog.name_edit.setText("Dr. Ada Lovelace")
    dialog.accept()
    editor = window.note_editor
    assert editor is not None and editor.isVisible() and editor.author_label.text() == "Dr. Ada Lovelace"
    editor.set_values("Signed by a person.")
    editor.accept()
    assert window.notes_panel.model.notes[0]["author"] == "Dr. Ada Lovelace"
    assert Settings(window.data_dir).author() == "Dr. Ada Lovelace"  # kept in the settings file
    # asked once: the next note opens at once
    window.author_dialog = None
    view.request_note_on("criterion", "inclusion/1")
    assert window.author_dialog is None and window.note_editor.isVisible()
    window.note_editor.reject()
    assert len(stored_notes(library)) == 1


def test_a_root_login_gets_an_empty_name_and_cancel_writes_nothing(unsigned_window, library, gecos):
    gecos("root", "root")
    window = unsigned_window
    view = window.open_trial("NCT07312656")
    view.request_note_on("trial", "")
    dialog = window.author_dialog
    assert dialog.name_edit.text() == ""
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert not ok.isEnabled()
    dialog.accept()  # no name: refused, the dialog stays
    assert dialog.isVisible() and window.settings.author() == ""
    dialog.reject()
    assert window.note_editor is None and stored_notes(library) == []
    view.request_note_on("trial", "")  # asked again next time
    assert window.author_dialog is not dialog and window.author_dialog.isVisible()
    window.author_dialog.reject()


def test_preferences_change_the_author(unsigned_window):
    window = unsigned_window
    dialog = window.show_preferences()
    assert dialog.author_edit.text() == ""
    dialog.author_edit.setText("  Grace Hopper ")
    dialog.accept()
    assert window.settings.author() == "Grace Hopper"
