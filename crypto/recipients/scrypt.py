"""The scrypt passphrase recipient type. An scrypt stanza must be alone in a header."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence

from nacl.bindings import (
    crypto_aead_chacha20poly1305_ietf_decrypt,
    crypto_aead_chacha20poly1305_ietf_encrypt,
)
from nacl.exceptions import CryptoError as NaclCryptoError

from crypto.errors import CryptoError, HeaderError
from crypto.header import b64decode, b64encode
from crypto.stanza import Stanza

STANZA_TYPE = "scrypt"
_SALT_LABEL = b"age-encryption.org/v1/scrypt"
_ZERO_NONCE = bytes(12)
_SALT_SIZE = 16
_WORK_FACTOR_RE = re.compile(r"[1-9][0-9]?")
MAX_WORK_FACTOR = 30  # hard ceiling of the format as age enforces it
_R = 8


def _derive(passphrase: str, salt: bytes, work_factor: int) -> bytes:
    n = 1 << work_factor
    try:
        return hashlib.scrypt(
            passphrase.encode("utf-8"), salt=_SALT_LABEL + salt, n=n, r=_R, p=1,
            maxmem=128 * _R * (n + 2) + (1 << 20), dklen=32)
    except (ValueError, MemoryError) as exc:
        raise CryptoError(f"scrypt failed: {exc}") from None


class ScryptRecipient:
    """Encrypts to a passphrase; ``work_factor`` is log2 of scrypt's N."""

    def __init__(self, passphrase: str, work_factor: int = 18) -> None:
        if not passphrase:
            raise ValueError("an empty passphrase is not allowed")
        if not 1 <= work_factor <= MAX_WORK_FACTOR:
            raise ValueError("scrypt work factor out of range")
        self._passphrase = passphrase
        self._work_factor = work_factor
        # Unique per instance: an scrypt recipient must be alone in a file.
        self._label = "scrypt:" + os.urandom(8).hex()

    def labels(self) -> frozenset[str]:
        return frozenset({self._label})

    def wrap(self, file_key: bytes) -> list[Stanza]:
        salt = os.urandom(_SALT_SIZE)
        key = _derive(self._passphrase, salt, self._work_factor)
        body = crypto_aead_chacha20poly1305_ietf_encrypt(file_key, None, _ZERO_NONCE, key)
        return [Stanza(STANZA_TYPE, (b64encode(salt), str(self._work_factor)), body)]


class ScryptIdentity:
    """Decrypts with a passphrase, refusing work factors above ``max_work_factor``."""

    def __init__(self, passphrase: str, max_work_factor: int = 22) -> None:
        self._passphrase = passphrase
        self._max_work_factor = max_work_factor

    def unwrap(self, stanzas: Sequence[Stanza]) -> bytes | None:
        for stanza in stanzas:
            if stanza.type != STANZA_TYPE:
                continue
            if len(stanzas) != 1:
                raise HeaderError("an scrypt stanza must be alone in the header")
            if len(stanza.args) != 2:
                raise HeaderError("scrypt stanza needs exactly two arguments")
            salt = b64decode(stanza.args[0])
            if len(salt) != _SALT_SIZE:
                raise HeaderError("scrypt salt is not 16 bytes")
            if _WORK_FACTOR_RE.fullmatch(stanza.args[1]) is None:
                raise HeaderError("scrypt work factor is not a canonical decimal")
            work_factor = int(stanza.args[1])
            if work_factor > min(self._max_work_factor, MAX_WORK_FACTOR):
                raise HeaderError("scrypt work factor is too high")
            if len(stanza.body) != 32:
                raise HeaderError("scrypt stanza body has the wrong size")
            key = _derive(self._passphrase, salt, work_factor)
            try:
                return crypto_aead_chacha20poly1305_ietf_decrypt(
                    stanza.body, None, _ZERO_NONCE, key)
            except NaclCryptoError:
                return None
        return None
