"""WebP: drop the EXIF, XMP, ICC and unknown RIFF chunks; keep the picture.

The compressed image chunks (VP8, VP8L, ALPH, ANIM, ANMF) are copied byte for
byte. The VP8X header's flags are rewritten to match what is left, and the
RIFF size recomputed. A picture that is not upright keeps a minimal EXIF
chunk holding only Orientation.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import ClassVar

from submitter.metadata.cleaner import register
from submitter.metadata.images_common import (
    ICC_NOTE,
    PARTS_KEPT_NOTE,
    KeptPictureCleaner,
    check_pixels,
    decode_check,
    exif_findings,
    exif_orientation,
    minimal_exif,
    xmp_findings,
)
from submitter.metadata.kinds import FileKind
from submitter.metadata.model import (
    Category,
    CorruptRefused,
    Finding,
    Limits,
)

_IMAGE_CHUNKS = frozenset({b"VP8 ", b"VP8L", b"ALPH", b"ANIM", b"ANMF"})
_FLAG_ICC, _FLAG_ALPHA, _FLAG_EXIF, _FLAG_XMP, _FLAG_ANIM = 0x20, 0x10, 0x08, 0x04, 0x02
_MAX_CHUNKS = 1_000_000


def _riff_chunk(fourcc: bytes, body: bytes) -> bytes:
    pad = b"\x00" if len(body) % 2 else b""
    return fourcc + struct.pack("<I", len(body)) + body + pad


@dataclass(slots=True)
class _Parsed:
    vp8x: bytes | None = None  # the 10-byte payload
    kept: list[bytes] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    orientation: int = 1
    had_icc: bool = False
    frames: int = 0


def _simple_size(fourcc: bytes, body: bytes) -> tuple[int, int]:
    if fourcc == b"VP8 " and len(body) >= 10 and body[3:6] == b"\x9d\x01\x2a":
        w, h = struct.unpack("<HH", body[6:10])
        return w & 0x3FFF, h & 0x3FFF
    if fourcc == b"VP8L" and len(body) >= 5 and body[0] == 0x2F:
        (bits,) = struct.unpack("<I", body[1:5])
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    raise CorruptRefused("bad WebP image header")


def _parse(data: bytes, limits: Limits) -> _Parsed:
    if len(data) < 20 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise CorruptRefused("no WebP header")
    (riff_size,) = struct.unpack("<I", data[4:8])
    end = 8 + riff_size
    if end > len(data) or riff_size < 4:
        raise CorruptRefused("RIFF size runs past the end")
    parsed = _Parsed()
    pos = 12
    count = 0
    while pos < end:
        count += 1
        if count > _MAX_CHUNKS:
            raise CorruptRefused("too many chunks")
        if pos + 8 > end:
            raise CorruptRefused("file ends inside a chunk header")
        fourcc = data[pos : pos + 4]
        (size,) = struct.unpack("<I", data[pos + 4 : pos + 8])
        body_end = pos + 8 + size
        nxt = body_end + (size & 1)
        if body_end > end:
            raise CorruptRefused("chunk runs past the end")
        body = data[pos + 8 : body_end]
        if pos == 12:
            if fourcc == b"VP8X":
                if size < 10:
                    raise CorruptRefused("short VP8X")
                parsed.vp8x = body[:10]
                w = int.from_bytes(body[4:7], "little") + 1
                h = int.from_bytes(body[7:10], "little") + 1
                check_pixels(w, h, limits)
                pos = nxt
                continue
            if fourcc not in (b"VP8 ", b"VP8L"):
                raise CorruptRefused("WebP must start with an image chunk")
            check_pixels(*_simple_size(fourcc, body), limits)
        if fourcc in _IMAGE_CHUNKS:
            parsed.kept.append(_riff_chunk(fourcc, body))
            if fourcc in (b"ANMF", b"VP8 ", b"VP8L"):
                parsed.frames += 1
        elif fourcc == b"EXIF":
            if parsed.orientation == 1:
                parsed.orientation = exif_orientation(body.removeprefix(b"Exif\x00\x00"))
            parsed.findings.extend(exif_findings(body, "WebP EXIF"))
        elif fourcc == b"XMP ":
            parsed.findings.extend(xmp_findings(body, "WebP XMP"))
        elif fourcc == b"ICCP":
            parsed.had_icc = True
            parsed.findings.append(Finding("WebP colour profile", f"({size} bytes)",
                                           Category.OTHER))
        else:
            parsed.findings.append(Finding(f"WebP {fourcc.decode('latin-1')!r} chunk",
                                           f"({size} bytes)", Category.OTHER))
        pos = nxt
    if parsed.frames == 0:
        raise CorruptRefused("no image data")
    if len(data) > end and data[end:].strip(b"\x00"):
        parsed.findings.append(Finding("data after the end of the picture",
                                       f"({len(data) - end} bytes)", Category.HIDDEN_CONTENT))
    return parsed


def _rebuild(parsed: _Parsed) -> bytes:
    chunks: list[bytes] = []
    if parsed.vp8x is not None:
        flags = parsed.vp8x[0] & (_FLAG_ALPHA | _FLAG_ANIM)
        if parsed.orientation != 1:
            flags |= _FLAG_EXIF
        chunks.append(_riff_chunk(b"VP8X", bytes([flags]) + b"\x00\x00\x00" + parsed.vp8x[4:10]))
    chunks.extend(parsed.kept)
    if parsed.vp8x is not None and parsed.orientation != 1:
        chunks.append(_riff_chunk(b"EXIF", minimal_exif(parsed.orientation)))
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


@register
class WebpCleaner(KeptPictureCleaner[_Parsed]):
    name: ClassVar[str] = "webp"
    kinds: ClassVar[frozenset[FileKind]] = frozenset({FileKind.WEBP})

    def parse(self, data: bytes, limits: Limits) -> _Parsed:
        return _parse(data, limits)

    def rebuild(self, parsed: _Parsed, limits: Limits) -> tuple[bytes, list[str]]:
        cleaned = _rebuild(parsed)
        decode_check(cleaned, "WEBP", limits, parsed.frames)
        notes = [PARTS_KEPT_NOTE]
        if parsed.had_icc:
            notes.append(ICC_NOTE)
        return cleaned, notes
