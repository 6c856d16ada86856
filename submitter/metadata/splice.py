"""Streaming plans built from pieces of the source and small replacement bytes.

Containers for large media (ISO BMFF, Matroska, AVI, WAV, MP3) are cleaned
without loading their media payload: the cleaned file is described as a list
of pieces, each either a byte range of the source (copied unchanged) or a
short literal (a neutralised metadata box, a rebuilt header). The same
pieces can be read back through ``SplicedReader`` so a cleaner can re-run
its own inspection over exactly the bytes it will write, before writing
any of them.
"""

from __future__ import annotations

import bisect
import io
import os
import stat
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import BinaryIO, Protocol, TypeVar, cast

from submitter.metadata.model import (
    CleanCancelled,
    CleanReport,
    CorruptRefused,
    Finding,
    ProgressFn,
    VerificationRefused,
)
from submitter.metadata.source import Source

# One copy buffer, reused: big reads keep per-chunk Python overhead negligible.
COPY_CHUNK = 4 * 1024 * 1024
_ZERO_VIEW = memoryview(bytes(COPY_CHUNK))


@dataclass(frozen=True, slots=True)
class Span:
    """``length`` bytes of the source starting at ``offset``."""

    offset: int
    length: int


@dataclass(frozen=True, slots=True)
class Zeros:
    """``length`` zero bytes (a neutralised box of any size, held in no memory)."""

    length: int


Piece = Span | Zeros | bytes
Patch = Zeros | bytes


def _plen(p: Piece) -> int:
    return p.length if isinstance(p, Span | Zeros) else len(p)


def pieces_from_patches(size: int, patches: dict[int, Patch]) -> list[Piece]:
    """The source of ``size`` bytes with each ``offset -> bytes`` overwritten.

    Patches never change the length; overlapping patches are a bug in the
    caller and refused rather than silently merged.
    """
    out: list[Piece] = []
    pos = 0
    for off in sorted(patches):
        data = patches[off]
        n = _plen(data)
        if off < pos or off + n > size:
            raise CorruptRefused("overlapping or out-of-range patch")
        if off > pos:
            out.append(Span(pos, off - pos))
        if n:
            out.append(data)
        pos = off + n
    if pos < size:
        out.append(Span(pos, size - pos))
    return out


def pieces_size(pieces: list[Piece]) -> int:
    return sum(_plen(p) for p in pieces)


