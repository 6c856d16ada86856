"""Encoder notes inside MPEG-4 Part 2 video (ffmpeg's mpeg4, Xvid, DivX).

An MPEG-4 Visual elementary stream is a row of start codes (00 00 01 xx)
and the bits after each (ISO/IEC 14496-2, 6.2). Code B2 opens user data:
free bytes up to the next start code, which the stream's syntax guarantees
cannot occur inside them. Encoders put their name and version there, in the
headers (VOS, VOL, GOV) that precede each key frame's picture: ffmpeg writes
"Lavc60.31.102", Xvid "XviD0064", DivX "DivX503b1393p". The headers live in
every frame that starts a sequence (AVI, Matroska blocks) and in the
decoder configuration (an MP4 'esds' DecoderSpecificInfo, a Matroska
CodecPrivate, the tail of an AVI 'strf').

What is blanked, and how: each payload's bytes, up to any zero bytes just
before the next start code, become 0xFF: never part of a start code (00 00
01) and not text, so the stream keeps every size and offset. Each frame is
searched whole, since nothing but the start codes says where headers end.

What is refused, and why: decoders read some of these notes to decide how
to decode. FFmpeg (and so most players) switches to Xvid's IDCT and its bug
work-arounds on "XviD", to DivX's on "DivX" (the "p" of packed B-frames
changes how frames are split), to old-FFmpeg work-arounds on "FFmpeg..."
and on some "Lavc" versions; the same decoder, finding no note, guesses from
an AVI/Matroska format code (XVID, DIVX, ...). Blanking any of those would
change the pictures, so such a file is refused with that reason rather than
changed. Notes from current FFmpeg ("Lavc58" and later and any
"Lavc" version outside the work-around ranges) and from other programs are
blanked.

MPEG-1 and MPEG-2 video use the same start code (B2) for user data, with the
same rule that it runs to the next start code (ISO/IEC 13818-2, 6.2.2.2.2).
Camcorders (HDV, XDCAM, IMX) and broadcast recorders write there: closed
captions (ATSC "GA94", DVD "CC"), camera and recorder notes, time codes.
The same scanner walks them (``Mpeg4Scanner(mpeg12=True)``) with MPEG-1/2's
own rules: active format description ("DTG1") is kept, because displays
crop by it; FFmpeg's MPEG-2 decoder changes how it decodes on TMPGEnc's note
("TMPGEXS"), so that one is refused; every other note is blanked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import BinaryIO

from submitter.metadata.model import (
    Category,
    CorruptRefused,
    EncoderNoteRefused,
    Finding,
    LimitRefused,
)
from submitter.metadata.reads import read_exact

START = b"\x00\x00\x01"
USER_DATA = 0xB2
FILLER = 0xFF
MAX_FRAME = 64 * 1024 * 1024
MAX_START_CODES = 50_000_000  # per file
MAX_DISTINCT_FINDINGS = 20

# Format codes (AVI FourCC, Matroska VFW, QuickTime sample entry) of MPEG-4
# Part 2 video, compared upper-cased.
FOURCCS = frozenset({
    b"FMP4", b"XVID", b"XVIX", b"DIVX", b"DX50", b"MP4V", b"MP4S", b"M4S2", b"3IV2", b"RMP4",
    b"ZMP4", b"SIPP", b"UMP4", b"SEDG", b"BLZ0", b"DXGM", b"WV1F", b"SMP4", b"EM4A", b"M4CC",
    b"DIV1", b"FFDS", b"FVFW", b"DCOD", b"MVXM", b"PM4V", b"HDX4", b"DM4V", b"DMK2", b"GEOV",
    b"SN40", b"VSPX", b"ULDX", b"SM4V", b"QMP4", b"GMP4", b"MNM4", b"EPHV", b"DIGI", b"INMC",
})
# QuickTime sample entries of MPEG-1/2 video: HDV, XDCAM (EX, HD422), IMX, and
# the plain ones; an 'mp4v' entry with an MPEG-1/2 objectTypeIndication too.
MPEG12_FORMATS = frozenset({
    b"m1v ", b"m2v1", b"mp1v", b"mp2v", b"mpg2",
    *(b"hdv" + bytes([c]) for c in b"123456789a"),
    *(b"xdv" + bytes([c]) for c in b"0123456789abcdef"),
    *(b"xd5" + bytes([c]) for c in b"0123456789abcdef"), b"xdhd", b"xdh2",
    *(b"mx" + bytes([n, p]) for n in b"345" for p in b"np"),
})
# AVI / Matroska VFW format codes of MPEG-1/2 video, compared upper-cased.
MPEG12_FOURCCS = frozenset({b"MPG1", b"MPG2", b"MPEG", b"PIM1", b"PIM2", b"MMES", b"EM2V",
                            b"LMP2", b"SLIF", b"HDV1", b"HDV2", b"HDV3", b"MX5P", b"XDV3"})
MPEG12_AFD = b"DTG1"
MPEG12_CAPTIONS = b"GA94\x03"
MPEG12_STEERING = b"TMPGEXS"

# Codes for which FFmpeg guesses an Xvid stream when no note names the encoder.
_GUESS_XVID = frozenset({b"XVID", b"XVIX", b"RMP4", b"ZMP4", b"SIPP"})
_GUESS_DIVX4 = b"DIVX"
_LAVC = re.compile(rb"Lavc(\d{1,3})\.(\d{1,3})\.(\d{1,3})")
_TEXT = re.compile(rb"[\x20-\x7e]{4,}")


def is_mpeg4(fourcc: bytes) -> bool:
    return fourcc.upper() in FOURCCS


def steering_program(payload: bytes) -> str | None:
    """The program a decoder recognises in this note (and then decodes differently)."""
    text = payload[:255].split(b"\x00", 1)[0]
    if text.startswith(b"DivX"):
        return "DivX"
    if text.startswith(b"XviD"):
        return "Xvid"
    if text.startswith(b"FFmpe") or text == b"ffmpeg":
        return "FFmpeg"
    if text.startswith(b"Lavc"):
        m = _LAVC.match(text)
        if m is None:
            return "FFmpeg"
        ver, minor, micro = (int(g) for g in m.groups())
        build = (ver << 16) + (minor << 8) + micro
        # FFmpeg's decoder (mpeg4videodec.c): work-arounds for builds up to
        # 4712, and the IEDGE bug of 55.66.100 to 57.66.104 but 57.67.37-191.
        iedge = (build & 0xFF) >= 100 and 3621476 < build < 3752552 and not (
            3752037 <= build <= 3752191)
        if build <= 4712 or iedge:
            return "FFmpeg"
    return None


def guesses_encoder(tags: set[bytes], divx4_like: bool) -> bool:
    """Whether FFmpeg, finding no encoder note, guesses one from these format codes."""
    return bool(tags & _GUESS_XVID) or (_GUESS_DIVX4 in tags and divx4_like)


def _vol_divx4_like(data: bytes, at: int) -> bool:
    """A VOL header (at its first byte after the start code) with object type 0 and
    no VOL control parameters: what FFmpeg takes for DivX 4 under a DIVX code."""
    bits = int.from_bytes(data[at : at + 6].ljust(6, b"\x00"), "big")
    pos = 48 - 1  # random_accessible_vol

    def take(n: int) -> int:
        nonlocal pos
        pos -= n
        return (bits >> pos) & ((1 << n) - 1)

    vo_type = take(8)
    if take(1):  # is_object_layer_identifier
        take(7)
    if take(4) == 15:  # extended pixel aspect ratio
        take(16)
    return vo_type == 0 and take(1) == 0


def describe(payload: bytes) -> tuple[str, Category]:
    """Plain words for one note: the program's name first, as for H.264 notes."""
    m = _TEXT.search(payload)
    if m is None:
        return (f"{len(payload)} bytes of private notes from the program or camera that "
                "made the video, inside the video stream", Category.HIDDEN_CONTENT)
    return (f"{m.group().decode('ascii')[:60]} (the program that made the video, named "
            "inside the video stream)", Category.SOFTWARE)


