"""A signing key's fingerprint as people compare it: words, digits and a QR code.

The rendering data (``FingerprintDisplay``) is computed by a worker; the
widget only shows it, so the GUI thread never runs crypto or image encoding.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont, QFontDatabase, QPixmap
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from crypto.fingerprint import Fingerprint

QR_SCALE = 5


@dataclass(frozen=True, slots=True)
class FingerprintDisplay:
    words: tuple[str, ...]
    digit_groups: tuple[str, ...]
    qr_png: bytes

    @classmethod
    def of(cls, fingerprint: Fingerprint) -> FingerprintDisplay:
        """Compute everything shown (call from a worker: it encodes a PNG)."""
        return cls(
            tuple(fingerprint.words()),
            tuple(fingerprint.digit_groups()),
            fingerprint.qr_png(scale=QR_SCALE),
        )

    def words_text(self) -> str:
        return " ".join(self.words)

    def digits_text(self) -> str:
        return " ".join(self.digit_groups)


class FingerprintView(QWidget):
    """Words in rows of four, digits in groups of five, and the QR image."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fingerprintView")
        self._display: FingerprintDisplay | None = None
        self._words_caption = QLabel(self)
        self._words = QLabel(self)
        self._words.setObjectName("fingerprintWords")
        self._digits_caption = QLabel(self)
        self._digits = QLabel(self)
        self._digits.setObjectName("fingerprintDigits")
        self._qr = QLabel(self)
        self._qr.setObjectName("fingerprintQr")
        self._qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        bigger = QFont(fixed)
        bigger.setPointSizeF(max(fixed.pointSizeF(), 1.0) * 1.2)
        for label in (self._words, self._digits):
            label.setFont(bigger)
            label.setTextInteractionFlags(
                Qt.TextInteractionFlag.TextSelectableByMouse
                | Qt.TextInteractionFlag.TextSelectableByKeyboard
            )
            label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            label.setWordWrap(True)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self._words_caption, 0, 0)
        grid.addWidget(self._words, 1, 0)
        grid.addWidget(self._digits_caption, 2, 0)
        grid.addWidget(self._digits, 3, 0)
        grid.addWidget(self._qr, 0, 1, 4, 1)
        grid.setColumnStretch(0, 1)
        self.setTabOrder(self._words, self._digits)
        self.retranslate()
        self.set_display(None)

    def display(self) -> FingerprintDisplay | None:
        return self._display

    def words_text(self) -> str:
        return "" if self._display is None else self._display.words_text()

    def digits_text(self) -> str:
        return "" if self._display is None else self._display.digits_text()

    def has_qr(self) -> bool:
        pixmap = self._qr.pixmap()
        return pixmap is not None and not pixmap.isNull()

    def set_display(self, display: FingerprintDisplay | None) -> None:
        self._display = display
        if display is None:
            self._words.clear()
            self._digits.clear()
            self._qr.clear()
            self.setVisible(False)
            return
        rows = [" ".join(display.words[i : i + 4]) for i in range(0, len(display.words), 4)]
        self._words.setText("\n".join(rows))
        self._digits.setText(display.digits_text())
        pixmap = QPixmap()
        if pixmap.loadFromData(display.qr_png, "PNG"):
            self._qr.setPixmap(pixmap)
        else:
            self._qr.clear()
        self._words.setAccessibleDescription(display.words_text())
        self._digits.setAccessibleDescription(display.digits_text())
        self.setVisible(True)

    def retranslate(self) -> None:
        self._words_caption.setText(self.tr("Fingerprint words:"))
        self._digits_caption.setText(self.tr("The same fingerprint as digits:"))
        self._words.setAccessibleName(self.tr("Fingerprint words"))
        self._digits.setAccessibleName(self.tr("Fingerprint digits"))
        self._qr.setAccessibleName(self.tr("Fingerprint QR code"))
        self._qr.setToolTip(self.tr("The fingerprint as a QR code, for scanning with a phone"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
