"""The composition root of the desktop app.

Everything with a lifetime is created here, passed down, and torn down here:
the private settings guard, the language manager, the task runner (all worker
threads), the core services and the window.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from crypto.errors import CryptoError
from submitter.app_state import AppState, default_app_state
from submitter.demo import Demo, start_demo
from submitter.errors import SubmitterError
from ui.i18n import LanguageManager, system_language
from ui.main_window import MainWindow
from ui.pages.files_page import FilesPage
from ui.pages.inbox_page import InboxPage
from ui.pages.keys_page import KeysPage
from ui.pages.message_page import MessagePage
from ui.pages.outbox_page import OutboxPage
from ui.pages.recipient_page import RecipientPage
from ui.pages.review_page import ReviewPage
from ui.private_settings import PrivateSettings
from ui.quick_delete import confirm_quick_delete
from ui.tasks import TaskRunner

APP_ID = "io.github.submitter_project.Submitter"


@dataclass
class AppParts:
    """What the composition root built; tests drive the app through it."""

    app: QApplication
    settings: PrivateSettings
    languages: LanguageManager
    tasks: TaskRunner
    window: MainWindow
    files: FilesPage
    message: MessagePage
    state: AppState
    recipient: RecipientPage
    keys: KeysPage
    review: ReviewPage
    outbox: OutboxPage
    inbox: InboxPage
    demo: Demo | None = None  # demo mode: the local demo organisation and its inbox

    def shutdown(self) -> None:
        self.tasks.shutdown()
        if self.demo is not None:
            self.demo.stop()  # shuts the demo inbox down, removes the demo folder
        self.settings.remove()


def build(
    app: QApplication,
    *,
    settings: PrivateSettings | None = None,
    language: str | None = None,
    demo: bool = False,
    state: AppState | None = None,
) -> AppParts:
    if settings is None:
        settings = PrivateSettings()
        settings.install()
    languages = LanguageManager(app)
    tasks = TaskRunner()
    files = FilesPage(tasks)
    message = MessagePage()
    state = state if state is not None else default_app_state()
    # Demo mode: its own organisation, inbox and app state in <data dir>/demo, so
    # nothing real is touched; made before the window exists (no UI to freeze yet).
    demo_org = start_demo(state.data_dir) if demo else None
    if demo_org is not None:
        state = demo_org.state
    recipient = RecipientPage(tasks, state)
    keys = KeysPage(tasks, data_dir=state.data_dir)
    review = ReviewPage(tasks, state, recipient, files, message)
    outbox = OutboxPage(tasks, state)
    if demo_org is not None:
        # The demo inbox listens on 127.0.0.1, which Tor cannot reach: deliver directly.
        outbox.use_demo()
    source_pages: list[QWidget] = [recipient, files, message, review, outbox]
    inbox = InboxPage(tasks)
    if demo_org is not None:
        inbox.use_demo(demo_org.identity_path, demo_org.inbox_dir, demo_org.opened_dir)
    staff_pages: list[QWidget] = [keys, inbox]
    window = MainWindow(languages, source_pages, staff_pages, demo=demo)
    parts = AppParts(
        app, settings, languages, tasks, window, files, message, state, recipient, keys,
        review, outbox, inbox, demo_org,
    )
    review.outbox_requested.connect(lambda: window.show_page(outbox))
    review.sealed.connect(lambda _result: outbox.refresh())
    window.quick_delete_requested.connect(lambda: _quick_delete(parts))
    languages.set_language(language or system_language())
    return parts


def _quick_delete(parts: AppParts) -> None:
    if not confirm_quick_delete(parts.window):
        return
    # Stop every worker first (a seal in progress stops at its next chunk), so
    # nothing writes after the erase and no late answer refills a cleared page.
    # Cancelling is quick; this is the one place the window waits on purpose.
    # The runner stays open: the app must keep working after a quick delete.
    parts.outbox.stop_sending()  # no new delivery pass while the others stop
    parts.tasks.stop_all()
    failed = False
    try:
        parts.state.quick_delete()
    except (SubmitterError, CryptoError, OSError):
        failed = True
    parts.recipient.clear()
    parts.files.model.clear()
    parts.message.clear()
    parts.review.clear()
    parts.outbox.clear()
    text = (
        QCoreApplication.translate(
            "QuickDelete",
            "Not everything could be erased. Close the app and delete its data folder.",
        )
        if failed
        else QCoreApplication.translate("QuickDelete", "Everything was erased.")
    )
    QMessageBox.information(
        parts.window, QCoreApplication.translate("QuickDelete", "Quick delete"), text
    )


def run_app(argv: list[str] | None = None) -> int:
    # Must precede QApplication: native dialogs off, settings redirected.
    settings = PrivateSettings()
    settings.install()
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("Submitter")
    app.setDesktopFileName(APP_ID)
    args = argv if argv is not None else sys.argv
    parts = build(app, settings=settings, language=None, demo="--demo" in args)
    app.aboutToQuit.connect(parts.shutdown)
    parts.window.show()
    if os.environ.get("SUBMITTER_STARTUP_PROBE") == "1":
        # For the cold-start benchmark and the frozen-build test: say when the
        # window has been shown, then quit.
        from PySide6.QtCore import QTimer

        def _report() -> None:
            print("window-shown", flush=True)
            app.quit()

        QTimer.singleShot(0, _report)
    return int(app.exec())
