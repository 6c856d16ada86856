"""For NGO staff: create keys and the organisation's card in the Keys page.

Through the real core and real peers: Debian's `age` opens a passphrase-
protected identity the page wrote (typing the passphrase on a real terminal),
the system key store is a real gnome-keyring Secret Service, and the card the
page makes is verified by `submitter card show` in a child process. Run with:

    dbus-run-session -- bash tests/with_keyring.sh \\
        .venv/bin/python -m pytest tests/ui/test_keys_page.py
"""

from __future__ import annotations

import datetime as dt
import json
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QGuiApplication, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDateEdit,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
)

from crypto import keystore
from crypto.age import encrypt_bytes
from crypto.card import parse_card
from crypto.errors import PassphraseError
from crypto.fingerprint import Fingerprint
from crypto.identity_file import parse_identity_file
from crypto.keystore import KeyKind, Protection
from crypto.recipients import parse_recipient
from crypto.statekey import keyring_available
from submitter.app_state import AppState
from tests.keys.test_keystore_file import _age_decrypt_with_pty
from tests.peers import REPO
from tests.ui.conftest import answer_file_dialog, running_app
from tests.ui.test_recipient_page import compile_translator
from ui.app import AppParts
from ui.pages.keys_page import CreatedKey, KeysPage, MadeCard, passphrase_bits

PASSPHRASE = "harbour lantern violet orbit meadow"


@pytest.fixture
def staff(qapp: QApplication, tmp_path: Path,
          monkeypatch: pytest.MonkeyPatch) -> Iterator[AppParts]:
    data = tmp_path / "data"
    monkeypatch.setenv("SUBMITTER_DATA_DIR", str(data))
    with running_app(qapp, AppState(data, None)) as built:
        built.window.show_page(built.keys)
        yield built


def _child(page: KeysPage, kind: type, name: str) -> Any:
    found = page.findChild(kind, name)
    assert found is not None, name
    return found


def _create_key(
    page: KeysPage, qtbot: Any, folder: Path, kind: int, *, keyring: bool = False,
    passphrase: str = PASSPHRASE, confirm: str | None = None,
) -> CreatedKey:
    _child(page, QComboBox, "keyKind").setCurrentIndex(kind)
    _child(page, QRadioButton, "protectKeyring" if keyring else "protectPassphrase").setChecked(
        True)
    if not keyring:
        _child(page, QLineEdit, "passphrase").setText(passphrase)
        _child(page, QLineEdit, "passphraseConfirm").setText(
            passphrase if confirm is None else confirm)
    _child(page, QLineEdit, "keyFolder").setText(str(folder))
    with qtbot.waitSignal(page.key_created, timeout=120_000) as blocker:
        qtbot.mouseClick(_child(page, QPushButton, "createKey"), Qt.MouseButton.LeftButton)
    created = blocker.args[0]
    assert isinstance(created, CreatedKey)
    # The passphrase is not kept in the form.
    assert _child(page, QLineEdit, "passphrase").text() == ""
    assert _child(page, QLineEdit, "passphraseConfirm").text() == ""
    return created


def _make_card(page: KeysPage, qtbot: Any, *, passphrase: str = "") -> MadeCard:
    _child(page, QLineEdit, "cardSigningPassphrase").setText(passphrase)
    _child(page, QLineEdit, "cardName").setText("Harbour Rights Centre")
    _child(page, QLineEdit, "cardWebsite").setText("https://harbour.example.org")
    _child(page, QPlainTextEdit, "cardEndpoints").setPlainText(
        "https://inbox.harbour.example.org/files/\nnote:Hand USB sticks to the front desk.")
    expires = QDate.currentDate().addDays(200)
    _child(page, QDateEdit, "cardExpires").setDate(expires)
    with qtbot.waitSignal(page.card_created, timeout=120_000) as blocker:
        qtbot.mouseClick(_child(page, QPushButton, "createCard"), Qt.MouseButton.LeftButton)
    made = blocker.args[0]
    assert isinstance(made, MadeCard)
    assert made.card.expires == expires.toPython()
    assert _child(page, QLineEdit, "cardSigningPassphrase").text() == ""
    return made


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_keys_page_is_a_staff_page(staff: AppParts) -> None:
    assert staff.keys.page_title() == "Keys"
    assert staff.window.current_page() is staff.keys
    assert staff.window.windowTitle() == "Submitter"


