"""Step 1 for the source: import, check and choose an organisation's card.

Real cards signed by real keys, a real sealed pin store in a temporary data
folder, the real page inside the real window; waits on signals only.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from PySide6.QtCore import Qt, QTranslator
from PySide6.QtWidgets import (
    QApplication,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
)

from crypto.card import (
    CardChecksumError,
    CardExpiredError,
    CardFormatError,
    CardSignatureError,
)
from crypto.fingerprint import Fingerprint
from crypto.pins import PinMismatchError
from crypto.statekey import KeyStoreUnavailableError, PassphraseStateKeyStore
from submitter.app_state import PIN_FILE, AppState, default_app_state
from tests.keys.conftest import Org, armor_body, body_of, new_org
from tests.peers import VENV_BIN
from tests.ui.conftest import answer_file_dialog, running_app
from tests.ui.source_flow import source
from ui.app import AppParts
from ui.pages.recipient_page import RecipientPage

__all__ = ["source"]  # the fixture, shared with the other source-flow tests

TODAY = dt.datetime.now(dt.UTC).date()


def _card_text(org: Org, **overrides: Any) -> str:
    args: dict[str, Any] = {"issued": TODAY, "expires": TODAY + dt.timedelta(days=365)}
    args.update(overrides)
    return org.card(**args).armored()


def _child(page: RecipientPage, kind: type, name: str) -> Any:
    found = page.findChild(kind, name)
    assert found is not None, name
    return found


def _paste_and_import(page: RecipientPage, qtbot: Any, text: str) -> None:
    _child(page, QPlainTextEdit, "cardText").setPlainText(text)
    with qtbot.waitSignal(page.updated, timeout=20_000):
        qtbot.mouseClick(_child(page, QPushButton, "importText"), Qt.MouseButton.LeftButton)


def _error(page: RecipientPage) -> QLabel:
    label: QLabel = _child(page, QLabel, "cardError")
    return label


def test_recipient_page_is_the_first_step(source: AppParts) -> None:
    assert source.window.current_page() is source.recipient
    assert source.recipient.page_title() == "1. Organisation"
    assert source.recipient.chosen_card() is None


def test_import_pasted_card_shows_what_it_says(source: AppParts, qtbot: Any) -> None:
    page = source.recipient
    org = new_org("Prison Rights Watch", website="https://prw.example.org")
    text = _card_text(org)
    chosen: list[object] = []
    page.card_chosen.connect(chosen.append)
    # Email quoting and indentation survive: what copying does to text.
    _paste_and_import(page, qtbot, "Dear source,\n" + "".join(f">  {ln}\n" for ln in
                                                              text.splitlines()))

    assert _error(page).isHidden()
    assert _child(page, QLabel, "orgName").text() == "Prison Rights Watch"
    assert _child(page, QLabel, "orgWebsite").text() == "https://prw.example.org"
    assert _child(page, QLabel, "orgRecipients").text() == "2 (classic)"
    assert "https://inbox.rights.example.org/files/" in _child(page, QLabel, "orgEndpoints").text()
    assert (TODAY + dt.timedelta(days=365)).isoformat() in _child(page, QLabel,
                                                                  "orgExpires").text()
    expected = Fingerprint.of_public_key(org.key.verify_key().raw)
    view = page.findChild(QLabel, "fingerprintWords")
    assert view is not None and view.text().split() == expected.words()
    assert _child(page, QLabel, "fingerprintDigits").text() == expected.digits_text()
    qr = _child(page, QLabel, "fingerprintQr")
    assert not qr.pixmap().isNull() and qr.pixmap().width() > 100
    assert "if even one word differs, do not send" in _child(
        page, QLabel, "fingerprintHelp").text().lower()
    assert "New organisation" in _child(page, QLabel, "cardStatus").text()

    card = page.chosen_card()
    assert card is not None and card.to_bytes() == org.card(
        issued=TODAY, expires=TODAY + dt.timedelta(days=365)).to_bytes()
    assert chosen and chosen[-1] is card
    assert _child(page, QPlainTextEdit, "cardText").toPlainText() == ""
    # Pinned and sealed: the organisation is in the store, its name is not on disk.
    pinned = source.state.pins().pins()
    assert [p.name for p in pinned] == ["Prison Rights Watch"]
    sealed = (source.state.data_dir / PIN_FILE).read_bytes()
    assert b"Prison" not in sealed and b"prw.example" not in sealed
    assert source.window.windowTitle() == "Submitter"
    assert [f for f in source.settings.path.rglob("*") if f.is_file()] == []


def test_import_card_from_file_through_the_dialog(
    source: AppParts, qtbot: Any, tmp_path: Path
) -> None:
    page = source.recipient
    org = new_org("Factory Workers Aid", website="https://fwa.example.net")
    card_file = tmp_path / "card.txt"
    card_file.write_text(_card_text(org), encoding="utf-8")
    answer_file_dialog(tmp_path, card_file)
    with qtbot.waitSignal(page.updated, timeout=20_000):
        qtbot.mouseClick(_child(page, QPushButton, "importFile"), Qt.MouseButton.LeftButton)
    assert _error(page).isHidden()
    assert _child(page, QLabel, "orgName").text() == "Factory Workers Aid"
    card = page.chosen_card()
    assert card is not None and card.signing_key == org.key.verify_key()


def test_choose_among_pinned_organisations(source: AppParts, qtbot: Any) -> None:
    page = source.recipient
    first, second = new_org("First Org", website="https://first.example.org"), new_org(
        "Second Org", website="https://second.example.org")
    _paste_and_import(page, qtbot, _card_text(first))
    _paste_and_import(page, qtbot, _card_text(second))
    listing: QListWidget = _child(page, QListWidget, "pinnedList")
    assert [listing.item(i).text() for i in range(listing.count())] == ["First Org", "Second Org"]
    assert page.chosen_card() is not None
    assert page.chosen_card().signing_key == second.key.verify_key()  # type: ignore[union-attr]

    with qtbot.waitSignal(page.card_chosen, timeout=5000) as blocker:
        listing.setCurrentRow(0)
    assert blocker.args[0].signing_key == first.key.verify_key()
    assert _child(page, QLabel, "orgName").text() == "First Org"
    words = _child(page, QLabel, "fingerprintWords").text().split()
    assert words == Fingerprint.of_public_key(first.key.verify_key().raw).words()

    # A fresh window over the same data lists both (read back from the sealed store).
    page.clear()
    assert page.chosen_card() is None
    with qtbot.waitSignal(page.updated, timeout=20_000):
        page.reload()
    assert listing.count() == 2


def test_key_change_is_refused_loudly_and_the_pin_is_kept(source: AppParts, qtbot: Any) -> None:
    page = source.recipient
    genuine = new_org("Example Rights Watch")
    _paste_and_import(page, qtbot, _card_text(genuine))
    pin_file = source.state.data_dir / PIN_FILE
    before = pin_file.read_bytes()

    impostor = new_org("Example Rights Watch")  # same name and website, another signing key
    _paste_and_import(page, qtbot, _card_text(impostor))
    error = _error(page)
    assert error.isVisible()
    assert error.text() == PinMismatchError.message
    assert "border" in error.styleSheet() and "#b00020" in error.styleSheet()
    assert page.chosen_card() is None
    assert not _child(page, QGroupBox, "cardDetails").isVisible()
    # The pin store was not touched, and still trusts the first key only.
    assert pin_file.read_bytes() == before
    pinned = source.state.pins().pins()
    assert len(pinned) == 1 and pinned[0].card.signing_key == genuine.key.verify_key()
    # The pasted text stays for the source to look at; nothing was imported.
    assert _child(page, QPlainTextEdit, "cardText").toPlainText().strip() != ""


def test_expired_card_is_refused(source: AppParts, qtbot: Any) -> None:
    page = source.recipient
    org = new_org("Old Card Org")
    text = _card_text(org, issued=TODAY - dt.timedelta(days=400),
                      expires=TODAY - dt.timedelta(days=2))
    _paste_and_import(page, qtbot, text)
    assert _error(page).isVisible()
    assert _error(page).text() == CardExpiredError.message
    assert page.chosen_card() is None
    assert not (source.state.data_dir / PIN_FILE).exists()


def test_a_pinned_card_that_expired_since_is_listed_but_refused(
    source: AppParts, qtbot: Any
) -> None:
    page = source.recipient
    org = new_org("Lapsed Org")
    card = org.card(issued=TODAY - dt.timedelta(days=400), expires=TODAY - dt.timedelta(days=2))
    # Pinned back when it was valid (the core takes "today" as a parameter).
    source.state.pins().import_card(card, today=TODAY - dt.timedelta(days=100))
    with qtbot.waitSignal(page.updated, timeout=20_000):
        page.reload()
    listing: QListWidget = _child(page, QListWidget, "pinnedList")
    assert listing.count() == 1 and "expired" in listing.item(0).text()
    listing.setCurrentRow(0)  # handled synchronously: nothing to wait for
    assert _child(page, QLabel, "orgName").text() == "Lapsed Org"
    assert _error(page).isVisible() and _error(page).text() == CardExpiredError.message
    assert page.chosen_card() is None


def _damaged(text: str) -> str:
    lines = text.splitlines()
    body_line = next(i for i, ln in enumerate(lines) if i > 5 and len(ln) == 64)
    swapped = "A" if lines[body_line][10] != "A" else "B"
    lines[body_line] = lines[body_line][:10] + swapped + lines[body_line][11:]
    return "\n".join(lines) + "\n"


def _forged(text: str) -> str:
    # Change the name inside the signed body and re-armor it: checksum fine, signature not.
    body = body_of(text).replace(b"Forged Org", b"Forget Org")
    return armor_body(body)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda text: "hello, this is not a card", CardFormatError.message),
        (lambda text: text.replace("-----END", "-----FIN"), CardFormatError.message),
        (_damaged, CardChecksumError.message),
        (_forged, CardSignatureError.message),
    ],
    ids=["prose", "truncated", "damaged", "forged"],
)
def test_malformed_or_forged_text_is_refused(
    source: AppParts, qtbot: Any, make: Any, message: str
) -> None:
    page = source.recipient
    _paste_and_import(page, qtbot, make(_card_text(new_org("Forged Org"))))
    assert _error(page).isVisible()
    assert _error(page).text() == message
    assert page.chosen_card() is None
    assert not (source.state.data_dir / PIN_FILE).exists()


def test_card_strings_are_shown_as_plain_text(source: AppParts, qtbot: Any) -> None:
    # Markup in a card is shown literally, never interpreted as rich text or a link.
    page = source.recipient
    name = "<b>Bold</b> & <a href='https://evil.example'>click</a>"
    _paste_and_import(page, qtbot, _card_text(new_org(name, website="https://ok.example.org")))
    label = _child(page, QLabel, "orgName")
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert label.text() == name
    listing: QListWidget = _child(page, QListWidget, "pinnedList")
    assert listing.item(0).text() == name


def test_without_a_key_store_the_source_unlocks_with_a_passphrase(
    qapp: QApplication, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("SUBMITTER_DATA_DIR", str(data))
    with running_app(qapp, AppState(data, None)) as built:
        page = built.recipient
        qtbot.waitUntil(lambda: not page.is_busy(), timeout=10_000)
        text = _card_text(new_org("Unlock Org"))
        _paste_and_import(page, qtbot, text)
        assert _error(page).text() == KeyStoreUnavailableError.message
        box = _child(page, QGroupBox, "unlockBox")
        assert box.isVisible()
        field: QLineEdit = _child(page, QLineEdit, "unlockPassphrase")
        assert field.echoMode() == QLineEdit.EchoMode.Password
        field.setText("a records passphrase")
        with qtbot.waitSignal(page.updated, timeout=60_000):
            qtbot.mouseClick(_child(page, QPushButton, "unlockButton"),
                             Qt.MouseButton.LeftButton)
        assert field.text() == ""
        assert not box.isVisible() and _error(page).isHidden()
        _paste_and_import(page, qtbot, text)
        assert _error(page).isHidden()
        assert page.chosen_card() is not None
        assert (data / "state.salt").exists() and (data / PIN_FILE).exists()


def test_default_state_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUBMITTER_DATA_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("SUBMITTER_STATE_PASSPHRASE", "from the environment")
    state = default_app_state()
    assert state.data_dir == tmp_path / "elsewhere"
    assert isinstance(state.state_key_store, PassphraseStateKeyStore)
    assert not state.has_pins()


def compile_translator(tmp_path: Path, context: str, entries: dict[str, str]) -> QTranslator:
    """A real .qm compiled by Qt's lrelease from a small Russian .ts file."""
    messages = "".join(
        f"<message><source>{escape(src)}</source><translation>{escape(dst)}</translation>"
        "</message>"
        for src, dst in entries.items()
    )
    ts = tmp_path / f"probe_{context}_ru.ts"
    ts.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n'
        f'<TS version="2.1" language="ru_RU"><context><name>{context}</name>{messages}'
        "</context></TS>\n",
        encoding="utf-8",
    )
    qm = ts.with_suffix(".qm")
    subprocess.run([str(VENV_BIN / "pyside6-lrelease"), str(ts), "-qm", str(qm)],
                   check=True, capture_output=True, timeout=60)
    translator = QTranslator()
    assert translator.load(str(qm))
    return translator


