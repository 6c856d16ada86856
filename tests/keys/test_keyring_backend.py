"""The OS key store backend against a real Secret Service (gnome-keyring).

Run under `dbus-run-session -- bash tests/with_keyring.sh ...` (as `make test`
does). Without a reachable Secret Service these tests FAIL, never skip: the
source's protection at rest depends on this path working.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import keyring
import pytest

from crypto import keystore
from crypto.keystore import KeyKind, Protection
from crypto.signing import SigningKey
from crypto.statekey import KeyringStateKeyStore, StateKeyError, keyring_available
from tests.keys.conftest import run_cli


@pytest.fixture(autouse=True)
def require_secret_service() -> None:
    backend = keyring.get_keyring()
    assert keyring_available(), (
        f"no usable keyring backend ({backend!r}); run under "
        "`dbus-run-session -- bash tests/with_keyring.sh ...`"
    )
    assert "SecretService" in type(backend).__module__ + type(backend).__name__, backend


def _service() -> str:
    return "app-state-test-" + secrets.token_hex(4)


def test_state_key_created_once_and_kept() -> None:
    store = KeyringStateKeyStore(service=_service(), username="k")
    try:
        first = store.load_or_create()
        second = KeyringStateKeyStore(service=store._service, username="k").load_or_create()
        assert first == second
        assert second.open(first.seal(b"pins")) == b"pins"
    finally:
        store.destroy()


def test_state_key_destroy_makes_sealed_data_unreadable() -> None:
    store = KeyringStateKeyStore(service=_service(), username="k")
    sealed = store.load_or_create().seal(b"the organisation's name")
    store.destroy()
    assert keyring.get_password(store._service, "k") is None
    store.destroy()  # deleting twice is fine
    try:
        with pytest.raises(StateKeyError):
            store.load_or_create().open(sealed)
    finally:
        store.destroy()


def test_default_service_name_is_neutral() -> None:
    store = KeyringStateKeyStore()
    for text in (store._service, store._username):
        lowered = text.lower()
        assert "submitter" not in lowered and "ngo" not in lowered and "pin" not in lowered


def test_keyring_protected_signing_key(tmp_path: Path) -> None:
    key = SigningKey.generate()
    path = tmp_path / "keys" / "org-signing.key"
    keystore.save_key(path, key.secret_text(), public=str(key.verify_key()),
                      protection=Protection.KEYRING)
    data = path.read_bytes()
    # The file names the entry and the public key, never the secret.
    assert key.secret_text().splitlines()[-1].encode() not in data
    assert str(key.verify_key()).encode() in data
    assert keystore.protection_of(path) is Protection.KEYRING
    loaded = keystore.load_signing_key(path)
    assert loaded.verify_key() == key.verify_key()
    ref = keystore._keyring_ref(data)
    assert ref is not None
    assert keyring.get_password(*ref) == key.secret_text()
    # Moving it to a passphrase removes the key store entry.
    keystore.change_protection(path, Protection.PASSPHRASE, new_passphrase=lambda: "pw",
                               work_factor=10)
    assert keyring.get_password(*ref) is None
    assert keystore.load_signing_key(path, lambda: "pw").verify_key() == key.verify_key()


def test_missing_keyring_entry_is_a_clear_error(tmp_path: Path) -> None:
    key = SigningKey.generate()
    path = tmp_path / "k"
    keystore.save_key(path, key.secret_text(), public="x", protection=Protection.KEYRING)
    ref = keystore._keyring_ref(path.read_bytes())
    assert ref is not None
    keystore.delete_keyring_entry(*ref)
    with pytest.raises(keystore.KeyringEntryMissingError):
        keystore.read_secret(path)


def test_cli_identity_in_keyring_and_back(tmp_path: Path) -> None:
    data = tmp_path / "data"
    key = tmp_path / "staff.key"
    res = run_cli(["keys", "new-identity", "--protect", "keyring", "-o", str(key)], data_dir=data)
    assert res.rc == 0, res.err
    recipient = res.err.split("Public key: ")[1].split()[0]
    assert "AGE-SECRET-KEY" not in res.out + res.err + key.read_text()
    res = run_cli(["keys", "export-recipient", str(key)], data_dir=data)
    assert res.rc == 0 and res.out.strip() == recipient
    res = run_cli(["keys", "list"], data_dir=data)
    assert res.rc == 0 and "keyring" in res.out and recipient in res.out
    assert "AGE-SECRET-KEY" not in res.out
    # keyring -> passphrase -> keyring, the recipient never changes
    res = run_cli(["keys", "change-protection", str(key), "--to", "passphrase",
                   "--new-passphrase-fd", "{new}", "--work-factor", "10"],
                  data_dir=data, fds={"new": "s3cret\n"})
    assert res.rc == 0, res.err
    assert keystore.protection_of(key) is Protection.PASSPHRASE
    res = run_cli(["keys", "change-protection", str(key), "--to", "keyring",
                   "--passphrase-fd", "{old}"], data_dir=data, fds={"old": "s3cret\n"})
    assert res.rc == 0, res.err
    assert keystore.protection_of(key) is Protection.KEYRING
    info = keystore.describe(key)
    assert info.kind is KeyKind.IDENTITY and info.public == recipient


def test_cli_source_import_uses_the_os_key_store(tmp_path: Path) -> None:
    """No --passphrase-fd: the pin store's key comes from the Secret Service."""
    from crypto.statekey import DEFAULT_SERVICE, DEFAULT_USERNAME
    from tests.keys.conftest import new_org

    card = tmp_path / "card.txt"
    org = new_org("Keyring Test Org")
    card.write_text(org.card(issued=__import__("datetime").date.today()).armored())
    data = tmp_path / "source"
    res = run_cli(["card", "import", str(card)], data_dir=data)
    assert res.rc == 0, res.err
    assert keyring.get_password(DEFAULT_SERVICE, DEFAULT_USERNAME) is not None
    assert not (data / "state.salt").exists()  # no passphrase path was taken
    res = run_cli(["card", "pinned"], data_dir=data)
    assert res.rc == 0 and "Keyring Test Org" in res.out
    assert b"Keyring Test Org" not in (data / "trust.sealed").read_bytes()
