"""What the app's flat tables share: named columns, titled headers, row updates.

Each table lists its columns by name in ``COLUMNS``, says how many rows it
holds and gives the column titles, translated in its own context (the
``QCoreApplication.translate`` calls stay in the subclass, so lupdate files
them under that model's name); this base answers Qt's row, column and header
questions from those.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex


class ColumnTableModel(QAbstractTableModel):
    """A flat table (no child rows); subclasses fill in ``_row_total`` and ``_column_titles``."""

    COLUMNS: tuple[str, ...] = ()

    def _row_total(self) -> int:
        """How many rows the table holds now."""
        raise NotImplementedError

    def _column_titles(self) -> dict[str, str]:
        """Each column's header, translated when asked (so it follows the language)."""
        raise NotImplementedError

    def _rows_changed(self, first: int, last: int) -> None:
        """Tell the views that every cell of rows ``first`` to ``last`` may differ."""
        self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.COLUMNS) - 1))

    # --- Qt model ---

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._row_total()

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return self._column_titles()[self.COLUMNS[section]]
