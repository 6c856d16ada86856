"""Quick delete in the real window: reachable from every page by its button and
by its shortcut, one confirmation, and the app still works afterwards (the
task runner stops everything, then accepts new work)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QMessageBox,
    QPushButton,
    QToolBar,
    QWidget,
)

from tests.ui.source_flow import gps_jpeg
from ui.app import AppParts
from ui.models.file_list_model import Status
from ui.tasks import TaskRunner


class _Boxes:
    """Answers the quick-delete boxes as a person would: Erase, then OK."""

    def __init__(self) -> None:
        self.confirmations = 0
        self.notices: list[str] = []
        self._stop = False

    def start(self) -> None:
        QTimer.singleShot(0, self._answer)

    def stop(self) -> None:
        self._stop = True

    def _answer(self) -> None:
        if self._stop:
            return
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            erase = box.findChild(QPushButton, "quickDeleteErase")
            if box.objectName() == "quickDeleteConfirm" and erase is not None:
                self.confirmations += 1
                erase.click()
            else:  # the "Everything was erased" notice
                self.notices.append(box.text())
                box.accept()
                return
        QTimer.singleShot(20, self._answer)


def _details(parts: AppParts, row: int) -> str:
    model = parts.files.model
    return str(model.data(model.index(row, model.COLUMNS.index("details"))))


def _add_and_wait_checked(parts: AppParts, qtbot: Any, path: Path) -> None:
    parts.files.add_paths([path])
    row = parts.files.model.row_of(path)
    assert row >= 0
    qtbot.waitUntil(lambda: parts.files.model.entries()[row].status is not Status.CHECKING,
                    timeout=60_000)


def _quick_delete_by_button(parts: AppParts, qtbot: Any) -> None:
    bar = parts.window.findChild(QToolBar, "mainToolbar")
    assert bar is not None
    button = bar.widgetForAction(parts.window.quick_delete_action)
    assert isinstance(button, QAbstractButton) and button.isVisible() and button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _quick_delete_by_shortcut(parts: AppParts, qtbot: Any, page: QWidget) -> None:
    # The offscreen platform does not give activation back after a modal box.
    parts.window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is parts.window, timeout=5000)
    # Focus inside the page, on its first control: the shortcut must work
    # whatever has focus (a text field must not swallow it).
    focusable = [w for w in page.findChildren(QWidget)
                 if w.isVisible() and w.isEnabled()
                 and w.focusPolicy() & Qt.FocusPolicy.TabFocus]
    if focusable:
        focusable[0].setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(lambda: QApplication.focusWidget() is focusable[0], timeout=5000)
    # Through the QWindow, like a real key press, so Qt's shortcut map sees it.
    qtbot.keyClick(parts.window.windowHandle(), Qt.Key.Key_Delete,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)


def _every_page(parts: AppParts) -> list[QWidget]:
    pages: list[QWidget] = [parts.recipient, parts.files, parts.message, parts.review,
                            parts.outbox, parts.keys, parts.inbox]
    assert parts.window.pages() == pages  # the window has these seven and no other
    return pages


def test_app_works_after_quick_delete(parts: AppParts, qtbot: Any, tmp_path: Path) -> None:
    photo = gps_jpeg(tmp_path / "before")
    _add_and_wait_checked(parts, qtbot, photo)

    boxes = _Boxes()
    boxes.start()
    parts.window.quick_delete_action.trigger()
    qtbot.waitUntil(lambda: bool(boxes.notices), timeout=30_000)
    assert boxes.confirmations == 1 and boxes.notices == ["Everything was erased."]
    assert parts.files.model.rowCount() == 0

    # A file added afterwards is checked and its findings are shown, as before.
    later = gps_jpeg(tmp_path / "after")
    parts.window.show_page(parts.files)
    parts.files.add_paths([later])
    qtbot.waitUntil(lambda: parts.files.model.entries()[0].status is Status.READY,
                    timeout=60_000)
    details = _details(parts, 0)
    assert details.startswith("Will be removed:"), details
    assert "Checking" not in details


def test_quick_delete_from_every_page_by_button_and_shortcut(
        parts: AppParts, qtbot: Any, tmp_path: Path) -> None:
    pages = _every_page(parts)
    assert len(pages) == 7
    sample = gps_jpeg(tmp_path / "sample")
    for way in ("button", "shortcut"):
        for page in pages:
            # Something to erase each time: a chosen, checked file and a message.
            _add_and_wait_checked(parts, qtbot, sample)
            parts.window.show_page(page)
            assert parts.window.current_page() is page
            boxes = _Boxes()
            boxes.start()
            try:
                if way == "button":
                    _quick_delete_by_button(parts, qtbot)
                else:
                    _quick_delete_by_shortcut(parts, qtbot, page)
                qtbot.waitUntil(lambda b=boxes: bool(b.notices), timeout=30_000)
            finally:
                boxes.stop()
            where = f"{way} on {page.objectName()}"
            assert boxes.confirmations == 1, where
            assert boxes.notices == ["Everything was erased."], where
            assert parts.files.model.rowCount() == 0, where
            # The page it was started from is still the one shown.
            assert parts.window.current_page() is page, where


def test_cancel_keeps_everything(parts: AppParts, qtbot: Any, tmp_path: Path) -> None:
    photo = gps_jpeg(tmp_path / "kept")
    _add_and_wait_checked(parts, qtbot, photo)
    cancelled: list[bool] = []

    def cancel() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.objectName() == "quickDeleteConfirm":
            box.reject()
            cancelled.append(True)
            return
        QTimer.singleShot(20, cancel)

    QTimer.singleShot(0, cancel)
    parts.window.quick_delete_action.trigger()
    qtbot.waitUntil(lambda: bool(cancelled), timeout=10_000)
    assert parts.files.model.rowCount() == 1


# --- the runner itself ------------------------------------------------------


def test_stop_all_joins_delivers_and_stays_open(qtbot: Any) -> None:
    runner = TaskRunner()
    started = threading.Event()
    seen: list[str] = []
    follow_up_cancelled: list[bool] = []

    def slow(_progress: object, cancel: threading.Event) -> str:
        started.set()
        cancel.wait(60)  # returns as soon as it is cancelled
        return "stopped" if cancel.is_set() else "ran out"

    def follow_up(_progress: object, cancel: threading.Event) -> None:
        follow_up_cancelled.append(cancel.is_set())

    def on_done() -> None:
        seen.append("done")
        # A page often starts more work from its done slot; during stop_all it
        # must start cancelled and be joined too.
        runner.start(follow_up, done=lambda: seen.append("follow-up done"))

    try:
        runner.start(slow, finished=seen.append, done=on_done)
        assert started.wait(10)
        assert runner.stop_all(timeout_ms=30_000)
        # Everything answered before stop_all returned: nothing arrives later.
        assert seen == ["stopped", "done", "follow-up done"]
        assert follow_up_cancelled == [True]
        assert not runner.is_busy()

        # And the runner still takes work afterwards, not cancelled.
        results: list[object] = []
        runner.start(lambda _p, cancel: cancel.is_set(), finished=results.append)
        qtbot.waitUntil(lambda: results == [False], timeout=10_000)
    finally:
        runner.shutdown()
