"""The X25519 recipient type: ``age1...`` recipients and ``AGE-SECRET-KEY-1...`` identities."""

from __future__ import annotations

import os
from collections.abc import Sequence

from nacl.bindings import (
    crypto_aead_chacha20poly1305_ietf_decrypt,
    crypto_aead_chacha20poly1305_ietf_encrypt,
    crypto_scalarmult,
    crypto_scalarmult_base,
)
from nacl.exceptions import CryptoError as NaclCryptoError
from nacl.exceptions import RuntimeError as NaclRuntimeError

from crypto import bech32
from crypto.errors import HeaderError, KeyFormatError
from crypto.header import b64decode, b64encode, hkdf_sha256
from crypto.stanza import Stanza

STANZA_TYPE = "X25519"
RECIPIENT_HRP = "age"
IDENTITY_HRP = "AGE-SECRET-KEY-"
_INFO = b"age-encryption.org/v1/X25519"
_ZERO_NONCE = bytes(12)
FILE_KEY_SIZE = 16


def _shared_secret(scalar: bytes, point: bytes) -> bytes:
    try:
        shared = crypto_scalarmult(scalar, point)
    except (NaclRuntimeError, NaclCryptoError):
        # libsodium refuses an all-zero result (low-order or identity point).
        raise HeaderError("X25519 share is a low-order point") from None
    if shared == bytes(32):
        raise HeaderError("X25519 shared secret is all zero")
    return shared


class X25519Recipient:
    """An ``age1...`` public key."""

    def __init__(self, public_key: bytes) -> None:
        if len(public_key) != 32:
            raise KeyFormatError("an X25519 public key is 32 bytes")
        self.public_key = public_key

    @classmethod
    def parse(cls, text: str) -> X25519Recipient:
        hrp, data = bech32.decode(text)
        if hrp != RECIPIENT_HRP or len(data) != 32:
            raise KeyFormatError("not an X25519 age recipient")
        return cls(data)

    def __str__(self) -> str:
        return bech32.encode(RECIPIENT_HRP, self.public_key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, X25519Recipient) and other.public_key == self.public_key

    def __hash__(self) -> int:
        return hash(self.public_key)

    def labels(self) -> frozenset[str]:
        return frozenset()

    def wrap(self, file_key: bytes) -> list[Stanza]:
        ephemeral = os.urandom(32)
        share = crypto_scalarmult_base(ephemeral)
        shared = _shared_secret(ephemeral, self.public_key)
        key = hkdf_sha256(shared, share + self.public_key, _INFO)
        body = crypto_aead_chacha20poly1305_ietf_encrypt(file_key, None, _ZERO_NONCE, key)
        return [Stanza(STANZA_TYPE, (b64encode(share),), body)]


class X25519Identity:
    """An ``AGE-SECRET-KEY-1...`` secret key."""

    def __init__(self, secret_key: bytes) -> None:
        if len(secret_key) != 32:
            raise KeyFormatError("an X25519 secret key is 32 bytes")
        self._secret = secret_key
        self._public = crypto_scalarmult_base(secret_key)

    @classmethod
    def generate(cls) -> X25519Identity:
        return cls(os.urandom(32))

    @classmethod
    def parse(cls, text: str) -> X25519Identity:
        hrp, data = bech32.decode(text)
        if hrp != IDENTITY_HRP.lower() or len(data) != 32:
            raise KeyFormatError("not an X25519 age identity")
        return cls(data)

    @property
    def secret_key(self) -> bytes:
        return self._secret

    def recipient(self) -> X25519Recipient:
        return X25519Recipient(self._public)

    def __str__(self) -> str:
        return bech32.encode(IDENTITY_HRP, self._secret)

    def __repr__(self) -> str:
        return f"X25519Identity(recipient={self.recipient()})"

    def unwrap(self, stanzas: Sequence[Stanza]) -> bytes | None:
        for stanza in stanzas:
            if stanza.type != STANZA_TYPE:
                continue
            if len(stanza.args) != 1:
                raise HeaderError("X25519 stanza needs exactly one argument")
            share = b64decode(stanza.args[0])
            if len(share) != 32:
                raise HeaderError("X25519 share is not 32 bytes")
            if len(stanza.body) != FILE_KEY_SIZE + 16:
                raise HeaderError("X25519 stanza body has the wrong size")
            shared = _shared_secret(self._secret, share)
            key = hkdf_sha256(shared, share + self._public, _INFO)
            try:
                return crypto_aead_chacha20poly1305_ietf_decrypt(
                    stanza.body, None, _ZERO_NONCE, key)
            except NaclCryptoError:
                continue
        return None
