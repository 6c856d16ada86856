"""Quick delete at the core: the outbox, the trusted list and the key are gone."""

from __future__ import annotations

from pathlib import Path

import pytest
from nacl.pwhash import argon2id

from crypto.card import create_card
from crypto.errors import CryptoError
from crypto.recipients.x25519 import X25519Identity
from crypto.signing import SigningKey
from crypto.statekey import PassphraseStateKeyStore
from submitter.app_state import PIN_FILE, SALT_FILE, AppState
from submitter.outbox.queue import Destination

ORG = "Quick Delete Test Organisation"


def _state(folder: Path) -> AppState:
    store = PassphraseStateKeyStore(
        folder / SALT_FILE,
        "a passphrase for the test",
        opslimit=argon2id.OPSLIMIT_MIN,
        memlimit=argon2id.MEMLIMIT_MIN,
    )
    return AppState(folder, store)


def _fill(state: AppState) -> Path:
    card = create_card(
        SigningKey.generate(), name=ORG, recipients=[str(X25519Identity.generate().recipient())]
    )
    state.pins().import_card(card)
    outbox = state.outbox()
    part = outbox.new_part_path()
    part.write_bytes(b"ciphertext stand-in " * 100)
    outbox.enqueue(part, Destination.parse("tus:https://inbox.example.org/files/"))
    return part


def test_quick_delete_erases_everything(tmp_path: Path) -> None:
    state = _state(tmp_path)
    part = _fill(state)
    assert part.exists() and (tmp_path / PIN_FILE).exists() and (tmp_path / SALT_FILE).exists()

    state.quick_delete()

    left = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    assert left == []


def test_after_quick_delete_old_state_cannot_be_opened(tmp_path: Path) -> None:
    state = _state(tmp_path)
    _fill(state)
    sealed_pins = (tmp_path / PIN_FILE).read_bytes()
    state.quick_delete()
    # Even a copy of the sealed file taken before (flash remnants) stays
    # sealed: the same passphrase now makes a new, different key.
    (tmp_path / PIN_FILE).write_bytes(sealed_pins)
    again = _state(tmp_path)
    with pytest.raises(CryptoError):
        again.pins().pins()


def test_same_key_would_open_the_copy(tmp_path: Path) -> None:
    # The control for the test above: without quick delete the copy opens.
    state = _state(tmp_path)
    _fill(state)
    sealed_pins = (tmp_path / PIN_FILE).read_bytes()
    (tmp_path / PIN_FILE).write_bytes(sealed_pins)
    assert [p.name for p in _state(tmp_path).pins().pins()] == [ORG]


def test_quick_delete_without_outbox_opened(tmp_path: Path) -> None:
    state = _state(tmp_path)
    _fill(state)
    # A fresh run of the app that never opened the outbox still erases it.
    fresh = _state(tmp_path)
    fresh.quick_delete()
    assert not any(tmp_path.iterdir())
