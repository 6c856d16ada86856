"""The table of files the source chose: type, size, findings, verdict.

Paths stay in memory only; nothing here is persisted.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QModelIndex, Qt

from submitter.metadata.model import Inspection
from submitter.sanitize import sanitize
from ui.findings_text import summarise, warning_texts
from ui.models.column_table import ColumnTableModel, Index


class Status(enum.Enum):
    CHECKING = "checking"
    READY = "ready"
    REFUSED = "refused"


@dataclass(slots=True)
class FileEntry:
    path: Path
    size: int
    status: Status = Status.CHECKING
    inspection: Inspection | None = None
    refusal: str = ""  # the fixed, plain message of the refusal
    warnings: list[str] = field(default_factory=list)


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TB"


class FileListModel(ColumnTableModel):
    COLUMNS = ("name", "type", "size", "details")

    def __init__(self) -> None:
        super().__init__()
        self._entries: list[FileEntry] = []

    # --- data ---

    def entries(self) -> list[FileEntry]:
        return list(self._entries)

    def add(self, entry: FileEntry) -> int:
        if any(e.path == entry.path for e in self._entries):
            return -1
        row = len(self._entries)
        self.beginInsertRows(QModelIndex(), row, row)
        self._entries.append(entry)
        self.endInsertRows()
        return row

    def remove_rows(self, rows: list[int]) -> None:
        for row in sorted(set(rows), reverse=True):
            if 0 <= row < len(self._entries):
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._entries[row]
                self.endRemoveRows()

    def clear(self) -> None:
        self.beginResetModel()
        self._entries.clear()
        self.endResetModel()

    def row_of(self, path: Path) -> int:
        for row, entry in enumerate(self._entries):
            if entry.path == path:
                return row
        return -1

    def update(self, path: Path, **changes: object) -> None:
        row = self.row_of(path)
        if row < 0:
            return
        entry = self._entries[row]
        for key, value in changes.items():
            setattr(entry, key, value)
        self._rows_changed(row, row)

    def ready_paths(self) -> list[Path]:
        return [e.path for e in self._entries if e.status is Status.READY]

    def all_checked(self) -> bool:
        return all(e.status is not Status.CHECKING for e in self._entries)

    # --- Qt model ---

    def _row_total(self) -> int:
        return len(self._entries)

    def _column_titles(self) -> dict[str, str]:
        return {
            "name": QCoreApplication.translate("FileListModel", "File"),
            "type": QCoreApplication.translate("FileListModel", "Type"),
            "size": QCoreApplication.translate("FileListModel", "Size"),
            "details": QCoreApplication.translate("FileListModel", "What it reveals"),
        }

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        entry = self._entries[index.row()]
        column = self.COLUMNS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == "name":
                return sanitize(entry.path.name, max_len=120)
            if column == "type":
                return entry.inspection.kind.upper() if entry.inspection else ""
            if column == "size":
                return human_size(entry.size)
            if role == Qt.ItemDataRole.ToolTipRole:
                return self._details_tip(entry)
            return self._details(entry)
        if role == Qt.ItemDataRole.ForegroundRole and entry.status is Status.REFUSED:
            from PySide6.QtGui import QColor

            return QColor("#b00020")
        return None

    @classmethod
    def _details_tip(cls, entry: FileEntry) -> str:
        """The details, then what cleaning cannot remove (the cleaner's own warnings)."""
        text = cls._details(entry)
        if entry.status is not Status.READY or not entry.warnings:
            return text
        kept = "\n".join(warning_texts(entry.warnings))
        return text + "\n\n" + QCoreApplication.translate(
            "FileListModel", "Cannot be removed: %1"
        ).replace("%1", kept)

    @staticmethod
    def _details(entry: FileEntry) -> str:
        if entry.status is Status.CHECKING:
            return QCoreApplication.translate("FileListModel", "Checking…")
        if entry.status is Status.REFUSED:
            return QCoreApplication.translate("FileListModel", "Will not be sent: %1").replace(
                "%1", entry.refusal
            )
        assert entry.inspection is not None
        text = summarise(entry.inspection.findings)
        if entry.inspection.findings:
            text = QCoreApplication.translate("FileListModel", "Will be removed: %1").replace(
                "%1", text
            )
        return text