def describe_mpeg12(payload: bytes) -> tuple[str, Category]:
    """Captions (ATSC's "GA94" type 3, DVD's "CC") are words, not a program's name."""
    if payload.startswith((MPEG12_CAPTIONS, b"CC\x01")):
        return ("closed captions (words typed or spoken into the video), inside the video "
                "stream", Category.HIDDEN_CONTENT)
    return describe(payload)


@dataclass(slots=True)
class Mpeg4Scanner:
    """Walks the frames and decoder configurations of one file's MPEG-4 Part 2 video.

    ``patches`` (file offset -> bytes of the same length) blank the notes;
    ``findings`` say it once per distinct note. ``blanked_lavc`` and
    ``divx4_like`` feed ``check_tags``.
    """

    mpeg12: bool = False  # MPEG-1/2 video: its own kept and refused notes
    start_codes: int = 0
    patches: dict[int, bytes] = field(default_factory=dict)
    blanked_lavc: bool = False
    divx4_like: bool = False
    _seen: dict[tuple[str, Category], int] = field(default_factory=dict)

    def findings(self) -> list[Finding]:
        out = []
        for (value, category), count in self._seen.items():
            suffix = f", {count} times" if count > 1 else ""
            codec = "MPEG-1/2" if self.mpeg12 else "MPEG-4"
            out.append(Finding(f"{codec} video stream (user data{suffix})", value, category))
        return out

    def buffer(self, data: bytes, offset: int) -> None:
        """Every start code of a whole frame or configuration at file ``offset``."""
        pos = data.find(START)
        while pos >= 0:
            self.start_codes += 1
            if self.start_codes > MAX_START_CODES:
                raise LimitRefused("too many start codes in the video stream")
            nxt = data.find(START, pos + 4)
            if pos + 3 >= len(data):
                return  # a bare prefix at the very end holds nothing
            code = data[pos + 3]
            if not self.mpeg12 and 0x20 <= code <= 0x2F and _vol_divx4_like(data, pos + 4):
                self.divx4_like = True
            if code == USER_DATA:
                end = len(data) if nxt < 0 else nxt
                self.note(data[pos + 4 : end].rstrip(b"\x00"), offset + pos + 4)
            pos = nxt

    def note(self, payload: bytes, offset: int) -> None:
        if not payload.strip(bytes([FILLER])):
            return  # empty, or what a cleaning wrote
        if self.mpeg12:
            if payload.startswith(MPEG12_AFD):
                return  # displays crop and letterbox by it
            program = "TMPGEnc" if MPEG12_STEERING in payload[:40] else None
        else:
            program = steering_program(payload)
        if program is not None:
            raise EncoderNoteRefused(
                f"the video stream names the program that made it ({program}) in a note "
                "that players read to decode the pictures; removing it would change them")
        if payload.startswith(b"Lavc"):
            self.blanked_lavc = True
        self.patches[offset] = bytes([FILLER]) * len(payload)
        key = describe_mpeg12(payload) if self.mpeg12 else describe(payload)
        if key in self._seen or len(self._seen) < MAX_DISTINCT_FINDINGS:
            self._seen[key] = self._seen.get(key, 0) + 1

    def frame(self, fh: BinaryIO, offset: int, size: int) -> None:
        """One frame (sample, block) read whole and searched."""
        if size > MAX_FRAME:
            raise LimitRefused("video frame too large")
        if size:
            self.buffer(read_exact(fh, offset, size, "video frames"), offset)

    def check_tags(self, tags: set[bytes]) -> None:
        """Refuse when blanking leaves FFmpeg to guess the encoder from a format code."""
        if self.blanked_lavc and guesses_encoder(tags, self.divx4_like):
            raise EncoderNoteRefused(
                "the video's format code makes players decode it differently once the "
                "encoder's note is removed")


