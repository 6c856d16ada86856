"""Demo mode in the real app: banner, a pinned demo organisation, a local inbox on
127.0.0.1 that receives a real upload the Inbox page then opens, and a shutdown
that stops the inbox and removes the demo folder."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import httpx
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

from crypto.recipients import parse_recipient
from submitter.app_state import AppState
from submitter.bundle.opener import OpenReport
from submitter.bundle.pipeline import submit
from submitter.demo import DEMO_DIR, DEMO_ORG_NAME, MARKER_FILE
from submitter.transports.base import SendJob, no_progress
from submitter.transports.tus import make_tus
from tests.bundle.conftest import cleaned_bytes
from tests.metadata.docgen import jpeg_with_gps
from ui.app import build

TUS = {"Tus-Resumable": "1.0.0"}


def _answers(url: str) -> bool:
    try:
        with httpx.Client(trust_env=False, timeout=5) as client:
            return client.options(url, headers=TUS).status_code == 204
    except httpx.TransportError:
        return False


def test_demo_mode_end_to_end(qapp: QApplication, qtbot: Any, tmp_path: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("SUBMITTER_DATA_DIR", str(data))
    parts = build(qapp, language="en", demo=True, state=AppState(data, None))
    demo = parts.demo
    try:
        assert demo is not None
        parts.window.show()
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
        assert demo.inbox_url.startswith("http://127.0.0.1:") and _answers(demo.inbox_url)

        # A part sealed to the demo card and uploaded to the demo inbox opens in the
        # Inbox page, which demo mode set up with the demo key and inbox folder.
        jpeg_with_gps(tmp_path)
        outbox = tmp_path / "outbox"
        outbox.mkdir()
        result = submit([tmp_path / "photo.jpg"],
                        [parse_recipient(r) for r in demo.card.recipients], outbox,
                        message="trying the demo")
        for i, part in enumerate(result.parts):
            make_tus(demo.inbox_url, None).send(
                SendJob(f"p{i}", part, part.stat().st_size, part.name), no_progress,
                threading.Event())
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
        assert (report.folder / entry.name).read_bytes() == cleaned_bytes(tmp_path / "photo.jpg")
        message = page.findChild(QPlainTextEdit, "sourceMessage")
        assert message is not None and message.toPlainText() == "trying the demo"
        qtbot.waitUntil(lambda: not page.is_busy(), timeout=10_000)
    finally:
        parts.window.close()
        parts.shutdown()
        parts.window.deleteLater()
        qapp.processEvents()

    # Shutdown stopped the inbox and removed everything the demo made.
    assert not _answers(demo.inbox_url)
    assert not demo.folder.exists()


def test_no_demo_without_the_flag(qapp: QApplication, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("SUBMITTER_DATA_DIR", str(data))
    parts = build(qapp, language="en", state=AppState(data, None))
    try:
        parts.window.show()
        banner = parts.window.findChild(QLabel, "demoBanner")
        assert banner is not None and not banner.isVisible()
        assert parts.demo is None and not (data / DEMO_DIR).exists()
    finally:
        parts.window.close()
        parts.shutdown()
        parts.window.deleteLater()
        qapp.processEvents()
