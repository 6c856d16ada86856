"""Step 5: the outbox page delivering real sealed parts to a folder and to the
real inbox server (through microsocks standing in for Tor), with errors in
plain words. Loopback only; waits on signals and conditions only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox, QPushButton, QRadioButton

from crypto.card import DropNote, TusEndpoint
from submitter.bundle.pipeline import SubmitResult
from submitter.outbox.courier import DeliveryReport
from submitter.transports.errors import NetworkUnavailableError
from submitter.transports.proxy import ProxyConfig
from tests.transports.netpeers import Proc, Relay, free_port, start_inbox, start_microsocks
from tests.ui.source_flow import (
    SampleOrg,
    add_files,
    choose_org,
    gps_jpeg,
    gps_png,
    make_org,
    open_as_ngo,
    outbox_listing,
    source,
)
from ui.app import AppParts
from ui.pages.outbox_page import OutboxPage

__all__ = ["source"]

PROXY_OUT = "127.0.0.2"  # microsocks binds its outgoing connections here (-b)


def _seal(parts: AppParts, qtbot: Any, org: SampleOrg, folder: Path) -> SubmitResult:
    choose_org(parts, qtbot, org)
    add_files(parts, qtbot, [gps_jpeg(folder), gps_png(folder)])
    page = parts.review
    parts.window.show_page(page)
    qtbot.waitUntil(page.can_seal, timeout=20_000)
    with qtbot.waitSignal(page.sealed, timeout=60_000) as sealed:
        page.seal()
    result = sealed.args[0]
    assert isinstance(result, SubmitResult)
    return result


def _show_outbox(parts: AppParts, qtbot: Any, rows: int) -> OutboxPage:
    page = parts.outbox
    parts.window.show_page(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == rows, timeout=20_000)
    return page


def _deliver(page: OutboxPage, qtbot: Any) -> object:
    button = page.findChild(QPushButton, "deliverNow")
    assert button is not None and button.isEnabled()
    with qtbot.waitSignal(page.delivery_finished, timeout=60_000) as finished:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.is_delivering(), timeout=10_000)
    return finished.args[0]


def _column(page: OutboxPage, row: int, name: str) -> str:
    model = page.model
    return str(model.data(model.index(row, model.COLUMNS.index(name))))


@pytest.fixture
def inbox_via_relay(tmp_path: Path) -> Iterator[tuple[str, Relay, Path]]:
    root = tmp_path / "inbox"
    proc, url = start_inbox(root)
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    relay = Relay(port)
    yield f"http://127.0.0.1:{relay.port}/files/", relay, root
    relay.close()
    proc.stop()


@pytest.fixture
def socks() -> Iterator[tuple[int, Proc]]:
    port = free_port()
    proc = start_microsocks(port, bind_out=PROXY_OUT)
    yield port, proc
    proc.stop()


def test_deliver_to_a_folder_is_byte_identical_and_safe_to_unplug(
        source: AppParts, qtbot: Any, tmp_path: Path) -> None:
    org = make_org(tmp_path / "org", [DropNote("Bring it on a USB stick.")])
    result = _seal(source, qtbot, org, tmp_path / "in")
    part = result.parts[0]
    sealed_bytes = part.read_bytes()
    page = _show_outbox(source, qtbot, 1)
    assert _column(page, 0, "status") == "Waiting to be sent"
    assert _column(page, 0, "progress") == "0 %"

    usb = tmp_path / "usb"
    usb.mkdir()
    page.set_folder(usb)
    report = _deliver(page, qtbot)
    assert isinstance(report, DeliveryReport) and len(report.delivered) == 1
    assert report.safe_to_unplug
    assert "safe to unplug" in page.status_text()
    assert "Parts delivered: 1." in page.status_text()

    copy = usb / part.name
    assert copy.read_bytes() == sealed_bytes
    assert sorted(p.name for p in usb.iterdir()) == [part.name]
    assert not part.exists()  # delivered parts are erased from the outbox
    qtbot.waitUntil(lambda: _column(page, 0, "status") == "Delivered", timeout=20_000)
    assert _column(page, 0, "progress") == "100 %"
    report_ngo = open_as_ngo([copy], org.identity, tmp_path / "ngo")
    assert len(report_ngo.files) == 2


def test_deliver_to_the_inbox_server_through_the_socks_proxy(
        source: AppParts, qtbot: Any, tmp_path: Path,
        inbox_via_relay: tuple[str, Relay, Path], socks: tuple[int, Proc]) -> None:
    url, relay, root = inbox_via_relay
    proxy_port, _proc = socks
    org = make_org(tmp_path / "org", [TusEndpoint(url)])
    result = _seal(source, qtbot, org, tmp_path / "in")
    sealed_bytes = result.parts[0].read_bytes()
    page = _show_outbox(source, qtbot, 1)
    page.use_card_address()
    page.set_route("proxy", f"socks5h://127.0.0.1:{proxy_port}")

    with qtbot.waitSignal(page.tor_checked, timeout=20_000) as checked:
        qtbot.mouseClick(page.findChild(QPushButton, "checkTor"), Qt.MouseButton.LeftButton)
    assert checked.args[0] == ProxyConfig("127.0.0.1", proxy_port)
    assert "answers" in page.tor_status_text()

    report = _deliver(page, qtbot)
    assert isinstance(report, DeliveryReport) and len(report.delivered) == 1
    assert not report.retrying and not report.failed
    received = list((root / "received").glob("*/part"))
    assert [p.read_bytes() for p in received] == [sealed_bytes]
    # Every connection to the server came out of the proxy, none from the app directly.
    assert relay.peers and set(relay.peers) == {PROXY_OUT}
    qtbot.waitUntil(lambda: _column(page, 0, "status") == "Delivered", timeout=20_000)
    opened = open_as_ngo(received, org.identity, tmp_path / "ngo")
    assert len(opened.files) == 2


def test_inbox_down_schedules_a_retry_in_plain_words(
        source: AppParts, qtbot: Any, tmp_path: Path) -> None:
    down = free_port()  # nothing listens there
    org = make_org(tmp_path / "org", [TusEndpoint(f"http://127.0.0.1:{down}/files/")])
    result = _seal(source, qtbot, org, tmp_path / "in")
    page = _show_outbox(source, qtbot, 1)
    page.set_route("direct")
    report = _deliver(page, qtbot)
    assert isinstance(report, DeliveryReport) and len(report.retrying) == 1
    plain = NetworkUnavailableError.message
    assert f"Not sent yet: {plain}" in page.status_text()
    qtbot.waitUntil(lambda: _column(page, 0, "status") == "Waiting to try again",
                    timeout=20_000)
    assert _column(page, 0, "problem") == plain
    assert _column(page, 0, "next").startswith("in ")
    assert page.is_sending_on()  # it will try again by itself when the time comes
    qtbot.mouseClick(page.findChild(QPushButton, "pauseDelivery"), Qt.MouseButton.LeftButton)
    assert not page.is_sending_on()
    assert "stopped" in page.status_text()
    assert len(outbox_listing(source)) == 1  # still waiting in the outbox
    sealed_bytes = result.parts[0].read_bytes()

    # The inbox comes back: "Deliver now" does not wait for the scheduled try.
    proc, _url = start_inbox(tmp_path / "inbox", down)
    try:
        report = _deliver(page, qtbot)
    finally:
        proc.stop()
    assert isinstance(report, DeliveryReport) and len(report.delivered) == 1
    received = list((tmp_path / "inbox" / "received").glob("*/part"))
    assert [p.read_bytes() for p in received] == [sealed_bytes]
    assert outbox_listing(source) == []


def test_check_tor_says_plainly_when_nothing_answers(source: AppParts, qtbot: Any) -> None:
    page = source.outbox
    source.window.show_page(page)
    page.tor_ports = (free_port(),)
    page.set_route("tor")
    with qtbot.waitSignal(page.tor_checked, timeout=20_000) as checked:
        qtbot.mouseClick(page.findChild(QPushButton, "checkTor"), Qt.MouseButton.LeftButton)
    assert checked.args[0] is None
    assert "No answer from Tor" in page.tor_status_text()
    page.set_route("proxy", "socks5://127.0.0.1:9050")  # local DNS: refused
    page.check_tor()
    assert "socks5h://" in page.tor_status_text()


def test_no_destination_fails_then_retry_and_remove(
        source: AppParts, qtbot: Any, tmp_path: Path) -> None:
    org = make_org(tmp_path / "org", [DropNote("USB only.")])
    result = _seal(source, qtbot, org, tmp_path / "in")
    page = _show_outbox(source, qtbot, 1)
    page.use_card_address()  # the card has no upload address
    report = _deliver(page, qtbot)
    assert isinstance(report, DeliveryReport) and len(report.failed) == 1
    assert "choose where to send it" in page.status_text()
    qtbot.waitUntil(lambda: _column(page, 0, "status") == "Stopped: needs your attention",
                    timeout=20_000)

    # Sending stays on after "Deliver now"; pause it so the retried part stays put.
    qtbot.mouseClick(page.findChild(QPushButton, "pauseDelivery"), Qt.MouseButton.LeftButton)
    page.select_rows([0])
    with qtbot.waitSignal(page.parts_changed, timeout=20_000):
        qtbot.mouseClick(page.findChild(QPushButton, "retryParts"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _column(page, 0, "status") == "Waiting to be sent", timeout=20_000)
    assert source.state.outbox().parts()[0].state == "queued"

    # Remove asks first; the answer comes from the real dialog.
    def answer_yes() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            box.button(QMessageBox.StandardButton.Yes).click()
        else:
            QTimer.singleShot(20, answer_yes)

    page.select_rows([0])
    QTimer.singleShot(0, answer_yes)
    with qtbot.waitSignal(page.parts_changed, timeout=20_000):
        qtbot.mouseClick(page.findChild(QPushButton, "removeParts"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=20_000)
    assert source.state.outbox().parts() == []
    assert not result.parts[0].exists()
    assert outbox_listing(source) == []


def test_folder_must_be_chosen_before_copying(source: AppParts, qtbot: Any) -> None:
    page = source.outbox
    source.window.show_page(page)
    page.findChild(QLineEdit, "deliveryFolder").clear()
    qtbot.mouseClick(page.findChild(QRadioButton, "deliverToFolder"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.findChild(QPushButton, "deliverNow"), Qt.MouseButton.LeftButton)
    assert not page.is_delivering()
    assert "Choose the USB stick or folder" in page.status_text()


def test_pause_mid_upload_then_resume_delivers_the_same_bytes(
        source: AppParts, qtbot: Any, tmp_path: Path,
        inbox_via_relay: tuple[str, Relay, Path]) -> None:
    url, relay, root = inbox_via_relay
    org = make_org(tmp_path / "org", [TusEndpoint(url)])
    result = _seal(source, qtbot, org, tmp_path / "in")
    sealed_bytes = result.parts[0].read_bytes()
    page = _show_outbox(source, qtbot, 1)
    page.set_route("direct")
    page.chunk_size = 64 * 1024  # a pause takes effect between chunks
    relay.rate = 128 * 1024  # bytes/s: the 1 MiB part takes seconds, time to pause

    with qtbot.waitSignal(page.delivery_finished, timeout=60_000) as finished:
        qtbot.mouseClick(page.findChild(QPushButton, "deliverNow"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: relay.bytes_up > 64 * 1024, timeout=30_000)
        qtbot.mouseClick(page.findChild(QPushButton, "pauseDelivery"),
                         Qt.MouseButton.LeftButton)
    report = finished.args[0]
    assert isinstance(report, DeliveryReport) and report.delivered == []
    qtbot.waitUntil(lambda: not page.is_delivering(), timeout=10_000)
    assert not page.is_sending_on()
    assert "stopped" in page.status_text()
    info = source.state.outbox().parts()[0]
    assert info.state == "queued" and info.attempts == 0  # a pause is not a failed try
    assert list((root / "received").glob("*/part")) == []
    assert result.parts[0].exists()

    relay.rate = None
    report = _deliver(page, qtbot)
    assert isinstance(report, DeliveryReport) and len(report.delivered) == 1
    received = list((root / "received").glob("*/part"))
    assert [p.read_bytes() for p in received] == [sealed_bytes]


def test_send_within_hours_waits_shows_only_the_window_then_now_sends(
        source: AppParts, qtbot: Any, tmp_path: Path) -> None:
    """"Within 6 hours": nothing leaves at once, each part gets a random moment
    in the window, the table shows only "within 6 hours" (never the moment,
    which would tell an onlooker when to watch), and choosing "now" sends."""
    import time

    from PySide6.QtWidgets import QComboBox, QTableView

    org = make_org(tmp_path / "org")
    result = _seal(source, qtbot, org, tmp_path / "in")
    page = _show_outbox(source, qtbot, 1)
    usb = tmp_path / "usb"
    usb.mkdir()
    page.set_folder(usb)
    combo = page.findChild(QComboBox, "sendWindow")
    assert combo.itemData(0) == 0  # "now" is the default
    page.set_send_window(6)

    before = time.time()
    report = _deliver(page, qtbot)
    assert isinstance(report, DeliveryReport) and not report.delivered
    assert list(usb.iterdir()) == []
    assert "waiting for their random moment: 1" in page.status_text()
    assert "within 6 hours" in page.status_text()
    [info] = source.state.outbox().parts()
    assert before < info.next_try <= time.time() + 6 * 3600
    table = page.findChild(QTableView)
    shown = table.model()

    def cell() -> str:
        return str(shown.data(shown.index(0, page.model.COLUMNS.index("next"))))

    qtbot.waitUntil(lambda: cell() == "within 6 hours", timeout=20_000)

    # Choosing "Deliver now" again keeps the moment (no pushing back, no sending).
    _deliver(page, qtbot)
    assert source.state.outbox().parts()[0].next_try == info.next_try
    assert list(usb.iterdir()) == []

    page.set_send_window(0)
    report = _deliver(page, qtbot)
    assert len(report.delivered) == 1
    assert [p.name for p in usb.iterdir()] == [result.parts[0].name]


def test_send_window_choices_read_naturally_in_both_languages(
        source: AppParts, qtbot: Any) -> None:
    from PySide6.QtWidgets import QComboBox

    combo = source.outbox.findChild(QComboBox, "sendWindow")
    english = [combo.itemText(i) for i in range(combo.count())]
    assert english == ["now", "1 hour", "6 hours", "24 hours"]
    source.languages.set_language("ru")
    try:
        # Qt delivers the language change as an event: wait for the page to take it.
        qtbot.waitUntil(lambda: combo.itemText(0) != "now", timeout=5000)
        russian = [combo.itemText(i) for i in range(combo.count())]
        assert russian[1:] == ["1 час", "6 часов", "24 часа"]
    finally:
        source.languages.set_language("en")
