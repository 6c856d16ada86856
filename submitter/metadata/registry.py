"""The explicit list of cleaner modules, and which kinds each one cleans.

Importing a module registers its cleaners. Modules load on first use of one
of their kinds, so starting the app or cleaning one video does not import
every format library (Pillow, pikepdf, mutagen...). Each loader is a plain
import statement, so a frozen build still finds every module.
"""

from __future__ import annotations

from collections.abc import Callable

from submitter.metadata.kinds import FileKind

# ruff: noqa: F401 - the imports below exist for their registration side effect


def _archives() -> None:
    from submitter.metadata import archives


def _audio() -> None:
    from submitter.metadata import audio


def _avi() -> None:
    from submitter.metadata import avi


def _gif() -> None:
    from submitter.metadata import images_gif


def _jpeg() -> None:
    from submitter.metadata import images_jpeg


def _png() -> None:
    from submitter.metadata import images_png


def _reencoded() -> None:
    from submitter.metadata import images_reencoded


def _webp() -> None:
    from submitter.metadata import images_webp


def _isobmff() -> None:
    from submitter.metadata import isobmff


def _matroska() -> None:
    from submitter.metadata import matroska


def _odf() -> None:
    from submitter.metadata import odf


def _ooxml() -> None:
    from submitter.metadata import ooxml


def _pdf() -> None:
    from submitter.metadata import pdf


def _text() -> None:
    from submitter.metadata import text


LOADERS: dict[FileKind, Callable[[], None]] = {
    FileKind.ZIP: _archives, FileKind.TAR: _archives,
    FileKind.MP3: _audio, FileKind.FLAC: _audio, FileKind.OGG: _audio, FileKind.WAV: _audio,
    FileKind.AVI: _avi,
    FileKind.GIF: _gif,
    FileKind.JPEG: _jpeg,
    FileKind.PNG: _png,
    FileKind.TIFF: _reencoded, FileKind.HEIC: _reencoded, FileKind.AVIF: _reencoded,
    FileKind.WEBP: _webp,
    FileKind.MP4: _isobmff, FileKind.MOV: _isobmff, FileKind.M4A: _isobmff,
    FileKind.MKV: _matroska, FileKind.WEBM: _matroska,
    FileKind.ODT: _odf, FileKind.ODS: _odf, FileKind.ODP: _odf, FileKind.ODG: _odf,
    FileKind.DOCX: _ooxml, FileKind.XLSX: _ooxml, FileKind.PPTX: _ooxml,
    FileKind.PDF: _pdf,
    FileKind.TEXT: _text, FileKind.CSV: _text,
}


def load(kind: FileKind) -> None:
    loader = LOADERS.get(kind)
    if loader is not None:
        loader()


def load_all() -> None:
    for loader in dict.fromkeys(LOADERS.values()):
        loader()
