"""Step 1 for the source: which organisation receives the material.

The source imports the organisation's recipient card (a file or pasted text)
or picks one already trusted. The page shows what the card says and the
signing key's fingerprint with a plain way to check it; a card that is
forged, expired, malformed or signed by another key than the one trusted
before is refused loudly. Reading, verifying and pinning run in workers; every
string taken from a card passes the display sanitiser; nothing here names the
organisation in a window title, a setting or a log.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from crypto.card import Card, DropNote, OnionShareEndpoint, TusEndpoint
from crypto.errors import CryptoError
from crypto.pins import ImportStatus
from crypto.statekey import KeyStoreUnavailableError
from submitter.app_state import AppState
from submitter.cli.card_cmds import MAX_CARD_FILE, CardFileError
from submitter.sanitize import sanitize
from ui.file_dialogs import choose_paths
from ui.messages import user_message
from ui.tasks import TaskRunner
from ui.widgets.error_banner import ErrorBanner
from ui.widgets.fingerprint_view import FingerprintDisplay, FingerprintView
from ui.widgets.page_scroll import scroll_whole_page

MAX_PASTED_CHARS = MAX_CARD_FILE


@dataclass(frozen=True, slots=True)
class OrgView:
    """A pinned organisation with everything the page shows, computed off the GUI thread."""

    card: Card
    display: FingerprintDisplay
    unusable: CryptoError | None  # expired or not yet valid: cannot be used to send


@dataclass(frozen=True, slots=True)
class _Loaded:
    orgs: list[OrgView]
    status: ImportStatus | None = None
    imported_hex: str | None = None


def _view(card: Card) -> OrgView:
    try:
        card.check_usable()
        unusable: CryptoError | None = None
    except CryptoError as exc:
        unusable = exc
    return OrgView(card, FingerprintDisplay.of(card.fingerprint()), unusable)


def _load_work(state: AppState) -> Callable[[Callable[[object], None], threading.Event], object]:
    def work(_progress: Callable[[object], None], _cancel: threading.Event) -> _Loaded:
        # Nothing pinned yet: no need to create a key in the key store just to look.
        if not state.has_pins():
            return _Loaded([])
        return _Loaded([_view(pin.card) for pin in state.pins().pins()])

    return work


def _import_work(
    state: AppState, read: Callable[[], str | bytes]
) -> Callable[[Callable[[object], None], threading.Event], object]:
    def work(_progress: Callable[[object], None], _cancel: threading.Event) -> _Loaded:
        store = state.pins()
        result = store.import_text(read())
        orgs = [_view(pin.card) for pin in store.pins()]
        return _Loaded(orgs, result.status, result.org.card.fingerprint().hex)

    return work


def read_card_file(path: Path) -> bytes:
    """At most one byte more than a card may hold (the parser refuses the excess)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(MAX_CARD_FILE + 1)
    except OSError as exc:
        raise CardFileError(type(exc).__name__) from None