def test_language_switch_retranslates(
    source: AppParts, qtbot: Any, qapp: QApplication, tmp_path: Path
) -> None:
    page = source.recipient
    _paste_and_import(page, qtbot, "not a card")
    translator = compile_translator(tmp_path, "RecipientPage", {
        "1. Organisation": "1. Организация",
        "Organisations you trust": "Организации, которым вы доверяете",
    })
    qapp.installTranslator(translator)  # Qt sends LanguageChange to every widget
    try:
        assert page.page_title() == "1. Организация"
        # The LanguageChange event is posted: wait until the page has handled it.
        qtbot.waitUntil(lambda: "Организации, которым вы доверяете" in _titles(page),
                        timeout=5000)
        assert _error(page).isVisible() and _error(page).text() == CardFormatError.message
    finally:
        qapp.removeTranslator(translator)
    qtbot.waitUntil(lambda: "Organisations you trust" in _titles(page), timeout=5000)
    assert page.page_title() == "1. Organisation"


def _titles(page: RecipientPage) -> list[str]:
    return [box.title() for box in page.findChildren(QGroupBox)]


def test_wipe_erases_the_trusted_list_and_its_key(source: AppParts, qtbot: Any) -> None:
    page = source.recipient
    _paste_and_import(page, qtbot, _card_text(new_org("Wiped Org")))
    data = source.state.data_dir
    assert (data / PIN_FILE).exists() and (data / "state.salt").exists()
    source.state.wipe()  # what quick delete runs in a worker
    page.clear()
    assert not (data / PIN_FILE).exists() and not (data / "state.salt").exists()
    assert page.chosen_card() is None
    assert _child(page, QListWidget, "pinnedList").count() == 0
    with qtbot.waitSignal(page.updated, timeout=20_000):
        page.reload()
    assert page.organisations() == [] and _error(page).isHidden()


def test_keyboard_order_and_accessible_names(source: AppParts) -> None:
    page = source.recipient
    order = ["pinnedList", "cardText", "importText", "importFile"]
    widget = _child(page, QListWidget, "pinnedList")
    seen: list[str] = []
    for _ in range(200):
        if widget.objectName() in order and widget.objectName() not in seen:
            seen.append(widget.objectName())
        if seen == order:
            break
        widget = widget.nextInFocusChain()
    assert seen == order
    for kind in (QPushButton, QLineEdit, QPlainTextEdit, QListWidget):
        for control in page.findChildren(kind):
            name = control.accessibleName() or getattr(control, "text", lambda: "")()
            assert name.strip(), control.objectName()
