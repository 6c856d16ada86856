"""The preview core: real pictures, videos made by ffmpeg, PDFs made by pikepdf.

Colours are known because the files are made with them (lavfi ``color=red``,
a filled PDF rectangle); a rotated video is compared with ffmpeg's own
upright decoding. Damaged and hostile files must give a refusal, never a
crash or a huge allocation, and nothing may be written anywhere.
"""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import threading
import zlib
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from submitter.errors import SubmitterError
from submitter.preview import (
    Preview,
    PreviewCancelled,
    PreviewDamaged,
    PreviewError,
    PreviewLimits,
    PreviewNoPicture,
    PreviewShows,
    PreviewTooLarge,
    PreviewTooSlow,
    PreviewUnavailable,
    previewable,
    render_preview,
)
from tests.metadata import image_fixtures
from tests.peers import REPO, tool


def _ffmpeg(*args: str) -> None:
    subprocess.run([tool("ffmpeg"), "-v", "error", "-y", "-nostdin", *args],
                   check=True, capture_output=True, timeout=120)


def _close(actual: tuple[int, int, int], wanted: tuple[int, int, int], slack: int = 24) -> bool:
    return all(abs(a - w) <= slack for a, w in zip(actual, wanted, strict=True))


RED, GREEN, BLUE, WHITE = (255, 0, 0), (0, 160, 0), (0, 0, 255), (255, 255, 255)


