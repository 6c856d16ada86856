"""For NGO staff: the organisation's keys and its recipient card.

Create the signing key and staff identities (classic X25519 or post-quantum),
protected by a passphrase (an age scrypt file that ``age -d -i`` opens) or by
the operating system's key store; then make, sign and export the card that
sources import, with its fingerprint and QR code. Key generation, scrypt,
key store calls and file writes all run in workers. Passphrases are read from
their fields at the moment of use, the fields are cleared at once, and they
are never logged or kept by the page.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import math
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QDate, QEvent, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from crypto import keygen, keystore
from crypto.card import Card, create_card
from crypto.fingerprint import Fingerprint
from crypto.identity_file import format_identity_file
from crypto.keystore import KeyFileError, KeyIndex, KeyInfo, KeyKind, Protection
from crypto.signing import SigningKey
from submitter.cli.card_cmds import CardFileError, parse_endpoint
from submitter.errors import SubmitterError
from submitter.sanitize import sanitize
from ui.file_dialogs import choose_paths
from ui.messages import user_message
from ui.tasks import TaskRunner
from ui.widgets.error_banner import ErrorBanner
from ui.widgets.fingerprint_view import FingerprintDisplay, FingerprintView
from ui.widgets.page_scroll import scroll_whole_page

MIN_PASSPHRASE = 12

Work = Callable[[Callable[[object], None], threading.Event], object]


class KeyKindChoice:
    SIGNING = "signing"
    X25519 = "x25519"
    POST_QUANTUM = "pq"


_DEFAULT_NAMES = {
    KeyKindChoice.SIGNING: "signing-key",
    KeyKindChoice.X25519: "identity",
    KeyKindChoice.POST_QUANTUM: "identity-pq",
}


class KeysPageInputError(SubmitterError):
    """A form field the page checks before any work starts."""

    message = "Some fields are missing or not valid."


@dataclass(frozen=True, slots=True)
class CreatedKey:
    path: Path
    kind: KeyKind
    public: str
    protection: Protection
    display: FingerprintDisplay | None  # signing keys only


@dataclass(frozen=True, slots=True)
class MadeCard:
    card: Card
    armored: str
    display: FingerprintDisplay
    qr_png: bytes  # full-size QR of the fingerprint, for printing


def passphrase_bits(passphrase: str) -> float:
    """A rough strength estimate: length times the bits of the character classes used.

    Several words separated by spaces are counted as words from a large list,
    which is how the hint recommends making one.
    """
    if not passphrase:
        return 0.0
    words = passphrase.split()
    if len(words) >= 4 and all(w.isalpha() for w in words):
        return len(words) * 11.0  # about a 2,000-word vocabulary per word
    pool = 0
    if any(c.islower() for c in passphrase):
        pool += 26
    if any(c.isupper() for c in passphrase):
        pool += 26
    if any(c.isdigit() for c in passphrase):
        pool += 10
    if any(not c.isalnum() for c in passphrase):
        pool += 33
    return len(passphrase) * math.log2(max(pool, 2)) * 0.6  # people do not pick at random


def choose_save_path(parent: QWidget, title: str, suggested: str) -> Path | None:
    """Qt's own save dialog with no history kept (the native one records recent files)."""
    dialog = QFileDialog(parent, title)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.setHistory([])
    dialog.setSidebarUrls([])
    dialog.selectFile(suggested)
    try:
        if dialog.exec() != QFileDialog.DialogCode.Accepted or not dialog.selectedFiles():
            return None
        return Path(dialog.selectedFiles()[0])
    finally:
        dialog.setHistory([])
        dialog.deleteLater()