def decoder_specific_info(esds: bytes) -> tuple[int, int] | None:
    """(start, end) of the DecoderSpecificInfo in an 'esds' body, None if absent.

    None too when the stream is not MPEG-4 Visual (objectTypeIndication 0x20).
    """
    def descriptor(pos: int, end: int) -> tuple[int, int, int]:
        if pos >= end:
            raise CorruptRefused("video decoder description cut short")
        tag = esds[pos]
        pos += 1
        size = 0
        for _ in range(4):
            if pos >= end:
                raise CorruptRefused("video decoder description cut short")
            b = esds[pos]
            pos += 1
            size = (size << 7) | (b & 0x7F)
            if not b & 0x80:
                break
        else:
            raise CorruptRefused("video decoder description with a bad size")
        if pos + size > end:
            raise CorruptRefused("video decoder description longer than its box")
        return tag, pos, pos + size

    tag, pos, end = descriptor(4, len(esds))  # after version and flags
    if tag != 3 or end - pos < 3:
        raise CorruptRefused("video decoder description without its stream descriptor")
    flags = esds[pos + 2]
    pos += 3
    if flags & 0x80:
        pos += 2
    if flags & 0x40:
        if pos >= end:
            raise CorruptRefused("video decoder description cut short")
        pos += 1 + esds[pos]
    if flags & 0x20:
        pos += 2
    while pos < end:
        tag, body, stop = descriptor(pos, end)
        if tag == 4:
            if stop - body < 13:
                raise CorruptRefused("short video decoder configuration")
            if esds[body] != 0x20:
                return None
            inner = body + 13
            while inner < stop:
                tag5, b5, e5 = descriptor(inner, stop)
                if tag5 == 5:
                    return b5, e5
                inner = e5
            return None
        pos = stop
    raise CorruptRefused("video decoder description without its configuration")
