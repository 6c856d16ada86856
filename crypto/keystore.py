"""Private keys at rest on the NGO side: a passphrase-encrypted age file, or
the operating system's key store through ``keyring``.

A key file is one of three things, recognised from its content:

- ``passphrase``: an armored age file encrypted to an scrypt recipient whose
  plaintext is the secret text (an age identity file, or a signing key), so
  ``age -d -i key.age`` opens bundles with an identity stored this way;
- ``keyring``: a short text file that names an entry in the OS key store
  (``SUBMITTER-KEYRING-REF-V1:...``) plus the public key as a comment; the
  secret text is the entry's value;
- ``none``: the plain secret text (as ``age-keygen`` writes it).

Files are 0600 in 0700 folders; secrets never reach stdout, logs or errors.
"""

from __future__ import annotations

import enum
import json
import os
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from crypto.errors import CryptoError, KeyFormatError, PassphraseError
from crypto.recipients.base import Identity
from crypto.signing import SECRET_PREFIX as SIGNING_PREFIX
from crypto.signing import SigningKey
from crypto.statekey import KeyStoreUnavailableError, keyring_available, write_private_file

PassphraseSource = Callable[[], str]

KEYRING_SERVICE = "submitter-ngo-keys"
_REF_PREFIX = "SUBMITTER-KEYRING-REF-V1:"
_REF = re.compile(re.escape(_REF_PREFIX) + r"([A-Za-z0-9._-]{1,64}):([0-9a-f]{32})")
MAX_KEY_FILE = 1024 * 1024
DEFAULT_WORK_FACTOR = 18


class Protection(enum.Enum):
    PASSPHRASE = "passphrase"  # noqa: S105 - a method name, not a secret
    KEYRING = "keyring"
    NONE = "none"


class KeyKind(enum.Enum):
    SIGNING = "signing"
    IDENTITY = "identity"


class KeyFileError(CryptoError):
    message = "The key file could not be read or written."


class KeyFileExistsError(KeyFileError):
    message = "A file with that name exists already; it was left untouched."


class KeyringEntryMissingError(CryptoError):
    message = "The key this file refers to is no longer in the system's key store."


class EmptyPassphraseError(PassphraseError):
    message = "An empty passphrase is not allowed."


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """Public facts about a stored key; never the secret."""

    path: Path
    kind: KeyKind
    public: str
    protection: Protection


# --- writing ----------------------------------------------------------------------


def _require(passphrase: PassphraseSource | None) -> str:
    if passphrase is None:
        raise PassphraseError("a passphrase is needed")
    value = passphrase()
    if not value:
        raise EmptyPassphraseError()
    return value


def _keyring() -> ModuleType:
    if not keyring_available():
        raise KeyStoreUnavailableError("no usable keyring backend")
    import keyring

    return keyring


def protect(
    secret_text: str,
    protection: Protection,
    *,
    public: str,
    passphrase: PassphraseSource | None = None,
    work_factor: int = DEFAULT_WORK_FACTOR,
) -> bytes:
    """The content of a key file holding ``secret_text`` protected as asked."""
    if protection is Protection.NONE:
        return secret_text.encode("utf-8")
    if protection is Protection.PASSPHRASE:
        from crypto.age import encrypt_bytes
        from crypto.recipients.scrypt import ScryptRecipient

        recipient = ScryptRecipient(_require(passphrase), work_factor=work_factor)
        return encrypt_bytes(secret_text.encode("utf-8"), [recipient], armor=True)
    import keyring.errors

    kr = _keyring()
    entry = secrets.token_hex(16)
    try:
        kr.set_password(KEYRING_SERVICE, entry, secret_text)
    except keyring.errors.KeyringError as exc:
        raise KeyStoreUnavailableError(type(exc).__name__) from exc
    return (
        "# This key is held in the system key store; this file only names it.\n"
        f"# public key: {public}\n"
        f"{_REF_PREFIX}{KEYRING_SERVICE}:{entry}\n"
    ).encode("ascii")


def save_key(
    path: Path,
    secret_text: str,
    *,
    public: str,
    protection: Protection,
    passphrase: PassphraseSource | None = None,
    work_factor: int = DEFAULT_WORK_FACTOR,
    overwrite: bool = False,
) -> None:
    path = Path(path)
    if path.exists() and not overwrite:
        raise KeyFileExistsError()
    data = protect(
        secret_text, protection, public=public, passphrase=passphrase, work_factor=work_factor
    )
    try:
        write_private_file(path, data)
    except OSError as exc:
        ref = _keyring_ref(data)
        if ref is not None:  # do not leave an orphaned secret in the key store
            delete_keyring_entry(*ref)
        raise KeyFileError(type(exc).__name__) from exc


# --- reading ----------------------------------------------------------------------


def _read(path: Path) -> bytes:
    try:
        if Path(path).stat().st_size > MAX_KEY_FILE:
            raise KeyFileError("too large")
        return Path(path).read_bytes()
    except OSError as exc:
        raise KeyFileError(type(exc).__name__) from exc


def _is_age(untrusted: bytes) -> bool:
    head = untrusted.lstrip(b" \t\r\n")
    return head.startswith(b"age-encryption.org/") or head.startswith(
        b"-----BEGIN AGE ENCRYPTED FILE-----"
    )


def _keyring_ref(untrusted: bytes) -> tuple[str, str] | None:
    try:
        text = untrusted.decode("utf-8")
    except UnicodeDecodeError:
        return None
    for line in text.splitlines():
        m = _REF.fullmatch(line.strip())
        if m is not None:
            return m.group(1), m.group(2)
    return None


