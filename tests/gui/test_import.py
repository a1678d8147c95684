"""Import through the GUI's code path: in the background, with progress, cancel, refused files in a
copyable error dialog, and the library refreshed when done."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QPushButton

from reviewer.core.ingest import Progress
from reviewer.gui.dialogs.import_dialog import eta_text
from tests.conftest import store_content
from tests.corpus import corpus_dir


def corpus_files(n: int) -> list[Path]:
    return sorted((corpus_dir() / "ctgov-v2").glob("*.json"))[:n]


@pytest.fixture
def folder(tmp_path) -> Path:
    target = tmp_path / "to-import"
    target.mkdir()
    for path in corpus_files(4):
        shutil.copy(path, target / path.name)
    return target


def test_import_a_folder(window, qtbot, folder):
    model = window.library.model
    assert model.total() == 3
    with qtbot.waitSignal(window.sig_import_finished, timeout=30000) as blocker:
        window.import_paths([folder])
    report = blocker.args[0]
    assert report.count("added") == 4 and not report.failed
    qtbot.waitUntil(lambda: model.total() == 7)
    assert window.last_import.error_dialog is None
    assert "4 trial(s) added" in window.statusBar().currentMessage()
    ids = {model.registry_id_at(row) for row in range(model.total())}
    assert {p.stem for p in folder.iterdir()} <= ids


def test_a_bad_file_shows_the_errors_and_changes_nothing(window, qtbot, library, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.json").write_bytes(b"")
    (bad / "not-a-trial.txt").write_text("a shopping list\n", encoding="utf-8")
    before = store_content(library)
    with qtbot.waitSignal(window.sig_import_finished, timeout=30000) as blocker:
        window.import_paths([bad])
    report = blocker.args[0]
    assert len(report.failed) == 2
    dialog = window.last_import.error_dialog
    assert dialog is not None and dialog.isVisible() and not dialog.isModal()
    text = dialog.text()
    assert "2 files were not imported" in text
    assert "empty.json" in text and "not-a-trial.txt" in text
    assert str(window.log_file) in text
    assert dialog.details.isReadOnly()
    dialog.copy()
    from PySide6.QtGui import QGuiApplication

    assert "empty.json" in QGuiApplication.clipboard().text()
    dialog.close()
    assert store_content(library) == before
    assert window.library.model.total() == 3


def test_a_file_imported_with_warnings_shows_them(window, qtbot, tmp_path):
    import json

    from tests.unit.core.importers.minimal_study import NCT_ID, study

    path = tmp_path / "odd.json"
    path.write_text(json.dumps(study({"protocolSection.designModule.phases": 3})), encoding="utf-8")
    with qtbot.waitSignal(window.sig_import_finished, timeout=30000) as blocker:
        window.import_paths([path])
    assert blocker.args[0].count("added") == 1 and not blocker.args[0].failed
    dialog = window.last_import.error_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.windowTitle() == "Some files were imported with warnings"
    text = dialog.text()
    assert "1 file was imported with warnings" in text and "not imported" not in text
    assert f"{NCT_ID}: field protocolSection.designModule.phases is a number, not a list of texts" in text
    dialog.close()
    qtbot.waitUntil(lambda: window.library.model.total() == 4)


def test_cancel_stops_the_import(window, qtbot, tmp_path):
    target = tmp_path / "many"
    target.mkdir()
    for path in corpus_files(40):
        shutil.copy(path, target / path.name)
    with qtbot.waitSignal(window.sig_import_finished, timeout=30000) as blocker:
        controller = window.import_paths([target])
        button = controller.dialog.findChild(QPushButton)
        assert button.text() == "Cancel"
        button.click()
    report = blocker.args[0]
    assert report.cancelled
    assert report.documents < 40


def test_progress_dialog_shows_counts_and_eta(window, qtbot, folder):
    controller = window.import_paths([folder])
    controller.dialog.show_progress(Progress(done=10, total=40, current="trials/NCT01.json", elapsed=5.0))
    assert "10 of 40 document(s)" in controller.dialog.labelText()
    assert "about 15 s left" in controller.dialog.labelText()
    assert eta_text(125) == "about 2 min 05 s left" and eta_text(None) == ""
    with qtbot.waitSignal(window.sig_import_finished, timeout=30000):
        pass


def test_only_one_import_at_a_time(window, qtbot, folder):
    with qtbot.waitSignal(window.sig_import_finished, timeout=30000):
        assert window.import_paths([folder]) is not None
        assert window.import_paths([folder]) is None


def test_drop_files_onto_the_window(window, qtbot, folder):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder))])
    event = QDropEvent(
        QPoint(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(window.sig_import_finished, timeout=30000) as blocker:
        window.dropEvent(event)
    assert blocker.args[0].count("added") == 4


def test_a_big_import_takes_the_bulk_path_and_reloads_open_trials(window, qtbot, tmp_path, monkeypatch):
    """From BULK_FROM_DOCUMENTS documents the window imports through worker processes; its report
    keeps only counts, so an open trial that got a new version is read again all the same."""
    import json
    import zipfile

    import reviewer.core.ingest.plan as plan

    monkeypatch.setattr(plan, "BULK_FROM_DOCUMENTS", 100)
    studies = corpus_files(385)
    first = studies[0]
    with qtbot.waitSignal(window.sig_import_finished, timeout=30000):
        window.import_paths([first])  # one file: the per-file path
    view = window.open_trial(first.stem)
    assert view is not None and view.record.brief_title != "A newer title"

    newer = json.loads(first.read_text(encoding="utf-8"))
    newer["protocolSection"]["identificationModule"]["briefTitle"] = "A newer title"
    newer["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"] = {"date": "2099-01-01", "type": "ACTUAL"}
    archive_path = tmp_path / "ctg-studies.json.zip"
    with zipfile.ZipFile(archive_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in studies[1:]:
            archive.write(path, path.name)
        archive.writestr(first.name, json.dumps(newer))
    with qtbot.waitSignal(window.sig_import_finished, timeout=60000) as blocker:
        window.import_paths([archive_path])
    report = blocker.args[0]
    assert not report.keep_results and report.results == []  # the bulk path's report
    assert (report.count("added"), report.count("updated"), len(report.failed)) == (384, 1, 0)
    qtbot.waitUntil(lambda: window.library.model.total() == 3 + 385)
    assert view.record.brief_title == "A newer title"
    assert "384 trial(s) added, 1 updated" in window.statusBar().currentMessage()


def test_cancel_stops_a_bulk_import_between_batches(window, qtbot, tmp_path, monkeypatch):
    import sqlite3
    import zipfile

    import reviewer.core.ingest.plan as plan

    monkeypatch.setattr(plan, "BULK_FROM_DOCUMENTS", 100)
    archive_path = tmp_path / "ctg-studies.json.zip"
    with zipfile.ZipFile(archive_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in corpus_files(385):
            archive.write(path, path.name)
    with qtbot.waitSignal(window.sig_import_finished, timeout=60000) as blocker:
        controller = window.import_paths([archive_path])
        controller.dialog.findChild(QPushButton).click()
    report = blocker.args[0]
    assert report.cancelled and not report.keep_results
    assert report.documents < 385 and report.documents % 50 == 0  # whole batches (of 50 here) or none
    with sqlite3.connect(window.lib.path) as conn:
        trials, fts = conn.execute("SELECT count(*), (SELECT count(*) FROM trial_fts) FROM trial").fetchone()
    assert trials == fts == 3 + report.count("added")


def stalled_bulk_import(window, tmp_path, monkeypatch, stall_rows: int) -> Path:
    """A zip of the 385 corpus studies that the window imports by the bulk path, whose batch holding
    the 301st study stalls for a second or more (a trigger counts to ``stall_rows``): the import is
    still running while the batches before it are in the store."""
    import json
    import sqlite3
    import zipfile

    import reviewer.core.ingest.plan as plan

    monkeypatch.setattr(plan, "BULK_FROM_DOCUMENTS", 100)
    files = corpus_files(385)
    archive_path = tmp_path / "ctg-studies.json.zip"
    with zipfile.ZipFile(archive_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, path.name)
    slow = json.loads(files[300].read_bytes())["protocolSection"]["identificationModule"]["nctId"]
    with sqlite3.connect(window.lib.path) as conn:
        conn.execute(f"CREATE TRIGGER stall AFTER INSERT ON trial WHEN NEW.registry_id = '{slow}' BEGIN "
                     "SELECT count(*) FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                     f"WHERE i < {stall_rows}) SELECT i FROM n); END")
    return archive_path


def test_the_library_shows_a_bulk_imports_trials_as_they_come_and_keeps_the_selection(
    window, qtbot, tmp_path, monkeypatch
):
    archive_path = stalled_bulk_import(window, tmp_path, monkeypatch, 12_000_000)
    library, model = window.library, window.library.model
    library.select_rows([0])
    library.table.setCurrentIndex(model.index(0, 1))
    assert library.selected_registry_ids() == ["NCT02455596"]
    window.library_refresh.setInterval(100)

    with qtbot.waitSignal(window.sig_import_finished, timeout=60000) as blocker:
        window.import_paths([archive_path])
        qtbot.waitUntil(lambda: model.total() > 3, timeout=30000)
        assert window.importer is not None  # the list grew while the import was running
        # the seed trial moved down among the new rows and is still the one selected and current
        qtbot.waitUntil(lambda: library.selected_registry_ids() == ["NCT02455596"])
        assert model.registry_id_at(library.table.currentIndex().row()) == "NCT02455596"
        assert library.table.selectionModel().selectedRows()[0].row() > 0
    assert blocker.args[0].count("added") == 385
    qtbot.waitUntil(lambda: model.total() == 388 and not model.is_busy())
    assert library.selected_registry_ids() == ["NCT02455596"]
    assert not window.library_refresh.isActive()
    # read again (as after every import) the list stays where the user had scrolled it
    scroll = library.table.verticalScrollBar()
    assert scroll.maximum() > 40
    scroll.setValue(40)
    library.reload_keeping_place()
    qtbot.waitUntil(lambda: not model.is_busy())
    assert scroll.value() == 40 and library.selected_registry_ids() == ["NCT02455596"]


def test_a_list_sorted_by_title_waits_for_the_end_of_a_bulk_import(window, qtbot, tmp_path, monkeypatch):
    """While a big bulk import runs, the title, sponsor and conditions indexes are gone: the list
    sorted by one of them is not re-sorted from the whole table every few seconds, but at the end."""
    archive_path = stalled_bulk_import(window, tmp_path, monkeypatch, 8_000_000)
    model = window.library.model
    with qtbot.waitSignal(model.sig_loaded):
        window.library.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
    from reviewer.core.store.sqlite.bulk import bulk_import_running

    window.library_refresh.setInterval(50)
    loads = []
    model.sig_loaded.connect(lambda: loads.append(model.total()))
    with qtbot.waitSignal(window.sig_import_finished, timeout=60000):
        window.import_paths([archive_path])
        # (a tick before the import has dropped the indexes reloads the list as usual)
        qtbot.waitUntil(lambda: bulk_import_running(window.lib.path), timeout=20000)
        qtbot.waitUntil(lambda: not model.is_busy())
        loads.clear()
        qtbot.wait(1000)  # many refresh ticks, batches coming into the store
        assert window.importer is not None and loads == []
    qtbot.waitUntil(lambda: model.total() == 388 and not model.is_busy())
    assert loads == [388]
