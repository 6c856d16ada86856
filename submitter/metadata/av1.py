"""Metadata OBUs inside AV1 video (MP4 'av01', Matroska/WebM V_AV1).

An AV1 sample is a run of OBUs (open bitstream units), each with a one-byte
header (its type, whether an extension byte and a size follow) and most
often a LEB128 size. A metadata OBU (type 5) opens with its own LEB128
metadata_type:

- 1, 2 (content light level, mastering display colour volume) and 3
  (scalability) describe the picture and are kept;
- 4 (ITU-T T.35, registered data) is kept only when displays act on it
  (HDR10+, Dolby Vision, HDR Vivid, AFD / bar data, the same rule as H.264
  and HEVC SEI in ``nal.py``); closed captions and every other vendor's data
  are blanked;
- 5 (timecode: the hour, minute and second a camera stamped on each frame)
  and the unregistered private types are blanked.

Blanking turns the OBU into a padding OBU (type 15) of the same size with a
zeroed payload: one header byte and the payload change, nothing moves, and
decoders skip padding OBUs unread. Sequence and frame OBUs are skipped over
by their sizes, so a sample costs a read of a few header bytes per OBU.
An OBU that runs past its sample, a set forbidden bit, or a size that does
not end is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import BinaryIO

from submitter.metadata import nal
from submitter.metadata.model import Category, CorruptRefused, Finding, LimitRefused
from submitter.metadata.reads import read_exact
from submitter.metadata.splice import Patch, Zeros

METADATA, PADDING = 5, 15
HDR_CLL, HDR_MDCV, SCALABILITY, ITUT_T35, TIMECODE = 1, 2, 3, 4, 5
_KEPT_TYPES = frozenset({HDR_CLL, HDR_MDCV, SCALABILITY})
MAX_OBUS = 200_000_000
MAX_METADATA = 1 << 20
MAX_DISTINCT_FINDINGS = 20
_HEAD = 10  # header, extension, and a LEB128 size of up to 8 bytes


def leb128(data: bytes, at: int) -> tuple[int, int]:
    """(value, bytes used) of the LEB128 number at ``at`` (at most 8 bytes)."""
    value = 0
    for i in range(8):
        if at + i >= len(data):
            raise CorruptRefused("AV1 unit cut inside its size")
        byte = data[at + i]
        value |= (byte & 0x7F) << (7 * i)
        if not byte & 0x80:
            return value, i + 1
    raise CorruptRefused("AV1 unit size that does not end")


def describe(payload: bytes) -> tuple[str, Category] | None:
    """Plain words for a metadata OBU's payload; None when it is kept."""
    kind, width = leb128(payload, 0)
    body = payload[width:]
    if kind in _KEPT_TYPES or (kind == ITUT_T35 and nal.t35_kept(body)):
        return None
    if kind == TIMECODE:
        return ("a timecode (the time a camera stamped on the frames), inside the "
                "video stream", Category.TIME)
    if kind == ITUT_T35 and nal.t35_captions(body):
        return ("closed captions (words typed or spoken into the video), inside the "
                "video stream", Category.HIDDEN_CONTENT)
    if kind == ITUT_T35:
        return (f"{len(body)} bytes of a vendor's registered private data, inside the "
                "video stream", Category.HIDDEN_CONTENT)
    return (f"{len(body)} bytes of private data (metadata type {kind}), inside the "
            "video stream", Category.HIDDEN_CONTENT)


@dataclass(slots=True)
class Av1Scanner:
    """Walks one file's AV1 samples. ``patches`` (file offset -> same-size
    overwrite) blank what was found; ``findings`` say it once per kind."""

    obus: int = 0
    patches: dict[int, Patch] = field(default_factory=dict)
    _seen: dict[tuple[str, Category], int] = field(default_factory=dict)

    def findings(self) -> list[Finding]:
        return [Finding(f"AV1 video stream (metadata{f', {n} times' if n > 1 else ''})",
                        value, category)
                for (value, category), n in self._seen.items()]

    def sample(self, fh: BinaryIO, offset: int, size: int) -> None:
        """Every OBU of one sample at ``offset``: headers read, metadata whole."""
        pos, end = offset, offset + size
        while pos < end:
            head = read_exact(fh, pos, min(_HEAD, end - pos), "video samples")
            body, n = self._unit(head, end - pos)
            if head[0] >> 3 & 15 == METADATA:
                if n > MAX_METADATA:
                    raise LimitRefused("video stream metadata too large")
                self._metadata(head[0], pos, read_exact(fh, pos + body, n, "video samples"),
                               pos + body)
            pos += body + n

    def config(self, data: bytes, offset: int) -> None:
        """The OBUs of a decoder configuration (av1C's configOBUs) at ``offset``."""
        pos = 0
        while pos < len(data):
            body, n = self._unit(data[pos : pos + _HEAD], len(data) - pos)
            if data[pos] >> 3 & 15 == METADATA:
                self._metadata(data[pos], offset + pos, data[pos + body : pos + body + n],
                               offset + pos + body)
            pos += body + n

    def _unit(self, head: bytes, room: int) -> tuple[int, int]:
        """(header length, payload length) of the OBU opening ``head``."""
        self.obus += 1
        if self.obus > MAX_OBUS:
            raise LimitRefused("too many units in the video stream")
        first = head[0]
        if first & 0x80:
            raise CorruptRefused("AV1 unit with its forbidden bit set")
        at = 2 if first & 0x04 else 1
        if at > len(head):
            raise CorruptRefused("AV1 unit cut inside its header")
        if first & 0x02:
            n, width = leb128(head, at)
            at += width
        else:
            n = room - at  # no size: the unit runs to the end of the sample
        if at + n > room:
            raise CorruptRefused("AV1 unit longer than its video sample")
        return at, n

    def _metadata(self, header: int, at: int, payload: bytes, payload_at: int) -> None:
        if not payload:
            raise CorruptRefused("AV1 metadata without its type")
        said = describe(payload)
        if said is None:
            return
        if said in self._seen or len(self._seen) < MAX_DISTINCT_FINDINGS:
            self._seen[said] = self._seen.get(said, 0) + 1
        # Same flags, padding type: the size and extension stay where they are.
        self.patches[at] = bytes([(PADDING << 3) | (header & 0x07)])
        self.patches[payload_at] = Zeros(len(payload))
