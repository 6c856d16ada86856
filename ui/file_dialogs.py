"""File and folder pickers that leave no history behind."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget


def make_open_dialog(parent: QWidget | None, title: str, *, folders: bool = False) -> QFileDialog:
    dialog = QFileDialog(parent, title)
    # Qt's own dialog, never the desktop's: native ones record "recent files".
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setOption(QFileDialog.Option.DontUseCustomDirectoryIcons, True)
    dialog.setHistory([])
    dialog.setSidebarUrls([])
    if folders:
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    else:
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
    return dialog


def choose_paths(parent: QWidget | None, title: str, *, folders: bool = False) -> list[Path]:
    dialog = make_open_dialog(parent, title, folders=folders)
    try:
        if dialog.exec() != QFileDialog.DialogCode.Accepted:
            return []
        return [Path(p) for p in dialog.selectedFiles()]
    finally:
        dialog.setHistory([])
        dialog.deleteLater()
