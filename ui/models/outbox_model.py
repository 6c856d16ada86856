"""The table of parts in the outbox: status, progress, next try, problem.

Rows come from ``Outbox.parts()`` (read in a worker) plus live progress from
a delivery pass. Part ids and file names are random; nothing here names a
file or the organisation.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, Qt

from submitter.outbox.queue import PartInfo
from submitter.transports.base import Phase, SendProgress
from ui.models.column_table import ColumnTableModel, Index
from ui.models.file_list_model import human_size


def relative_time(seconds: float) -> str:
    """'now', 'in 40 s', 'in 3 min', 'in 2 h' (rounded up: never earlier than said)."""
    if seconds <= 0:
        return QCoreApplication.translate("OutboxModel", "now")
    if seconds < 60:
        return QCoreApplication.translate("OutboxModel", "in %1 s").replace(
            "%1", str(int(seconds + 0.999)))
    if seconds < 3600:
        return QCoreApplication.translate("OutboxModel", "in %1 min").replace(
            "%1", str(int(seconds / 60 + 0.999)))
    return QCoreApplication.translate("OutboxModel", "in %1 h").replace(
        "%1", str(int(seconds / 3600 + 0.999)))


@dataclass(slots=True)
class OutboxRow:
    info: PartInfo
    live: SendProgress | None = None  # while a delivery pass sends this part


class OutboxModel(ColumnTableModel):
    COLUMNS = ("part", "size", "status", "progress", "next", "problem")

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[OutboxRow] = []
        self._now = time.time()

    # --- data ---

    def rows(self) -> list[OutboxRow]:
        return list(self._rows)

    def part_ids(self) -> list[str]:
        return [r.info.id for r in self._rows]

    def row_of(self, part_id: str) -> int:
        for i, row in enumerate(self._rows):
            if row.info.id == part_id:
                return i
        return -1

    def set_parts(self, parts: list[PartInfo], now: float | None = None) -> None:
        """Replace the rows; keeps live progress, and the selection when ids are unchanged."""
        self._now = time.time() if now is None else now
        live = {r.info.id: r.live for r in self._rows}
        rows = [OutboxRow(p, live.get(p.id) if p.state == "sending" else None) for p in parts]
        if [r.info.id for r in rows] == self.part_ids():
            self._rows = rows
            if rows:
                self._rows_changed(0, len(rows) - 1)
            return
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def set_live(self, event: SendProgress) -> None:
        row = self.row_of(event.part_id)
        if row < 0:
            return
        self._rows[row].live = event
        self._rows_changed(row, row)

    def clear_live(self) -> None:
        for row in self._rows:
            row.live = None
        if self._rows:
            self._rows_changed(0, len(self._rows) - 1)

    def clear(self) -> None:
        self.beginResetModel()
        self._rows = []
        self.endResetModel()

    # --- texts ---

    def status_text(self, row: OutboxRow) -> str:
        info = row.info
        if row.live is not None and row.live.phase is Phase.VERIFYING:
            return QCoreApplication.translate("OutboxModel", "Checking the copy")
        if row.live is not None and row.live.phase in (Phase.DONE, Phase.SAFE_TO_UNPLUG):
            return QCoreApplication.translate("OutboxModel", "Delivered")
        if row.live is not None:
            return QCoreApplication.translate("OutboxModel", "Sending")
        if info.state == "delivered":
            return QCoreApplication.translate("OutboxModel", "Delivered")
        if info.state == "failed":
            return QCoreApplication.translate("OutboxModel", "Stopped: needs your attention")
        if info.state == "sending":
            return QCoreApplication.translate("OutboxModel", "Interrupted: will continue")
        if info.reason:
            return QCoreApplication.translate("OutboxModel", "Waiting to try again")
        if info.next_try > self._now:
            return QCoreApplication.translate("OutboxModel", "Waiting for its scheduled time")
        return QCoreApplication.translate("OutboxModel", "Waiting to be sent")

    def progress_value(self, row: OutboxRow) -> int:
        """0..100."""
        if row.info.state == "delivered":
            return 100
        sent, total = row.info.sent, row.info.size
        if row.live is not None and row.live.total:
            sent, total = row.live.sent, row.live.total
        return int(100 * sent / total) if total else 0

    def next_try_text(self, row: OutboxRow) -> str:
        info = row.info
        if info.state != "queued" or row.live is not None:
            return ""
        return relative_time(info.next_try - self._now)

    @staticmethod
    def problem_text(row: OutboxRow) -> str:
        reason = row.info.reason
        # Reasons are the core's fixed messages: translated, never free text.
        return QCoreApplication.translate("CoreMessages", reason) if reason else ""

    # --- Qt model ---

    def _row_total(self) -> int:
        return len(self._rows)

    def _column_titles(self) -> dict[str, str]:
        return {
            "part": QCoreApplication.translate("OutboxModel", "Part"),
            "size": QCoreApplication.translate("OutboxModel", "Size"),
            "status": QCoreApplication.translate("OutboxModel", "Status"),
            "progress": QCoreApplication.translate("OutboxModel", "Progress"),
            "next": QCoreApplication.translate("OutboxModel", "Next try"),
            "problem": QCoreApplication.translate("OutboxModel", "Problem"),
        }

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = self.COLUMNS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                    Qt.ItemDataRole.AccessibleTextRole):
            if column == "part":
                return QCoreApplication.translate("OutboxModel", "Part %1").replace(
                    "%1", str(index.row() + 1))
            if column == "size":
                return human_size(row.info.size)
            if column == "status":
                return self.status_text(row)
            if column == "progress":
                return f"{self.progress_value(row)} %"
            if column == "next":
                return self.next_try_text(row)
            return self.problem_text(row)
        if role == Qt.ItemDataRole.UserRole:
            return row.info.id
        if role == Qt.ItemDataRole.ForegroundRole and row.info.state == "failed":
            from PySide6.QtGui import QColor

            return QColor("#b00020")
        return None
