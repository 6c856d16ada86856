"""The picture the source should look at before sending, or why there is none.

Cleaning never changes what a picture shows; this is where the source sees
it: the photo, a video's first frame, a PDF's first page. The pixels come
from ``submitter.preview`` (made on a worker, in memory) and live only in
this widget's QImage and QPixmap: nothing is written to disk, and ``clear``
drops them.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPixmap
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

from submitter.preview import Preview, PreviewShows

BOX = QSize(360, 270)  # the largest the picture is drawn on screen


class PreviewView(QWidget):
    """Empty, waiting, a picture with its caption, or a plain reason."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("previewView")
        self._image: QImage | None = None
        self._shows: PreviewShows | None = None
        self._reason: Callable[[], str] | None = None
        self._waiting = False

        self._caption = QLabel(self)
        self._caption.setObjectName("previewCaption")
        self._caption.setWordWrap(True)
        self._picture = QLabel(self)
        self._picture.setObjectName("previewPicture")
        self._picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._picture.setFrameShape(QFrame.Shape.StyledPanel)
        self._picture.setMinimumSize(BOX.width() // 2, BOX.height() // 2)
        self._picture.setMaximumSize(BOX)
        self._picture.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self._status = QLabel(self)
        self._status.setObjectName("previewStatus")
        self._status.setWordWrap(True)
        self._status.setTextFormat(Qt.TextFormat.PlainText)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._caption)
        layout.addWidget(self._picture, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self._status)
        layout.addStretch(1)
        self.clear()

    # --- what is shown ---

    def clear(self) -> None:
        """Nothing selected: drop any picture held."""
        self._set(None, None, None, waiting=False)

    def show_waiting(self) -> None:
        self._set(None, None, None, waiting=True)

    def show_reason(self, reason: Callable[[], str]) -> None:
        """No picture, and why (a function, so it follows the language)."""
        self._set(None, None, reason, waiting=False)

    def show_preview(self, preview: Preview) -> None:
        image = QImage(
            preview.rgb, preview.width, preview.height, preview.width * 3,
            QImage.Format.Format_RGB888,
        ).copy()  # owns its pixels: the bytes object may go
        self._set(image, preview.shows, None, waiting=False)

    # --- for tests and screen readers ---

    def is_waiting(self) -> bool:
        """A preview is being made (or the file is still being checked)."""
        return self._waiting

    def has_picture(self) -> bool:
        return self._image is not None

    def picture_size(self) -> QSize:
        return QSize() if self._image is None else self._image.size()

    def pixel(self, x: int, y: int) -> QColor:
        """The colour of one pixel of the picture (as decoded, before fitting on screen)."""
        if self._image is None:
            raise ValueError("no picture shown")
        return self._image.pixelColor(x, y)

    def caption_text(self) -> str:
        return self._caption.text()

    def status_text(self) -> str:
        return self._status.text()

    # --- internals ---

    def _set(self, image: QImage | None, shows: PreviewShows | None,
             reason: Callable[[], str] | None, *, waiting: bool) -> None:
        self._image, self._shows, self._reason, self._waiting = image, shows, reason, waiting
        if image is None:
            self._picture.clear()
            self._picture.setVisible(False)
        else:
            pixmap = QPixmap.fromImage(image).scaled(
                BOX, Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
            self._picture.setPixmap(pixmap)
            self._picture.setVisible(True)
        self.retranslate()

    def retranslate(self) -> None:
        self._picture.setAccessibleName(self.tr("Preview of the selected file"))
        if self._image is not None:
            captions = {
                PreviewShows.PICTURE: self.tr("The picture"),
                PreviewShows.FIRST_FRAME: self.tr("The first frame of the video"),
                PreviewShows.FIRST_PAGE: self.tr("The first page"),
            }
            caption = captions.get(self._shows or PreviewShows.PICTURE, "")
            self._caption.setText(caption)
            self._picture.setAccessibleDescription(caption)
            self._status.setText(
                self.tr(
                    "Look for faces, names, dates, places and any text on screen: "
                    "cleaning does not remove them."
                )
            )
        elif self._waiting:
            self._caption.setText(self.tr("Preview"))
            self._status.setText(self.tr("Making a preview…"))
        elif self._reason is not None:
            self._caption.setText(self.tr("Preview"))
            self._status.setText(self._reason())
        else:
            self._caption.setText(self.tr("Preview"))
            self._status.setText(self.tr("Choose a file in the list to see it here."))
        self._status.setAccessibleDescription(self._status.text())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
