"""Type detection: content decides, the name's ending must agree."""

from __future__ import annotations

import io
import tarfile
import zipfile
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


def _tar_with(name: str, content: bytes) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tf:
        info = tarfile.TarInfo(name)
        info.size = len(content)
        tf.addfile(info, io.BytesIO(content))
    return buf.getvalue()


def test_tar_whose_first_member_is_named_like_a_pdf_is_a_tar() -> None:
    data = _tar_with("%PDF-1.7 notes.txt", b"plain notes\n")
    assert data.startswith(b"%PDF-1.7")  # the member name opens the header block
    src = Source.from_bytes(data)
    assert sniff(src) is FileKind.TAR
    assert detect(src, "notes.tar") is FileKind.TAR
    with pytest.raises(TypeMismatchRefused):
        detect(src, "notes.pdf")


def test_tar_whose_first_member_is_a_pdf_is_a_tar() -> None:
    data = _tar_with("a.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    assert b"%PDF-" in data[:1024]
    assert sniff(Source.from_bytes(data)) is FileKind.TAR


def test_zip_whose_first_stored_member_is_a_pdf_is_a_zip() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("a.pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
    data = buf.getvalue()
    assert 0 < data.index(b"%PDF-") < 1024
    src = Source.from_bytes(data)
    assert sniff(src) is FileKind.ZIP
    assert detect(src, "bundle.zip") is FileKind.ZIP
    with pytest.raises(TypeMismatchRefused):
        detect(src, "bundle.pdf")


def test_id3_tag_mentioning_pdf_is_still_mp3() -> None:
    data = b"ID3\x04\x00\x00\x00\x00\x00\x20" + b"COMM%PDF-1.7 see attached" + b"\x00" * 64
    assert sniff(Source.from_bytes(data)) is FileKind.MP3


@pytest.mark.parametrize("junk", [b"", b"\r\n", b"garbage before the header\n" * 10])
def test_pdf_header_anywhere_in_the_first_kib_without_a_stronger_signature(junk: bytes) -> None:
    data = junk + b"%PDF-1.4\n%%EOF\n"
    assert sniff(Source.from_bytes(data), "a.pdf") is FileKind.PDF
    late = b"x" * 1024 + b"%PDF-1.4\n"
    with pytest.raises(UnknownTypeRefused):
        sniff(Source.from_bytes(late), "a.pdf")


def test_ogg_video_is_not_taken_for_ogg_sound(tmp_path: Path) -> None:
    # Theora beside Vorbis: refused as a kind not supported, not as a misnamed file.
    from tests.metadata import media_fixtures as mf

    video = tmp_path / "clip.ogv"
    mf.ffmpeg("-f", "lavfi", "-i", "testsrc2=d=1:s=64x48:r=10", "-f", "lavfi", "-i", "sine=d=1",
              "-c:v", "libtheora", "-c:a", "libvorbis", str(video))
    for name in ("clip.ogv", "clip.ogg"):
        with pytest.raises(UnknownTypeRefused):
            detect(Source.from_path(video), name)
