"""For NGO staff: open received parts, check them, and release the files.

Staff choose the parts (files, a folder or USB stick, or the inbox server's
folder), the identity (key) file, asking for its passphrase only when the file
is protected by one, and a destination folder. Opening runs in a worker with a
progress bar and Cancel; the core releases nothing unless every part
authenticates and every hash matches, and then the page shows what the bundle
lists (names, types, sizes, verified hashes, what the sender's app removed,
warnings) and the source's message.

Bundles are hostile: every string taken from one passes the display sanitiser
and is shown as plain text only. Errors are the core's fixed messages.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from crypto.errors import CryptoError
from submitter import staff_open
from submitter.bundle.format import MAX_MESSAGE_CHARS
from submitter.bundle.opener import OpenReport, PartRefusedError
from submitter.errors import SubmitterError
from submitter.sanitize import sanitize
from submitter.staff_open import GroupFailure, GroupProgress, OpenOutcome
from ui.file_dialogs import choose_paths
from ui.messages import user_message
from ui.models.manifest_model import ManifestModel
from ui.tasks import Task, TaskRunner
from ui.widgets.error_banner import ErrorBanner
from ui.widgets.page_scroll import scroll_whole_page

_PROGRESS_STEPS = 1000
_MESSAGE_SHOWN_CHARS = 200_000


def display_message(untrusted: str) -> str:
    """The source's message, line by line through the sanitiser (line breaks kept)."""
    lines = untrusted[:_MESSAGE_SHOWN_CHARS].splitlines()
    return "\n".join(sanitize(line, max_len=MAX_MESSAGE_CHARS) for line in lines)


