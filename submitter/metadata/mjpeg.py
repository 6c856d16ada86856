"""Metadata segments inside Motion-JPEG frames (AVI, MOV/MP4, Matroska).

Every Motion-JPEG frame is a small JPEG picture, and each can carry its own
metadata segments: ffmpeg writes its version into a comment (COM) in every
frame, cameras and DVRs put Exif (device, time, sometimes GPS), XMP, ICC
profiles or vendor APPn data there. Each frame is walked from its start
marker to its scan (SOS), reading only the marker headers, in one small
window per frame where they fit, and those segments are zeroed in place:
same length, so offsets, indexes and sample tables stay right and the picture
data is untouched.

Kept, because decoding needs them: JFIF and AVI1 APP0 (field layout), Adobe
APP14 (colour transform) and Apple's Motion-JPEG A APP1 ('mjpg': where the
picture's tables and second field are).

Only the first field of a frame is walked: an interlaced frame holding two
JPEG fields back to back keeps whatever the second field carries.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import BinaryIO

from submitter.metadata.model import Category, CorruptRefused, Finding, LimitRefused, printable
from submitter.metadata.reads import any_nonzero, read_exact
from submitter.metadata.splice import Patch, Zeros

# FourCCs of Motion-JPEG video (AVI stream handler or BITMAPINFOHEADER compression).
FOURCCS = frozenset({b"MJPG", b"mjpg", b"AVRn", b"AVDJ", b"LJPG", b"JPEG", b"jpeg", b"dmb1",
                     b"MJPA", b"mjpa", b"MJLS"})
MAX_FRAME_SEGMENTS = 256  # marker segments before a frame's scan
SOS, COM, APP0, APP14, APP15 = 0xDA, 0xFE, 0xE0, 0xEE, 0xEF
_WINDOW = 2048  # bytes read at a frame's start: its headers usually fit
_IDENT = 32

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
    return f"APP{marker - APP0} segment"


def _needed(marker: int, ident: bytes) -> bool:
    """Segments decoders act on: kept byte for byte."""
    if marker == APP0:
        return ident.startswith((b"JFIF\x00", b"AVI1"))  # field order of interlaced video
    if marker == APP14:
        return ident.startswith(b"Adobe")  # the colour transform
    return marker == 0xE1 and b"mjpg" in (ident[:4], ident[4:8])  # Motion-JPEG A layout


class _Frame:
    """Reads inside one frame, through a window moved only when a read leaves it."""

    def __init__(self, fh: BinaryIO, start: int, end: int) -> None:
        self.fh, self.end = fh, end
        self.wstart, self.window = start, b""

    def get(self, pos: int, n: int) -> bytes:
        if not (self.wstart <= pos and pos + n <= self.wstart + len(self.window)):
            self.wstart = pos
            self.window = read_exact(self.fh, pos, min(max(n, _WINDOW), self.end - pos),
                                     "frames")
        at = pos - self.wstart
        return self.window[at : at + n]

    def nonzero(self, pos: int, n: int) -> bool:
        if n <= _WINDOW:
            return self.get(pos, n).count(0) != n
        return any_nonzero(self.fh, pos, n, "frames")


@dataclass(slots=True)
class MjpegScanner:
    """Walks the frames of one file's Motion-JPEG tracks.

    ``patches`` (file offset -> zeros of the same length) blank what was
    found; ``counts`` and ``findings`` say it, once per kind of segment.
    """

    patches: dict[int, Patch] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    values: dict[str, str] = field(default_factory=dict)

    def frame(self, fh: BinaryIO, body: int, length: int) -> None:
        """Zero the metadata segments of one JPEG frame, up to its scan."""
        if length == 0:
            return  # a dropped frame: the previous picture is shown again
        end = body + length
        reader = _Frame(fh, body, end)
        if length < 4 or reader.get(body, 2) != b"\xff\xd8":
            raise CorruptRefused("a Motion-JPEG frame that is not a JPEG picture")
        pos = body + 2
        for _ in range(MAX_FRAME_SEGMENTS):
            if pos + 4 > end:
                raise CorruptRefused("a Motion-JPEG frame cut short before its picture data")
            head = reader.get(pos, 4)
            if head[0] != 0xFF:
                raise CorruptRefused("a Motion-JPEG frame with broken markers")
            marker = head[1]
            if marker == 0xFF:  # fill byte before a marker
                pos += 1
                continue
            if marker == SOS:
                return  # the picture data follows; nothing after it is metadata we keep apart
            if marker in (0x00, 0x01, 0xD8, 0xD9) or 0xD0 <= marker <= 0xD7:
                raise CorruptRefused("a Motion-JPEG frame with a marker out of place")
            seg = (head[2] << 8) | head[3]
            if seg < 2 or pos + 2 + seg > end:
                raise CorruptRefused("a Motion-JPEG segment past the end of its frame")
            if marker == COM or APP0 <= marker <= APP15:
                self._segment(reader, marker, pos + 4, seg - 2)
            pos += 2 + seg
        raise LimitRefused("too many segments in a Motion-JPEG frame")

    def _segment(self, reader: _Frame, marker: int, at: int, n: int) -> None:
        if n == 0:
            return
        ident = reader.get(at, min(n, _IDENT))
        if _needed(marker, ident) or not reader.nonzero(at, n):
            return  # needed to decode, or already blank (a cleaned file inspected again)
        label = segment_label(marker, ident)
        self.counts[label] += 1
        if label == "comment" and label not in self.values:
            self.values[label] = printable(reader.get(at, min(n, 80)).rstrip(b"\x00"))
        self.patches[at] = Zeros(n)

    def findings(self) -> list[Finding]:
        out = []
        for label, count in sorted(self.counts.items()):
            value = self.values.get(label, "")
            where = f"in {count} frame" + ("" if count == 1 else "s")
            out.append(Finding(f"MJPEG frame {label}", f"{value} ({where})" if value else where,
                               _CATEGORY.get(label, Category.HIDDEN_CONTENT)))
        return out
