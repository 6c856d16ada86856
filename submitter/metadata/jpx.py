"""JPEG 2000 images inside PDFs: drop metadata boxes and comments, keep pixels.

A PDF's /JPXDecode stream is either a JP2 file (boxes) or a bare codestream.
Boxes that carry metadata (XML/XMP, UUID boxes such as EXIF or GeoJP2
positions, IPR, labels) are dropped; the image header, colour and codestream
boxes are kept byte for byte. In the codestream, comment (COM) segments,
which name the encoder, are removed; the compressed image data is never
touched. Anything not understood is refused, never passed through.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from submitter.metadata.model import (
    Category,
    CorruptRefused,
    Finding,
    UnsupportedContentRefused,
)

_SIGNATURE = b"\x00\x00\x00\x0cjP  \r\n\x87\n"
_KEEP = frozenset({b"jP  ", b"ftyp", b"rreq", b"jp2h", b"jp2c", b"res "})
_DROP = {
    b"xml ": "XML metadata (XMP)",
    b"uuid": "vendor metadata (EXIF, XMP or GeoJP2 position)",
    b"uinf": "vendor information",
    b"jp2i": "intellectual property rights",
    b"asoc": "labelled metadata",
    b"lbl ": "label",
    b"nlst": "label list",
}
_SOC, _SOT, _SOD, _EOC, _COM, _TLM = 0xFF4F, 0xFF90, 0xFF93, 0xFFD9, 0xFF64, 0xFF55
# Markers without a length field.
_NO_LENGTH = frozenset({_SOC, _SOD, _EOC}) | set(range(0xFF30, 0xFF40))


@dataclass(slots=True)
class JpxResult:
    data: bytes
    findings: list[Finding] = field(default_factory=list)


def _boxes(data: bytes) -> list[tuple[bytes, bytes]]:
    """Top-level (type, whole box bytes) pairs."""
    out: list[tuple[bytes, bytes]] = []
    pos = 0
    while pos < len(data):
        if pos + 8 > len(data):
            raise CorruptRefused("JPEG 2000 box header cut short")
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        if length == 1:
            if pos + 16 > len(data):
                raise CorruptRefused("JPEG 2000 box header cut short")
            (length,) = struct.unpack(">Q", data[pos + 8 : pos + 16])
        elif length == 0:
            length = len(data) - pos
        if length < 8 or pos + length > len(data):
            raise CorruptRefused("JPEG 2000 box length")
        out.append((kind, data[pos : pos + length]))
        pos += length
    return out


def _segments(code: bytes, pos: int, stop: frozenset[int]) -> tuple[list[tuple[int, bytes]], int]:
    """Marker segments from ``pos`` up to (not including) a marker in ``stop``."""
    segs: list[tuple[int, bytes]] = []
    while True:
        if pos + 2 > len(code):
            raise CorruptRefused("JPEG 2000 codestream cut short")
        (marker,) = struct.unpack(">H", code[pos : pos + 2])
        if marker in stop:
            return segs, pos
        if marker in _NO_LENGTH or marker >> 8 != 0xFF:
            raise CorruptRefused("unexpected JPEG 2000 marker")
        if pos + 4 > len(code):
            raise CorruptRefused("JPEG 2000 codestream cut short")
        (length,) = struct.unpack(">H", code[pos + 2 : pos + 4])
        if length < 2 or pos + 2 + length > len(code):
            raise CorruptRefused("JPEG 2000 segment length")
        segs.append((marker, code[pos : pos + 2 + length]))
        pos += 2 + length


def _comment(seg: bytes) -> str:
    return seg[6:].decode("latin-1", "replace").strip() or "(empty comment)"


def clean_codestream(code: bytes, findings: list[Finding]) -> bytes:
    if not code.startswith(b"\xff\x4f"):
        raise CorruptRefused("not a JPEG 2000 codestream")
    main, pos = _segments(code, 2, frozenset({_SOT}))
    has_tlm = any(m == _TLM for m, _ in main)
    out = bytearray(b"\xff\x4f")
    for marker, seg in main:
        if marker == _COM:
            findings.append(Finding("JPEG 2000 comment", _comment(seg), Category.SOFTWARE))
        else:
            out += seg
    while True:
        (marker,) = struct.unpack(">H", code[pos : pos + 2])
        if marker == _EOC:
            out += code[pos : pos + 2]  # anything after the end marker is not image
            return bytes(out)
        if marker != _SOT:
            raise CorruptRefused("JPEG 2000 tile-part expected")
        start = pos
        header, sod = _segments(code, pos, frozenset({_SOD}))
        sot = header[0][1]
        if header[0][0] != _SOT or len(sot) != 12:
            raise CorruptRefused("JPEG 2000 tile-part header")
        (psot,) = struct.unpack(">I", sot[6:10])
        end = len(code) - 2 if psot == 0 else start + psot
        if end > len(code) or end <= sod:
            raise CorruptRefused("JPEG 2000 tile-part length")
        kept = [seg for m, seg in header[1:] if m != _COM]
        for m, seg in header[1:]:
            if m == _COM:
                findings.append(Finding("JPEG 2000 comment", _comment(seg), Category.SOFTWARE))
        removed = sum(len(seg) for m, seg in header[1:] if m == _COM)
        if removed and has_tlm:
            raise UnsupportedContentRefused("JPEG 2000 tile lengths would change")
        new_psot = 0 if psot == 0 else psot - removed
        out += sot[:6] + struct.pack(">I", new_psot) + sot[10:]
        for seg in kept:
            out += seg
        out += code[sod:end]
        pos = end
        if pos + 2 > len(code):
            raise CorruptRefused("JPEG 2000 codestream cut short")


def clean(untrusted: bytes) -> JpxResult:
    """The image without its metadata, and what was found."""
    findings: list[Finding] = []
    if untrusted.startswith(b"\xff\x4f"):
        return JpxResult(clean_codestream(untrusted, findings), findings)
    if not untrusted.startswith(_SIGNATURE):
        raise CorruptRefused("not a JPEG 2000 image")
    out = bytearray()
    for kind, box in _boxes(untrusted):
        if kind in _DROP:
            findings.append(Finding("JPEG 2000 metadata", _DROP[kind], Category.OTHER))
            continue
        if kind not in _KEEP:
            raise UnsupportedContentRefused("unknown JPEG 2000 box")
        if kind == b"jp2c":
            header = 8 if struct.unpack(">I", box[:4])[0] != 1 else 16
            body = clean_codestream(box[header:], findings)
            out += struct.pack(">I", len(body) + 8) + b"jp2c" + body
        else:
            out += box
    return JpxResult(bytes(out), findings)
