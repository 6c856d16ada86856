"""Quick delete from the window: one confirmation, then the source's state is gone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from tests.ui.source_flow import make_org, source  # noqa: F401 - fixture
from ui.app import AppParts


def _answer_boxes(seen: list[str]) -> None:
    """Confirm the quick delete, then acknowledge the result notice."""
    box = QApplication.activeModalWidget()
    if not isinstance(box, QMessageBox):
        QTimer.singleShot(20, lambda: _answer_boxes(seen))
        return
    erase = box.findChild(QPushButton, "quickDeleteErase")
    if erase is not None:
        erase.click()
        QTimer.singleShot(20, lambda: _answer_boxes(seen))
        return
    seen.append(box.text())
    box.accept()


def test_quick_delete_erases_outbox_trust_and_key(
    source: AppParts, qtbot: Any, tmp_path: Path  # noqa: F811
) -> None:
    data = source.state.data_dir
    org = make_org(tmp_path / "org")
    chosen: list[object] = []
    source.recipient.card_chosen.connect(chosen.append)
    source.recipient.import_file(org.card_path)
    qtbot.waitUntil(lambda: bool(chosen) and chosen[-1] is not None, timeout=20_000)
    outbox = source.state.outbox()
    part = outbox.new_part_path()
    part.write_bytes(b"sealed part stand-in" * 64)
    outbox.enqueue(part, None)
    assert (data / "trust.sealed").exists() and part.exists()

    seen: list[str] = []
    QTimer.singleShot(0, lambda: _answer_boxes(seen))
    source.window.quick_delete_action.trigger()
    qtbot.waitUntil(lambda: bool(seen), timeout=20_000)

    assert seen == ["Everything was erased."]
    assert not (data / "trust.sealed").exists()
    assert not (data / "outbox").exists()
    assert not (data / "state.salt").exists()
    assert source.recipient.chosen_card() is None
