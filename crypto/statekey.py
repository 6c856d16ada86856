"""The key that seals the source's app state at rest (pins, outbox index).

A seized laptop must not reveal which organisation the source talks to, so
everything the app keeps about it is sealed with one 32-byte key. That key
lives in the operating system's key store (through ``keyring``) or, where
there is none (Tails, a bare Linux session), is derived from a passphrase the
source chooses with Argon2id and a salt file. Deleting the key (``destroy``)
is the quick wipe: whatever stays behind on flash storage is unreadable.

Sealed format: one version byte, a 24-byte random nonce, then
XChaCha20-Poly1305 ciphertext and tag. The version byte is authenticated too.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import secrets
import struct
from pathlib import Path
from typing import Protocol

import nacl.bindings as sodium
import nacl.exceptions
import nacl.pwhash.argon2id as argon2id
import nacl.utils

from crypto.errors import CryptoError, PassphraseError

KEY_BYTES = 32
_NONCE_BYTES = 24
_TAG_BYTES = 16
_VERSION = b"\x01"

DEFAULT_SERVICE = "app-state"
DEFAULT_USERNAME = "state-key-1"


class StateKeyError(CryptoError):
    message = (
        "The app's saved data could not be opened: it was altered or damaged, "
        "or the key is wrong."
    )


class KeyStoreUnavailableError(CryptoError):
    message = "The system's key store is not available; choose a passphrase instead."


class StateKey:
    """A 32-byte XChaCha20-Poly1305 key. Never printed (no useful repr)."""

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise StateKeyError("state key must be 32 bytes")
        self._key = bytes(key)

    @classmethod
    def generate(cls) -> StateKey:
        return cls(nacl.utils.random(KEY_BYTES))

    def __repr__(self) -> str:
        return "StateKey(<secret>)"

    def to_bytes(self) -> bytes:
        """The raw key, for the key store only."""
        return self._key

    def seal(self, plaintext: bytes, aad: bytes = b"") -> bytes:
        nonce = nacl.utils.random(_NONCE_BYTES)
        ct = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
            plaintext, _VERSION + aad, nonce, self._key
        )
        return _VERSION + nonce + ct

    def open(self, sealed: bytes, aad: bytes = b"") -> bytes:
        if len(sealed) < 1 + _NONCE_BYTES + _TAG_BYTES or sealed[:1] != _VERSION:
            raise StateKeyError("sealed blob too short or unknown version")
        nonce = sealed[1 : 1 + _NONCE_BYTES]
        try:
            return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
                sealed[1 + _NONCE_BYTES :], _VERSION + aad, nonce, self._key
            )
        except nacl.exceptions.CryptoError as exc:
            raise StateKeyError("authentication failed") from exc

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StateKey) and hmac.compare_digest(self._key, other._key)

    __hash__ = None  # type: ignore[assignment]  # secrets do not go into sets or dict keys


class StateKeyStore(Protocol):
    def load_or_create(self) -> StateKey: ...

    def destroy(self) -> None:
        """Quick delete: the key is gone, so remnants on flash are unreadable."""
        ...


def keyring_available() -> bool:
    """True when ``keyring`` has a real backend (not the fail/null ones)."""
    try:
        import keyring
        import keyring.backends.chainer
        import keyring.backends.fail
        import keyring.backends.null

        backend = keyring.get_keyring()
    except Exception:
        return False
    if isinstance(backend, keyring.backends.fail.Keyring | keyring.backends.null.Keyring):
        return False
    if isinstance(backend, keyring.backends.chainer.ChainerBackend):
        return bool(backend.backends)
    return float(backend.priority) > 0


class KeyringStateKeyStore:
    """The state key in the OS key store, under a neutral service name.

    The service and user names say nothing about the app or the organisation,
    since key store entries are listed in plain text by the desktop's tools.
    """

    def __init__(self, service: str = DEFAULT_SERVICE, username: str = DEFAULT_USERNAME) -> None:
        self._service = service
        self._username = username

    def load_or_create(self) -> StateKey:
        import keyring
        import keyring.errors

        if not keyring_available():
            raise KeyStoreUnavailableError("no usable keyring backend")
        try:
            stored = keyring.get_password(self._service, self._username)
            if stored is None:
                key = StateKey.generate()
                keyring.set_password(
                    self._service, self._username, base64.b64encode(key.to_bytes()).decode()
                )
                # Read back: some backends accept writes they cannot keep.
                stored = keyring.get_password(self._service, self._username)
                if stored is None:
                    raise KeyStoreUnavailableError("key store did not keep the key")
        except keyring.errors.KeyringError as exc:
            raise KeyStoreUnavailableError(type(exc).__name__) from exc
        try:
            raw = base64.b64decode(stored, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise StateKeyError("stored state key is not base64") from exc
        return StateKey(raw)

    def destroy(self) -> None:
        import keyring
        import keyring.errors

        try:
            keyring.delete_password(self._service, self._username)
        except keyring.errors.PasswordDeleteError:
            pass  # already gone: the goal is reached
        except keyring.errors.KeyringError as exc:
            raise KeyStoreUnavailableError(type(exc).__name__) from exc


# Salt file: magic, Argon2id opslimit (u32) and memlimit (u64), 16-byte salt,
# then a sealed check value so a wrong passphrase is reported as such.
_SALT_MAGIC = b"ASK1"
_SALT_HEADER = struct.Struct(">4sIQ16s")
_CHECK = b"state-key-check"


class PassphraseStateKeyStore:
    """The state key derived from a passphrase with Argon2id and a salt file."""

    def __init__(
        self,
        salt_path: Path,
        passphrase: str,
        *,
        opslimit: int = argon2id.OPSLIMIT_MODERATE,
        memlimit: int = argon2id.MEMLIMIT_MODERATE,
    ) -> None:
        if not passphrase:
            raise PassphraseError("an empty passphrase protects nothing")
        self._path = Path(salt_path)
        self._passphrase = passphrase.encode("utf-8")
        self._opslimit = opslimit
        self._memlimit = memlimit

    def _derive(self, salt: bytes, opslimit: int, memlimit: int) -> StateKey:
        try:
            raw = argon2id.kdf(KEY_BYTES, self._passphrase, salt, opslimit, memlimit)
        except (nacl.exceptions.CryptoError, ValueError, TypeError) as exc:
            raise StateKeyError("key derivation failed") from exc
        return StateKey(raw)

    def load_or_create(self) -> StateKey:
        if self._path.exists():
            return self._load()
        salt = nacl.utils.random(argon2id.SALTBYTES)
        key = self._derive(salt, self._opslimit, self._memlimit)
        header = _SALT_HEADER.pack(_SALT_MAGIC, self._opslimit, self._memlimit, salt)
        check = key.seal(_CHECK, aad=header)
        write_private_file(self._path, header + check)
        return key

    def _load(self) -> StateKey:
        try:
            untrusted = self._path.read_bytes()
        except OSError as exc:
            raise StateKeyError("salt file unreadable") from exc
        if len(untrusted) < _SALT_HEADER.size or len(untrusted) > 4096:
            raise StateKeyError("salt file has a wrong size")
        magic, ops, mem, salt = _SALT_HEADER.unpack_from(untrusted)
        header = untrusted[: _SALT_HEADER.size]
        # Bound the cost a planted salt file could impose.
        if magic != _SALT_MAGIC or not (1 <= ops <= 64) or not (8192 <= mem <= 4 << 30):
            raise StateKeyError("salt file header invalid")
        key = self._derive(salt, ops, mem)
        try:
            if key.open(untrusted[_SALT_HEADER.size :], aad=header) != _CHECK:
                raise PassphraseError("check value mismatch")
        except StateKeyError as exc:
            raise PassphraseError("check value failed to open") from exc
        return key

    def destroy(self) -> None:
        overwrite_and_remove(self._path)


def make_private_dirs(path: Path) -> None:
    """Create ``path`` and its missing parents with mode 0700.

    ``mkdir(parents=True)`` gives parents the umask's mode (often 0755), so each
    missing level is made here and set to 0700 explicitly. Folders that already
    exist keep their mode: they are the user's (a home, a chosen output folder).
    """
    missing: list[Path] = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            pass  # made by someone else meanwhile; left as it is
        else:
            os.chmod(folder, 0o700)
    if not path.is_dir():
        raise NotADirectoryError(str(path))


def write_private_file(path: Path, data: bytes) -> None:
    """Write ``data`` atomically to ``path``: missing parents 0700, file 0600.

    The temporary file has a fresh random name and is created exclusively
    without following links, so a leftover or planted file or link at the
    temporary name is never reused (its mode would survive the rename).
    """
    make_private_dirs(path.parent)
    tmp = path.with_name(f"{path.name}.{secrets.token_hex(8)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(tmp, flags, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def overwrite_and_remove(path: Path) -> None:
    """Overwrite ``path`` with random bytes, flush it to disk, then delete it; a missing
    file is not an error. Flash storage may keep old blocks anyway, which is why what
    these files hold is sealed by a key that is destroyed too."""
    try:
        size = path.stat().st_size
        with open(path, "r+b") as fh:
            fh.write(os.urandom(size))
            fh.flush()
            os.fsync(fh.fileno())
        path.unlink()
    except FileNotFoundError:
        pass
