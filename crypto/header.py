"""The age v1 header: strict parsing, canonical serialisation and the header MAC.

Layout (C2SP age, "Header"):

    age-encryption.org/v1\\n
    -> TYPE ARG...\\n            one or more recipient stanzas, each followed by
    BODY (base64, 64 columns)\\n its body; the last body line is shorter than 64
    --- MAC\\n                   columns (possibly empty)

Parsing accepts only the canonical encoding, so parse-then-serialise returns
the input bytes, and the MAC is computed over exactly what was read.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from crypto.errors import HeaderError
from crypto.stanza import Stanza

VERSION_LINE = b"age-encryption.org/v1\n"
STANZA_PREFIX = b"-> "
MAC_PREFIX = b"---"
BODY_COLUMNS = 64
# Limits against hostile headers; age's own stanzas (the post-quantum one is
# the biggest, about 1,500 columns) fit with a wide margin.
MAX_LINE = 32 * 1024
MAX_STANZAS = 1024
# A stanza body holds a wrapped file key and a share (the post-quantum one is
# about 1.5 KiB); the cap keeps a hostile header from growing without bound.
MAX_BODY_LINES = 16 * 1024  # 1 MiB of base64

_B64_RE = re.compile(rb"[A-Za-z0-9+/]*")
_ARG_RE = re.compile(rb"[\x21-\x7e]+")


def b64encode(data: bytes) -> str:
    """Standard base64 without padding, as age uses everywhere in the header."""
    return binascii.b2a_base64(data, newline=False).rstrip(b"=").decode("ascii")


def b64decode(untrusted_text: str | bytes) -> bytes:
    """Decode canonical unpadded base64; raise HeaderError for anything else."""
    raw = untrusted_text.encode("ascii", "replace") if isinstance(untrusted_text, str) else (
        untrusted_text
    )
    if _B64_RE.fullmatch(raw) is None or len(raw) % 4 == 1:
        raise HeaderError("invalid base64")
    padded = raw + b"=" * (-len(raw) % 4)
    try:
        data = binascii.a2b_base64(padded, strict_mode=True)
    except binascii.Error:
        raise HeaderError("invalid base64") from None
    if b64encode(data).encode("ascii") != raw:
        raise HeaderError("non-canonical base64")
    return data


@dataclass(frozen=True, slots=True)
class Header:
    stanzas: tuple[Stanza, ...]
    mac: bytes

    def mac_input(self) -> bytes:
        return encode_stanzas(self.stanzas)

    def serialize(self) -> bytes:
        return self.mac_input() + b" " + b64encode(self.mac).encode("ascii") + b"\n"


def _encode_stanza(stanza: Stanza) -> bytes:
    words = (stanza.type, *stanza.args)
    for word in words:
        if _ARG_RE.fullmatch(word.encode("ascii", "replace")) is None:
            raise HeaderError("stanza argument is empty or has invalid characters")
    out = [STANZA_PREFIX + " ".join(words).encode("ascii") + b"\n"]
    body = b64encode(stanza.body).encode("ascii")
    # Full 64-column lines, then one shorter (possibly empty) line ends the body.
    for i in range(0, len(body) - len(body) % BODY_COLUMNS, BODY_COLUMNS):
        out.append(body[i : i + BODY_COLUMNS] + b"\n")
    out.append(body[len(body) - len(body) % BODY_COLUMNS :] + b"\n")
    return b"".join(out)


def encode_stanzas(stanzas: Sequence[Stanza]) -> bytes:
    """The header up to and including "---": the input of the header MAC."""
    if not stanzas:
        raise HeaderError("a header needs at least one recipient stanza")
    return VERSION_LINE + b"".join(_encode_stanza(s) for s in stanzas) + MAC_PREFIX


def _read_line(src: BinaryIO) -> bytes:
    line = src.readline(MAX_LINE + 1)
    if not line.endswith(b"\n"):
        raise HeaderError("header truncated or line too long")
    return line


def _parse_arguments(untrusted_line: bytes) -> tuple[str, tuple[str, ...]]:
    words = untrusted_line[len(STANZA_PREFIX) : -1].split(b" ")
    for word in words:
        if _ARG_RE.fullmatch(word) is None:
            raise HeaderError("stanza argument is empty or has invalid characters")
    decoded = [w.decode("ascii") for w in words]
    return decoded[0], tuple(decoded[1:])


def _read_body(src: BinaryIO) -> bytes:
    parts: list[bytes] = []
    while True:
        line = _read_line(src)[:-1]
        if len(line) > BODY_COLUMNS:
            raise HeaderError("stanza body line longer than 64 columns")
        parts.append(line)
        if len(line) < BODY_COLUMNS:
            return b64decode(b"".join(parts))
        if len(parts) >= MAX_BODY_LINES:
            raise HeaderError("stanza body too long")


def read_header(src: BinaryIO) -> Header:
    """Read and strictly parse a header; the stream is left at the payload nonce."""
    if src.readline(len(VERSION_LINE)) != VERSION_LINE:
        raise HeaderError("not an age v1 file (bad version line)")
    stanzas: list[Stanza] = []
    while True:
        line = _read_line(src)
        if line.startswith(STANZA_PREFIX):
            if len(stanzas) >= MAX_STANZAS:
                raise HeaderError("too many recipient stanzas")
            stanza_type, args = _parse_arguments(line)
            stanzas.append(Stanza(stanza_type, args, _read_body(src)))
            continue
        if line.startswith(MAC_PREFIX + b" ") and stanzas:
            mac = b64decode(line[len(MAC_PREFIX) + 1 : -1])
            if len(mac) != 32:
                raise HeaderError("header MAC has the wrong length")
            return Header(tuple(stanzas), mac)
        raise HeaderError("unexpected header line")


def parse_header(untrusted_data: bytes) -> tuple[Header, int]:
    """Parse a header from bytes; return it and the offset where the payload starts."""
    import io

    buf = io.BytesIO(untrusted_data)
    header = read_header(buf)
    return header, buf.tell()


def hkdf_sha256(ikm: bytes, salt: bytes, info: bytes, length: int = 32) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def compute_mac(file_key: bytes, header_stanzas: Sequence[Stanza]) -> bytes:
    key = hkdf_sha256(file_key, b"", b"header")
    return hmac.new(key, encode_stanzas(header_stanzas), hashlib.sha256).digest()


def verify_mac(file_key: bytes, header: Header) -> bool:
    return hmac.compare_digest(compute_mac(file_key, header.stanzas), header.mac)
