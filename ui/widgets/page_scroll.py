"""One scroll area for a whole page, so a long form stays reachable at any size.

At large font sizes a page outgrows the window; it then scrolls as one
instead of squeezing its fields.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget


def scroll_whole_page(page: QWidget, body: QWidget) -> QScrollArea:
    """Show ``body`` in a frameless scroll area that fills ``page`` edge to edge.

    Call it once ``body`` has its layout and children: a widget given to a
    QScrollArea before its layout is set is never shown.
    """
    scroll = QScrollArea(page)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidget(body)
    outer = QVBoxLayout(page)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.addWidget(scroll)
    return scroll
