"""Demo mode in the real app: banner, a pinned demo organisation, a local inbox on
127.0.0.1 that receives a real upload the Inbox page then opens, and a shutdown
that stops the inbox and removes the demo folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
)

from submitter.app_state import AppState
from submitter.bundle.opener import OpenReport
from submitter.demo import DEMO_DIR, DEMO_ORG_NAME, MARKER_FILE
from tests.bundle.conftest import cleaned_bytes
from tests.ui.conftest import running_app
from tests.ui.demo_upload import inbox_answers, upload_photo


def test_demo_mode_end_to_end(qapp: QApplication, qtbot: Any, tmp_path: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("SUBMITTER_DATA_DIR", str(data))
    with running_app(qapp, AppState(data, None), demo=True) as parts:
        demo = parts.demo
        assert demo is not None
        # The banner says plainly that this is not for real material.
        banner = parts.window.findChild(QLabel, "demoBanner")
        assert banner is not None and banner.isVisible()
        assert "DEMO" in banner.text() and "real material" in banner.text()
        assert parts.window.windowTitle() == "Submitter"

        # A demo organisation is trusted, in the demo's own state inside the data folder.
        assert demo.folder == data / DEMO_DIR and (demo.folder / MARKER_FILE).is_file()
        assert parts.state is demo.state
        assert [p.name for p in parts.state.pins().pins()] == [DEMO_ORG_NAME]
        assert not (data / "trust.sealed").exists()
        # The source's first page lists it (read in a worker when the window showed).
        pinned = parts.recipient.findChild(QListWidget, "pinnedList")
        assert pinned is not None
        qtbot.waitUntil(lambda: pinned.count() == 1, timeout=30_000)
        assert pinned.item(0).text() == DEMO_ORG_NAME

        # Its inbox answers on loopback.
        assert demo.inbox_url.startswith("http://127.0.0.1:") and inbox_answers(demo.inbox_url)

        # A part sealed to the demo card and uploaded to the demo inbox opens in the
        # Inbox page, which demo mode set up with the demo key and inbox folder.
        photo, result = upload_photo(demo, tmp_path, "trying the demo")
        page = parts.inbox
        parts.window.show_page(page)
        identity = page.findChild(QLineEdit, "identityFile")
        assert identity is not None and identity.text() == str(demo.identity_path)
        qtbot.waitUntil(lambda: not parts.tasks.is_busy(), timeout=30_000)
        with qtbot.waitSignal(page.parts_changed, timeout=30_000):
            qtbot.mouseClick(page.findChild(QPushButton, "addInboxParts"),
                             Qt.MouseButton.LeftButton)
        assert len(page.parts()) == len(result.parts)
        with qtbot.waitSignal(page.opened, timeout=120_000) as opened:
            qtbot.mouseClick(page.findChild(QPushButton, "openParts"), Qt.MouseButton.LeftButton)
        (report,) = opened.args[0].reports
        assert isinstance(report, OpenReport) and report.folder.parent == demo.opened_dir
        (entry,) = report.files
        assert (report.folder / entry.name).read_bytes() == cleaned_bytes(photo)
        message = page.findChild(QPlainTextEdit, "sourceMessage")
        assert message is not None and message.toPlainText() == "trying the demo"
        qtbot.waitUntil(lambda: not page.is_busy(), timeout=10_000)

    # Shutdown stopped the inbox and removed everything the demo made.
    assert not inbox_answers(demo.inbox_url)
    assert not demo.folder.exists()


def test_no_demo_without_the_flag(qapp: QApplication, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("SUBMITTER_DATA_DIR", str(data))
    with running_app(qapp, AppState(data, None)) as parts:
        banner = parts.window.findChild(QLabel, "demoBanner")
        assert banner is not None and not banner.isVisible()
        assert parts.demo is None and not (data / DEMO_DIR).exists()
