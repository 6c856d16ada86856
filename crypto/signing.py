"""The organisation's long-term Ed25519 signing key (libsodium via PyNaCl).

It speaks for the organisation: it signs recipient cards and hand-overs to a
successor key. The secret travels only as its text form, which
``crypto.keystore`` protects at rest (passphrase-encrypted age file or the OS
key store); it is never printed.

Text forms:
- secret: ``SUBMITTER-SIGNING-KEY-V1:`` followed by the base64url 32-byte seed,
- public: ``ed25519:`` followed by the base64url 32-byte public key.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re

import nacl.exceptions
import nacl.signing

from crypto.errors import CryptoError, KeyFormatError

SECRET_PREFIX = "SUBMITTER-SIGNING-KEY-V1:"  # noqa: S105 - a prefix
PUBLIC_PREFIX = "ed25519:"
_B64URL_32 = re.compile(r"[A-Za-z0-9_-]{43}")


class SignatureError(CryptoError):
    message = "The signature does not match: the data was altered or signed by another key."


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64url_32(untrusted: str) -> bytes:
    if not _B64URL_32.fullmatch(untrusted):
        raise KeyFormatError("expected 43 base64url characters")
    try:
        raw = base64.urlsafe_b64decode(untrusted + "=")
    except (binascii.Error, ValueError) as exc:
        raise KeyFormatError("bad base64url") from exc
    if len(raw) != 32 or _b64url(raw) != untrusted:  # canonical encoding only
        raise KeyFormatError("non-canonical base64url")
    return raw


class VerifyKey:
    """An Ed25519 public key."""

    __slots__ = ("_raw",)

    def __init__(self, raw: bytes) -> None:
        if len(raw) != 32:
            raise KeyFormatError("an Ed25519 public key is 32 bytes")
        self._raw = bytes(raw)

    @classmethod
    def from_text(cls, untrusted: str) -> VerifyKey:
        if not untrusted.startswith(PUBLIC_PREFIX):
            raise KeyFormatError("not an ed25519: public key")
        return cls(_unb64url_32(untrusted[len(PUBLIC_PREFIX) :]))

    @property
    def raw(self) -> bytes:
        return self._raw

    def __str__(self) -> str:
        return PUBLIC_PREFIX + _b64url(self._raw)

    def __repr__(self) -> str:
        return f"VerifyKey({self})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, VerifyKey) and hmac.compare_digest(self._raw, other._raw)

    def __hash__(self) -> int:
        return hash(self._raw)

    def verify(self, message: bytes, signature: bytes) -> None:
        """Raise SignatureError unless ``signature`` is this key's over ``message``."""
        if len(signature) != 64:
            raise SignatureError("an Ed25519 signature is 64 bytes")
        try:
            nacl.signing.VerifyKey(self._raw).verify(message, signature)
        except (nacl.exceptions.BadSignatureError, nacl.exceptions.CryptoError) as exc:
            raise SignatureError("bad signature") from exc


class SigningKey:
    """An Ed25519 secret key. ``repr`` never shows the secret."""

    __slots__ = ("_key",)

    def __init__(self, seed: bytes) -> None:
        if len(seed) != 32:
            raise KeyFormatError("an Ed25519 seed is 32 bytes")
        self._key = nacl.signing.SigningKey(seed)

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(bytes(nacl.signing.SigningKey.generate()))

    @classmethod
    def from_secret_text(cls, untrusted: str) -> SigningKey:
        """Parse the secret form; comment lines (``#``) and blank lines are ignored."""
        lines = [
            ln.strip() for ln in untrusted.splitlines() if ln.strip() and not ln.startswith("#")
        ]
        if len(lines) != 1 or not lines[0].startswith(SECRET_PREFIX):
            raise KeyFormatError("not a signing key file")
        return cls(_unb64url_32(lines[0][len(SECRET_PREFIX) :]))

    def secret_text(self) -> str:
        """The full secret file content, with the public key as a comment."""
        return (
            "# submitter organisation signing key (Ed25519). Keep it secret.\n"
            f"# public key: {self.verify_key()}\n"
            f"{SECRET_PREFIX}{_b64url(bytes(self._key))}\n"
        )

    def verify_key(self) -> VerifyKey:
        return VerifyKey(bytes(self._key.verify_key))

    def sign(self, message: bytes) -> bytes:
        return bytes(self._key.sign(message).signature)

    def __repr__(self) -> str:
        return f"SigningKey(public={self.verify_key()})"
