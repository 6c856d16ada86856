"""The state key: sealing, and the passphrase (file) backend."""

from __future__ import annotations

import stat
import struct
from pathlib import Path

import nacl.pwhash.argon2id as argon2id
import pytest

from crypto.errors import CryptoError, PassphraseError
from crypto.statekey import PassphraseStateKeyStore, StateKey, StateKeyError

FAST = {"opslimit": argon2id.OPSLIMIT_MIN, "memlimit": argon2id.MEMLIMIT_MIN}


def test_seal_open_roundtrip_with_aad() -> None:
    key = StateKey.generate()
    sealed = key.seal(b"outbox row 7", aad=b"row:7")
    assert b"outbox row 7" not in sealed
    assert key.open(sealed, aad=b"row:7") == b"outbox row 7"
    # Random nonce: sealing twice gives different bytes.
    assert key.seal(b"x") != key.seal(b"x")


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(lambda b: b[:-1], id="truncated"),
        pytest.param(lambda b: b[:10], id="too-short"),
        pytest.param(lambda b: b"\x02" + b[1:], id="version"),
        pytest.param(lambda b: b[:30] + bytes([b[30] ^ 1]) + b[31:], id="bit-flip"),
        pytest.param(lambda b: b + b"\x00", id="extended"),
    ],
)
def test_open_refuses_damage(mutate: object) -> None:
    key = StateKey.generate()
    sealed = key.seal(b"secret state", aad=b"a")
    with pytest.raises(StateKeyError) as info:
        key.open(mutate(sealed), aad=b"a")  # type: ignore[operator]
    assert isinstance(info.value, CryptoError)
    assert "could not be opened" in info.value.message


def test_open_refuses_wrong_key_and_wrong_aad() -> None:
    key = StateKey.generate()
    sealed = key.seal(b"data", aad=b"row:1")
    with pytest.raises(StateKeyError):
        StateKey.generate().open(sealed, aad=b"row:1")
    with pytest.raises(StateKeyError):
        key.open(sealed, aad=b"row:2")


def test_repr_hides_key() -> None:
    key = StateKey.generate()
    assert key.to_bytes().hex() not in repr(key)


def test_passphrase_store_creates_private_salt_and_reloads(tmp_path: Path) -> None:
    salt = tmp_path / "new-dir" / "state.salt"
    first = PassphraseStateKeyStore(salt, "correct horse", **FAST).load_or_create()
    assert stat.S_IMODE(salt.stat().st_mode) == 0o600
    assert stat.S_IMODE(salt.parent.stat().st_mode) == 0o700
    again = PassphraseStateKeyStore(salt, "correct horse").load_or_create()
    assert again == first
    sealed = first.seal(b"pins")
    assert again.open(sealed) == b"pins"


def test_passphrase_store_wrong_passphrase(tmp_path: Path) -> None:
    salt = tmp_path / "state.salt"
    PassphraseStateKeyStore(salt, "right", **FAST).load_or_create()
    with pytest.raises(PassphraseError) as info:
        PassphraseStateKeyStore(salt, "wrong").load_or_create()
    assert info.value.message == PassphraseError.message


def test_passphrase_store_destroy_makes_old_data_unreadable(tmp_path: Path) -> None:
    salt = tmp_path / "state.salt"
    store = PassphraseStateKeyStore(salt, "pw", **FAST)
    sealed = store.load_or_create().seal(b"who the source talks to")
    store.destroy()
    assert not salt.exists()
    store.destroy()  # idempotent
    fresh = PassphraseStateKeyStore(salt, "pw", **FAST).load_or_create()
    with pytest.raises(StateKeyError):
        fresh.open(sealed)


@pytest.mark.parametrize(
    ("ops", "mem"),
    [(1000, argon2id.MEMLIMIT_MIN), (1, 64 << 30), (0, argon2id.MEMLIMIT_MIN)],
    ids=["huge-ops", "huge-mem", "zero-ops"],
)
def test_planted_salt_file_with_costly_parameters_is_refused(
    tmp_path: Path, ops: int, mem: int
) -> None:
    salt = tmp_path / "state.salt"
    PassphraseStateKeyStore(salt, "pw", **FAST).load_or_create()
    data = bytearray(salt.read_bytes())
    struct.pack_into(">IQ", data, 4, ops, mem)
    salt.write_bytes(bytes(data))
    with pytest.raises(StateKeyError):
        PassphraseStateKeyStore(salt, "pw").load_or_create()


def test_damaged_salt_file(tmp_path: Path) -> None:
    salt = tmp_path / "state.salt"
    salt.write_bytes(b"ASK1short")
    with pytest.raises(StateKeyError):
        PassphraseStateKeyStore(salt, "pw").load_or_create()


def test_empty_passphrase_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PassphraseError):
        PassphraseStateKeyStore(tmp_path / "s", "")
    assert not (tmp_path / "s").exists()


def test_state_key_is_not_hashable() -> None:
    with pytest.raises(TypeError):
        {StateKey.generate()}