def _halves(size: tuple[int, int], left: tuple[int, int, int],
            right: tuple[int, int, int]) -> Image.Image:
    im = Image.new("RGB", size, right)
    im.paste(left, (0, 0, size[0] // 2, size[1]))
    return im


# --- pictures ------------------------------------------------------------------


def test_jpeg_with_gps_is_shown_upright(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    _halves((64, 48), RED, BLUE).save(path, "JPEG", quality=95)
    # Orientation 6: a viewer turns it a quarter clockwise, so the left half goes on top.
    image_fixtures.exiftool_write(path, *image_fixtures.EXIF_ARGS, "-Orientation=6")
    preview = render_preview(path, "jpeg")
    assert preview.shows is PreviewShows.PICTURE
    assert (preview.width, preview.height) == (48, 64)
    assert _close(preview.pixel(24, 4), RED)
    assert _close(preview.pixel(24, 60), BLUE)


def test_png_transparency_is_shown_over_white(tmp_path: Path) -> None:
    path = tmp_path / "shot.png"
    im = Image.new("RGBA", (40, 20), (*GREEN, 255))
    im.paste((0, 0, 0, 0), (0, 0, 20, 20))
    im.save(path)
    preview = render_preview(path, "png")
    assert (preview.width, preview.height) == (40, 20)
    assert preview.pixel(5, 10) == WHITE
    assert preview.pixel(35, 10) == GREEN


def test_deep_png_is_scaled_not_clipped(tmp_path: Path) -> None:
    path = tmp_path / "deep.png"
    Image.new("I;16", (10, 10), 32768).save(path)
    preview = render_preview(path, "png")
    assert _close(preview.pixel(3, 3), (128, 128, 128), slack=2)


def test_large_pictures_come_back_small(tmp_path: Path) -> None:
    jpeg, png = tmp_path / "big.jpg", tmp_path / "wide.png"
    _halves((2000, 1000), RED, BLUE).save(jpeg, "JPEG", quality=90)
    _halves((1500, 100), GREEN, WHITE).save(png)
    big = render_preview(jpeg, "jpeg")
    assert (big.width, big.height) == (640, 320)
    assert _close(big.pixel(10, 160), RED) and _close(big.pixel(630, 160), BLUE)
    wide = render_preview(png, "png", PreviewLimits(max_side=300))
    assert (wide.width, wide.height) == (300, 20)
    assert len(wide.rgb) == 300 * 20 * 3


@pytest.mark.parametrize(
    ("maker", "kind", "size"),
    [
        (image_fixtures.dirty_png, "png", (64, 48)),  # orientation 3: same shape
        (image_fixtures.dirty_webp, "webp", (48, 64)),  # orientation 8
        (image_fixtures.dirty_gif, "gif", (64, 48)),
        (image_fixtures.dirty_tiff, "tiff", (48, 64)),  # orientation 6
        (image_fixtures.dirty_heic, "heic", (64, 48)),
        (image_fixtures.dirty_avif, "avif", (64, 48)),
    ],
)
def test_every_picture_type_the_cleaners_take(tmp_path: Path, maker, kind: str,
                                              size: tuple[int, int]) -> None:
    preview = render_preview(maker(tmp_path), kind)
    assert (preview.width, preview.height) == size
    assert preview.shows is PreviewShows.PICTURE


# --- video ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "colour", "rgb", "codec"),
    [
        ("red.mp4", "red", RED, ["-c:v", "libx264", "-pix_fmt", "yuv420p"]),
        ("blue.mkv", "blue", BLUE, ["-c:v", "libx264", "-pix_fmt", "yuv420p"]),
        ("green.webm", "0x00A000", GREEN, ["-c:v", "libvpx", "-b:v", "200k"]),
        ("blue.avi", "blue", BLUE, ["-c:v", "mjpeg", "-q:v", "3"]),
        ("red.mov", "red", RED, ["-c:v", "mjpeg", "-q:v", "3"]),
    ],
)
def test_first_frame_has_the_known_colour(tmp_path: Path, name: str, colour: str,
                                          rgb: tuple[int, int, int], codec: list[str]) -> None:
    path = tmp_path / name
    _ffmpeg("-f", "lavfi", "-i", f"color={colour}:s=96x64:d=1:r=10", *codec, str(path))
    kind = {"mp4": "mp4", "mkv": "mkv", "webm": "webm", "avi": "avi", "mov": "mov"}[
        path.suffix[1:]]
    preview = render_preview(path, kind)
    assert preview.shows is PreviewShows.FIRST_FRAME
    assert (preview.width, preview.height) == (96, 64)
    for x, y in ((5, 5), (48, 32), (90, 60)):
        assert _close(preview.pixel(x, y), rgb), (x, y, preview.pixel(x, y))


def test_rotated_phone_video_matches_ffmpegs_upright_frame(tmp_path: Path) -> None:
    flat, rotated, reference = tmp_path / "flat.mp4", tmp_path / "phone.mp4", tmp_path / "ref.png"
    _ffmpeg("-f", "lavfi", "-i",
            "color=red:s=64x48:d=1,drawbox=x=0:y=0:w=16:h=48:color=blue:t=fill",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", str(flat))
    _ffmpeg("-i", str(flat), "-c", "copy", "-metadata:s:v:0", "rotate=90", str(rotated))
    # ffmpeg applies the display matrix itself when decoding: the reference.
    _ffmpeg("-i", str(rotated), "-frames:v", "1", str(reference))
    with Image.open(reference) as ref:
        want = ref.convert("RGB")
    preview = render_preview(rotated, "mp4")
    assert (preview.width, preview.height) == want.size == (48, 64)
    for x, y in ((24, 3), (24, 60), (3, 32), (44, 32)):
        assert _close(preview.pixel(x, y), want.getpixel((x, y))), (x, y)


def test_sound_only_container_has_no_picture(tmp_path: Path) -> None:
    path = tmp_path / "voice.mkv"
    _ffmpeg("-f", "lavfi", "-i", "sine=d=1:f=440", "-c:a", "flac", str(path))
    with pytest.raises(PreviewNoPicture):
        render_preview(path, "mkv")


def test_video_bounds_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    _ffmpeg("-f", "lavfi", "-i", "color=red:s=64x48:d=1", "-c:v", "libx264",
            "-pix_fmt", "yuv420p", str(path))
    with pytest.raises(PreviewTooLarge):  # 3072 pixels claimed, 1000 allowed
        render_preview(path, "mp4", PreviewLimits(max_decoded_pixels=1000))
    with pytest.raises(PreviewTooLarge):  # stops reading, whatever the demuxer wanted
        render_preview(path, "mp4", PreviewLimits(max_read_bytes=100))


# --- PDF -----------------------------------------------------------------------


def _pdf(path: Path, content: bytes, rotate: int = 0) -> Path:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 100))
    page = pdf.pages[0]
    page.Contents = pdf.make_stream(content)
    if rotate:
        page.Rotate = rotate
    pdf.docinfo["/Author"] = "Jane Doe"
    pdf.save(path)
    return path


def test_first_page_of_a_pdf(tmp_path: Path) -> None:
    path = _pdf(tmp_path / "letter.pdf", b"1 0 0 rg 0 0 100 100 re f")  # left half red
    preview = render_preview(path, "pdf")
    assert preview.shows is PreviewShows.FIRST_PAGE
    assert (preview.width, preview.height) == (640, 320)
    assert preview.pixel(100, 160) == RED
    assert preview.pixel(540, 160) == WHITE


def test_rotated_pdf_page_is_shown_as_a_reader_shows_it(tmp_path: Path) -> None:
    path = _pdf(tmp_path / "turned.pdf", b"1 0 0 rg 0 0 100 100 re f", rotate=90)
    preview = render_preview(path, "pdf")
    assert (preview.width, preview.height) == (320, 640)
    assert preview.pixel(160, 100) == RED  # /Rotate 90 is clockwise: the left half goes on top
    assert preview.pixel(160, 540) == WHITE


# --- refusals ------------------------------------------------------------------


def test_damaged_files_are_refused_plainly(tmp_path: Path) -> None:
    junk = tmp_path / "junk"
    junk.write_bytes(os.urandom(4096))
    video = tmp_path / "cut.mp4"
    _ffmpeg("-f", "lavfi", "-i", "color=red:s=64x48:d=1", "-c:v", "libx264", str(video))
    video.write_bytes(video.read_bytes()[:1500])
    half_pdf = _pdf(tmp_path / "half.pdf", b"1 0 0 rg 0 0 100 100 re f")
    half_pdf.write_bytes(b"%PDF-1.7\n" + os.urandom(200))
    jpeg = tmp_path / "half.jpg"
    _halves((64, 48), RED, BLUE).save(jpeg, "JPEG")
    jpeg.write_bytes(jpeg.read_bytes()[:200])
    for path, kind in ((junk, "jpeg"), (junk, "png"), (junk, "mkv"), (junk, "pdf"),
                       (video, "mp4"), (half_pdf, "pdf"), (jpeg, "jpeg")):
        with pytest.raises(PreviewDamaged) as caught:
            render_preview(path, kind)
        # A fixed message, never the library's words (they may quote the path).
        assert caught.value.message == PreviewDamaged.message
        assert str(tmp_path) not in str(caught.value)
        assert caught.value.__cause__ is None


def _png_claiming(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat)
            + chunk(b"IEND", b""))


