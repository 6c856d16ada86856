"""JPEG: drop metadata segments, keep the compressed picture byte for byte.

Kept: the frame, Huffman/quantisation/restart tables and every scan exactly as
they are (so pixels are unchanged), a normalised JFIF APP0 and Adobe APP14
(the latter tells decoders how colours are stored), and, when the picture is
not upright, a minimal EXIF holding only Orientation. Rotating the pixels
instead is only lossless when both sides are multiples of the block size,
so we keep the flag, which every current viewer honours.

Dropped: every other APPn (EXIF with GPS/serials/thumbnail, XMP, IPTC/
Photoshop, ICC profile, MPF and maker segments), COM, and any bytes after the
end-of-image marker (phones append depth maps and second pictures there).

The ICC colour profile goes too: its header and tags name the device maker
and model, the software that made it and when, and a calibrated profile can
be unique to one camera or scanner. Losing it only shifts colours slightly on
wide-gamut pictures (the report says so), which matters less than the source.

Refused: truncated or damaged structure, lossless/hierarchical/arithmetic
frames Pillow cannot decode for verification, unknown markers.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass, field
from typing import ClassVar

from PIL import Image

from submitter.metadata.cleaner import register
from submitter.metadata.images_common import (
    ICC_NOTE,
    QUANT_NOTE,
    KeptPictureCleaner,
    check_pixels,
    exif_findings,
    exif_orientation,
    iptc_findings,
    minimal_exif,
    pillow_guard,
    readable,
    xmp_findings,
)
from submitter.metadata.kinds import FileKind
from submitter.metadata.model import (
    Category,
    CorruptRefused,
    Finding,
    Limits,
    UnsupportedContentRefused,
)

_SOF_DECODABLE = frozenset({0xC0, 0xC1, 0xC2})
_SOF_OTHER = frozenset({0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
_TABLES = frozenset({0xC4, 0xCC, 0xDB, 0xDD})  # DHT, DAC, DQT, DRI
_XMP_ID = b"http://ns.adobe.com/xap/1.0/\x00"
_XMP_EXT_ID = b"http://ns.adobe.com/xmp/extension/\x00"
_MAX_SEGMENTS = 100_000


@dataclass(slots=True)
class _Parsed:
    kept: list[bytes] = field(default_factory=list)  # raw bytes of kept segments, in order
    findings: list[Finding] = field(default_factory=list)
    orientation: int = 1
    jfif: bytes | None = None  # normalised APP0 to emit first
    had_icc: bool = False
    width: int = 0
    height: int = 0


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload


def _scan_end(data: bytes, pos: int) -> int:
    """Index of the marker that ends the entropy-coded data starting at pos."""
    n = len(data)
    while True:
        i = data.find(b"\xff", pos)
        if i < 0 or i + 1 >= n:
            raise CorruptRefused("scan runs past the end")
        nxt = data[i + 1]
        if nxt == 0x00 or 0xD0 <= nxt <= 0xD7:
            pos = i + 2
        elif nxt == 0xFF:
            pos = i + 1  # fill byte before a marker
        else:
            return i


def _app_finding(marker: int, payload: bytes, parsed: _Parsed) -> None:
    n = marker - 0xE0
    out = parsed.findings
    if marker == 0xE0 and payload.startswith(b"JFIF\x00") and len(payload) >= 14:
        xt, yt = payload[12], payload[13]
        if parsed.jfif is None:
            # Version 1.01, density as given (it says how big to print, nothing more).
            parsed.jfif = _segment(0xE0, b"JFIF\x00\x01\x01" + payload[7:12] + b"\x00\x00")
        if xt * yt:
            out.append(Finding("JFIF thumbnail", "a small copy of the picture",
                               Category.HIDDEN_CONTENT))
        return
    if marker == 0xE0 and payload.startswith(b"JFXX\x00"):
        out.append(Finding("JFXX thumbnail", "a small copy of the picture",
                           Category.HIDDEN_CONTENT))
        return
    if marker == 0xE1 and payload.startswith(b"Exif\x00\x00"):
        body = payload[6:]
        if parsed.orientation == 1:
            parsed.orientation = exif_orientation(body)
        out.extend(exif_findings(body))
        return
    if marker == 0xE1 and payload.startswith(_XMP_ID):
        out.extend(xmp_findings(payload[len(_XMP_ID):]))
        return
    if marker == 0xE1 and payload.startswith(_XMP_EXT_ID):
        out.append(Finding("XMP extension", f"({len(payload)} bytes)", Category.HIDDEN_CONTENT))
        return
    if marker == 0xE2 and payload.startswith(b"ICC_PROFILE\x00"):
        parsed.had_icc = True
        desc = _icc_description(payload[14:])
        out.append(Finding("ICC colour profile", desc, Category.OTHER))
        return
    if marker == 0xE2 and payload.startswith(b"MPF\x00"):
        out.append(Finding("MPF index", "extra pictures stored after this one",
                           Category.HIDDEN_CONTENT))
        return
    if marker == 0xED:
        out.extend(iptc_findings(payload, "IPTC/Photoshop"))
        return
    ident = payload[:24].split(b"\x00", 1)[0]
    out.append(Finding(f"APP{n} segment", readable(ident) or f"({len(payload)} bytes)",
                       Category.OTHER))


def _icc_description(chunk: bytes) -> str:
    # The header's creator field (bytes 80-83) names who made the profile.
    if len(chunk) >= 84:
        creator = chunk[80:84].strip(b"\x00 ").decode("latin-1")
        if creator:
            return f"colour profile made by {creator!r}"
    return "colour profile"


def _parse(data: bytes, limits: Limits) -> _Parsed:
    if not data.startswith(b"\xff\xd8"):
        raise CorruptRefused("no start-of-image marker")
    parsed = _Parsed()
    pos, n = 2, len(data)
    seen_sof = False
    seen_sos = False
    count = 0
    while True:
        count += 1
        if count > _MAX_SEGMENTS:
            raise CorruptRefused("too many segments")
        if pos >= n or data[pos] != 0xFF:
            raise CorruptRefused("expected a marker")
        while pos < n and data[pos] == 0xFF:
            pos += 1
        if pos >= n:
            raise CorruptRefused("file ends inside a marker")
        marker = data[pos]
        start = pos - 1
        pos += 1
        if marker == 0xD9:  # end of image
            if not seen_sos:
                raise CorruptRefused("no picture data")
            trailing = n - pos
            if trailing > 0 and data[pos:].strip(b"\x00"):
                parsed.findings.append(Finding(
                    "data after the end of the picture",
                    f"({trailing} bytes: often extra pictures, depth maps or a second copy)",
                    Category.HIDDEN_CONTENT))
            break
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            parsed.kept.append(data[start:pos])
            continue
        if pos + 2 > n:
            raise CorruptRefused("file ends inside a segment header")
        (length,) = struct.unpack(">H", data[pos : pos + 2])
        end = pos + length
        if length < 2 or end > n:
            raise CorruptRefused("segment runs past the end")
        payload = data[pos + 2 : end]
        if marker == 0xEE and payload.startswith(b"Adobe") and len(payload) == 12:
            # Keep the colour transform flag only; version and flags normalised.
            parsed.kept.append(_segment(0xEE, b"Adobe\x00\x64\x00\x00\x00\x00" + payload[11:12]))
            pos = end
            continue
        if 0xE0 <= marker <= 0xEF:
            _app_finding(marker, payload, parsed)
            pos = end
            continue
        if marker == 0xFE:
            parsed.findings.append(Finding("JPEG comment", readable(payload),
                                           Category.HIDDEN_CONTENT))
            pos = end
            continue
        if marker in _SOF_OTHER:
            raise UnsupportedContentRefused(f"JPEG frame type {marker:#x}")
        if marker in _SOF_DECODABLE:
            if seen_sof or len(payload) < 6:
                raise CorruptRefused("second or short frame header")
            seen_sof = True
            parsed.height, parsed.width = struct.unpack(">HH", payload[1:5])
            if parsed.height == 0:
                raise UnsupportedContentRefused("height given after the scan (DNL)")
            check_pixels(parsed.width, parsed.height, limits)
            parsed.kept.append(data[start:end])
            pos = end
            continue
        if marker in _TABLES or marker == 0xDC:
            parsed.kept.append(data[start:end])
            pos = end
            continue
        if marker == 0xDA:
            if not seen_sof:
                raise CorruptRefused("scan before frame header")
            seen_sos = True
            scan_end = _scan_end(data, end)
            parsed.kept.append(data[start:scan_end])
            pos = scan_end
            continue
        raise UnsupportedContentRefused(f"JPEG marker {marker:#x}")
    return parsed


def _rebuild(parsed: _Parsed) -> bytes:
    out = [b"\xff\xd8"]
    if parsed.jfif is not None:
        out.append(parsed.jfif)
    if parsed.orientation != 1:
        out.append(_segment(0xE1, b"Exif\x00\x00" + minimal_exif(parsed.orientation)))
    out.extend(parsed.kept)
    out.append(b"\xff\xd9")
    return b"".join(out)


def _verify_decodes(cleaned: bytes, parsed: _Parsed, limits: Limits) -> None:
    with pillow_guard():
        im = Image.open(io.BytesIO(cleaned), formats=["JPEG"])
        if im.size != (parsed.width, parsed.height):
            raise CorruptRefused("decoder disagrees on the size")
        # Decoding at 1/8 scale still entropy-decodes every block (what we
        # need to know: the scan is complete and sound) but skips most of the
        # pixel work. Pixels are not compared: the scan bytes are untouched.
        im.draft(im.mode, (max(1, parsed.width // 8), max(1, parsed.height // 8)))
        im.load()


@register
class JpegCleaner(KeptPictureCleaner[_Parsed]):
    name: ClassVar[str] = "jpeg"
    kinds: ClassVar[frozenset[FileKind]] = frozenset({FileKind.JPEG})

    def parse(self, data: bytes, limits: Limits) -> _Parsed:
        return _parse(data, limits)

    def rebuild(self, parsed: _Parsed, limits: Limits) -> tuple[bytes, list[str]]:
        cleaned = _rebuild(parsed)
        _verify_decodes(cleaned, parsed, limits)
        notes = [QUANT_NOTE]
        if parsed.had_icc:
            notes.append(ICC_NOTE)
        if parsed.orientation != 1:
            notes.append("Only the picture's turn (orientation) was kept, so it shows upright.")
        return cleaned, notes