def _create_key_work(
    choice: str,
    path: Path,
    protection: Protection,
    passphrase: str | None,
    work_factor: int,
    index: KeyIndex | None,
) -> Work:
    def work(_progress: Callable[[object], None], _cancel: threading.Event) -> CreatedKey:
        display: FingerprintDisplay | None = None
        if choice == KeyKindChoice.SIGNING:
            key = SigningKey.generate()
            secret_text = key.secret_text()
            public = str(key.verify_key())
            kind = KeyKind.SIGNING
            display = FingerprintDisplay.of(Fingerprint.of_public_key(key.verify_key().raw))
        else:
            identity = (
                keygen.generate_mlkem768x25519()
                if choice == KeyKindChoice.POST_QUANTUM
                else keygen.generate_x25519()
            )
            public = str(identity.recipient())
            secret_text = format_identity_file(identity, public, dt.datetime.now().astimezone())
            kind = KeyKind.IDENTITY
        source = None if passphrase is None else (lambda: passphrase)
        keystore.save_key(
            path, secret_text, public=public, protection=protection,
            passphrase=source, work_factor=work_factor,
        )
        del secret_text
        absolute = Path(os.path.abspath(path))
        if index is not None:
            # The list of known keys is a convenience; the key itself is saved.
            with contextlib.suppress(KeyFileError):
                index.add(KeyInfo(absolute, kind, public, protection))
        return CreatedKey(absolute, kind, public, protection, display)

    return work


def _make_card_work(
    key_path: Path,
    passphrase: str | None,
    name: str,
    website: str | None,
    recipients: list[str],
    endpoints: list[str],
    expires: dt.date,
) -> Work:
    def work(_progress: Callable[[object], None], _cancel: threading.Event) -> MadeCard:
        source = None if passphrase is None else (lambda: passphrase)
        signing = keystore.load_signing_key(key_path, source)
        card = create_card(
            signing, name=name, website=website, recipients=recipients,
            endpoints=[parse_endpoint(e) for e in endpoints], expires=expires,
        )
        fingerprint = card.fingerprint()
        return MadeCard(card, card.armored(), FingerprintDisplay.of(fingerprint),
                        fingerprint.qr_png())

    return work


def _write_work(path: Path, data: bytes) -> Work:
    def work(_progress: Callable[[object], None], _cancel: threading.Event) -> Path:
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise CardFileError(type(exc).__name__) from None
        return path

    return work


