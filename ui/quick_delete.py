"""The quick-delete confirmation: one question, then everything is erased."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget


def confirm_quick_delete(parent: QWidget | None) -> bool:
    box = QMessageBox(parent)
    box.setObjectName("quickDeleteConfirm")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(QCoreApplication.translate("QuickDelete", "Quick delete"))
    box.setText(
        QCoreApplication.translate(
            "QuickDelete",
            "Erase everything this app keeps: the outbox with parts not yet sent, "
            "the organisations you trusted, and the key that protects them. "
            "This cannot be undone. Your original files are not touched.",
        )
    )
    erase = box.addButton(
        QCoreApplication.translate("QuickDelete", "Erase everything"),
        QMessageBox.ButtonRole.DestructiveRole,
    )
    erase.setObjectName("quickDeleteErase")
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is erase
