"""PNG (and animated PNG): keep the chunks needed to draw, drop the rest.

Kept as they are: IHDR, PLTE, IDAT, IEND, and the display chunks tRNS, gAMA,
cHRM, sRGB, cICP, mDCV, cLLI, sBIT, bKGD, pHYs and the APNG animation chunks
acTL/fcTL/fdAT. Pixels are therefore unchanged byte for byte.

Dropped: text (tEXt/zTXt/iTXt: authors, software, XMP, comments), tIME,
eXIf (replaced by a minimal one holding only Orientation when needed), iCCP
(it can name device and software), content credentials (caBX), suggested
palettes (sPLT carries a name) and every other ancillary chunk, plus
anything after IEND. An unknown *critical* chunk is refused: the picture
might not draw without it.
"""

from __future__ import annotations

import struct
import zlib
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
    inflate_bounded,
    minimal_exif,
    text_findings,
)
from submitter.metadata.kinds import FileKind
from submitter.metadata.model import (
    Category,
    CorruptRefused,
    Finding,
    Limits,
    UnsupportedContentRefused,
)

SIGNATURE = b"\x89PNG\r\n\x1a\n"
_KEEP = frozenset({
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"cICP",
    b"mDCV", b"cLLI", b"sBIT", b"bKGD", b"pHYs", b"acTL", b"fcTL", b"fdAT",
})
_MAX_CHUNKS = 1_000_000


def chunk(ctype: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + ctype + body + struct.pack(">I", zlib.crc32(ctype + body))


_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
          (0, 1, 1, 2))


@dataclass(slots=True)
class _Parsed:
    kept: list[bytes] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    orientation: int = 1
    had_icc: bool = False
    frames: int = 1
    animated: bool = False
    ihdr: bytes = b""
    idat: list[bytes] = field(default_factory=list)


