"""The import progress dialog under the keyboard: Enter never presses Cancel; Escape asks first."""

from __future__ import annotations

from PySide6.QtCore import Qt

from reviewer.core.ingest import Progress
from reviewer.gui.dialogs.import_dialog import ImportProgressDialog

from .conftest import answer_question


def shown_dialog(qtbot) -> tuple[ImportProgressDialog, list[bool]]:
    dialog = ImportProgressDialog()
    qtbot.addWidget(dialog)
    cancelled: list[bool] = []
    dialog.canceled.connect(lambda: cancelled.append(True))
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.show_progress(Progress(done=10, total=40, current="trials/NCT01.json", elapsed=5.0))
    return dialog, cancelled


def test_enter_does_not_cancel_the_import(qtbot):
    dialog, cancelled = shown_dialog(qtbot)
    assert not dialog.cancel_button.isDefault() and not dialog.cancel_button.autoDefault()
    dialog.cancel_button.setFocus()  # even with the focus on Cancel
    for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
        qtbot.keyClick(dialog.cancel_button, key)
        qtbot.keyClick(dialog, key)
    assert cancelled == [] and dialog.isVisible() and not dialog.wasCanceled()
    dialog.cancel_button.click()  # the button itself still cancels, without a question
    assert cancelled == [True]


def test_escape_asks_before_stopping_the_import(qtbot):
    dialog, cancelled = shown_dialog(qtbot)
    asked: list[str] = []
    answer_question(qtbot, "Keep importing", asked)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert asked == ["Stop the import?"] and cancelled == [] and dialog.isVisible()
    answer_question(qtbot, "Stop", asked)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert len(asked) == 2 and cancelled and dialog.wasCanceled()


def test_enter_during_a_windows_import_does_not_cancel_it(window, qtbot, tmp_path):
    from reviewer import paths

    folder = tmp_path / "samples"
    folder.mkdir()
    for sample in sorted((paths.resources_dir() / "samples").glob("*.txt")):
        (folder / sample.name).write_bytes(sample.read_bytes())
    with qtbot.waitSignal(window.sig_import_finished, timeout=30000) as blocker:
        controller = window.import_paths([folder])
        controller.dialog.show()
        qtbot.keyClick(controller.dialog, Qt.Key.Key_Return)
    assert not blocker.args[0].cancelled