class RecipientPage(QWidget):
    card_chosen = Signal(object)  # the chosen Card, or None when nothing usable is chosen
    updated = Signal()  # after every load or import attempt (success or refusal)

    def __init__(self, tasks: TaskRunner, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recipientPage")
        self._tasks = tasks
        self._state = state
        self._orgs: list[OrgView] = []
        self._shown: OrgView | None = None
        self._chosen: Card | None = None
        self._status: ImportStatus | None = None
        self._status_hex: str | None = None
        self._loaded_once = False
        self._busy = False

        self._intro = QLabel(self)
        self._intro.setWordWrap(True)

        # Trusted organisations.
        self._pinned_box = QGroupBox(self)
        self._pinned_label = QLabel(self._pinned_box)
        self._pinned_label.setWordWrap(True)
        self._pinned = QListWidget(self._pinned_box)
        self._pinned.setObjectName("pinnedList")
        self._pinned_label.setBuddy(self._pinned)
        self._empty = QLabel(self._pinned_box)
        self._empty.setObjectName("noPinned")
        self._empty.setWordWrap(True)
        pinned_layout = QVBoxLayout(self._pinned_box)
        pinned_layout.addWidget(self._pinned_label)
        pinned_layout.addWidget(self._pinned, 1)
        pinned_layout.addWidget(self._empty)

        # Importing a card.
        self._import_box = QGroupBox(self)
        self._paste_label = QLabel(self._import_box)
        self._paste_label.setWordWrap(True)
        self._paste = QPlainTextEdit(self._import_box)
        # Tab moves on instead of typing a tab: a keyboard user must never be trapped.
        self._paste.setTabChangesFocus(True)
        self._paste.setObjectName("cardText")
        self._paste.setTabChangesFocus(True)
        self._paste_label.setBuddy(self._paste)
        self._import_text = QPushButton(self._import_box)
        self._import_text.setObjectName("importText")
        self._import_file = QPushButton(self._import_box)
        self._import_file.setObjectName("importFile")
        import_buttons = QHBoxLayout()
        import_buttons.addWidget(self._import_text)
        import_buttons.addWidget(self._import_file)
        import_buttons.addStretch(1)
        import_layout = QVBoxLayout(self._import_box)
        import_layout.addWidget(self._paste_label)
        import_layout.addWidget(self._paste, 1)
        import_layout.addLayout(import_buttons)

        # Unlocking the saved list where there is no OS key store.
        self._unlock_box = QGroupBox(self)
        self._unlock_box.setObjectName("unlockBox")
        self._unlock_label = QLabel(self._unlock_box)
        self._unlock_label.setWordWrap(True)
        self._unlock_passphrase = QLineEdit(self._unlock_box)
        self._unlock_passphrase.setObjectName("unlockPassphrase")
        self._unlock_passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self._unlock_label.setBuddy(self._unlock_passphrase)
        self._unlock = QPushButton(self._unlock_box)
        self._unlock.setObjectName("unlockButton")
        unlock_row = QHBoxLayout()
        unlock_row.addWidget(self._unlock_passphrase, 1)
        unlock_row.addWidget(self._unlock)
        unlock_layout = QVBoxLayout(self._unlock_box)
        unlock_layout.addWidget(self._unlock_label)
        unlock_layout.addLayout(unlock_row)
        self._unlock_box.setVisible(False)

        # Refusals and outcomes.
        self._error = ErrorBanner(self, "cardError")
        self._error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self._error.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._status_label = QLabel(self)
        self._status_label.setObjectName("cardStatus")
        self._status_label.setWordWrap(True)
        self._status_label.setVisible(False)

        # What the chosen card says.
        self._details = QGroupBox(self)
        self._details.setObjectName("cardDetails")
        self._name_caption = QLabel(self._details)
        self._name = QLabel(self._details)
        self._name.setObjectName("orgName")
        self._website_caption = QLabel(self._details)
        self._website = QLabel(self._details)
        self._website.setObjectName("orgWebsite")
        self._recipients_caption = QLabel(self._details)
        self._recipients = QLabel(self._details)
        self._recipients.setObjectName("orgRecipients")
        self._endpoints_caption = QLabel(self._details)
        self._endpoints = QLabel(self._details)
        self._endpoints.setObjectName("orgEndpoints")
        self._expires_caption = QLabel(self._details)
        self._expires = QLabel(self._details)
        self._expires.setObjectName("orgExpires")
        values = (self._name, self._website, self._recipients, self._endpoints, self._expires)
        for label in values:
            label.setWordWrap(True)
            # Plain text only: a card's strings must never be read as rich text.
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout()
        form.addRow(self._name_caption, self._name)
        form.addRow(self._website_caption, self._website)
        form.addRow(self._recipients_caption, self._recipients)
        form.addRow(self._endpoints_caption, self._endpoints)
        form.addRow(self._expires_caption, self._expires)
        self._fingerprint = FingerprintView(self._details)
        self._fingerprint_help = QLabel(self._details)
        self._fingerprint_help.setObjectName("fingerprintHelp")
        self._fingerprint_help.setWordWrap(True)
        details_layout = QVBoxLayout(self._details)
        details_layout.addLayout(form)
        details_layout.addWidget(self._fingerprint_help)
        details_layout.addWidget(self._fingerprint)
        self._details.setVisible(False)

        top = QHBoxLayout()
        top.addWidget(self._pinned_box, 1)
        top.addWidget(self._import_box, 1)
        body = QWidget(self)
        column = QVBoxLayout(body)
        column.addWidget(self._intro)
        column.addLayout(top)
        column.addWidget(self._unlock_box)
        column.addWidget(self._error)
        column.addWidget(self._status_label)
        column.addWidget(self._details)
        column.addStretch(1)
        scroll_whole_page(self, body)

        self.setTabOrder(self._pinned, self._paste)
        self.setTabOrder(self._paste, self._import_text)
        self.setTabOrder(self._import_text, self._import_file)
        self.setTabOrder(self._import_file, self._unlock_passphrase)
        self.setTabOrder(self._unlock_passphrase, self._unlock)
        self.setTabOrder(self._unlock, self._error)

        self._pinned.currentRowChanged.connect(self._on_row)
        self._import_text.clicked.connect(self.import_pasted)
        self._import_file.clicked.connect(self._choose_file)
        self._unlock.clicked.connect(self._unlock_with_passphrase)
        self._unlock_passphrase.returnPressed.connect(self._unlock_with_passphrase)
        self.retranslate()

    # --- public ---

    def page_title(self) -> str:
        return self.tr("1. Organisation")

    def chosen_card(self) -> Card | None:
        """The organisation's card the review/seal step encrypts to (usable today)."""
        return self._chosen

    def organisations(self) -> list[OrgView]:
        return list(self._orgs)

    def error_text(self) -> str:
        return self._error.text() if not self._error.isHidden() else ""

    def is_busy(self) -> bool:
        return self._busy

    def reload(self) -> None:
        """Read the trusted list again (in a worker)."""
        self._loaded_once = True
        self._run(_load_work(self._state))

    def import_pasted(self) -> None:
        text = self._paste.toPlainText()
        if not text.strip():
            self._error.show_message(
                lambda: self.tr("Paste the organisation's card into the box first."))
            return
        untrusted_text = text[: MAX_PASTED_CHARS + 1]
        self._run(_import_work(self._state, lambda: untrusted_text))

    def import_file(self, path: Path) -> None:
        self._run(_import_work(self._state, lambda: read_card_file(path)))

    def choose(self, fingerprint_hex: str) -> bool:
        for row, org in enumerate(self._orgs):
            if org.card.fingerprint().hex == fingerprint_hex:
                self._pinned.setCurrentRow(row)
                return True
        return False

    def clear(self) -> None:
        """Forget everything shown (quick delete); the store itself is wiped elsewhere."""
        self._paste.clear()
        self._unlock_passphrase.clear()
        self._orgs = []
        self._pinned.clear()
        self._hide_messages()
        self._show_org(None)
        self._loaded_once = False

    # --- work ---

    def _run(self, work: Callable[[Callable[[object], None], threading.Event], object]) -> None:
        self._set_busy(True)
        self._tasks.start(work, finished=self._loaded, failed=self._failed)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in (self._import_text, self._import_file, self._unlock):
            widget.setEnabled(not busy)

    def _loaded(self, result: object) -> None:
        assert isinstance(result, _Loaded)
        self._set_busy(False)
        self._unlock_box.setVisible(False)
        self._hide_messages()
        previous = self._shown.card.fingerprint().hex if self._shown is not None else None
        self._orgs = result.orgs
        self._fill_list()
        target = result.imported_hex or previous
        if result.status is not None:
            self._paste.clear()
            self._status = result.status
            self._status_hex = result.imported_hex
            self._status_label.setText(self._status_text(result.status))
            self._status_label.setVisible(True)
        if target is None or not self.choose(target):
            self._pinned.setCurrentRow(-1)
            self._show_org(None)
        self.updated.emit()

    def _failed(self, exc: object) -> None:
        self._set_busy(False)
        self._hide_messages()
        if isinstance(exc, KeyStoreUnavailableError):
            self._unlock_box.setVisible(True)
        # A refused card is never shown as if it were usable, and nothing stays chosen.
        self._pinned.setCurrentRow(-1)
        self._show_org(None)
        error = exc if isinstance(exc, BaseException) else RuntimeError()
        self._error.show_message(lambda: user_message(error))
        self.updated.emit()

    # --- slots ---

    def _choose_file(self) -> None:
        paths = choose_paths(self, self.tr("Open the organisation's card"))
        if paths:
            self.import_file(paths[0])

    def _unlock_with_passphrase(self) -> None:
        passphrase = self._unlock_passphrase.text()
        self._unlock_passphrase.clear()
        if not passphrase:
            self._error.show_message(
                lambda: self.tr("Type the passphrase that protects this app's records.")
            )
            return
        self._state.use_passphrase(passphrase)
        del passphrase
        self.reload()

    def _on_row(self, row: int) -> None:
        if 0 <= row < len(self._orgs):
            org = self._orgs[row]
            self._error.dismiss()
            if org.card.fingerprint().hex != self._status_hex:
                self._status = None
                self._status_label.setVisible(False)
            self._show_org(org)
        else:
            self._show_org(None)

    # --- display ---

    def _fill_list(self) -> None:
        self._pinned.blockSignals(True)
        self._pinned.clear()
        for _ in self._orgs:
            self._pinned.addItem(QListWidgetItem())
        self._pinned.blockSignals(False)
        self._label_items()
        self._empty.setVisible(not self._orgs and self._loaded_once)

    def _label_items(self) -> None:
        for row, org in enumerate(self._orgs):
            item = self._pinned.item(row)
            if item is None:
                continue
            name = sanitize(org.card.name, max_len=100)
            if org.unusable is not None:
                name = self.tr("%1 (card expired or not valid yet)").replace("%1", name)
            item.setText(name)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, name)

    def _show_org(self, org: OrgView | None) -> None:
        self._shown = org
        if org is None:
            self._details.setVisible(False)
            self._fingerprint.set_display(None)
            self._set_chosen(None)
            return
        self._render_details(org)
        self._fingerprint.set_display(org.display)
        self._details.setVisible(True)
        if org.unusable is not None:
            # Shown so the source can recognise it, but loudly refused for sending.
            unusable = org.unusable
            self._error.show_message(lambda: user_message(unusable))
            self._set_chosen(None)
        else:
            self._set_chosen(org.card)

    def _set_chosen(self, card: Card | None) -> None:
        if card is self._chosen:
            return
        self._chosen = card
        self.card_chosen.emit(card)

    def _render_details(self, org: OrgView) -> None:
        card = org.card
        self._name.setText(sanitize(card.name, max_len=100))
        self._website.setText(
            sanitize(card.website) if card.website is not None else self.tr("(none given)")
        )
        post_quantum = any(r.lower().startswith("age1pq1") for r in card.recipients)
        kind = self.tr("post-quantum") if post_quantum else self.tr("classic")
        self._recipients.setText(
            self.tr("%1 (%2)").replace("%1", str(len(card.recipients))).replace("%2", kind)
        )
        lines: list[str] = []
        for ep in card.endpoints:
            if isinstance(ep, TusEndpoint):
                lines.append(self.tr("Upload to %1").replace("%1", sanitize(ep.url)))
            elif isinstance(ep, OnionShareEndpoint):
                line = self.tr("OnionShare address %1").replace("%1", sanitize(ep.address))
                if ep.client_auth:
                    line += " " + self.tr("(with a private key)")
                lines.append(line)
            elif isinstance(ep, DropNote):
                lines.append(self.tr("Note: %1").replace("%1", sanitize(ep.text)))
        if not lines:
            lines.append(self.tr("No upload address: deliver on a USB stick or shared folder."))
        self._endpoints.setText("\n".join(lines))
        self._expires.setText(
            self.tr("Issued %1, valid until %2")
            .replace("%1", card.issued.isoformat())
            .replace("%2", card.expires.isoformat())
        )

    def _hide_messages(self) -> None:
        self._error.dismiss()
        self._status = None
        self._status_label.clear()
        self._status_label.setVisible(False)

    def _status_text(self, status: ImportStatus) -> str:
        texts = {
            ImportStatus.NEW: self.tr(
                "New organisation added to your trusted list. Before you send anything, "
                "check its fingerprint as explained below."
            ),
            ImportStatus.UPDATED: self.tr(
                "Card updated: it is signed by the key you already trust."
            ),
            ImportStatus.UNCHANGED: self.tr("You already have this card."),
            ImportStatus.HANDED_OVER: self.tr(
                "The organisation moved to a new signing key, and the key you trusted "
                "signed the hand-over. Check the new fingerprint below."
            ),
        }
        return texts[status]

    # --- lifecycle and language ---

    def showEvent(self, event: QShowEvent) -> None:
        # The trusted list is read when the page is first shown, in a worker.
        if not self._loaded_once:
            self.reload()
        super().showEvent(event)

    def retranslate(self) -> None:
        self._intro.setText(
            self.tr(
                "Choose the organisation that will receive your material. Its card holds "
                "the keys your files are locked to, so only its staff can open them."
            )
        )
        self._pinned_box.setTitle(self.tr("Organisations you trust"))
        self._pinned_label.setText(self.tr("&Choose one:"))
        self._pinned.setAccessibleName(self.tr("Organisations you trust"))
        self._empty.setText(self.tr("None yet: import the organisation's card."))
        self._import_box.setTitle(self.tr("Add an organisation"))
        self._paste_label.setText(
            self.tr("&Paste the card text you got from the organisation:")
        )
        self._paste.setAccessibleName(self.tr("Card text"))
        self._paste.setPlaceholderText("-----BEGIN SUBMITTER RECIPIENT CARD-----")
        self._import_text.setText(self.tr("&Import pasted card"))
        self._import_text.setAccessibleName(self.tr("Import pasted card"))
        self._import_file.setText(self.tr("Import from a &file…"))
        self._import_file.setAccessibleName(self.tr("Import a card from a file"))
        self._unlock_box.setTitle(self.tr("Unlock your saved organisations"))
        self._unlock_label.setText(
            self.tr(
                "This computer has no key store. Type the passphrase that protects this "
                "app's records (the first time, choose one and remember it):"
            )
        )
        self._unlock_passphrase.setAccessibleName(self.tr("Records passphrase"))
        self._unlock.setText(self.tr("Unlock"))
        self._error.setAccessibleName(self.tr("Refused"))
        self._details.setTitle(self.tr("What the card says"))
        self._name_caption.setText(self.tr("Organisation:"))
        self._website_caption.setText(self.tr("Website:"))
        self._recipients_caption.setText(self.tr("Staff keys:"))
        self._endpoints_caption.setText(self.tr("Delivery:"))
        self._expires_caption.setText(self.tr("Valid:"))
        self._name.setAccessibleName(self.tr("Organisation name"))
        self._website.setAccessibleName(self.tr("Website"))
        self._recipients.setAccessibleName(self.tr("Keys"))
        self._endpoints.setAccessibleName(self.tr("Delivery"))
        self._expires.setAccessibleName(self.tr("Validity"))
        self._fingerprint_help.setText(
            self.tr(
                "Check the fingerprint before you send anything: compare these words with "
                "the ones the organisation publishes on its website, in print, or tells you "
                "by phone. If even one word differs, do not send: the card may be forged."
            )
        )
        self._fingerprint_help.setAccessibleName(self.tr("How to check the fingerprint"))
        self._label_items()
        if self._status is not None:
            self._status_label.setText(self._status_text(self._status))
        if self._shown is not None:
            self._render_details(self._shown)
        self._error.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
