"""Spare bytes between MPEG Layer III frames' sound data (ISO/IEC 11172-3, 13818-3).

A Layer III frame's sound ("main data") does not sit in its own frame: the
side info says where it starts (``main_data_begin`` bytes back, in the
frames before, the "bit reservoir") and how many bits it has
(``part2_3_length`` per granule and channel). Bytes that no frame's main
data covers are ancillary data, which decoders skip. LAME fills them with
its name and version ("LAME3.100UUUU..."), in frames all through the file,
and other encoders may put anything there.

Every frame is followed from the first to the last, the main data of each
placed in the stream of frame payloads, and every byte outside all of them
that is not zero is found and zeroed in place: same length, so the frames
and the sound are unchanged. A frame that cannot be followed (lost sync,
free-format bit rate, main data pointing before the previous frame's or
past its own end) is refused rather than guessed at. Layer I and II have no
reservoir and are not walked here.

A stream stored in chunks (AVI) is walked as the chunks' bodies in order, one
run of frames (``walk_chunks``): a frame's sound may start in an earlier
chunk's frame, and a muxer may split a frame across two chunks.
"""

from __future__ import annotations

import bisect
import re
from array import array
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, cast

from submitter.metadata.model import (
    Category,
    CorruptRefused,
    Finding,
    LimitRefused,
    UnsupportedContentRefused,
)
from submitter.metadata.reads import read_exact
from submitter.metadata.splice import Patch, SeekableView, Zeros

