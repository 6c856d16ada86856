"""The table of files in an opened bundle, from the opener's report.

Every string in it came from a bundle, which may be hostile: names, removed
fields, notes and warnings pass the display sanitiser and are shown as plain
text (item views never interpret rich text in DisplayRole).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, Qt

from submitter.bundle.manifest import FileEntry
from submitter.bundle.opener import OpenReport
from submitter.sanitize import sanitize
from ui.models.column_table import ColumnTableModel, Index
from ui.models.file_list_model import human_size

_MAX_LISTED = 5  # removed details named per file before "and N more"


def _tr(text: str) -> str:
    return QCoreApplication.translate("ManifestModel", text)


@dataclass(frozen=True, slots=True)
class ManifestRow:
    entry: FileEntry | None  # None for a file still waiting for missing parts
    name: str  # untrusted: sanitised when shown


class ManifestModel(ColumnTableModel):
    COLUMNS = ("name", "type", "size", "hash", "removed", "warnings")

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[ManifestRow] = []

    # --- data ---

    def set_report(self, report: OpenReport | None) -> None:
        self.beginResetModel()
        self._rows = []
        if report is not None:
            self._rows = [ManifestRow(e, e.name) for e in report.files]
            self._rows += [ManifestRow(None, name) for name in report.incomplete]
        self.endResetModel()

    def rows(self) -> list[ManifestRow]:
        return list(self._rows)

    def cell_text(self, row: int, column: str) -> str:
        """What the table shows in a cell (for tests and screen readers)."""
        value = self.data(self.index(row, self.COLUMNS.index(column)))
        return value if isinstance(value, str) else ""

    # --- Qt model ---

    def _row_total(self) -> int:
        return len(self._rows)

    def _column_titles(self) -> dict[str, str]:
        return {
            "name": _tr("Name in the bundle"),
            "type": _tr("Type"),
            "size": _tr("Size"),
            "hash": _tr("Hash"),
            "removed": _tr("Removed by the sender's app"),
            "warnings": _tr("Warnings"),
        }

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            if column == "hash" and row.entry is not None:
                return _tr("SHA-256 %1, checked against the bundle's list").replace(
                    "%1", row.entry.sha256)
            return self._display(row, column)
        if role == Qt.ItemDataRole.ForegroundRole and row.entry is None:
            from PySide6.QtGui import QColor

            return QColor("#7a4b00")
        return None

    def _display(self, row: ManifestRow, column: str) -> str:
        entry = row.entry
        if column == "name":
            return sanitize(row.name, max_len=200)
        if entry is None:
            if column == "hash":
                return _tr("Waiting for the missing parts")
            return ""
        if column == "type":
            return sanitize(entry.kind.upper(), max_len=16)
        if column == "size":
            return human_size(entry.size)
        if column == "hash":
            # Only files whose SHA-256 matched the manifest are ever released.
            return _tr("Verified (%1…)").replace("%1", entry.sha256[:16])
        if column == "removed":
            return self._removed(entry)
        return self._warnings(entry)

    @staticmethod
    def _removed(entry: FileEntry) -> str:
        parts: list[str] = []
        if not entry.removed:
            parts.append(_tr("Nothing"))
        else:
            named = [
                f"{sanitize(r.field, max_len=60)} ({sanitize(r.category, max_len=40)})"
                for r in entry.removed[:_MAX_LISTED]
            ]
            text = ", ".join(named)
            if len(entry.removed) > _MAX_LISTED:
                text += " " + _tr("and %1 more").replace(
                    "%1", str(len(entry.removed) - _MAX_LISTED))
            parts.append(text)
        if not entry.lossless:
            parts.append(_tr("re-encoded by the sender's cleaner"))
        parts.extend(sanitize(n, max_len=200) for n in entry.notes[:_MAX_LISTED])
        return "; ".join(parts)

    @staticmethod
    def _warnings(entry: FileEntry) -> str:
        return "; ".join(sanitize(w, max_len=300) for w in entry.warnings[:_MAX_LISTED])
