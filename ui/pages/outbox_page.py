"""Step 5 for the source: the outbox, and delivering what it holds.

Each sealed part is listed with its status, progress, next try and any
problem in plain words. The source chooses where to deliver (a USB stick or
folder, or the organisation's upload address from its card) and how to
connect (Tor found automatically, a SOCKS proxy, or directly). Reading the
queue, delivering, checking Tor, retrying and removing all run in workers;
a timer reads the queue again every few seconds and, while sending is on,
starts a new pass when a part's next try comes. Settings live in memory only.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from submitter import session
from submitter.app_state import AppState
from submitter.errors import SubmitterError
from submitter.outbox.courier import DeliveryReport
from submitter.outbox.queue import PartId, PartInfo
from submitter.transports.base import SendProgress
from submitter.transports.proxy import TOR_PORTS, ProxyConfig
from ui.file_dialogs import choose_paths
from ui.messages import user_message
from ui.models.outbox_model import OutboxModel
from ui.tasks import Task, TaskRunner

REFRESH_MS = 2000
DEFAULT_PROXY = "socks5h://127.0.0.1:9050"


class FolderNotChosenError(SubmitterError):
    message = "Choose the USB stick or folder to copy the parts to."


def _read_parts_work(state: AppState
                     ) -> Callable[[Callable[[object], None], threading.Event], object]:
    def work(_progress: Callable[[object], None], _cancel: threading.Event) -> list[PartInfo]:
        # Nothing sealed yet: do not create the outbox (or a key) just to look.
        if not (state.data_dir / "outbox" / "queue.sqlite3").exists():
            return []
        return state.outbox().parts()

    return work


class OutboxPage(QWidget):
    refreshed = Signal()  # after every reading of the queue
    delivery_finished = Signal(object)  # the DeliveryReport, or the exception
    tor_checked = Signal(object)  # ProxyConfig that answered, or None
    parts_changed = Signal()  # after a retry or a removal

    def __init__(self, tasks: TaskRunner, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("outboxPage")
        self._tasks = tasks
        self._state = state
        self.model = OutboxModel()
        self.tor_ports: tuple[int, ...] = TOR_PORTS
        self.chunk_size: int | None = None  # upload chunk; None: the transport's default
        self._refreshing = False
        self._refresh_again = False
        self._delivery: Task | None = None
        self._keep_sending = False
        self._checking_tor = False
        self._note: Callable[[], str] | None = None
        self._note_is_error = False

        self._intro = QLabel(self)
        self._intro.setWordWrap(True)

        self._table = QTableView(self)
        self._table.setObjectName("outboxTable")
        self._table.setModel(self.model)
        self._table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self._table.setWordWrap(True)
        self._table.horizontalHeader().setSectionResizeMode(
            len(OutboxModel.COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self._empty = QLabel(self)
        self._empty.setObjectName("outboxEmpty")
        self._empty.setWordWrap(True)

        self._deliver = QPushButton(self)
        self._deliver.setObjectName("deliverNow")
        self._pause = QPushButton(self)
        self._pause.setObjectName("pauseDelivery")
        self._retry = QPushButton(self)
        self._retry.setObjectName("retryParts")
        self._remove = QPushButton(self)
        self._remove.setObjectName("removeParts")
        actions = QHBoxLayout()
        for button in (self._deliver, self._pause, self._retry, self._remove):
            actions.addWidget(button)
        actions.addStretch(1)

        # Where to deliver.
        self._where = QGroupBox(self)
        self._to_card = QRadioButton(self._where)
        self._to_card.setObjectName("deliverToCard")
        self._to_folder = QRadioButton(self._where)
        self._to_folder.setObjectName("deliverToFolder")
        self._where_group = QButtonGroup(self)
        self._where_group.addButton(self._to_card)
        self._where_group.addButton(self._to_folder)
        self._to_card.setChecked(True)
        self._folder = QLineEdit(self._where)
        self._folder.setObjectName("deliveryFolder")
        self._choose_folder = QPushButton(self._where)
        self._choose_folder.setObjectName("chooseFolder")
        folder_row = QHBoxLayout()
        folder_row.addWidget(self._folder, 1)
        folder_row.addWidget(self._choose_folder)
        where_layout = QVBoxLayout(self._where)
        where_layout.addWidget(self._to_card)
        where_layout.addWidget(self._to_folder)
        where_layout.addLayout(folder_row)

        # How to connect.
        self._how = QGroupBox(self)
        self._via_tor = QRadioButton(self._how)
        self._via_tor.setObjectName("routeTor")
        self._via_proxy = QRadioButton(self._how)
        self._via_proxy.setObjectName("routeProxy")
        self._via_direct = QRadioButton(self._how)
        self._via_direct.setObjectName("routeDirect")
        self._route_group = QButtonGroup(self)
        for radio in (self._via_tor, self._via_proxy, self._via_direct):
            self._route_group.addButton(radio)
        self._via_tor.setChecked(True)
        self._proxy = QLineEdit(self._how)
        self._proxy.setObjectName("proxyAddress")
        self._proxy.setText(DEFAULT_PROXY)
        self._check_tor = QPushButton(self._how)
        self._check_tor.setObjectName("checkTor")
        self._tor_status = QLabel(self._how)
        self._tor_status.setObjectName("torStatus")
        self._tor_status.setWordWrap(True)
        self._tor_status.setTextFormat(Qt.TextFormat.PlainText)
        proxy_row = QHBoxLayout()
        proxy_row.addWidget(self._via_proxy)
        proxy_row.addWidget(self._proxy, 1)
        check_row = QHBoxLayout()
        check_row.addWidget(self._check_tor)
        check_row.addWidget(self._tor_status, 1)
        how_layout = QVBoxLayout(self._how)
        how_layout.addWidget(self._via_tor)
        how_layout.addLayout(proxy_row)
        how_layout.addWidget(self._via_direct)
        how_layout.addLayout(check_row)

        self._status = QLabel(self)
        self._status.setObjectName("outboxStatus")
        self._status.setWordWrap(True)
        self._status.setTextFormat(Qt.TextFormat.PlainText)
        self._status.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._status.setVisible(False)

        settings_row = QHBoxLayout()
        settings_row.addWidget(self._where, 1)
        settings_row.addWidget(self._how, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self._intro)
        layout.addWidget(self._table, 1)
        layout.addWidget(self._empty)
        layout.addLayout(actions)
        layout.addWidget(self._status)
        layout.addLayout(settings_row)

        order = [self._table, self._deliver, self._pause, self._retry, self._remove,
                 self._status, self._to_card, self._to_folder, self._folder,
                 self._choose_folder, self._via_tor, self._via_proxy, self._proxy,
                 self._via_direct, self._check_tor]
        for first, second in itertools.pairwise(order):
            self.setTabOrder(first, second)

        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)

        self._deliver.clicked.connect(self.deliver_now)
        self._pause.clicked.connect(self.pause)
        self._retry.clicked.connect(self.retry_selected)
        self._remove.clicked.connect(self.remove_selected)
        self._check_tor.clicked.connect(self.check_tor)
        self._choose_folder.clicked.connect(self._pick_folder)
        self._folder.textEdited.connect(lambda _t: self._to_folder.setChecked(True))
        self._proxy.textEdited.connect(lambda _t: self._via_proxy.setChecked(True))
        self._where_group.buttonToggled.connect(lambda *_: self._update_buttons())
        self._route_group.buttonToggled.connect(lambda *_: self._update_buttons())
        self._table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.model.modelReset.connect(self._update_buttons)
        self.retranslate()

    # --- public ---

    def page_title(self) -> str:
        return self.tr("5. Outbox")

    def is_delivering(self) -> bool:
        return self._delivery is not None

    def is_sending_on(self) -> bool:
        """Whether new passes start by themselves when a part's next try comes."""
        return self._keep_sending

    def status_text(self) -> str:
        return self._status.text() if not self._status.isHidden() else ""

    def tor_status_text(self) -> str:
        return self._tor_status.text()

    def set_folder(self, folder: Path) -> None:
        self._folder.setText(str(folder))
        self._to_folder.setChecked(True)

    def use_card_address(self) -> None:
        self._to_card.setChecked(True)

    def set_route(self, route: session.RouteMode, proxy: str | None = None) -> None:
        {"tor": self._via_tor, "proxy": self._via_proxy, "direct": self._via_direct}[
            route].setChecked(True)
        if proxy is not None:
            self._proxy.setText(proxy)

    def select_rows(self, rows: list[int]) -> None:
        self._table.clearSelection()
        mode = self._table.selectionMode()
        self._table.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        for row in rows:
            self._table.selectRow(row)
        self._table.setSelectionMode(mode)

    def settings(self) -> session.DeliverySettings:
        """The current choices; raises a SubmitterError leaf when one is not valid."""
        folder: Path | None = None
        if self._to_folder.isChecked():
            text = self._folder.text().strip()
            if not text:
                raise FolderNotChosenError()
            folder = Path(text)
        if self._via_proxy.isChecked():
            return session.DeliverySettings(folder, "proxy", ProxyConfig.parse(self._proxy.text()),
                                            self.tor_ports, self.chunk_size)
        route: session.RouteMode = "direct" if self._via_direct.isChecked() else "tor"
        return session.DeliverySettings(folder, route, None, self.tor_ports, self.chunk_size)

    def clear(self) -> None:
        """Forget what is shown and stop sending (quick delete wipes the outbox itself)."""
        self._keep_sending = False
        if self._delivery is not None:
            self._delivery.cancel()
        self.model.clear()
        self._folder.clear()
        self._tor_status.clear()
        self._set_note(None)
        self._update_buttons()

    def refresh(self) -> None:
        """Read the queue again (in a worker); a request during a read is merged."""
        if self._refreshing:
            self._refresh_again = True
            return
        if self._state.state_key_store is None:
            return
        self._refreshing = True
        self._tasks.start(_read_parts_work(self._state), finished=self._on_parts,
                          failed=self._on_refresh_failed, done=self._on_refresh_done)

    def deliver_now(self) -> None:
        self._start_delivery(now=True)

    def pause(self) -> None:
        self._keep_sending = False
        if self._delivery is not None:
            self._delivery.cancel()
        self._set_note(lambda: self.tr(
            "Sending is stopped. It will continue from where it stopped when you "
            "choose “Deliver now”."))
        self._update_buttons()

    def retry_selected(self) -> None:
        ids = self._selected_ids()
        if not ids:
            return
        state = self._state

        def work(_p: Callable[[object], None], _c: threading.Event) -> None:
            outbox = state.outbox()
            for part_id in ids:
                outbox.retry(part_id)

        self._tasks.start(work, finished=lambda _r: self._after_change(),
                          failed=self._on_action_failed)

    def remove_selected(self, *, confirm: bool = True) -> None:
        ids = self._selected_ids()
        if not ids:
            return
        if confirm:
            answer = QMessageBox.question(
                self, self.tr("Remove parts"),
                self.tr("Remove the selected parts from the outbox (%n)? They will not be "
                        "sent, and what they hold is lost unless you seal it again.", "",
                        len(ids)),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return
        try:
            settings = self.settings()
        except SubmitterError:
            settings = session.DeliverySettings(tor_ports=self.tor_ports)
        state = self._state

        def work(_p: Callable[[object], None], _c: threading.Event) -> None:
            outbox = state.outbox()
            for part_id in ids:
                session.remove(outbox, settings, part_id)

        self._tasks.start(work, finished=lambda _r: self._after_change(),
                          failed=self._on_action_failed)

    def check_tor(self) -> None:
        if self._checking_tor:
            return
        try:
            settings = self.settings()
        except SubmitterError as exc:
            self._tor_status.setText(user_message(exc))
            return
        if settings.route == "direct":
            settings = session.DeliverySettings(None, "tor", None, self.tor_ports)
        self._checking_tor = True
        self._check_tor.setEnabled(False)
        self._tor_status.setText(self.tr("Checking…"))

        def work(_p: Callable[[object], None], _c: threading.Event) -> object:
            return session.check_socks(settings)

        self._tasks.start(work, finished=self._on_tor_checked, failed=self._on_tor_failed)

    # --- delivering ---

    def _start_delivery(self, *, now: bool) -> None:
        if self._delivery is not None:
            return
        try:
            settings = self.settings()
        except SubmitterError as exc:
            error = exc
            self._set_note(lambda: user_message(error), error=True)
            return
        self._keep_sending = True
        self._timer.start()
        if now:
            self._set_note(lambda: self.tr("Sending…"))
        state = self._state

        def work(progress: Callable[[object], None], cancel: threading.Event) -> DeliveryReport:
            return session.deliver(state.outbox(), settings, now=now, progress=progress,
                                   cancel=cancel)

        self._delivery = self._tasks.start(work, progress=self._on_send_progress,
                                           finished=self._on_delivered,
                                           failed=self._on_delivery_failed,
                                           done=self._on_delivery_done)
        self._update_buttons()

    def _on_send_progress(self, event: object) -> None:
        if isinstance(event, SendProgress):
            self.model.set_live(event)

    def _on_delivered(self, report: object) -> None:
        assert isinstance(report, DeliveryReport)
        delivered = len(report.delivered)
        lines: list[Callable[[], str]] = []
        if delivered:
            lines.append(lambda: self.tr("Parts delivered: %n.", "", delivered))
        if report.safe_to_unplug:
            lines.append(lambda: self.tr(
                "The copies were written and checked: it is safe to unplug the USB stick."))
        reasons = sorted(set(report.retrying.values()))
        failures = sorted(set(report.failed.values()))
        for reason in reasons:
            lines.append(self._reason_line("waiting", reason))
        for reason in failures:
            lines.append(self._reason_line("stopped", reason))
        if not lines:
            lines.append(lambda: self.tr("Nothing was waiting to be sent."))
        stopped = self._delivery is not None and self._delivery.cancel_event.is_set()
        if not stopped or delivered:  # else "stopped" is already shown
            self._set_note(lambda: "\n".join(line() for line in lines), error=bool(failures))
        self.delivery_finished.emit(report)

    def _reason_line(self, kind: str, reason: str) -> Callable[[], str]:
        def text() -> str:
            template = (self.tr("Not sent yet: %1") if kind == "waiting"
                        else self.tr("Stopped: %1"))
            return template.replace("%1", user_message(_Fixed(reason)))

        return text

    def _on_delivery_failed(self, exc: object) -> None:
        if isinstance(exc, BaseException):
            self._set_note(lambda: user_message(exc), error=True)
        self._keep_sending = False
        self.delivery_finished.emit(exc)

    def _on_delivery_done(self) -> None:
        self._delivery = None
        self.model.clear_live()
        self._update_buttons()
        self.refresh()

    # --- reading the queue ---

    def _on_parts(self, parts: object) -> None:
        assert isinstance(parts, list)
        now = time.time()
        self.model.set_parts(parts, now)
        self._empty.setVisible(not parts)
        self._update_buttons()
        due = any(p.state == "queued" and p.next_try <= now for p in parts)
        if self._keep_sending and due and self._delivery is None:
            self._start_delivery(now=False)
        self.refreshed.emit()

    def _on_refresh_failed(self, exc: object) -> None:
        if isinstance(exc, BaseException):
            self._set_note(lambda: user_message(exc), error=True)
        self.refreshed.emit()

    def _on_refresh_done(self) -> None:
        self._refreshing = False
        if self._refresh_again:
            self._refresh_again = False
            self.refresh()

    # --- other actions ---

    def _after_change(self) -> None:
        self.refresh()
        self.parts_changed.emit()

    def _on_action_failed(self, exc: object) -> None:
        if isinstance(exc, BaseException):
            self._set_note(lambda: user_message(exc), error=True)
        self.refresh()
        self.parts_changed.emit()

    def _on_tor_checked(self, found: object) -> None:
        self._checking_tor = False
        self._check_tor.setEnabled(True)
        if isinstance(found, ProxyConfig):
            self._tor_status.setText(self.tr("Tor's SOCKS port answers at %1.").replace(
                "%1", f"{found.host}:{found.port}"))
        else:
            self._tor_status.setText(self.tr(
                "No answer from Tor's SOCKS port. Start Tor or Tor Browser, or check the "
                "proxy address."))
        self.tor_checked.emit(found)

    def _on_tor_failed(self, exc: object) -> None:
        self._checking_tor = False
        self._check_tor.setEnabled(True)
        if isinstance(exc, BaseException):
            self._tor_status.setText(user_message(exc))
        self.tor_checked.emit(None)

    def _pick_folder(self) -> None:
        chosen = choose_paths(self, self.tr("Choose the USB stick or folder"), folders=True)
        if chosen:
            self.set_folder(chosen[0])

    def _selected_ids(self) -> list[PartId]:
        rows = sorted({index.row() for index in self._table.selectionModel().selectedRows()})
        ids = self.model.part_ids()
        return [PartId(ids[r]) for r in rows if 0 <= r < len(ids)]

    # --- display ---

    def _update_buttons(self) -> None:
        delivering = self._delivery is not None
        selected = bool(self._table.selectionModel().selectedRows())
        self._deliver.setEnabled(not delivering)
        self._pause.setEnabled(delivering or self._keep_sending)
        self._retry.setEnabled(selected and not delivering)
        self._remove.setEnabled(selected and not delivering)
        folder = self._to_folder.isChecked()
        self._folder.setEnabled(True)
        self._choose_folder.setEnabled(True)
        self._how.setEnabled(not folder)

    def _set_note(self, text: Callable[[], str] | None, *, error: bool = False) -> None:
        self._note = text
        self._note_is_error = error
        if text is None:
            self._status.clear()
            self._status.setVisible(False)
            return
        message = text()
        self._status.setText(message)
        self._status.setStyleSheet("color: #7a0014; font-weight: bold;" if error else "")
        self._status.setAccessibleDescription(message)
        self._status.setVisible(True)

    # --- lifecycle and language ---

    def showEvent(self, event: QShowEvent) -> None:
        self.refresh()
        self._timer.start()
        super().showEvent(event)

    def retranslate(self) -> None:
        self._intro.setText(self.tr(
            "Sealed parts wait here until they are delivered. Each one is locked: only "
            "the organisation can open it. Delivered parts are erased from this computer."))
        self._table.setAccessibleName(self.tr("Parts in the outbox"))
        self._empty.setText(self.tr("The outbox is empty."))
        self._deliver.setText(self.tr("&Deliver now"))
        self._pause.setText(self.tr("&Pause"))
        self._retry.setText(self.tr("&Retry selected"))
        self._remove.setText(self.tr("Re&move selected…"))
        self._where.setTitle(self.tr("Where to deliver"))
        self._to_card.setText(self.tr("Upload to the organisation (the address on its card)"))
        self._to_folder.setText(self.tr("Copy to a USB stick or a folder:"))
        self._folder.setAccessibleName(self.tr("USB stick or folder"))
        self._folder.setPlaceholderText(self.tr("Choose a folder…"))
        self._choose_folder.setText(self.tr("C&hoose…"))
        self._choose_folder.setAccessibleName(self.tr("Choose the USB stick or folder"))
        self._how.setTitle(self.tr("How to connect (for uploads)"))
        self._via_tor.setText(self.tr("Through Tor, found on this computer (recommended)"))
        self._via_proxy.setText(self.tr("Through this Tor SOCKS proxy:"))
        self._proxy.setAccessibleName(self.tr("SOCKS proxy address"))
        self._via_direct.setText(self.tr(
            "Directly, without Tor (shows your internet address; not for .onion)"))
        self._check_tor.setText(self.tr("Check &Tor"))
        self._check_tor.setAccessibleName(self.tr("Check whether Tor answers"))
        self._tor_status.setAccessibleName(self.tr("Tor check result"))
        self._status.setAccessibleName(self.tr("Delivery status"))
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0,
                                          len(OutboxModel.COLUMNS) - 1)
        if self._note is not None:
            self._set_note(self._note, error=self._note_is_error)
        self._update_buttons()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class _Fixed(SubmitterError):
    """Carries a reason the core recorded (one of its fixed messages) to user_message."""

    def __init__(self, message: str) -> None:
        super().__init__("recorded reason")
        self.message = message
