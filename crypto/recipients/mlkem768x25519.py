"""The post-quantum hybrid recipient type ``mlkem768x25519`` (age 1.3).

Recipient ``age1pq1...`` (bech32 of the 1216-byte X-Wing public key, longer
than BIP 173 allows), identity ``AGE-SECRET-KEY-PQ-1...`` (bech32 of a
32-byte seed from which both the ML-KEM-768 and the X25519 keys derive).

A stanza is ``-> mlkem768x25519 <base64 enc>`` with a 32-byte body: the
16-byte file key sealed with HPKE (see ``crypto.hpke_xwing``) under the info
string ``age-encryption.org/mlkem768x25519``. The encapsulated key ``enc`` is
1120 bytes.

Files for these recipients carry the label ``postquantum``, so the encryptor
refuses to mix them with classic recipients: one X25519 stanza would let a
future quantum attacker open a file its sender believed post-quantum safe.
Decryption does not enforce the rule (a mixed file from another tool opens,
as in age and the CCTV vector ``hybrid_and_x25519``): the reader gains
nothing by refusing a file that is already written.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from crypto import bech32, hpke_xwing
from crypto.errors import HeaderError, KeyFormatError
from crypto.header import b64decode, b64encode
from crypto.stanza import Stanza

STANZA_TYPE = "mlkem768x25519"
RECIPIENT_PREFIX = "age1pq1"
IDENTITY_PREFIX = "AGE-SECRET-KEY-PQ-1"
_RECIPIENT_HRP = "age1pq"
_IDENTITY_HRP = "age-secret-key-pq-"
HPKE_INFO = b"age-encryption.org/mlkem768x25519"
LABEL = "postquantum"

_FILE_KEY_SIZE = 16
_BODY_SIZE = _FILE_KEY_SIZE + 16  # ChaCha20-Poly1305 tag


class MLKEM768X25519Recipient:
    """Wraps file keys for one hybrid public key."""

    __slots__ = ("_public_key",)

    def __init__(self, public_key: bytes) -> None:
        hpke_xwing.check_public_key(public_key)
        self._public_key = bytes(public_key)

    @classmethod
    def parse(cls, untrusted_text: str) -> MLKEM768X25519Recipient:
        """Parse ``age1pq1...``; lowercase only, as age-keygen writes it."""
        if not untrusted_text.startswith(RECIPIENT_PREFIX):
            raise KeyFormatError("not an age1pq1 recipient")
        hrp, data = bech32.decode(untrusted_text)
        if hrp != _RECIPIENT_HRP or len(data) != hpke_xwing.PUBLIC_KEY_SIZE:
            raise KeyFormatError("malformed age1pq1 recipient")
        return cls(data)

    @property
    def public_key(self) -> bytes:
        return self._public_key

    def __str__(self) -> str:
        return bech32.encode(_RECIPIENT_HRP, self._public_key)

    def __repr__(self) -> str:
        return f"MLKEM768X25519Recipient({str(self)[:16]}...)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MLKEM768X25519Recipient) and other._public_key == self._public_key

    def __hash__(self) -> int:
        return hash(self._public_key)

    def wrap(self, file_key: bytes) -> list[Stanza]:
        if len(file_key) != _FILE_KEY_SIZE:
            raise ValueError("the file key must be 16 bytes")
        enc, sealed = hpke_xwing.seal(self._public_key, HPKE_INFO, file_key)
        return [Stanza(STANZA_TYPE, (b64encode(enc),), sealed)]

    def labels(self) -> frozenset[str]:
        return frozenset({LABEL})


class MLKEM768X25519Identity:
    """Unwraps ``mlkem768x25519`` stanzas with a 32-byte seed."""

    __slots__ = ("_seed",)

    def __init__(self, seed: bytes) -> None:
        if len(seed) != hpke_xwing.SEED_SIZE:
            raise KeyFormatError("the hybrid identity seed must be 32 bytes")
        self._seed = bytes(seed)

    @classmethod
    def generate(cls) -> MLKEM768X25519Identity:
        return cls(os.urandom(hpke_xwing.SEED_SIZE))

    @classmethod
    def parse(cls, untrusted_text: str) -> MLKEM768X25519Identity:
        """Parse ``AGE-SECRET-KEY-PQ-1...``; uppercase only, as age-keygen writes it."""
        if not untrusted_text.startswith(IDENTITY_PREFIX):
            raise KeyFormatError("not an AGE-SECRET-KEY-PQ-1 identity")
        hrp, data = bech32.decode(untrusted_text)
        if hrp != _IDENTITY_HRP or len(data) != hpke_xwing.SEED_SIZE:
            raise KeyFormatError("malformed AGE-SECRET-KEY-PQ-1 identity")
        return cls(data)

    @property
    def seed(self) -> bytes:
        return self._seed

    def __str__(self) -> str:
        return bech32.encode(_IDENTITY_HRP.upper(), self._seed)

    def __repr__(self) -> str:
        # Never the secret itself: reprs end up in tracebacks and logs.
        return "MLKEM768X25519Identity(<secret>)"

    def recipient(self) -> MLKEM768X25519Recipient:
        return MLKEM768X25519Recipient(hpke_xwing.public_key_from_seed(self._seed))

    def unwrap(self, stanzas: Sequence[Stanza]) -> bytes | None:
        for stanza in stanzas:
            if stanza.type != STANZA_TYPE:
                continue
            if len(stanza.args) != 1:
                raise HeaderError("mlkem768x25519 stanza: wrong number of arguments")
            enc = b64decode(stanza.args[0])
            if len(enc) != hpke_xwing.CIPHERTEXT_SIZE:
                raise HeaderError("mlkem768x25519 stanza: the encapsulated key must be 1120 bytes")
            # Checked before any decryption: a longer body would otherwise
            # "successfully" unwrap a file key of the wrong size.
            if len(stanza.body) != _BODY_SIZE:
                raise HeaderError("mlkem768x25519 stanza: the body must be 32 bytes")
            file_key = hpke_xwing.open_sealed(enc, self._seed, HPKE_INFO, stanza.body)
            if file_key is not None:
                return file_key
        return None


def parse_recipient(untrusted_text: str) -> MLKEM768X25519Recipient:
    return MLKEM768X25519Recipient.parse(untrusted_text)


def parse_identity(untrusted_text: str) -> MLKEM768X25519Identity:
    return MLKEM768X25519Identity.parse(untrusted_text)


def generate() -> MLKEM768X25519Identity:
    """A fresh hybrid identity (for keygen --pq)."""
    return MLKEM768X25519Identity.generate()
