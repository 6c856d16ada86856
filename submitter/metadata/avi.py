"""AVI (RIFF, including OpenDML 'AVIX' extensions): clean in place.

Index entries (idx1, OpenDML indx/ix##) locate frames by offset, so no chunk
changes size. Metadata chunks become 'JUNK' chunks of the same size with
zeroed content: LIST INFO (artist, comments, dates, software), IDIT dates,
strn stream names, strd driver data, vendor chunks (for example Nikon's
'ncdt' or Pentax's 'PENT'), and existing JUNK is zeroed because it often
holds leftovers. The 'movi' lists (the frames) are copied unchanged without
being walked, so a multi-gigabyte file costs only a few reads before
streaming. Streams that are not video or sound (text, MIDI) are refused:
their data sits inside movi, interleaved with the frames.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import BinaryIO, ClassVar

from submitter.metadata.cleaner import register
from submitter.metadata.isobmff import VIDEO_WARNINGS
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


@dataclass(slots=True)
class _Walk:
    fh: BinaryIO
    size: int
    findings: list[Finding] = field(default_factory=list)
    patches: dict[int, Patch] = field(default_factory=dict)
    chunks: int = 0

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

    def children(self, start: int, end: int, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise LimitRefused("chunks nested too deep")
        pos = start
        while pos + 8 <= end:
            self.chunks += 1
            if self.chunks > MAX_CHUNKS:
                raise LimitRefused("too many chunks")
            head = self.read(pos, 8)
            cid = head[:4]
            length = struct.unpack_from("<I", head, 4)[0]
            body = pos + 8
            if body + length > end:
                raise CorruptRefused("chunk past the end of its list")
            if cid == b"LIST":
                if length < 4:
                    raise CorruptRefused("short list")
                ltype = self.read(body, 4)
                if ltype == b"movi":
                    pass  # the frames: copied unchanged, never walked
                elif ltype in _KEEP_LISTS:
                    self.children(body + 4, body + length, depth + 1)
                else:
                    self.describe_list(ltype, body + 4, length - 4)
                    self.junk(pos, length)
            elif cid in _KEEP:
                if cid == b"strh":
                    if length < 4:
                        raise CorruptRefused("short stream header")
                    if self.read(body, 4) not in _AV_STREAMS:
                        raise UnsupportedContentRefused("AVI stream that is not video or sound")
            elif cid in _PADDING:
                if self.nonzero(body, length):
                    self.findings.append(Finding(f"AVI {printable(cid)}",
                                                 f"{length} bytes of leftover data",
                                                 Category.HIDDEN_CONTENT))
                    self.junk(pos, length)
            else:
                self.describe_chunk(cid, body, length)
                self.junk(pos, length)
            pos = body + length + (length & 1)
        if pos < end and self.nonzero(pos, end - pos):
            raise CorruptRefused("truncated chunk header")

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
        report = CleanReport(kind=kind.value, removed=first.findings,
                             warnings=list(VIDEO_WARNINGS),
                             notes=["Metadata chunks were blanked in place; the frames "
                                    "were copied unchanged."])
        return SplicePlan(src, pieces, report)
