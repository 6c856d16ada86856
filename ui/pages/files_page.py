"""Step 2 for the source: choose files, see what each reveals and what happens."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from submitter.errors import SubmitterError
from submitter.metadata import engine
from submitter.metadata.model import Inspection
from submitter.metadata.source import Source
from ui.file_dialogs import choose_paths
from ui.messages import user_message
from ui.models.file_list_model import FileEntry, FileListModel, Status
from ui.tasks import TaskRunner

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


def _inspect_work(path: Path) -> Callable[[Callable[[object], None], threading.Event], object]:
    def work(_progress: Callable[[object], None], _cancel: threading.Event) -> Inspection:
        return engine.inspect(Source.from_path(path), path.name)

    return work


class FilesPage(QWidget):
    selection_changed = Signal()

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("filesPage")
        self._tasks = tasks
        self.model = FileListModel()
        self.setAcceptDrops(True)

        self._intro = QLabel(self)
        self._intro.setWordWrap(True)
        self._table = QTableView(self)
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

        buttons = QHBoxLayout()
        for button in (self._add_files, self._add_folder, self._remove):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self._intro)
        layout.addLayout(buttons)
        layout.addWidget(self._table, 1)
        layout.addWidget(self._keep_names)
        layout.addWidget(self._warning)

        self._add_files.clicked.connect(
            lambda: self.add_paths(choose_paths(self, self.tr("Add files")))
        )
        self._add_folder.clicked.connect(
            lambda: self.add_paths(choose_paths(self, self.tr("Add a folder"), folders=True))
        )
        self._remove.clicked.connect(self._remove_selected)
        self.retranslate()

    # --- public ---

    def page_title(self) -> str:
        return self.tr("2. Files")

    def keep_names(self) -> bool:
        return self._keep_names.isChecked()

    def add_paths(self, paths: Iterable[Path]) -> None:
        for path in expand_paths(paths):
            try:
                size = path.stat().st_size
            except OSError:
                continue
            if self.model.add(FileEntry(path=path, size=size)) < 0:
                continue
            self._tasks.start(
                _inspect_work(path),
                finished=lambda result, p=path: self._inspected(p, result),
                failed=lambda exc, p=path: self._refused(p, exc),
            )
        self.selection_changed.emit()

    # --- slots ---

    def _inspected(self, path: Path, inspection: object) -> None:
        assert isinstance(inspection, Inspection)
        self.model.update(
            path, status=Status.READY, inspection=inspection, warnings=list(inspection.warnings)
        )
        self._refresh_warning()
        self.selection_changed.emit()

    def _refused(self, path: Path, exc: object) -> None:
        message = user_message(exc) if isinstance(exc, BaseException) else ""
        self.model.update(path, status=Status.REFUSED, refusal=message)
        self.selection_changed.emit()
        if not isinstance(exc, SubmitterError):
            # Not a refusal the core foresaw: still never sent (fail closed).
            pass

    def _remove_selected(self) -> None:
        rows = [index.row() for index in self._table.selectionModel().selectedRows()]
        self.model.remove_rows(rows)
        self._refresh_warning()
        self.selection_changed.emit()

    def _refresh_warning(self) -> None:
        warnings: list[str] = []
        for entry in self.model.entries():
            for text in entry.warnings:
                if text not in warnings:
                    warnings.append(text)
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
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 3)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
