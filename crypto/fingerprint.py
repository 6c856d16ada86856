"""The fingerprint of an organisation's signing key, in forms people compare.

The digest is SHA-256 over a domain-separation prefix and the raw Ed25519
public key, so it cannot be confused with a hash of anything else. Three
renderings of the same digest:

- words: the first 12 bytes, one word per byte from a fixed 256-word list
  (96 bits; read aloud over the phone),
- digits: the first 16 bytes as an integer, reduced modulo 10**30 and shown as
  6 groups of 5 digits (about 99 bits; for people who prefer numbers),
- a QR code carrying the full hexadecimal digest.

Same key, same output, always: the word list and these rules are format v1.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

import segno

from crypto.errors import CryptoError

_DOMAIN = b"submitter signing key fingerprint v1\x00"
WORD_COUNT = 12
DIGIT_GROUPS = 6
DIGITS_PER_GROUP = 5
QR_PREFIX = "submitter-fp:v1:"


class FingerprintError(CryptoError):
    message = "The key fingerprint could not be computed."


@cache
def wordlist() -> tuple[str, ...]:
    """The 256 fingerprint words, checked on load (a damaged list must not load)."""
    raw = resources.files("crypto").joinpath("fingerprint_words.json").read_text("utf-8")
    words = tuple(json.loads(raw)["words"])
    if len(words) != 256 or len(set(words)) != 256 or not all(
        w.isascii() and w.isalpha() and w.islower() for w in words
    ):
        raise FingerprintError("fingerprint word list is damaged")
    return words


@dataclass(frozen=True, slots=True)
class Fingerprint:
    digest: bytes

    @classmethod
    def of_public_key(cls, public_key: bytes) -> Fingerprint:
        if len(public_key) != 32:
            raise FingerprintError("an Ed25519 public key is 32 bytes")
        return cls(hashlib.sha256(_DOMAIN + public_key).digest())

    @property
    def hex(self) -> str:
        return self.digest.hex()

    def words(self) -> list[str]:
        table = wordlist()
        return [table[b] for b in self.digest[:WORD_COUNT]]

    def words_text(self) -> str:
        return " ".join(self.words())

    def digit_groups(self) -> list[str]:
        width = DIGIT_GROUPS * DIGITS_PER_GROUP
        number = int.from_bytes(self.digest[:16], "big") % (10**width)
        text = f"{number:0{width}d}"
        return [text[i : i + DIGITS_PER_GROUP] for i in range(0, width, DIGITS_PER_GROUP)]

    def digits_text(self) -> str:
        return " ".join(self.digit_groups())

    def qr_payload(self) -> str:
        return QR_PREFIX + self.hex

    def _qr(self) -> segno.QRCode:
        return segno.make_qr(self.qr_payload(), error="m")

    def qr_png(self, *, scale: int = 8) -> bytes:
        buf = io.BytesIO()
        self._qr().save(buf, kind="png", scale=scale, border=4)
        return buf.getvalue()

    def qr_svg(self, *, scale: int = 8) -> bytes:
        buf = io.BytesIO()
        self._qr().save(buf, kind="svg", scale=scale, border=4, xmldecl=False)
        return buf.getvalue()

    def matches_words(self, spoken: str) -> bool:
        """Compare words a person typed or heard (case and spacing tolerant)."""
        return spoken.lower().split() == self.words()

    def matches_digits(self, spoken: str) -> bool:
        return "".join(ch for ch in spoken if ch.isdigit()) == "".join(self.digit_groups())
