"""The Report dialog (Ctrl+P): a PDF brief, comparison or notes digest, previewed before it is saved.

The reader chooses the template (a built-in one or a template file of their own), the trials (the
open trial, the open comparison, or the library's selection), the sections, notes on or off and the
reviewer's name. The PDF is rendered on a pool thread (WeasyPrint takes about a second) and shown in a
QPdfView; any change of choice renders again after a short pause, and a result that a newer choice
has overtaken is dropped. Save As writes the PDF where the reader says; Open in viewer hands it to
the system's PDF viewer. The choices are remembered in the data folder's settings.
"""

from __future__ import annotations

import logging
import re
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QPointF, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ...core.grid import trial_count_problem
from ...core.report_sections import ADDED_SINCE_FIRST_RELEASE, COMPARISON_SECTIONS, SECTIONS
from ...core.reports import ReportError, ReportOptions, render_pdf
from .. import tasks
from ..icons import icon

RENDER_DELAY_MS = 400
KINDS = {"brief": "Brief (one trial per chapter)", "comparison": "Comparison (2 to 6 trials)", "notes": "Notes digest"}
KINDS["grid"] = "Eligibility grid (2 to 50 trials)"
SOURCES = {"current": "Open trial", "comparison": "Open comparison", "selection": "Selected in the library"}

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportChoice:
    """What to render: everything the background task needs, fixed at the moment of the request."""

    kind: str
    registry_ids: tuple[str, ...]
    options: ReportOptions


def render_report(task, library, choice: ReportChoice) -> bytes | None:
    """On a pool thread: the PDF bytes of one choice (None when cancelled before the layout)."""
    task.progress("Reading the trials…")
    html = library.report_html(choice.kind, list(choice.registry_ids), choice.options)
    if task.is_cancelled():
        return None
    task.progress("Laying out the pages…")
    return render_pdf(html)


def _same_choice(a: ReportChoice, b: ReportChoice) -> bool:
    """Equal but for the moment of generation."""
    return (a.kind, a.registry_ids, replace(a.options, generated=b.options.generated)) == (
        b.kind,
        b.registry_ids,
        b.options,
    )


def default_file_name(choice: ReportChoice) -> str:
    ids = list(choice.registry_ids)
    named = "-".join(ids[:3]) + (f"-and-{len(ids) - 3}-more" if len(ids) > 3 else "")
    return re.sub(r"[^\w.-]+", "_", f"{choice.kind}-{named}") + ".pdf"


def remembered_sections(remembered: dict) -> set[str]:
    """The sections to tick: all but those the user left out last time; from a choice saved before
    that was remembered (only the ticked ones), those plus the sections added since."""
    if isinstance(remembered.get("sections_left_out"), list):
        return set(SECTIONS) - set(remembered["sections_left_out"])
    if isinstance(remembered.get("sections"), list):
        return (set(remembered["sections"]) | ADDED_SINCE_FIRST_RELEASE) & set(SECTIONS)
    return set(SECTIONS)


