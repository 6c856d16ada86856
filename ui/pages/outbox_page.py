"""Step 5 for the source: the outbox, and delivering what it holds.

Each sealed part is listed with its status, progress, next try and any
problem in plain words. The source chooses where to deliver (a USB stick or
folder, or the organisation's upload address from its card) and how to
connect (Tor found automatically, a SOCKS proxy, or directly), and when:
now, or each part at a random moment within 1, 6 or 24 hours, so the upload
does not line up with the moment the files were copied. The moment chosen is
never shown exactly, only the window ("within 6 hours"). In demo mode the
direct route is chosen, because the demo inbox runs on this computer and Tor
cannot reach it. Reading the queue, delivering, checking Tor, retrying and
removing all run in workers; a timer reads the queue again every few seconds
and, while sending is on, starts a new pass when a part's next try comes.
Settings live in memory only.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QIdentityProxyModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
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
from submitter.outbox.queue import Outbox, PartId, PartInfo
from submitter.outbox.schedule import SendWindow
from submitter.transports.base import SendProgress
from submitter.transports.proxy import TOR_PORTS, ProxyConfig
from ui.file_dialogs import choose_paths
from ui.i18n import english_plural
from ui.messages import user_message
from ui.models.outbox_model import OutboxModel
from ui.tasks import Task, TaskRunner

REFRESH_MS = 2000
DEFAULT_PROXY = "socks5h://127.0.0.1:9050"
# "Send at a random moment within": the choices, in hours (0: now).
SEND_WINDOW_HOURS: tuple[int, ...] = (0, 1, 6, 24)
# Recorded as the reason of a part given its random moment here: empty, so no
# problem is shown, yet set, so the part is not given a second moment.
_SCHEDULED = ""


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


def _never_tried(info: PartInfo) -> bool:
    return (info.state == "queued" and info.attempts == 0 and info.sent == 0
            and not info.reason)


def _waits_for_its_moment(info: PartInfo, now: float) -> bool:
    """Queued, never tried, and kept for a later moment (not a retry after a failure)."""
    return _never_tried(info) and info.next_try > now


def schedule_unsent(outbox: Outbox, hours: int, now: float) -> list[PartId]:
    """Give every part due now that was never tried a random moment within ``hours``.

    Parts already waiting for a moment (given here, or when they were queued)
    keep theirs, so choosing "Deliver now" again does not push them back.
    """
    window = SendWindow(now, now + hours * 3600)
    scheduled = []
    for info in outbox.parts():
        if _never_tried(info) and info.reason is None and info.next_try <= now:
            outbox.mark_retry(info.id, _SCHEDULED, max(0.0, window.pick() - now))
            scheduled.append(info.id)
    return scheduled


def retry_failed_tries_now(outbox: Outbox, now: float) -> None:
    """What "Deliver now" does to parts waiting after a failed try: try them now."""
    for info in outbox.parts():
        if info.state == "queued" and info.reason and info.next_try > now:
            outbox.retry(info.id)


@dataclass
class _PassResult:
    report: DeliveryReport
    scheduled: list[PartId] = field(default_factory=list)  # given a moment in this pass
    waiting: list[PartId] = field(default_factory=list)  # waiting for their moment after


def within_hours(hours: int) -> str:
    """'within 6 hours': how the planned moment is shown, never more exactly."""
    return english_plural(
        QCoreApplication.translate("OutboxPage", "within %n hour(s)", "", hours), hours)


class _VagueTimes(QIdentityProxyModel):
    """Shows a part waiting for its random moment as "within 6 hours", never the moment."""

    def __init__(self, model: OutboxModel, planned: dict[str, int]) -> None:
        super().__init__()
        self._model = model
        self._planned = planned
        self._next = OutboxModel.COLUMNS.index("next")
        self.setSourceModel(model)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if index.isValid() and index.column() == self._next and role in (
                Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                Qt.ItemDataRole.AccessibleTextRole):
            rows = self._model.rows()
            if 0 <= index.row() < len(rows):
                row = rows[index.row()]
                if row.live is None and _waits_for_its_moment(row.info, time.time()):
                    hours = self._planned.get(row.info.id)
                    if hours:
                        return within_hours(hours)
                    return QCoreApplication.translate("OutboxPage", "at a random later moment")
        return super().data(index, role)


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
        self._demo = False
        # Part id -> the window (hours) it was given its random moment in; memory only.
        self._planned: dict[str, int] = {}

        self._intro = QLabel(self)
        self._intro.setWordWrap(True)

        self._table = QTableView(self)
        # Tab leaves the table (arrow keys move inside it), so it cannot trap a keyboard user.
        self._table.setTabKeyNavigation(False)
        self._table.setObjectName("outboxTable")
        self._shown = _VagueTimes(self.model, self._planned)
        self._table.setModel(self._shown)
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
        self._demo_note = QLabel(self._how)
        self._demo_note.setObjectName("demoRouteNote")
        self._demo_note.setWordWrap(True)
        self._demo_note.setStyleSheet("font-weight: bold;")
        self._demo_note.setVisible(False)
        how_layout.addWidget(self._demo_note)
        how_layout.addLayout(check_row)

        # When to send.
        self._when = QGroupBox(self)
        self._when.setObjectName("whenToSend")
        self._window_label = QLabel(self._when)
        self._window_label.setWordWrap(True)
        self._window = QComboBox(self._when)
        self._window.setObjectName("sendWindow")
        for hours in SEND_WINDOW_HOURS:
            self._window.addItem("", hours)
        self._window_label.setBuddy(self._window)
        self._window_hint = QLabel(self._when)
        self._window_hint.setObjectName("sendWindowHint")
        self._window_hint.setWordWrap(True)
        window_row = QHBoxLayout()
        window_row.addWidget(self._window_label)
        window_row.addWidget(self._window)
        window_row.addStretch(1)
        when_layout = QVBoxLayout(self._when)
        when_layout.addLayout(window_row)
        when_layout.addWidget(self._window_hint)

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
        layout.addWidget(self._when)
        layout.addLayout(actions)
        layout.addWidget(self._status)
        layout.addLayout(settings_row)

        order = [self._table, self._window, self._deliver, self._pause, self._retry,
                 self._remove, self._status, self._to_card, self._to_folder, self._folder,
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
        self._window.currentIndexChanged.connect(lambda _i: self._window_changed())
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

    def use_demo(self) -> None:
        """Demo mode: deliver directly. The demo inbox runs on this computer
        (127.0.0.1), which Tor cannot reach; the page says so next to the choice."""
        self._demo = True
        self.set_route("direct")
        self._demo_note.setVisible(True)
        self.retranslate()

    def is_demo(self) -> bool:
        return self._demo

    def route(self) -> session.RouteMode:
        if self._via_proxy.isChecked():
            return "proxy"
        return "direct" if self._via_direct.isChecked() else "tor"

    def send_window_hours(self) -> int:
        """The chosen "random moment within" window, in hours (0: now)."""
        return int(self._window.currentData())

    def set_send_window(self, hours: int) -> None:
        self._window.setCurrentIndex(SEND_WINDOW_HOURS.index(hours))

    def shown_text(self, row: int, column: str) -> str:
        """A cell as the table shows it (planned moments only as a window)."""
        value = self._shown.data(self._shown.index(row, OutboxModel.COLUMNS.index(column)))
        return "" if value is None else str(value)

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

    def stop_sending(self) -> None:
        """No new delivery pass starts by itself; a pass under way is cancelled."""
        self._keep_sending = False
        if self._delivery is not None:
            self._delivery.cancel()

    def clear(self) -> None:
        """Forget what is shown and stop sending (quick delete wipes the outbox itself)."""
        self.stop_sending()
        self._planned.clear()
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
        hours = self.send_window_hours()
        if now:
            self._set_note(lambda: self.tr("Sending…"))
        state = self._state

        def work(progress: Callable[[object], None], cancel: threading.Event) -> _PassResult:
            outbox = state.outbox()
            moment = time.time()
            scheduled: list[PartId] = []
            if hours:
                # Parts never tried get their random moment; only parts waiting
                # after a failed try are tried at once on "Deliver now".
                scheduled = schedule_unsent(outbox, hours, moment)
                if now:
                    retry_failed_tries_now(outbox, moment)
                report = session.deliver(outbox, settings, now=False, progress=progress,
                                         cancel=cancel)
            else:
                report = session.deliver(outbox, settings, now=now, progress=progress,
                                         cancel=cancel)
            after = time.time()
            waiting = [info.id for info in outbox.parts() if _waits_for_its_moment(info, after)]
            return _PassResult(report, scheduled, waiting)

        self._delivery = self._tasks.start(work, progress=self._on_send_progress,
                                           finished=self._on_delivered,
                                           failed=self._on_delivery_failed,
                                           done=self._on_delivery_done)
        self._update_buttons()

    def _on_send_progress(self, event: object) -> None:
        if isinstance(event, SendProgress):
            self.model.set_live(event)

    def _on_delivered(self, result: object) -> None:
        assert isinstance(result, _PassResult)
        report = result.report
        hours = self.send_window_hours()
        for part_id in result.scheduled:
            self._planned[part_id] = hours
        waiting = len(result.waiting)
        # The widest window among the waiting parts (0: given their moment elsewhere).
        widest = max((self._planned.get(p, 0) for p in result.waiting), default=0)
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
        if waiting:
            lines.append(lambda: self._waiting_line(waiting, widest))
        if not lines:
            lines.append(lambda: self.tr("Nothing was waiting to be sent."))
        stopped = self._delivery is not None and self._delivery.cancel_event.is_set()
        if not stopped or delivered:  # else "stopped" is already shown
            self._set_note(lambda: "\n".join(line() for line in lines), error=bool(failures))
        self.delivery_finished.emit(report)

    def _waiting_line(self, waiting: int, hours: int) -> str:
        line = self.tr("Parts waiting for their random moment: %n.", "", waiting)
        if hours:
            line += " " + self.tr("Each is sent at a moment chosen at random %1.").replace(
                "%1", within_hours(hours))
        return line + " " + self.tr(
            "Keep the app open: sending goes on only while it runs.")

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

    def _window_changed(self) -> None:
        self._render_window()
        self._update_buttons()

    def _render_window(self) -> None:
        hours = self.send_window_hours()
        self._deliver.setText(self.tr("&Deliver now") if not hours
                              else self.tr("&Start sending"))
        if hours:
            self._window_hint.setText(self.tr(
                "Each part waits for a moment chosen at random %1, so the upload does not "
                "line up with when you copied the files. The exact moment is not shown. "
                "Keep the app open until then.").replace("%1", within_hours(hours)))
        else:
            self._window_hint.setText(self.tr(
                "Parts are sent as soon as you start. Waiting a random time can make it "
                "harder to link the upload to when you copied the files."))

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
        self._when.setTitle(self.tr("When to send"))
        self._window_label.setText(self.tr("Send at a random moment &within:"))
        for index, hours in enumerate(SEND_WINDOW_HOURS):
            self._window.setItemText(index, self.tr("now") if not hours
                                     else english_plural(self.tr("%n hour(s)", "", hours), hours))
        self._window.setAccessibleName(self.tr("Send at a random moment within"))
        self._window_hint.setAccessibleName(self.tr("About the moment of sending"))
        self._render_window()
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
        if self._demo:
            self._via_direct.setText(self.tr(
                "Directly, to the demo inbox on this computer (demo mode only)"))
        else:
            self._via_direct.setText(self.tr(
                "Directly, without Tor (shows your internet address; not for .onion)"))
        self._demo_note.setText(self.tr(
            "Demo mode: the demo organisation's inbox runs on this computer, so the parts "
            "go to it directly. Tor cannot reach it. For a real organisation, use Tor."))
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
