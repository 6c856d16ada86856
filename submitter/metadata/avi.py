"""AVI (RIFF, including OpenDML 'AVIX' extensions): clean in place.

Index entries (idx1, OpenDML indx/ix##) locate frames by offset, so no chunk
changes size. Metadata chunks become 'JUNK' chunks of the same size with
zeroed content: LIST INFO (artist, comments, dates, software), IDIT dates,
strn stream names, strd driver data, vendor chunks (for example Nikon's
'ncdt' or Pentax's 'PENT'), and existing JUNK is zeroed because it often
holds leftovers. Streams that are not video or sound (text, MIDI) are
refused: their data sits inside movi, interleaved with the frames.

Motion-JPEG frames are small JPEG pictures, and each can carry its own
metadata segments: ffmpeg writes its version into a comment in every frame,
cameras and DVRs put Exif (device, time, sometimes GPS) or vendor APPn data
there. For MJPEG streams the 'movi' list is walked frame by frame, each
frame whole (every field, the segments between scans, bytes after its end
marker), and those segments are zeroed in place (same length, so offsets
and indexes stay right and the picture data is untouched; see ``mjpeg.py``).
Kept: JFIF and AVI1 APP0 (field layout), Adobe APP14 (colour transform) and
Motion-JPEG A's APP1, which decoding needs.

MPEG-4 Part 2 video (FMP4, XVID, DIVX, DX50, MP4V...) carries its encoder's
name in user data in the frames' headers, H.264 / HEVC (H264, X264, AVC1...)
in SEI user data: those frames are read whole and the notes blanked in place
(see ``mpeg4v.py`` and ``nal.py``), as is any decoder configuration after
the 'strf' bitmap header. Notes that decoders rely on (Xvid's, DivX's) are
refused. Frames of other video codecs are not read: only their chunk
headers are, so a multi-gigabyte file costs one small read a frame before
streaming. Among the frames, padding chunks holding anything, vendor chunks
and chunks of streams no header lists (players skip all of them) become
zeroed 'JUNK', as in the header.

AAC sound (WAVEFORMATEX format 0x00FF, 0x1600, 0x706D, 0x4143 or 0xA106, the
codes FFmpeg reads as AAC, also as a WAVEFORMATEXTENSIBLE subformat) carries
FFmpeg's "Lavc..." in its first frame: every chunk of such a stream is read
(a few bytes of each) and the note opening each frame blanked to zero bits
(see ``aac.py``). FFmpeg writes one frame a chunk, raw with the
AudioSpecificConfig after the WAVEFORMATEX, or ADTS with none (each frame
then carries its own header). Streams whose configuration names another
object type (ER AAC, USAC...) are not walked, as in MP4 and Matroska.
AAC in LATM framing (0x1602) is refused: its frames are not byte-aligned, so
no note in them could be located or ruled out.

MP3 sound (0x0055, or 0x0050 when its frames are Layer III, as FFmpeg's
parser reads them) carries its encoder's name in the spare bytes between
the frames' sound: LAME writes "LAME3.100" all through the stream, and it is
FFmpeg's default sound for .avi. The stream's chunks are walked as one run of
frames and the spare bytes zeroed in place (see ``mp3frames.py``).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, ClassVar

from submitter.metadata import aac, mjpeg, mp3frames, mpeg4v, nal
from submitter.metadata.cleaner import register
from submitter.metadata.images_common import ICC_NOTE
from submitter.metadata.isobmff import AAC_NOTE, VIDEO_WARNINGS
from submitter.metadata.kinds import FileKind
from submitter.metadata.model import (
    Category,
    CleanPlan,
    CleanReport,
    CorruptRefused,
    Finding,
    Inspection,
    LimitRefused,
    Limits,
    UnsupportedContentRefused,
    printable,
)
from submitter.metadata.reads import any_nonzero, read_exact
from submitter.metadata.riff import info_findings
from submitter.metadata.source import Source
from submitter.metadata.splice import Patch, SplicePlan, Zeros, analyse_source, patch_in_place

MAX_DEPTH = 8
MAX_CHUNKS = 100_000
MAX_HEADER_CHUNK = 16 * 1024 * 1024

# Structural chunks kept as they are (anywhere outside movi).
_KEEP = frozenset({b"avih", b"strh", b"strf", b"indx", b"vprp", b"dmlh", b"idx1"})
_KEEP_LISTS = frozenset({b"hdrl", b"strl", b"odml"})
_PADDING = frozenset({b"JUNK", b"junk", b"JUNQ", b"PAD "})
_AV_STREAMS = frozenset({b"vids", b"auds"})

_H264 = frozenset({b"H264", b"X264", b"AVC1", b"DAVC", b"VSSH"})
_HEVC = frozenset({b"HEVC", b"H265", b"HVC1", b"HEV1"})
MJPEG, MPEG4, AAC, MP3 = "mjpeg", "mpeg4", "aac", "mp3"
# WAVEFORMATEX format codes FFmpeg decodes as AAC: raw or ADTS alike, which it
# tells per packet (0x1610 it does not read: not walked).
_AAC_FORMATS = frozenset({0x00FF, 0x1600, 0x706D, 0x4143, 0xA106})
_LATM = 0x1602
# MPEG audio: Layer III, and Layer I/II (which FFmpeg's parser reads as MP3
# when its frames say Layer III).
_MP3_FORMATS = frozenset({0x0055, 0x0050})
_EXTENSIBLE = 0xFFFE
# The last 12 bytes of the WAVEFORMATEXTENSIBLE subformat GUIDs whose first 4
# bytes FFmpeg reads as a format code (the Windows base, ambisonic, a broken one).
_SUBFORMAT_BASES = frozenset(bytes.fromhex(g) for g in (
    "0000 1000 8000 00aa00389b71", "2107 d311 8644 c8c1ca000000", "0000 0000 0000 10008000 00aa"))
MAX_FRAMES = 20_000_000  # a day of 200 fps video: beyond it, refuse rather than walk


@dataclass(slots=True)
class _Walk:
    fh: BinaryIO
    size: int
    findings: list[Finding] = field(default_factory=list)
    patches: dict[int, Patch] = field(default_factory=dict)
    chunks: int = 0
    streams: int = 0  # strl lists seen: the next stream's number
    codecs: dict[int, str] = field(default_factory=dict)  # stream number -> walked codec
    tags: dict[int, set[bytes]] = field(default_factory=dict)  # video streams' format codes
    nal_width: dict[int, int] = field(default_factory=dict)  # NAL length size, if not Annex B
    mp4v: mpeg4v.Mpeg4Scanner = field(default_factory=mpeg4v.Mpeg4Scanner)
    nals: nal.NalScanner = field(default_factory=nal.NalScanner)
    frames: int = 0
    mjpeg: mjpeg.MjpegScanner = field(default_factory=mjpeg.MjpegScanner)
    headed: set[int] = field(default_factory=set)  # streams whose strh was seen
    sound: set[int] = field(default_factory=set)  # 'auds' streams
    formatted: set[int] = field(default_factory=set)  # 'auds' streams whose strf was seen
    aac: aac.AacScanner = field(default_factory=aac.AacScanner)
    aac_started: set[int] = field(default_factory=set)  # streams whose first frame was seen
    mp3: mp3frames.Mp3Streams = field(default_factory=mp3frames.Mp3Streams)

    def read(self, off: int, n: int) -> bytes:
        return read_exact(self.fh, off, n, "chunks")

    def nonzero(self, off: int, n: int) -> bool:
        return any_nonzero(self.fh, off, n, "chunks")

    def run(self) -> None:
        pos = 0
        first = True
        while pos < self.size:
            if self.size - pos < 12:
                if self.nonzero(pos, self.size - pos):
                    raise CorruptRefused("trailing data after the RIFF chunks")
                break
            head = self.read(pos, 12)
            length = struct.unpack_from("<I", head, 4)[0]
            form = head[8:12]
            if head[:4] != b"RIFF" or form != (b"AVI " if first else b"AVIX"):
                raise CorruptRefused("not an AVI RIFF chunk")
            end = pos + 8 + length
            if end > self.size:
                raise CorruptRefused("RIFF chunk past the end of the file")
            self.children(pos + 12, end, 1)
            pos = end + (length & 1)
            first = False
        if first:
            raise CorruptRefused("empty file")
        for stream, codec in self.codecs.items():
            if codec == MPEG4:
                self.mp4v.check_tags(self.tags.get(stream, set()))
        self.mp3.walk(self.fh)
        for scanner in (self.mp4v, self.nals, self.mjpeg, self.aac, self.mp3):
            for off, data in scanner.patches.items():
                if off in self.patches:
                    raise CorruptRefused("video stream note inside a metadata chunk")
                self.patches[off] = data
        self.findings += (self.mp4v.findings() + self.nals.findings() + self.mjpeg.findings()
                          + self.aac.findings() + self.mp3.findings())

    def entries(self, start: int, end: int, depth: int, count: Callable[[], None],
                what: str, peek: int = 0) -> Iterator[tuple[int, bytes, int, int, bytes]]:
        """Each chunk of a list as (position, id, body offset, body length, and up to
        ``peek`` bytes of its body, read with its header).

        ``count`` is called once per chunk and enforces its limit; ``what``
        ("chunk", "frame") names the chunks in refusals.
        """
        if depth > MAX_DEPTH:
            raise LimitRefused("chunks nested too deep")
        pos = start
        while pos + 8 <= end:
            count()
            head = self.read(pos, min(8 + peek, end - pos))
            length = struct.unpack_from("<I", head, 4)[0]
            body = pos + 8
            if body + length > end:
                raise CorruptRefused(f"{what} past the end of its list")
            yield pos, head[:4], body, length, head[8 : 8 + length]
            pos = body + length + (length & 1)
        if pos < end and self.nonzero(pos, end - pos):
            raise CorruptRefused(f"truncated {what} header")

    def count_chunk(self) -> None:
        self.chunks += 1
        if self.chunks > MAX_CHUNKS:
            raise LimitRefused("too many chunks")

    def count_frame(self) -> None:
        self.frames += 1
        if self.frames > MAX_FRAMES:
            raise LimitRefused("too many frames")

    def children(self, start: int, end: int, depth: int) -> None:
        for pos, cid, body, length, _ in self.entries(start, end, depth, self.count_chunk,
                                                      "chunk"):
            if cid == b"LIST":
                if length < 4:
                    raise CorruptRefused("short list")
                ltype = self.read(body, 4)
                if ltype == b"movi":
                    self.movi(body + 4, body + length, depth + 1)
                elif ltype in _KEEP_LISTS:
                    if ltype == b"strl":
                        self.streams += 1
                    self.children(body + 4, body + length, depth + 1)
                else:
                    self.describe_list(ltype, body + 4, length - 4)
                    self.junk(pos, length)
            elif cid in _KEEP:
                if cid == b"strh":
                    if length < 4:
                        raise CorruptRefused("short stream header")
                    kind = self.read(body, 4)
                    if kind not in _AV_STREAMS:
                        raise UnsupportedContentRefused("AVI stream that is not video or sound")
                    # FFmpeg numbers streams by their headers, this walk by their
                    # lists: a header outside a list, or two in one, would make a
                    # sound stream's chunks those of another.
                    if self.streams - 1 in self.headed or self.streams < 1:
                        raise CorruptRefused("stream header outside its own stream list")
                    self.headed.add(self.streams - 1)
                    if kind == b"auds":
                        self.sound.add(self.streams - 1)
                    if kind == b"vids":
                        self.tags.setdefault(self.streams - 1, set())
                        if length >= 8:
                            self.video_code(self.read(body + 4, 4))
                elif cid == b"strf" and length >= 20 and self.streams - 1 in self.tags:
                    self.bitmap_header(body, length)
                elif cid == b"strf" and self.streams - 1 in self.sound:
                    self.wave_header(body, length)
            elif cid in _PADDING:
                self.padding(pos, cid, body, length)
            else:
                self.describe_chunk(cid, body, length)
                self.junk(pos, length)

    def video_code(self, fourcc: bytes) -> None:
        """A video stream's format code (strh handler or strf compression)."""
        stream = self.streams - 1
        self.tags[stream].add(fourcc)
        upper = fourcc.upper()
        codec = (MJPEG if fourcc in mjpeg.FOURCCS else MPEG4 if mpeg4v.is_mpeg4(fourcc)
                 else nal.H264 if upper in _H264 else nal.HEVC if upper in _HEVC else None)
        if codec is None:
            return
        if self.codecs.setdefault(stream, codec) != codec:
            raise UnsupportedContentRefused("video stream with two different format codes")

    def bitmap_header(self, body: int, length: int) -> None:
        """strf of a video stream: its compression code, and the configuration after it."""
        stream = self.streams - 1
        self.video_code(self.read(body + 16, 4))
        codec = self.codecs.get(stream)
        if codec is None or codec == MJPEG or length <= 40:
            return
        if length - 40 > MAX_HEADER_CHUNK:
            raise LimitRefused("video configuration too large")
        config = self.read(body + 40, length - 40)
        if not config.strip(b"\x00"):
            return
        if codec == MPEG4:
            self.mp4v.buffer(config, body + 40)
        elif config[0] == 1:  # avcC / hvcC: the frames are length-prefixed
            self.nal_width[stream] = nal.config_length_size(codec, config)
            if codec == nal.HEVC:
                nal.scan_hvcc(self.nals, config, body + 40)
        else:
            self.nals.byte_stream(codec, config.rstrip(b"\x00"), body + 40)

    def wave_header(self, body: int, length: int) -> None:
        """strf of a sound stream (WAVEFORMATEX): whether it is AAC to walk.

        Read as FFmpeg reads it: cbSize bounded by the chunk, a subformat code for
        WAVEFORMATEXTENSIBLE, the extra bytes after it the AudioSpecificConfig.
        """
        stream = self.streams - 1
        if stream in self.formatted:
            raise CorruptRefused("sound stream with two formats")
        self.formatted.add(stream)
        if length < 14:
            raise CorruptRefused("short sound format")
        head = self.read(body, min(length, 18))
        tag = struct.unpack_from("<H", head)[0]
        config = b""
        if length >= 18:
            config = self.read(body + 18, min(struct.unpack_from("<H", head, 16)[0],
                                              length - 18))
            if tag == _EXTENSIBLE and len(config) >= 22:
                guid = config[6:22]
                tag = struct.unpack_from("<I", guid)[0] if guid[4:] in _SUBFORMAT_BASES else 0
                config = config[22:]
        if tag == _LATM:
            raise UnsupportedContentRefused("AAC sound in LATM framing, which cannot be checked")
        if tag in _MP3_FORMATS:
            self.codecs[stream] = MP3
            self.mp3.track(stream)
            return
        if tag not in _AAC_FORMATS:
            return
        # No configuration: ADTS (FFmpeg's AVI of it), or raw frames a decoder
        # takes for AAC LC. Walked either way, so nothing passes unread.
        if config and not aac.walked(aac.MPEG4_AUDIO, config):
            return  # an AAC variant coded otherwise (ER, USAC...): not walked, as in MP4
        if self.codecs.setdefault(stream, AAC) != AAC:
            raise UnsupportedContentRefused("stream that is both video and sound")

    def movi(self, start: int, end: int, depth: int) -> None:
        """Walk a movi list (or a 'rec ' list inside it) for the walked streams' frames."""
        # Sound chunks are small and between large video ones: the first bytes
        # read with the header hold what the AAC walk reads (its notes' headers
        # and FFmpeg's whole note), saving a read of each.
        for pos, cid, body, length, peeked in self.entries(start, end, depth,
                                                            self.count_frame, "frame", 32):
            if cid == b"LIST" and length >= 4 and self.read(body, 4) == b"rec ":
                self.movi(body + 4, body + length, depth + 1)
            elif not self.stream_chunk(cid):
                self.movi_other(pos, cid, body, length)
            elif cid[:2].isdigit() and self.codecs.get(int(cid[:2])) == AAC:
                # Any chunk numbered for the stream: FFmpeg reads each as a packet,
                # whatever its two letters ('wb' when it wrote them).
                stream = int(cid[:2])
                self.aac.prime(body, peeked)
                if self.aac.packet(self.fh, body, length, first=stream not in self.aac_started):
                    self.aac_started.add(stream)
            elif cid[:2].isdigit() and int(cid[:2]) in self.mp3:
                self.mp3.add(int(cid[:2]), body, length)
            elif cid[2:] in (b"dc", b"db") and cid[:2].isdigit():
                stream = int(cid[:2])
                codec = self.codecs.get(stream)
                if codec == MJPEG:
                    self.mjpeg.frame(self.fh, body, length)
                elif codec == MPEG4:
                    self.mp4v.frame(self.fh, body, length)
                elif codec is not None and stream in self.nal_width:
                    self.nals.sample(self.fh, codec, self.nal_width[stream], body, length)
                elif codec is not None:
                    self.nals.frame(self.fh, codec, body, length)

    def stream_chunk(self, cid: bytes) -> bool:
        """Whether a chunk inside movi is a stream's data ('00dc', '01wb') or an
        OpenDML field index ('ix00') of a stream the header lists."""
        number = cid[2:] if cid[:2] == b"ix" else cid[:2]
        return number.isdigit() and int(number) < self.streams

    def movi_other(self, pos: int, cid: bytes, body: int, length: int) -> None:
        """Anything else among the frames: padding (often holding leftovers),
        a vendor's chunk, or data of a stream no header lists, which players
        skip. Blanked like the header's metadata chunks."""
        if cid in _PADDING:
            self.padding(pos, cid, body, length, " among the frames")
            return
        if cid == b"LIST":
            self.findings.append(Finding("AVI list among the frames", f"{length} bytes",
                                         Category.HIDDEN_CONTENT))
        else:
            self.describe_chunk(cid, body, length)
        self.junk(pos, length)

    def padding(self, pos: int, cid: bytes, body: int, length: int, where: str = "") -> None:
        """A padding chunk: kept when it is zeros, else found and zeroed."""
        if self.nonzero(body, length):
            self.findings.append(Finding(f"AVI {printable(cid)}{where}",
                                         f"{length} bytes of leftover data",
                                         Category.HIDDEN_CONTENT))
            self.junk(pos, length)

    def junk(self, pos: int, length: int) -> None:
        self.patches[pos] = b"JUNK"
        if length:
            self.patches[pos + 8] = Zeros(length)

    def describe_list(self, ltype: bytes, body: int, length: int) -> None:
        if ltype != b"INFO" or length > MAX_HEADER_CHUNK:
            if self.nonzero(body, length) or ltype != b"INFO":
                self.findings.append(Finding(f"AVI LIST {printable(ltype)}",
                                             f"{length} bytes", Category.HIDDEN_CONTENT))
            return
        self.findings += info_findings(self.read(body, length), "AVI INFO")

    def describe_chunk(self, cid: bytes, body: int, length: int) -> None:
        name = printable(cid) or cid.hex()
        if not self.nonzero(body, length):
            return
        if cid in (b"IDIT", b"strn") and length <= 4096:
            value = printable(self.read(body, length).rstrip(b"\x00"))
            category = Category.TIME if cid == b"IDIT" else Category.HIDDEN_CONTENT
            self.findings.append(Finding(f"AVI {name}", value or "(binary)", category))
            return
        category = Category.DEVICE if cid == b"strd" else Category.OTHER
        self.findings.append(Finding(f"AVI {name} chunk", f"{length} bytes", category))


