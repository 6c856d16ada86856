"""The creator code in every Apple ProRes frame (MOV/MP4, Matroska V_PRORES).

A ProRes frame opens with its size and 'icpf', then a frame header whose
third field is a four-letter code for the encoder that made it: 'apl0'
(Apple), 'arri' (an ARRI camera), 'aja0' (an AJA recorder), 'fmpg'
(FFmpeg). It names the camera or recorder in every frame; decoders never
read it. The code is set to zeros in place. Matroska stores the frames
without their size and 'icpf' (FFmpeg strips and restores them), so the
header starts at the block's first byte there. ProRes RAW is coded
otherwise and not walked.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import BinaryIO

from submitter.metadata.model import Category, CorruptRefused, Finding, printable
from submitter.metadata.reads import read_exact

FORMATS = frozenset({b"apch", b"apcn", b"apcs", b"apco", b"ap4h", b"ap4x"})
MATROSKA_CODEC = b"V_PRORES"
_ATOM = 8  # frame size and 'icpf'
_CREATOR = 4  # header size and version come first


@dataclass(slots=True)
class ProresScanner:
    """``patches`` (file offset -> zeros) blank the codes; ``findings`` name them."""

    patches: dict[int, bytes] = field(default_factory=dict)
    codes: Counter[bytes] = field(default_factory=Counter)

    def frame(self, fh: BinaryIO, offset: int, size: int, atom: bool = True) -> None:
        """One frame at ``offset``: with its size and 'icpf' (MOV), or without (Matroska)."""
        start = _ATOM if atom else 0
        if size < start + _CREATOR + 4:
            raise CorruptRefused("ProRes frame shorter than its header")
        head = read_exact(fh, offset, start + _CREATOR + 4, "video samples")
        if atom and head[4:8] != b"icpf":
            raise CorruptRefused("ProRes frame without its header")
        code = head[start + _CREATOR :]
        if code != bytes(4):
            self.codes[code] += 1
            self.patches[offset + start + _CREATOR] = bytes(4)

    def findings(self) -> list[Finding]:
        return [Finding("ProRes video (creator code in every frame)",
                        f"{printable(code) or code.hex()} (the camera, recorder or program "
                        f"that made the video, in {n} frame{'s' if n > 1 else ''})",
                        Category.SOFTWARE)
                for code, n in sorted(self.codes.items())]
