"""Detect a file's kind from its content, then check it against its name.

Content decides; the name only has to agree. Anything not recognised is
refused: an unknown type is never passed through.
"""

from __future__ import annotations

import struct
from pathlib import PurePath

from submitter.metadata.kinds import EXTENSIONS, FileKind
from submitter.metadata.model import (
    CorruptRefused,
    EncryptedRefused,
    TypeMismatchRefused,
    UnknownTypeRefused,
)
from submitter.metadata.source import Source

_HEAD = 4096

_HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
_M4A_BRANDS = frozenset({b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "})
_QT_TOPLEVEL = frozenset({b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})

_ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": FileKind.ODT,
    b"application/vnd.oasis.opendocument.spreadsheet": FileKind.ODS,
    b"application/vnd.oasis.opendocument.presentation": FileKind.ODP,
    b"application/vnd.oasis.opendocument.graphics": FileKind.ODG,
}
_OOXML_MAIN = {"word/document.xml": FileKind.DOCX, "xl/workbook.xml": FileKind.XLSX,
               "ppt/presentation.xml": FileKind.PPTX}


def _iso_kind(head: bytes) -> FileKind | None:
    if len(head) < 12:
        return None
    if head[4:8] != b"ftyp":
        if head[4:8] in _QT_TOPLEVEL:
            return FileKind.MOV
        return None
    (size,) = struct.unpack(">I", head[:4])
    major = head[8:12]
    compat = {head[i : i + 4] for i in range(16, min(size, len(head)) - 3, 4)}
    brands = {major} | compat
    if major in _AVIF_BRANDS or (major == b"mif1" and brands & _AVIF_BRANDS):
        return FileKind.AVIF
    if major in _HEIF_BRANDS:
        return FileKind.HEIC
    if major in _M4A_BRANDS:
        return FileKind.M4A
    if major == b"qt  ":
        return FileKind.MOV
    return FileKind.MP4


def _zip_kind(src: Source) -> FileKind:
    # Imported here: zipfile (with shutil and bz2/lzma) costs a video or photo
    # a few ms of startup it never uses.
    import zipfile

    try:
        with src.open() as fh, zipfile.ZipFile(fh) as zf:
            names = zf.namelist()
            if len(names) > 100_000:
                return FileKind.ZIP
            if "mimetype" in names:
                info = zf.getinfo("mimetype")
                if info.file_size < 200:
                    kind = _ODF_MIMETYPES.get(zf.read("mimetype").strip())
                    if kind is not None:
                        return kind
            if "[Content_Types].xml" in names:
                for main, kind in _OOXML_MAIN.items():
                    if main in names:
                        return kind
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise CorruptRefused(f"zip container: {type(exc).__name__}") from exc
    return FileKind.ZIP


def _mp3_frame_sync(head: bytes) -> bool:
    """An MPEG audio frame header at 0: only 11 bits plus a layer, a weak sign."""
    return len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0 and head[1] & 0x06 != 0


def _text_kind(head: bytes, ext: str) -> FileKind | None:
    if b"\x00" in head:
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is fine.
        if exc.start < len(head) - 4:
            return None
    if ext in EXTENSIONS[FileKind.CSV]:
        return FileKind.CSV
    return FileKind.TEXT


def _fixed_signature(src: Source, head: bytes, ext: str) -> FileKind | None:
    """The kind named by a signature at a fixed offset, or None.

    These are checked before anything lenient: a tar whose first member is
    named "%PDF-1.7 notes.txt", or a zip whose first stored member is a PDF,
    is a tar or a zip, not a PDF.
    """
    if head.startswith(b"\xff\xd8\xff"):
        return FileKind.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileKind.PNG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return FileKind.GIF
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return FileKind.TIFF
    if head[:4] == b"RIFF":
        riff = {b"WEBP": FileKind.WEBP, b"WAVE": FileKind.WAV, b"AVI ": FileKind.AVI}
        if head[8:12] in riff:
            return riff[head[8:12]]
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return _zip_kind(src)
    if len(head) >= 262 and head[257:262] == b"ustar":
        return FileKind.TAR
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return FileKind.WEBM if b"webm" in head[:64] else FileKind.MKV
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") and ext in ("docx", "xlsx", "pptx"):
        # Office keeps a password-protected .docx/.xlsx/.pptx in an OLE container.
        raise EncryptedRefused("office document in an encrypted container")
    if head.startswith(b"fLaC"):
        return FileKind.FLAC
    if head.startswith(b"OggS"):
        # Every stream's first page comes first: video (Theora) beside the
        # sound would be passed over by a cleaner of Ogg sound.
        if b"\x80theora" in head:
            raise UnknownTypeRefused("ogg video (Theora)")
        if b"OpusHead" in head or b"\x01vorbis" in head:
            return FileKind.OGG
        raise UnknownTypeRefused("ogg stream of an unsupported codec")
    if head.startswith(b"%PDF-"):
        return FileKind.PDF
    kind = _iso_kind(head)
    if kind is None and head.startswith(b"ID3"):
        kind = FileKind.MP3
    return kind


def sniff(src: Source, name: str | None = None) -> FileKind:
    """The kind the content shows, or UnknownTypeRefused.

    Strongest evidence first: signatures at fixed offsets, then PDF's lenient
    header (readers accept "%PDF-" anywhere in the first 1024 bytes), then a
    bare MPEG audio frame sync, then plain text.
    """
    with src.open() as fh:
        head = fh.read(_HEAD)
    ext = _extension(name)
    kind = _fixed_signature(src, head, ext)
    if kind is None and b"%PDF-" in head[:1024]:
        kind = FileKind.PDF
    if kind is None and _mp3_frame_sync(head):
        kind = FileKind.MP3
    # No ending at all: content decides, as for every other kind.
    text_ok = not ext or ext in (EXTENSIONS[FileKind.TEXT] | EXTENSIONS[FileKind.CSV])
    if kind is None and head and text_ok:
        kind = _text_kind(head, ext)
    if kind is None:
        raise UnknownTypeRefused("no known signature")
    return kind


def _extension(name: str | None) -> str:
    if not name:
        return ""
    suffix = PurePath(name).suffix
    return suffix[1:].lower() if suffix else ""


def detect(src: Source, name: str | None = None) -> FileKind:
    """Kind from content; refused if the name's ending claims another kind.

    A name with no ending is accepted (content decides).
    """
    kind = sniff(src, name)
    ext = _extension(name)
    if ext and ext not in EXTENSIONS[kind]:
        raise TypeMismatchRefused(f"content {kind.value}, ending .{ext}")
    return kind