def _analyse(fh: BinaryIO, size: int) -> _Walk:
    walk = _Walk(fh, size)
    walk.run()
    return walk


@register
class AviCleaner:
    name: ClassVar[str] = "avi"
    kinds: ClassVar[frozenset[FileKind]] = frozenset({FileKind.AVI})

    def inspect(self, src: Source, kind: FileKind, limits: Limits) -> Inspection:
        walk = analyse_source(src, _analyse)
        return Inspection(kind.value, tuple(walk.findings), VIDEO_WARNINGS)

    def prepare(self, src: Source, kind: FileKind, limits: Limits) -> CleanPlan:
        first, pieces = patch_in_place(src, _analyse)
        notes = ["Metadata chunks were blanked in place; the picture and sound data "
                 "were copied unchanged."]
        if first.mjpeg.counts:
            notes.append("Metadata segments inside the Motion-JPEG frames were blanked "
                         "in place; the pictures themselves are unchanged.")
        if first.mp4v.patches or first.nals.patches:
            notes.append("Notes the encoder wrote inside the video stream (its name and "
                         "settings) were blanked in place; the pictures are unchanged.")
        if first.mjpeg.counts.get("ICC colour profile"):
            notes.append(ICC_NOTE)
        if first.aac.patches:
            notes.append(AAC_NOTE)
        if first.mp3.patches:
            notes.append(mp3frames.NOTE)
        report = CleanReport(kind=kind.value, removed=first.findings,
                             warnings=list(VIDEO_WARNINGS), notes=notes)
        return SplicePlan(src, pieces, report)
