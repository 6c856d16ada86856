"""Encoder notes inside H.264 / HEVC video: "user data unregistered" SEI.

MP4/MOV and Matroska carry H.264 and HEVC as length-prefixed NAL units
(AVCC / HVCC: every NAL is preceded by its size in 1, 2 or 4 bytes, the
width given by the avcC / hvcC box). SEI NAL units (H.264 type 6, HEVC
types 39 and 40) hold a list of messages, each ``payloadType`` and
``payloadSize`` (bytes of 0xFF adding 255, then a last byte) and its payload
(ITU-T H.264 7.3.2.3, H.265 7.3.5). Message type 5, user data unregistered,
is a 16-byte UUID then free bytes: x264 writes its version and whole option
string there, cameras their names, serials or private data.

What is blanked, and why:

- the UUID too, not just the bytes after it: a UUID is chosen by one vendor
  (x264's is known to every analysis tool), so it names the encoder as
  surely as the text does; no decoder needs it to decode pictures;
- the filler is 0xFF: it is never part of a start code or of an
  emulation-prevention pattern (00 00 0x), so a run of it cannot create one,
  and it is not text. The message keeps its type and exact size, so the NAL
  unit's length prefix and every offset in the file stay valid;
- the NAL unit on disk is escaped (0x000003 emulation prevention) while
  ``payloadSize`` counts unescaped bytes. The new NAL is escaped again by
  the standard rule; if the original held emulation-prevention bytes inside
  the payload, the filler starts with a run of zero bytes long enough to need
  the same number of them (00 00 03 00 ...), then 0xFF, so the escaped size
  is unchanged and the run says nothing. If no filler gives exactly the
  original size, the file is refused rather than guessed at.

Message type 4, user data registered by ITU-T T.35, starts with a country
code (0xFF: one more byte follows) and a provider code. What decoders and
displays act on is kept byte for byte: HDR10+ (US, Samsung 0x003C), Dolby
Vision (US, Dolby 0x003B), HDR Vivid (China 0x26, CUVA 0x0004), and ATSC
active-format and bar data (US, ATSC 0x0031, "DTG1", or "GA94" with type 6).
Closed captions (ATSC "GA94" type 3, DirecTV 0x002F) are words someone
typed or spoke, so they are blanked like a subtitle track's samples; every
other registered message (a vendor's private data) is blanked too. Blanked,
the payload is all filler: country 0xFF, then 0xFF again, a "country" that
no decoder knows and therefore skips.

Only the length prefixes and the SEI NAL units are read, never the slices,
in small windows so a file of millions of tiny NAL units still costs few reads;
a hard count of NAL units bounds the time a hostile file can take.

AVI carries H.264 / HEVC as an Annex B byte stream instead: every NAL unit
follows a start code (00 00 01, maybe after zero bytes), which escaping keeps
out of the NAL units themselves. There nothing but the start codes says where
a NAL unit ends, so each frame is read whole and searched for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import BinaryIO

from submitter.metadata.model import (
    Category,
    CorruptRefused,
    Finding,
    LimitRefused,
    UnsupportedContentRefused,
)
from submitter.metadata.reads import read_exact

H264 = "h264"
HEVC = "hevc"
MAX_NALS = 20_000_000  # per file, every track: ~5 slices a frame for 18 hours at 60 fps
MAX_SEI_NAL = 4 * 1024 * 1024
MAX_BYTE_STREAM_FRAME = 64 * 1024 * 1024
START = b"\x00\x00\x01"
MAX_DISTINCT_FINDINGS = 20
USER_DATA_REGISTERED = 4
USER_DATA_UNREGISTERED = 5
_BLANKED_TYPES = frozenset({USER_DATA_REGISTERED, USER_DATA_UNREGISTERED})
US, CHINA = 0xB5, 0x26
# (country, provider) -> provider-oriented prefixes kept (b"" keeps them all)
_T35_KEPT: dict[tuple[int, int], tuple[bytes, ...]] = {
    (US, 0x003C): (b"",),                 # HDR10+ dynamic metadata
    (US, 0x003B): (b"",),                 # Dolby Vision metadata
    (CHINA, 0x0004): (b"",),              # HDR Vivid (CUVA)
    (US, 0x0031): (b"DTG1", b"GA94\x06"),  # active format description, bar data
}
_T35_CAPTIONS: dict[tuple[int, int], tuple[bytes, ...]] = {
    (US, 0x0031): (b"GA94\x03",),          # ATSC A/53 closed captions
    (US, 0x002F): (b"",),                  # DirecTV closed captions
}
FILLER = 0xFF
_WINDOW = 512  # bytes read at each NAL start: its prefix, header and often the next ones
_ESCAPE = re.compile(rb"\x00\x00(?=[\x00-\x03])")
_NEUTRAL = re.compile(rb"\xff?\x00*\x01?\xff*")
_TEXT = re.compile(rb"[\x20-\x7e]{4,}")
_NAMES = {H264: "H.264", HEVC: "HEVC"}


def is_sei(codec: str, header: int) -> bool:
    """``header``: the NAL unit's first byte."""
    if codec == H264:
        return header & 0x1F == 6
    return (header >> 1) & 0x3F in (39, 40)


