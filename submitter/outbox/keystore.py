"""Which StateKeyStore the source side uses: the OS key store when there is one,
else a passphrase (from $SUBMITTER_STATE_PASSPHRASE for scripts, or asked for)."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from crypto.statekey import (
    KeyringStateKeyStore,
    KeyStoreUnavailableError,
    PassphraseStateKeyStore,
    StateKeyStore,
    keyring_available,
)

ENV_PASSPHRASE = "SUBMITTER_STATE_PASSPHRASE"  # noqa: S105 - a variable name


def default_key_store(data_dir: Path, *, interactive: bool = True) -> StateKeyStore:
    passphrase = os.environ.get(ENV_PASSPHRASE)
    if passphrase is None and keyring_available():
        return KeyringStateKeyStore()
    if passphrase is None:
        if not interactive:
            raise KeyStoreUnavailableError("no key store and no passphrase")
        passphrase = getpass.getpass("Passphrase that protects the app's records: ")
    return PassphraseStateKeyStore(data_dir / "state.salt", passphrase)