def _raw_size(ihdr: bytes) -> int:
    """Bytes the image data must inflate to (rows plus one filter byte each)."""
    width, height, depth, ctype, _comp, _filt, interlace = struct.unpack(">IIBBBBB", ihdr)
    if depth not in _DEPTHS.get(ctype, ()) or interlace > 1:
        raise CorruptRefused("impossible PNG header")
    bits = _CHANNELS[ctype] * depth

    def rows(w: int, h: int) -> int:
        return 0 if w == 0 or h == 0 else h * (1 + (w * bits + 7) // 8)

    if interlace == 0:
        return rows(width, height)
    total = 0
    for x0, y0, dx, dy in _ADAM7:
        total += rows(max(0, (width - x0 + dx - 1) // dx), max(0, (height - y0 + dy - 1) // dy))
    return total


def _verify_image_data(parsed: _Parsed) -> None:
    """Inflate the image data in bounded steps, keeping nothing: it must end
    exactly where the header says. Memory stays flat whatever the size."""
    expected = _raw_size(parsed.ihdr)
    inflater = zlib.decompressobj()
    produced = 0
    try:
        for body in parsed.idat:
            pending = body
            while pending:
                produced += len(inflater.decompress(pending, 1 << 20))
                pending = inflater.unconsumed_tail
                if produced > expected:
                    raise CorruptRefused("image data longer than the picture")
        produced += len(inflater.flush())
    except zlib.error as exc:
        raise CorruptRefused("image data does not decompress") from exc
    if not inflater.eof or produced != expected:
        raise CorruptRefused("image data incomplete")


def _latin1(b: bytes) -> str:
    return b.decode("latin-1")


def _text_chunk(ctype: bytes, body: bytes, out: list[Finding]) -> None:
    where = f"PNG {ctype.decode('ascii')}"
    key, sep, rest = body.partition(b"\x00")
    if not sep:
        out.append(Finding(where, "(broken text)", Category.HIDDEN_CONTENT))
        return
    value: str | None
    if ctype == b"tEXt":
        value = _latin1(rest)
    elif ctype == b"zTXt":
        raw = inflate_bounded(rest[1:])
        value = None if raw is None else _latin1(raw)
    else:  # iTXt: flag, method, language\0, translated key\0, text
        if len(rest) < 2:
            out.append(Finding(where, "(broken text)", Category.HIDDEN_CONTENT))
            return
        compressed = rest[0] == 1
        parts = rest[2:].split(b"\x00", 2)
        text = parts[2] if len(parts) == 3 else b""
        raw = inflate_bounded(text) if compressed else text
        value = None if raw is None else raw.decode("utf-8", "replace")
    name = _latin1(key)[:79]
    if value is None:
        out.append(Finding(f"{where} {name}", "(compressed text, not shown)",
                           Category.HIDDEN_CONTENT))
        return
    out.extend(text_findings(name, value, where))


def _tIME(body: bytes) -> str:
    if len(body) != 7:
        return "(broken time)"
    y, mo, d, h, mi, s = struct.unpack(">HBBBBB", body)
    return f"{y:04d}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}:{s:02d} UTC"


def _parse(data: bytes, limits: Limits) -> _Parsed:
    if not data.startswith(SIGNATURE):
        raise CorruptRefused("no PNG signature")
    parsed = _Parsed()
    pos, n = len(SIGNATURE), len(data)
    first = True
    count = 0
    while True:
        count += 1
        if count > _MAX_CHUNKS:
            raise CorruptRefused("too many chunks")
        if pos + 12 > n:
            raise CorruptRefused("file ends inside a chunk")
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        ctype = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if length > 0x7FFFFFFF or end > n:
            raise CorruptRefused("chunk runs past the end")
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[end - 4 : end])
        if zlib.crc32(ctype + body) != crc:
            raise CorruptRefused("chunk checksum")
        if not ctype.isalpha():
            raise CorruptRefused("bad chunk name")
        if first:
            if ctype != b"IHDR" or length != 13:
                raise CorruptRefused("IHDR must come first")
            width, height = struct.unpack(">II", body[:8])
            check_pixels(width, height, limits)
            parsed.ihdr = body
            first = False
        if ctype == b"acTL" and length >= 4:
            parsed.frames = max(1, struct.unpack(">I", body[:4])[0])
            parsed.animated = True
        if ctype == b"IDAT":
            parsed.idat.append(body)
        if ctype in _KEEP:
            parsed.kept.append(data[pos:end])
        elif ctype in (b"tEXt", b"zTXt", b"iTXt"):
            _text_chunk(ctype, body, parsed.findings)
        elif ctype == b"tIME":
            parsed.findings.append(Finding("PNG tIME (last changed)", _tIME(body), Category.TIME))
        elif ctype == b"eXIf":
            if parsed.orientation == 1:
                parsed.orientation = exif_orientation(body)
            parsed.findings.extend(exif_findings(body, "PNG EXIF"))
        elif ctype == b"iCCP":
            parsed.had_icc = True
            name = _latin1(body.split(b"\x00", 1)[0])[:79]
            parsed.findings.append(Finding("PNG colour profile", name or "(unnamed)",
                                           Category.OTHER))
        elif ctype == b"caBX":
            parsed.findings.append(Finding("PNG content credentials (C2PA)",
                                           "signed record of the device and edits",
                                           Category.IDENTIFIER))
        elif ctype[0:1].isupper():
            raise UnsupportedContentRefused(f"unknown critical PNG chunk {ctype!r}")
        else:
            parsed.findings.append(Finding(f"PNG {_latin1(ctype)} chunk",
                                           f"({length} bytes)", Category.OTHER))
        pos = end
        if ctype == b"IEND":
            break
    if data[pos:].strip(b"\x00"):
        parsed.findings.append(Finding("data after the end of the picture",
                                       f"({n - pos} bytes)", Category.HIDDEN_CONTENT))
    return parsed


def _rebuild(parsed: _Parsed) -> bytes:
    out = [SIGNATURE, parsed.kept[0]]  # IHDR first
    if parsed.orientation != 1:
        out.append(chunk(b"eXIf", minimal_exif(parsed.orientation)))
    out.extend(parsed.kept[1:])
    return b"".join(out)


@register
class PngCleaner(KeptPictureCleaner[_Parsed]):
    name: ClassVar[str] = "png"
    kinds: ClassVar[frozenset[FileKind]] = frozenset({FileKind.PNG})

    def parse(self, data: bytes, limits: Limits) -> _Parsed:
        return _parse(data, limits)

    def rebuild(self, parsed: _Parsed, limits: Limits) -> tuple[bytes, list[str]]:
        cleaned = _rebuild(parsed)
        _verify_image_data(parsed)
        decode_check(cleaned, "PNG", limits, parsed.frames, every_frame=parsed.animated)
        notes = [PARTS_KEPT_NOTE]
        if parsed.had_icc:
            notes.append(ICC_NOTE)
        return cleaned, notes
