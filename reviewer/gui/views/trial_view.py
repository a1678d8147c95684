"""One trial in the workspace: its page (trial_html in a QTextBrowser), its source text, its notes
and the facet corrections of its criteria.

The page has an anchor per annotatable item. Links on items ask for a note (``sig_note_requested``
with the trial and what the note is on: an items.ItemRef or items.TextSpan); badges ask the notes panel to show the item's notes
(``sig_show_notes``). ``show_item`` scrolls to an item and highlights it. The "current item" (for
Ctrl+N) is the item under the text cursor, or the selected text inside it. A criterion's "correct…"
link, its context menu and Ctrl+Shift+E ask for the facet editor (``sig_facets_requested`` with a
FacetRequest); an orphaned correction's "remove" link asks to remove it (``sig_remove_correction``).
"""

from __future__ import annotations

import bisect
import logging
from dataclasses import dataclass

from PySide6.QtCore import QEvent, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QColor, QDesktopServices, QPalette, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QLabel,
    QPlainTextEdit,
    QTabWidget,
    QTextBrowser,
    QTextEdit,
    QToolBar,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from ... import paths
from ...core import items
from ...core.record import TrialRecord
from .. import trial_html
from ..icons import icon

log = logging.getLogger(__name__)

_format_labels: dict[str, str] = {}


def format_labels() -> dict[str, str]:
    """Importer name -> words for people ("ctgov-json" -> "ClinicalTrials.gov JSON (API v2)")."""
    if not _format_labels:
        from ...core.importers import REGISTRY

        _format_labels.update({importer.name: importer.label for importer in REGISTRY})
    return _format_labels


@dataclass
class NoteRequest:
    """What the note editor needs to write a new note."""

    trial_id: int
    registry_id: str
    anchor: object  # reviewer.core.items.ItemRef or TextSpan
    label: str


@dataclass
class FacetRequest:
    """What the facet editor needs to correct one criterion's facets."""

    trial_id: int
    registry_id: str
    ref: items.ItemRef
    text: str  # the criterion's text
    facets: list[dict]  # what it states now: its correction's facets, else the extracted ones
    extracted: list[dict]
    correction: object | None  # core.corrections.Correction, when it has one


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    return QColor(
        round(a.red() * (1 - t) + b.red() * t),
        round(a.green() * (1 - t) + b.green() * t),
        round(a.blue() * (1 - t) + b.blue() * t),
    )


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def trial_css(palette: QPalette) -> str:
    """resources/style/trial.css with its @placeholders@ filled from the palette."""
    text = palette.color(QPalette.ColorRole.Text)
    base = palette.color(QPalette.ColorRole.Base)
    dark = is_dark(palette)
    colors = {
        "muted": _mix(text, base, 0.42).name(),
        "link": palette.color(QPalette.ColorRole.Link).name(),
        "heading": _mix(text, palette.color(QPalette.ColorRole.Highlight), 0.45).name(),
        "border": _mix(text, base, 0.75).name(),
        "header_bg": _mix(text, base, 0.9).name(),
        "mark": palette.color(QPalette.ColorRole.Link).name(),
        "corrected": "#6fd3b5" if dark else "#08715b",  # a reviewer's correction of facets
        "banner_bg": "#5c4a12" if dark else "#fff1c2",
        "banner_fg": "#ffe9a6" if dark else "#5c4400",
    }
    try:
        css = (paths.resources_dir() / "style" / "trial.css").read_text(encoding="utf-8")
    except OSError:
        log.warning("trial.css is missing; the trial view uses Qt's defaults")
        return ""
    for name, color in colors.items():
        css = css.replace(f"@{name}@", color)
    return css


def highlight_color(palette: QPalette) -> QColor:
    color = QColor(palette.color(QPalette.ColorRole.Highlight))
    color.setAlpha(70)
    return color


