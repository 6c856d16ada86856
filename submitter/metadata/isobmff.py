"""MP4 / MOV / M4V / M4A (ISO base media and QuickTime): clean in place.

Why in place: every sample's position is stored as an absolute file offset
(stco/co64), so changing any box size before the media data would shift
them. Instead, nothing changes size:

- metadata boxes (udta, meta, XMP/vendor uuid, Xtra, PICT/pnot previews,
  unknown top-level boxes) become ``free`` boxes of the same size with
  zeroed content;
- creation/modification times in mvhd/tkhd/mdhd are set to 0, handler names
  and vendor codes, compressor names are zeroed;
- tracks that are neither video nor sound (chapters, subtitles, timecode,
  GPS/telemetry such as GoPro 'gpmd' or 'camm', Apple timed metadata) are
  kept as tracks but their sample bytes in mdat are zeroed, so the file
  stays structurally identical while carrying nothing. A player then shows
  empty chapter titles/subtitles and a zero timecode.

The moov box is read into memory (bounded); the media data is streamed from
the source unchanged. Before anything is written, the planned output is read
back through ``SplicedReader`` and inspected again: it must show nothing.
H.264 and HEVC video (avc1/avc3/hvc1/hev1) is walked sample by sample,
from the sample tables and from every fragment's track runs: only each NAL
unit's length prefix and the SEI units are read, and "user data
unregistered" notes (x264's version and options, camera names and serials)
are overwritten in place with same-length filler (see ``nal.py``); SEI
units in an hvcC configuration are blanked the same way. MPEG-4 Part 2
video (mp4v, and QuickTime's XVID/DIVX/... entries) has its encoder's user
data blanked in the esds DecoderSpecificInfo and in every sample (see
``mpeg4v.py``); notes that decoders rely on (Xvid, DivX) are refused.
MPEG-1/2 video ('mp4v' with an MPEG-1/2 esds, HDV, XDCAM and IMX entries)
has its user data blanked the same way, by MPEG-1/2's rules.
Motion-JPEG video ('jpeg', 'mjpa', 'AVDJ', 'dmb1', and 'mp4v' whose esds
says JPEG, as ffmpeg writes it into .mp4) has each frame's comment, Exif,
XMP, ICC and vendor segments zeroed, in every field and between scans, and
bytes after its end marker too (see ``mjpeg.py``); Motion-JPEG format B
('mjpb') is refused. AAC sound ('mp4a', also inside QuickTime's 'wave') has
the note opening a frame blanked to zero bits, FFmpeg's "Lavc..." in the
first one (see ``aac.py``). MP3 sound ('mp4a' whose esds says MPEG-1/2
audio, QuickTime's '.mp3') has the spare bytes between its frames' sound,
where LAME writes its name, zeroed, the samples read as one run of frames
(see ``mp3frames.py``). AV1 video ('av01') has its metadata units
(timecodes, captions, vendor data) turned into padding units of the same
size, in every sample and in the av1C configuration; HDR metadata is kept
(see ``av1.py``). ProRes video has the creator code in every frame (the
camera or recorder's brand) zeroed (see ``prores.py``).

Bytes inside 'mdat' that no sample of any track uses (left when an editor
trims or cuts in place and rewrites only the sample tables) are zeroed, as
is data appended after the last box (phone trailers); a media box cut short
is refused.
Edit lists that hide more than a moment of a video or sound track's media
(left by a lossless trim: the "cut" frames and sound are still in the file)
are refused, since those samples cannot be removed in place (see
``editlist.py``).

Fragmented files (moof) are cleaned when they hold only video and sound;
with other tracks they are refused, since their samples are scattered over
fragments. Files whose media lives in other files (external data
references) are refused.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import re
import struct
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO, ClassVar

from submitter.metadata import aac, av1, editlist, esds, mjpeg, mp3frames, mpeg4v, nal, prores
from submitter.metadata.cleaner import register
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
    TrimmedRefused,
    UnsupportedContentRefused,
    printable,
)
from submitter.metadata.reads import any_nonzero, read_exact
from submitter.metadata.source import Source
from submitter.metadata.splice import Patch, SplicePlan, Zeros, analyse_source, patch_in_place

MAX_MOOV_BYTES = 256 * 1024 * 1024
MAX_BOXES = 2_000_000
MAX_DEPTH = 24
MAX_TOP_LEVEL = 100_000
MAX_TABLE_ENTRIES = 20_000_000  # samples or chunks per track: > 90 hours at 60 fps

VIDEO_WARNINGS = (
    "Text burned into the picture (camera names, dates, timestamps, overlays) "
    "cannot be removed.",
    "Faces, voices, places and sounds in the recording itself cannot be removed.",
)
AAC_NOTE = ("The name of the program that made the sound, written inside the AAC sound "
            "stream, was blanked; the sound itself is unchanged.")
AUDIO_WARNINGS = (
    "Voices and sounds in the recording itself (including background noise "
    "that can reveal a place) cannot be removed.",
)

# Boxes whose children are boxes, walked recursively inside moov / moof.
_CONTAINERS = frozenset({
    b"moov", b"trak", b"mdia", b"minf", b"stbl", b"dinf", b"edts", b"mvex",
    b"moof", b"traf", b"tref", b"gmhd", b"tapt", b"clip", b"matt", b"sinf",
    b"schi", b"mfra",
})
# Boxes that hold only descriptive metadata: neutralised wherever they are.
_METADATA_BOXES = frozenset({
    b"udta", b"meta", b"uuid", b"Xtra", b"cprt", b"PICT", b"pnot", b"ilst",
    b"keys", b"prft", b"emsg", b"load", b"kmat", b"ctab",
})
_FREE_TYPES = frozenset({b"free", b"skip", b"wide", b"junk", b"JUNK"})
_TOP_KEEP = frozenset({b"ftyp", b"styp", b"moov", b"mdat", b"moof", b"mfra", b"sidx", b"ssix"})
_AV_HANDLERS = frozenset({b"vide", b"soun"})
_MEDIA_BOXES = frozenset({b"mdat", b"moov", b"moof"})
_NAL_FORMATS = {b"avc1": (nal.H264, b"avcC"), b"avc3": (nal.H264, b"avcC"),
                b"hvc1": (nal.HEVC, b"hvcC"), b"hev1": (nal.HEVC, b"hvcC")}
# Motion-JPEG sample entries ('mp4v' with a JPEG esds is one too); format B
# ('mjpb') is not made of JPEG markers and is refused.
_MJPEG_FORMATS = frozenset({b"jpeg", b"mjpa", b"AVDJ", b"dmb1"})
# QuickTime's MPEG audio entries, as FFmpeg reads them (the decoder takes the
# layer from each frame).
_MP3_FORMATS = frozenset({b".mp3", b"ms\x00\x55", b".mp2", b".mp1"})
_XMP_UUID = bytes.fromhex("be7acfcb97a942e89c71999491e3afac")
_EPOCH_1904 = _dt.datetime(1904, 1, 1, tzinfo=_dt.UTC)
_ISO6709 = re.compile(r"([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)")


@dataclass(slots=True)
class Box:
    type: bytes
    start: int  # offset of the size field, relative to the buffer / file
    body: int  # offset of the first byte after the header
    end: int


@dataclass(slots=True)
class _Track:
    handler: bytes = b""
    formats: list[bytes] = field(default_factory=list)
    chunk_offsets: Sequence[int] = ()
    stsc: list[tuple[int, int]] = field(default_factory=list)  # first_chunk, samples
    sample_size: int = 0
    sample_sizes: Sequence[int] = ()
    sample_count: int = 0
    track_id: int = 0
    nal: tuple[str, int] | None = None  # codec, NAL length size (H.264 / HEVC video)
    mpeg4: set[bytes] = field(default_factory=set)  # MPEG-4 Part 2 entry types
    mjpeg: bool = False  # Motion-JPEG video
    mpeg12: bool = False  # MPEG-1/2 video
    aac: bool = False  # AAC sound coded as raw_data_blocks
    mp3: bool = False  # MPEG audio (Layer III when its frames say so)
    av1: bool = False  # AV1 video
    prores: bool = False  # Apple ProRes video
    edits: list[editlist.Edit] | None = None
    media_scale: int = 0  # mdhd timescale
    duration: int = 0  # sum of the sample durations (tables and fragments), media timescale
    first_offset: int | None = None  # the first sample's composition offset
    runs: list[tuple[int, Sequence[int]]] = field(default_factory=list)  # fragments


@dataclass(slots=True)
class _Analysis:
    findings: list[Finding] = field(default_factory=list)
    patches: dict[int, Patch] = field(default_factory=dict)
    boxes: int = 0
    fragmented: bool = False
    tracks: list[_Track] = field(default_factory=list)
    neutralised: list[tuple[int, int]] = field(default_factory=list)  # file ranges
    mdat: list[tuple[int, int]] = field(default_factory=list)
    scanner: nal.NalScanner = field(default_factory=nal.NalScanner)
    mp4v: mpeg4v.Mpeg4Scanner = field(default_factory=mpeg4v.Mpeg4Scanner)
    mpeg12: mpeg4v.Mpeg4Scanner = field(default_factory=lambda: mpeg4v.Mpeg4Scanner(mpeg12=True))
    mjpeg: mjpeg.MjpegScanner = field(default_factory=mjpeg.MjpegScanner)
    aac: aac.AacScanner = field(default_factory=aac.AacScanner)
    mp3: mp3frames.Mp3Streams = field(default_factory=mp3frames.Mp3Streams)
    av1: av1.Av1Scanner = field(default_factory=av1.Av1Scanner)
    prores: prores.ProresScanner = field(default_factory=prores.ProresScanner)
    trex: dict[int, int] = field(default_factory=dict)  # track id -> default sample size
    trex_duration: dict[int, int] = field(default_factory=dict)  # -> default sample duration
    movie_scale: int = 0  # mvhd timescale
    run_spans: list[tuple[int, int]] = field(default_factory=list)  # every track run's bytes

    def find(self, where: str, value: str, category: Category) -> None:
        self.findings.append(Finding(where, value[:300], category))

    def patch(self, offset: int, data: Patch) -> None:
        self.patches[offset] = data


def _u32(b: bytes | memoryview, off: int) -> int:
    return int(struct.unpack_from(">I", b, off)[0])


def _u64(b: bytes | memoryview, off: int) -> int:
    return int(struct.unpack_from(">Q", b, off)[0])


def _fourcc(t: bytes) -> str:
    return t.decode("latin-1").replace("\xa9", "©")


def iter_boxes(buf: bytes, start: int, end: int) -> Iterator[Box]:
    """Children of a box held in memory; any size that does not fit is corrupt."""
    pos = start
    while pos < end:
        if end - pos < 8:
            # Some writers pad containers with a zero word; anything else is damage.
            if buf[pos:end].strip(b"\x00"):
                raise CorruptRefused("truncated box header")
            return
        size = _u32(buf, pos)
        btype = bytes(buf[pos + 4 : pos + 8])
        hdr = 8
        if size == 1:
            if end - pos < 16:
                raise CorruptRefused("truncated large box header")
            size = _u64(buf, pos + 8)
            hdr = 16
        elif size == 0:
            size = end - pos
        if size < hdr or pos + size > end:
            if size == 0 or btype == b"\x00\x00\x00\x00":
                return  # QuickTime terminator atom
            raise CorruptRefused("box size out of range")
        if btype == b"uuid":
            hdr += 16
            if size < hdr:
                raise CorruptRefused("short uuid box")
        yield Box(btype, pos, pos + hdr, pos + size)
        pos += size


def _qt_text(payload: bytes) -> str:
    """QuickTime user-data text: (len16, lang16, text)*, else printable bytes."""
    if len(payload) >= 4:
        n = struct.unpack_from(">H", payload, 0)[0]
        if 0 < n <= len(payload) - 4:
            return payload[4 : 4 + n].decode("utf-8", "replace")
    return printable(payload)


def readable_iso6709(text: str) -> str | None:
    """'+51.5300+046.0300/' -> '51.53 N, 46.03 E'."""
    m = _ISO6709.search(text)
    if m is None:
        return None
    try:
        lat, lon = float(m.group(1)), float(m.group(2))
    except ValueError:
        return None
    return f"{abs(lat):.4f} {'N' if lat >= 0 else 'S'}, {abs(lon):.4f} {'E' if lon >= 0 else 'W'}"


def categorize(key: str) -> Category:
    """A category for a metadata key name, from the words it contains."""
    k = key.lower()
    if any(s in k for s in ("xyz", "location", "gps", "iso6709", "geo", "latitude", "loci")):
        return Category.LOCATION
    if any(s in k for s in ("©mak", "©mod", "make", "model", "serial", "camera", "device",
                            "lens", "firm", "cam", "owner", "slno")):
        return Category.DEVICE
    if any(s in k for s in ("©swr", "©too", "©enc", "software", "encod", "writ", "tool",
                            "version", "muxing", "vendor")):
        return Category.SOFTWARE
    if any(s in k for s in ("©day", "date", "time", "year")):
        return Category.TIME
    if any(s in k for s in ("©art", "©aut", "©wrt", "©prf", "author", "artist", "creator",
                            "person", "copyright", "cprt", "performer", "composer", "publisher",
                            "comment", "©cmt", "album")):
        return Category.PERSON
    if "uid" in k or "uuid" in k:
        return Category.IDENTIFIER
    return Category.OTHER


def _date_1904(seconds: int) -> str:
    try:
        return (_EPOCH_1904 + _dt.timedelta(seconds=seconds)).strftime("%Y-%m-%d %H:%M:%S UTC")
    except OverflowError:
        return str(seconds)


class _Walker:
    """One pass over a file (original or planned output): findings + patches."""

    def __init__(self, fh: BinaryIO, size: int, limits: Limits) -> None:
        self.fh = fh
        self.size = size
        self.limits = limits
        self.a = _Analysis()
        self._moof_start = 0
        self._traf_count = 0

    # --- top level, read from the file ---

    def run(self) -> _Analysis:
        pos = 0
        moov_seen = False
        count = 0
        while pos < self.size:
            count += 1
            if count > MAX_TOP_LEVEL:
                raise LimitRefused("too many top-level boxes")
            if self._trailer(pos):
                break
            box = self._top_box(pos)
            t = box.type
            if t == b"moov":
                if moov_seen:
                    raise UnsupportedContentRefused("two movie headers")
                moov_seen = True
                self._moov(box)
            elif t == b"mdat":
                self.a.mdat.append((box.body, box.end))
            elif t == b"moof":
                self.a.fragmented = True
                self._moof_start = box.start
                self._traf_count = 0
                self._in_memory(box, "moof")
            elif t in (b"ftyp", b"styp", b"sidx", b"ssix"):
                pass
            elif t == b"mfra":
                self._in_memory(box, "mfra")
            elif t in _FREE_TYPES:
                self._free_space(box, f"top-level '{_fourcc(t)}' box")
            else:
                # uuid/meta/udta/Xtra/PICT/pnot/prft, or a box nobody documents:
                # none of them holds media, so each becomes empty free space.
                self._describe_top(box)
                self._neutralise(box, file_offset=0, buf=None)
            pos = box.end
        if not moov_seen:
            raise CorruptRefused("no movie header (moov)")
        self._check_tracks()
        self._check_edits()
        self._unused_media()
        self._scan_video()
        return self.a

    def _trailer(self, pos: int) -> bool:
        """Whether the bytes from ``pos`` to the end are not a box but data
        appended after the last one (a phone's trailer, a recorder's padding):
        kept when zeros, else found and zeroed. A box cut short is no trailer."""
        head = self._read(pos, min(pos + 16, self.size))
        if len(head) >= 8 and all(0x20 <= c < 0x7F or c == 0xA9 for c in head[4:8]):
            size = _u64(head, 8) if _u32(head, 0) == 1 and len(head) == 16 else _u32(head, 0)
            if size == 0 or 8 <= size <= self.size - pos or head[4:8] in _MEDIA_BOXES:
                return False  # a box; the media's boxes cut short are refused as such
        if self._nonzero_file(pos, self.size):
            self.a.find("data after the last box", f"{self.size - pos} bytes",
                        Category.HIDDEN_CONTENT)
            self.a.patch(pos, Zeros(self.size - pos))
        return True

    def _top_box(self, pos: int) -> Box:
        self.fh.seek(pos)
        head = self.fh.read(16)
        if len(head) < 8:
            raise CorruptRefused("truncated top-level box")
        size = _u32(head, 0)
        btype = head[4:8]
        hdr = 8
        if size == 1:
            if len(head) < 16:
                raise CorruptRefused("truncated large box")
            size = _u64(head, 8)
            hdr = 16
        elif size == 0:
            size = self.size - pos
        if btype == b"uuid":
            hdr += 16
        if size < hdr or pos + size > self.size:
            raise CorruptRefused("top-level box size past the end of the file")
        return Box(btype, pos, pos + hdr, pos + size)

    def _read(self, start: int, end: int) -> bytes:
        return read_exact(self.fh, start, end - start, "boxes")

    def _free_space(self, box: Box, where: str) -> None:
        """Free space is often leftover data from earlier edits: zero it."""
        if self._nonzero_file(box.body, box.end):
            self.a.find(where, f"{box.end - box.body} bytes of leftover data",
                        Category.HIDDEN_CONTENT)
        if box.end > box.body:
            self.a.patch(box.body, Zeros(box.end - box.body))
        self.a.neutralised.append((box.start, box.end))

    def _nonzero_file(self, start: int, end: int) -> bool:
        return any_nonzero(self.fh, start, end - start, "boxes")

    def _describe_top(self, box: Box) -> None:
        if box.end - box.start <= MAX_MOOV_BYTES and box.type in (b"udta", b"meta", b"uuid"):
            buf = self._read(box.start, box.end)
            self._describe(buf, Box(box.type, 0, box.body - box.start, box.end - box.start), "")
        elif self._nonzero_file(box.body, box.end):
            self.a.find(f"top-level '{_fourcc(box.type)}' box",
                        f"{box.end - box.body} bytes", Category.HIDDEN_CONTENT)

    def _in_memory(self, box: Box, name: str) -> None:
        if box.end - box.start > MAX_MOOV_BYTES:
            raise LimitRefused(f"{name} box too large")
        buf = self._read(box.start, box.end)
        self._walk(buf, box.start, Box(box.type, 0, box.body - box.start, box.end - box.start),
                   name, 1, None)

    def _moov(self, box: Box) -> None:
        if box.end - box.start > min(MAX_MOOV_BYTES, self.limits.max_in_memory_bytes):
            raise LimitRefused("movie header too large")
        self._in_memory(box, "moov")

    # --- inside moov / moof, in memory ---

    def _walk(self, buf: bytes, base: int, parent: Box, path: str, depth: int,
              track: _Track | None) -> None:
        if depth > MAX_DEPTH:
            raise LimitRefused("boxes nested too deep")
        for box in iter_boxes(buf, parent.body, parent.end):
            self.a.boxes += 1
            if self.a.boxes > MAX_BOXES:
                raise LimitRefused("too many boxes")
            t = box.type
            where = f"{path}/{_fourcc(t)}"
            if t in _METADATA_BOXES:
                self._describe(buf, box, path)
                self._neutralise(box, base, buf)
            elif t in _FREE_TYPES:
                if buf[box.body : box.end].count(0) != box.end - box.body:
                    self.a.find(where, f"{box.end - box.body} bytes of leftover data",
                                Category.HIDDEN_CONTENT)
                    self.a.patch(base + box.body, Zeros(box.end - box.body))
            elif t == b"traf":
                self._traf(buf, base, box)
            elif t == b"trex" and box.end - box.body >= 20:
                self.a.trex[_u32(buf, box.body + 4)] = _u32(buf, box.body + 16)
                self.a.trex_duration[_u32(buf, box.body + 4)] = _u32(buf, box.body + 12)
            elif t == b"trak":
                new = _Track()
                self.a.tracks.append(new)
                self._walk(buf, base, box, where, depth + 1, new)
            elif t in _CONTAINERS:
                self._walk(buf, base, box, where, depth + 1, track)
            elif t in (b"mvhd", b"tkhd", b"mdhd"):
                scale = self._times(buf, base, box, where)
                if t == b"mvhd":
                    self.a.movie_scale = scale
                elif t == b"mdhd" and track is not None:
                    track.media_scale = scale
                if t == b"tkhd" and track is not None:
                    at = box.body + 4 + 2 * (8 if buf[box.body] == 1 else 4)
                    if box.end - at < 4:
                        raise CorruptRefused("short track header")
                    track.track_id = _u32(buf, at)
            elif t == b"hdlr":
                self._hdlr(buf, base, box, where, track, path)
            elif t == b"stsd":
                self._stsd(buf, base, box, where, depth, track)
            elif t == b"dref":
                self._dref(buf, box)
            elif track is not None and t in (b"stco", b"co64"):
                self._chunk_offsets(buf, box, track, wide=t == b"co64")
            elif track is not None and t == b"stsc":
                self._stsc(buf, box, track)
            elif track is not None and t == b"stsz":
                self._stsz(buf, box, track)
            elif track is not None and t == b"elst":
                if track.edits is not None:
                    raise CorruptRefused("track with two edit lists")
                track.edits = editlist.parse(bytes(buf[box.body : box.end]))
            elif track is not None and t == b"stts":
                self._stts(buf, box, track)
            elif track is not None and t == b"ctts":
                if self._count(buf, box, 8, 8):
                    track.first_offset = struct.unpack_from(
                        ">i" if buf[box.body] == 1 else ">I", buf, box.body + 12)[0]
            elif t == b"cmov":
                raise UnsupportedContentRefused("compressed movie header")
            elif t == b"stz2":
                raise UnsupportedContentRefused("compact sample sizes (stz2)")

    def _neutralise(self, box: Box, file_offset: int, buf: bytes | None) -> None:
        """Same size, type 'free', content zeroed."""
        start = file_offset + box.start
        self.a.patch(start + 4, b"free")
        # A uuid's 16 id bytes become part of the zeroed body; a large-size
        # field must stay.
        large = _u32(buf, box.start) == 1 if buf is not None else self._is_large(start)
        zero_from = start + (16 if large else 8)
        end = file_offset + box.end
        if end > zero_from:
            self.a.patch(zero_from, Zeros(end - zero_from))
        self.a.neutralised.append((start, end))

    def _is_large(self, start: int) -> bool:
        return _u32(self._read(start, start + 4), 0) == 1

    def _times(self, buf: bytes, base: int, box: Box, where: str) -> int:
        """Zero a header's creation and modification times; its timescale."""
        if box.end - box.body < 4:
            raise CorruptRefused("short header box")
        version = buf[box.body]
        width = 8 if version == 1 else 4
        off = box.body + 4
        if box.end - off < 2 * width:
            raise CorruptRefused("short header box")
        for label, at in (("created", off), ("modified", off + width)):
            value = _u64(buf, at) if width == 8 else _u32(buf, at)
            if value:
                self.a.find(f"{where} {label}", _date_1904(value), Category.TIME)
            self.a.patch(base + at, bytes(width))
        if where.endswith("tkhd"):
            return 0  # no timescale: a track id follows its times
        if box.end - off < 2 * width + 4:
            raise CorruptRefused("short header box")
        return _u32(buf, off + 2 * width)

    def _hdlr(self, buf: bytes, base: int, box: Box, where: str, track: _Track | None,
              path: str) -> None:
        body = box.body
        if box.end - body < 24:
            raise CorruptRefused("short handler box")
        htype = bytes(buf[body + 8 : body + 12])
        if track is not None and path.endswith("/mdia"):
            track.handler = htype
        vendor = buf[body + 12 : body + 24]
        if vendor.count(0) != len(vendor):
            self.a.find(f"{where} vendor", printable(bytes(vendor)), Category.SOFTWARE)
        self.a.patch(base + body + 12, bytes(12))
        name = buf[body + 24 : box.end]
        if name.count(0) != len(name):
            text = name[1:] if name and name[0] == len(name) - 1 else name
            self.a.find(f"{where} name", printable(bytes(text).rstrip(b"\x00")),
                        Category.SOFTWARE)
            self.a.patch(base + body + 24, bytes(len(name)))

    def _stsd(self, buf: bytes, base: int, box: Box, where: str, depth: int,
              track: _Track | None) -> None:
        if box.end - box.body < 8:
            raise CorruptRefused("short sample description")
        handler = track.handler if track is not None else b""
        for entry in iter_boxes(buf, box.body + 8, box.end):
            self.a.boxes += 1
            if track is not None:
                track.formats.append(entry.type)
            e = entry.start
            if handler == b"vide" and entry.end - e >= 86:
                # version, revision, vendor (QuickTime) and compressor name
                self._zero_field(buf, base, e + 20, 4, f"{where}/{_fourcc(entry.type)} vendor",
                                 Category.SOFTWARE)
                cname = buf[e + 50 : e + 82]
                if cname.count(0) != 32:
                    n = min(cname[0], 31)
                    self.a.find(f"{where}/{_fourcc(entry.type)} compressor name",
                                printable(bytes(cname[1 : 1 + n])) or "(binary)",
                                Category.SOFTWARE)
                    self.a.patch(base + e + 50, bytes(32))
                self._entry_children(buf, base, entry, e + 86, where, depth)
                self._mjpeg_config(buf, entry, e + 86, track)
                self._nal_config(buf, base, entry, e + 86, track)
                self._mpeg4_config(buf, base, entry, e + 86, track)
                self._av1_config(buf, base, entry, e + 86, track)
                self._prores_config(entry, track)
            elif handler == b"soun" and entry.end - e >= 36:
                self._zero_field(buf, base, e + 20, 4, f"{where}/{_fourcc(entry.type)} vendor",
                                 Category.SOFTWARE)
                version = struct.unpack_from(">H", buf, e + 16)[0]
                extra = {0: 0, 1: 16, 2: 36}.get(version)
                if extra is None:
                    raise UnsupportedContentRefused("unknown sound description version")
                self._entry_children(buf, base, entry, e + 36 + extra, where, depth)
                self._aac_config(buf, entry, e + 36 + extra, track)

    def _mjpeg_config(self, buf: bytes, entry: Box, first: int,
                      track: _Track | None) -> None:
        """Motion-JPEG entries: their frames' metadata segments are blanked later."""
        if track is None:
            return
        if entry.type == b"mjpb":
            raise UnsupportedContentRefused("Motion-JPEG format B video")
        found = entry.type in _MJPEG_FORMATS
        if entry.type == b"mp4v":
            configs = [c for c in iter_boxes(buf, first, entry.end) if c.type == b"esds"]
            try:
                found = len(configs) == 1 and esds.stream_config(
                    bytes(buf[configs[0].body : configs[0].end]))[0] == esds.JPEG
            except CorruptRefused:
                found = False  # refused with its own reason by the MPEG-4 check
        if len(track.formats) > 1 and found != track.mjpeg:
            raise UnsupportedContentRefused("video track with several kinds of stream")
        track.mjpeg = found

    def _aac_config(self, buf: bytes, entry: Box, first: int, track: _Track | None) -> None:
        """'mp4a' holding AAC (its esds directly, or inside QuickTime's 'wave'),
        or MPEG audio ('mp4a' with an MPEG-1/2 audio esds, '.mp3')."""
        if track is None:
            return
        found = False
        mp3 = entry.type in _MP3_FORMATS
        if entry.type == b"mp4a" and first < entry.end:
            try:
                children = list(iter_boxes(buf, first, entry.end))
                waves = [w for w in children if w.type == b"wave"]
                if len(waves) == 1:
                    children = list(iter_boxes(buf, waves[0].body, waves[0].end))
            except CorruptRefused as exc:
                raise UnsupportedContentRefused("unreadable sample description") from exc
            configs = [c for c in children if c.type == b"esds"]
            if len(configs) > 1:
                raise CorruptRefused("sound track with two decoder configurations")
            if configs:
                config = esds.stream_config(bytes(buf[configs[0].body : configs[0].end]))
                found = aac.walked(*config)
                mp3 = config[0] in esds.MPEG_AUDIO
        if len(track.formats) > 1 and (found, mp3) != (track.aac, track.mp3):
            raise UnsupportedContentRefused("sound track with several kinds of stream")
        track.aac, track.mp3 = found, mp3

    def _nal_config(self, buf: bytes, base: int, entry: Box, first: int,
                    track: _Track | None) -> None:
        """avcC / hvcC of an H.264 / HEVC entry: the NAL length size, and SEI in hvcC."""
        if track is None:
            return
        if entry.type not in _NAL_FORMATS:
            if track.nal is not None:
                raise UnsupportedContentRefused("video track mixing H.264/HEVC and other codecs")
            return
        codec, config_type = _NAL_FORMATS[entry.type]
        configs = [c for c in iter_boxes(buf, first, entry.end) if c.type == config_type]
        if len(configs) != 1:
            raise CorruptRefused("video track without its decoder configuration")
        cfg = configs[0]
        config = bytes(buf[cfg.body : cfg.end])
        found = (codec, nal.config_length_size(codec, config))
        mixed = track.nal is None and len(track.formats) > 1  # an earlier entry was not
        if mixed or (track.nal is not None and track.nal != found):
            raise UnsupportedContentRefused("video track with several kinds of stream")
        track.nal = found
        if codec == nal.HEVC:
            nal.scan_hvcc(self.a.scanner, config, base + cfg.body)

    def _av1_config(self, buf: bytes, base: int, entry: Box, first: int,
                    track: _Track | None) -> None:
        """'av01': metadata units in its av1C configuration now, in the samples later."""
        if track is None:
            return
        found = entry.type == b"av01"
        if len(track.formats) > 1 and found != track.av1:
            raise UnsupportedContentRefused("video track with several kinds of stream")
        track.av1 = found
        if not found:
            return
        configs = [c for c in iter_boxes(buf, first, entry.end) if c.type == b"av1C"]
        if len(configs) != 1 or configs[0].end - configs[0].body < 4:
            raise CorruptRefused("video track without its decoder configuration")
        cfg = configs[0]
        self.a.av1.config(bytes(buf[cfg.body + 4 : cfg.end]), base + cfg.body + 4)

    def _prores_config(self, entry: Box, track: _Track | None) -> None:
        """ProRes entries: the creator code in every frame is blanked later."""
        if track is None:
            return
        found = entry.type in prores.FORMATS
        if len(track.formats) > 1 and found != track.prores:
            raise UnsupportedContentRefused("video track with several kinds of stream")
        track.prores = found

    def _mpeg4_config(self, buf: bytes, base: int, entry: Box, first: int,
                      track: _Track | None) -> None:
        """esds of an MPEG-4 Part 2 entry: user data in its DecoderSpecificInfo."""
        if track is None:
            return
        if entry.type in mpeg4v.MPEG12_FORMATS:
            self._mpeg12_track(track)
            return
        if entry.type != b"mp4v" and not mpeg4v.is_mpeg4(entry.type):
            if track.mpeg4 or track.mpeg12:
                raise UnsupportedContentRefused("video track with several kinds of stream")
            return
        configs = [c for c in iter_boxes(buf, first, entry.end) if c.type == b"esds"]
        if len(configs) > 1 or (entry.type == b"mp4v" and not configs):
            raise CorruptRefused("video track without its decoder configuration")
        if configs:
            box = configs[0]
            found = mpeg4v.decoder_specific_info(bytes(buf[box.body : box.end]))
            if found is None:
                if track.mpeg4:
                    raise UnsupportedContentRefused("video track with several kinds of stream")
                body = bytes(buf[box.body : box.end])
                kind, specific = esds.stream_config(body)
                if kind in esds.MPEG12_VIDEO:
                    self._mpeg12_track(track)
                    if specific:  # the sequence header ffmpeg copies there
                        at = body.rfind(specific)
                        self.a.mpeg12.buffer(specific, base + box.body + at)
                return  # JPEG pictures under 'mp4v' are walked as Motion-JPEG
            lo, hi = found
            self.a.mp4v.buffer(bytes(buf[box.body + lo : box.body + hi]), base + box.body + lo)
        if track.nal is not None or (not track.mpeg4 and len(track.formats) > 1):
            raise UnsupportedContentRefused("video track with several kinds of stream")
        track.mpeg4.add(entry.type)

    def _mpeg12_track(self, track: _Track) -> None:
        if track.nal is not None or track.mpeg4 or (not track.mpeg12 and len(track.formats) > 1):
            raise UnsupportedContentRefused("video track with several kinds of stream")
        track.mpeg12 = True

    def _traf(self, buf: bytes, base: int, traf: Box) -> None:
        """A movie fragment's track runs: where its samples are, for the NAL walk."""
        self._traf_count += 1
        children = list(iter_boxes(buf, traf.body, traf.end))
        heads = [c for c in children if c.type == b"tfhd"]
        if len(heads) != 1 or heads[0].end - heads[0].body < 8:
            raise CorruptRefused("track fragment without its header")
        h = heads[0]
        flags = _u32(buf, h.body) & 0xFFFFFF
        track_id = _u32(buf, h.body + 4)
        p = h.body + 8
        need = 8 + 8 * bool(flags & 1) + 4 * sum(bool(flags & f) for f in (2, 8, 0x10, 0x20))
        if h.end - h.body < need:
            raise CorruptRefused("short track fragment header")
        if flags & 1:
            data_base = _u64(buf, p)
            p += 8
        elif flags & 0x20000 or self._traf_count == 1:
            data_base = self._moof_start
        else:
            raise UnsupportedContentRefused("track fragments without their data offsets")
        p += 4 * bool(flags & 2)
        tracks = [t for t in self.a.tracks if t.track_id == track_id]
        if len(tracks) != 1:
            raise CorruptRefused("fragment of an unknown track")
        track = tracks[0]
        default_duration = _u32(buf, p) if flags & 8 else self.a.trex_duration.get(track_id, 0)
        p += 4 * bool(flags & 8)
        default_size = _u32(buf, p) if flags & 0x10 else self.a.trex.get(track_id, 0)
        pos = data_base
        for run in (c for c in children if c.type == b"trun"):
            if run.end - run.body < 8:
                raise CorruptRefused("short track run")
            rflags = _u32(buf, run.body) & 0xFFFFFF
            count = _u32(buf, run.body + 4)
            q = run.body + 8
            if rflags & 1:
                pos = data_base + struct.unpack_from(">i", buf, q)[0]
                q += 4
            q += 4 * bool(rflags & 4)
            fields = [f for f in (0x100, 0x200, 0x400, 0x800) if rflags & f]
            stride = 4 * len(fields)
            if count > MAX_TABLE_ENTRIES or q + count * stride > run.end:
                raise CorruptRefused("track run count past its box")
            if rflags & 0x200:
                at = q + 4 * fields.index(0x200)
                sizes: Sequence[int] = [_u32(buf, at + i * stride) for i in range(count)]
            else:
                sizes = [default_size] * count
            if rflags & 0x100:
                at = q + 4 * fields.index(0x100)
                track.duration += sum(_u32(buf, at + i * stride) for i in range(count))
            else:
                track.duration += default_duration * count
            if track.first_offset is None and count:
                track.first_offset = 0
                if rflags & 0x800:
                    track.first_offset = struct.unpack_from(
                        ">i", buf, q + 4 * fields.index(0x800))[0]
            if (track.nal is not None or track.mpeg4 or track.mpeg12 or track.mjpeg or track.aac
                    or track.mp3 or track.av1 or track.prores):
                track.runs.append((pos, sizes))
            self.a.run_spans.append((pos, pos + sum(sizes)))
            pos += sum(sizes)

    def _samples(self, track: _Track) -> Iterator[tuple[int, int]]:
        """(file offset, size) of every sample, from the sample table and fragments."""
        for start, length, per, first in self._chunks(track):
            del length
            pos = start
            for i in range(first, first + per):
                size = track.sample_size or track.sample_sizes[i]
                yield pos, size
                pos += size
        for start, sizes in track.runs:
            pos = start
            for size in sizes:
                yield pos, size
                pos += size

    def _scan_video(self) -> None:
        """Every sample of the walked video and sound tracks: notes inside the streams."""
        scanner, mp4v, jpeg, sound = self.a.scanner, self.a.mp4v, self.a.mjpeg, self.a.aac
        mpeg12 = self.a.mpeg12
        for number, t in enumerate(self.a.tracks):
            video = t.handler == b"vide" and (t.nal is not None or t.mpeg4 or t.mjpeg
                                              or t.mpeg12 or t.av1 or t.prores)
            mp3 = t.handler == b"soun" and t.mp3
            if not video and not mp3 and not (t.handler == b"soun" and t.aac):
                continue
            if mp3:
                self.a.mp3.track(number)
            for i, (off, size) in enumerate(self._samples(t)):
                if off + size > self.size:
                    raise CorruptRefused("sample data past the end of the file")
                if mp3:
                    self.a.mp3.add(number, off, size)
                elif not video:
                    sound.frame(self.fh, off, size, first=i == 0)
                elif t.nal is not None:
                    scanner.sample(self.fh, t.nal[0], t.nal[1], off, size)
                elif t.mjpeg:
                    jpeg.frame(self.fh, off, size)
                elif t.mpeg12:
                    mpeg12.frame(self.fh, off, size)
                elif t.av1:
                    self.a.av1.sample(self.fh, off, size)
                elif t.prores:
                    self.a.prores.frame(self.fh, off, size)
                else:
                    mp4v.frame(self.fh, off, size)
            if t.mpeg4:
                mp4v.check_tags(t.mpeg4)
        self.a.mp3.walk(self.fh)
        streams = (scanner.patches | mp4v.patches | mpeg12.patches | jpeg.patches | sound.patches
                   | self.a.mp3.patches | self.a.av1.patches | self.a.prores.patches)
        for off, data in streams.items():
            if off in self.a.patches:
                raise CorruptRefused("video stream note inside a metadata box")
            self.a.patch(off, data)
        self.a.findings.extend(scanner.findings() + mp4v.findings() + mpeg12.findings()
                               + jpeg.findings() + sound.findings() + self.a.mp3.findings()
                               + self.a.av1.findings() + self.a.prores.findings())

    def _zero_field(self, buf: bytes, base: int, at: int, n: int, where: str,
                    category: Category) -> None:
        value = buf[at : at + n]
        if value.count(0) != n:
            self.a.find(where, printable(bytes(value)) or value.hex(), category)
            self.a.patch(base + at, bytes(n))

    def _entry_children(self, buf: bytes, base: int, entry: Box, first: int, where: str,
                        depth: int) -> None:
        if first >= entry.end:
            return
        try:
            children = list(iter_boxes(buf, first, entry.end))
        except CorruptRefused as exc:
            raise UnsupportedContentRefused("unreadable sample description") from exc
        for child in children:
            if child.type in _METADATA_BOXES:
                self._describe(buf, child, f"{where}/{_fourcc(entry.type)}")
                self._neutralise(child, base, buf)

    def _dref(self, buf: bytes, box: Box) -> None:
        if box.end - box.body < 8:
            raise CorruptRefused("short data reference")
        for entry in iter_boxes(buf, box.body + 8, box.end):
            flags = _u32(buf, entry.body) & 0xFFFFFF if entry.end - entry.body >= 4 else 0
            if not flags & 1:
                raise UnsupportedContentRefused("media stored in other files")

    # --- sample tables (to find the bytes of non-A/V tracks) ---

    def _count(self, buf: bytes, box: Box, header: int, entry: int) -> int:
        if box.end - box.body < header:
            raise CorruptRefused("short sample table")
        n = _u32(buf, box.body + header - 4)
        if n > MAX_TABLE_ENTRIES:
            raise LimitRefused("sample table too large")
        if n * entry > box.end - box.body - header:
            raise CorruptRefused("sample table count past its box")
        return n

    def _chunk_offsets(self, buf: bytes, box: Box, track: _Track, wide: bool) -> None:
        n = self._count(buf, box, 8, 8 if wide else 4)
        arr = array("Q" if wide else "I")
        if arr.itemsize != (8 if wide else 4):
            arr = array("L" if wide else "I")
        arr.frombytes(buf[box.body + 8 : box.body + 8 + n * arr.itemsize])
        if struct.pack("=H", 1) == b"\x01\x00":
            arr.byteswap()
        track.chunk_offsets = arr

    def _stsc(self, buf: bytes, box: Box, track: _Track) -> None:
        n = self._count(buf, box, 8, 12)
        track.stsc = [
            (_u32(buf, box.body + 8 + 12 * i), _u32(buf, box.body + 12 + 12 * i))
            for i in range(n)
        ]

    def _stts(self, buf: bytes, box: Box, track: _Track) -> None:
        """Decoding times: the track's length, for its edit list."""
        n = self._count(buf, box, 8, 8)
        arr = array("I")
        arr.frombytes(buf[box.body + 8 : box.body + 8 + 8 * n])
        if struct.pack("=H", 1) == b"\x01\x00":
            arr.byteswap()
        track.duration += sum(arr[i] * arr[i + 1] for i in range(0, 2 * n, 2))

    def _unused_media(self) -> None:
        """Zero the bytes inside 'mdat' that no sample uses. Editors that trim
        or cut in place rewrite the sample tables and leave the cut-out frames
        and sound there, where no player looks but anyone can carve them out."""
        used = sorted([r for t in self.a.tracks for r in self._chunk_ranges(t)]
                      + self.a.run_spans)
        merged: list[tuple[int, int]] = []
        for lo, hi in used:
            if merged and lo <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
            elif hi > lo:
                merged.append((lo, hi))
        starts = [lo for lo, _ in merged]
        gaps: list[tuple[int, int]] = []
        for lo, hi in self.a.mdat:
            pos = lo
            for a, b in merged[max(bisect.bisect_right(starts, lo) - 1, 0):]:
                if a >= hi:
                    break
                if a > pos:
                    gaps.append((pos, a))
                pos = max(pos, b)
            if pos < hi:
                gaps.append((pos, hi))
        found = [(lo, hi) for lo, hi in gaps if self._nonzero_file(lo, hi)]
        if not found:
            return
        self.a.find("media data that no track uses",
                    f"{sum(hi - lo for lo, hi in found)} bytes in {len(found)} places (often "
                    "left by editing: they may hold cut-out pictures or sound)",
                    Category.HIDDEN_CONTENT)
        for lo, hi in found:
            self.a.patch(lo, Zeros(hi - lo))

    def _check_edits(self) -> None:
        """Refuse a video or sound track whose edit list hides more than a moment."""
        for t in self.a.tracks:
            if t.edits is None or t.handler not in _AV_HANDLERS:
                continue
            start = t.first_offset or 0
            gone = editlist.hidden(t.edits, self.a.movie_scale, t.media_scale, start,
                                   t.duration)
            if gone / t.media_scale > editlist.HIDDEN_ALLOWANCE:
                kind = "video" if t.handler == b"vide" else "sound"
                raise TrimmedRefused(f"{gone / t.media_scale:.1f} s of {kind} cut out by a "
                                     "trim are still in the file")

    def _stsz(self, buf: bytes, box: Box, track: _Track) -> None:
        if box.end - box.body < 12:
            raise CorruptRefused("short sample size table")
        track.sample_size = _u32(buf, box.body + 4)
        track.sample_count = _u32(buf, box.body + 8)
        if track.sample_size == 0:
            n = self._count(buf, box, 12, 4)
            arr = array("I")
            arr.frombytes(buf[box.body + 12 : box.body + 12 + 4 * n])
            if struct.pack("=H", 1) == b"\x01\x00":
                arr.byteswap()
            track.sample_sizes = arr
            track.sample_count = n

    def _chunk_ranges(self, track: _Track) -> list[tuple[int, int]]:
        """File ranges of every chunk of a track, from stco/stsc/stsz."""
        return [(start, start + length) for start, length, _, _ in self._chunks(track)
                if length]

    def _chunks(self, track: _Track) -> Iterator[tuple[int, int, int, int]]:
        """(offset, length, samples, first sample) of every chunk of a track."""
        offsets = track.chunk_offsets
        if not offsets:
            return
        if not track.stsc or track.stsc[0][0] != 1:
            raise CorruptRefused("sample-to-chunk table missing")
        sample = 0
        total = track.sample_count
        for i, (first, per) in enumerate(track.stsc):
            last = track.stsc[i + 1][0] - 1 if i + 1 < len(track.stsc) else len(offsets)
            if first < 1 or last > len(offsets) or last < first - 1:
                raise CorruptRefused("sample-to-chunk table out of range")
            for chunk in range(first - 1, last):
                if sample + per > total:
                    raise CorruptRefused("more samples in chunks than in the size table")
                if track.sample_size:
                    length = per * track.sample_size
                else:
                    length = sum(track.sample_sizes[sample : sample + per])
                start = offsets[chunk]
                if start + length > self.size:
                    raise CorruptRefused("sample data past the end of the file")
                yield start, length, per, sample
                sample += per

    def _check_tracks(self) -> None:
        neutral = sorted(self.a.neutralised)
        starts = [s for s, _ in neutral]

        def hits_neutralised(lo: int, hi: int) -> bool:
            i = bisect.bisect_right(starts, lo) - 1
            return any(lo < e and s < hi for s, e in neutral[max(i, 0) : i + 2])

        zero_ranges: list[tuple[int, int]] = []
        for t in self.a.tracks:
            if t.handler in _AV_HANDLERS:
                if neutral and any(hits_neutralised(off, off + 1) for off in t.chunk_offsets):
                    raise UnsupportedContentRefused("media stored inside a metadata box")
                continue
            if self.a.fragmented:
                raise UnsupportedContentRefused("fragmented file with text or data tracks")
            kind = _fourcc(t.handler) if t.handler else "unknown"
            fmts = ", ".join(_fourcc(f) for f in t.formats) or "?"
            ranges = self._chunk_ranges(t)
            nonzero = any(self._nonzero_file(lo, hi) for lo, hi in ranges)
            if nonzero:
                size = sum(hi - lo for lo, hi in ranges)
                self.a.find(f"'{kind}' track ({fmts})",
                            f"{size} bytes of text, timecode or sensor data "
                            "(chapters, subtitles, GPS or camera data)",
                            Category.HIDDEN_CONTENT)
            zero_ranges.extend(ranges)
        # Chunks may share bytes only if the file is odd; merge before patching.
        zero_ranges.sort()
        merged: list[list[int]] = []
        for lo, hi in zero_ranges:
            if merged and lo <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        patch_starts = sorted(self.a.patches)
        av_offsets = sorted(off for t in self.a.tracks if t.handler in _AV_HANDLERS
                            for off in t.chunk_offsets) if merged else []
        for lo, hi in merged:
            i = bisect.bisect_left(patch_starts, lo)
            if (i < len(patch_starts) and patch_starts[i] < hi) or hits_neutralised(lo, hi):
                raise UnsupportedContentRefused("track data overlaps the movie header")
            j = bisect.bisect_left(av_offsets, lo)
            if j < len(av_offsets) and av_offsets[j] < hi:
                # blanking it would destroy pictures or sound: not a file to guess about
                raise UnsupportedContentRefused("text or data track overlaps the media")
            self.a.patch(lo, Zeros(hi - lo))

    # --- human-readable findings for metadata boxes ---

    def _describe(self, buf: bytes, box: Box, path: str) -> None:
        t = box.type
        where = f"{path}/{_fourcc(t)}" if path else _fourcc(t)
        payload = bytes(buf[box.body : box.end])
        if not payload.strip(b"\x00"):
            return
        if t == b"uuid":
            uid = bytes(buf[box.start + 8 : box.start + 24])
            if uid == _XMP_UUID:
                self.a.find(f"{where} (XMP)", f"{len(payload)} bytes of XMP metadata",
                            Category.HIDDEN_CONTENT)
            else:
                self.a.find(f"{where} {uid.hex()}", f"{len(payload)} bytes of vendor data",
                            Category.HIDDEN_CONTENT)
            return
        if t == b"udta":
            found = False
            try:
                for child in iter_boxes(buf, box.body, box.end):
                    found = True
                    self._describe_item(buf, child, where)
            except CorruptRefused:
                found = False
            if not found:
                self.a.find(where, f"{len(payload)} bytes of user data", Category.OTHER)
            return
        if t == b"meta":
            self._describe_meta(buf, box, where)
            return
        self.a.find(where, f"{len(payload)} bytes", Category.HIDDEN_CONTENT
                    if t in (b"PICT", b"pnot") else categorize(_fourcc(t)))

    def _describe_item(self, buf: bytes, child: Box, where: str) -> None:
        key = _fourcc(child.type)
        body = bytes(buf[child.body : child.end])
        if child.type == b"meta":
            self._describe_meta(buf, child, where)
            return
        if child.type == b"XMP_":
            self.a.find(f"{where}/XMP_", f"{len(body)} bytes of XMP metadata",
                        Category.HIDDEN_CONTENT)
            return
        if child.type.startswith(b"\xa9"):
            value = _qt_text(body)
        else:
            value = printable(body) or f"{len(body)} bytes"
        category = categorize(key)
        if category is Category.LOCATION:
            value = readable_iso6709(value) or value
        elif child.type in (b"chpl", b"chap"):
            category = Category.HIDDEN_CONTENT
        self.a.find(f"{where}/{key}", value, category)

    def _describe_meta(self, buf: bytes, box: Box, where: str) -> None:
        """meta: hdlr + keys + ilst (iTunes / QuickTime metadata)."""
        keys: list[str] = []
        ilst: Box | None = None
        start = box.body
        # ISO meta is a full box (4 bytes of version/flags); QuickTime's is not.
        if box.end - start >= 8 and buf[start + 4 : start + 8] != b"hdlr":
            start += 4
        try:
            for child in iter_boxes(buf, start, box.end):
                if child.type == b"keys" and child.end - child.body >= 8:
                    for k in iter_boxes(buf, child.body + 8, child.end):
                        keys.append(bytes(buf[k.body : k.end]).decode("utf-8", "replace"))
                elif child.type == b"ilst":
                    ilst = child
                elif child.type == b"xml ":
                    self.a.find(f"{where}/xml", "XML metadata", Category.HIDDEN_CONTENT)
        except CorruptRefused:
            ilst = None
        if ilst is None:
            self.a.find(where, f"{box.end - box.body} bytes of metadata", Category.OTHER)
            return
        try:
            items = list(iter_boxes(buf, ilst.body, ilst.end))
        except CorruptRefused:
            items = []
        for item in items:
            index = _u32(item.type, 0)
            in_keys = keys and 1 <= index <= len(keys)
            name = keys[index - 1] if in_keys else _fourcc(item.type)
            value = ""
            try:
                for data in iter_boxes(buf, item.body, item.end):
                    if data.type == b"data" and data.end - data.body >= 8:
                        raw = bytes(buf[data.body + 8 : data.end])
                        dtype = _u32(buf, data.body) & 0xFFFFFF
                        if dtype in (13, 14, 27):
                            value = f"picture, {len(raw)} bytes"
                        elif dtype in (1, 2):
                            value = printable(raw)
                        else:
                            value = raw[:32].hex()
            except CorruptRefused:
                value = ""
            category = categorize(name)
            if name in ("covr",) or value.startswith("picture"):
                category = Category.HIDDEN_CONTENT
            if category is Category.LOCATION:
                value = readable_iso6709(value) or value
            self.a.find(f"{where}/{name}", value or "(binary)", category)


