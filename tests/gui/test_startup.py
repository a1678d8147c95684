"""Start-up: the window shows the library's first rows (read with plain sqlite3) before the core is
loaded, and completes itself when the store is open."""

from __future__ import annotations

from reviewer.core import preview as startup
from reviewer.core.library import Library
from reviewer.core.store import listing
from reviewer.core.store.db import STORE_FILE_NAME, head_revision
from reviewer.core.store.tables import NOTE_TAGS
from reviewer.gui import tasks
from reviewer.gui.dialogs.note_editor import TAGS
from reviewer.gui.main_window import MainWindow


def test_the_preview_matches_the_repository(library, data_dir):
    assert startup.STORE_FILE_NAME == STORE_FILE_NAME
    assert head_revision() in startup.SCHEMA_REVISIONS
    assert TAGS == NOTE_TAGS
    total, rows = startup.read_preview(data_dir)
    with library.store.session() as session:
        assert total == listing.count_trials(session)
        assert rows == listing.list_trials(session, limit=200)


def test_no_preview_without_a_store(tmp_path):
    assert startup.read_preview(tmp_path / "nothing") is None
    folder = tmp_path / "junk"
    folder.mkdir()
    (folder / STORE_FILE_NAME).write_bytes(b"not a database at all" * 100)
    assert startup.read_preview(folder) is None


def test_window_before_and_after_the_store_opens(qtbot, data_dir):
    preview = startup.read_preview(data_dir)
    window = MainWindow(None, data_dir, preview=preview)
    qtbot.addWidget(window)
    window.show()
    model = window.library.model
    assert model.total() == 3 and model.data(model.index(0, 0)) == "NCT02455596"
    assert not window.action_import_files.isEnabled()
    assert window.open_trial("NCT07312656") is None  # remembered, opened with the store
    window.library.search.setText("mucositis")
    window.library._run_search()
    assert model.total() == 3  # the search waits for the store too
    library = Library.open(data_dir)
    try:
        with qtbot.waitSignal(model.sig_loaded):
            window.attach_library(library)
        assert [model.data(model.index(r, 0)) for r in range(model.rowCount())] == ["NCT07312656"]
        assert window.workspace.currentWidget().registry_id == "NCT07312656"
        assert window.action_import_files.isEnabled()
        window.close()
        tasks.wait_all()
    finally:
        library.close()


def test_a_first_start_announces_the_sample_trials_once_they_are_in(qtbot, tmp_path):
    folder = tmp_path / "new"
    window = MainWindow(None, folder, preview=startup.read_preview(folder))
    qtbot.addWidget(window)
    window.show()
    assert window.library.model.total() == 0
    library = Library.open(folder)  # a first start: the samples are imported
    try:
        with qtbot.waitSignal(window.library.model.sig_loaded):
            window.attach_library(library)
        assert window.library.model.total() == 3
        assert window.statusBar().currentMessage() == "3 trials in the library"
        window.close()
        tasks.wait_all()
    finally:
        library.close()


def test_an_older_library_shows_its_rows_and_how_far_its_upgrade_is(qtbot, tmp_path):
    import shutil

    from reviewer.gui.app import _open_library
    from tests.conftest import FIXTURES_DIR

    folder = tmp_path / "old"
    folder.mkdir()
    shutil.copy(FIXTURES_DIR / "stores" / "0002.sqlite3", folder / STORE_FILE_NAME)
    window = MainWindow(None, folder, preview=startup.read_preview(folder))
    qtbot.addWidget(window)
    window.show()
    assert window.library.model.total() == 3  # read from the old schema while it is upgraded
    shown = []
    window.statusBar().messageChanged.connect(shown.append)
    opened = []
    tasks.start(_open_library, folder, on_finished=opened.append, on_progress=window.show_progress)
    qtbot.waitUntil(lambda: bool(opened), timeout=20000)
    library = opened[0]
    try:
        assert shown[:2] == ["Copying the library aside before upgrading it…", "Upgrading the library…"]
        assert "Upgrading the library: 3 of 3 trial records…" in shown
        window.attach_library(library)
        qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "3 trials in the library")
        window.close()
        tasks.wait_all()
    finally:
        library.close()
