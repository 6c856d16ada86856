"""Step 2 for the source: choose files, see what each reveals and what happens.

Files come from the dialogs or by drag and drop (folders are walked). Each
is inspected on a worker; the table says what it reveals, and the selected
file is shown in full below it: every finding, every warning its cleaner
gave (what cannot be removed), and a preview of its picture, first video
frame or first PDF page, made on a worker in memory only.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtCore import QEvent, QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from submitter.metadata import engine
from submitter.metadata.model import Inspection
from submitter.metadata.source import Source
from submitter.preview import Preview, PreviewError, PreviewUnavailable, previewable, render_preview
from ui.file_dialogs import choose_paths
from ui.messages import user_message
from ui.models.file_list_model import FileEntry, FileListModel, Status
from ui.tasks import Task, TaskRunner, Work
from ui.widgets.file_details import FileDetailsView
from ui.widgets.preview_view import PreviewView

MAX_FOLDER_FILES = 100_000


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files, and the files inside folders (symlinks are not followed)."""
    found: list[Path] = []
    for path in paths:
        if path.is_symlink():
            continue
        if path.is_dir():
            for root, dirs, files in os.walk(path, followlinks=False):
                dirs.sort()
                for name in sorted(files):
                    candidate = Path(root) / name
                    if candidate.is_file() and not candidate.is_symlink():
                        found.append(candidate)
                    if len(found) >= MAX_FOLDER_FILES:
                        return found
        elif path.is_file():
            found.append(path)
    return found


def _inspect_work(path: Path) -> Work:
    def work(_progress: Callable[[object], None], _cancel: threading.Event) -> Inspection:
        return engine.inspect(Source.from_path(path), path.name)

    return work


def _preview_work(path: Path, kind: str) -> Work:
    def work(_progress: Callable[[object], None], cancel: threading.Event) -> Preview:
        return render_preview(path, kind, cancel=cancel)

    return work