def analyse(fh: BinaryIO, size: int, limits: Limits) -> _Analysis:
    return _Walker(fh, size, limits).run()


def _warnings(kind: FileKind) -> tuple[str, ...]:
    return AUDIO_WARNINGS if kind is FileKind.M4A else VIDEO_WARNINGS


@register
class IsoMediaCleaner:
    name: ClassVar[str] = "iso-media"
    kinds: ClassVar[frozenset[FileKind]] = frozenset({FileKind.MP4, FileKind.MOV, FileKind.M4A})

    def inspect(self, src: Source, kind: FileKind, limits: Limits) -> Inspection:
        result = analyse_source(src, lambda fh, size: analyse(fh, size, limits))
        return Inspection(kind.value, tuple(result.findings), _warnings(kind))

    def prepare(self, src: Source, kind: FileKind, limits: Limits) -> CleanPlan:
        first, pieces = patch_in_place(src, lambda fh, size: analyse(fh, size, limits))
        report = CleanReport(kind=kind.value, removed=list(first.findings),
                             warnings=list(_warnings(kind)))
        report.notes.append(
            "Metadata boxes were blanked in place; the sound and pictures were copied unchanged.")
        if kind is not FileKind.M4A:
            report.notes.append(
                "Notes an encoder or camera wrote inside H.264, HEVC (SEI user data), "
                "MPEG-4 Part 2 and MPEG-1/2 (user data), AV1 (metadata units) and "
                "Motion-JPEG video (comments, Exif and other segments in each frame) were "
                "blanked; inside other kinds of video stream they are not checked.")
        if first.aac.patches:
            report.notes.append(AAC_NOTE)
        if first.mp3.patches:
            report.notes.append(mp3frames.NOTE)
        return SplicePlan(src, pieces, report)