def test_passphrase_protected_keys_open_with_debian_age(
    staff: AppParts, qtbot: Any, tmp_path: Path
) -> None:
    page = staff.keys
    folder = tmp_path / "org-keys"
    signing = _create_key(page, qtbot, folder, 0)
    assert signing.kind is KeyKind.SIGNING and signing.protection is Protection.PASSPHRASE
    assert signing.path == folder / "signing-key.age"
    assert _mode(signing.path) == 0o600 and _mode(folder) == 0o700
    raw = signing.path.read_bytes()
    assert raw.startswith(b"-----BEGIN AGE ENCRYPTED FILE-----")
    assert b"SIGNING-KEY" not in raw
    key = keystore.load_signing_key(signing.path, lambda: PASSPHRASE)
    assert str(key.verify_key()) == signing.public
    # The signing key's fingerprint is shown, as the core computes it.
    expected = Fingerprint.of_public_key(key.verify_key().raw)
    words = page.findChild(QLabel, "fingerprintWords")
    assert words is not None and words.text().split() == expected.words()
    # The card form now points at the new signing key.
    assert _child(page, QLineEdit, "cardSigningKey").text() == str(signing.path)

    identity = _create_key(page, qtbot, folder, 1)
    assert identity.kind is KeyKind.IDENTITY and identity.path == folder / "identity.age"
    assert _mode(identity.path) == 0o600
    assert b"AGE-SECRET-KEY" not in identity.path.read_bytes()
    assert identity.public.startswith("age1")
    assert _child(page, QPlainTextEdit, "cardRecipients").toPlainText().split() == [
        identity.public]

    # Debian's age opens a file encrypted to the identity, asking for the passphrase.
    message = b"a part for the organisation\n" * 8
    ciphertext = tmp_path / "part.age"
    ciphertext.write_bytes(encrypt_bytes(message, [parse_recipient(identity.public)]))
    out = tmp_path / "part.out"
    rc, seen = _age_decrypt_with_pty(identity.path, ciphertext, out, PASSPHRASE)
    assert rc == 0, seen
    assert out.read_bytes() == message

    # Recorded (public facts only) for `submitter keys list`.
    index = json.loads((staff.state.data_dir / "keys.json").read_text())
    assert [(e["kind"], e["public"]) for e in index["keys"]] == [
        ("signing", signing.public), ("identity", identity.public)]
    assert PASSPHRASE not in (staff.state.data_dir / "keys.json").read_text()


def test_post_quantum_identity(staff: AppParts, qtbot: Any, tmp_path: Path) -> None:
    created = _create_key(staff.keys, qtbot, tmp_path / "k", 2)
    assert created.path.name == "identity-pq.age"
    assert created.public.lower().startswith("age1pq1")
    identities = parse_identity_file(created.path.read_bytes(), lambda: PASSPHRASE)
    assert str(identities[0].recipient()) == created.public  # type: ignore[attr-defined]


def test_mismatched_or_short_passphrase_is_refused(
    staff: AppParts, qtbot: Any, tmp_path: Path
) -> None:
    page = staff.keys
    folder = tmp_path / "k"
    _child(page, QLineEdit, "keyFolder").setText(str(folder))
    error: QLabel = _child(page, QLabel, "keyError")
    for first, second in ((PASSPHRASE, PASSPHRASE + "x"), ("short", "short")):
        _child(page, QLineEdit, "passphrase").setText(first)
        _child(page, QLineEdit, "passphraseConfirm").setText(second)
        qtbot.mouseClick(_child(page, QPushButton, "createKey"), Qt.MouseButton.LeftButton)
        assert error.isVisible() and error.text()
        assert _child(page, QLineEdit, "passphrase").text() == ""
    assert not folder.exists()
    assert page.created_keys() == []


