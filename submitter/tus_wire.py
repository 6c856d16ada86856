"""What both ends of tus in this project agree on: the protocol version, how a
header's integer is read, and the Upload-Checksum algorithms.

The tus client (submitter/transports/tus.py) and the NGO's inbox server
(submitter/inbox/server.py) import these from here, so a checksum the client
sends is computed exactly as the server checks it. No Qt, no network.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Protocol

from isal import isal_zlib

TUS_VERSION = "1.0.0"


def parse_header_int(untrusted: str | None) -> int | None:
    """A non-negative integer header (Upload-Offset, Upload-Length, ...), or None when
    it is missing or malformed. Nineteen digits at most keeps it within a signed
    64-bit offset, as tus servers and clients store them."""
    if untrusted is None:
        return None
    value = untrusted.strip()
    if not value.isdigit() or len(value) > 19:
        return None
    return int(value)


class Checksum(Protocol):
    def update(self, data: bytes | memoryview, /) -> None: ...
    def digest(self) -> bytes: ...


class Crc32:
    """IEEE CRC-32 as tusd and S3 send it: 4 big-endian bytes (base64 on the wire)."""

    def __init__(self) -> None:
        self._value = 0

    def update(self, data: bytes | memoryview, /) -> None:
        # ISA-L's CRC-32 gives zlib's values several times faster; on the
        # upload path it is a fifth of the CPU with zlib (see bench/upload.py).
        self._value = isal_zlib.crc32(data, self._value)

    def digest(self) -> bytes:
        return self._value.to_bytes(4, "big")


def sha1() -> Checksum:
    return hashlib.sha1()  # noqa: S324 - the tus checksum extension's mandatory algorithm


# The Upload-Checksum algorithms both ends implement, with their digest sizes, cheapest
# first (the client's order of preference). Parts are age ciphertext, authenticated end
# to end by age's AEAD when staff open them, so this check only has to catch damage in
# transfer: a CRC does that at a fraction of SHA-1's cost. sha1 is the one every tus
# server with the checksum extension must accept.
CHECKSUMS: dict[str, tuple[Callable[[], Checksum], int]] = {
    "crc32": (Crc32, 4),
    "sha1": (sha1, 20),
}