class SeekableView(io.RawIOBase):
    """A read-only, seekable view of ``size`` bytes; subclasses give ``read``
    from the position ``_pos``."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self._size = size
        self._pos = 0

    @property
    def size(self) -> int:
        return self._size

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos}.get(whence, self._size)
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class SplicedReader(SeekableView):
    """A read-only, seekable view of the output the pieces describe."""

    def __init__(self, fh: BinaryIO, pieces: list[Piece]) -> None:
        self._fh = fh
        self._pieces = pieces
        self._starts: list[int] = []
        pos = 0
        for p in pieces:
            self._starts.append(pos)
            pos += _plen(p)
        super().__init__(pos)

    def read(self, n: int | None = -1) -> bytes:
        if n is None or n < 0:
            n = self._size - self._pos
        n = min(n, max(0, self._size - self._pos))
        out = bytearray()
        i = bisect.bisect_right(self._starts, self._pos) - 1
        while n > 0 and 0 <= i < len(self._pieces):
            piece = self._pieces[i]
            inner = self._pos - self._starts[i]
            if isinstance(piece, Span):
                take = min(n, piece.length - inner)
                self._fh.seek(piece.offset + inner)
                got = self._fh.read(take)
                if len(got) != take:
                    raise CorruptRefused("source shorter than expected")
            elif isinstance(piece, Zeros):
                take = min(n, piece.length - inner)
                got = bytes(take)
            else:
                got = piece[inner : inner + n]
                take = len(got)
            out += got
            self._pos += take
            n -= take
            i += 1
        return bytes(out)


# --- the one way a streamed cleaner proves its plan ---

_T = TypeVar("_T")


class Patched(Protocol):
    """What an in-place walk leaves: what it found, and the same-size
    overwrites that blank it."""

    @property
    def findings(self) -> Sequence[Finding]: ...

    @property
    def patches(self) -> dict[int, Patch]: ...


_W = TypeVar("_W", bound=Patched)


def analyse_source(src: Source, analyse: Callable[[BinaryIO, int], _T]) -> _T:
    """Run a streaming analysis over the whole source (an inspection)."""
    with src.open() as fh:
        return analyse(fh, src.size())


def verify_spliced(fh: BinaryIO, pieces: list[Piece],
                   findings_of: Callable[[BinaryIO, int], Sequence[Finding]]) -> None:
    """Inspect exactly the bytes the pieces will write; anything found is refused.

    This is what lets a ``SplicePlan`` be ``self_verified``: the engine cannot
    re-inspect a streamed output without writing it first.
    """
    # SplicedReader is a seekable raw reader: all the walks ask of a BinaryIO.
    view = cast(BinaryIO, SplicedReader(fh, pieces))
    again = findings_of(view, pieces_size(pieces))
    if again:
        raise VerificationRefused(f"{len(again)} findings after cleaning")


def patch_in_place(src: Source, analyse: Callable[[BinaryIO, int], _W]
                   ) -> tuple[_W, list[Piece]]:
    """Walk, overwrite what was found without changing any size, walk again.

    For containers whose indexes hold absolute offsets (ISO BMFF, Matroska,
    AVI). Returns the first walk (its findings are what was removed) and the
    verified pieces.
    """
    size = src.size()
    with src.open() as fh:
        first = analyse(fh, size)
        pieces = pieces_from_patches(size, first.patches)
        verify_spliced(fh, pieces, lambda view, n: analyse(view, n).findings)
    return first, pieces


class SplicePlan:
    """A cleaned file streamed from source ranges and literal pieces.

    Constructed only by a cleaner after it re-inspected the spliced output
    (through ``SplicedReader``) and found nothing: hence ``self_verified``.
    """

    self_verified = True

    def __init__(self, src: Source, pieces: list[Piece], report: CleanReport) -> None:
        self._src = src
        self._pieces = pieces
        self._report = report
        self._size = pieces_size(pieces)
        self._source_size = src.size()

    @property
    def size(self) -> int:
        return self._size

    @property
    def report(self) -> CleanReport:
        return self._report

    def write_to(
        self,
        sink: BinaryIO,
        progress: ProgressFn | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        buf = bytearray(COPY_CHUNK)
        view = memoryview(buf)
        written = 0
        with self._src.open() as fh:
            if self._src.path is not None and self._src.size() != self._source_size:
                raise VerificationRefused("file changed after it was checked")
            out_fd = _regular_file_fd(sink) if self._src.path is not None else None
            if out_fd is not None:
                self._write_by_kernel(fh.fileno(), sink, out_fd, progress, cancel)
                return
            for piece in self._pieces:
                if cancel is not None and cancel.is_set():
                    raise CleanCancelled()
                if isinstance(piece, Zeros):
                    left = piece.length
                    while left > 0:
                        take = min(left, COPY_CHUNK)
                        sink.write(_ZERO_VIEW[:take])
                        left -= take
                    written += piece.length
                    if progress is not None:
                        progress(written)
                    continue
                if not isinstance(piece, Span):
                    sink.write(piece)
                    written += len(piece)
                    if progress is not None:
                        progress(written)
                    continue
                fh.seek(piece.offset)
                left = piece.length
                while left > 0:
                    if cancel is not None and cancel.is_set():
                        raise CleanCancelled()
                    want = min(left, COPY_CHUNK)
                    got = fh.readinto(view[:want])  # type: ignore[attr-defined]
                    if not got:
                        raise CorruptRefused("source shorter than expected")
                    sink.write(view[:got])
                    left -= got
                    written += got
                    if progress is not None:
                        progress(written)
        if written != self._size:
            raise CorruptRefused("wrote a different size than planned")

    def _write_by_kernel(
        self,
        in_fd: int,
        sink: BinaryIO,
        out_fd: int,
        progress: ProgressFn | None,
        cancel: threading.Event | None,
    ) -> None:
        """File to file (``--out``): let the kernel copy the ranges, as cp does.

        Each range is copied in two steps: a short head up to the next
        ``_ALIGN`` boundary of the output, then the rest. The kernel copies
        through a pipe of 16 pages, so the rest then lands in the output in
        whole aligned 64 KiB writes, which fill large page-cache folios; a
        range starting at an odd output offset (every range after a blanked
        box) would otherwise write across folio boundaries to its end and get
        single pages, which cost a quarter more than cp on ext4 (6.18).
        """
        sink.flush()
        base = os.lseek(out_fd, 0, os.SEEK_CUR)
        written = 0
        for piece in self._pieces:
            if cancel is not None and cancel.is_set():
                raise CleanCancelled()
            if isinstance(piece, Span):
                off, left = piece.offset, piece.length
                head = -(base + written) % _ALIGN
                while left > 0:
                    if cancel is not None and cancel.is_set():
                        raise CleanCancelled()
                    got = _copy_range(in_fd, out_fd, off, min(left, head or _KERNEL_CHUNK))
                    if got <= 0:
                        raise CorruptRefused("source shorter than expected")
                    head -= min(head, got)
                    off += got
                    left -= got
                    written += got
                    if progress is not None:
                        progress(written)
                continue
            if isinstance(piece, Zeros):
                left = piece.length
                while left > 0:
                    take = min(left, COPY_CHUNK)
                    _write_all(out_fd, _ZERO_VIEW[:take])
                    left -= take
            else:
                _write_all(out_fd, memoryview(piece))
            written += _plen(piece)
            if progress is not None:
                progress(written)
        sink.seek(0, io.SEEK_CUR)  # the buffered object re-reads the descriptor's position
        if written != self._size:
            raise CorruptRefused("wrote a different size than planned")


_KERNEL_CHUNK = 64 * 1024 * 1024
# Output offset each range's bulk copy starts at (a multiple of the kernel's
# 16-page splice pipe for 4 KiB and 64 KiB pages alike).
_ALIGN = 1024 * 1024


def _regular_file_fd(sink: BinaryIO) -> int | None:
    try:
        fd = sink.fileno()
        return fd if stat.S_ISREG(os.fstat(fd).st_mode) and sink.seekable() else None
    except (OSError, ValueError, io.UnsupportedOperation, AttributeError):
        return None


def _copy_range(in_fd: int, out_fd: int, offset: int, count: int) -> int:
    if hasattr(os, "copy_file_range"):
        try:
            return os.copy_file_range(in_fd, out_fd, count, offset)
        except OSError:
            pass  # another file system, or not allowed: plain reads below
    data = os.pread(in_fd, count, offset)
    _write_all(out_fd, memoryview(data))
    return len(data)


def _write_all(fd: int, data: memoryview) -> None:
    while len(data):
        n = os.write(fd, data)
        data = data[n:]