def _jpeg_claiming(width: int, height: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (16, 16), RED).save(buf, "JPEG")
    data = bytearray(buf.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def test_hostile_dimensions_are_refused_before_decoding(tmp_path: Path) -> None:
    png, jpeg = tmp_path / "bomb.png", tmp_path / "bomb.jpg"
    png.write_bytes(_png_claiming(100_000, 100_000))
    jpeg.write_bytes(_jpeg_claiming(60_000, 60_000))
    for path, kind in ((png, "png"), (jpeg, "jpeg")):
        with pytest.raises(PreviewTooLarge):
            render_preview(path, kind)
    # Not reduced while decoding (PNG): the decoded bound applies as well.
    wide = tmp_path / "wide.png"
    Image.new("RGB", (200, 100), GREEN).save(wide)
    with pytest.raises(PreviewTooLarge):
        render_preview(wide, "png", PreviewLimits(max_decoded_pixels=10_000))


def test_types_without_a_picture(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello\n")
    for kind in ("text", "mp3", "docx", "zip", "not a kind"):
        assert not previewable(kind)
        with pytest.raises(PreviewUnavailable):
            render_preview(path, kind)
    for kind in ("jpeg", "png", "gif", "tiff", "webp", "heic", "avif",
                 "mp4", "mov", "mkv", "webm", "avi", "pdf"):
        assert previewable(kind)


def test_cancel_and_time_budget(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    _halves((64, 48), RED, BLUE).save(path, "JPEG")
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(PreviewCancelled):
        render_preview(path, "jpeg", cancel=cancel)
    with pytest.raises(PreviewTooSlow):  # a budget already spent: no clock race
        render_preview(path, "jpeg", PreviewLimits(time_budget_s=-1.0))


def test_refusals_are_core_errors_with_fixed_messages() -> None:
    for cls in (PreviewUnavailable, PreviewNoPicture, PreviewTooLarge, PreviewDamaged,
                PreviewTooSlow, PreviewCancelled):
        assert issubclass(cls, PreviewError) and issubclass(cls, SubmitterError)
        assert cls.message and "{" not in cls.message
    with pytest.raises(ValueError):
        Preview(2, 2, b"\0" * 11, PreviewShows.PICTURE)


# --- nothing on disk -----------------------------------------------------------

_CHILD = """
import sys
from pathlib import Path
from submitter.preview import render_preview
for path, kind in zip(sys.argv[1::2], sys.argv[2::2]):
    render_preview(Path(path), kind)
print("ok")
"""


def test_nothing_is_written_anywhere(tmp_path: Path) -> None:
    sources = tmp_path / "in"
    sources.mkdir()
    photo = sources / "photo.jpg"
    _halves((64, 48), RED, BLUE).save(photo, "JPEG")
    video = sources / "clip.mkv"
    _ffmpeg("-f", "lavfi", "-i", "color=red:s=64x48:d=1", "-c:v", "libx264", str(video))
    pdf = _pdf(sources / "letter.pdf", b"1 0 0 rg 0 0 100 100 re f")
    before = sorted(p.name for p in sources.iterdir())

    watched = {name: tmp_path / name for name in ("home", "tmp", "cache", "config", "data",
                                                 "run", "cwd")}
    for folder in watched.values():
        folder.mkdir()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(watched["home"]),
        "TMPDIR": str(watched["tmp"]),
        "XDG_CACHE_HOME": str(watched["cache"]),
        "XDG_CONFIG_HOME": str(watched["config"]),
        "XDG_DATA_HOME": str(watched["data"]),
        "XDG_RUNTIME_DIR": str(watched["run"]),
        "PYTHONPATH": str(REPO),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, str(photo), "jpeg", str(video), "mkv", str(pdf), "pdf"],
        cwd=watched["cwd"], env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
    assert result.stderr == ""  # no decoder chatter either (it could quote the file)
    for name, folder in watched.items():
        assert list(folder.rglob("*")) == [], name
    assert sorted(p.name for p in sources.iterdir()) == before
