"""Demo mode: a throw-away organisation and inbox on this machine, for trying the app.

``start_demo`` makes, under ``<data dir>/demo``, everything an organisation
would have: a signing key, a staff identity (unprotected on purpose, and named
so), a signed card called "Demo organisation (not real)" whose upload address
is a real inbox server on 127.0.0.1 (started here on a free port, in a thread),
and a separate app state (trusted list, outbox) that trusts that card. So the
whole flow, from choosing files to opening them as staff, runs on one machine
without touching the person's real trusted list or outbox.

``Demo.stop()`` shuts the server down and removes the demo folder. A folder
left by a crashed demo is recognised by its marker file and replaced; a
``demo`` folder without the marker is never touched.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import secrets
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path

from crypto import keygen
from crypto.card import Card, TusEndpoint, create_card
from crypto.identity_file import format_identity_file
from crypto.keystore import Protection, save_key
from crypto.signing import SigningKey
from crypto.statekey import PassphraseStateKeyStore, write_private_file
from submitter.app_state import AppState
from submitter.errors import SubmitterError
from submitter.inbox.server import BASE_PATH, InboxApp, InboxConfig, bind_socket
from submitter.outbox.paths import data_dir as default_data_dir

DEMO_DIR = "demo"
DEMO_ORG_NAME = "Demo organisation (not real)"
MARKER_FILE = "DEMO-ONLY-NOT-FOR-REAL-MATERIAL.txt"
SIGNING_KEY_FILE = "demo-signing-key-UNPROTECTED.txt"
IDENTITY_FILE = "demo-identity-UNPROTECTED.txt"
CARD_FILE = "demo-card.txt"
DEMO_VALIDITY = dt.timedelta(days=30)
DEMO_MAX_UPLOAD = 256 * 1024 * 1024
_START_TIMEOUT = 20.0
_STOP_TIMEOUT = 20.0

_MARKER_TEXT = (
    "This folder belongs to Submitter's demo mode. Its keys are unprotected and\n"
    "exist only to try the app. Never send real material to the demo organisation.\n"
    "The app removes this folder when the demo ends.\n"
)


class DemoError(SubmitterError):
    message = "The demo could not be started. Nothing real was changed."


class DemoFolderInUseError(DemoError):
    message = (
        "A folder named 'demo' that the demo did not create is in the app's data folder, "
        "so the demo was not started."
    )


class DemoInbox:
    """The project's own tus inbox (``submitter.inbox``) served on loopback in a thread."""

    def __init__(self, directory: Path) -> None:
        import uvicorn

        self.directory = directory
        self._sock = bind_socket("127.0.0.1", 0)
        self.port: int = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}{BASE_PATH}"
        inbox = InboxApp(InboxConfig(directory=directory, max_size=DEMO_MAX_UPLOAD))
        # The same quiet settings as `submitter inbox serve`: no access log, no
        # Server/Date headers, no proxy headers.
        config = uvicorn.Config(
            inbox.app, access_log=False, log_config=None, log_level="warning",
            server_header=False, date_header=False, proxy_headers=False, lifespan="on",
            timeout_keep_alive=5,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name="demo-inbox", daemon=True)
        self._failed: BaseException | None = None

    def _run(self) -> None:
        try:
            # Not the main thread: uvicorn leaves signal handlers alone there.
            asyncio.run(self._server.serve(sockets=[self._sock]))
        except BaseException as exc:  # reported by start() / stop()
            self._failed = exc

    def start(self) -> None:
        self._thread.start()
        # Bounded wait for the server to accept connections.
        pause = threading.Event()  # never set: a bounded wait between checks
        for _ in range(int(_START_TIMEOUT / 0.02)):
            if self._server.started:
                return
            if not self._thread.is_alive():
                break
            pause.wait(0.02)
        self.stop()
        raise DemoError("inbox server did not start")

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and bool(self._server.started)

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(_STOP_TIMEOUT)
        with contextlib.suppress(OSError):
            self._sock.close()