_BITRATES = {  # kbit/s by bitrate index, for Layer III
    1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
MAX_FRAMES = 50_000_000
_WINDOW = 1 << 20
_TEXT = re.compile(rb"[\x20-\x7e]{4,}")
FIELD = "MPEG audio frames (spare bytes between the sound)"
NOTE = ("Spare bytes between the MP3 frames' sound, where encoders write their name, "
        "were set to zero; the sound itself is unchanged.")


@dataclass(frozen=True, slots=True)
class Frame:
    length: int  # whole frame, header included
    payload: int  # offset of the main-data bytes in the frame (after side info)
    main_data_begin: int
    main_bits: int


def parse(head: bytes) -> Frame | None:
    """The frame whose first bytes (header, CRC, side info) are ``head``;
    None when ``head`` is not a Layer III header."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return None
    version, layer = (head[1] >> 3) & 3, (head[1] >> 1) & 3
    if version == 1 or layer != 1:
        return None
    index, rate_index = head[2] >> 4, (head[2] >> 2) & 3
    if index == 15 or rate_index == 3:
        return None
    if index == 0:
        raise UnsupportedContentRefused("MP3 sound in free format")
    mpeg1 = version == 3
    rate = _RATES[version][rate_index]
    kbps = _BITRATES[1 if mpeg1 else 2][index]
    length = (144 if mpeg1 else 72) * kbps * 1000 // rate + ((head[2] >> 1) & 1)
    mono = head[3] >> 6 == 3
    channels = 1 if mono else 2
    side = (17 if mono else 32) if mpeg1 else (9 if mono else 17)
    at = 4 + (0 if head[1] & 1 else 2)  # the CRC when protection is on
    if len(head) < at + side:
        return None
    bits = int.from_bytes(head[at : at + side], "big")
    pos = side * 8

    def take(n: int) -> int:
        nonlocal pos
        pos -= n
        return (bits >> pos) & ((1 << n) - 1)

    begin = take(9 if mpeg1 else 8)
    take((5 if mono else 3) if mpeg1 else (1 if mono else 2))  # private bits
    if mpeg1:
        take(4 * channels)  # scfsi
    main = 0
    for _ in range(2 if mpeg1 else 1):
        for _ in range(channels):
            main += take(12)
            take(59 - 12 if mpeg1 else 63 - 12)
    if at + side > length:
        raise CorruptRefused("MP3 frame shorter than its side info")
    return Frame(length, at + side, begin, main)


@dataclass(slots=True)
class SpareBytes:
    """Follows the frames from ``start`` to ``end``; ``ranges`` are the file
    ranges of non-zero spare bytes, ``text`` a readable sample of them."""

    ranges: list[tuple[int, int]] = field(default_factory=list)
    text: str = ""
    frames: int = 0

    def walk(self, fh: BinaryIO, start: int, end: int) -> None:
        segments: deque[tuple[int, int, int]] = deque()  # stream start, file offset, length
        stream = 0  # payload bytes so far
        covered = 0  # stream position where the last main data ended
        window, wstart = b"", start
        pos = start
        while pos < end:
            if pos + 64 > wstart + len(window) and wstart + len(window) < end:
                fh.seek(pos)
                window, wstart = fh.read(min(_WINDOW, end - pos)), pos
            at = pos - wstart
            frame = parse(window[at : at + 64])
            if frame is None:
                if end - pos < 64:  # a frame cut inside its side info, or padding
                    self._tail(fh, pos, end)
                    break
                if end - pos <= _WINDOW and \
                        not read_exact(fh, pos, end - pos, "sound frames").strip(b"\x00"):
                    break  # zero padding after the last frame
                raise CorruptRefused("MP3 frames that cannot be followed")
            self.frames += 1
            if self.frames > MAX_FRAMES:
                raise LimitRefused("too many sound frames")
            length = min(frame.length, end - pos)
            if length < frame.length:
                # The last frame, cut short (a recording stopped mid-frame):
                # decoders drop it, so whatever it holds is spare.
                self._tail(fh, pos, end)
                break
            first = stream - frame.main_data_begin
            if first < covered and self.frames > 1:
                raise CorruptRefused("MP3 frames whose sound overlaps")
            self._spare(fh, segments, covered, max(first, covered))
            segments.append((stream, pos + frame.payload, length - frame.payload))
            stream += length - frame.payload
            covered = max(first, covered) + (frame.main_bits + 7) // 8
            if covered > stream:
                raise CorruptRefused("MP3 frame whose sound runs past its end")
            while segments and segments[0][0] + segments[0][2] <= covered:
                segments.popleft()  # wholly sound already: no later range reaches it
            pos += frame.length
        self._spare(fh, segments, covered, stream)

    def _tail(self, fh: BinaryIO, pos: int, end: int) -> None:
        data = read_exact(fh, pos, end - pos, "sound frames")
        keep = 4 if data[:1] == b"\xff" and len(data) >= 4 and data[1] & 0xE0 == 0xE0 else 0
        body = data[keep:]  # a frame header itself says nothing
        if body.strip(b"\x00"):
            self.ranges.append((pos + keep, len(body)))
            if not self.text and (m := _TEXT.search(body)) is not None:
                self.text = m.group().decode("ascii")[:60]

    def _spare(self, fh: BinaryIO, segments: deque[tuple[int, int, int]], lo: int,
               hi: int) -> None:
        """Stream range [lo, hi): no frame's sound; the non-zero file ranges in it."""
        for s_start, f_off, n in segments:
            a, b = max(lo, s_start), min(hi, s_start + n)
            if a >= b:
                continue
            data = read_exact(fh, f_off + a - s_start, b - a, "sound frames")
            if not data.strip(b"\x00"):
                continue
            self.ranges.append((f_off + a - s_start, b - a))
            if not self.text and (m := _TEXT.search(data)) is not None:
                self.text = m.group().decode("ascii")[:60]



class _ChunkView(SeekableView):
    """The bodies of a stream's chunks, in order, read as one seekable stream.
    Offsets sit in arrays: an hour of sound is some 140,000 chunks."""

    def __init__(self, fh: BinaryIO, offsets: array[int], lengths: array[int]) -> None:
        self._fh, self._offsets, self._lengths = fh, offsets, lengths
        self._starts = array("q")
        total = 0
        for n in lengths:
            self._starts.append(total)
            total += n
        super().__init__(total)

    def read(self, n: int | None = -1) -> bytes:
        want = self.size - self._pos if n is None or n < 0 else n
        out = bytearray()
        for at, take in self.source_ranges(self._pos, want):
            out += read_exact(self._fh, at, take, "sound chunks")
        self._pos += len(out)
        return bytes(out)

    def source_ranges(self, at: int, n: int) -> Iterator[tuple[int, int]]:
        """The file ranges of the ``n`` stream bytes at ``at``."""
        i = bisect.bisect_right(self._starts, at) - 1
        while n > 0 and 0 <= i < len(self._starts):
            inner = at - self._starts[i]
            take = min(n, self._lengths[i] - inner)
            yield self._offsets[i] + inner, take
            at, n, i = at + take, n - take, i + 1


@dataclass(slots=True)
class Mp3Streams:
    """A container's MP3 streams (AVI, Matroska, MP4): each stream's chunks,
    added in stream order as the container is walked, then walked whole."""

    offsets: dict[int, array[int]] = field(default_factory=dict)
    lengths: dict[int, array[int]] = field(default_factory=dict)
    patches: dict[int, Patch] = field(default_factory=dict)
    found: list[Finding] = field(default_factory=list)

    def track(self, stream: int) -> None:
        self.offsets.setdefault(stream, array("q"))
        self.lengths.setdefault(stream, array("q"))

    def __contains__(self, stream: int) -> bool:
        return stream in self.offsets

    def add(self, stream: int, off: int, n: int) -> None:
        if n > 0:
            self.offsets[stream].append(off)
            self.lengths[stream].append(n)

    def walk(self, fh: BinaryIO) -> None:
        """Every stream's spare bytes found, and planned as zeros."""
        for stream, offsets in self.offsets.items():
            spare = walk_chunks(fh, offsets, self.lengths[stream])
            if spare is None or (found := finding(spare)) is None:
                continue
            self.found.append(found)
            for at, n in spare.ranges:
                self.patches[at] = Zeros(n)

    def findings(self) -> list[Finding]:
        return list(self.found)


def walk_chunks(fh: BinaryIO, offsets: array[int], lengths: array[int]) -> SpareBytes | None:
    """The spare bytes of a stream whose frames fill the chunks at ``offsets``
    (in stream order), as file ranges. None when its first frame is MPEG
    audio of Layer I or II (no reservoir: nothing here to walk)."""
    view = _ChunkView(fh, offsets, lengths)
    if view.size == 0:
        return None
    head = view.read(4)
    if len(head) == 4 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 \
            and (head[1] >> 1) & 3 in (2, 3):
        return None
    spare = SpareBytes()
    spare.walk(cast(BinaryIO, view), 0, view.size)
    spare.ranges = [r for at, n in spare.ranges for r in view.source_ranges(at, n)]
    return spare


def finding(spare: SpareBytes) -> Finding | None:
    """What the spare bytes reveal: the encoder's name when they hold text."""
    if not spare.ranges:
        return None
    total = sum(n for _, n in spare.ranges)
    if spare.text:
        return Finding(FIELD, f"{spare.text} (the program that made the sound, {total} bytes in "
                       f"{len(spare.ranges)} places)", Category.SOFTWARE)
    return Finding(FIELD, f"{total} bytes of private data", Category.HIDDEN_CONTENT)
