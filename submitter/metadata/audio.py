"""MP3, FLAC, WAV (streamed, constant memory) and Ogg Vorbis/Opus (in memory).

- MP3: ID3v2 tags at the start, ID3v1 / APEv2 / Lyrics3 / appended ID3v2 at
  the end are cut off; the MPEG frames between them are copied unchanged.
  The encoder name inside the first (Xing/Info) frame is blanked.
- FLAC: only STREAMINFO and SEEKTABLE are kept; Vorbis comments (with the
  encoder's vendor string), pictures, application and cue-sheet blocks and
  padding are dropped; audio frames are copied unchanged.
- WAV: only 'fmt ', 'fact' and 'data' chunks are kept (LIST/INFO, bext,
  iXML, id3, cue and any other chunk dropped); samples copied unchanged.
- Ogg Vorbis/Opus: the comment header is replaced by an empty one with an
  empty vendor string (mutagen rewrites the header pages and their
  checksums); audio packets are unchanged.

Streamed plans are verified by inspecting the planned output through
``SplicedReader`` before anything is written.
"""

from __future__ import annotations

import io
import struct
from typing import BinaryIO, ClassVar

from submitter.metadata import mp3frames
from submitter.metadata.cleaner import register
from submitter.metadata.isobmff import AUDIO_WARNINGS, categorize
from submitter.metadata.kinds import FileKind
from submitter.metadata.model import (
    BytesPlan,
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
from submitter.metadata.reads import read_exact
from submitter.metadata.riff import info_findings
from submitter.metadata.source import Source
from submitter.metadata.splice import (
    Piece,
    Span,
    SplicePlan,
    Zeros,
    analyse_source,
    pieces_size,
    verify_spliced,
)

MAX_TAG_BYTES = 64 * 1024 * 1024
MAX_CHUNKS = 10_000
MAX_FLAC_BLOCKS = 10_000

_ID3_CATEGORY = {
    "TIT1": Category.OTHER, "TIT2": Category.OTHER, "TIT3": Category.OTHER,
    "TPE1": Category.PERSON, "TPE2": Category.PERSON, "TPE3": Category.PERSON,
    "TPE4": Category.PERSON, "TCOM": Category.PERSON, "TEXT": Category.PERSON,
    "TOPE": Category.PERSON, "TOLY": Category.PERSON, "TCOP": Category.PERSON,
    "TPUB": Category.PERSON, "TOWN": Category.PERSON, "TENC": Category.SOFTWARE,
    "TSSE": Category.SOFTWARE, "TDRC": Category.TIME, "TYER": Category.TIME,
    "TDAT": Category.TIME, "TIME": Category.TIME, "TDEN": Category.TIME,
    "TDOR": Category.TIME, "TDRL": Category.TIME, "TDTG": Category.TIME,
    "COMM": Category.HIDDEN_CONTENT, "USLT": Category.HIDDEN_CONTENT,
    "SYLT": Category.HIDDEN_CONTENT, "APIC": Category.HIDDEN_CONTENT,
    "GEOB": Category.EMBEDDED_FILE, "PRIV": Category.IDENTIFIER,
    "UFID": Category.IDENTIFIER, "CHAP": Category.HIDDEN_CONTENT,
    "CTOC": Category.HIDDEN_CONTENT,
}


def _read_at(fh: BinaryIO, off: int, n: int) -> bytes:
    return read_exact(fh, off, n, "headers")


def _syncsafe(b: bytes) -> int:
    if any(x & 0x80 for x in b):
        raise CorruptRefused("bad tag size")
    return (b[0] << 21) | (b[1] << 14) | (b[2] << 7) | b[3]


def _describe_id3(tag: bytes, where: str) -> list[Finding]:
    """Readable findings for an ID3v2 tag (mutagen reads it, from memory)."""
    from mutagen.id3 import ID3

    out: list[Finding] = []
    try:
        parsed = ID3(io.BytesIO(tag))  # type: ignore[no-untyped-call]
        for frame in parsed.values():  # type: ignore[no-untyped-call]
            fid = frame.FrameID
            if fid == "APIC":
                value = f"picture, {len(getattr(frame, 'data', b''))} bytes"
            else:
                value = printable(str(frame).encode("utf-8", "replace")) or "(binary)"
            category = _ID3_CATEGORY.get(fid, Category.OTHER)
            if fid == "TXXX":
                category = categorize(str(getattr(frame, "desc", "")))
            out.append(Finding(f"{where} {fid}", value, category))
    except Exception:  # any parse problem: the whole tag is reported as one
        out = []
    if not out:
        out.append(Finding(where, f"{len(tag)} bytes of tags", Category.OTHER))
    return out


# --- MP3 ---

def _mp3_frame_ok(head: bytes) -> bool:
    return len(head) >= 4 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0 and \
        (head[1] >> 3) & 3 != 1 and (head[1] >> 1) & 3 != 0 and (head[2] >> 4) != 15


def _analyse_mp3(fh: BinaryIO, size: int) -> tuple[list[Finding], list[Piece]]:
    findings: list[Finding] = []
    start, end = 0, size
    for _ in range(16):  # several ID3v2 tags may be stacked
        head = _read_at(fh, start, 10) if end - start >= 10 else b""
        if not head.startswith(b"ID3"):
            break
        length = 10 + _syncsafe(head[6:10]) + (10 if head[5] & 0x10 else 0)
        if start + length > end or length > MAX_TAG_BYTES:
            raise CorruptRefused("ID3 tag past the end of the file")
        findings += _describe_id3(_read_at(fh, start, length), "ID3v2")
        start += length
    for _ in range(16):  # trailing tags, in any order
        if end - start >= 128 and _read_at(fh, end - 128, 3) == b"TAG":
            v1 = _read_at(fh, end - 128, 128)
            text = " / ".join(printable(v1[a:b].rstrip(b"\x00 ")) for a, b in
                              ((3, 33), (33, 63), (63, 93), (93, 97), (97, 127)))
            findings.append(Finding("ID3v1", text.strip(" /") or "(empty)", Category.PERSON))
            end -= 128
            continue
        if end - start >= 32 and _read_at(fh, end - 32, 8) == b"APETAGEX":
            footer = _read_at(fh, end - 32, 32)
            tag_size, _count, flags = struct.unpack_from("<III", footer, 12)
            total = tag_size + (32 if flags & 0x80000000 else 0)
            if total < 32 or total > end - start or total > MAX_TAG_BYTES:
                raise CorruptRefused("APE tag size out of range")
            findings.append(Finding("APE tag", f"{total} bytes of tags", Category.OTHER))
            end -= total
            continue
        if end - start >= 15 and _read_at(fh, end - 9, 9) == b"LYRICS200":
            n = int(_read_at(fh, end - 15, 6).decode("ascii", "replace") or "x")
            total = n + 15
            if total > end - start or _read_at(fh, end - total, 11) != b"LYRICSBEGIN":
                raise CorruptRefused("Lyrics3 tag out of range")
            findings.append(Finding("Lyrics3", f"{total} bytes", Category.HIDDEN_CONTENT))
            end -= total
            continue
        if end - start >= 10 and _read_at(fh, end - 10, 3) == b"3DI":
            foot = _read_at(fh, end - 10, 10)
            total = 20 + _syncsafe(foot[6:10])
            if total > end - start:
                raise CorruptRefused("appended ID3 tag out of range")
            findings += _describe_id3(_read_at(fh, end - total, total - 10), "ID3v2 (end)")
            end -= total
            continue
        break
    # Some writers leave zero padding after the tag: dropped with the tag, so
    # the cleaned file starts with its first frame (and is recognised as MP3
    # again). Anything else before the first frame could be hidden data: refused.
    lead = _read_at(fh, start, min(end - start, 65536))
    first_byte = len(lead) - len(lead.lstrip(b"\x00"))
    if end - start - first_byte < 4 or not _mp3_frame_ok(lead[first_byte : first_byte + 4]):
        raise CorruptRefused("no MPEG audio frame after the tags")
    start += first_byte
    pieces: list[Piece] = [Span(start, end - start)]
    # The encoder's name in a Xing/Info frame's LAME extension ("LAME3.100",
    # "Lavc60.31"): its version is blanked, and the tag's CRC recomputed.
    frame = _read_at(fh, start, min(end - start, 2048))
    lame = _lame_encoder(frame)
    if lame is not None:
        at, text = lame
        findings.append(Finding("MPEG Info frame encoder", text, Category.SOFTWARE))
        patched = bytearray(frame)
        # The family ("LAME", "Lavc": what decoders check before honouring the
        # gapless padding fields that follow) stays; the version goes.
        patched[at + 4 : at + 9] = bytes(5)
        crc_at = at + 34  # the LAME tag's own CRC covers every byte of the frame before it
        if crc_at + 2 <= len(frame) and \
                _crc16(frame[:crc_at]) == struct.unpack_from(">H", frame, crc_at)[0]:
            struct.pack_into(">H", patched, crc_at, _crc16(bytes(patched[:crc_at])))
        pieces = [bytes(patched), Span(start + len(frame), end - start - len(frame))]
    # The first frame is skipped when it is an Info/Xing/VBRI frame: it holds
    # no sound, only the gapless and seek data handled above.
    first = mp3frames.parse(frame[:64])
    walk_from = start
    if first is not None and any(m in frame[4:64] for m in (b"Xing", b"Info", b"VBRI")):
        walk_from += first.length
    spare = mp3frames.SpareBytes()
    spare.walk(fh, walk_from, end)
    if (found := mp3frames.finding(spare)) is not None:
        findings.append(found)
        pieces = _zeroed(pieces, start, sorted(spare.ranges))
    return findings, pieces


def _zeroed(pieces: list[Piece], start: int, ranges: list[tuple[int, int]]) -> list[Piece]:
    """``pieces`` (the file from ``start`` on, in order; spans and the patched
    first frame) with the file ranges, in order, replaced by zeros."""
    out: list[Piece] = []
    pos = start
    todo = [(at, at + n) for at, n in ranges]
    for piece in pieces:
        if isinstance(piece, Zeros):
            out.append(piece)
            pos += piece.length
            continue
        stop = pos + (piece.length if isinstance(piece, Span) else len(piece))
        hits = [(max(a, pos), min(b, stop)) for a, b in todo if a < stop and b > pos]
        if isinstance(piece, bytes):
            data = bytearray(piece)
            for a, b in hits:
                data[a - pos : b - pos] = bytes(b - a)
            out.append(bytes(data))
        else:
            cur = pos
            for a, b in hits:
                if a > cur:
                    out.append(Span(piece.offset + cur - pos, a - cur))
                out.append(Zeros(b - a))
                cur = b
            if stop > cur:
                out.append(Span(piece.offset + cur - pos, stop - cur))
        pos = stop
    return out


def _crc16_table() -> list[int]:
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0xA001 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC16 = _crc16_table()


def _crc16(data: bytes) -> int:
    """CRC-16 (ANSI, reflected 0x8005) as used by the LAME tag."""
    crc = 0
    for b in data:
        crc = (crc >> 8) ^ _CRC16[(crc ^ b) & 0xFF]
    return crc


def _lame_encoder(frame: bytes) -> tuple[int, str] | None:
    for marker in (b"Xing", b"Info"):
        i = frame.find(marker, 4, 64)
        if i < 0:
            continue
        flags = struct.unpack_from(">I", frame, i + 4)[0] if len(frame) >= i + 8 else 0
        off = i + 8 + (4 if flags & 1 else 0) + (4 if flags & 2 else 0) + \
            (100 if flags & 4 else 0) + (4 if flags & 8 else 0)
        enc = frame[off : off + 9]
        if len(enc) == 9 and enc[4:].count(0) != 5 and \
                all(32 <= c < 127 or c == 0 for c in enc):
            return off, printable(enc)
    return None


# --- FLAC ---

_FLAC_KEEP = {0: "STREAMINFO", 3: "SEEKTABLE"}
_FLAC_NAMES = {1: "padding", 2: "application data", 4: "Vorbis comments", 5: "cue sheet",
               6: "picture"}


def _analyse_flac(fh: BinaryIO, size: int) -> tuple[list[Finding], list[Piece]]:
    if _read_at(fh, 0, 4) != b"fLaC":
        raise CorruptRefused("not FLAC")
    findings: list[Finding] = []
    kept: list[tuple[int, int, int]] = []  # type, offset of body, length
    pos = 4
    for _ in range(MAX_FLAC_BLOCKS):
        head = _read_at(fh, pos, 4)
        last = head[0] & 0x80
        btype = head[0] & 0x7F
        length = int.from_bytes(head[1:4], "big")
        if btype == 127 or pos + 4 + length > size:
            raise CorruptRefused("bad FLAC metadata block")
        if btype in _FLAC_KEEP:
            kept.append((btype, pos + 4, length))
        elif btype == 4:
            body = _read_at(fh, pos + 4, min(length, MAX_TAG_BYTES))
            findings += vorbis_comment_findings(body, "FLAC")
        elif btype == 1:
            if _read_at(fh, pos + 4, length).count(0) != length:
                findings.append(Finding("FLAC padding", f"{length} bytes of leftover data",
                                        Category.HIDDEN_CONTENT))
        else:
            findings.append(Finding(f"FLAC {_FLAC_NAMES.get(btype, f'block {btype}')}",
                                    f"{length} bytes", Category.HIDDEN_CONTENT
                                    if btype != 2 else Category.OTHER))
        pos += 4 + length
        if last:
            break
    else:
        raise LimitRefused("too many FLAC metadata blocks")
    if not kept or kept[0][0] != 0:
        raise CorruptRefused("FLAC without STREAMINFO")
    frames_at = pos
    end = size
    if end - frames_at >= 128 and _read_at(fh, end - 128, 3) == b"TAG":
        findings.append(Finding("ID3v1", "appended tag", Category.PERSON))
        end -= 128
    if end - frames_at < 2 or _read_at(fh, frames_at, 2)[0] != 0xFF:
        raise CorruptRefused("no FLAC audio frame after the metadata")
    pieces: list[Piece] = [b"fLaC"]
    for i, (btype, at, length) in enumerate(kept):
        flag = 0x80 if i == len(kept) - 1 else 0
        pieces.append(bytes([flag | btype]) + length.to_bytes(3, "big"))
        pieces.append(Span(at, length))
    pieces.append(Span(frames_at, end - frames_at))
    return findings, pieces


def vorbis_comment_findings(body: bytes, where: str) -> list[Finding]:
    out: list[Finding] = []
    try:
        (n,) = struct.unpack_from("<I", body, 0)
        vendor = body[4 : 4 + n]
        if len(vendor) != n:
            raise ValueError
        if vendor:
            out.append(Finding(f"{where} vendor", printable(vendor), Category.SOFTWARE))
        pos = 4 + n
        (count,) = struct.unpack_from("<I", body, pos)
        pos += 4
        for _ in range(min(count, 10_000)):
            (m,) = struct.unpack_from("<I", body, pos)
            entry = body[pos + 4 : pos + 4 + m]
            pos += 4 + m
            key, _, value = entry.partition(b"=")
            name = key.decode("ascii", "replace").upper()
            text = printable(value) if name != "METADATA_BLOCK_PICTURE" else "picture"
            cat = categorize(name)
            if name in ("METADATA_BLOCK_PICTURE", "COVERART"):
                cat = Category.HIDDEN_CONTENT
            out.append(Finding(f"{where} {name}", text or "(empty)", cat))
    except (struct.error, ValueError):
        out.append(Finding(f"{where} comments", f"{len(body)} bytes", Category.OTHER))
    return out


# --- WAV ---

_WAV_KEEP = frozenset({b"fmt ", b"fact", b"data"})


def _analyse_wav(fh: BinaryIO, size: int) -> tuple[list[Finding], list[Piece]]:
    head = _read_at(fh, 0, 12)
    if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        raise CorruptRefused("not a WAV file")
    riff_end = 8 + struct.unpack_from("<I", head, 4)[0]
    if riff_end > size:
        raise CorruptRefused("RIFF size past the end of the file")
    findings: list[Finding] = []
    body: list[Piece] = []
    pos = 12
    seen: set[bytes] = set()
    for _ in range(MAX_CHUNKS):
        if pos + 8 > riff_end:
            break
        ch = _read_at(fh, pos, 8)
        cid = ch[:4]
        length = struct.unpack_from("<I", ch, 4)[0]
        padded = length + (length & 1)
        if pos + 8 + length > riff_end:
            raise CorruptRefused("chunk past the end of the file")
        if cid in _WAV_KEEP:
            if cid in seen:
                raise UnsupportedContentRefused("repeated WAV chunk")
            seen.add(cid)
            body.append(ch)
            body.append(Span(pos + 8, length))
            if length & 1:
                body.append(b"\x00")
        else:
            findings += _riff_chunk_findings(fh, cid, pos + 8, length)
        pos += 8 + padded
    else:
        raise LimitRefused("too many WAV chunks")
    if b"fmt " not in seen or b"data" not in seen:
        raise CorruptRefused("WAV without format or data")
    total = 4 + pieces_size(body)
    return findings, [b"RIFF" + struct.pack("<I", total) + b"WAVE", *body]


def _riff_chunk_findings(fh: BinaryIO, cid: bytes, at: int, length: int) -> list[Finding]:
    name = printable(cid) or cid.hex()
    if cid == b"LIST" and length >= 4 and _read_at(fh, at, 4) == b"INFO":
        data = _read_at(fh, at, min(length, MAX_TAG_BYTES))
        return (info_findings(data[4:], "RIFF INFO")
                or [Finding("RIFF INFO", "(empty)", Category.OTHER)])
    if cid == b"bext" and length >= 346:
        data = _read_at(fh, at, 346)
        parts = [printable(data[a:b].rstrip(b"\x00")) for a, b in
                 ((0, 256), (256, 288), (288, 320), (320, 330), (330, 338))]
        return [Finding("bext description", parts[0] or "(empty)", Category.HIDDEN_CONTENT),
                Finding("bext originator", " / ".join(parts[1:3]), Category.DEVICE),
                Finding("bext origination time", " ".join(parts[3:5]), Category.TIME)]
    if length and _read_at(fh, at, min(length, 1 << 20)).count(0) == min(length, 1 << 20) \
            and cid in (b"JUNK", b"junk", b"PAD ", b"FLLR", b"pad "):
        return [Finding(f"RIFF {name}", f"{length} bytes of padding", Category.OTHER)]
    category = {b"iXML": Category.DEVICE, b"id3 ": Category.PERSON, b"ID3 ": Category.PERSON,
                b"_PMX": Category.HIDDEN_CONTENT, b"cue ": Category.HIDDEN_CONTENT,
                b"LIST": Category.HIDDEN_CONTENT}.get(cid, Category.OTHER)
    return [Finding(f"RIFF {name} chunk", f"{length} bytes", category)]


# --- the streamed cleaners share this shape ---

class _Streamed:
    name: ClassVar[str]
    kinds: ClassVar[frozenset[FileKind]]
    note: ClassVar[str] = "Tags were removed; the audio was copied unchanged."

    def _analyse(self, fh: BinaryIO, size: int) -> tuple[list[Finding], list[Piece]]:
        raise NotImplementedError

    def inspect(self, src: Source, kind: FileKind, limits: Limits) -> Inspection:
        findings, _ = analyse_source(src, self._analyse)
        return Inspection(kind.value, tuple(findings), AUDIO_WARNINGS)

    def prepare(self, src: Source, kind: FileKind, limits: Limits) -> CleanPlan:
        with src.open() as fh:
            findings, pieces = self._analyse(fh, src.size())
            verify_spliced(fh, pieces, lambda view, n: self._analyse(view, n)[0])
        notes = [self.note]
        if any(f.field == mp3frames.FIELD for f in findings):
            notes.append(mp3frames.NOTE)
        report = CleanReport(kind=kind.value, removed=findings, notes=notes,
                             warnings=list(AUDIO_WARNINGS))
        return SplicePlan(src, pieces, report)


@register
class Mp3Cleaner(_Streamed):
    name: ClassVar[str] = "mp3"
    kinds: ClassVar[frozenset[FileKind]] = frozenset({FileKind.MP3})

    def _analyse(self, fh: BinaryIO, size: int) -> tuple[list[Finding], list[Piece]]:
        return _analyse_mp3(fh, size)


@register
class FlacCleaner(_Streamed):
    name: ClassVar[str] = "flac"
    kinds: ClassVar[frozenset[FileKind]] = frozenset({FileKind.FLAC})

    def _analyse(self, fh: BinaryIO, size: int) -> tuple[list[Finding], list[Piece]]:
        return _analyse_flac(fh, size)


@register
class WavCleaner(_Streamed):
    name: ClassVar[str] = "wav"
    kinds: ClassVar[frozenset[FileKind]] = frozenset({FileKind.WAV})

    def _analyse(self, fh: BinaryIO, size: int) -> tuple[list[Finding], list[Piece]]:
        return _analyse_wav(fh, size)


# --- Ogg Vorbis / Opus, through mutagen on an in-memory copy ---

def _ogg_streams(data: bytes) -> int:
    """How many logical streams begin in the file (chained Ogg has several)."""
    count = 0
    pos = data.find(b"OggS")
    while pos >= 0 and pos + 27 <= len(data):
        if data[pos + 5] & 0x02:
            count += 1
        segs = data[pos + 26]
        if pos + 27 + segs > len(data):
            raise CorruptRefused("truncated Ogg page")
        body = sum(data[pos + 27 : pos + 27 + segs])
        nxt = pos + 27 + segs + body
        if nxt > len(data):
            raise CorruptRefused("truncated Ogg page")
        if nxt < len(data) and data[nxt : nxt + 4] != b"OggS":
            raise CorruptRefused("damaged Ogg page")
        pos = nxt if nxt < len(data) else -1
    return count


def _ogg_open(data: bytes) -> object:
    from mutagen.oggopus import OggOpus
    from mutagen.oggvorbis import OggVorbis

    if _ogg_streams(data) != 1:
        raise UnsupportedContentRefused("Ogg file with several streams")
    if b"OpusHead" in data[:512]:
        return OggOpus(io.BytesIO(data))  # type: ignore[no-untyped-call]
    if b"\x01vorbis" in data[:512]:
        return OggVorbis(io.BytesIO(data))  # type: ignore[no-untyped-call]
    raise UnsupportedContentRefused("Ogg stream that is neither Vorbis nor Opus")


def _ogg_findings(audio: object) -> list[Finding]:
    tags = getattr(audio, "tags", None)
    out: list[Finding] = []
    if tags is None:
        return out
    vendor = str(getattr(tags, "vendor", ""))
    if vendor:
        out.append(Finding("Ogg vendor", printable(vendor.encode()), Category.SOFTWARE))
    for key, value in list(tags):
        name = str(key).upper()
        cat = categorize(name)
        text = printable(str(value).encode("utf-8", "replace"))
        if name in ("METADATA_BLOCK_PICTURE", "COVERART"):
            cat, text = Category.HIDDEN_CONTENT, "picture"
        out.append(Finding(f"Ogg comment {name}", text or "(empty)", cat))
    return out


@register
class OggCleaner:
    name: ClassVar[str] = "ogg"
    kinds: ClassVar[frozenset[FileKind]] = frozenset({FileKind.OGG})

    def inspect(self, src: Source, kind: FileKind, limits: Limits) -> Inspection:
        audio = _ogg_guard(lambda: _ogg_open(src.read_all(limits.max_in_memory_bytes)))
        return Inspection(kind.value, tuple(_ogg_findings(audio)), AUDIO_WARNINGS)

    def prepare(self, src: Source, kind: FileKind, limits: Limits) -> CleanPlan:
        data = src.read_all(limits.max_in_memory_bytes)
        audio = _ogg_guard(lambda: _ogg_open(data))
        findings = _ogg_findings(audio)
        buf = io.BytesIO(data)

        def rewrite() -> None:
            tags = audio.tags  # type: ignore[attr-defined]
            tags.clear()
            tags.vendor = ""
            audio.save(buf, padding=lambda _info: 0)  # type: ignore[attr-defined]

        _ogg_guard(rewrite)
        report = CleanReport(kind=kind.value, removed=findings,
                             notes=["Tags were removed; the audio packets were kept unchanged."],
                             warnings=list(AUDIO_WARNINGS))
        return BytesPlan(buf.getvalue(), report)


def _ogg_guard(fn: object) -> object:
    """mutagen's own errors become plain refusals."""
    from mutagen import MutagenError

    try:
        return fn()  # type: ignore[operator]
    except MutagenError as exc:
        raise CorruptRefused(type(exc).__name__) from exc
    except (struct.error, ValueError, EOFError, IndexError, KeyError) as exc:
        raise CorruptRefused(type(exc).__name__) from exc