def unescape(nal: bytes) -> bytes:
    """The RBSP: every 0x03 that follows two zero bytes removed."""
    out = bytearray()
    start = 0
    while True:
        j = nal.find(b"\x00\x00\x03", start)
        if j < 0:
            break
        out += nal[start : j + 2]
        start = j + 3
    out += nal[start:]
    return bytes(out)


def escape(rbsp: bytes) -> bytes:
    """The standard emulation prevention: 03 after two zeros that precede 00-03."""
    return _ESCAPE.sub(b"\x00\x00\x03", rbsp)


def _ff_coded(rbsp: bytes, pos: int) -> tuple[int, int]:
    value = 0
    while True:
        if pos >= len(rbsp):
            raise CorruptRefused("video stream note cut short")
        b = rbsp[pos]
        pos += 1
        value += b
        if b != 0xFF:
            return value, pos


def sei_messages(rbsp: bytes, header_len: int) -> list[tuple[int, int, int]]:
    """(payloadType, start, end) of each message, positions in the RBSP."""
    out: list[tuple[int, int, int]] = []
    pos = header_len
    while True:
        if pos >= len(rbsp):
            raise CorruptRefused("video stream note without its end mark")
        if rbsp[pos] == 0x80 and not rbsp[pos + 1 :].strip(b"\x00"):
            return out  # rbsp_trailing_bits
        ptype, pos = _ff_coded(rbsp, pos)
        size, pos = _ff_coded(rbsp, pos)
        if pos + size > len(rbsp):
            raise CorruptRefused("video stream note longer than its NAL unit")
        out.append((ptype, pos, pos + size))
        pos += size


def _t35(payload: bytes) -> tuple[int, int, bytes] | None:
    """(country, provider, the bytes after them) of a registered payload."""
    at = 2 if payload[:1] == b"\xff" else 1
    if len(payload) < at + 2:
        return None
    return payload[0], int.from_bytes(payload[at : at + 2], "big"), payload[at + 2 :]


def _t35_matches(payload: bytes, table: dict[tuple[int, int], tuple[bytes, ...]]) -> bool:
    head = _t35(payload)
    if head is None:
        return False
    country, provider, rest = head
    return any(rest.startswith(prefix) for prefix in table.get((country, provider), ()))


def t35_kept(payload: bytes) -> bool:
    """Whether a T.35 payload (country code first) is data displays act on,
    kept byte for byte: HDR10+, Dolby Vision, HDR Vivid, AFD and bar data."""
    return _t35_matches(payload, _T35_KEPT)


def t35_captions(payload: bytes) -> bool:
    """Whether a T.35 payload holds closed captions (ATSC A/53, DirecTV)."""
    return _t35_matches(payload, _T35_CAPTIONS)


def _blanked(ptype: int, payload: bytes) -> bool:
    """Whether ``blank`` replaces this message's payload."""
    if ptype not in _BLANKED_TYPES or neutral(payload):
        return False
    return ptype == USER_DATA_UNREGISTERED or not t35_kept(payload)


def neutral(payload: bytes) -> bool:
    """Whether a payload is what ``blank`` writes (or empty)."""
    return _NEUTRAL.fullmatch(payload) is not None