class TrialView(QWidget):
    """See the module docstring."""

    sig_note_requested = Signal(object)  # NoteRequest
    sig_show_notes = Signal(int, str, str)  # trial id, item kind, item key
    sig_compare_arms = Signal(str)  # registry id
    sig_facets_requested = Signal(object)  # FacetRequest
    sig_remove_correction = Signal(str, object)  # registry id, core.corrections.Correction

    def __init__(self, library, registry_id: str, parent=None):
        super().__init__(parent)
        self.library = library  # core.library.Library
        self.registry_id = registry_id
        self.trial_id: int | None = None
        self.current_version_id: int | None = None
        self.shown_version: dict | None = None
        self.record: TrialRecord | None = None
        self.versions: list[dict] = []
        self.notes: list[dict] = []
        self.corrections: list = []  # core.corrections.Correction
        self.rendered: trial_html.Rendered | None = None
        self.highlighted: tuple[str, str] | None = None
        self._anchor_positions: list[tuple[int, int]] = []  # (document position, item number), sorted
        self._section_positions: dict[str, int] = {}
        self._item_texts: dict = {}  # items.ItemRef -> the item's text
        self._source_loaded_for: int | None = None
        self._current_item: int = 0

        self.toolbar = QToolBar(self)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.action_note = QAction(icon("note-add"), "Add note", self)
        self.action_note.setToolTip("Add a note on the item under the cursor or on the selected text")
        self.action_note.triggered.connect(self.request_note_here)
        self.action_compare_arms = QAction(icon("compare-arms"), "Compare arms", self)
        self.action_compare_arms.setToolTip("Show this trial's arms side by side")
        self.action_compare_arms.triggered.connect(lambda: self.sig_compare_arms.emit(self.registry_id))
        self.action_source = QAction(icon("source"), "Source", self)
        self.action_source.setToolTip("Show the original document this version was imported from")
        self.action_source.triggered.connect(self.show_source)
        self.toolbar.addAction(self.action_note)
        self.toolbar.addAction(self.action_compare_arms)
        self.toolbar.addAction(self.action_source)

        self.browser = QTextBrowser(self)
        self.browser.setObjectName("trialPage")
        self.browser.setOpenLinks(False)
        self.browser.setOpenExternalLinks(False)
        self.browser.anchorClicked.connect(self._link_clicked)
        self.browser.cursorPositionChanged.connect(self._cursor_moved)
        self.browser.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.browser.customContextMenuRequested.connect(self._context_menu)
        self.browser.document().setDocumentMargin(14)
        self.browser.viewport().installEventFilter(self)  # the page's hover texts (a correction's)
        self.browser.setAccessibleName(f"Trial record {registry_id}")
        # a caret the arrow keys move (Shift+arrows select): Ctrl+N notes the item, or the text, it is on
        self.browser.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextBrowserInteraction | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )

        self.source = QPlainTextEdit(self)
        self.source.setReadOnly(True)
        self.source.setAccessibleName(f"Source document of {registry_id}")
        self.source.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.source_info = QLabel(self)
        self.source_info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        source_page = QWidget(self)
        source_layout = QVBoxLayout(source_page)
        source_layout.setContentsMargins(6, 6, 6, 6)
        source_layout.addWidget(self.source_info)
        source_layout.addWidget(self.source)

        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.setTabPosition(QTabWidget.TabPosition.South)
        self.tabs.addTab(self.browser, "Record")
        self.tabs.addTab(source_page, "Source")
        self.tabs.currentChanged.connect(self._tab_changed)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.tabs)
        self._apply_css()
        self.load()

    # ------------------------------------------------------------ loading

    def load(self, version_id: int | None = None) -> None:
        """Read the trial (its current version, or ``version_id``) and its notes, and render."""
        page = self.library.trial_page(self.registry_id, version_id)
        self.trial_id = page.trial_id
        self.registry_id = page.registry_id
        self.current_version_id = page.current_version_id
        self.record = page.record
        self.versions = [v.as_dict() for v in page.versions]
        self.notes = page.notes
        self.corrections = page.corrections
        self.shown_version = next((v for v in self.versions if v["id"] == page.shown_version_id), None)
        self._item_texts = items.texts(self.record)
        self._render()
        if self.tabs.currentIndex() == 1:
            self._load_source()

    def refresh_notes(self) -> None:
        """Notes changed: render the markers again, keeping the scroll position."""
        if self.trial_id is None:
            return
        self.notes = self.library.notes_of([self.trial_id])
        self._render()

    def refresh_corrections(self) -> None:
        """Facet corrections changed: render the criteria's facets again, keeping the scroll position."""
        if self.trial_id is None:
            return
        self.corrections = self.library.corrections_of(self.registry_id)
        self._render()

    def _render(self) -> None:
        bar = self.browser.verticalScrollBar()
        scroll = bar.value()
        self.rendered = trial_html.render_trial(
            self.record,
            notes=self.notes,
            versions=self.versions,
            shown_version=self.shown_version,
            current_version_id=self.current_version_id,
            format_labels=format_labels(),
            corrections=self.corrections,
        )
        self.browser.setHtml(self.rendered.html)
        self._index_anchors()
        bar.setValue(scroll)
        if self.highlighted:
            self._highlight(*self.highlighted)

    def _index_anchors(self) -> None:
        positions = []
        sections: dict[str, int] = {}
        block = self.browser.document().begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                fragment = it.fragment()
                if fragment.isValid():
                    for name in fragment.charFormat().anchorNames():
                        if name.startswith("item-"):
                            positions.append((fragment.position(), int(name[5:])))
                        elif name.startswith("sec-"):
                            sections.setdefault(name[4:], fragment.position())
                it += 1
            block = block.next()
        positions.sort()
        self._anchor_positions = positions
        self._section_positions = sections

    def _apply_css(self) -> None:
        self.browser.document().setDefaultStyleSheet(trial_css(self.palette()))

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if event.type() == event.Type.PaletteChange and self.record is not None:
            self._apply_css()
            self._render()

    @property
    def title(self) -> str:
        return self.registry_id

    @property
    def is_current_version(self) -> bool:
        return self.shown_version is None or self.shown_version["id"] == self.current_version_id

    # ------------------------------------------------------------ source

    def show_source(self) -> None:
        self.tabs.setCurrentIndex(1)

    def toggle_source(self) -> None:
        """The record, or the original document it was imported from (the focus goes with it)."""
        self.tabs.setCurrentIndex(0 if self.tabs.currentIndex() == 1 else 1)
        self.focus_content()

    def focus_content(self) -> None:
        """Give the keyboard focus to what the tab shows: the record, or the source text."""
        target = self.source if self.tabs.currentIndex() == 1 else self.browser
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _tab_changed(self, index: int) -> None:
        if index == 1:
            self._load_source()

    def _load_source(self) -> None:
        version = self.shown_version
        if version is None or self._source_loaded_for == version["id"]:
            return
        text = self.library.source_document(version["id"])
        fmt = format_labels().get(version["source_format"], version["source_format"])
        self.source_info.setText(
            f"{fmt} · {version['source_name']} · {version['source_size']:,} bytes · version {version['number']}"
        )
        self.source.setPlainText(text)
        self._source_loaded_for = version["id"]

    # ------------------------------------------------------------ items and notes

    def item_at_position(self, position: int) -> int:
        """The item whose anchor is the last one at or before a document position."""
        keys = [p for p, _ in self._anchor_positions]
        n = bisect.bisect_right(keys, position) - 1
        return self._anchor_positions[n][1] if n >= 0 else 0

    def _cursor_moved(self) -> None:
        cursor = self.browser.textCursor()
        self._current_item = self.item_at_position(cursor.selectionStart())

    def current_item(self) -> tuple[str, str]:
        assert self.rendered is not None
        return self.rendered.items[self._current_item]

    def anchor_for_item(self, number: int):
        kind, key = self.rendered.items[number]
        return items.anchor_of(kind, key, self._item_texts.get(items.ItemRef.stored(kind, key)))

    def anchor_for_selection(self):
        """An items.TextSpan of the selected text in the item it starts in (None when nothing is selected)."""
        cursor = self.browser.textCursor()
        quote = cursor.selectedText().replace("\u2029", "\n").replace("\u2028", "\n").strip()
        if not quote:
            return None
        number = self.item_at_position(cursor.selectionStart())
        ref = items.ItemRef.stored(*self.rendered.items[number])
        return items.span_in(self._item_texts.get(ref) or "", ref, quote)

    def request_note(self, anchor) -> None:
        if not self.is_current_version:
            self.load()  # notes are written against the current version
        self.sig_note_requested.emit(
            NoteRequest(self.trial_id, self.registry_id, anchor, anchor.label)
        )

    def request_note_here(self) -> None:
        """Ctrl+N: a note on the selected text, else on the item under the cursor."""
        anchor = self.anchor_for_selection() or self.anchor_for_item(self._current_item)
        self.request_note(anchor)

    def request_note_on(self, kind: str, key: str) -> None:
        number = self.rendered.items.index((kind, key))
        self.request_note(self.anchor_for_item(number))

    def _link_clicked(self, url: QUrl) -> None:
        link = url.toString()
        if link.startswith("#"):
            self.browser.scrollToAnchor(link[1:])
        elif link.startswith("add:"):
            number = int(link[4:])
            self._current_item = number
            self.request_note(self.anchor_for_item(number))
        elif link.startswith("notes:"):
            number = int(link[6:])
            self._current_item = number
            kind, key = self.rendered.items[number]
            self.sig_show_notes.emit(self.trial_id, kind, key)
        elif link.startswith("version:"):
            target = link[8:]
            self.load(None if target == "current" else int(target))
            self.browser.verticalScrollBar().setValue(0)
        elif link.startswith("source:"):
            self.show_source()
        elif link.startswith("facets:"):
            self._current_item = int(link[7:])
            self.request_facets(self._current_item)
        elif link.startswith("uncorrect:"):
            correction = next((c for c in self.corrections if c.id == int(link[10:])), None)
            if correction is not None:
                self.sig_remove_correction.emit(self.registry_id, correction)
        elif url.scheme() in ("http", "https"):  # a reference's article, a registry page: the browser
            QDesktopServices.openUrl(url)

    def _context_menu(self, pos) -> None:
        menu = self.browser.createStandardContextMenu(pos)
        menu.addSeparator()
        selection = self.anchor_for_selection()
        if selection is not None:
            action = menu.addAction(icon("note-add"), "Add a note on the selected text")
            action.triggered.connect(lambda: self.request_note(selection))
        number = self.item_at_position(self.browser.cursorForPosition(pos).position())
        kind, key = self.rendered.items[number]
        action = menu.addAction(icon("note-add"), f"Add a note on {items.ItemRef.stored(kind, key).label}")
        action.triggered.connect(lambda: self.request_note(self.anchor_for_item(number)))
        if kind == items.Kind.CRITERION.value:
            action = menu.addAction(f"Correct the facets of {items.ItemRef.stored(kind, key).label}…")
            action.triggered.connect(lambda: self.request_facets(number))
        self._menu = menu  # keep it alive while shown
        menu.popup(self.browser.viewport().mapToGlobal(pos))

    # ------------------------------------------------------------ facet corrections

    def facet_request(self, number: int) -> FacetRequest | None:
        """What the facet editor needs for item ``number`` of the page; None when it is not a
        criterion with facets of its own (a heading's are its children's)."""
        from ...core.eligibility import criterion_facets  # (the facet rules: not needed for the first paint)

        ref = items.ItemRef.stored(*self.rendered.items[number])
        if ref.kind is not items.Kind.CRITERION:
            return None
        item = next((i for i in criterion_facets(self.record) if i.ref == ref), None)
        if item is None or item.heading:
            return None
        correction = next((c for c in self.corrections if c.ref == ref and not c.orphaned), None)
        facets = list(correction.facets) if correction is not None else list(item.facets)
        return FacetRequest(self.trial_id, self.registry_id, ref, item.text, facets, list(item.facets), correction)

    def request_facets(self, number: int) -> bool:
        """Ask for the facet editor of item ``number``; False when that item has no facets to correct."""
        if not self.is_current_version:
            self.load()  # corrections sit on the current version's criteria
        request = self.facet_request(number) if number < len(self.rendered.items) else None
        if request is not None:
            self.sig_facets_requested.emit(request)
        return request is not None

    def request_facets_here(self) -> bool:
        """Ctrl+Shift+E: correct the facets of the criterion under the cursor."""
        return self.request_facets(self._current_item)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt override)
        """The page's hover texts: a corrected criterion's (who corrected it, what was extracted)."""
        if event.type() == QEvent.Type.ToolTip and watched is self.browser.viewport():
            tip = self.browser.cursorForPosition(event.pos()).charFormat().toolTip()
            if tip:
                QToolTip.showText(event.globalPos(), tip, self.browser)
            else:
                QToolTip.hideText()
            return True
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------ jumping to items

    def show_item(self, kind: str, key: str) -> bool:
        """Scroll to an item and highlight it; False if the page has no such item."""
        if self.rendered is None:
            return False
        if not self.is_current_version:
            self.load()
        self.tabs.setCurrentIndex(0)
        number = self._find_item(kind, key)
        if number is None:
            return False
        self.browser.scrollToAnchor(f"item-{number}")
        bar = self.browser.verticalScrollBar()
        if bar.value() < bar.maximum():  # keep a few lines above the item in view
            bar.setValue(max(0, bar.value() - 5 * self.browser.fontMetrics().height()))
        self._current_item = number
        self.highlighted = self.rendered.items[number]
        self._highlight(*self.highlighted)
        return True

    def _find_item(self, kind: str, key: str) -> int | None:
        shown = self.rendered.items
        return shown.index((kind, key)) if (kind, key) in shown else None

    def _highlight(self, kind: str, key: str) -> None:
        number = self._find_item(kind, key)
        if number is None:
            self.browser.setExtraSelections([])
            return
        position = next((p for p, n in self._anchor_positions if n == number), None)
        if position is None:
            return
        # the item's paragraph, less its note badges and links (they keep their own colours)
        fmt = QTextCharFormat()
        fmt.setBackground(highlight_color(self.palette()))
        selections = []
        block = self.browser.document().findBlock(position)
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            href = fragment.charFormat().anchorHref()
            if fragment.isValid() and not href.startswith(("notes:", "add:")):
                cursor = QTextCursor(self.browser.document())
                cursor.setPosition(fragment.position())
                cursor.setPosition(fragment.position() + fragment.length(), QTextCursor.MoveMode.KeepAnchor)
                selection = QTextEdit.ExtraSelection()
                selection.format = fmt
                selection.cursor = cursor
                selections.append(selection)
            it += 1
        self.browser.setExtraSelections(selections)

    def section_text(self, name: str) -> str:
        """The plain text of one section of the page, from its heading to the next section's."""
        start = self._section_positions[name]
        later = [p for p in self._section_positions.values() if p > start]
        cursor = QTextCursor(self.browser.document())
        cursor.setPosition(start)
        if later:
            cursor.setPosition(min(later), QTextCursor.MoveMode.KeepAnchor)
        else:
            cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
        return cursor.selectedText().replace("\u2029", "\n").replace("\u2028", "\n")

    def page_text(self) -> str:
        """The page as plain text (what a reader sees; tests check values with it)."""
        return self.browser.toPlainText()