def test_strength_hint_follows_the_passphrase(staff: AppParts) -> None:
    page = staff.keys
    field = _child(page, QLineEdit, "passphrase")
    hint = _child(page, QLabel, "passphraseStrength")
    field.setText("abc")
    assert hint.text() == "Too short."
    field.setText("password1234")
    assert hint.text().startswith("Weak")
    field.setText(PASSPHRASE)
    assert hint.text() == "Strong."
    assert passphrase_bits(PASSPHRASE) > passphrase_bits("password1234")
    field.clear()


def test_keyring_protected_signing_key_and_card_verified_by_cli(
    staff: AppParts, qtbot: Any, tmp_path: Path
) -> None:
    assert keyring_available(), "run under dbus-run-session with tests/with_keyring.sh"
    page = staff.keys
    folder = tmp_path / "org"
    signing = _create_key(page, qtbot, folder, 0, keyring=True)
    assert signing.protection is Protection.KEYRING
    assert signing.path.name == "signing-key.keyref"
    ref = signing.path.read_text()
    assert "SUBMITTER-KEYRING-REF-V1:" in ref and "SIGNING-KEY-V1" not in ref
    assert _mode(signing.path) == 0o600
    key = keystore.load_signing_key(signing.path)  # from gnome-keyring, no passphrase
    assert str(key.verify_key()) == signing.public

    first = _create_key(page, qtbot, folder, 2, keyring=True)
    second = _create_key(page, qtbot, folder / "second", 2)
    assert _child(page, QPlainTextEdit, "cardRecipients").toPlainText().split() == [
        first.public, second.public]

    made = _make_card(page, qtbot)
    assert made.card.recipients == (first.public, second.public)
    assert made.card.signing_key == key.verify_key()
    assert _child(page, QPlainTextEdit, "cardArmored").toPlainText() == made.armored
    words = [w.text() for w in page.findChildren(QLabel, "fingerprintWords") if w.isVisible()]
    assert made.card.fingerprint().words_text() in [" ".join(w.split()) for w in words]

    card_file = tmp_path / "card.txt"
    with qtbot.waitSignal(page.exported, timeout=20_000):
        page.export_card(card_file)
    assert parse_card(card_file.read_text()).to_bytes() == made.card.to_bytes()
    shown = subprocess.run(
        [sys.executable, "-m", "submitter", "card", "show", str(card_file)],
        capture_output=True, text=True, timeout=120, cwd=REPO,
    )
    assert shown.returncode == 0, shown.stderr
    assert "Signature: valid." in shown.stdout
    assert "Harbour Rights Centre" in shown.stdout
    assert made.card.fingerprint().words_text() in shown.stdout

    # The QR code, through the save dialog (Qt's own, answered like a person would).
    qr_file = tmp_path / "fingerprint.png"
    answer_file_dialog(tmp_path, qr_file)
    with qtbot.waitSignal(page.exported, timeout=20_000):
        qtbot.mouseClick(_child(page, QPushButton, "saveQr"), Qt.MouseButton.LeftButton)
    assert qr_file.read_bytes() == made.card.fingerprint().qr_png()
    pixmap = QPixmap()
    assert pixmap.loadFromData(qr_file.read_bytes(), "PNG") and pixmap.width() > 100

    qtbot.mouseClick(_child(page, QPushButton, "copyCard"), Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == made.armored


def test_card_with_a_passphrase_protected_key_imports_on_the_source_side(
    staff: AppParts, qtbot: Any, tmp_path: Path
) -> None:
    page = staff.keys
    _create_key(page, qtbot, tmp_path / "org", 0)
    _create_key(page, qtbot, tmp_path / "org", 1)
    # A wrong passphrase is refused in plain words; nothing is made.
    _child(page, QLineEdit, "cardName").setText("Harbour Rights Centre")
    _child(page, QLineEdit, "cardSigningPassphrase").setText("not the passphrase")
    with qtbot.waitSignal(page.failed, timeout=120_000) as blocker:
        qtbot.mouseClick(_child(page, QPushButton, "createCard"), Qt.MouseButton.LeftButton)
    assert blocker.args[0] == _child(page, QLabel, "cardMakeError").text()
    assert blocker.args[0] == PassphraseError.message
    assert page.made_card() is None

    made = _make_card(page, qtbot, passphrase=PASSPHRASE)
    assert made.card.expires > dt.datetime.now(dt.UTC).date()
    # The same app, as a source: paste the card and see the same fingerprint.
    recipient = staff.recipient
    recipient.findChild(QPlainTextEdit, "cardText").setPlainText(made.armored)  # type: ignore[union-attr]
    with qtbot.waitSignal(recipient.updated, timeout=20_000):
        staff.state.use_passphrase("source records passphrase")
        recipient.import_pasted()
    chosen = recipient.chosen_card()
    assert chosen is not None and chosen.to_bytes() == made.card.to_bytes()


def test_bad_card_fields_are_refused_in_plain_words(
    staff: AppParts, qtbot: Any, tmp_path: Path
) -> None:
    page = staff.keys
    _create_key(page, qtbot, tmp_path / "org", 0)
    _create_key(page, qtbot, tmp_path / "org", 1)
    _child(page, QLineEdit, "cardSigningPassphrase").setText(PASSPHRASE)
    _child(page, QLineEdit, "cardName").setText("Org")
    _child(page, QLineEdit, "cardWebsite").setText("ftp://not-allowed.example")
    with qtbot.waitSignal(page.failed, timeout=120_000) as blocker:
        qtbot.mouseClick(_child(page, QPushButton, "createCard"), Qt.MouseButton.LeftButton)
    assert "not allowed" in blocker.args[0]
    assert _child(page, QLabel, "cardMakeError").isVisible()
    assert not _child(page, QPushButton, "saveCard").isEnabled()


def test_language_switch_retranslates(
    staff: AppParts, qtbot: Any, qapp: QApplication, tmp_path: Path
) -> None:
    page = staff.keys
    _child(page, QLineEdit, "passphrase").setText("x")
    _child(page, QLineEdit, "passphraseConfirm").setText("y")
    qtbot.mouseClick(_child(page, QPushButton, "createKey"), Qt.MouseButton.LeftButton)
    error = _child(page, QLabel, "keyError")
    assert error.text().startswith("The two passphrases differ")
    button = _child(page, QPushButton, "createKey")
    translator = compile_translator(tmp_path, "KeysPage", {
        "Keys": "Ключи",
        "&Create the key": "&Создать ключ",
        "The two passphrases differ. Type the same passphrase twice.":
            "Пароли не совпадают. Введите один и тот же пароль дважды.",
    })
    qapp.installTranslator(translator)
    try:
        qtbot.waitUntil(lambda: button.text() == "&Создать ключ", timeout=5000)
        assert page.page_title() == "Ключи"
        assert error.text().startswith("Пароли не совпадают")
    finally:
        qapp.removeTranslator(translator)
    qtbot.waitUntil(lambda: button.text() == "&Create the key", timeout=5000)
    assert error.text().startswith("The two passphrases differ")


def test_every_control_has_an_accessible_name(staff: AppParts) -> None:
    for kind in (QPushButton, QLineEdit, QPlainTextEdit, QComboBox, QDateEdit, QRadioButton):
        for control in staff.keys.findChildren(kind):
            if control.parent() is not None and isinstance(control.parent(), QDateEdit | QComboBox):
                continue  # the inner editor of a compound control
            name = control.accessibleName() or getattr(control, "text", lambda: "")()
            assert str(name).strip(), control.objectName()
