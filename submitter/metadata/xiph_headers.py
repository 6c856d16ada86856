"""Tags inside the codec headers of Vorbis, Theora and FLAC tracks (Matroska).

A Matroska track of a Xiph codec carries the stream's own headers in its
CodecPrivate, and with them the tags the source file had:

- Vorbis (A_VORBIS) and Theora (V_THEORA): three headers, Xiph-laced; the
  second is the comment header (the encoder's vendor string, then
  ``KEY=value`` comments: title, artist, dates, and whatever a phone or
  editor wrote);
- FLAC (A_FLAC): "fLaC" and the metadata blocks, where tags (VORBIS_COMMENT),
  pictures, cue sheets and APPLICATION blocks (``flac --keep-foreign-metadata``
  keeps a WAV's broadcast chunk there: originator, times) sit beside the
  STREAMINFO the decoder needs.

Nothing may change size, so each is rewritten in place: the comment header
becomes one with a vendor string of zeros as long as everything it held and
no comments (Vorbis keeps its framing bit, which decoders check); each FLAC
block but STREAMINFO and SEEKTABLE becomes a PADDING block of the same
length, zeroed. Decoders read the identification and setup headers and
STREAMINFO, which stay byte for byte.
"""

from __future__ import annotations

import struct

from submitter.metadata.audio import vorbis_comment_findings
from submitter.metadata.model import Category, CorruptRefused, Finding

VORBIS, THEORA, FLAC = b"A_VORBIS", b"V_THEORA", b"A_FLAC"
_COMMENT_MAGIC = {VORBIS: b"\x03vorbis", THEORA: b"\x81theora"}
_FLAC_KEPT = frozenset({0, 3})  # STREAMINFO, SEEKTABLE
_FLAC_PADDING = 1
_FLAC_NAMES = {2: "application data", 4: "tags", 5: "cue sheet", 6: "picture"}


def laced_packets(private: bytes) -> list[tuple[int, int]]:
    """(offset, length) of each header packet in a Xiph-laced CodecPrivate."""
    if not private:
        raise CorruptRefused("empty codec header")
    count, pos, sizes = private[0] + 1, 1, []
    for _ in range(count - 1):
        size = 0
        while True:
            if pos >= len(private):
                raise CorruptRefused("codec header cut short")
            size += private[pos]
            pos += 1
            if private[pos - 1] != 255:
                break
        sizes.append(size)
    out = []
    for size in sizes:
        out.append((pos, size))
        pos += size
    if pos > len(private):
        raise CorruptRefused("codec header packets past its end")
    out.append((pos, len(private) - pos))
    return out


def neutral_comment(codec: bytes, length: int) -> bytes:
    """A comment header of ``length`` bytes that says nothing."""
    framing = codec == VORBIS
    vendor = length - 7 - 4 - 4 - framing
    if vendor < 0:
        raise CorruptRefused("codec comment header too short")
    return (_COMMENT_MAGIC[codec] + struct.pack("<I", vendor) + bytes(vendor)
            + struct.pack("<I", 0) + (b"\x01" if framing else b""))


def clean(codec: bytes, private: bytes) -> tuple[list[Finding], dict[int, bytes]]:
    """What a Vorbis/Theora/FLAC CodecPrivate reveals, and the same-size
    overwrites (offset in ``private`` -> bytes) that blank it."""
    if codec == FLAC:
        return _flac(private)
    packets = laced_packets(private)
    if len(packets) != 3:
        raise CorruptRefused("codec header without its three packets")
    at, n = packets[1]
    packet = private[at : at + n]
    magic = _COMMENT_MAGIC[codec]
    if not packet.startswith(magic):
        raise CorruptRefused("codec comment header missing")
    neutral = neutral_comment(codec, n)
    if packet == neutral:
        return [], {}  # cleaned already
    where = f"Matroska {'Vorbis' if codec == VORBIS else 'Theora'} comment"
    found = vorbis_comment_findings(packet[len(magic) :], where)
    return found or [Finding(where, f"{n} bytes", Category.OTHER)], {at: neutral}


def _flac(private: bytes) -> tuple[list[Finding], dict[int, bytes]]:
    if private[:4] != b"fLaC":
        raise CorruptRefused("FLAC codec header without its marker")
    found: list[Finding] = []
    patches: dict[int, bytes] = {}
    pos = 4
    while pos < len(private):
        if pos + 4 > len(private):
            raise CorruptRefused("FLAC codec header cut short")
        head = private[pos]
        kind, length = head & 0x7F, int.from_bytes(private[pos + 1 : pos + 4], "big")
        body = private[pos + 4 : pos + 4 + length]
        if len(body) != length or kind == 127:
            raise CorruptRefused("FLAC codec header block past its end")
        if kind not in _FLAC_KEPT and (kind != _FLAC_PADDING or body.strip(b"\x00")):
            if kind == 4:
                found += vorbis_comment_findings(body, "Matroska FLAC tags")
            elif kind != _FLAC_PADDING:
                found.append(Finding(f"Matroska FLAC {_FLAC_NAMES.get(kind, f'block {kind}')}",
                                     f"{length} bytes", Category.HIDDEN_CONTENT))
            else:
                found.append(Finding("Matroska FLAC padding", f"{length} bytes of leftover data",
                                     Category.HIDDEN_CONTENT))
            patches[pos] = bytes([(head & 0x80) | _FLAC_PADDING]) + private[pos + 1 : pos + 4] \
                + bytes(length)
        pos += 4 + length
        if head & 0x80:
            break
    return found, patches
