"""File kinds, and which name endings each one may carry."""

from __future__ import annotations

import enum


class FileKind(enum.StrEnum):
    JPEG = "jpeg"
    PNG = "png"
    GIF = "gif"
    TIFF = "tiff"
    WEBP = "webp"
    HEIC = "heic"
    AVIF = "avif"
    PDF = "pdf"
    DOCX = "docx"
    XLSX = "xlsx"
    PPTX = "pptx"
    ODT = "odt"
    ODS = "ods"
    ODP = "odp"
    ODG = "odg"
    MP3 = "mp3"
    FLAC = "flac"
    OGG = "ogg"  # Vorbis or Opus audio in Ogg
    WAV = "wav"
    M4A = "m4a"
    MP4 = "mp4"
    MOV = "mov"
    MKV = "mkv"
    WEBM = "webm"
    AVI = "avi"
    ZIP = "zip"
    TAR = "tar"
    TEXT = "text"
    CSV = "csv"


# Endings accepted for each kind. Families whose members are routinely
# mislabelled by cameras and phones (ISO media, Matroska) share endings.
_ISO_MEDIA = frozenset({"mp4", "m4v", "mov", "qt", "3gp", "3g2", "m4a", "m4b"})
_MATROSKA = frozenset({"mkv", "webm", "mka", "mk3d"})

EXTENSIONS: dict[FileKind, frozenset[str]] = {
    FileKind.JPEG: frozenset({"jpg", "jpeg", "jpe", "jfif"}),
    FileKind.PNG: frozenset({"png"}),
    FileKind.GIF: frozenset({"gif"}),
    FileKind.TIFF: frozenset({"tif", "tiff"}),
    FileKind.WEBP: frozenset({"webp"}),
    FileKind.HEIC: frozenset({"heic", "heif", "hif"}),
    FileKind.AVIF: frozenset({"avif"}),
    FileKind.PDF: frozenset({"pdf"}),
    FileKind.DOCX: frozenset({"docx"}),
    FileKind.XLSX: frozenset({"xlsx"}),
    FileKind.PPTX: frozenset({"pptx"}),
    FileKind.ODT: frozenset({"odt"}),
    FileKind.ODS: frozenset({"ods"}),
    FileKind.ODP: frozenset({"odp"}),
    FileKind.ODG: frozenset({"odg"}),
    FileKind.MP3: frozenset({"mp3"}),
    FileKind.FLAC: frozenset({"flac"}),
    FileKind.OGG: frozenset({"ogg", "oga", "opus"}),
    FileKind.WAV: frozenset({"wav", "wave"}),
    FileKind.M4A: _ISO_MEDIA,
    FileKind.MP4: _ISO_MEDIA,
    FileKind.MOV: _ISO_MEDIA,
    FileKind.MKV: _MATROSKA,
    FileKind.WEBM: _MATROSKA,
    FileKind.AVI: frozenset({"avi"}),
    FileKind.ZIP: frozenset({"zip"}),
    FileKind.TAR: frozenset({"tar"}),
    FileKind.TEXT: frozenset({"txt", "text", "md", "log"}),
    FileKind.CSV: frozenset({"csv", "tsv"}),
}

# The ending given to the neutral name of a cleaned file of each kind.
CANONICAL_EXTENSION: dict[FileKind, str] = {
    FileKind.JPEG: "jpg", FileKind.PNG: "png", FileKind.GIF: "gif", FileKind.TIFF: "tif",
    FileKind.WEBP: "webp", FileKind.HEIC: "heic", FileKind.AVIF: "avif", FileKind.PDF: "pdf",
    FileKind.DOCX: "docx", FileKind.XLSX: "xlsx", FileKind.PPTX: "pptx", FileKind.ODT: "odt",
    FileKind.ODS: "ods", FileKind.ODP: "odp", FileKind.ODG: "odg", FileKind.MP3: "mp3",
    FileKind.FLAC: "flac", FileKind.OGG: "ogg", FileKind.WAV: "wav", FileKind.M4A: "m4a",
    FileKind.MP4: "mp4", FileKind.MOV: "mov", FileKind.MKV: "mkv", FileKind.WEBM: "webm",
    FileKind.AVI: "avi", FileKind.ZIP: "zip", FileKind.TAR: "tar", FileKind.TEXT: "txt",
    FileKind.CSV: "csv",
}