@dataclass
class Demo:
    folder: Path
    card: Card
    signing_key_path: Path
    identity_path: Path
    card_path: Path
    inbox: DemoInbox
    state: AppState
    opened_dir: Path  # a suggested destination for opening bundles
    _stopped: bool = field(default=False, repr=False)

    @property
    def inbox_dir(self) -> Path:
        return self.inbox.directory

    @property
    def inbox_url(self) -> str:
        return self.inbox.url

    def stop(self) -> None:
        """Shut the inbox down and remove every file the demo made. Safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        self.inbox.stop()
        with contextlib.suppress(Exception):  # a broken database is removed below anyway
            self.state.close()
        _remove_demo_folder(self.folder)


def _remove_demo_folder(folder: Path) -> None:
    if folder.is_symlink():
        raise DemoFolderInUseError("demo folder is a link")
    if not folder.exists():
        return
    if not (folder / MARKER_FILE).is_file():
        raise DemoFolderInUseError("no marker")
    shutil.rmtree(folder)


def start_demo(data_dir: Path | None = None, *, today: dt.date | None = None) -> Demo:
    """Create the demo organisation under ``<data_dir>/demo`` and start its inbox.

    Blocking (key generation, one cheap key derivation, server start-up): call
    it before the window is shown or from a worker.
    """
    base = Path(data_dir) if data_dir is not None else default_data_dir()
    folder = base / DEMO_DIR
    _remove_demo_folder(folder)  # a crashed demo's leftovers, recognised by the marker
    try:
        folder.mkdir(mode=0o700, parents=True)
        (folder / MARKER_FILE).write_text(_MARKER_TEXT, encoding="utf-8")
    except OSError as exc:
        raise DemoError(type(exc).__name__) from exc
    inbox: DemoInbox | None = None
    try:
        signing = SigningKey.generate()
        identity = keygen.generate_x25519()
        recipient = str(identity.recipient())
        signing_path = folder / SIGNING_KEY_FILE
        identity_path = folder / IDENTITY_FILE
        save_key(signing_path, signing.secret_text(), public=str(signing.verify_key()),
                 protection=Protection.NONE)
        save_key(identity_path,
                 "# DEMO ONLY: this key is not protected. Never use it for real material.\n"
                 + format_identity_file(identity, recipient, dt.datetime.now(dt.UTC)),
                 public=recipient, protection=Protection.NONE)

        inbox = DemoInbox(folder / "inbox")
        inbox.start()
        issued = today or dt.datetime.now(dt.UTC).date()
        card = create_card(signing, name=DEMO_ORG_NAME, recipients=[recipient],
                           endpoints=[TusEndpoint(inbox.url)], issued=issued,
                           expires=issued + DEMO_VALIDITY)
        card_path = folder / CARD_FILE
        write_private_file(card_path, card.armored().encode("utf-8"))

        # A separate state for the demo, so the real trusted list and outbox are never
        # touched. Its key comes from a random passphrase kept only in memory, with
        # the cheapest derivation: the folder is deleted when the demo ends anyway.
        app_dir = folder / "app"
        app_dir.mkdir(mode=0o700)
        store = PassphraseStateKeyStore(app_dir / "state.salt", secrets.token_hex(16),
                                        opslimit=1, memlimit=8192)
        state = AppState(app_dir, store)
        state.pins().import_card(card, today=issued)
        opened = folder / "opened"
        opened.mkdir(mode=0o700)
    except BaseException as exc:
        if inbox is not None:
            inbox.stop()
        with contextlib.suppress(OSError, DemoError):
            _remove_demo_folder(folder)
        if isinstance(exc, SubmitterError):
            raise
        if isinstance(exc, OSError):
            raise DemoError(type(exc).__name__) from exc
        raise
    return Demo(folder, card, signing_path, identity_path, card_path, inbox, state, opened)
