"""The source's app state, Qt-free: where it lives and the key that seals it.

The desktop app builds one ``AppState`` at its composition root and hands it
to the pages; tests build their own over a temporary folder. Nothing here
touches the key store or the disk until asked (``pins()``), and callers run
those calls on a worker thread.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from crypto.pins import PinStore
from crypto.statekey import (
    KeyringStateKeyStore,
    KeyStoreUnavailableError,
    PassphraseStateKeyStore,
    StateKey,
    StateKeyStore,
    keyring_available,
    overwrite_and_remove,
)
from submitter.outbox.keystore import ENV_PASSPHRASE
from submitter.outbox.paths import data_dir as default_data_dir
from submitter.outbox.queue import Outbox

# The same files `submitter card import` uses, so the app and the command line
# share one list of trusted organisations and one state key.
PIN_FILE = "trust.sealed"
SALT_FILE = "state.salt"


@dataclass
class AppState:
    data_dir: Path
    # None: no OS key store and no passphrase yet; ``use_passphrase`` sets one.
    state_key_store: StateKeyStore | None
    _key: StateKey | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _outbox: Outbox | None = field(default=None, init=False, repr=False)

    def state_key(self) -> StateKey:
        """The state key, loaded (or created) once; blocking: call from a worker."""
        with self._lock:
            if self._key is None:
                if self.state_key_store is None:
                    raise KeyStoreUnavailableError("no key store and no passphrase")
                self._key = self.state_key_store.load_or_create()
            return self._key

    def use_passphrase(self, passphrase: str) -> None:
        """Where there is no OS key store: derive the state key from a passphrase."""
        with self._lock:
            self.state_key_store = PassphraseStateKeyStore(self.data_dir / SALT_FILE, passphrase)
            self._key = None

    def has_pins(self) -> bool:
        """Whether anything was ever pinned (answers without the key store)."""
        return (self.data_dir / PIN_FILE).exists()

    def pins(self) -> PinStore:
        return PinStore(self.data_dir / PIN_FILE, self.state_key())

    def outbox(self) -> Outbox:
        """The one outbox over this data folder, opened on first use (blocking: call
        from a worker). One instance for the whole app: each open outbox holds a
        shared lock on its parts folder, and leftovers of a crash are removed
        only by an opener that finds itself alone, so one instance keeps that
        sweep possible at start-up."""
        with self._lock:
            store = self.state_key_store
            if store is None:
                raise KeyStoreUnavailableError("no key store and no passphrase")
            if self._outbox is None or self._outbox._key_store is not store:
                if self._outbox is not None:
                    self._outbox.close()
                self._outbox = Outbox(store, self.data_dir)
            return self._outbox

    def close(self) -> None:
        """Close the outbox if it was opened (at exit, once workers are joined)."""
        with self._lock:
            if self._outbox is not None:
                self._outbox.close()
                self._outbox = None

    def wipe(self) -> None:
        """Quick delete of the trusted list: overwrite the sealed file, destroy the key.

        Blocking (disk and key store): call from a worker.
        """
        overwrite_and_remove(self.data_dir / PIN_FILE)
        with self._lock:
            self._key = None
            if self.state_key_store is not None:
                self.state_key_store.destroy()


    def quick_delete(self) -> None:
        """Erase everything the source's side keeps, then destroy the state key.

        The outbox (parts, queue and journals), the trusted list and the
        passphrase salt are overwritten or removed; the key that sealed them is
        destroyed last, so whatever flash storage keeps behind stays sealed.
        Works whether or not the outbox was ever opened in this run, and even
        when the key store is locked. Blocking: call with no seal running.
        """
        with self._lock:
            outbox, self._outbox = self._outbox, None
            self._key = None
            store = self.state_key_store
        if outbox is not None:
            outbox.close()
        outbox_dir = self.data_dir / "outbox"
        if outbox_dir.is_dir():
            for path in sorted(outbox_dir.rglob("*"), reverse=True):
                if path.is_file() and not path.is_symlink():
                    overwrite_and_remove(path)
                elif path.is_dir():
                    path.rmdir()
                else:
                    path.unlink(missing_ok=True)
            outbox_dir.rmdir()
        overwrite_and_remove(self.data_dir / PIN_FILE)
        if store is not None:
            store.destroy()
        overwrite_and_remove(self.data_dir / SALT_FILE)


def default_app_state() -> AppState:
    """$SUBMITTER_DATA_DIR or the platform's data folder; the OS key store when usable."""
    folder = default_data_dir()
    store: StateKeyStore | None = None
    passphrase = os.environ.get(ENV_PASSPHRASE)
    if passphrase is not None:
        store = PassphraseStateKeyStore(folder / SALT_FILE, passphrase)
    elif keyring_available():
        store = KeyringStateKeyStore()
    return AppState(folder, store)

