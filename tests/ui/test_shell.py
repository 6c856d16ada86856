"""The window shell: quick delete everywhere, no traces in settings."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from ui.app import AppParts
from ui.file_dialogs import make_open_dialog


def test_title_names_nothing(parts: AppParts) -> None:
    assert parts.window.windowTitle() == "Submitter"


def test_quick_delete_shortcut_from_every_page(parts: AppParts, qtbot) -> None:
    for page in (parts.files, parts.message):
        # The offscreen platform does not give activation back after a modal box.
        parts.window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is parts.window, timeout=5000)
        parts.window.show_page(page)
        # Through the QWindow, like a real key press, so Qt's shortcut map sees it.
        target = parts.window.windowHandle()
        with qtbot.waitSignal(parts.window.quick_delete_requested, timeout=5000):
            # Answer the confirmation with Cancel once it appears.
            QTimer.singleShot(0, _cancel_active_box)
            qtbot.keyClick(
                target,
                Qt.Key.Key_Delete,
                Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
            )


def _cancel_active_box() -> None:
    box = QApplication.activeModalWidget()
    if isinstance(box, QMessageBox):
        box.reject()
    else:
        QTimer.singleShot(20, _cancel_active_box)


def test_quick_delete_confirmed_clears_selection(parts: AppParts, qtbot, tmp_path: Path) -> None:
    sample = tmp_path / "notes.txt"
    sample.write_text("hello\n")
    parts.files.add_paths([sample])
    assert parts.files.model.rowCount() == 1

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        erase = box.findChild(QPushButton, "quickDeleteErase")
        if erase is not None:
            erase.click()
        else:  # the "Everything was erased" notice
            box.accept()
            return
        QTimer.singleShot(20, answer)

    QTimer.singleShot(0, answer)
    parts.window.quick_delete_action.trigger()
    qtbot.waitUntil(lambda: parts.files.model.rowCount() == 0, timeout=5000)


def test_file_dialog_keeps_no_history(parts: AppParts, tmp_path: Path) -> None:
    secret = tmp_path / "secret-evidence-folder"
    secret.mkdir()
    (secret / "x.txt").write_text("x")
    dialog = make_open_dialog(parts.window, "Add files")
    dialog.setDirectory(str(secret))
    dialog.selectFile(str(secret / "x.txt"))
    dialog.accept()
    dialog.deleteLater()
    QApplication.processEvents()
    del dialog
    QSettings().sync()
    written = [p for p in parts.settings.path.rglob("*") if p.is_file()]
    assert written == []
    home_conf = Path.home() / ".config" / "QtProject.conf"
    if home_conf.exists():
        assert "secret-evidence-folder" not in home_conf.read_text(errors="replace")
