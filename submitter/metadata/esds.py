"""What an MPEG-4 'esds' box says a stream is (ISO/IEC 14496-1 7.2.6).

The box body is version/flags, then an ES_Descriptor holding a
DecoderConfigDescriptor: its objectTypeIndication names the codec (0x40
MPEG-4 audio, 0x66-0x68 MPEG-2 AAC, 0x6C JPEG pictures, 0x20 MPEG-4
video...), and its DecoderSpecificInfo is the codec's configuration.
"""

from __future__ import annotations

from submitter.metadata.model import CorruptRefused

JPEG = 0x6C
MPEG_AUDIO = frozenset({0x69, 0x6B})  # ISO/IEC 13818-3 and 11172-3 (Layers I-III)
MPEG12_VIDEO = frozenset({0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x6A})  # MPEG-2 profiles, MPEG-1
_ES, _CONFIG, _SPECIFIC = 3, 4, 5


def _descriptors(data: bytes, pos: int, end: int) -> list[tuple[int, int, int]]:
    """(tag, body start, body end) of each descriptor in [pos, end)."""
    out = []
    while pos < end:
        tag, size, pos = data[pos], 0, pos + 1
        for i in range(4):
            if pos >= end:
                raise CorruptRefused("stream description cut short")
            size, pos = (size << 7) | (data[pos] & 0x7F), pos + 1
            if not data[pos - 1] & 0x80:
                break
            if i == 3:
                raise CorruptRefused("stream description with a bad size")
        if pos + size > end:
            raise CorruptRefused("stream description longer than its box")
        out.append((tag, pos, pos + size))
        pos += size
    return out


def stream_config(esds: bytes) -> tuple[int, bytes | None]:
    """(objectTypeIndication, DecoderSpecificInfo or None) of an 'esds' body."""
    found = _descriptors(esds, 4, len(esds)) if len(esds) > 4 else []
    if not found or found[0][0] != _ES or found[0][2] - found[0][1] < 3:
        raise CorruptRefused("stream description without its stream descriptor")
    _, pos, end = found[0]
    flags = esds[pos + 2]
    pos += 3 + 2 * bool(flags & 0x80)
    if flags & 0x40:
        pos += 1 + (esds[pos] if pos < end else 0)
    pos += 2 * bool(flags & 0x20)
    if pos > end:
        raise CorruptRefused("stream description cut short")
    for tag, body, stop in _descriptors(esds, pos, end):
        if tag == _CONFIG:
            if stop - body < 13:
                raise CorruptRefused("short decoder configuration")
            inner = [(b, e) for t, b, e in _descriptors(esds, body + 13, stop) if t == _SPECIFIC]
            return esds[body], (esds[inner[0][0] : inner[0][1]] if inner else None)
    raise CorruptRefused("stream description without its configuration")