class ReportDialog(QDialog):
    """Non-modal; the main window makes a new one at each Ctrl+P (its trials are those of that moment)."""

    sig_rendered = Signal(bytes)
    sig_render_failed = Signal(str)

    def __init__(
        self,
        library,
        settings,
        trial_sources: dict[str, list[str]],
        parent: QWidget | None = None,
        templates_dir: Path | None = None,
    ):
        super().__init__(parent)
        self.library = library  # core.library.Library
        self.settings = settings
        self.templates_dir = templates_dir  # the user's templates: they replace built-ins of that name
        self.setObjectName("reportDialog")
        self.setWindowTitle("Report")
        self.setWindowIcon(icon("report"))
        self.pdf_bytes: bytes | None = None
        self.rendered_choice: ReportChoice | None = None
        self.saved_path: Path | None = None
        self._task: tasks.Task | None = None
        self._pending = False
        self._generation = 0
        self._preview_file: Path | None = None
        self._preview_dir = tempfile.TemporaryDirectory(prefix="protocol-reviewer-")
        remembered = settings.report_choices()

        # what to render
        self.kind_combo = QComboBox(self)
        for kind, label in KINDS.items():
            self.kind_combo.addItem(label, kind)
        self.template_edit = QLineEdit(remembered.get("template", ""), self)
        self.template_edit.setPlaceholderText("Built-in template")
        self.template_edit.setClearButtonEnabled(True)
        self.template_button = QPushButton("Choose…", self)
        self.template_button.clicked.connect(self.choose_template)
        template_row = QHBoxLayout()
        template_row.addWidget(self.template_edit, 1)
        template_row.addWidget(self.template_button)
        self.templates_link = QLabel(self)
        if templates_dir is not None:
            self.templates_link.setText('<a href="#">Your templates folder</a>')
            self.templates_link.setToolTip(
                f"{templates_dir}\nA copy of one of the app's templates (brief.html.j2, "
                "comparison.html.j2, notes.html.j2, partials/...), edited and put here, replaces the "
                "built-in one for every report."
            )
            self.templates_link.linkActivated.connect(lambda _link: self.open_templates_folder())

        self.source_group = QButtonGroup(self)
        self.source_buttons: dict[str, QRadioButton] = {}
        trials_box = QGroupBox("Trials", self)
        trials_layout = QVBoxLayout(trials_box)
        self.trial_sources = {key: list(ids) for key, ids in trial_sources.items()}
        for key, label in SOURCES.items():
            ids = self.trial_sources.get(key, [])
            button = QRadioButton(f"{label}: {', '.join(ids)}" if ids else f"{label}: none", trials_box)
            button.setEnabled(bool(ids))
            button.setToolTip(", ".join(ids))
            self.source_group.addButton(button)
            self.source_buttons[key] = button
            trials_layout.addWidget(button)

        self.sections_box = QGroupBox("Sections", self)
        sections_layout = QVBoxLayout(self.sections_box)
        wanted = remembered_sections(remembered)
        self.section_checks: dict[str, QCheckBox] = {}
        for name, label in SECTIONS.items():
            check = QCheckBox(label, self.sections_box)
            check.setChecked(name in wanted)
            self.section_checks[name] = check
            sections_layout.addWidget(check)

        self.notes_check = QCheckBox("Include the reviewer notes", self)
        self.notes_check.setChecked(bool(remembered.get("include_notes", True)))
        self.reviewer_edit = QLineEdit(str(remembered.get("reviewer") or settings.author()), self)
        self.reviewer_edit.setPlaceholderText("Name printed in the footer")

        form = QFormLayout()
        form.addRow("Report", self.kind_combo)
        form.addRow("Template", template_row)
        if templates_dir is not None:
            form.addRow("", self.templates_link)
        form.addRow("Reviewer", self.reviewer_edit)
        options_panel = QWidget(self)
        options_layout = QVBoxLayout(options_panel)
        options_layout.setContentsMargins(0, 0, 0, 0)
        options_layout.addLayout(form)
        options_layout.addWidget(trials_box)
        options_layout.addWidget(self.sections_box)
        options_layout.addWidget(self.notes_check)
        options_layout.addStretch(1)

        # the preview
        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setObjectName("reportPreview")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setPageSpacing(12)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("reportStatus")
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setRange(0, 0)
        self.progress_bar.setMaximumWidth(160)
        self.progress_bar.setTextVisible(False)
        self.progress_bar.hide()
        self.zoom_combo = QComboBox(self)
        self.zoom_combo.addItem("Fit width", QPdfView.ZoomMode.FitToWidth)
        self.zoom_combo.addItem("Whole page", QPdfView.ZoomMode.FitInView)
        self.zoom_combo.currentIndexChanged.connect(
            lambda _i: self.view.setZoomMode(self.zoom_combo.currentData())
        )
        status_row = QHBoxLayout()
        status_row.addWidget(self.progress_bar)
        status_row.addWidget(self.status_label, 1)
        status_row.addWidget(self.zoom_combo)
        preview_panel = QWidget(self)
        preview_layout = QVBoxLayout(preview_panel)
        preview_layout.setContentsMargins(0, 0, 0, 0)
        preview_layout.addWidget(self.view, 1)
        preview_layout.addLayout(status_row)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(options_panel)
        splitter.addWidget(preview_panel)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([320, 780])
        splitter.setChildrenCollapsible(False)

        # actions
        self.render_button = QPushButton(icon("report"), "Render", self)
        self.render_button.setToolTip("Render the report again (Ctrl+R)")
        self.render_button.clicked.connect(self.render_now)
        self.save_button = QPushButton("Save As…", self)
        self.save_button.setToolTip("Save the PDF (Ctrl+S)")
        self.save_button.clicked.connect(lambda: self.save_as())
        self.open_button = QPushButton("Open in viewer", self)
        self.open_button.setToolTip("Open the PDF in the system's PDF viewer")
        self.open_button.clicked.connect(self.open_in_viewer)
        self.close_button = QPushButton("Close", self)
        self.close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.render_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.close_button)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=lambda: self.save_as())
        QShortcut(QKeySequence("Ctrl+R"), self, activated=self.render_now)

        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self.resize(1150, 820)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(RENDER_DELAY_MS)
        self._debounce.timeout.connect(self.render_now)
        self._choose_defaults()
        self.kind_combo.currentIndexChanged.connect(self._choice_changed)
        self.source_group.buttonToggled.connect(lambda _b, checked: checked and self._choice_changed())
        for check in self.section_checks.values():
            check.toggled.connect(self._choice_changed)
        self.notes_check.toggled.connect(self._choice_changed)
        self.reviewer_edit.textChanged.connect(self._choice_changed)
        self.template_edit.textChanged.connect(self._choice_changed)
        self._update_controls()

    # ------------------------------------------------------------ choices

    def _choose_defaults(self) -> None:
        """The open comparison makes a comparison; an open trial a brief; else the library's selection."""
        if self.trial_sources.get("comparison"):
            source, kind = "comparison", "comparison"
        elif self.trial_sources.get("current"):
            source, kind = "current", "brief"
        else:
            source = "selection"
            kind = "comparison" if 2 <= len(self.trial_sources.get("selection", [])) <= 6 else "brief"
        self.source_buttons[source].setChecked(True)
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind))

    def set_kind(self, kind: str) -> None:
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind))

    def set_source(self, source: str) -> None:
        self.source_buttons[source].setChecked(True)

    def source(self) -> str:
        for key, button in self.source_buttons.items():
            if button.isChecked():
                return key
        return "selection"

    def choice(self) -> ReportChoice:
        """The current choice; ReportError says what is wrong with it."""
        kind = self.kind_combo.currentData()
        ids = tuple(self.trial_sources.get(self.source(), []))
        if not ids:
            raise ReportError("choose the trials: open one, open a comparison or select some in the library")
        if kind == "comparison" and not 2 <= len(ids) <= 6:
            raise ReportError(f"a comparison takes 2 to 6 trials; {len(ids)} chosen")
        if kind == "grid" and (problem := trial_count_problem(len(ids))):
            raise ReportError(problem)
        template_text = self.template_edit.text().strip()
        template = Path(template_text).expanduser() if template_text else None
        if template is not None and not template.is_file():
            raise ReportError(f"no template file {template}")
        sections = frozenset(name for name, check in self.section_checks.items() if check.isChecked())
        reviewer = self.reviewer_edit.text().strip() or self.settings.author()
        options = ReportOptions(
            reviewer=reviewer,
            include_notes=self.notes_check.isChecked(),
            template=template,
            sections=sections,
            templates_dir=self.templates_dir,
        )
        return ReportChoice(kind, ids, options)

    def _choice_changed(self, *_args) -> None:
        self._update_controls()
        self._remember()
        self._debounce.start()

    def _update_controls(self) -> None:
        kind = self.kind_combo.currentData()
        self.sections_box.setEnabled(kind not in ("notes", "grid"))  # a digest is the notes alone, a grid its facets
        for name, check in self.section_checks.items():
            if kind == "comparison":
                check.setEnabled(name in COMPARISON_SECTIONS)
            else:
                check.setEnabled(name != "notes_summary" or self.notes_check.isChecked())
        have_pdf = self.pdf_bytes is not None
        self.save_button.setEnabled(have_pdf)
        self.open_button.setEnabled(have_pdf)

    def _remember(self) -> None:
        self.settings.set_report_choices(
            {
                **self.settings.report_choices(),
                "reviewer": self.reviewer_edit.text().strip(),
                "sections": [name for name, check in self.section_checks.items() if check.isChecked()],
                # what was unticked: a section added later starts ticked
                "sections_left_out": [n for n, check in self.section_checks.items() if not check.isChecked()],
                "include_notes": self.notes_check.isChecked(),
                "template": self.template_edit.text().strip(),
            }
        )

    def open_templates_folder(self) -> bool:
        """Show the user's templates folder in the file manager (made if it is not there yet)."""
        if self.templates_dir is None:
            return False
        self.templates_dir.mkdir(parents=True, exist_ok=True)
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.templates_dir)))

    def choose_template(self) -> None:
        start = self.template_edit.text().strip() or str(Path.home())
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose a report template", start, "Jinja templates (*.j2 *.html);;All files (*)"
        )
        if path:
            self.template_edit.setText(path)

    # ------------------------------------------------------------ rendering

    def is_rendering(self) -> bool:
        return self._task is not None

    def preview_is_current(self) -> bool:
        """True when the preview shows the current choice and nothing more is on its way."""
        if self._task is not None or self._debounce.isActive() or self.rendered_choice is None:
            return False
        try:
            wanted = self.choice()
        except ReportError:
            return False
        return _same_choice(wanted, self.rendered_choice)

    def render_now(self) -> None:
        """Render the current choice (after the one in flight, if any)."""
        self._debounce.stop()
        if self._task is not None:
            self._pending = True
            self._task.cancel()
            return
        try:
            choice = self.choice()
        except ReportError as error:
            self._show_status(f"Cannot make this report: {error}.", error=True)
            self.sig_render_failed.emit(str(error))
            return
        self._generation += 1
        generation = self._generation
        self.progress_bar.show()
        self._show_status("Rendering…")
        self._task = tasks.start(
            render_report,
            self.library,
            choice,
            on_finished=lambda data: self._rendered(generation, choice, data),
            on_failed=lambda message, details: self._failed(generation, message, details),
            on_progress=lambda text: self._progress(generation, text),
        )

    def _progress(self, generation: int, text: str) -> None:
        if generation == self._generation:
            self._show_status(text)

    def _task_done(self) -> bool:
        """Forget the finished task; True when a newer choice is waiting (render it instead)."""
        self._task = None
        self.progress_bar.hide()
        if self._pending:
            self._pending = False
            self.render_now()
            return True
        return False

    def _rendered(self, generation: int, choice: ReportChoice, data: bytes | None) -> None:
        if self._task_done() or data is None or generation != self._generation:
            return
        self.pdf_bytes = data
        self.rendered_choice = choice
        self.saved_path = None
        self._preview_file = Path(self._preview_dir.name) / default_file_name(choice)
        self._preview_file.write_bytes(data)
        page = self.view.pageNavigator().currentPage() if self.document.pageCount() else 0
        self.document.close()
        self.document.load(str(self._preview_file))
        pages = self.document.pageCount()
        # the reader stays on the page they were reading when a choice changes
        self.view.pageNavigator().jump(min(page, max(pages - 1, 0)), QPointF(), self.view.zoomFactor())
        self._show_status(
            f"{pages} page{'s' if pages != 1 else ''} · {len(data) / 1024:,.0f} KiB · "
            f"{', '.join(choice.registry_ids)}"
        )
        self._update_controls()
        self.sig_rendered.emit(data)

    def _failed(self, generation: int, message: str, details: str) -> None:
        if self._task_done() or generation != self._generation:
            return
        message = message.removeprefix("ReportError: ")
        log.error("report failed: %s\n%s", message, details)
        self._show_status(f"The report could not be made: {message}", error=True)
        self.sig_render_failed.emit(message)

    def _show_status(self, text: str, error: bool = False) -> None:
        self.status_label.setText(text)
        self.status_label.setProperty("error", error)
        self.status_label.setStyleSheet("color: #b3261e;" if error else "")

    # ------------------------------------------------------------ the result

    def save_as(self, path: Path | str | None = None) -> Path | None:
        """Write the PDF; without a path, ask for one (starting in the folder used last)."""
        if self.pdf_bytes is None or self.rendered_choice is None:
            return None
        if path is None:
            folder = self.settings.report_choices().get("folder") or str(Path.home())
            chosen, _ = QFileDialog.getSaveFileName(
                self,
                "Save the report",
                str(Path(folder) / default_file_name(self.rendered_choice)),
                "PDF files (*.pdf)",
            )
            if not chosen:
                return None
            path = chosen
        target = Path(path)
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        try:
            target.write_bytes(self.pdf_bytes)
        except OSError as error:
            QMessageBox.warning(
                self, "Not saved", f"The report could not be saved to {target}: {error.strerror or error}."
            )
            return None
        self.saved_path = target
        self.settings.set_report_choices({**self.settings.report_choices(), "folder": str(target.parent)})
        self._show_status(f"Saved to {target}")
        return target

    def open_in_viewer(self) -> bool:
        """Hand the PDF (the saved file, else the preview's copy) to the system's viewer."""
        target = self.saved_path or self._preview_file
        if target is None or not target.is_file():
            return False
        opened = QDesktopServices.openUrl(QUrl.fromLocalFile(str(target)))
        if not opened:
            self._show_status(f"No PDF viewer could open {target}; use Save As and open it yourself.", True)
        return opened

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self._debounce.stop()
        if self._task is not None:
            self._pending = False
            self._task.cancel()
        super().closeEvent(event)

    def done(self, result: int) -> None:
        self._debounce.stop()
        super().done(result)
