"""Type detection: content decides, the name's ending must agree."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from submitter.metadata.detect import detect, sniff
from submitter.metadata.kinds import CANONICAL_EXTENSION, EXTENSIONS, FileKind
from submitter.metadata.model import TypeMismatchRefused, UnknownTypeRefused
from submitter.metadata.source import Source
from tests.metadata import image_fixtures as fx


def _encoded(fmt: str, **kw: object) -> bytes:
    if fmt == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
    buf = io.BytesIO()
    fx.pattern(size=(16, 16)).save(buf, fmt, **kw)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("fmt", "kind"),
    [("JPEG", FileKind.JPEG), ("PNG", FileKind.PNG), ("GIF", FileKind.GIF),
     ("TIFF", FileKind.TIFF), ("WEBP", FileKind.WEBP), ("HEIF", FileKind.HEIC),
     ("AVIF", FileKind.AVIF)],
)
def test_images_detected_from_content(fmt: str, kind: FileKind) -> None:
    data = _encoded(fmt)
    src = Source.from_bytes(data)
    assert sniff(src) is kind
    assert detect(src, None) is kind
    assert detect(src, "x") is kind  # no ending: content decides
    for ext in EXTENSIONS[kind]:
        assert detect(src, f"photo.{ext.upper()}") is kind
    assert CANONICAL_EXTENSION[kind] in EXTENSIONS[kind]


def test_big_endian_tiff_detected() -> None:
    data = _encoded("TIFF")
    assert data[:4] == b"II*\x00"
    mm = b"MM\x00*" + data[4:]
    assert sniff(Source.from_bytes(mm)) is FileKind.TIFF


@pytest.mark.parametrize("name", ["photo.png", "photo.exe", "photo.jpg.pdf", "photo.docx"])
def test_wrong_ending_refused(name: str) -> None:
    with pytest.raises(TypeMismatchRefused):
        detect(Source.from_bytes(_encoded("JPEG")), name)


def test_double_ending_uses_the_last() -> None:
    assert detect(Source.from_bytes(_encoded("JPEG")), "photo.png.jpg") is FileKind.JPEG


@pytest.mark.parametrize(
    "data",
    [b"", b"\x00" * 64, b"MZ\x90\x00" + b"\x00" * 60, b"\x7fELF" + b"\x00" * 60,
     b"\xff\xd8", b"GIF8", b"\x89PNG"],
)
def test_unknown_content_refused(data: bytes) -> None:
    with pytest.raises(UnknownTypeRefused):
        detect(Source.from_bytes(data), "file.bin")


def test_text_needs_a_text_ending_and_no_nul() -> None:
    assert detect(Source.from_bytes(b"hello\n"), "a.txt") is FileKind.TEXT
    with pytest.raises(UnknownTypeRefused):
        detect(Source.from_bytes(b"hello\n"), "a.jpg")
    with pytest.raises(UnknownTypeRefused):
        detect(Source.from_bytes(b"hel\x00lo\n"), "a.txt")


def test_heic_and_avif_brands_told_apart() -> None:
    def ftyp(major: bytes, *compat: bytes) -> bytes:
        body = major + b"\x00\x00\x00\x00" + b"".join(compat)
        return (8 + len(body)).to_bytes(4, "big") + b"ftyp" + body + b"\x00" * 32

    assert sniff(Source.from_bytes(ftyp(b"heic", b"mif1", b"heic"))) is FileKind.HEIC
    assert sniff(Source.from_bytes(ftyp(b"avif", b"mif1", b"avif"))) is FileKind.AVIF
    assert sniff(Source.from_bytes(ftyp(b"mif1", b"avif"))) is FileKind.AVIF
    assert sniff(Source.from_bytes(ftyp(b"mif1", b"heic"))) is FileKind.HEIC


def test_detect_from_path(tmp_path: Path) -> None:
    path = tmp_path / "-rf"
    Image.new("RGB", (4, 4)).save(path, "PNG")
    assert detect(Source.from_path(path), path.name) is FileKind.PNG
