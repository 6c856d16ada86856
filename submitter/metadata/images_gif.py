"""GIF: keep frames and their timing, drop comments and foreign extensions.

Kept byte for byte: header, screen descriptor, colour tables, graphic
control extensions (frame delays, transparency) and image data. The
NETSCAPE2.0/ANIMEXTS1.0 looping extension is re-written in its one standard
form. Dropped: comment extensions, application extensions (XMP, ICC, maker
data), plain-text extensions (text meant to be drawn over the picture, which
almost no viewer shows) and anything after the trailer.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import ClassVar

from submitter.metadata.cleaner import register
from submitter.metadata.images_common import (
    KeptPictureCleaner,
    check_pixels,
    decode_check,
    readable,
    xmp_findings,
)
from submitter.metadata.kinds import FileKind
from submitter.metadata.model import (
    Category,
    CorruptRefused,
    Finding,
    LimitRefused,
    Limits,
)

_LOOP_IDS = frozenset({b"NETSCAPE2.0", b"ANIMEXTS1.0"})
_MAX_BLOCKS = 2_000_000
_MAX_FRAMES = 10_000


@dataclass(slots=True)
class _Parsed:
    kept: list[bytes] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    frames: int = 0
    dropped_plain_text: bool = False


def _sub_blocks(data: bytes, pos: int) -> tuple[list[bytes], int]:
    """The data sub-blocks starting at pos, and the index after the terminator."""
    blocks: list[bytes] = []
    n = len(data)
    while True:
        if pos >= n:
            raise CorruptRefused("file ends inside a data block")
        size = data[pos]
        pos += 1
        if size == 0:
            return blocks, pos
        if pos + size > n:
            raise CorruptRefused("data block runs past the end")
        blocks.append(data[pos : pos + size])
        pos += size
        if len(blocks) > _MAX_BLOCKS:
            raise LimitRefused("too many data blocks")


def _skip_sub_blocks(data: bytes, pos: int) -> int:
    n = len(data)
    count = 0
    while True:
        if pos >= n:
            raise CorruptRefused("file ends inside image data")
        size = data[pos]
        pos += 1 + size
        if size == 0:
            return pos
        count += 1
        if count > _MAX_BLOCKS:
            raise LimitRefused("too many data blocks")


def _extension(data: bytes, pos: int, parsed: _Parsed) -> int:
    label = data[pos + 1] if pos + 1 < len(data) else -1
    blocks, end = _sub_blocks(data, pos + 2)
    if label == 0xF9:
        parsed.kept.append(data[pos:end])
    elif label == 0xFE:
        parsed.findings.append(Finding("GIF comment", readable(b"".join(blocks)),
                                       Category.HIDDEN_CONTENT))
    elif label == 0x01:
        parsed.dropped_plain_text = True
        text = b"".join(blocks[1:])
        parsed.findings.append(Finding("GIF plain-text overlay", readable(text),
                                       Category.HIDDEN_CONTENT))
    elif label == 0xFF and blocks and len(blocks[0]) == 11:
        app = blocks[0]
        if app in _LOOP_IDS and len(blocks) == 2 and len(blocks[1]) == 3 and blocks[1][0] == 1:
            loops = blocks[1][1:3]
            parsed.kept.append(b"\x21\xff\x0bNETSCAPE2.0\x03\x01" + loops + b"\x00")
        elif app == b"XMP DataXMP":
            # XMP in GIF is raw text laid over the sub-block lengths; skim the span.
            parsed.findings.extend(xmp_findings(data[pos + 14 : end], "GIF XMP"))
        elif app == b"ICCRGBG1012":
            parsed.findings.append(Finding("GIF colour profile", "(ICC profile)", Category.OTHER))
        else:
            parsed.findings.append(Finding("GIF application extension", readable(app),
                                           Category.OTHER))
    else:
        parsed.findings.append(Finding("GIF extension", f"(type {label:#x})", Category.OTHER))
    return end


def _parse(data: bytes, limits: Limits) -> _Parsed:
    if len(data) < 13 or data[:6] not in (b"GIF87a", b"GIF89a"):
        raise CorruptRefused("no GIF header")
    width, height, packed = struct.unpack("<HHB", data[6:11])
    check_pixels(width, height, limits)
    pos = 13
    if packed & 0x80:
        pos += 3 * (2 ** ((packed & 0x07) + 1))
    parsed = _Parsed()
    parsed.kept.append(b"GIF89a" + data[6:pos])
    if pos > len(data):
        raise CorruptRefused("file ends inside the colour table")
    while True:
        if pos >= len(data):
            raise CorruptRefused("no trailer")
        intro = data[pos]
        if intro == 0x3B:
            pos += 1
            break
        if intro == 0x21:
            pos = _extension(data, pos, parsed)
        elif intro == 0x2C:
            if pos + 10 > len(data):
                raise CorruptRefused("short image descriptor")
            lpacked = data[pos + 9]
            start = pos
            pos += 10
            if lpacked & 0x80:
                pos += 3 * (2 ** ((lpacked & 0x07) + 1))
            pos += 1  # LZW minimum code size
            pos = _skip_sub_blocks(data, pos)
            parsed.kept.append(data[start:pos])
            parsed.frames += 1
            if parsed.frames > _MAX_FRAMES:
                raise LimitRefused("too many frames")
        else:
            raise CorruptRefused("unknown GIF block")
    if parsed.frames == 0:
        raise CorruptRefused("no image")
    if data[pos:].strip(b"\x00"):
        parsed.findings.append(Finding("data after the end of the picture",
                                       f"({len(data) - pos} bytes)", Category.HIDDEN_CONTENT))
    return parsed


@register
class GifCleaner(KeptPictureCleaner[_Parsed]):
    name: ClassVar[str] = "gif"
    kinds: ClassVar[frozenset[FileKind]] = frozenset({FileKind.GIF})

    def parse(self, data: bytes, limits: Limits) -> _Parsed:
        return _parse(data, limits)

    def rebuild(self, parsed: _Parsed, limits: Limits) -> tuple[bytes, list[str]]:
        cleaned = b"".join(parsed.kept) + b"\x3b"
        decode_check(cleaned, "GIF", limits, parsed.frames)
        notes = ["Frames, colours and timing were kept byte for byte."]
        if parsed.dropped_plain_text:
            notes.append("A text overlay meant to be drawn over the picture was removed; "
                         "almost no viewer shows it.")
        return cleaned, notes
