"""Build the real app for each test and tear it down (threads joined)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog

from submitter.app_state import AppState
from ui.app import AppParts, build


@contextmanager
def running_app(
    qapp: QApplication, state: AppState | None = None, *, demo: bool = False
) -> Iterator[AppParts]:
    """The real app in English with its window shown; on leaving, torn down.

    Teardown runs even when the body fails: it joins the worker threads, puts
    the language back to English (translators live on the shared QApplication,
    so the next test would inherit them) and hands the window to Qt to delete.
    """
    built = build(qapp, language="en", demo=demo, state=state)
    try:
        built.window.show()
        yield built
    finally:
        built.window.close()
        built.shutdown()
        built.languages.set_language("en")
        built.window.deleteLater()
        qapp.processEvents()


def answer_file_dialog(folder: Path, chosen: Path) -> None:
    """Pick ``chosen`` in the next file dialog the app opens, as a person would.

    Call it just before the click that opens the dialog: it waits for the
    dialog to become the active modal window, since Qt's own dialog runs its
    own event loop and the test cannot act until it is up.
    """

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(20, answer)
            return
        dialog.setDirectory(str(folder))
        dialog.selectFile(str(chosen))
        dialog.accept()

    QTimer.singleShot(0, answer)


@pytest.fixture
def parts(qapp: QApplication) -> Iterator[AppParts]:
    with running_app(qapp) as built:
        yield built
