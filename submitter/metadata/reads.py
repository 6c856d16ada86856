"""Exact reads at offsets, for the cleaners that walk large files in place.

AVI, Matroska, ISO BMFF and the streamed audio formats jump around a file
(or around a ``SplicedReader`` over the planned output) by the offsets its
own headers give. A short read means those headers lie about the file, which
is a refusal, never a silent truncation.
"""

from __future__ import annotations

from typing import BinaryIO

from submitter.metadata.model import CorruptRefused

_SCAN_CHUNK = 1 << 20  # bounded memory however large the range


def read_exact(fh: BinaryIO, off: int, n: int, parts: str) -> bytes:
    """``n`` bytes at ``off``; ``parts`` names what gave the offset ("chunks")."""
    fh.seek(off)
    data = fh.read(n)
    if len(data) != n:
        raise CorruptRefused(f"file shorter than its {parts} say")
    return data


def any_nonzero(fh: BinaryIO, off: int, n: int, parts: str) -> bool:
    """Whether the ``n`` bytes at ``off`` hold anything but zeros (read in steps)."""
    fh.seek(off)
    while n > 0:
        chunk = fh.read(min(n, _SCAN_CHUNK))
        if not chunk:
            raise CorruptRefused(f"file shorter than its {parts} say")
        if chunk.count(0) != len(chunk):
            return True
        n -= len(chunk)
    return False