class FilesPage(QWidget):
    selection_changed = Signal()
    preview_settled = Signal()  # the selected file's preview, or the reason for none, is shown

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("filesPage")
        self._tasks = tasks
        self.model = FileListModel()
        self.setAcceptDrops(True)

        self._intro = QLabel(self)
        self._intro.setWordWrap(True)
        self._table = QTableView(self)
        # Tab leaves the table (arrow keys move inside it), so it cannot trap a keyboard user.
        self._table.setTabKeyNavigation(False)
        self._table.setObjectName("fileTable")
        self._table.setModel(self.model)
        self._table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self._table.horizontalHeader().setSectionResizeMode(
            3, QHeaderView.ResizeMode.Stretch
        )
        self._table.setWordWrap(True)
        self._add_files = QPushButton(self)
        self._add_files.setObjectName("addFiles")
        self._add_folder = QPushButton(self)
        self._add_folder.setObjectName("addFolder")
        self._remove = QPushButton(self)
        self._remove.setObjectName("removeFiles")
        self._keep_names = QCheckBox(self)
        self._keep_names.setObjectName("keepNames")
        self._keep_names.setChecked(False)
        self._warning = QLabel(self)
        self._warning.setObjectName("cannotRemoveWarning")
        self._warning.setWordWrap(True)
        self._details = FileDetailsView(self)
        self._preview = PreviewView(self)
        # What the preview shows now (path and status), and which answer it waits for.
        self._preview_for: tuple[Path, Status] | None = None
        self._preview_gen = 0
        self._preview_task: Task | None = None

        buttons = QHBoxLayout()
        for button in (self._add_files, self._add_folder, self._remove):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self._intro)
        layout.addLayout(buttons)
        layout.addWidget(self._table, 1)
        # Many findings scroll inside their own box instead of squeezing the table.
        details_box = QScrollArea(self)
        details_box.setObjectName("fileDetailsScroll")
        details_box.setWidgetResizable(True)
        details_box.setFrameShape(QFrame.Shape.NoFrame)
        details_box.setWidget(self._details)
        details_box.setMinimumHeight(self._preview.minimumSizeHint().height())
        self._table.setMinimumHeight(120)
        selected = QHBoxLayout()
        selected.addWidget(details_box, 1)
        selected.addWidget(self._preview, 0)
        layout.addLayout(selected)
        layout.addWidget(self._keep_names)
        layout.addWidget(self._warning)

        self._add_files.clicked.connect(
            lambda: self.add_paths(choose_paths(self, self.tr("Add files")))
        )
        self._add_folder.clicked.connect(
            lambda: self.add_paths(choose_paths(self, self.tr("Add a folder"), folders=True))
        )
        self._remove.clicked.connect(self._remove_selected)
        self._table.selectionModel().currentRowChanged.connect(self._show_current)
        self.model.modelReset.connect(self._show_current)
        self.model.rowsRemoved.connect(self._show_current)
        self.retranslate()

    # --- public ---

    def page_title(self) -> str:
        return self.tr("2. Files")

    def keep_names(self) -> bool:
        return self._keep_names.isChecked()

    def add_paths(self, paths: Iterable[Path]) -> None:
        first_new = -1
        for path in expand_paths(paths):
            try:
                size = path.stat().st_size
            except OSError:
                continue
            row = self.model.add(FileEntry(path=path, size=size))
            if row < 0:
                continue
            if first_new < 0:
                first_new = row
            self._tasks.start(
                _inspect_work(path),
                finished=lambda result, p=path: self._inspected(p, result),
                failed=lambda exc, p=path: self._refused(p, exc),
            )
        if first_new >= 0 and not self._table.selectionModel().currentIndex().isValid():
            self.select_row(first_new)
        self.selection_changed.emit()

    def select_row(self, row: int) -> None:
        """Make ``row`` the selected file (its details and preview are shown)."""
        self._table.selectionModel().setCurrentIndex(
            self.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )

    def selected_entry(self) -> FileEntry | None:
        index = self._table.selectionModel().currentIndex()
        if not index.isValid() or not 0 <= index.row() < self.model.rowCount():
            return None
        return self.model.entries()[index.row()]

    def details(self) -> FileDetailsView:
        return self._details

    def preview(self) -> PreviewView:
        return self._preview

    # --- slots ---

    def _inspected(self, path: Path, inspection: object) -> None:
        assert isinstance(inspection, Inspection)
        self.model.update(
            path, status=Status.READY, inspection=inspection, warnings=list(inspection.warnings)
        )
        self._refresh_warning()
        self._show_current()
        self.selection_changed.emit()

    def _refused(self, path: Path, exc: object) -> None:
        # Not a refusal the core foresaw (not a SubmitterError): user_message says
        # so in fixed words, and the file is still never sent (fail closed).
        message = user_message(exc) if isinstance(exc, BaseException) else ""
        self.model.update(path, status=Status.REFUSED, refusal=message)
        self._show_current()
        self.selection_changed.emit()

    # --- the selected file ---

    def _show_current(self, *_args: object) -> None:
        entry = self.selected_entry()
        self._details.set_entry(entry)
        wanted = None if entry is None else (entry.path, entry.status)
        if wanted == self._preview_for:
            return
        self._preview_for = wanted
        self._preview_gen += 1
        if self._preview_task is not None:
            self._preview_task.cancel()
            self._preview_task = None
        if entry is None:
            self._preview.clear()
        elif entry.status is Status.CHECKING:
            self._preview.show_waiting()  # started once the file is checked
        elif entry.status is Status.REFUSED:
            self._preview.show_reason(lambda: self.tr("No preview: this file will not be sent."))
            self.preview_settled.emit()
        elif entry.inspection is None or not previewable(entry.inspection.kind):
            self._preview.show_reason(lambda: user_message(PreviewUnavailable()))
            self.preview_settled.emit()
        else:
            generation = self._preview_gen
            self._preview.show_waiting()
            self._preview_task = self._tasks.start(
                _preview_work(entry.path, entry.inspection.kind),
                finished=lambda result, g=generation: self._previewed(g, result),
                failed=lambda exc, g=generation: self._preview_failed(g, exc),
            )

    def _previewed(self, generation: int, result: object) -> None:
        if generation != self._preview_gen or not isinstance(result, Preview):
            return
        self._preview_task = None
        self._preview.show_preview(result)
        self.preview_settled.emit()

    def _preview_failed(self, generation: int, exc: object) -> None:
        if generation != self._preview_gen:
            return
        self._preview_task = None
        # Only the class is kept: the exception's traceback may hold decoded pixels.
        reason = type(exc) if isinstance(exc, PreviewError) else PreviewError
        self._preview.show_reason(lambda: user_message(reason()))
        self.preview_settled.emit()

    def _remove_selected(self) -> None:
        rows = [index.row() for index in self._table.selectionModel().selectedRows()]
        self.model.remove_rows(rows)
        self._refresh_warning()
        self.selection_changed.emit()

    def _refresh_warning(self) -> None:
        # The general rule; each file's own warnings are in its details (FileDetailsView).
        base = self.tr(
            "Cleaning removes hidden details only. What pictures, sound and text show "
            "(faces, voices, names, on-screen dates and camera names) stays: check it yourself."
        )
        self._warning.setText(base)

    # --- drag and drop ---

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and all(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        if not event.mimeData().hasUrls():
            return
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        self.add_paths(paths)
        event.acceptProposedAction()

    # --- language ---

    def retranslate(self) -> None:
        self._intro.setText(
            self.tr(
                "Add the files to send. The app shows what each one reveals about where, "
                "when and by whom it was made, and removes it. Files it cannot clean "
                "with certainty are not sent."
            )
        )
        self._add_files.setText(self.tr("Add files…"))
        self._add_folder.setText(self.tr("Add a folder…"))
        self._remove.setText(self.tr("Remove selected"))
        self._keep_names.setText(
            self.tr("Keep the original file names (names can identify you; off is safer)")
        )
        self._table.setAccessibleName(self.tr("Chosen files"))
        self._refresh_warning()
        self._details.retranslate()
        self._preview.retranslate()
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 3)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
