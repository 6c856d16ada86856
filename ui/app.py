"""The composition root of the desktop app: builds the core, threads and window."""

from __future__ import annotations

import sys


def run_app(argv: list[str] | None = None) -> int:
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    window = QMainWindow()
    window.setWindowTitle("Submitter")
    window.setCentralWidget(QLabel("Submitter"))
    window.show()
    return int(app.exec())
