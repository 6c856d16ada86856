"""Step 3 for the source: an optional message, and how to be reached."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

MAX_MESSAGE_CHARS = 100_000


class MessagePage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messagePage")
        self._intro = QLabel(self)
        self._intro.setWordWrap(True)
        self._message = QPlainTextEdit(self)
        # Tab moves on instead of typing a tab: a keyboard user must never be trapped.
        self._message.setTabChangesFocus(True)
        self._message.setObjectName("messageText")
        self._contact_label = QLabel(self)
        self._contact_label.setWordWrap(True)
        self._contact = QLineEdit(self)
        self._contact.setObjectName("contactText")
        self._contact_label.setBuddy(self._contact)
        layout = QVBoxLayout(self)
        layout.addWidget(self._intro)
        layout.addWidget(self._message, 1)
        layout.addWidget(self._contact_label)
        layout.addWidget(self._contact)
        self.setTabOrder(self._message, self._contact)
        self.retranslate()

    def page_title(self) -> str:
        return self.tr("3. Message")

    def message(self) -> str:
        """The message as it will be sealed (kept in memory only)."""
        text = self._message.toPlainText()[:MAX_MESSAGE_CHARS]
        contact = self._contact.text().strip()
        if contact:
            text = f"{text}\n\n{self.tr('How to reach me:')} {contact}".strip()
        return text

    def clear(self) -> None:
        self._message.clear()
        self._contact.clear()

    def retranslate(self) -> None:
        self._intro.setText(
            self.tr(
                "Optional: tell the organisation what the files show and why they matter. "
                "Avoid details that only you could know."
            )
        )
        self._message.setAccessibleName(self.tr("Message to the organisation"))
        self._message.setPlaceholderText(self.tr("Your message (optional)"))
        self._contact_label.setText(
            self.tr(
                "&How they can reach you, if you want to be reached (leave empty to stay "
                "unreachable):"
            )
        )
        self._contact.setAccessibleName(self.tr("How to reach you"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
