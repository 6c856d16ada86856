"""A streaming tar writer with normalised headers.

Headers come from the standard library (``TarInfo.tobuf``, POSIX pax format:
plain ustar unless a name is long or non-ASCII or a size exceeds 8 GiB, in
which case a pax record carries it). Data is streamed by the caller: this
class never buffers a member. Every member is a regular file with uid/gid 0,
no user or group name, mtime 0 and mode 0644, so the archive says nothing
about the machine that made it.
"""

from __future__ import annotations

import tarfile
from typing import Protocol

from submitter.bundle.format import BLOCK, FILE_MODE
from submitter.errors import SubmitterError


class TarWriteError(SubmitterError):
    message = "The bundle could not be assembled."


class Sink(Protocol):
    def write(self, data: bytes | memoryview, /) -> object: ...


def member_header(name: str, size: int) -> bytes:
    """The normalised header block(s) of one regular-file member."""
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = FILE_MODE
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.type = tarfile.REGTYPE
    return info.tobuf(format=tarfile.PAX_FORMAT, encoding="utf-8", errors="strict")


PAD_KEYWORD = "comment"  # POSIX pax: "shall be ignored by all readers"
PAD_FILL = b"."  # not a digit: Python's tarfile scans pax values with a \d+ regex


def padding_header(total: int) -> tuple[bytes, int]:
    """A pax extended header of exactly ``total`` bytes that only pads.

    Returns the ustar block of the extended header and the length of its
    single record ``"<len> comment=......\n"``, which the caller streams with
    ``padding_record_chunks``. ``total`` must be a multiple of 512, >= 1024.
    """
    if total % BLOCK or total < 2 * BLOCK:
        raise TarWriteError("padding header size")
    record = total - BLOCK
    info = tarfile.TarInfo("././@PaxHeader")
    info.type = tarfile.XHDTYPE
    info.size = record
    info.mode = FILE_MODE
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info.tobuf(format=tarfile.USTAR_FORMAT), record


def member_footprint(name: str, size: int) -> int:
    """Bytes one member takes in the stream: headers, data, block padding."""
    return len(member_header(name, size)) + _round_up(size)


def _round_up(n: int) -> int:
    return -(-n // BLOCK) * BLOCK


END_OF_ARCHIVE = bytes(2 * BLOCK)


class TarWriter:
    """Writes members one after another; counts every byte it emits."""

    def __init__(self, sink: Sink) -> None:
        self._sink = sink
        self.offset = 0  # bytes written so far
        self._remaining: int | None = None  # data still owed for the open member
        self._size = 0
        self._closed = False

    def _emit(self, data: bytes | memoryview) -> None:
        self._sink.write(data)
        self.offset += len(data)

    def begin(self, name: str, size: int) -> None:
        if self._remaining is not None or self._closed:
            raise TarWriteError("member already open")
        self._emit(member_header(name, size))
        self._remaining = size
        self._size = size

    def write(self, data: bytes | memoryview) -> int:
        n = len(data)
        if self._remaining is None or n > self._remaining:
            raise TarWriteError("more data than the member's declared size")
        if n:
            self._emit(data)
            self._remaining -= n
        return n

    def end(self) -> None:
        if self._remaining != 0:
            raise TarWriteError("member shorter than its declared size")
        pad = _round_up(self._size) - self._size
        if pad:
            self._emit(bytes(pad))
        self._remaining = None

    def add_bytes(self, name: str, data: bytes) -> None:
        self.begin(name, len(data))
        self.write(data)
        self.end()

    def close(self) -> None:
        """Write the end-of-archive marker (two zero blocks)."""
        if self._remaining is not None:
            raise TarWriteError("member still open")
        if not self._closed:
            self._emit(END_OF_ARCHIVE)
            self._closed = True

    def add_padding(self, total: int) -> None:
        """Emit a pax header of exactly ``total`` bytes (>= 1024) holding only padding.

        It must directly precede a member's own header (the pipeline puts it
        before manifest.json). Tar tools ignore the ``comment`` keyword, so
        ``tar -x`` creates no file for it and the archive still ends exactly
        at its end-of-archive marker (no trailing bytes for a pipe to choke on).
        """
        if self._remaining is not None or self._closed:
            raise TarWriteError("padding inside a member")
        block, record = padding_header(total)
        self._emit(block)
        prefix = f"{record} {PAD_KEYWORD}=".encode()
        self._emit(prefix)
        left = record - len(prefix) - 1
        fill = PAD_FILL * min(left, 1 << 20)
        while left:
            n = min(left, len(fill))
            self._emit(memoryview(fill)[:n])
            left -= n
        self._emit(b"\n")
