"""Build the real app for each test and tear it down (threads joined)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from ui.app import AppParts, build


@pytest.fixture
def parts(qapp: QApplication) -> Iterator[AppParts]:
    built = build(qapp, language="en")
    built.window.show()
    yield built
    built.window.close()
    built.shutdown()
    built.languages.set_language("en")
    built.window.deleteLater()
    qapp.processEvents()
