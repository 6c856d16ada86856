"""A loud box that says why something was refused or failed, in the current language.

A page hands the banner its message as a function (a lambda over the page's
own ``self.tr``, or over ``user_message``), not as a finished string: the
banner keeps the function and calls it again from ``retranslate``, so a
refusal on screen never stays in the old language, and every string keeps
its page's translation context. The banner itself has no text to translate.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFrame, QLabel, QWidget

# Red on pale red with a thick border: seen at a glance, readable in both themes.
_STYLE = (
    "QLabel {{ border: 3px solid #b00020; background: #fdecee; color: #7a0014;"
    " padding: {padding}px; font-weight: bold; }}"
)


class ErrorBanner(QLabel):
    """Hidden until ``show_message``; ``dismiss`` hides it and forgets the message."""

    def __init__(self, parent: QWidget, name: str, *, padding: int = 10) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWordWrap(True)
        self.setFrameShape(QFrame.Shape.Box)
        self.setStyleSheet(_STYLE.format(padding=padding))
        self.setVisible(False)
        self._message: Callable[[], str] | None = None

    def show_message(self, message: Callable[[], str]) -> None:
        self._message = message
        self._render(message)
        self.setVisible(True)

    def dismiss(self) -> None:
        self._message = None
        self.clear()
        self.setVisible(False)

    def retranslate(self) -> None:
        """Say the message shown again, in the language now installed."""
        if self._message is not None:
            self._render(self._message)

    def _render(self, message: Callable[[], str]) -> None:
        text = message()
        self.setText(text)
        # Screen readers announce the description: the whole message, not a summary.
        self.setAccessibleDescription(text)