def _fillers(length: int, groups: int) -> list[bytes]:
    if groups == 0:
        return [bytes([FILLER]) * length]
    out = []
    for lead in (b"", b"\xff"):
        # a run of 2g+1 zeros, or 2g zeros then 01, needs exactly g escapes
        for body in (b"\x00" * (2 * groups + 1), b"\x00" * (2 * groups) + b"\x01"):
            body = lead + body
            if len(body) <= length:
                out.append(body + b"\xff" * (length - len(body)))
    return out


def blank(nal: bytes, header_len: int) -> tuple[bytes, list[tuple[int, bytes]]] | None:
    """The same NAL with every user-data payload blanked, and those payloads
    with their message types.

    None when there is nothing to blank. The result has exactly the length
    of ``nal``, or a refusal is raised.
    """
    rbsp = unescape(nal)
    messages = [(t, a, b) for t, a, b in sei_messages(rbsp, header_len)
                if _blanked(t, rbsp[a:b])]
    found = [(a, b) for _, a, b in messages]
    if not found:
        return None
    if len(escape(rbsp)) != len(nal):
        raise UnsupportedContentRefused("the video stream's notes are escaped in an unusual way")
    payloads = [(t, rbsp[a:b]) for t, a, b in messages]
    work = bytearray(rbsp)
    for a, b in found:
        work[a:b] = bytes([FILLER]) * (b - a)
        delta = len(nal) - len(escape(bytes(work)))
        if delta < 0:
            raise UnsupportedContentRefused("a video stream note could not be blanked safely")
        for filler in _fillers(b - a, delta):
            work[a:b] = filler
            if len(escape(bytes(work))) == len(nal):
                break
        else:
            raise UnsupportedContentRefused("a video stream note could not be blanked safely")
    out = escape(bytes(work))
    if len(out) != len(nal):  # pragma: no cover - guarded above
        raise UnsupportedContentRefused("a video stream note could not be blanked safely")
    return out, payloads


def describe(ptype: int, payload: bytes) -> tuple[str, Category]:
    """Plain words for one blanked payload (type 5: UUID + free bytes; type 4:
    T.35 country and provider + their data).

    The program's name comes first: the UI shows "names the software used:
    <value>" and cuts long values short.
    """
    if ptype == USER_DATA_REGISTERED:
        if t35_captions(payload):
            return ("closed captions (words typed or spoken into the video), inside the "
                    "video stream", Category.HIDDEN_CONTENT)
        return (f"{len(payload)} bytes of a vendor's registered private data, inside the "
                "video stream", Category.HIDDEN_CONTENT)
    m = _TEXT.search(payload[16:])
    if m is None:
        return (f"{len(payload)} bytes of private notes from the program or camera that "
                "made the video, inside the video stream", Category.HIDDEN_CONTENT)
    text = m.group().decode("ascii")
    parts = text.split(" - ")
    name = " - ".join(parts[:2]) if len(parts) > 1 and len(parts[0]) <= 16 else parts[0]
    return f"{name[:60]} (the program that made the video, named inside the video stream)", \
        Category.SOFTWARE