class InboxPage(QWidget):
    parts_changed = Signal()
    identity_checked = Signal(bool)  # whether the chosen key file needs a passphrase
    opened = Signal(object)  # the OpenOutcome (at least one submission opened)
    open_failed = Signal(str)  # the plain message shown
    # Emitted on the worker thread for each GroupProgress (connect queued, as the page does).
    open_progress = Signal(object)

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inboxPage")
        self._tasks = tasks
        self._parts: list[Path] = []
        self._inbox_folder: Path | None = None
        self._identity_protected: bool | None = None
        self._task: Task | None = None
        self._report: OpenReport | None = None
        self._outcome: OpenOutcome | None = None
        self._progress: GroupProgress | None = None
        self._cancelling = False
        self.model = ManifestModel()

        self._intro = QLabel(self)
        self._intro.setWordWrap(True)
        self._build_parts_box()
        self._build_key_box()
        self._build_destination_box()

        self._open = QPushButton(self)
        self._open.setObjectName("openParts")
        self._cancel = QPushButton(self)
        self._cancel.setObjectName("cancelOpen")
        self._cancel.setEnabled(False)
        self._bar = QProgressBar(self)
        self._bar.setObjectName("openProgress")
        self._bar.setRange(0, _PROGRESS_STEPS)
        self._bar.setValue(0)
        self._stage = QLabel(self)
        self._stage.setObjectName("openStage")
        action_row = QHBoxLayout()
        action_row.addWidget(self._open)
        action_row.addWidget(self._cancel)
        action_row.addWidget(self._bar, 1)

        self._error = ErrorBanner(self, "openError")
        self._error.setTextFormat(Qt.TextFormat.PlainText)

        self._build_result_box()

        # Everything scrolls as one: at large font sizes the page outgrows the window.
        content = QWidget(self)
        layout = QVBoxLayout(content)
        layout.addWidget(self._intro)
        layout.addWidget(self._parts_box)
        layout.addWidget(self._key_box)
        layout.addWidget(self._dest_box)
        layout.addLayout(action_row)
        layout.addWidget(self._stage)
        layout.addWidget(self._error)
        layout.addWidget(self._result_box, 1)
        layout.addStretch(0)
        scroll_whole_page(self, content).setObjectName("inboxScroll")

        self._open.clicked.connect(self.start_open)
        self._cancel.clicked.connect(self.cancel_open)
        self.open_progress.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        self.retranslate()
        self._refresh_buttons()

    # --- construction ---

    def _build_parts_box(self) -> None:
        box = self._parts_box = QGroupBox(self)
        self._parts_label = QLabel(box)
        self._parts_label.setWordWrap(True)
        self._parts_list = QListWidget(box)
        self._parts_list.setObjectName("partsList")
        self._parts_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self._parts_label.setBuddy(self._parts_list)
        # A few rows are enough: the room below is for what the bundle holds.
        self._parts_list.setMaximumHeight(self._parts_list.fontMetrics().height() * 7)
        self._add_files = QPushButton(box)
        self._add_files.setObjectName("addPartFiles")
        self._add_folder = QPushButton(box)
        self._add_folder.setObjectName("addPartFolder")
        self._add_inbox = QPushButton(box)
        self._add_inbox.setObjectName("addInboxParts")
        self._remove = QPushButton(box)
        self._remove.setObjectName("removeParts")
        row = QHBoxLayout()
        for button in (self._add_files, self._add_folder, self._add_inbox, self._remove):
            row.addWidget(button)
        row.addStretch(1)
        column = QVBoxLayout(box)
        column.addWidget(self._parts_label)
        column.addWidget(self._parts_list, 1)
        column.addLayout(row)
        self._add_files.clicked.connect(
            lambda: self.add_parts(choose_paths(self, self.tr("Choose parts")))
        )
        self._add_folder.clicked.connect(self._choose_folder)
        self._add_inbox.clicked.connect(self._choose_inbox)
        self._remove.clicked.connect(self._remove_selected)

    def _build_key_box(self) -> None:
        box = self._key_box = QGroupBox(self)
        self._identity_label = QLabel(box)
        self._identity = QLineEdit(box)
        self._identity.setObjectName("identityFile")
        self._identity_label.setBuddy(self._identity)
        self._identity_browse = QPushButton(box)
        self._identity_browse.setObjectName("chooseIdentity")
        self._protection = QLabel(box)
        self._protection.setObjectName("identityProtection")
        self._protection.setWordWrap(True)
        self._passphrase_label = QLabel(box)
        self._passphrase = QLineEdit(box)
        self._passphrase.setObjectName("identityPassphrase")
        self._passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self._passphrase_label.setBuddy(self._passphrase)
        self._passphrase_label.setVisible(False)
        self._passphrase.setVisible(False)
        grid = QGridLayout(box)
        grid.addWidget(self._identity_label, 0, 0)
        grid.addWidget(self._identity, 0, 1)
        grid.addWidget(self._identity_browse, 0, 2)
        grid.addWidget(self._protection, 1, 1, 1, 2)
        grid.addWidget(self._passphrase_label, 2, 0)
        grid.addWidget(self._passphrase, 2, 1, 1, 2)
        self._identity_browse.clicked.connect(self._choose_identity)
        self._identity.textEdited.connect(self._identity_edited)
        self._identity.editingFinished.connect(self._identity_typed)

    def _build_destination_box(self) -> None:
        box = self._dest_box = QGroupBox(self)
        self._dest_label = QLabel(box)
        self._dest = QLineEdit(box)
        self._dest.setObjectName("destinationFolder")
        self._dest_label.setBuddy(self._dest)
        self._dest_browse = QPushButton(box)
        self._dest_browse.setObjectName("chooseDestination")
        row = QHBoxLayout(box)
        row.addWidget(self._dest_label)
        row.addWidget(self._dest, 1)
        row.addWidget(self._dest_browse)
        self._dest_browse.clicked.connect(self._choose_destination)
        self._dest.textChanged.connect(lambda _t: self._refresh_buttons())

    def _build_result_box(self) -> None:
        box = self._result_box = QGroupBox(self)
        box.setObjectName("openResult")
        self._folder_caption = QLabel(box)
        self._folder = QLabel(box)
        self._folder.setObjectName("openedFolder")
        self._folder.setTextFormat(Qt.TextFormat.PlainText)
        self._folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._open_folder = QPushButton(box)
        self._open_folder.setObjectName("openFolder")
        self._choice_label = QLabel(box)
        self._choice = QComboBox(box)
        self._choice.setObjectName("submissionChoice")
        self._choice_label.setBuddy(self._choice)
        self._choice.currentIndexChanged.connect(self._choice_changed)
        self._summary = QLabel(box)
        self._summary.setObjectName("openSummary")
        self._summary.setTextFormat(Qt.TextFormat.PlainText)
        self._summary.setWordWrap(True)
        self._table = QTableView(box)
        # Tab leaves the table (arrow keys move inside it), so it cannot trap a keyboard user.
        self._table.setTabKeyNavigation(False)
        self._table.setObjectName("manifestTable")
        self._table.setModel(self.model)
        self._table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self._table.setWordWrap(True)
        self._table.setMinimumHeight(self._table.fontMetrics().height() * 10)
        self._table.horizontalHeader().setSectionResizeMode(
            4, QHeaderView.ResizeMode.Stretch
        )
        self._message_label = QLabel(box)
        self._message = QPlainTextEdit(box)
        # Tab moves on instead of typing a tab: a keyboard user must never be trapped.
        self._message.setTabChangesFocus(True)
        self._message.setObjectName("sourceMessage")
        self._message.setReadOnly(True)
        self._message.setTabChangesFocus(True)
        self._message.setMinimumHeight(self._message.fontMetrics().height() * 6)
        self._message_label.setBuddy(self._message)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self._folder_caption)
        folder_row.addWidget(self._folder, 1)
        folder_row.addWidget(self._open_folder)
        choice_row = QHBoxLayout()
        choice_row.addWidget(self._choice_label)
        choice_row.addWidget(self._choice, 1)
        column = QVBoxLayout(box)
        column.addLayout(choice_row)
        column.addLayout(folder_row)
        column.addWidget(self._summary)
        column.addWidget(self._table, 2)
        column.addWidget(self._message_label)
        column.addWidget(self._message, 1)
        box.setVisible(False)
        self._open_folder.clicked.connect(self.open_folder)

    # --- public ---

    def page_title(self) -> str:
        return self.tr("Inbox")

    def parts(self) -> list[Path]:
        return list(self._parts)

    def report(self) -> OpenReport | None:
        """The submission shown now."""
        return self._report

    def outcome(self) -> OpenOutcome | None:
        return self._outcome

    def show_submission(self, index: int) -> None:
        self._choice.setCurrentIndex(index)

    def is_busy(self) -> bool:
        return self._task is not None

    def error_text(self) -> str:
        return self._error.text() if self._error.isVisible() else ""

    def add_parts(self, paths: Iterable[Path]) -> None:
        for path in paths:
            path = Path(path)
            if path in self._parts:
                continue
            self._parts.append(path)
            item = QListWidgetItem(sanitize(str(path), max_len=300))
            self._parts_list.addItem(item)
        self._refresh_buttons()
        self.parts_changed.emit()

    def clear_parts(self) -> None:
        self._parts.clear()
        self._parts_list.clear()
        self._refresh_buttons()
        self.parts_changed.emit()

    def add_parts_from_folder(self, folder: Path) -> None:
        """Add the parts found in a folder or USB stick, or in an inbox server's folder."""

        def work(_progress: Callable[[object], None], _cancel: threading.Event) -> object:
            return staff_open.find_parts(folder)

        self._tasks.start(work, finished=self._found_parts, failed=self._folder_failed)

    def set_inbox_folder(self, folder: Path | None) -> None:
        """The inbox server's folder, read directly by "Add from the inbox"."""
        self._inbox_folder = folder

    def set_identity_file(self, path: Path) -> None:
        """Choose the key file; a worker reads it to learn whether it needs a passphrase."""
        self._identity.setText(str(path))
        self._identity_protected = None
        self._protection.clear()

        def work(_progress: Callable[[object], None], _cancel: threading.Event) -> object:
            return staff_open.needs_passphrase(path)

        self._tasks.start(
            work,
            finished=lambda needed, p=path: self._identity_read(p, bool(needed)),
            failed=lambda exc, p=path: self._identity_failed(p, exc),
        )

    def set_destination(self, folder: Path) -> None:
        self._dest.setText(str(folder))

    def start_open(self) -> None:
        if self._task is not None:
            return
        parts = list(self._parts)
        identity_text = self._identity.text().strip()
        dest_text = self._dest.text().strip()
        if not parts:
            self._error.show_message(lambda: self.tr("Add the parts to open first."))
            return
        if not identity_text:
            self._error.show_message(lambda: self.tr("Choose the key file that opens the parts."))
            return
        if not dest_text:
            self._error.show_message(lambda: self.tr("Choose the folder to open the files into."))
            return
        identity = Path(identity_text)
        dest = Path(dest_text)
        # The passphrase leaves the form at once; only the worker holds it.
        passphrase: str | None = self._passphrase.text() if self._identity_protected else None
        self._passphrase.clear()
        self._error.dismiss()
        self._outcome = None
        self._show_report(None)
        self._progress = None
        self._cancelling = False
        self._bar.setValue(0)
        relay = self.open_progress

        def work(_progress: Callable[[object], None], cancel: threading.Event) -> object:
            return staff_open.open_submissions(
                parts, identity, passphrase, dest, progress=relay.emit, cancel=cancel)

        self._task = self._tasks.start(work, finished=self._opened, failed=self._failed,
                                       done=self._done)
        self._refresh_buttons()
        self._refresh_stage()

    def cancel_open(self) -> None:
        if self._task is not None:
            self._cancelling = True
            self._task.cancel()
            self._refresh_stage()

    def open_folder(self) -> bool:
        if self._report is None:
            return False
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._report.folder)))

    def use_demo(self, identity_file: Path, inbox_folder: Path, destination: Path) -> None:
        """Demo mode: the demo's key, its inbox folder and a destination inside it."""
        self.set_inbox_folder(inbox_folder)
        self.set_destination(destination)
        self.set_identity_file(identity_file)

    # --- slots ---

    def _identity_edited(self, _text: str) -> None:
        # Another file: what was learnt about the previous one no longer holds.
        self._identity_protected = None
        self._passphrase_label.setVisible(False)
        self._passphrase.setVisible(False)
        self._render_protection()

    def _identity_typed(self) -> None:
        text = self._identity.text().strip()
        if text and self._identity_protected is None:
            self.set_identity_file(Path(text))

    def _found_parts(self, found: object) -> None:
        paths = [p for p in found if isinstance(p, Path)] if isinstance(found, list) else []
        if not paths:
            self._error.show_message(lambda: self.tr("No parts were found in that folder."))
        else:
            self._error.dismiss()
        self.add_parts(paths)

    def _folder_failed(self, exc: object) -> None:
        error = exc if isinstance(exc, BaseException) else RuntimeError()
        self._error.show_message(lambda: user_message(error))
        self.parts_changed.emit()

    def _identity_read(self, path: Path, needed: bool) -> None:
        if Path(self._identity.text().strip()) != path:
            return  # another file was chosen meanwhile
        self._identity_protected = needed
        self._passphrase_label.setVisible(needed)
        self._passphrase.setVisible(needed)
        self._render_protection()
        self.identity_checked.emit(needed)

    def _identity_failed(self, path: Path, exc: object) -> None:
        if Path(self._identity.text().strip()) != path:
            return
        self._identity_protected = None
        self._passphrase_label.setVisible(False)
        self._passphrase.setVisible(False)
        self._protection.clear()
        error = exc if isinstance(exc, BaseException) else RuntimeError()
        self._error.show_message(lambda: user_message(error))
        self.identity_checked.emit(False)

    def _on_progress(self, event: object) -> None:
        if isinstance(event, GroupProgress) and self._task is not None:
            self._progress = event
            inner = event.inner
            if inner.bytes_total > 0:
                # Whole submissions done, plus the share of the one being opened.
                share = inner.bytes_done / inner.bytes_total
                done = (event.group - 1 + min(1.0, share)) / event.groups
                self._bar.setValue(int(done * _PROGRESS_STEPS))
            self._refresh_stage()

    def _opened(self, result: object) -> None:
        assert isinstance(result, OpenOutcome)
        if not result.reports:
            self._bar.setValue(0)
            self._error.show_message(lambda: self._outcome_problems(result))
            self.open_failed.emit(self._error.text())
            return
        self._bar.setValue(_PROGRESS_STEPS)
        self._outcome = result
        self._fill_choice()
        self._show_report(result.reports[0])
        if result.failures or result.cancelled:
            self._error.show_message(lambda: self._outcome_problems(result))
        self.opened.emit(result)

    def _outcome_problems(self, outcome: OpenOutcome) -> str:
        lines: list[str] = []
        if outcome.failures:
            lines.append(
                self.tr("%1 submission(s) could not be opened; nothing of them was written:")
                .replace("%1", str(len(outcome.failures))))
            lines.extend(self._failure_line(f) for f in outcome.failures)
        if outcome.cancelled:
            lines.append(self.tr("Cancelled: the remaining submissions were not opened."))
        return "\n".join(lines)

    def _failure_line(self, failure: GroupFailure) -> str:
        positions = [str(self._parts.index(p) + 1) for p in failure.parts if p in self._parts]
        return self.tr("Parts %1: %2").replace("%1", ", ".join(positions)).replace(
            "%2", self._error_message(failure.error))

    def _failed(self, exc: object) -> None:
        error = exc if isinstance(exc, BaseException) else RuntimeError()
        self._bar.setValue(0)
        self._error.show_message(lambda: self._error_message(error))
        self.open_failed.emit(self._error.text())

    def _done(self) -> None:
        self._task = None
        self._cancelling = False
        self._progress = None
        self._refresh_buttons()
        self._refresh_stage()

    def _error_message(self, exc: BaseException) -> str:
        text = user_message(exc)
        if isinstance(exc, PartRefusedError):
            reason = self._translate_core(exc.reason)
            text += " " + self.tr("Part %1: %2").replace("%1", str(exc.position)).replace(
                "%2", reason)
        if not isinstance(exc, (SubmitterError, CryptoError)):
            text += " " + self.tr("Nothing was extracted.")
        return text

    @staticmethod
    def _translate_core(message: str) -> str:
        from PySide6.QtCore import QCoreApplication

        return QCoreApplication.translate("CoreMessages", message)

    # --- choosing ---

    def _choose_folder(self) -> None:
        chosen = choose_paths(self, self.tr("Choose a folder or USB stick"), folders=True)
        if chosen:
            self.add_parts_from_folder(chosen[0])

    def _choose_inbox(self) -> None:
        if self._inbox_folder is not None:
            self.add_parts_from_folder(self._inbox_folder)
            return
        chosen = choose_paths(self, self.tr("Choose the inbox server's folder"), folders=True)
        if chosen:
            self._inbox_folder = chosen[0]
            self.add_parts_from_folder(chosen[0])

    def _choose_identity(self) -> None:
        chosen = choose_paths(self, self.tr("Choose the key file"))
        if chosen:
            self.set_identity_file(chosen[0])

    def _choose_destination(self) -> None:
        chosen = choose_paths(self, self.tr("Choose where to open the files"), folders=True)
        if chosen:
            self.set_destination(chosen[0])

    def _remove_selected(self) -> None:
        rows = sorted({self._parts_list.row(i) for i in self._parts_list.selectedItems()},
                      reverse=True)
        for row in rows:
            self._parts_list.takeItem(row)
            del self._parts[row]
        self._refresh_buttons()
        self.parts_changed.emit()

    # --- display ---

    def _fill_choice(self) -> None:
        reports = self._outcome.reports if self._outcome is not None else ()
        self._choice.blockSignals(True)
        self._choice.clear()
        for number, report in enumerate(reports, start=1):
            self._choice.addItem(self._choice_text(number, report))
        self._choice.setCurrentIndex(0 if reports else -1)
        self._choice.blockSignals(False)
        several = len(reports) > 1
        self._choice.setVisible(several)
        self._choice_label.setVisible(several)

    def _choice_text(self, number: int, report: OpenReport) -> str:
        return self.tr("Submission %1 (%2 files)").replace("%1", str(number)).replace(
            "%2", str(len(report.files)))

    def _choice_changed(self, index: int) -> None:
        if self._outcome is not None and 0 <= index < len(self._outcome.reports):
            self._show_report(self._outcome.reports[index])

    def _show_report(self, report: OpenReport | None) -> None:
        self._report = report
        self.model.set_report(report)
        if report is None:
            if self._outcome is None:
                self._fill_choice()
            self._result_box.setVisible(False)
            self._folder.clear()
            self._summary.clear()
            self._message.clear()
            return
        self._folder.setText(sanitize(str(report.folder), max_len=1000))
        self._folder.setAccessibleDescription(self._folder.text())
        self._render_summary()
        if report.message:
            self._message.setPlainText(display_message(report.message))
        else:
            self._message.setPlainText(self.tr("(The source wrote no message.)"))
        self._table.resizeColumnsToContents()
        self._result_box.setVisible(True)

    def _render_summary(self) -> None:
        report = self._report
        if report is None:
            return
        text = self.tr(
            "%1 files opened from part(s) %2 of %3. Every part was authenticated and every "
            "file's hash matched the bundle's list before anything was released."
        ).replace("%1", str(len(report.files))).replace(
            "%2", ", ".join(map(str, report.parts_opened))).replace("%3", str(report.part_count))
        if report.incomplete:
            text += " " + self.tr(
                "%1 large file(s) are still waiting for parts not given here."
            ).replace("%1", str(len(report.incomplete)))
        self._summary.setText(text)

    def _render_protection(self) -> None:
        if self._identity_protected is None:
            self._protection.clear()
        elif self._identity_protected:
            self._protection.setText(
                self.tr("This key file is protected by a passphrase: type it below."))
        else:
            self._protection.setText(
                self.tr("This key file needs no passphrase (it is unprotected, or kept in "
                        "the system key store)."))

    def _refresh_stage(self) -> None:
        self._stage.setVisible(self._task is not None)
        if self._task is None:
            self._stage.clear()
            return
        if self._cancelling:
            self._stage.setText(self.tr("Cancelling…"))
            return
        grouped = self._progress
        if grouped is None:
            self._stage.setText(self.tr("Reading the key…"))
            return
        event = grouped.inner
        if event.stage == "decrypting":
            text = (self.tr("Decrypting and checking part %1 of %2…")
                    .replace("%1", str(event.part_position)).replace("%2", str(event.parts_total)))
        elif event.stage == "joining":
            text = self.tr("Joining large files…")
        else:
            text = self.tr("Finishing…")
        if grouped.groups > 1:
            text = self.tr("Submission %1 of %2: %3").replace("%1", str(grouped.group)).replace(
                "%2", str(grouped.groups)).replace("%3", text)
        self._stage.setText(text)

    def _refresh_buttons(self) -> None:
        busy = self._task is not None
        self._open.setEnabled(not busy and bool(self._parts))
        self._cancel.setEnabled(busy)
        for widget in (self._add_files, self._add_folder, self._add_inbox, self._remove,
                       self._identity, self._identity_browse, self._passphrase, self._dest,
                       self._dest_browse):
            widget.setEnabled(not busy)

    # --- language ---

    def retranslate(self) -> None:
        self._intro.setText(
            self.tr(
                "Open the parts you received. Nothing is released unless every part is "
                "authentic and complete and every file matches its hash; the files then "
                "land in a new folder inside the folder you choose."
            )
        )
        self._parts_box.setTitle(self.tr("1. Parts"))
        self._parts_label.setText(
            self.tr("&Parts to open (each submission opens into its own folder):"))
        self._parts_list.setAccessibleName(self.tr("Parts to open"))
        self._add_files.setText(self.tr("Add part &files…"))
        self._add_files.setAccessibleName(self.tr("Add part files"))
        self._add_folder.setText(self.tr("From a folder or &USB stick…"))
        self._add_folder.setAccessibleName(self.tr("Add the parts in a folder or USB stick"))
        self._add_inbox.setText(self.tr("From the &inbox server…"))
        self._add_inbox.setAccessibleName(self.tr("Add the parts the inbox server received"))
        self._remove.setText(self.tr("&Remove selected"))
        self._remove.setAccessibleName(self.tr("Remove the selected parts"))
        self._key_box.setTitle(self.tr("2. Key"))
        self._identity_label.setText(self.tr("&Key file:"))
        self._identity.setAccessibleName(self.tr("Key file"))
        self._identity_browse.setText(self.tr("Choose…"))
        self._identity_browse.setAccessibleName(self.tr("Choose the key file"))
        self._passphrase_label.setText(self.tr("Pass&phrase:"))
        self._passphrase.setAccessibleName(self.tr("Passphrase of the key file"))
        self._render_protection()
        self._dest_box.setTitle(self.tr("3. Where to put the files"))
        self._dest_label.setText(self.tr("&Folder:"))
        self._dest.setAccessibleName(self.tr("Destination folder"))
        self._dest_browse.setText(self.tr("Choose…"))
        self._dest_browse.setAccessibleName(self.tr("Choose the destination folder"))
        self._open.setText(self.tr("&Open"))
        self._open.setAccessibleName(self.tr("Open the parts"))
        self._cancel.setText(self.tr("Cancel"))
        self._cancel.setAccessibleName(self.tr("Cancel opening"))
        self._bar.setAccessibleName(self.tr("Opening progress"))
        self._error.setAccessibleName(self.tr("Could not open"))
        self._result_box.setTitle(self.tr("What the bundle holds"))
        self._folder_caption.setText(self.tr("Opened into:"))
        self._choice_label.setText(self.tr("&Submission:"))
        self._choice.setAccessibleName(self.tr("Opened submission to show"))
        if self._outcome is not None:
            for number, report in enumerate(self._outcome.reports, start=1):
                self._choice.setItemText(number - 1, self._choice_text(number, report))
        self._folder.setAccessibleName(self.tr("Folder the files were opened into"))
        self._open_folder.setText(self.tr("Open &folder"))
        self._open_folder.setAccessibleName(self.tr("Show the opened files"))
        self._table.setAccessibleName(self.tr("Files in the bundle"))
        self._message_label.setText(self.tr("&Message from the source:"))
        self._message.setAccessibleName(self.tr("Message from the source"))
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 5)
        self._render_summary()
        if self._report is not None and not self._report.message:
            self._message.setPlainText(self.tr("(The source wrote no message.)"))
        self._refresh_stage()
        self._error.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
