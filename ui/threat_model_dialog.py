"""Shows docs/threat-model.md (or its translation): what the app does and
does not protect."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget


def threat_model_path(language: str = "en") -> Path:
    # Source tree: docs/ beside the packages; frozen build: docs/ in the bundle.
    base = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parent.parent))
    translated = base / "docs" / f"threat-model.{language}.md"
    # English is the original; a missing translation falls back to it.
    if language != "en" and translated.exists():
        return translated
    return base / "docs" / "threat-model.md"


class ThreatModelDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, language: str = "en") -> None:
        super().__init__(parent)
        self.setObjectName("threatModelDialog")
        self._browser = QTextBrowser(self)
        self._browser.setOpenExternalLinks(False)
        self.show_language(language)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self._browser)
        layout.addWidget(buttons)
        self.resize(720, 640)
        self.retranslate()

    def show_language(self, language: str) -> None:
        path = threat_model_path(language)
        self._browser.setMarkdown(path.read_text(encoding="utf-8") if path.exists() else "")

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("What this app protects, and what it does not"))
        self._browser.setAccessibleName(self.tr("Threat model"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