def _lines(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


def _error_banner(parent: QWidget, name: str) -> ErrorBanner:
    # Tighter than the other pages' banners: these sit inside group boxes.
    banner = ErrorBanner(parent, name, padding=8)
    banner.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    return banner


class KeysPage(QWidget):
    key_created = Signal(object)  # CreatedKey
    card_created = Signal(object)  # MadeCard
    exported = Signal(object)  # the Path written
    failed = Signal(str)  # the plain message shown (a refused form or failed work)

    def __init__(
        self,
        tasks: TaskRunner,
        *,
        data_dir: Path | None = None,
        work_factor: int = keystore.DEFAULT_WORK_FACTOR,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("keysPage")
        self._tasks = tasks
        self._index = None if data_dir is None else KeyIndex(data_dir / "keys.json")
        self._work_factor = work_factor
        self._created: list[CreatedKey] = []
        self._made: MadeCard | None = None

        self._intro = QLabel(self)
        self._intro.setWordWrap(True)
        self._build_key_box()
        self._build_card_box()

        body = QWidget(self)
        column = QVBoxLayout(body)
        column.addWidget(self._intro)
        column.addWidget(self._key_box)
        column.addWidget(self._card_box)
        column.addStretch(1)
        scroll_whole_page(self, body)

        order: list[QWidget] = [
            self._kind, self._protect_passphrase, self._protect_keyring, self._passphrase,
            self._confirm, self._folder, self._choose_folder, self._file_name, self._create_key,
            self._created_list, self._card_key, self._choose_card_key, self._card_passphrase,
            self._recipients, self._name, self._website, self._endpoints, self._expires,
            self._create_card, self._armored, self._save_card, self._copy_card, self._save_qr,
        ]
        for first, second in itertools.pairwise(order):
            self.setTabOrder(first, second)
        self.retranslate()
        self._update_protection()

    # --- construction ---

    def _build_key_box(self) -> None:
        box = self._key_box = QGroupBox(self)
        self._kind_label = QLabel(box)
        self._kind = QComboBox(box)
        self._kind.setObjectName("keyKind")
        for choice in (KeyKindChoice.SIGNING, KeyKindChoice.X25519, KeyKindChoice.POST_QUANTUM):
            self._kind.addItem("", choice)
        self._kind_label.setBuddy(self._kind)
        self._protect_label = QLabel(box)
        self._protect_passphrase = QRadioButton(box)
        self._protect_passphrase.setObjectName("protectPassphrase")
        self._protect_passphrase.setChecked(True)
        self._protect_keyring = QRadioButton(box)
        self._protect_keyring.setObjectName("protectKeyring")
        self._protect_group = QButtonGroup(box)
        self._protect_group.addButton(self._protect_passphrase)
        self._protect_group.addButton(self._protect_keyring)
        protect_row = QHBoxLayout()
        protect_row.addWidget(self._protect_passphrase)
        protect_row.addWidget(self._protect_keyring)
        protect_row.addStretch(1)
        self._passphrase_label = QLabel(box)
        self._passphrase = QLineEdit(box)
        self._passphrase.setObjectName("passphrase")
        self._passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self._passphrase_label.setBuddy(self._passphrase)
        self._confirm_label = QLabel(box)
        self._confirm = QLineEdit(box)
        self._confirm.setObjectName("passphraseConfirm")
        self._confirm.setEchoMode(QLineEdit.EchoMode.Password)
        self._confirm_label.setBuddy(self._confirm)
        self._strength = QLabel(box)
        self._strength.setObjectName("passphraseStrength")
        self._strength.setWordWrap(True)
        self._folder_label = QLabel(box)
        self._folder = QLineEdit(box)
        self._folder.setObjectName("keyFolder")
        self._folder_label.setBuddy(self._folder)
        self._choose_folder = QPushButton(box)
        self._choose_folder.setObjectName("chooseKeyFolder")
        folder_row = QHBoxLayout()
        folder_row.addWidget(self._folder, 1)
        folder_row.addWidget(self._choose_folder)
        self._file_name_label = QLabel(box)
        self._file_name = QLineEdit(box)
        self._file_name.setObjectName("keyFileName")
        self._file_name_label.setBuddy(self._file_name)
        self._create_key = QPushButton(box)
        self._create_key.setObjectName("createKey")
        self._key_error = _error_banner(box, "keyError")
        self._key_result = QLabel(box)
        self._key_result.setObjectName("keyResult")
        self._key_result.setWordWrap(True)
        self._key_result.setTextFormat(Qt.TextFormat.PlainText)
        self._key_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._key_fingerprint = FingerprintView(box)
        self._key_fingerprint.setObjectName("keyFingerprint")
        self._created_label = QLabel(box)
        self._created_list = QListWidget(box)
        self._created_list.setObjectName("createdKeys")
        self._created_list.setMaximumHeight(140)
        self._created_label.setBuddy(self._created_list)

        form = QFormLayout()
        form.addRow(self._kind_label, self._kind)
        form.addRow(self._protect_label, protect_row)
        form.addRow(self._passphrase_label, self._passphrase)
        form.addRow(self._confirm_label, self._confirm)
        form.addRow(QLabel(box), self._strength)
        form.addRow(self._folder_label, folder_row)
        form.addRow(self._file_name_label, self._file_name)
        layout = QVBoxLayout(box)
        layout.addLayout(form)
        layout.addWidget(self._create_key, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self._key_error)
        layout.addWidget(self._key_result)
        layout.addWidget(self._key_fingerprint)
        layout.addWidget(self._created_label)
        layout.addWidget(self._created_list)

        self._kind.currentIndexChanged.connect(self._suggest_file_name)
        self._protect_passphrase.toggled.connect(self._update_protection)
        self._passphrase.textChanged.connect(self._update_strength)
        self._confirm.textChanged.connect(self._update_strength)
        self._choose_folder.clicked.connect(self._pick_folder)
        self._create_key.clicked.connect(self.create_key)

    def _build_card_box(self) -> None:
        box = self._card_box = QGroupBox(self)
        self._card_key_label = QLabel(box)
        self._card_key = QLineEdit(box)
        self._card_key.setObjectName("cardSigningKey")
        self._card_key_label.setBuddy(self._card_key)
        self._choose_card_key = QPushButton(box)
        self._choose_card_key.setObjectName("chooseSigningKey")
        key_row = QHBoxLayout()
        key_row.addWidget(self._card_key, 1)
        key_row.addWidget(self._choose_card_key)
        self._card_passphrase_label = QLabel(box)
        self._card_passphrase = QLineEdit(box)
        self._card_passphrase.setObjectName("cardSigningPassphrase")
        self._card_passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self._card_passphrase_label.setBuddy(self._card_passphrase)
        self._recipients_label = QLabel(box)
        self._recipients = QPlainTextEdit(box)
        # Tab moves on instead of typing a tab: a keyboard user must never be trapped.
        self._recipients.setTabChangesFocus(True)
        self._recipients.setObjectName("cardRecipients")
        self._recipients.setTabChangesFocus(True)
        self._recipients.setMaximumHeight(110)
        self._recipients_label.setBuddy(self._recipients)
        self._name_label = QLabel(box)
        self._name = QLineEdit(box)
        self._name.setObjectName("cardName")
        self._name_label.setBuddy(self._name)
        self._website_label = QLabel(box)
        self._website = QLineEdit(box)
        self._website.setObjectName("cardWebsite")
        self._website_label.setBuddy(self._website)
        self._endpoints_label = QLabel(box)
        self._endpoints_label.setWordWrap(True)
        self._endpoints = QPlainTextEdit(box)
        # Tab moves on instead of typing a tab: a keyboard user must never be trapped.
        self._endpoints.setTabChangesFocus(True)
        self._endpoints.setObjectName("cardEndpoints")
        self._endpoints.setTabChangesFocus(True)
        self._endpoints.setMaximumHeight(90)
        self._endpoints_label.setBuddy(self._endpoints)
        self._expires_label = QLabel(box)
        self._expires = QDateEdit(box)
        self._expires.setObjectName("cardExpires")
        self._expires.setCalendarPopup(True)
        self._expires.setDisplayFormat("yyyy-MM-dd")
        today = QDate.currentDate()
        self._expires.setMinimumDate(today)
        self._expires.setMaximumDate(today.addDays(5 * 365))
        self._expires.setDate(today.addDays(365))
        self._expires_label.setBuddy(self._expires)
        self._create_card = QPushButton(box)
        self._create_card.setObjectName("createCard")
        self._card_error = _error_banner(box, "cardMakeError")
        self._armored = QPlainTextEdit(box)
        # Tab moves on instead of typing a tab: a keyboard user must never be trapped.
        self._armored.setTabChangesFocus(True)
        self._armored.setObjectName("cardArmored")
        self._armored.setReadOnly(True)
        self._armored.setTabChangesFocus(True)
        self._armored.setVisible(False)
        self._card_fingerprint = FingerprintView(box)
        self._card_fingerprint.setObjectName("cardFingerprint")
        self._save_card = QPushButton(box)
        self._save_card.setObjectName("saveCard")
        self._copy_card = QPushButton(box)
        self._copy_card.setObjectName("copyCard")
        self._save_qr = QPushButton(box)
        self._save_qr.setObjectName("saveQr")
        self._export_result = QLabel(box)
        self._export_result.setObjectName("exportResult")
        self._export_result.setWordWrap(True)
        self._export_result.setTextFormat(Qt.TextFormat.PlainText)
        export_row = QHBoxLayout()
        for button in (self._save_card, self._copy_card, self._save_qr):
            button.setEnabled(False)
            export_row.addWidget(button)
        export_row.addStretch(1)

        form = QFormLayout()
        form.addRow(self._card_key_label, key_row)
        form.addRow(self._card_passphrase_label, self._card_passphrase)
        form.addRow(self._recipients_label, self._recipients)
        form.addRow(self._name_label, self._name)
        form.addRow(self._website_label, self._website)
        form.addRow(self._endpoints_label, self._endpoints)
        form.addRow(self._expires_label, self._expires)
        layout = QVBoxLayout(box)
        layout.addLayout(form)
        layout.addWidget(self._create_card, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self._card_error)
        layout.addWidget(self._card_fingerprint)
        layout.addWidget(self._armored)
        layout.addLayout(export_row)
        layout.addWidget(self._export_result)

        self._choose_card_key.clicked.connect(self._pick_signing_key)
        self._create_card.clicked.connect(self.create_card)
        self._save_card.clicked.connect(self._save_card_dialog)
        self._copy_card.clicked.connect(self.copy_card)
        self._save_qr.clicked.connect(self._save_qr_dialog)

    # --- public ---

    def page_title(self) -> str:
        return self.tr("Keys")

    def created_keys(self) -> list[CreatedKey]:
        return list(self._created)

    def made_card(self) -> MadeCard | None:
        return self._made

    def create_key(self) -> None:
        """Check the form, then generate and save the key in a worker."""
        self._key_error.dismiss()
        choice = str(self._kind.currentData())
        protection = (
            Protection.PASSPHRASE if self._protect_passphrase.isChecked() else Protection.KEYRING
        )
        passphrase: str | None = None
        if protection is Protection.PASSPHRASE:
            passphrase = self._passphrase.text()
            confirm = self._confirm.text()
            # Not kept in the form once read.
            self._passphrase.clear()
            self._confirm.clear()
            if passphrase != confirm:
                self._show_error(self._key_error, lambda: self.tr(
                    "The two passphrases differ. Type the same passphrase twice."))
                return
            if len(passphrase) < MIN_PASSPHRASE:
                self._show_error(self._key_error, lambda: self.tr(
                    "The passphrase is too short: use at least %1 characters, better five "
                    "or more random words.").replace("%1", str(MIN_PASSPHRASE)))
                return
            del confirm
        folder = self._folder.text().strip()
        name = self._file_name.text().strip()
        if not folder or not name or "/" in name or "\\" in name or name in (".", ".."):
            self._show_error(self._key_error, lambda: self.tr(
                "Choose a folder and a plain file name for the key."))
            return
        work = _create_key_work(
            choice, Path(folder) / name, protection, passphrase, self._work_factor, self._index
        )
        del passphrase
        self._set_busy(True)
        self._tasks.start(work, finished=self._key_done, failed=self._key_failed)

    def create_card(self) -> None:
        self._card_error.dismiss()
        key_path = self._card_key.text().strip()
        passphrase = self._card_passphrase.text() or None
        self._card_passphrase.clear()
        name = self._name.text().strip()
        recipients = _lines(self._recipients.toPlainText())
        if not key_path or not name or not recipients:
            self._show_error(self._card_error, lambda: self.tr(
                "The card needs the signing key file, the organisation's name and at least "
                "one staff key."))
            return
        website = self._website.text().strip() or None
        expires = self._expires.date().toPython()
        assert isinstance(expires, dt.date)
        work = _make_card_work(
            Path(key_path), passphrase, name, website, recipients,
            _lines(self._endpoints.toPlainText()), expires,
        )
        del passphrase
        self._set_busy(True)
        self._tasks.start(work, finished=self._card_done, failed=self._card_failed)

    def export_card(self, path: Path) -> None:
        if self._made is not None:
            self._write(path, self._made.armored.encode("utf-8"))

    def export_qr(self, path: Path) -> None:
        if self._made is not None:
            self._write(path, self._made.qr_png)

    def copy_card(self) -> None:
        if self._made is not None:
            QGuiApplication.clipboard().setText(self._made.armored)
            self._export_result.setText(self.tr("The card text is on the clipboard."))

    # --- results ---

    def _set_busy(self, busy: bool) -> None:
        for widget in (self._create_key, self._create_card):
            widget.setEnabled(not busy)
        for widget in (self._save_card, self._copy_card, self._save_qr):
            widget.setEnabled(not busy and self._made is not None)

    def _key_done(self, result: object) -> None:
        assert isinstance(result, CreatedKey)
        self._set_busy(False)
        self._created.append(result)
        self._key_fingerprint.set_display(result.display)
        if result.kind is KeyKind.SIGNING:
            self._card_key.setText(str(result.path))
        else:
            existing = _lines(self._recipients.toPlainText())
            if result.public not in existing:
                self._recipients.setPlainText("\n".join([*existing, result.public]))
        self._render_created()
        self.key_created.emit(result)

    def _key_failed(self, exc: object) -> None:
        self._set_busy(False)
        error = exc if isinstance(exc, BaseException) else RuntimeError()
        self._show_error(self._key_error, lambda: user_message(error))

    def _card_done(self, result: object) -> None:
        assert isinstance(result, MadeCard)
        self._made = result
        self._set_busy(False)
        self._armored.setPlainText(result.armored)
        self._armored.setVisible(True)
        self._card_fingerprint.set_display(result.display)
        self._export_result.clear()
        self.card_created.emit(result)

    def _card_failed(self, exc: object) -> None:
        self._set_busy(False)
        error = exc if isinstance(exc, BaseException) else RuntimeError()
        self._show_error(self._card_error, lambda: user_message(error))

    def _write(self, path: Path, data: bytes) -> None:
        self._set_busy(True)
        self._tasks.start(_write_work(path, data), finished=self._written,
                          failed=self._card_failed)

    def _written(self, path: object) -> None:
        assert isinstance(path, Path)
        self._set_busy(False)
        self._export_result.setText(self.tr("Saved: %1").replace("%1", sanitize(str(path))))
        self.exported.emit(path)

    # --- dialogs ---

    def _pick_folder(self) -> None:
        paths = choose_paths(self, self.tr("Folder for the key"), folders=True)
        if paths:
            self._folder.setText(str(paths[0]))

    def _pick_signing_key(self) -> None:
        paths = choose_paths(self, self.tr("The organisation's signing key file"))
        if paths:
            self._card_key.setText(str(paths[0]))

    def _save_card_dialog(self) -> None:
        path = choose_save_path(self, self.tr("Save the card"), "recipient-card.txt")
        if path is not None:
            self.export_card(path)

    def _save_qr_dialog(self) -> None:
        path = choose_save_path(self, self.tr("Save the fingerprint QR code"), "fingerprint.png")
        if path is not None:
            self.export_qr(path)

    # --- form behaviour ---

    def _update_protection(self) -> None:
        uses_passphrase = self._protect_passphrase.isChecked()
        for widget in (self._passphrase, self._confirm, self._strength):
            widget.setEnabled(uses_passphrase)
        self._suggest_file_name()
        self._update_strength()

    def _suggest_file_name(self) -> None:
        base = _DEFAULT_NAMES.get(str(self._kind.currentData()), "key")
        suffix = ".age" if self._protect_passphrase.isChecked() else ".keyref"
        self._file_name.setText(base + suffix)

    def _update_strength(self) -> None:
        text = self._passphrase.text()
        if not self._protect_passphrase.isChecked():
            self._strength.setText(self.tr("The system's key store protects the key."))
            return
        bits = passphrase_bits(text)
        if not text:
            hint = self.tr("Use five or more random words; you will need it to open the key.")
        elif len(text) < MIN_PASSPHRASE:
            hint = self.tr("Too short.")
        elif bits < 45:
            hint = self.tr("Weak: easy to guess. Add more random words.")
        elif bits < 55:
            hint = self.tr("Fair. A few more random words would make it strong.")
        else:
            hint = self.tr("Strong.")
        confirm = self._confirm.text()
        if confirm and confirm != text:
            hint += " " + self.tr("The two passphrases differ.")
        self._strength.setText(hint)

    def _render_created(self) -> None:
        self._created_list.clear()
        for created in self._created:
            if created.kind is KeyKind.SIGNING:
                kind = self.tr("Signing key")
            else:
                kind = self.tr("Staff key")
            where = (
                self.tr("passphrase") if created.protection is Protection.PASSPHRASE
                else self.tr("system key store")
            )
            self._created_list.addItem(
                f"{kind} ({where}): {sanitize(str(created.path))}\n"
                f"    {sanitize(created.public, max_len=4000)}"
            )
        if self._created:
            last = self._created[-1]
            self._key_result.setText(
                self.tr("Saved to %1. Public key: %2")
                .replace("%1", sanitize(str(last.path)))
                .replace("%2", sanitize(last.public, max_len=4000))
            )

    def _show_error(self, banner: ErrorBanner, text: Callable[[], str]) -> None:
        banner.show_message(text)
        self.failed.emit(banner.text())

    # --- language ---

    def retranslate(self) -> None:
        self._intro.setText(self.tr(
            "For the organisation's staff. Create the organisation's signing key (it vouches "
            "for the card) and one key per staff member who opens submissions, then make "
            "the card that sources import. Keep the key files on a computer you trust."
        ))
        self._key_box.setTitle(self.tr("Create a key"))
        self._kind_label.setText(self.tr("&Kind of key:"))
        self._kind.setItemText(0, self.tr("The organisation's signing key"))
        self._kind.setItemText(1, self.tr("Staff key (classic X25519)"))
        self._kind.setItemText(2, self.tr("Staff key (post-quantum ML-KEM-768 + X25519)"))
        self._kind.setAccessibleName(self.tr("Kind of key"))
        self._protect_label.setText(self.tr("Protection:"))
        self._protect_passphrase.setText(self.tr("&Passphrase"))
        self._protect_keyring.setText(self.tr("The system's key s&tore"))
        self._passphrase_label.setText(self.tr("P&assphrase:"))
        self._passphrase.setAccessibleName(self.tr("Passphrase"))
        self._confirm_label.setText(self.tr("&Repeat it:"))
        self._confirm.setAccessibleName(self.tr("Repeat the passphrase"))
        self._strength.setAccessibleName(self.tr("Passphrase strength"))
        self._folder_label.setText(self.tr("&Folder:"))
        self._folder.setAccessibleName(self.tr("Folder for the key"))
        self._choose_folder.setText(self.tr("Choose…"))
        self._choose_folder.setAccessibleName(self.tr("Choose the folder for the key"))
        self._file_name_label.setText(self.tr("File &name:"))
        self._file_name.setAccessibleName(self.tr("Key file name"))
        self._create_key.setText(self.tr("&Create the key"))
        self._created_label.setText(self.tr("Keys created in this session:"))
        self._created_list.setAccessibleName(self.tr("Keys created in this session"))
        self._card_box.setTitle(self.tr("The organisation's card"))
        self._card_key_label.setText(self.tr("Si&gning key file:"))
        self._card_key.setAccessibleName(self.tr("Signing key file"))
        self._choose_card_key.setText(self.tr("Choose…"))
        self._choose_card_key.setAccessibleName(self.tr("Choose the signing key file"))
        self._card_passphrase_label.setText(self.tr("Its passphrase:"))
        self._card_passphrase.setAccessibleName(self.tr("Signing key passphrase"))
        self._card_passphrase.setPlaceholderText(self.tr("empty if the key store holds it"))
        self._recipients_label.setText(self.tr("Staff ke&ys (one per line):"))
        self._recipients.setAccessibleName(self.tr("Staff keys, one per line"))
        self._name_label.setText(self.tr("Organisation na&me:"))
        self._name.setAccessibleName(self.tr("Organisation name"))
        self._website_label.setText(self.tr("&Website:"))
        self._website.setAccessibleName(self.tr("Website"))
        self._endpoints_label.setText(self.tr(
            "&Delivery (one per line: an https:// upload address, onionshare:ADDRESS.onion, "
            "or note:instructions):"))
        self._endpoints.setAccessibleName(self.tr("Delivery addresses, one per line"))
        self._expires_label.setText(self.tr("Valid &until:"))
        self._expires.setAccessibleName(self.tr("Valid until"))
        self._create_card.setText(self.tr("Create and s&ign the card"))
        self._armored.setAccessibleName(self.tr("The card as text"))
        self._save_card.setText(self.tr("Save the card…"))
        self._copy_card.setText(self.tr("Copy the card"))
        self._save_qr.setText(self.tr("Save the QR code…"))
        self._update_strength()
        self._render_created()
        self._key_error.retranslate()
        self._card_error.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