def protection_of(path: Path) -> Protection:
    data = _read(path)
    if _is_age(data):
        return Protection.PASSPHRASE
    if _keyring_ref(data) is not None:
        return Protection.KEYRING
    return Protection.NONE


def read_secret(path: Path, passphrase: PassphraseSource | None = None) -> str:
    """The secret text of a key file; asks for the passphrase only if needed."""
    untrusted = _read(path)
    if _is_age(untrusted):
        from crypto.age import decrypt_bytes
        from crypto.errors import NoIdentityMatchError
        from crypto.recipients.scrypt import ScryptIdentity

        try:
            plain = decrypt_bytes(untrusted, [ScryptIdentity(_require(passphrase))])
        except NoIdentityMatchError as exc:
            raise PassphraseError("wrong passphrase") from exc
        except PassphraseError:
            raise
        except CryptoError as exc:
            raise PassphraseError(type(exc).__name__) from exc
        return _text(plain)
    ref = _keyring_ref(untrusted)
    if ref is not None:
        import keyring.errors

        kr = _keyring()
        try:
            value = kr.get_password(*ref)
        except keyring.errors.KeyringError as exc:
            raise KeyStoreUnavailableError(type(exc).__name__) from exc
        if value is None:
            raise KeyringEntryMissingError()
        return str(value)
    return _text(untrusted)


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise KeyFormatError("key file is not text") from exc


def kind_of_secret(secret_text: str) -> KeyKind:
    if SIGNING_PREFIX in secret_text:
        return KeyKind.SIGNING
    return KeyKind.IDENTITY


def load_signing_key(path: Path, passphrase: PassphraseSource | None = None) -> SigningKey:
    return SigningKey.from_secret_text(read_secret(path, passphrase))


def load_identities(path: Path, passphrase: PassphraseSource | None = None) -> list[Identity]:
    from crypto.identity_file import parse_identity_file

    return parse_identity_file(read_secret(path, passphrase).encode("utf-8"), None)


def public_of_secret(secret_text: str) -> list[str]:
    """Public forms: the signing key, or one recipient per identity."""
    if kind_of_secret(secret_text) is KeyKind.SIGNING:
        return [str(SigningKey.from_secret_text(secret_text).verify_key())]
    from crypto.identity_file import parse_identity_file

    out: list[str] = []
    for ident in parse_identity_file(secret_text.encode("utf-8"), None):
        recipient = getattr(ident, "recipient", None)
        if recipient is None:
            raise KeyFormatError("identity type has no recipient form")
        out.append(str(recipient()))
    return out


def change_protection(
    path: Path,
    to: Protection,
    *,
    passphrase: PassphraseSource | None = None,
    new_passphrase: PassphraseSource | None = None,
    work_factor: int = DEFAULT_WORK_FACTOR,
) -> KeyInfo:
    """Re-protect a key file in place; an old key store entry is removed after."""
    old_ref = _keyring_ref(_read(path))
    secret_text = read_secret(path, passphrase)
    public = public_of_secret(secret_text)
    save_key(
        path, secret_text, public=", ".join(public), protection=to,
        passphrase=new_passphrase, work_factor=work_factor, overwrite=True,
    )
    if old_ref is not None and _keyring_ref(_read(path)) != old_ref:
        delete_keyring_entry(*old_ref)
    return KeyInfo(Path(os.path.abspath(path)), kind_of_secret(secret_text), ", ".join(public), to)


def delete_keyring_entry(service: str, entry: str) -> None:
    import keyring.errors

    kr = _keyring()
    try:
        kr.delete_password(service, entry)
    except keyring.errors.PasswordDeleteError:
        pass
    except keyring.errors.KeyringError as exc:
        raise KeyStoreUnavailableError(type(exc).__name__) from exc


# --- the index of known key files (public facts only) ------------------------------


class KeyIndex:
    """Which key files this tool created, with their public keys, for ``keys list``."""

    def __init__(self, path: Path) -> None:
        self._path = Path(path)

    def entries(self) -> list[KeyInfo]:
        try:
            raw = self._path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise KeyFileError(type(exc).__name__) from exc
        try:
            doc = json.loads(raw.decode("utf-8"))
            return [
                KeyInfo(Path(e["path"]), KeyKind(e["kind"]), str(e["public"]),
                        Protection(e["protection"]))
                for e in doc["keys"]
            ]
        except (ValueError, KeyError, TypeError) as exc:
            raise KeyFileError("key index damaged") from exc

    def add(self, info: KeyInfo) -> None:
        kept = [e for e in self.entries() if e.path != info.path]
        self._write([*kept, info])

    def _write(self, infos: Sequence[KeyInfo]) -> None:
        doc = {
            "keys": [
                {"path": str(i.path), "kind": i.kind.value, "public": i.public,
                 "protection": i.protection.value}
                for i in infos
            ]
        }
        try:
            write_private_file(self._path, json.dumps(doc, indent=1).encode("utf-8"))
        except OSError as exc:
            raise KeyFileError(type(exc).__name__) from exc


def describe(path: Path, passphrase: PassphraseSource | None = None) -> KeyInfo:
    secret_text = read_secret(path, passphrase)
    return KeyInfo(
        Path(os.path.abspath(path)), kind_of_secret(secret_text),
        ", ".join(public_of_secret(secret_text)), protection_of(path),
    )
