"""Metadata segments inside Motion-JPEG frames (AVI, MOV/MP4, Matroska).

Every Motion-JPEG frame is a small JPEG picture, and each can carry its own
metadata segments: ffmpeg writes its version into a comment (COM) in every
frame, cameras and DVRs put Exif (device, time, sometimes GPS), XMP, ICC
profiles or vendor APPn data there. Those segments are zeroed in place:
same length, so offsets, indexes and sample tables stay right and the picture
data is untouched.

The whole frame is walked, not just its headers, because segments hide
after the first scan too: between the scans of a progressive or multi-scan
picture, in the second field of an interlaced frame (two JPEG pictures back
to back: DV/DVR cameras, Apple's Motion-JPEG A), and after the end marker
(EOI), where some DVRs and IP cameras append a timestamp or camera name.
After each scan (SOS) the compressed data is searched for the next real
marker (0xFF then a byte that is not 0x00 stuffing, a restart marker RST0-7
or another 0xFF fill), and the segments from there on are handled as before
the first scan. The frame is read in windows of ``_WINDOW`` bytes, one at a
time, so memory stays flat however large the frame; frames beyond
``MAX_FRAME_BYTES`` are refused rather than searched.

After EOI, within the frame: zeros then 0xFF fill (padding, either may be
empty) are kept; if an SOI follows them, that is the next field, walked the
same way (at most ``MAX_FIELDS``: a field pair is what players decode, more
is refused). Anything else after EOI is zeroed and found as data after the
picture: decoders stop at EOI, and ffmpeg only looks further for a second
field's SOI, so the picture is unchanged. A frame that ends inside its
compressed data without EOI (cut short, yet decodable) is accepted: every
byte of it was searched for markers, so nothing but picture data remains.

Kept, because decoding needs them: JFIF and AVI1 APP0 (field layout), Adobe
APP14 (colour transform) and Apple's Motion-JPEG A APP1 ('mjpg': where the
picture's tables and second field are). Segments of kinds JPEG reserves but
never defined (which decoders skip unread, so they could hold anything) are
refused. A JFIF APP0 keeps its fixed fields only: the thumbnail after them
(a small uncompressed copy of the picture, before any crop) is zeroed, its
size fields left as they are; a JFXX APP0 (a thumbnail in its own format) is
zeroed whole.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import BinaryIO

from submitter.metadata.model import (
    Category,
    CorruptRefused,
    Finding,
    LimitRefused,
    UnsupportedContentRefused,
    printable,
)
from submitter.metadata.reads import any_nonzero
from submitter.metadata.splice import Patch, Zeros

# FourCCs of Motion-JPEG video (AVI stream handler or BITMAPINFOHEADER compression).
FOURCCS = frozenset({b"MJPG", b"mjpg", b"AVRn", b"AVDJ", b"LJPG", b"JPEG", b"jpeg", b"dmb1",
                     b"MJPA", b"mjpa", b"MJLS"})
MAX_FRAME_SEGMENTS = 256  # marker segments (and fill bytes) in one field
MAX_FIELDS = 2  # JPEG pictures in one frame: progressive, or an interlaced field pair
# A 4K frame at ffmpeg's best quality is a few MiB; 8K 4:4:4 stays well under this.
MAX_FRAME_BYTES = 64 * 1024 * 1024
SOI, EOI, SOS, COM, APP0, APP14, APP15 = 0xD8, 0xD9, 0xDA, 0xFE, 0xE0, 0xEE, 0xEF
AFTER = "data after the picture"
THUMBNAIL = "JFIF thumbnail"
_JFIF_FIXED = 14  # "JFIF\0", version, units, densities, thumbnail width and height
# Window over a frame: most frames are one or a few reads, memory stays flat.
# Kept under glibc's 128 KiB mmap threshold: verification reads through
# SplicedReader, which allocates a buffer per read, and 256 KiB windows made
# each one fresh pages (prepare of a 1 GB 4K file 3.5 s against 1.9 s).
_WINDOW = 120 * 1024
_IDENT = 32
_VALUE = 80  # bytes of a comment or trailing text shown in a finding

# A real marker inside compressed data: 0xFF then neither 0x00 (stuffing),
# RST0-7 (restart markers, part of the data) nor 0xFF (fill before a marker:
# the match is then at the last 0xFF). Searched in C, about twice bytes.find's
# speed on real frames, where 0xFF 0x00 comes every few hundred bytes.
_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_NOT_ZERO = re.compile(rb"[^\x00]")
_NOT_FILL = re.compile(rb"[^\xff]")

_CATEGORY = {
    "comment": Category.SOFTWARE,
    "Exif": Category.DEVICE,
    "XMP": Category.SOFTWARE,
    "ICC colour profile": Category.DEVICE,
}


def segment_label(marker: int, ident: bytes) -> str:
    if marker == COM:
        return "comment"
    if marker == 0xE1 and ident.startswith(b"Exif\x00"):
        return "Exif"
    if marker == 0xE1 and ident.startswith(b"http://ns.adobe.com/"):
        return "XMP"
    if marker == 0xE2 and ident.startswith(b"ICC_PROFILE\x00"):
        return "ICC colour profile"
    if marker == APP0 and ident.startswith(b"JFXX\x00"):
        return "JFXX thumbnail"
    return f"APP{marker - APP0} segment"


def _needed(marker: int, ident: bytes) -> bool:
    """Segments decoders act on: kept byte for byte."""
    if marker == APP0:
        return ident.startswith((b"JFIF\x00", b"AVI1"))  # field order of interlaced video
    if marker == APP14:
        return ident.startswith(b"Adobe")  # the colour transform
    return marker == 0xE1 and b"mjpg" in (ident[:4], ident[4:8])  # Motion-JPEG A layout


def _defined(marker: int) -> bool:
    """Markers with a meaning decoders know: frame (SOFn, JPEG-LS SOF55 and
    LSE), tables, scan, restart interval, DNL, hierarchical (DHP, EXP), APPn
    and COM. The rest (RES 0x02-0xBF, JPG 0xC8, JPGn) are skipped unread."""
    return (0xC0 <= marker <= 0xDF and marker != 0xC8) or APP0 <= marker <= APP15 or (
        marker in (0xF7, 0xF8, COM))


class _Frame:
    """Reads inside one frame through one window, moved only when a read leaves it.

    The window is the scanner's buffer, reused from frame to frame: a fresh
    bytes object per read took three times as long (0.17 s against 0.05 s
    for 260 MB of frames: page faults).
    """

    def __init__(self, fh: BinaryIO, start: int, end: int, buf: bytearray) -> None:
        self.fh, self.end, self.size, self.buf = fh, end, _WINDOW, buf
        self.wstart, self.wlen = start, 0

    def _load(self, pos: int, n: int = 0) -> None:
        want = min(max(n, self.size), self.end - pos)
        if len(self.buf) < want:
            self.buf.extend(bytes(want - len(self.buf)))
        self.wstart, self.wlen = pos, 0  # empty until the read succeeds
        self.fh.seek(pos)
        with memoryview(self.buf) as view:
            got = 0
            while got < want:
                with view[got:want] as part:
                    n_read = self.fh.readinto(part)  # type: ignore[attr-defined]
                if not n_read:
                    raise CorruptRefused("file shorter than its frames say")
                got += n_read
        self.wlen = want

    def get(self, pos: int, n: int) -> bytes:
        """Up to ``n`` bytes at ``pos`` (fewer only at the frame's end)."""
        if not (self.wstart <= pos and pos + n <= self.wstart + self.wlen):
            self._load(pos, n)
        at = pos - self.wstart
        return bytes(self.buf[at : min(at + n, self.wlen)])

    def nonzero(self, pos: int, n: int) -> bool:
        if n <= self.size:
            if not (self.wstart <= pos and pos + n <= self.wstart + self.wlen):
                self._load(pos, n)
            at = pos - self.wstart
            return self.buf.count(0, at, at + n) != n
        return any_nonzero(self.fh, pos, n, "frames")

    def find(self, pattern: re.Pattern[bytes], pos: int) -> int | None:
        """Where ``pattern`` (one or two bytes long) first matches at or after
        ``pos`` in the frame, or None.

        Each next window starts at the last byte of the one before, so a
        marker split across the border (0xFF at its end) is still seen.
        """
        while pos < self.end:
            if not (self.wstart <= pos and pos + 2 <= self.wstart + self.wlen):
                self._load(pos, 2)  # two bytes at least, or a marker at pos is split
            match = pattern.search(self.buf, pos - self.wstart, self.wlen)
            if match is not None:
                return self.wstart + match.start()
            wend = self.wstart + self.wlen
            if wend >= self.end:
                return None
            pos = wend - 1  # past pos: the window held two bytes from it
        return None

    def skip(self, pos: int, pattern: re.Pattern[bytes]) -> int:
        """The first position at or after ``pos`` that ``pattern`` (a byte
        class) matches: the end of a run of the bytes it excludes."""
        found = self.find(pattern, pos)
        return self.end if found is None else found


@dataclass(slots=True)
class MjpegScanner:
    """Walks the frames of one file's Motion-JPEG tracks.

    ``patches`` (file offset -> zeros of the same length) blank what was
    found; ``counts`` (frames holding each kind of segment) and ``findings``
    say it, once per kind.
    """

    patches: dict[int, Patch] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    values: dict[str, str] = field(default_factory=dict)
    buf: bytearray = field(default_factory=bytearray, repr=False)  # the frames' window

    def frame(self, fh: BinaryIO, body: int, length: int) -> None:
        """Zero the metadata segments of one frame, and anything after its pictures."""
        if length == 0:
            return  # a dropped frame: the previous picture is shown again
        if length > MAX_FRAME_BYTES:
            raise LimitRefused("a Motion-JPEG frame too large to check")
        end = body + length
        reader = _Frame(fh, body, end, self.buf)
        if length < 4 or reader.get(body, 2) != b"\xff\xd8":
            raise CorruptRefused("a Motion-JPEG frame that is not a JPEG picture")
        seen: set[str] = set()  # counted once per frame, however many fields hold one
        soi = body
        for _ in range(MAX_FIELDS):
            after = self._field(reader, soi + 2, seen)
            following = None if after is None else self._after(reader, after, seen)
            if following is None:
                self.counts.update(seen)
                return
            soi = following
        raise LimitRefused("too many pictures in one Motion-JPEG frame")

    def _field(self, reader: _Frame, pos: int, seen: set[str]) -> int | None:
        """Walk one JPEG picture from just after its SOI: where its EOI ends,
        or None if the frame ends inside it after its first scan."""
        end = reader.end
        scanned = False
        for _ in range(MAX_FRAME_SEGMENTS):
            if pos == end and scanned:
                return None  # cut short after a segment between scans: all of it was read
            if pos + 2 > end:
                raise CorruptRefused("a Motion-JPEG segment past the end of its frame" if scanned
                                     else "a Motion-JPEG frame cut short before its picture data")
            head = reader.get(pos, 4)
            if head[0] != 0xFF:
                raise CorruptRefused("a Motion-JPEG frame with broken markers")
            marker = head[1]
            if marker == 0xFF:  # fill byte before a marker
                pos += 1
                continue
            if marker == EOI and scanned:
                return pos + 2
            if marker in (0x00, 0x01, SOI, EOI) or 0xD0 <= marker <= 0xD7:
                raise CorruptRefused("a Motion-JPEG frame with a marker out of place")
            if not _defined(marker):
                raise UnsupportedContentRefused("a Motion-JPEG frame with an unknown segment")
            if len(head) < 4:
                raise CorruptRefused("a Motion-JPEG frame cut short before its picture data")
            seg = (head[2] << 8) | head[3]
            if seg < 2 or pos + 2 + seg > end:
                raise CorruptRefused("a Motion-JPEG segment past the end of its frame")
            if marker == COM or APP0 <= marker <= APP15:
                self._segment(reader, marker, pos + 4, seg - 2, seen)
            pos += 2 + seg
            if marker == SOS:
                scanned = True
                found = reader.find(_MARKER, pos)
                if found is None:
                    return None  # ends inside its picture data, no EOI: all of it searched
                pos = found
        raise LimitRefused("too many segments in a Motion-JPEG frame")

    def _after(self, reader: _Frame, pos: int, seen: set[str]) -> int | None:
        """What follows an EOI at ``pos``: the next field's SOI, or None once
        padding is kept or anything else zeroed."""
        end = reader.end
        zeros = reader.skip(pos, _NOT_ZERO)
        other = reader.skip(zeros, _NOT_FILL)
        if other == end:
            return None  # nothing, or padding
        if other > zeros and reader.get(other, 1)[0] == SOI:
            return other - 1  # the next field (its fill bytes kept)
        seen.add(AFTER)
        if AFTER not in self.values:
            self.values[AFTER] = printable(reader.get(other, min(end - other, _VALUE))
                                           .rstrip(b"\x00"))
        self.patches[pos] = Zeros(end - pos)
        return None

    def _segment(self, reader: _Frame, marker: int, at: int, n: int, seen: set[str]) -> None:
        if n == 0:
            return
        ident = reader.get(at, min(n, _IDENT))
        if marker == APP0 and ident.startswith(b"JFIF\x00") and n > _JFIF_FIXED:
            if reader.nonzero(at + _JFIF_FIXED, n - _JFIF_FIXED):
                seen.add(THUMBNAIL)
                self.patches[at + _JFIF_FIXED] = Zeros(n - _JFIF_FIXED)
            return
        if _needed(marker, ident) or not reader.nonzero(at, n):
            return  # needed to decode, or already blank (a cleaned file inspected again)
        label = segment_label(marker, ident)
        seen.add(label)
        if label == "comment" and label not in self.values:
            self.values[label] = printable(reader.get(at, min(n, _VALUE)).rstrip(b"\x00"))
        self.patches[at] = Zeros(n)

    def findings(self) -> list[Finding]:
        out = []
        for label, count in sorted(self.counts.items()):
            value = self.values.get(label, "")
            where = f"in {count} frame" + ("" if count == 1 else "s")
            out.append(Finding(f"MJPEG frame {label}", f"{value} ({where})" if value else where,
                               _CATEGORY.get(label, Category.HIDDEN_CONTENT)))
        return out
