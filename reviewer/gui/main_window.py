"""The main window: the library on the left, the workspace (trial and comparison tabs) on the right,
the notes panel as a dock; menus, shortcuts, drag and drop import, and remembered window state.

The window talks to the store only through the core's Library (``self.lib``; ``self.library`` is
the library panel). It owns the undo stack of note changes; every change is written at once, and
the Change a write returns is fanned out by ``apply_change``: the notes panel, the open tabs of the
trials it touched, their rows' note counts. ``sig_import_finished(report)`` fires when an import
started from the GUI is done; while it runs, its progress signal reloads the list (at most once a
LIBRARY_REFRESH_MS).

At start-up the window can be shown before the store is open (``library=None`` with a ``preview``
of the library's first rows, see startup.py); ``attach_library`` completes it, and trials asked for
meanwhile open then.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolBar,
    QWidget,
)

from .. import paths
from ..core import items
from . import drafts, tasks
from .dialogs.about import AboutDialog
from .dialogs.import_dialog import ImportController
from .dialogs.note_editor import NoteEditor
from .dialogs.preferences import PreferencesDialog
from .dialogs.report_dialog import ReportDialog
from .icons import icon
from .models.library_model import TRIAL_ID_ROLE
from .note_commands import AddNote, DeleteNote, EditNote
from .settings import Settings
from .views.comparison_view import ComparisonView
from .views.grid_window import GridWindow
from .views.library_panel import LibraryPanel
from .views.notes_panel import NotesPanel
from .views.trial_view import NoteRequest, TrialView

if TYPE_CHECKING:
    from ..core.library import Change, Library

log = logging.getLogger(__name__)

MIN_COMPARE, MAX_COMPARE = 2, 6  # reviewer.core.compare.MIN_TRIALS, MAX_TRIALS
MIN_GRID, MAX_GRID = 2, 50  # reviewer.core.grid.MIN_TRIALS, MAX_TRIALS

# while an import runs, the library list is read again at most this often (on its progress)
LIBRARY_REFRESH_MS = 1000


class MainWindow(QMainWindow):
    sig_import_finished = Signal(object)  # ImportReport
    sig_notes_changed = Signal(object)  # the core.library.Change of a note written, edited or deleted
    sig_library_ready = Signal()

    def __init__(self, library: Library | None, data_dir: Path, parent: QWidget | None = None, *, preview=None):
        super().__init__(parent)
        self.lib = library
        self._waiting_to_open: list[str] = []
        self.data_dir = Path(data_dir)
        self.settings = Settings(self.data_dir)
        self.log_file = paths.log_file(self.data_dir)
        self.undo_stack = QUndoStack(self)
        self.note_editor: NoteEditor | None = None
        self.drafts = drafts.NoteDrafts(self.data_dir)
        self.drafts_offer: QMessageBox | None = None
        self.author_dialog = None  # dialogs.author.AuthorDialog, while it asks
        self.shortcuts_dialog = None  # dialogs.shortcuts_dialog.ShortcutsDialog, the last one shown
        self.importer: ImportController | None = None
        self.last_import: ImportController | None = None
        self.report_dialog: ReportDialog | None = None
        self.grid_windows: list[GridWindow] = []  # the open eligibility grids
        self.setObjectName("mainWindow")
        self.setWindowTitle("Protocol Reviewer")
        self.setWindowIcon(icon("app"))

        self.library = LibraryPanel(library, self, preview=preview)
        # while an import runs, the library list shows the trials as they come in: an import's
        # progress starts this timer (unless it runs), its end reloads the list
        self.library_refresh = QTimer(self)
        self.library_refresh.setSingleShot(True)
        self.library_refresh.setInterval(LIBRARY_REFRESH_MS)
        self.library_refresh.timeout.connect(self._refresh_library_during_import)
        self.library.sig_open.connect(self.open_trial)
        self.library.sig_selection_changed.connect(self._update_actions)
        self.library.model.sig_failed.connect(lambda message: self.statusBar().showMessage(message, 8000))

        self.workspace = QTabWidget(self)
        self.workspace.setObjectName("workspace")
        self.workspace.setAccessibleName("Open trials and comparisons")
        self.workspace.setTabsClosable(True)
        self.workspace.setMovable(True)
        self.workspace.setDocumentMode(True)
        self.workspace.tabCloseRequested.connect(self.close_tab)
        self.workspace.currentChanged.connect(self._tab_changed)
        self.empty = QLabel(
            "Double-click a trial to open it.\n\nSelect two to six trials and press Compare "
            "to see them side by side.\n\nDrop files or folders here to import them.",
            self,
        )
        self.empty.setObjectName("emptyWorkspace")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setMargin(24)
        self.empty.setEnabled(False)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.workspace)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.library)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([560, 840])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

        self.notes_panel = NotesPanel(library, self)
        self.notes_panel.sig_jump.connect(self.jump_to_note)
        self.notes_panel.sig_edit.connect(self.edit_note)
        self.notes_panel.sig_delete.connect(self.delete_note)
        self.notes_dock = QDockWidget("Notes", self)
        self.notes_dock.setObjectName("notesDock")
        self.notes_panel.setAccessibleName("Notes")
        self.notes_dock.setWidget(self.notes_panel)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.notes_dock)

        self._make_actions()
        self._make_menus()
        self.setAcceptDrops(True)
        self.resize(1400, 900)
        self._restore_state()
        self._update_actions()
        if library is None:
            self.statusBar().showMessage("Opening the library…")
        else:
            self.restore_tabs()
            self.statusBar().showMessage(f"{self.library.model.total():,} trials in the library", 5000)
            QTimer.singleShot(0, self.offer_drafts)

    def attach_library(self, library: Library) -> None:
        """The library is open: finish what the preview could not do."""
        self.lib = library
        model = self.library.model
        model.set_library(library)
        self.notes_panel.model.library = library
        self._update_actions()
        if model.is_busy():  # the preview was stale (a first start imports the samples): count when loaded
            model.sig_loaded.connect(self._show_library_count, Qt.ConnectionType.SingleShotConnection)
        else:
            self._show_library_count()
        self.restore_tabs()
        waiting, self._waiting_to_open = self._waiting_to_open, []
        for registry_id in waiting:
            self.open_trial(registry_id)
        QTimer.singleShot(0, self.offer_drafts)
        self.sig_library_ready.emit()

    def show_progress(self, message: str) -> None:
        """A one-line message of long work that has no dialog of its own (opening an older library)."""
        self.statusBar().showMessage(message)

    def _show_library_count(self) -> None:
        self.statusBar().showMessage(f"{self.library.model.total():,} trials in the library", 5000)

    # ------------------------------------------------------------ actions and menus

    def _action(self, text: str, slot, shortcut=None, icon_name: str | None = None, tip: str = "") -> QAction:
        """A window action; ``shortcut`` is one key sequence (or standard key) or a list of them."""
        action = QAction(text, self)
        if icon_name:
            action.setIcon(icon(icon_name))
        if isinstance(shortcut, list):
            action.setShortcuts([QKeySequence(key) for key in shortcut])
        elif isinstance(shortcut, QKeySequence.StandardKey):
            action.setShortcuts(shortcut)  # every binding of the platform (Close: Ctrl+F4 and Ctrl+W)
        elif shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _make_actions(self) -> None:
        keys = QKeySequence.StandardKey
        self.action_import_files = self._action(
            "&Import files…",
            self.choose_import_files,
            "Ctrl+I",
            "import",
            "Import trial files or zips (Ctrl+I)",
        )
        self.action_import_folder = self._action(
            "Import &folder…",
            self.choose_import_folder,
            "Ctrl+Shift+I",
            "folder",
            "Import every trial file in a folder",
        )
        self.action_report = self._action(
            "&Report…",
            self.show_report,
            keys.Print,
            "report",
            "A PDF brief, comparison or notes digest of the open or selected trials (Ctrl+P)",
        )
        # some desktops bind no key to the standard Quit
        quit_keys = QKeySequence.keyBindings(keys.Quit) or [QKeySequence("Ctrl+Q")]
        self.action_quit = self._action("&Quit", self.close, quit_keys, "quit")
        self.action_undo = self.undo_stack.createUndoAction(self, "&Undo")
        self.action_undo.setShortcuts(keys.Undo)
        self.action_undo.setIcon(icon("undo"))
        self.action_redo = self.undo_stack.createRedoAction(self, "&Redo")
        redo_keys = QKeySequence.keyBindings(keys.Redo)
        if QKeySequence("Ctrl+Y") not in redo_keys:
            redo_keys.append(QKeySequence("Ctrl+Y"))
        self.action_redo.setShortcuts(redo_keys)
        self.action_redo.setIcon(icon("redo"))
        self.addAction(self.action_undo)
        self.addAction(self.action_redo)
        self.action_add_note = self._action(
            "Add &note…", self.add_note_here, "Ctrl+N", "note-add", "Add a note on the current item (Ctrl+N)"
        )
        self.action_find = self._action("&Find trials", self.library.focus_search, keys.Find, "search")
        self.action_preferences = self._action("&Preferences…", self.show_preferences, None, "preferences")
        self.action_compare = self._action(
            "&Compare",
            self.compare_selected,
            "Ctrl+D",
            "compare",
            "Compare the selected trials side by side (2 to 6)",
        )
        self.action_add_to_comparison = self._action(
            "&Add to comparison",
            self.add_selected_to_comparison,
            None,
            None,
            "Add the selected trials to the comparison shown",
        )
        self.action_grid = self._action(
            "Eligibility &grid",
            self.grid_selected,
            "Ctrl+G",
            "grid",
            "What the selected trials require, facet by facet, side by side (2 to 50; Ctrl+G)",
        )
        self.action_compare_arms = self._action(
            "Compare a&rms",
            self.compare_arms_current,
            None,
            "compare-arms",
            "Show the arms of the open trial side by side",
        )
        self.action_close_tab = self._action("&Close tab", self.close_current_tab, keys.Close, "close")
        self.action_about = self._action("&About Protocol Reviewer", self.show_about, None, "about")
        self.action_shortcuts = self._action(
            "&Keyboard shortcuts",
            self.show_shortcuts,
            [keys.HelpContents, "Ctrl+/"],
            None,
            "Every key the menus and panes bind (F1)",
        )
        # the focus, from anywhere: the list, the open tab, the notes (the search box is Ctrl+F)
        self.action_focus_library = self._action(
            "Go to the &library", self.library.focus_list, "Ctrl+1", None, "Move the focus to the trial list"
        )
        self.action_focus_tab = self._action(
            "Go to the open &tab", self.focus_open_tab, "Ctrl+2", None, "Move the focus into the open trial or comparison"
        )
        self.action_focus_notes = self._action(
            "Go to the n&otes", self.focus_notes, "Ctrl+3", None, "Move the focus to the notes list"
        )
        self.action_next_tab = self._action(
            "Ne&xt tab", lambda: self.step_tab(1), ["Ctrl+Tab", "Ctrl+PgDown"], None, "Show the next tab"
        )
        self.action_previous_tab = self._action(
            "&Previous tab",
            lambda: self.step_tab(-1),
            ["Ctrl+Shift+Tab", "Ctrl+PgUp", "Ctrl+Shift+Backtab"],
            None,
            "Show the previous tab",
        )
        self.action_source = self._action(
            "Record or &source",
            self.toggle_source_current,
            "Ctrl+U",
            "source",
            "Switch the open trial between its record and the original document",
        )
        self.action_notes_panel = self.notes_dock.toggleViewAction()
        self.action_notes_panel.setText("&Notes panel")
        self.action_notes_panel.setIcon(icon("notes-panel"))
        self.action_notes_panel.setShortcut(QKeySequence("Ctrl+Shift+N"))

    def _make_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.action_import_files)
        file_menu.addAction(self.action_import_folder)
        file_menu.addSeparator()
        file_menu.addAction(self.action_report)
        file_menu.addSeparator()
        self.recent_menu = QMenu("Recent co&mparisons", self)
        file_menu.addMenu(self.recent_menu)
        self._fill_recent_menu()
        file_menu.addSeparator()
        file_menu.addAction(self.action_close_tab)
        file_menu.addAction(self.action_quit)
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addAction(self.action_undo)
        edit_menu.addAction(self.action_redo)
        edit_menu.addSeparator()
        edit_menu.addAction(self.action_add_note)
        edit_menu.addAction(self.notes_panel.edit_action)
        edit_menu.addAction(self.notes_panel.delete_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.action_find)
        edit_menu.addSeparator()
        edit_menu.addAction(self.action_preferences)
        view_menu = bar.addMenu("&View")
        view_menu.addAction(self.action_compare)
        view_menu.addAction(self.action_add_to_comparison)
        view_menu.addAction(self.action_grid)
        view_menu.addAction(self.action_compare_arms)
        view_menu.addAction(self.action_source)
        view_menu.addSeparator()
        view_menu.addAction(self.action_notes_panel)
        view_menu.addSeparator()
        view_menu.addAction(self.action_focus_library)
        view_menu.addAction(self.action_focus_tab)
        view_menu.addAction(self.action_focus_notes)
        view_menu.addSeparator()
        view_menu.addAction(self.action_next_tab)
        view_menu.addAction(self.action_previous_tab)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.action_shortcuts)
        help_menu.addSeparator()
        help_menu.addAction(self.action_about)

        toolbar = QToolBar("Main", self)
        toolbar.setObjectName("mainToolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.setMovable(False)
        for action in (self.action_import_files, self.action_compare, self.action_add_note, self.action_report):
            toolbar.addAction(action)
        toolbar.addSeparator()
        toolbar.addAction(self.action_undo)
        toolbar.addAction(self.action_notes_panel)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        self.toolbar = toolbar

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.settings.recent_comparisons()
        for number, ids in enumerate(recent, 1):  # &1 to &8: each a key in the open menu
            action = self.recent_menu.addAction(f"&{number} " + " · ".join(ids))
            action.triggered.connect(lambda _checked=False, ids=ids: self.compare(ids))
        self.recent_menu.setEnabled(bool(recent))

    def _update_actions(self) -> None:
        ready = self.lib is not None
        for action in (
            self.action_import_files,
            self.action_import_folder,
            self.action_add_note,
            self.action_report,
            self.action_grid,
        ):
            action.setEnabled(ready)
        selected = len(self.library.selected_registry_ids()) if ready else 0
        self.action_compare.setEnabled(MIN_COMPARE <= selected <= MAX_COMPARE)
        current = self.workspace.currentWidget()
        self.action_add_to_comparison.setEnabled(
            isinstance(current, ComparisonView) and not current.arms and selected >= 1
        )
        self.action_compare_arms.setEnabled(isinstance(current, TrialView))
        self.action_source.setEnabled(isinstance(current, TrialView))
        self.action_close_tab.setEnabled(self.workspace.count() > 0)
        for action in (self.action_next_tab, self.action_previous_tab):
            action.setEnabled(self.workspace.count() > 1)

    # ------------------------------------------------------------ tabs

    def trial_views(self) -> list[TrialView]:
        return [w for w in self._tabs() if isinstance(w, TrialView)]

    def comparison_views(self) -> list[ComparisonView]:
        return [w for w in self._tabs() if isinstance(w, ComparisonView)]

    def _tabs(self) -> list[QWidget]:
        return [self.workspace.widget(i) for i in range(self.workspace.count())]

    def _add_tab(self, widget: QWidget, title: str, tip: str, icon_name: str) -> None:
        index = self.workspace.addTab(widget, icon(icon_name), title)
        self.workspace.setTabToolTip(index, tip)
        self.stack.setCurrentWidget(self.workspace)
        self.workspace.setCurrentIndex(index)

    def open_trial(self, registry_id: str) -> TrialView | None:
        """Show a trial's tab (opening it if needed)."""
        if self.lib is None:
            self._waiting_to_open.append(registry_id)
            return None
        for view in self.trial_views():
            if view.registry_id == registry_id:
                self.workspace.setCurrentWidget(view)
                return view
        try:
            view = TrialView(self.lib, registry_id, self)
        except LookupError as error:
            self.statusBar().showMessage(str(error), 8000)
            return None
        view.sig_note_requested.connect(self.open_note_editor)
        view.sig_show_notes.connect(self._show_notes_of_item)
        view.sig_compare_arms.connect(self.compare_arms)
        title = view.record.brief_title or view.record.official_title or registry_id
        self._add_tab(view, registry_id, title, "trial")
        return view

    def compare(self, registry_ids: list[str], remember: bool = True) -> ComparisonView | None:
        """A comparison tab of 2 to 6 trials (computed in the background)."""
        ids = list(dict.fromkeys(registry_ids))
        if self.lib is None:
            return None
        if not MIN_COMPARE <= len(ids) <= MAX_COMPARE:
            self.statusBar().showMessage(f"Select {MIN_COMPARE} to {MAX_COMPARE} trials to compare.", 6000)
            return None
        view = ComparisonView(self.lib, ids, parent=self)
        self._connect_comparison(view)
        self._add_tab(view, view.title, "Compare " + ", ".join(ids), "compare")
        if remember:
            self.settings.add_recent_comparison(ids)
            self._fill_recent_menu()
        return view

    def compare_arms(self, registry_id: str) -> ComparisonView:
        view = ComparisonView(self.lib, [registry_id], arms=True, parent=self)
        self._connect_comparison(view)
        self._add_tab(view, view.title, f"The arms of {registry_id} side by side", "compare-arms")
        return view

    def _connect_comparison(self, view: ComparisonView) -> None:
        view.sig_note_requested.connect(self.open_note_editor)
        view.sig_loaded.connect(lambda v=view: self._comparison_loaded(v))
        view.sig_failed.connect(lambda message: self.statusBar().showMessage(message, 10000))

    def _comparison_loaded(self, view: ComparisonView) -> None:
        if self.workspace.currentWidget() is view:
            self._update_notes_context()

    def compare_selected(self) -> ComparisonView | None:
        return self.compare(self.library.selected_registry_ids())

    def add_selected_to_comparison(self) -> ComparisonView | None:
        current = self.workspace.currentWidget()
        if not isinstance(current, ComparisonView) or current.arms:
            return self.compare_selected()
        ids = current.registry_ids + [
            i for i in self.library.selected_registry_ids() if i not in current.registry_ids
        ]
        if len(ids) > MAX_COMPARE:
            self.statusBar().showMessage(f"A comparison shows at most {MAX_COMPARE} trials.", 6000)
            return None
        index = self.workspace.indexOf(current)
        view = self.compare(ids)
        if view is not None:
            self.close_tab(index)
        return view

    def grid_selected(self) -> GridWindow | None:
        return self.show_grid(self.library.selected_registry_ids())

    def show_grid(self, registry_ids: list[str]) -> GridWindow | None:
        """The eligibility grid of 2 to 50 trials, in a window of its own (built in the background)."""
        ids = list(dict.fromkeys(registry_ids))
        if self.lib is None:
            return None
        if not MIN_GRID <= len(ids) <= MAX_GRID:
            chosen = "none is" if not ids else ("1 is" if len(ids) == 1 else f"{len(ids)} are")
            self.statusBar().showMessage(
                f"Select {MIN_GRID} to {MAX_GRID} trials in the library for an eligibility grid ({chosen} selected).",
                8000,
            )
            return None
        window = GridWindow(self.lib, self.settings, ids, self, data_dir=self.data_dir)
        window.sig_open_item.connect(self.open_trial_at)
        window.show()
        self.grid_windows.append(window)
        window.destroyed.connect(lambda _obj=None, w=window: self.grid_windows.remove(w) if w in self.grid_windows else None)
        return window

    def open_trial_at(self, registry_id: str, kind: str, key: str) -> TrialView | None:
        """Bring the main window forward with the trial's tab, at the item (the grid's double-click)."""
        view = self.open_trial(registry_id)
        if view is not None and key:
            view.show_item(kind, key)
        self.raise_()
        self.activateWindow()
        return view

    def compare_arms_current(self) -> None:
        current = self.workspace.currentWidget()
        if isinstance(current, TrialView):
            self.compare_arms(current.registry_id)

    def close_tab(self, index: int) -> None:
        widget = self.workspace.widget(index)
        if widget is None:
            return
        self.workspace.removeTab(index)
        widget.deleteLater()
        if self.workspace.count() == 0:
            self.stack.setCurrentWidget(self.empty)
        self._update_actions()

    def step_tab(self, step: int) -> None:
        """Ctrl+Tab, Ctrl+PgDown (1) and Ctrl+Shift+Tab, Ctrl+PgUp (-1): the next or previous tab,
        round from the last to the first."""
        count = self.workspace.count()
        if count > 1:
            self.workspace.setCurrentIndex((self.workspace.currentIndex() + step) % count)

    def focus_open_tab(self) -> None:
        current = self.workspace.currentWidget()
        if isinstance(current, TrialView | ComparisonView):
            current.focus_content()
        else:
            self.statusBar().showMessage("No trial is open: double-click one in the library (or press Enter).", 5000)

    def focus_notes(self) -> None:
        self.notes_dock.show()
        self.notes_dock.raise_()
        self.notes_panel.focus_list()

    def toggle_source_current(self) -> None:
        current = self.workspace.currentWidget()
        if isinstance(current, TrialView):
            current.toggle_source()

    def close_current_tab(self) -> None:
        if self.workspace.count():
            self.close_tab(self.workspace.currentIndex())

    def _tab_changed(self, _index: int) -> None:
        self._update_notes_context()
        self._update_actions()

    def _update_notes_context(self) -> None:
        current = self.workspace.currentWidget()
        if isinstance(current, TrialView):
            self.notes_panel.set_context({current.trial_id: current.registry_id}, current.registry_id)
        elif isinstance(current, ComparisonView):
            self.notes_panel.set_context(current.trial_ids, current.title)
        else:
            self.notes_panel.set_context({}, "")

    # ------------------------------------------------------------ notes

    def open_note_editor(self, request: NoteRequest, restore: dict | None = None) -> NoteEditor | None:
        """The editor for a new note; the note is written when it is accepted. A draft kept for the
        same item (or ``restore``, a draft from the start-up offer) is put back in it. The first
        note asks for the author's name first (the editor opens once it is given)."""
        if not self.settings.has_author():
            self._ask_author(lambda: self.open_note_editor(request, restore))
            return None
        if not self._may_replace_editor():
            return self.note_editor
        key = drafts.new_note_key(request.trial_id, request.anchor)
        editor = NoteEditor(
            self,
            where=f"{request.registry_id} · {request.label}",
            quote=items.stored_anchor(request.anchor)["quote"],
            author=self.settings.author(),
            drafts=self.drafts,
            draft={
                "key": key,
                "kind": "new",
                "registry_id": request.registry_id,
                "label": request.label,
                "anchor": drafts.anchor_fields(request.anchor),
            },
        )
        self._restore_draft(editor, key, restore)
        editor.accepted.connect(lambda: self._write_note(request, editor))
        self._show_editor(editor)
        return editor

    def _restore_draft(self, editor: NoteEditor, key: str, restore: dict | None) -> None:
        kept = self.drafts.load(key)
        if kept is not None:
            editor.restore_draft(kept)
        elif restore is not None:  # kept under another key (its note is gone): it moves to this one
            editor.restore_draft(restore)
            editor.write_draft()
            self.drafts.remove(restore["key"])

    def _ask_author(self, then):
        from .dialogs.author import AuthorDialog  # once per data folder: not loaded at start

        dialog = AuthorDialog(self.settings, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(then)
        self.author_dialog = dialog
        dialog.open()
        return dialog

    def _may_replace_editor(self) -> bool:
        """Another item's editor is asked for: the open one goes, after asking if it holds typed text."""
        editor = self._open_editor()
        return editor is None or editor.confirm_discard()

    def _open_editor(self) -> NoteEditor | None:
        editor = self.note_editor
        if editor is None or not shiboken6.isValid(editor) or not editor.isVisible():
            return None
        return editor

    def _show_editor(self, editor: NoteEditor) -> None:
        if self.note_editor is not None and shiboken6.isValid(self.note_editor):
            self.note_editor.hide()
            self.note_editor.deleteLater()
        self.note_editor = editor
        editor.open()

    def _write_note(self, request: NoteRequest, editor: NoteEditor) -> None:
        self.undo_stack.push(
            AddNote(
                self.lib,
                request.trial_id,
                request.anchor,
                editor.body(),
                editor.tag(),
                self.settings.author(),
                self._notes_changed,
            )
        )
        editor.forget_draft()
        self.statusBar().showMessage(f"Note saved on {request.registry_id} · {request.label}", 5000)

    def add_note_here(self) -> NoteEditor | None:
        """Ctrl+N: a note on the current item of the current tab (or on the selected trial)."""
        current = self.workspace.currentWidget()
        if isinstance(current, TrialView | ComparisonView):
            current.request_note_here()
            return self.note_editor
        rows = self.library.table.selectionModel().selectedRows()
        if len(rows) == 1:
            model = self.library.model
            trial_id = model.data(rows[0], TRIAL_ID_ROLE)
            registry_id = model.registry_id_at(rows[0].row())
            if trial_id is not None:
                row = model.row(rows[0].row()) or {}
                anchor = items.anchor_of("trial", "", row.get("brief_title"))
                return self.open_note_editor(NoteRequest(trial_id, registry_id, anchor, anchor.label))
        self.statusBar().showMessage("Open a trial (or select one) to add a note.", 5000)
        return None

    def edit_note(self, note: dict) -> NoteEditor | None:
        if not self._may_replace_editor():
            return self.note_editor
        label = items.label_of(note)
        key = drafts.edited_note_key(note["id"])
        editor = NoteEditor(
            self,
            where=f"{note.get('registry_id', '')} · {label}",
            quote=note.get("quote"),
            body=note["body"],
            tag=note["tag"],
            author=note["author"],
            note_id=note["id"],
            drafts=self.drafts,
            draft={
                "key": key,
                "kind": "edit",
                "registry_id": note.get("registry_id", ""),
                "label": label,
                "note": drafts.note_fields(note),
            },
        )
        self._restore_draft(editor, key, None)

        def save() -> None:
            if (editor.body().strip(), editor.tag()) != (note["body"], note["tag"]):
                self.undo_stack.push(
                    EditNote(self.lib, note, editor.body(), editor.tag(), self._notes_changed)
                )
            editor.forget_draft()

        editor.accepted.connect(save)
        self._show_editor(editor)
        return editor

    # ------------------------------------------------------------ drafts kept from a crash

    def offer_drafts(self) -> QMessageBox | None:
        """Drafts left by an editor that never closed (a crash): offer the newest, one at a time."""
        kept = self.drafts.all()
        if not kept or self.lib is None or self._open_editor() is not None:
            return None
        draft = kept[0]
        body = " ".join(draft["body"].split())
        excerpt = body if len(body) <= 120 else body[:119] + "…"
        box = QMessageBox(self)
        box.setObjectName("draftsOffer")
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle("Unsaved notes")
        box.setText(
            "A note you were writing was not saved."
            if len(kept) == 1
            else f"{len(kept)} notes you were writing were not saved."
        )
        box.setInformativeText(
            ("" if len(kept) == 1 else "The latest: ")
            + f"{draft.get('registry_id', '')} · {draft.get('label', '')}, {drafts.saved_at_text(draft)}:\n"
            f"“{excerpt}”\n\nOpen it to finish or discard it?"
        )
        open_button = box.addButton("&Open it", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("&Later", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(open_button)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(button) -> None:
            if button is open_button:
                editor = self.open_draft(draft)
                if editor is not None:  # the next draft, once this one is saved or discarded
                    editor.finished.connect(lambda _result: QTimer.singleShot(0, self.offer_drafts))

        box.buttonClicked.connect(answered)
        self.drafts_offer = box
        box.open()
        return box

    def open_draft(self, draft: dict) -> NoteEditor | None:
        """Open a kept draft's editor again, on its trial."""
        view = self.open_trial(draft.get("registry_id", ""))
        if view is None or view.trial_id is None:
            self.statusBar().showMessage("The trial of that unsaved note is no longer in the library.", 8000)
            return None
        if draft["kind"] == "edit":
            kept = draft["note"]
            note = next((n for n in view.notes if n["id"] == kept.get("id")), None)
            if note is not None:
                return self.edit_note({**note, "registry_id": view.registry_id})
            # the note was deleted since: the text becomes a new note on the same item
            anchor = items.anchor_of(str(kept.get("item_kind")), str(kept.get("item_key")), kept.get("quote"))
        else:
            kind, key, *rest = (draft["anchor"].get(name) for name in drafts.ANCHOR_FIELDS)
            if kind == "span":  # kept by a release whose selections had a kind of their own: the item's kind
                kind, key = next(((k, key) for k, shown in view.rendered.items if shown == key), ("trial", ""))
            anchor = items.anchor_of(kind, key, *rest)
        request = NoteRequest(view.trial_id, view.registry_id, anchor, anchor.label)
        return self.open_note_editor(request, restore=draft)

    def delete_note(self, note: dict) -> None:
        self.undo_stack.push(DeleteNote(self.lib, note, self._notes_changed))
        self.statusBar().showMessage("Note deleted. Ctrl+Z brings it back.", 8000)

    def _notes_changed(self, change: Change) -> None:
        self.apply_change(change)
        self.sig_notes_changed.emit(change)

    def apply_change(self, change: Change) -> None:
        """Read again what a write touched: the open tabs of its trials (their record after an
        import, else their notes), the notes panel if it shows one of them, and the library list
        (the whole list after an import, else the note counts of those trials' rows)."""
        for view in self.trial_views():
            if change.all_records or view.trial_id in change.records_of:
                view.load()
            elif view.trial_id in change.notes_of:
                view.refresh_notes()
        for view in self.comparison_views():
            if change.notes_of & view.trial_ids.keys():
                view.refresh_notes()
        if change.notes_of & self.notes_panel.model.trials.keys():
            self.notes_panel.refresh()
        if change.all_records or change.records_of:
            for grid in self.grid_windows:  # which of their trials changed is not worth asking
                grid.reload()
        if change.library_list:
            self.library.reload_keeping_place()
        elif change.notes_of:
            for trial_id, count in self.lib.note_counts(sorted(change.notes_of)).items():
                self.library.model.set_note_count(trial_id, count)

    def _show_notes_of_item(self, trial_id: int, kind: str, key: str) -> None:
        self.notes_dock.show()
        self.notes_panel.select_item(trial_id, kind, key)

    def jump_to_note(self, note: dict) -> None:
        """Show the item a note is on: in the current comparison if it has the trial, else its trial tab."""
        current = self.workspace.currentWidget()
        if (
            isinstance(current, ComparisonView)
            and note["trial_id"] in current.trial_ids
            and current.show_note(note)
        ):
            return
        registry_id = note.get("registry_id")
        view = current if isinstance(current, TrialView) and current.trial_id == note["trial_id"] else None
        if view is None and registry_id:
            view = self.open_trial(registry_id)
        if view is not None:
            view.show_item(note["item_kind"], note["item_key"])

    # ------------------------------------------------------------ import

    def choose_import_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self,
            "Import trial files",
            str(Path.home()),
            "Trial files (*.json *.xml *.txt *.zip);;All files (*)",
        )
        if files:
            self.import_paths([Path(f) for f in files])

    def choose_import_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import a folder of trial files", str(Path.home()))
        if folder:
            self.import_paths([Path(folder)])

    def import_paths(self, paths_: list[Path]) -> ImportController | None:
        """Import in the background with a progress dialog; sig_import_finished when done."""
        if self.lib is None:
            self.statusBar().showMessage("The library is still opening; try again in a moment.", 5000)
            return None
        if self.importer is not None:
            self.statusBar().showMessage("An import is already running.", 5000)
            return None
        self.importer = ImportController(self.lib, paths_, self, self.log_file)
        self.importer.sig_finished.connect(self._import_finished)
        self.importer.sig_failed.connect(self._import_failed)
        self.importer.sig_progress.connect(self._import_progressed)
        self.importer.start()
        return self.importer

    def _import_progressed(self, _progress) -> None:
        if not self.library_refresh.isActive():
            self.library_refresh.start()

    def _refresh_library_during_import(self) -> None:
        if self.importer is None:
            return
        if self.library.model.is_busy():
            self.library_refresh.start()  # the list is still being read: try again later
            return
        query = self.library.model.query
        if not query.text and self.lib.sort_waits_for_bulk_import(query.order_by) and self.lib.bulk_import_running():
            return  # that column's index is rebuilt at the import's end: no whole-table sort meanwhile
        self.library.reload_keeping_place()

    def _import_finished(self, report) -> None:
        self._import_done()
        self.apply_change(self.lib.changed_by(report))
        self.statusBar().showMessage(report.summary(), 10000)
        self.sig_import_finished.emit(report)

    def _import_failed(self, _message: str, _details: str) -> None:
        self._import_done()
        self.library.reload_keeping_place()  # what was imported before the error is kept

    def _import_done(self) -> None:
        self.library_refresh.stop()
        self.last_import = self.importer
        self.importer = None

    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt override)
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if urls and all(url.isLocalFile() for url in urls):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:  # noqa: N802 (Qt override)
        paths_ = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths_:
            event.acceptProposedAction()
            self.import_paths(paths_)

    # ------------------------------------------------------------ dialogs

    def show_shortcuts(self):
        """Help › Keyboard shortcuts: what the menus and panes bind, read from their actions."""
        from . import shortcuts
        from .dialogs.shortcuts_dialog import ShortcutsDialog

        dialog = ShortcutsDialog(shortcuts.bindings(self), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.shortcuts_dialog = dialog
        dialog.open()
        return dialog

    def show_about(self) -> AboutDialog:
        dialog = AboutDialog(self, self.data_dir, self.log_file)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def report_sources(self) -> dict[str, list[str]]:
        """The trials a report can be about: the open trial, the open comparison, the selection."""
        current = self.workspace.currentWidget()
        sources = {"current": [], "comparison": [], "selection": self.library.selected_registry_ids()}
        if isinstance(current, TrialView):
            sources["current"] = [current.registry_id]
        elif isinstance(current, ComparisonView):
            sources["current" if current.arms else "comparison"] = list(current.registry_ids)
        return sources

    def show_report(self) -> ReportDialog | None:
        """Ctrl+P: the Report dialog for what is open or selected (a new one each time: the
        trials to choose from are those of this moment)."""
        if self.lib is None:
            self.statusBar().showMessage("The library is still opening; try again in a moment.", 5000)
            return None
        if self.report_dialog is not None:
            self.report_dialog.close()
            self.report_dialog.deleteLater()
        dialog = ReportDialog(
            self.lib, self.settings, self.report_sources(), self, templates_dir=paths.templates_dir(self.data_dir)
        )
        self.report_dialog = dialog
        dialog.show()
        dialog.render_now()
        return dialog

    def show_preferences(self) -> PreferencesDialog:
        from . import theme

        dialog = PreferencesDialog(self.settings, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def applied() -> None:
            from PySide6.QtWidgets import QApplication

            app = QApplication.instance()
            if isinstance(app, QApplication):
                theme.apply(app, self.settings.appearance())

        dialog.accepted.connect(applied)
        dialog.open()
        return dialog

    # ------------------------------------------------------------ state

    def _restore_state(self) -> None:
        geometry = self.settings.state("geometry")
        if geometry:
            self.restoreGeometry(QByteArray(geometry))
        state = self.settings.state("state")
        if state:
            self.restoreState(QByteArray(state))
        else:
            self.resizeDocks([self.notes_dock], [190], Qt.Orientation.Vertical)
        self._splitter_state = self.settings.state("splitter")  # applied once shown, at its real size
        header_state = self.settings.state("library_header")
        if header_state:
            header = self.library.table.horizontalHeader()
            header.blockSignals(True)  # widths and order only: the rows start sorted by registry id
            header.restoreState(QByteArray(header_state))
            header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
            header.blockSignals(False)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        if self._splitter_state:
            self.splitter.restoreState(QByteArray(self._splitter_state))
            self._splitter_state = None

    def tab_state(self) -> list[dict]:
        """What each workspace tab shows, in order: enough to open it again."""
        tabs = []
        for widget in self._tabs():
            if isinstance(widget, TrialView):
                tabs.append({"kind": "trial", "ids": [widget.registry_id]})
            elif isinstance(widget, ComparisonView):
                tabs.append({"kind": "arms" if widget.arms else "compare", "ids": list(widget.registry_ids)})
        return tabs

    def restore_tabs(self) -> None:
        """Open the tabs of the last session again (trials no longer in the library are skipped)."""
        tabs, current = self.settings.open_tabs()
        self.settings.set_open_tabs([], -1)  # a tab that fails to open is not tried at every start
        for tab in tabs:
            ids = tab["ids"]
            try:
                if tab["kind"] == "trial" and len(ids) == 1:
                    self.open_trial(ids[0])
                elif tab["kind"] == "arms" and len(ids) == 1:
                    self.compare_arms(ids[0])
                elif tab["kind"] == "compare":
                    self.compare(ids, remember=False)
            except Exception:  # a damaged settings file must not stop the start
                log.exception("could not reopen the tab %s", tab)
        if 0 <= current < self.workspace.count():
            self.workspace.setCurrentIndex(current)

    def save_state(self) -> None:
        self.settings.set_open_tabs(self.tab_state(), self.workspace.currentIndex())
        self.settings.set_state("geometry", self.saveGeometry())
        self.settings.set_state("state", self.saveState())
        self.settings.set_state("splitter", self.splitter.saveState())
        self.settings.set_state("library_header", self.library.table.horizontalHeader().saveState())
        self.settings.sync()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        editor = self._open_editor()
        if editor is not None and not editor.confirm_discard():
            event.ignore()  # Keep editing: the window stays open
            return
        self.save_state()
        if self.importer is not None:
            self.importer.cancel()
        tasks.cancel_all()
        tasks.wait_all(10000)
        super().closeEvent(event)
