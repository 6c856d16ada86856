"""The window shell: quick delete everywhere, no traces in settings."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QTextBrowser

from ui.app import AppParts
from ui.file_dialogs import make_open_dialog


def test_title_names_nothing(parts: AppParts) -> None:
    assert parts.window.windowTitle() == "Submitter"


def test_quick_delete_shortcut_from_every_page(parts: AppParts, qtbot) -> None:
    for page in parts.window.pages():
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


def test_threat_model_follows_the_language(parts: AppParts, qtbot) -> None:
    from ui.threat_model_dialog import ThreatModelDialog

    parts.window.show_threat_model()
    dialog = parts.window.findChild(ThreatModelDialog)
    assert dialog is not None
    browser = dialog.findChild(QTextBrowser)
    english = browser.toPlainText()
    assert "Submitter" in english and not re.search("[А-Яа-я]", english)
    try:
        # The open dialog switches with the app, not only new ones.
        parts.languages.set_language("ru")
        russian = browser.toPlainText()
        letters = re.findall("[A-Za-zА-Яа-я]", russian)
        assert len(re.findall("[А-Яа-я]", russian)) > 0.8 * len(letters)
    finally:
        parts.languages.set_language("en")
        dialog.close()
    assert browser.toPlainText() == english


def test_missing_translation_falls_back_to_english(
    parts: AppParts, monkeypatch, tmp_path: Path
) -> None:
    import ui.i18n

    seen: list[str] = []
    parts.languages.changed.connect(seen.append)
    monkeypatch.setattr(ui.i18n, "TRANSLATIONS_DIR", tmp_path)  # no .qm here
    parts.languages.set_language("ru")
    assert parts.languages.current == "en" and seen[-1] == "en"
    assert parts.window.windowTitle() == "Submitter"
    assert parts.window.findChild(QAction, "language_en").isChecked()
