"""MKV / WebM (Matroska, EBML): clean in place.

SeekHead and Cues locate elements by offset, so nothing changes size:
metadata elements are overwritten by EBML Void elements of exactly the same
length (zeroed), and the muxing/writing application strings are zeroed
(EBML allows strings padded with zero bytes). What goes:

- Tags, Chapters and Attachments (whole), with the SeekHead entries that
  pointed at them;
- Info: Title, DateUTC, SegmentUID and the links to other files
  (Prev/Next UID and file names, SegmentFilename, SegmentFamily), CRC-32
  (it would no longer match); MuxingApp/WritingApp emptied;
- every track's Name and CodecName;
- leftover bytes inside existing Void elements.

Clusters (the frames) are copied unchanged. Subtitle and other
non-audio/video tracks stay as (empty) tracks: their codec header is zeroed
and, walking every block header of every cluster, the payload of each of
their blocks is zeroed in place; laced blocks of such tracks are refused.
H.264 and HEVC video blocks (V_MPEG4/ISO/AVC, V_MPEGH/ISO/HEVC) are walked
the same way, reading only NAL length prefixes and SEI units: "user data
unregistered" notes (encoder name and options, camera serials) are blanked
in place (see ``nal.py``), also inside an HEVC CodecPrivate; laced or
compressed (ContentEncodings) blocks of such tracks are refused. MPEG-4
Part 2 video (V_MPEG4/ISO/SP, ASP, AP, and V_MS/VFW/FOURCC with an MPEG-4
code such as XVID or DIVX) has its encoder's user data blanked in the
CodecPrivate and in every block (see ``mpeg4v.py``), with the same refusals;
MPEG-1/2 video (V_MPEG1, V_MPEG2, or an MPEG-2 VFW code) the same, with
MPEG-1/2's rules (captions and notes blanked, active format kept).
Motion-JPEG video (V_MJPEG, or V_MS/VFW/FOURCC with an MJPEG code) has each
frame's metadata segments zeroed (see ``mjpeg.py``); AAC sound (A_AAC...)
has the note opening each frame blanked, every frame of a laced block
included (see ``aac.py``); MPEG audio (A_MPEG/L3, and L1/L2 when its frames
are Layer III) has the spare bytes between its frames' sound, where LAME
writes its name, zeroed, the blocks read as one run of frames (see
``mp3frames.py``); AV1 video (V_AV1) has its metadata units (timecodes,
captions, vendor data) turned into padding units of the same size, in every
block and in the CodecPrivate (see ``av1.py``); compressed blocks of any of
these are refused. The CodecPrivate of Vorbis, Theora and FLAC tracks holds
the source file's tags (comment headers, FLAC metadata blocks): they are
blanked in place (see ``xiph_headers.py``); ProRes video (V_PRORES) has the
creator code in every frame zeroed (see ``prores.py``). Files
without any of these tracks never have their clusters walked. Live recordings
with unknown-size clusters are walked element by element to find where each
cluster ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import BinaryIO, ClassVar

from submitter.metadata import aac, av1, mjpeg, mp3frames, mpeg4v, nal, prores, xiph_headers
from submitter.metadata.cleaner import register
from submitter.metadata.isobmff import AAC_NOTE, VIDEO_WARNINGS, categorize
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
from submitter.metadata.source import Source
from submitter.metadata.splice import Patch, SplicePlan, Zeros, analyse_source, patch_in_place

EBML = 0x1A45DFA3
SEGMENT = 0x18538067
SEEKHEAD, SEEK, SEEK_ID = 0x114D9B74, 0x4DBB, 0x53AB
INFO, TRACKS, TRACK_ENTRY = 0x1549A966, 0x1654AE6B, 0xAE
CLUSTER, CUES = 0x1F43B675, 0x1C53BB6B
CHAPTERS, ATTACHMENTS, TAGS = 0x1043A770, 0x1941A469, 0x1254C367
VOID, CRC32 = 0xEC, 0xBF
TRACK_TYPE, TRACK_NAME, CODEC_NAME = 0x83, 0x536E, 0x258688
MUXING_APP, WRITING_APP = 0x4D80, 0x5741
_INFO_VOID = {
    0x7BA9: ("Title", Category.OTHER),
    0x4461: ("DateUTC", Category.TIME),
    0x73A4: ("SegmentUID", Category.IDENTIFIER),
    0x7384: ("SegmentFilename", Category.OTHER),
    0x3CB923: ("PrevUID", Category.IDENTIFIER),
    0x3C83AB: ("PrevFilename", Category.OTHER),
    0x3EB923: ("NextUID", Category.IDENTIFIER),
    0x3E83BB: ("NextFilename", Category.OTHER),
    0x4444: ("SegmentFamily", Category.IDENTIFIER),
    0x6924: ("ChapterTranslate", Category.HIDDEN_CONTENT),
    CRC32: ("CRC-32", Category.OTHER),
}
_INFO_KEEP = frozenset({0x2AD7B1, 0x4489, VOID})  # TimestampScale, Duration
_LEVEL1 = frozenset({SEEKHEAD, INFO, TRACKS, CLUSTER, CUES, CHAPTERS, ATTACHMENTS, TAGS,
                     VOID, CRC32})
_REMOVED_LEVEL1 = {CHAPTERS: ("Chapters", Category.HIDDEN_CONTENT),
                   ATTACHMENTS: ("Attachments", Category.EMBEDDED_FILE),
                   TAGS: ("Tags", Category.OTHER)}
_AV_TRACK_TYPES = frozenset({1, 2})
_TRACK_KINDS = {3: "complex", 0x10: "logo", 0x11: "subtitle", 0x12: "buttons",
                0x20: "control", 0x21: "metadata"}
TRACK_NUMBER, CODEC_PRIVATE, CODEC_ID, CONTENT_ENCODINGS = 0xD7, 0x63A2, 0x86, 0x6D80
_NAL_CODECS = {b"V_MPEG4/ISO/AVC": nal.H264, b"V_MPEGH/ISO/HEVC": nal.HEVC}
_MPEG4_CODECS = frozenset({b"V_MPEG4/ISO/SP", b"V_MPEG4/ISO/ASP", b"V_MPEG4/ISO/AP"})
_MPEG12_CODECS = frozenset({b"V_MPEG1", b"V_MPEG2"})
_VFW = b"V_MS/VFW/FOURCC"
_MJPEG = b"V_MJPEG"
_AV1 = b"V_AV1"
_MPEG_AUDIO = frozenset({b"A_MPEG/L3", b"A_MPEG/L2", b"A_MPEG/L1"})
_AAC = b"A_AAC"  # with an AudioSpecificConfig; A_AAC/MPEG2/... and A_AAC/MPEG4/... without
MAX_LACE_HEADER = 64 * 1024
SIMPLE_BLOCK, BLOCK_GROUP, BLOCK, BLOCK_ADDITIONS = 0xA3, 0xA0, 0xA1, 0x75A1
UNKNOWN = -1
MAX_META_ELEMENT = 64 * 1024 * 1024
MAX_ELEMENTS = 20_000_000  # about 3 hours of live-recorded blocks per 1M
MAX_DEPTH = 16
# Inside these, strings shown as findings (SimpleTag name/value, chapter text, file names).
_TAG_NAME, _TAG_STRING, _SIMPLE_TAG = 0x45A3, 0x4487, 0x67C8
_CHAP_STRING, _FILE_NAME = 0x85, 0x466E
_MASTERS = frozenset({0x7373, _SIMPLE_TAG, 0x45B9, 0xB6, 0x80, 0x61A7, 0x63C0, 0xA0, 0x8F})


@dataclass(slots=True)
class Element:
    id: int
    start: int  # offset of the ID
    data: int  # offset of the payload
    end: int  # UNKNOWN size -> end of parent

    @property
    def size(self) -> int:
        return self.end - self.data


def _vint(buf: bytes, pos: int, keep_marker: bool) -> tuple[int, int]:
    """(value, width); value UNKNOWN for an all-ones size."""
    if pos >= len(buf):
        raise CorruptRefused("truncated element")
    first = buf[pos]
    if first == 0:
        raise CorruptRefused("invalid EBML number")
    width = 9 - first.bit_length()
    if pos + width > len(buf):
        raise CorruptRefused("truncated element")
    value = first if keep_marker else first & (0xFF >> width)
    for b in buf[pos + 1 : pos + width]:
        value = (value << 8) | b
    if not keep_marker and value == (1 << (7 * width)) - 1:
        return UNKNOWN, width
    if keep_marker and width > 4:
        raise CorruptRefused("element id too long")
    return value, width


def void_bytes(length: int) -> list[tuple[int, Patch]]:
    """Header + zero payload of a Void element exactly ``length`` bytes long."""
    if length < 2:
        raise CorruptRefused("element too short to blank")
    if length - 2 < 127:
        return [(0, bytes([VOID, 0x80 | (length - 2)])), (2, Zeros(length - 2))]
    data = length - 9
    return [(0, bytes([VOID, 0x01]) + data.to_bytes(7, "big")), (9, Zeros(data))]


def _text(raw: bytes) -> str:
    return printable(raw.rstrip(b"\x00"))  # strings may be padded with zero bytes


@dataclass(slots=True)
class _Walk:
    fh: BinaryIO
    size: int
    findings: list[Finding] = field(default_factory=list)
    patches: dict[int, Patch] = field(default_factory=dict)
    count: int = 0
    blank_tracks: dict[int, str] = field(default_factory=dict)  # track number -> kind
    tracks_seen: bool = False
    blanked_bytes: int = 0
    nal_tracks: dict[int, tuple[str, int]] = field(default_factory=dict)  # codec, length size
    scanner: nal.NalScanner = field(default_factory=nal.NalScanner)
    mp4v_tracks: set[int] = field(default_factory=set)
    mp4v_tags: set[bytes] = field(default_factory=set)  # VFW format codes of those tracks
    mp4v: mpeg4v.Mpeg4Scanner = field(default_factory=mpeg4v.Mpeg4Scanner)
    mpeg12_tracks: set[int] = field(default_factory=set)
    mpeg12: mpeg4v.Mpeg4Scanner = field(default_factory=lambda: mpeg4v.Mpeg4Scanner(mpeg12=True))
    mjpeg_tracks: set[int] = field(default_factory=set)
    mjpeg: mjpeg.MjpegScanner = field(default_factory=mjpeg.MjpegScanner)
    aac_tracks: set[int] = field(default_factory=set)
    aac_started: set[int] = field(default_factory=set)  # tracks whose first frame was seen
    aac: aac.AacScanner = field(default_factory=aac.AacScanner)
    mp3: mp3frames.Mp3Streams = field(default_factory=mp3frames.Mp3Streams)
    av1_tracks: set[int] = field(default_factory=set)
    av1: av1.Av1Scanner = field(default_factory=av1.Av1Scanner)
    prores_tracks: set[int] = field(default_factory=set)
    prores: prores.ProresScanner = field(default_factory=prores.ProresScanner)

    def read(self, off: int, n: int) -> bytes:
        return read_exact(self.fh, off, n, "elements")

    def element(self, pos: int, limit: int) -> Element:
        self.count += 1
        if self.count > MAX_ELEMENTS:
            raise LimitRefused("too many elements")
        head = self.read(pos, min(12, limit - pos))
        eid, w1 = _vint(head, 0, keep_marker=True)
        size, w2 = _vint(head, w1, keep_marker=False)
        data = pos + w1 + w2
        if size == UNKNOWN:
            return Element(eid, pos, data, UNKNOWN)
        if data + size > limit:
            raise CorruptRefused("element past the end of its parent")
        return Element(eid, pos, data, data + size)

    def void(self, el: Element) -> None:
        for off, patch in void_bytes(el.end - el.start):
            self.patches[el.start + off] = patch

    def nonzero(self, off: int, n: int) -> bool:
        return any_nonzero(self.fh, off, n, "elements")

    # --- top level ---

    def run(self) -> None:
        pos = 0
        segments = 0
        while pos < self.size:
            el = self.element(pos, self.size)
            if el.id == EBML:
                if el.end == UNKNOWN:
                    raise CorruptRefused("EBML header of unknown size")
            elif el.id == SEGMENT:
                segments += 1
                if el.end == UNKNOWN:
                    el.end = self.size
                self.segment(el)
            elif el.id == VOID and el.end != UNKNOWN:
                self.void_content(el)
            else:
                raise CorruptRefused("unexpected top-level element")
            pos = el.end
        if segments != 1:
            raise UnsupportedContentRefused("not exactly one Matroska segment")

    def segment(self, seg: Element) -> None:
        self.segment_body(seg)
        self.mp4v.check_tags(self.mp4v_tags)
        self.mp3.walk(self.fh)
        streams = (self.scanner.patches | self.mp4v.patches | self.mpeg12.patches
                   | self.mjpeg.patches | self.aac.patches | self.mp3.patches
                   | self.av1.patches | self.prores.patches)
        for off, data in streams.items():
            if off in self.patches:
                raise CorruptRefused("video stream note inside a metadata element")
            self.patches[off] = data
        self.findings.extend(self.scanner.findings() + self.mp4v.findings()
                             + self.mpeg12.findings() + self.mjpeg.findings() + self.aac.findings()
                             + self.mp3.findings() + self.av1.findings()
                             + self.prores.findings())
        if self.blanked_bytes:
            kinds = ", ".join(sorted(set(self.blank_tracks.values())))
            self.findings.append(Finding(f"Matroska {kinds} track",
                                         f"{self.blanked_bytes} bytes of text or data "
                                         "(subtitles, captions, sensor data)",
                                         Category.HIDDEN_CONTENT))

    def segment_body(self, seg: Element) -> None:
        pos = seg.data
        while pos < seg.end:
            el = self.element(pos, seg.end)
            if el.end == UNKNOWN:
                if el.id != CLUSTER:
                    raise CorruptRefused("element of unknown size")
                el.end = self.cluster_end(el, seg.end)
            if el.id == SEEKHEAD:
                self.seekhead(el)
            elif el.id == INFO:
                self.info(el)
            elif el.id == TRACKS:
                # Which blocks hold text or data is known only from the track
                # list; one that follows frames (or a second one) could name a
                # subtitle track whose blocks were already passed over.
                if self.tracks_seen:
                    raise UnsupportedContentRefused("track list after the frames")
                self.tracks(el)
            elif el.id == CLUSTER:
                if not self.tracks_seen:
                    raise UnsupportedContentRefused("frames before the track list")
                if (self.blank_tracks or self.nal_tracks or self.mp4v_tracks
                        or self.mpeg12_tracks or self.mjpeg_tracks or self.aac_tracks
                        or self.mp3.offsets or self.av1_tracks or self.prores_tracks):
                    self.cluster(el)
            elif el.id in (CUES, CRC32):
                pass
            elif el.id == VOID:
                self.void_content(el)
            elif el.id in _REMOVED_LEVEL1:
                name, category = _REMOVED_LEVEL1[el.id]
                self.describe(el, name, category)
                self.void(el)
            else:
                self.findings.append(Finding(f"Matroska element {el.id:X}",
                                             f"{el.size} bytes", Category.OTHER))
                self.void(el)
            pos = el.end

    def cluster_end(self, cluster: Element, limit: int) -> int:
        """Where a cluster of unknown size stops: at the next level-1 element."""
        pos = cluster.data
        while pos < limit:
            el = self.element(pos, limit)
            if el.id in _LEVEL1:
                return pos
            if el.end == UNKNOWN:
                raise CorruptRefused("nested element of unknown size")
            pos = el.end
        return limit

    def void_content(self, el: Element) -> None:
        if el.size and self.nonzero(el.data, el.size):
            self.findings.append(Finding("Matroska Void", f"{el.size} bytes of leftover data",
                                         Category.HIDDEN_CONTENT))
            self.patches[el.data] = Zeros(el.size)

    def children(self, parent: Element) -> list[Element]:
        out: list[Element] = []
        pos = parent.data
        while pos < parent.end:
            el = self.element(pos, parent.end)
            if el.end == UNKNOWN:
                raise CorruptRefused("element of unknown size")
            out.append(el)
            pos = el.end
        return out

    def seekhead(self, head: Element) -> None:
        for seek in self.children(head):
            if seek.id != SEEK:
                continue
            for child in self.children(seek):
                if child.id == SEEK_ID and child.size <= 4:
                    target = int.from_bytes(self.read(child.data, child.size), "big")
                    if target in _REMOVED_LEVEL1 or target not in _LEVEL1:
                        self.void(seek)  # points at something removed: no finding needed

    def info(self, info: Element) -> None:
        for el in self.children(info):
            if el.id in _INFO_VOID:
                name, category = _INFO_VOID[el.id]
                if el.id == CRC32:
                    self.void(el)
                    continue
                raw = self.read(el.data, min(el.size, 4096))
                if el.id == 0x4461 and len(raw) == 8:
                    value = _date_utc(int.from_bytes(raw, "big", signed=True))
                elif category is Category.IDENTIFIER:
                    value = raw.hex()
                else:
                    value = _text(raw)
                self.findings.append(Finding(f"Matroska Info {name}", value or "(empty)",
                                             category))
                self.void(el)
            elif el.id in (MUXING_APP, WRITING_APP):
                raw = self.read(el.data, min(el.size, 4096))
                if el.size and self.nonzero(el.data, el.size):
                    name = "MuxingApp" if el.id == MUXING_APP else "WritingApp"
                    self.findings.append(Finding(f"Matroska Info {name}", _text(raw),
                                                 Category.SOFTWARE))
                    self.patches[el.data] = Zeros(el.size)
            elif el.id == VOID:
                self.void_content(el)
            elif el.id not in _INFO_KEEP:
                self.findings.append(Finding(f"Matroska Info element {el.id:X}",
                                             f"{el.size} bytes", Category.OTHER))
                self.void(el)

    def tracks(self, tracks: Element) -> None:
        for entry in self.children(tracks):
            if entry.id == CRC32:
                self.void(entry)
                continue
            if entry.id != TRACK_ENTRY:
                continue
            kind = None
            for el in self.children(entry):
                if el.id == TRACK_TYPE and 1 <= el.size <= 8:
                    kind = int.from_bytes(self.read(el.data, el.size), "big")
                elif el.id in (TRACK_NAME, CODEC_NAME, CRC32):
                    if el.id != CRC32:
                        label = "track name" if el.id == TRACK_NAME else "codec name"
                        self.findings.append(Finding(
                            f"Matroska {label}", _text(self.read(el.data, min(el.size, 4096))),
                            Category.HIDDEN_CONTENT if el.id == TRACK_NAME
                            else Category.SOFTWARE))
                    self.void(el)
            if kind not in _AV_TRACK_TYPES:
                self.other_tracks(entry, kind)
            elif kind == 1:
                self.video_track(entry)
            else:
                self.audio_track(entry)
        self.tracks_seen = True

    def other_tracks(self, entry: Element, kind: int | None) -> None:
        """A subtitle/data track: its codec header is zeroed here, its blocks later."""
        number = None
        for el in self.children(entry):
            if el.id == TRACK_NUMBER and 1 <= el.size <= 8:
                number = int.from_bytes(self.read(el.data, el.size), "big")
            elif el.id == CODEC_PRIVATE and el.size and self.nonzero(el.data, el.size):
                # e.g. an ASS subtitle header: script title, author, styles
                self.findings.append(Finding("Matroska subtitle/data track header",
                                             f"{el.size} bytes", Category.HIDDEN_CONTENT))
                self.patches[el.data] = Zeros(el.size)
        if number is None:
            raise CorruptRefused("track without a number")
        self.blank_tracks[number] = _TRACK_KINDS.get(kind or 0, "data")

    def xiph_header(self, codec_id: bytes, private: Element | None) -> None:
        """Vorbis, Theora, FLAC: the tags inside the CodecPrivate, blanked in place."""
        if private is None or codec_id not in (xiph_headers.VORBIS, xiph_headers.THEORA,
                                               xiph_headers.FLAC):
            return
        if private.size > MAX_META_ELEMENT:
            raise LimitRefused("codec header too large")
        found, patches = xiph_headers.clean(codec_id, self.read(private.data, private.size))
        self.findings += found
        for at, data in patches.items():
            self.patches[private.data + at] = data

    def video_track(self, entry: Element) -> None:
        """H.264 / HEVC: note the NAL length size; its blocks are walked later."""
        number, codec_id, private, encoded = self.codec_fields(entry)
        self.xiph_header(codec_id, private)
        codec = _NAL_CODECS.get(codec_id)
        if codec_id == _MJPEG:
            self.walked_track(self.mjpeg_tracks, number, encoded, "video")
            return
        if codec_id == prores.MATROSKA_CODEC:
            self.walked_track(self.prores_tracks, number, encoded, "video")
            return
        if codec_id == _AV1:
            self.walked_track(self.av1_tracks, number, encoded, "video")
            if private is not None:  # av1C: four bytes, then configuration units
                if private.size > MAX_META_ELEMENT:
                    raise LimitRefused("video decoder configuration too large")
                if private.size > 4:
                    self.av1.config(self.read(private.data + 4, private.size - 4),
                                    private.data + 4)
            return
        if codec_id in _MPEG4_CODECS or codec_id in _MPEG12_CODECS or codec_id == _VFW:
            self.mpeg4_track(number, codec_id, private, encoded)
            return
        if codec is None:
            return
        if number is None:
            raise CorruptRefused("track without a number")
        if encoded:
            raise UnsupportedContentRefused("compressed or encrypted video blocks")
        if private is None or private.size > MAX_META_ELEMENT:
            raise CorruptRefused("video track without its decoder configuration")
        config = self.read(private.data, private.size)
        self.nal_tracks[number] = (codec, nal.config_length_size(codec, config))
        if codec == nal.HEVC:
            nal.scan_hvcc(self.scanner, config, private.data)

    def codec_fields(self, entry: Element) -> tuple[int | None, bytes, Element | None, bool]:
        """A track entry's number, codec id, CodecPrivate and whether it has ContentEncodings."""
        number = None
        codec_id = b""
        private: Element | None = None
        encoded = False
        for el in self.children(entry):
            if el.id == TRACK_NUMBER and 1 <= el.size <= 8:
                number = int.from_bytes(self.read(el.data, el.size), "big")
            elif el.id == CODEC_ID and el.size <= 64:
                codec_id = self.read(el.data, el.size).rstrip(b"\x00")
            elif el.id == CODEC_PRIVATE:
                private = el
            elif el.id == CONTENT_ENCODINGS:
                encoded = True
        return number, codec_id, private, encoded

    def walked_track(self, tracks: set[int], number: int | None, encoded: bool,
                     what: str) -> None:
        """A track whose every block is walked (Motion-JPEG, AAC)."""
        tracks.add(self.walked_number(number, encoded, what))

    @staticmethod
    def walked_number(number: int | None, encoded: bool, what: str) -> int:
        """The number of a track whose blocks are walked: they must be stored as is."""
        if number is None:
            raise CorruptRefused("track without a number")
        if encoded:
            raise UnsupportedContentRefused(f"compressed or encrypted {what} blocks")
        return number

    def audio_track(self, entry: Element) -> None:
        """AAC: the first element of every frame is read later (see ``aac.py``)."""
        number, codec_id, private, encoded = self.codec_fields(entry)
        self.xiph_header(codec_id, private)
        if codec_id in _MPEG_AUDIO:
            # FFmpeg's decoder reads the layer from each frame: all three are
            # walked when their frames are Layer III.
            self.mp3.track(self.walked_number(number, encoded, "sound"))
            return
        if codec_id == _AAC:
            if private is None or private.size > MAX_META_ELEMENT:
                raise CorruptRefused("sound track without its decoder configuration")
            if not aac.walked(aac.MPEG4_AUDIO, self.read(private.data, private.size)):
                return  # an AAC variant coded otherwise (ER, USAC...): not walked
        elif not codec_id.startswith(_AAC + b"/"):
            return
        self.walked_track(self.aac_tracks, number, encoded, "sound")

    def mpeg4_track(self, number: int | None, codec_id: bytes, private: Element | None,
                    encoded: bool) -> None:
        """MPEG-4 Part 2 and MPEG-1/2: user data in the CodecPrivate now, in the
        blocks later."""
        config = b""
        at = 0
        if private is not None:
            if private.size > MAX_META_ELEMENT:
                raise LimitRefused("video decoder configuration too large")
            config = self.read(private.data, private.size)
            at = private.data
        if codec_id == _VFW:  # a BITMAPINFOHEADER, then the configuration
            if len(config) < 40:
                raise CorruptRefused("video track without its bitmap header")
            if config[16:20] in mjpeg.FOURCCS:
                self.walked_track(self.mjpeg_tracks, number, encoded, "video")
                return
            mpeg12 = config[16:20].upper() in mpeg4v.MPEG12_FOURCCS
            if not mpeg12 and not mpeg4v.is_mpeg4(config[16:20]):
                return  # another codec, not walked
            if not mpeg12:
                self.mp4v_tags.add(config[16:20])
            config, at = config[40:], at + 40
        else:
            mpeg12 = codec_id in _MPEG12_CODECS
        if number is None:
            raise CorruptRefused("track without a number")
        if encoded:
            raise UnsupportedContentRefused("compressed or encrypted video blocks")
        (self.mpeg12 if mpeg12 else self.mp4v).buffer(config, at)
        (self.mpeg12_tracks if mpeg12 else self.mp4v_tracks).add(number)

    def cluster(self, cluster: Element) -> None:
        """Zero the payload of every block that belongs to a subtitle/data track."""
        if not self.tracks_seen:
            raise UnsupportedContentRefused("frames before the track list")
        for el in self.children(cluster):
            if el.id == SIMPLE_BLOCK:
                self.block(el)
            elif el.id == BLOCK_GROUP:
                blocks = [c for c in self.children(el) if c.id == BLOCK]
                if len(blocks) != 1:
                    raise CorruptRefused("block group without exactly one block")
                if self.block(blocks[0]):
                    for child in self.children(el):
                        if child.id == BLOCK_ADDITIONS:
                            self.void(child)

    def block(self, el: Element) -> bool:
        head = self.read(el.data, min(el.size, 12))
        track, width = _vint(head, 0, keep_marker=False)
        if (track in self.nal_tracks or track in self.mp4v_tracks or track in self.mpeg12_tracks
                or track in self.mjpeg_tracks or track in self.av1_tracks
                or track in self.prores_tracks):
            if len(head) < width + 3:
                raise CorruptRefused("short block")
            if head[width + 2] & 0x06:
                raise UnsupportedContentRefused("laced video block")
            at, n = el.data + width + 3, el.size - width - 3
            if track in self.nal_tracks:
                codec, length_size = self.nal_tracks[track]
                self.scanner.sample(self.fh, codec, length_size, at, n)
            elif track in self.mp4v_tracks:
                self.mp4v.frame(self.fh, at, n)
            elif track in self.mpeg12_tracks:
                self.mpeg12.frame(self.fh, at, n)
            elif track in self.av1_tracks:
                self.av1.sample(self.fh, at, n)
            elif track in self.prores_tracks:
                self.prores.frame(self.fh, at, n, atom=False)
            else:
                self.mjpeg.frame(self.fh, at, n)
            return False
        if track in self.mp3:
            for off, n in self.laced_frames(el, width):
                self.mp3.add(track, off, n)
            return False
        if track in self.aac_tracks:
            for i, (off, n) in enumerate(self.laced_frames(el, width)):
                self.aac.frame(self.fh, off, n, first=i == 0 and track not in self.aac_started)
            self.aac_started.add(track)
            return False
        if track not in self.blank_tracks:
            return False
        payload = width + 3
        if len(head) < payload:
            raise CorruptRefused("short block")
        if head[width + 2] & 0x06:
            raise UnsupportedContentRefused("laced subtitle or data block")
        n = el.size - payload
        if n > 0 and self.nonzero(el.data + payload, n):
            self.blanked_bytes += n
            self.patches[el.data + payload] = Zeros(n)
        return True

    def laced_frames(self, el: Element, width: int) -> list[tuple[int, int]]:
        """(offset, size) of each frame of a block, laced or not."""
        start = el.data + width + 3
        if start > el.end:
            raise CorruptRefused("short block")
        lacing = self.read(el.data + width + 2, 1)[0] & 0x06
        if not lacing:
            return [(start, el.end - start)]
        head = self.read(start, min(el.end - start, MAX_LACE_HEADER))
        if not head:
            raise CorruptRefused("short block")
        count, pos = head[0] + 1, 1
        sizes: list[int] = []
        if lacing == 0x04:  # fixed: frames of one size
            if (el.end - start - 1) % count:
                raise CorruptRefused("laced block of uneven frames")
            sizes = [(el.end - start - 1) // count] * (count - 1)
        elif lacing == 0x02:  # Xiph: sizes as runs of 255
            for _ in range(count - 1):
                n = 0
                while True:
                    if pos >= len(head):
                        raise CorruptRefused("laced block cut short")
                    n, pos = n + head[pos], pos + 1
                    if head[pos - 1] != 255:
                        break
                sizes.append(n)
        else:  # EBML: a first size, then signed differences
            n, w = _vint(head, pos, keep_marker=False)
            sizes, pos = [n], pos + w
            for _ in range(count - 2):
                d, w = _vint(head, pos, keep_marker=False)
                n, pos = n + d - ((1 << (7 * w - 1)) - 1), pos + w
                sizes.append(n)
        out, at = [], start + pos
        for n in sizes:
            if n < 0 or n == UNKNOWN:
                raise CorruptRefused("laced block with a bad frame size")
            out.append((at, n))
            at += n
        if at > el.end:
            raise CorruptRefused("laced block longer than its element")
        return [*out, (at, el.end - at)]

    def describe(self, el: Element, name: str, category: Category) -> None:
        """Readable strings inside Tags / Chapters / Attachments, bounded."""
        if el.size > MAX_META_ELEMENT:
            self.findings.append(Finding(f"Matroska {name}", f"{el.size} bytes", category))
            return
        found: list[Finding] = []
        pending: list[str] = []

        def walk(parent: Element, depth: int) -> None:
            if depth > MAX_DEPTH:
                raise LimitRefused("elements nested too deep")
            for child in self.children(parent):
                if child.id in (_TAG_NAME,):
                    pending.append(_text(self.read(child.data, min(child.size, 4096))))
                elif child.id == _TAG_STRING:
                    key = pending.pop() if pending else "tag"
                    value = _text(self.read(child.data, min(child.size, 4096)))
                    cat = categorize(key)
                    found.append(Finding(f"Matroska tag {key}", value or "(empty)",
                                         cat if cat is not Category.OTHER else category))
                elif child.id == _CHAP_STRING:
                    found.append(Finding("Matroska chapter title",
                                         _text(self.read(child.data, min(child.size, 4096))),
                                         Category.HIDDEN_CONTENT))
                elif child.id == _FILE_NAME:
                    found.append(Finding("Matroska attached file",
                                         _text(self.read(child.data, min(child.size, 4096))),
                                         Category.EMBEDDED_FILE))
                elif child.id in _MASTERS or child.id in (0x7373, 0x45B9, 0x61A7):
                    walk(child, depth + 1)

        try:
            walk(el, 1)
        except CorruptRefused:
            found = []
        self.findings.extend(found or [Finding(f"Matroska {name}", f"{el.size} bytes",
                                               category)])


def _date_utc(ns: int) -> str:
    import datetime as dt

    base = dt.datetime(2001, 1, 1, tzinfo=dt.UTC)
    try:
        return (base + dt.timedelta(microseconds=ns // 1000)).strftime("%Y-%m-%d %H:%M:%S UTC")
    except OverflowError:
        return str(ns)


def _analyse(fh: BinaryIO, size: int) -> _Walk:
    walk = _Walk(fh, size)
    walk.run()
    return walk


@register
class MatroskaCleaner:
    name: ClassVar[str] = "matroska"
    kinds: ClassVar[frozenset[FileKind]] = frozenset({FileKind.MKV, FileKind.WEBM})

    def inspect(self, src: Source, kind: FileKind, limits: Limits) -> Inspection:
        walk = analyse_source(src, _analyse)
        return Inspection(kind.value, tuple(walk.findings), VIDEO_WARNINGS)

    def prepare(self, src: Source, kind: FileKind, limits: Limits) -> CleanPlan:
        first, pieces = patch_in_place(src, _analyse)
        report = CleanReport(kind=kind.value, removed=first.findings,
                             warnings=list(VIDEO_WARNINGS),
                             notes=["Metadata elements were blanked in place; the frames "
                                    "were copied unchanged.",
                                    "Notes an encoder or camera wrote inside H.264, HEVC (SEI "
                                    "user data), MPEG-4 Part 2 and MPEG-1/2 (user data), AV1 "
                                    "(metadata units) and Motion-JPEG video (comments, Exif "
                                    "and other segments in each frame) were blanked; inside "
                                    "other kinds of video stream they are not checked."])
        if first.aac.patches:
            report.notes.append(AAC_NOTE)
        if first.mp3.patches:
            report.notes.append(mp3frames.NOTE)
        return SplicePlan(src, pieces, report)
