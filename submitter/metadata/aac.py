"""Encoder notes inside AAC sound frames (MP4/M4A/MOV, Matroska and AVI).

An AAC frame (a raw_data_block, ISO/IEC 14496-3 4.4.2.1) is a list of
syntactic elements, each opening with a 3-bit id. Two of them carry nothing
a decoder plays: a data stream element (DSE, id 4: a tag, a byte count and
free bytes) and a fill element (FIL, id 6: a byte count, a 4-bit extension
type, then for EXT_FILL / EXT_FILL_DATA only filler). FFmpeg's AAC encoder
puts its version ("Lavc59.37.100") into the first frame, as a FIL element of
type EXT_FILL opening the frame; other encoders use a DSE.

Only an element that opens a frame is located with certainty: every element
after it starts wherever the previous one's coded spectrum ends, which only
a full decode can tell. So the first element of every frame is read (a few
bytes of each frame, read in windows), and when it is a DSE, or a FIL of a
filler type, its payload is set to zero bits in place: same size, and the
decoded sound is identical since decoders skip both. A DSE that opens with
0xBC (DVB ancillary data: downmix and level values players act on) is kept.

FFmpeg writes its note only in the first frame, at a fixed place; that frame
is searched for its mark ("Lavc") after blanking, and if the mark is still
there (a note somewhere that cannot be located) the file is refused. Notes
that other encoders put deeper inside a frame cannot be told from coded
sound, so they are not looked for.

AVI stores each sound packet in a chunk with no framing of its own: a raw
frame (the stream's AudioSpecificConfig in its WAVEFORMATEX), or ADTS frames
(a 7-byte header, 9 with a CRC, giving the frame's length). ``packet`` tells
them apart as FFmpeg's decoder does, by the ADTS sync word, and walks every
ADTS frame of a chunk. ADTS frames it cannot delimit are refused: several
raw_data_blocks in one frame (only the first one's start is known) and a frame
running past its chunk. So are notes inside CRC-protected frames, which could
not be blanked without breaking the CRC.
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

DSE, FIL = 4, 6
EXT_FILL, EXT_FILL_DATA = 0, 1
DVB_ANCILLARY = 0xBC
# Object types coded as raw_data_blocks: Main, LC, SSR, LTP, and SBR / PS over them.
GA_OBJECT_TYPES = frozenset({1, 2, 3, 4, 5, 29})
MPEG4_AUDIO, MPEG2_AAC = 0x40, frozenset({0x66, 0x67, 0x68})
SIGNATURE = b"Lavc"
MAX_FIRST_FRAME = 1 << 16  # far above an AAC frame's largest (6144 bits a channel)
MAX_FRAMES = 200_000_000
MAX_DISTINCT_FINDINGS = 20
ADTS_HEADER = 7  # without its CRC
_WINDOW = 4096
_TEXT = re.compile(rb"[\x20-\x7e]{4,}")


def object_type(asc: bytes) -> int:
    """audioObjectType from an AudioSpecificConfig (0 if it is empty)."""
    if not asc:
        return 0
    aot = asc[0] >> 3
    if aot == 31:
        if len(asc) < 2:
            raise CorruptRefused("short sound decoder configuration")
        aot = 32 + (((asc[0] & 7) << 3) | (asc[1] >> 5))
    return aot


def walked(object_type_indication: int, asc: bytes | None) -> bool:
    """Whether a stream (esds objectTypeIndication, its AudioSpecificConfig) is
    AAC coded as raw_data_blocks, so its frames can be walked."""
    if object_type_indication in MPEG2_AAC:
        return True
    return object_type_indication == MPEG4_AUDIO and object_type(asc or b"") in GA_OBJECT_TYPES


def is_adts(head: bytes) -> bool:
    """Whether bytes open with the ADTS sync word (12 bits set)."""
    return len(head) >= 2 and head[0] == 0xFF and head[1] & 0xF0 == 0xF0


def _zero_bits(data: bytes, lo: int, hi: int) -> bytes:
    """``data`` with bits [lo, hi) (counted from the first byte's top bit) set to 0."""
    out = bytearray(data)
    for bit in range(lo, hi):
        out[bit >> 3] &= ~(0x80 >> (bit & 7)) & 0xFF
    return bytes(out)


@dataclass(slots=True)
class AacScanner:
    """Walks the frames of one file's AAC tracks; ``patches`` blank what was found."""

    patches: dict[int, bytes] = field(default_factory=dict)
    frames: int = 0
    _seen: dict[tuple[str, Category], int] = field(default_factory=dict)
    _wstart: int = 0
    _window: bytes = b""

    def findings(self) -> list[Finding]:
        return [Finding(f"AAC sound stream (encoder note{f', {n} times' if n > 1 else ''})",
                        value, category) for (value, category), n in self._seen.items()]

    def _get(self, fh: BinaryIO, pos: int, n: int) -> bytes:
        """``n`` bytes at ``pos``, through a window that often holds the next frames too."""
        if not (self._wstart <= pos and pos + n <= self._wstart + len(self._window)):
            fh.seek(pos)
            self._wstart, self._window = pos, fh.read(max(n, _WINDOW))
            if len(self._window) < n:
                raise CorruptRefused("file shorter than its sound frames say")
        at = pos - self._wstart
        return self._window[at : at + n]

    def frame(self, fh: BinaryIO, offset: int, size: int, first: bool = False) -> None:
        """One AAC frame (a whole raw_data_block) at file ``offset``."""
        self.frames += 1
        if self.frames > MAX_FRAMES:
            raise LimitRefused("too many sound frames")
        if size >= 2:
            head = self._get(fh, offset, min(size, 3))
            element = head[0] >> 5
            if element == DSE:
                self._dse(fh, offset, size, head)
            elif element == FIL:
                self._fil(fh, offset, size, head)
        if first and size:
            self._check_first(fh, offset, size)

    def _dse(self, fh: BinaryIO, offset: int, size: int, head: bytes) -> None:
        count, start = head[1], 2
        if count == 255:
            if len(head) < 3:
                raise CorruptRefused("a sound frame cut short inside a note")
            count, start = count + head[2], 3
        if start + count > size:
            raise CorruptRefused("a sound frame cut short inside a note")
        payload = self._get(fh, offset + start, count) if count else b""
        if not payload.strip(b"\x00") or payload[0] == DVB_ANCILLARY:
            return
        self.patches[offset + start] = bytes(count)
        self._note(payload)

    def _fil(self, fh: BinaryIO, offset: int, size: int, head: bytes) -> None:
        count, header = (head[0] >> 1) & 0x0F, 7
        if count == 15:
            count, header = 14 + (((head[0] & 1) << 7) | (head[1] >> 1)), 15
        if count == 0:
            return
        end = header + 8 * count
        if end > 8 * size:
            raise CorruptRefused("a sound frame cut short inside a note")
        data = self._get(fh, offset, (end + 7) // 8)
        ext = (int.from_bytes(data[:3].ljust(3, b"\x00"), "big") >> (20 - header)) & 0x0F
        if ext not in (EXT_FILL, EXT_FILL_DATA):
            return  # SBR, dynamic range: what the decoder plays
        first = (header + 4) // 8
        blanked = _zero_bits(data, header + 4, end)
        if blanked == data:
            return
        self.patches[offset + first] = blanked[first:]
        self._note(data[first:])

    def _note(self, payload: bytes) -> None:
        m = _TEXT.search(payload)
        if m is None:
            key = (f"{len(payload)} bytes of private notes from the program that made the "
                   "sound, inside the sound stream", Category.HIDDEN_CONTENT)
        else:
            key = (f"{m.group().decode('ascii')[:60]} (the program that made the sound, "
                   "named inside the sound stream)", Category.SOFTWARE)
        if key in self._seen or len(self._seen) < MAX_DISTINCT_FINDINGS:
            self._seen[key] = self._seen.get(key, 0) + 1

    def prime(self, pos: int, data: bytes) -> None:
        """The file's bytes at ``pos``, already read by the caller: the next reads
        there need no seek."""
        self._wstart, self._window = pos, data

    def packet(self, fh: BinaryIO, offset: int, size: int, first: bool = False) -> bool:
        """One sound packet of a container that adds no framing (an AVI chunk): ADTS
        frames if it opens with their sync word, else one raw_data_block.

        Returns whether it held any sound: until one does, the next packet's first
        frame is still the stream's first (where FFmpeg's note would be).
        """
        if size >= 2 and is_adts(self._get(fh, offset, 2)):
            return self.adts(fh, offset, size, first)
        self.frame(fh, offset, size, first)
        return size > 0

    def adts(self, fh: BinaryIO, offset: int, size: int, first: bool = False) -> bool:
        """Whole ADTS frames filling ``size`` bytes at ``offset`` (ISO/IEC 14496-3 1.A.2);
        returns whether any of them held sound."""
        pos, end, sound = offset, offset + size, False
        while pos < end:
            if end - pos < ADTS_HEADER:
                raise CorruptRefused("a sound chunk cut short inside a frame header")
            head = self._get(fh, pos, ADTS_HEADER)
            if not is_adts(head) or head[1] & 0x06:  # layer is always 0
                raise CorruptRefused("a sound chunk that is not whole ADTS frames")
            crc = not head[1] & 1  # protection_absent clear
            length = ((head[3] & 0x03) << 11) | (head[4] << 3) | (head[5] >> 5)
            header = ADTS_HEADER + 2 * crc
            if head[6] & 0x03:
                # Later raw_data_blocks start wherever the one before ends, which
                # only a decode can tell; FFmpeg does not support them either.
                raise UnsupportedContentRefused("ADTS sound frames holding several blocks")
            if length < header or length > end - pos:
                raise CorruptRefused("an ADTS sound frame longer than its chunk")
            patches = len(self.patches)
            self.frame(fh, pos + header, length - header, first)
            if crc and len(self.patches) != patches:
                raise UnsupportedContentRefused("a note inside a CRC-protected sound frame")
            sound = sound or length > header
            first = first and not sound  # the first frame with sound in it
            pos += length
        return sound

    def _check_first(self, fh: BinaryIO, offset: int, size: int) -> None:
        """The first frame, as it will be written, must not hold FFmpeg's mark."""
        data = bytearray(read_exact(fh, offset, min(size, MAX_FIRST_FRAME), "sound frames"))
        for at, patch in self.patches.items():
            if offset <= at < offset + len(data):
                data[at - offset : at - offset + len(patch)] = patch
        if SIGNATURE in data:
            raise UnsupportedContentRefused("a note naming the sound's encoder where it "
                                            "cannot be blanked safely")