@dataclass(slots=True)
class NalScanner:
    """Walks length-prefixed samples of one file's H.264/HEVC tracks.

    ``patches`` (file offset -> bytes of the same length) blank what was
    found; ``findings`` say it in plain words, once per distinct note.
    """

    nals: int = 0
    patches: dict[int, bytes] = field(default_factory=dict)
    _seen: dict[tuple[str, str, Category], int] = field(default_factory=dict)

    def findings(self) -> list[Finding]:
        out = []
        for (codec, value, category), count in self._seen.items():
            suffix = f", {count} times" if count > 1 else ""
            out.append(Finding(f"{_NAMES[codec]} video stream (SEI user data{suffix})",
                               value, category))
        return out

    def _count(self, n: int = 1) -> None:
        self.nals += n
        if self.nals > MAX_NALS:
            raise LimitRefused("too many NAL units in the video stream")

    def nal(self, codec: str, nal: bytes, offset: int) -> None:
        """One whole NAL unit (from a sample or from avcC/hvcC) at ``offset``."""
        header_len = 1 if codec == H264 else 2
        if len(nal) < header_len or not is_sei(codec, nal[0]):
            return
        done = blank(nal, header_len)
        if done is None:
            return
        new, payloads = done
        if new == nal:  # pragma: no cover - a non-neutral payload always changes
            return
        lo = next(i for i in range(len(nal)) if nal[i] != new[i])
        hi = next(i for i in range(len(nal) - 1, -1, -1) if nal[i] != new[i]) + 1
        self.patches[offset + lo] = new[lo:hi]
        for ptype, p in payloads:
            key = (codec, *describe(ptype, p))
            if key in self._seen or len(self._seen) < MAX_DISTINCT_FINDINGS:
                self._seen[key] = self._seen.get(key, 0) + 1

    def sample(self, fh: BinaryIO, codec: str, length_size: int, offset: int,
               size: int) -> None:
        """Every NAL unit of one sample: read the prefixes, and the SEI units only."""
        header_len = 1 if codec == H264 else 2
        pos, end = offset, offset + size
        window, wstart = b"", 0
        while pos < end:
            self._count()
            if end - pos < length_size + header_len:
                if not read_exact(fh, pos, end - pos, "video samples").strip(b"\x00"):
                    return  # zero padding after the last NAL unit
                raise CorruptRefused("video sample cut inside a NAL unit")
            need = length_size + header_len
            if not (wstart <= pos and pos + need <= wstart + len(window)):
                wstart = pos
                window = read_exact(fh, pos, min(_WINDOW, end - pos), "video samples")
            at = pos - wstart
            n = int.from_bytes(window[at : at + length_size], "big")
            body = pos + length_size
            if n < header_len or body + n > end:
                raise CorruptRefused("NAL unit longer than its video sample")
            if is_sei(codec, window[at + length_size]):
                if n > MAX_SEI_NAL:
                    raise LimitRefused("video stream note too large")
                self.nal(codec, read_exact(fh, body, n, "video samples"), body)
            pos = body + n

    def byte_stream(self, codec: str, data: bytes, offset: int) -> None:
        """Every NAL unit of an Annex B frame (or configuration) at file ``offset``."""
        header_len = 1 if codec == H264 else 2
        i = data.find(START)
        if i < 0 or data[:i].strip(b"\x00"):
            raise CorruptRefused("video frame that does not start with a start code")
        while i >= 0:
            self._count()
            start = i + 3
            j = data.find(START, start)
            end = len(data) if j < 0 else j
            if end - start >= header_len and is_sei(codec, data[start]):
                # zero bytes before the next start code belong to it, not to the unit
                unit = data[start:end].rstrip(b"\x00")
                if len(unit) > MAX_SEI_NAL:
                    raise LimitRefused("video stream note too large")
                self.nal(codec, unit, offset + start)
            i = j

    def frame(self, fh: BinaryIO, codec: str, offset: int, size: int) -> None:
        """One Annex B frame, read whole (an AVI frame chunk)."""
        if size > MAX_BYTE_STREAM_FRAME:
            raise LimitRefused("video frame too large")
        if size:
            self.byte_stream(codec, read_exact(fh, offset, size, "video frames"), offset)


def config_length_size(codec: str, config: bytes) -> int:
    """NAL length width from an avcC / hvcC record."""
    at = 4 if codec == H264 else 21
    if len(config) <= at:
        raise CorruptRefused("short video decoder configuration")
    if codec == H264 and config[0] != 1:
        raise UnsupportedContentRefused("unknown H.264 configuration version")
    size = (config[at] & 3) + 1
    if size == 3:
        raise CorruptRefused("invalid NAL length size")
    return size


def scan_hvcc(scanner: NalScanner, config: bytes, offset: int) -> None:
    """SEI NAL units stored in an hvcC record's arrays (x265 puts its notes there)."""
    if len(config) < 23:
        raise CorruptRefused("short HEVC configuration")
    pos = 23
    for _ in range(config[22]):
        if pos + 3 > len(config):
            raise CorruptRefused("HEVC configuration cut short")
        count = int.from_bytes(config[pos + 1 : pos + 3], "big")
        pos += 3
        for _ in range(count):
            scanner._count()
            if pos + 2 > len(config):
                raise CorruptRefused("HEVC configuration cut short")
            n = int.from_bytes(config[pos : pos + 2], "big")
            pos += 2
            if pos + n > len(config):
                raise CorruptRefused("HEVC configuration cut short")
            scanner.nal(HEVC, config[pos : pos + n], offset + pos)
            pos += n
