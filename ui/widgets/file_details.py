"""One chosen file in full: what cleaning removes, what it cannot, or why it is refused.

The table lists a short summary per file; this view shows the file selected
in it, every finding in plain words and every warning its cleaner gave,
in the current language. All text is plain (never rich text): names and
values come from the file and pass the display sanitiser.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from submitter.sanitize import sanitize
from ui.findings_text import describe_all, warning_texts
from ui.models.file_list_model import FileEntry, Status

_BULLET = "\u2022 "


def _bullets(lines: list[str]) -> str:
    return "\n".join(_BULLET + line for line in lines)


class FileDetailsView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fileDetails")
        self._entry: FileEntry | None = None

        def label(name: str, *, bold: bool = False) -> QLabel:
            widget = QLabel(self)
            widget.setObjectName(name)
            widget.setWordWrap(True)
            widget.setTextFormat(Qt.TextFormat.PlainText)
            widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if bold:
                font = widget.font()
                font.setBold(True)
                widget.setFont(font)
            return widget

        self._name = label("fileDetailsName", bold=True)
        self._removed_caption = label("fileDetailsRemovedCaption", bold=True)
        self._removed = label("fileDetailsRemoved")
        self._kept_caption = label("fileDetailsWarningsCaption", bold=True)
        self._kept = label("fileDetailsWarnings")
        self._refusal = label("fileDetailsRefusal")
        self._refusal.setStyleSheet("QLabel { color: #b00020; }")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # What stays comes first: it is what the source must act on.
        for widget in (self._name, self._refusal, self._kept_caption, self._kept,
                       self._removed_caption, self._removed):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.set_entry(None)

    # --- public ---

    def entry(self) -> FileEntry | None:
        return self._entry

    def set_entry(self, entry: FileEntry | None) -> None:
        self._entry = entry
        self.retranslate()

    def removed_text(self) -> str:
        return self._removed.text() if self._removed.isVisibleTo(self) else ""

    def warnings_text(self) -> str:
        return self._kept.text() if self._kept.isVisibleTo(self) else ""

    def refusal_text(self) -> str:
        return self._refusal.text() if self._refusal.isVisibleTo(self) else ""

    # --- rendering ---

    def retranslate(self) -> None:
        entry = self._entry
        shown = {w: False for w in (self._removed_caption, self._removed, self._kept_caption,
                                    self._kept, self._refusal)}
        if entry is None:
            self._name.setText(self.tr("Choose a file in the list to see what it reveals."))
        else:
            self._name.setText(sanitize(entry.path.name, max_len=120))
            if entry.status is Status.CHECKING:
                self._refusal.setText("")
                self._removed_caption.setText(self.tr("Checking…"))
                shown[self._removed_caption] = True
            elif entry.status is Status.REFUSED:
                self._refusal.setText(
                    self.tr("Will not be sent: %1").replace("%1", entry.refusal)
                )
                shown[self._refusal] = True
            elif entry.inspection is not None:
                lines = describe_all(entry.inspection.findings)
                if lines:
                    self._removed_caption.setText(self.tr("Hidden details that will be removed:"))
                    self._removed.setText(_bullets(lines))
                    shown[self._removed] = True
                else:
                    self._removed_caption.setText(self.tr("No hidden details were found."))
                shown[self._removed_caption] = True
                warnings = warning_texts(entry.warnings or list(entry.inspection.warnings))
                if warnings:
                    self._kept_caption.setText(self.tr("What cleaning cannot remove:"))
                    self._kept.setText(_bullets(warnings))
                    shown[self._kept_caption] = shown[self._kept] = True
        for widget, visible in shown.items():
            widget.setVisible(visible)
        self._removed.setAccessibleName(self._removed_caption.text())
        self._kept.setAccessibleName(self._kept_caption.text())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
