"""Image cleaners: the shared contract for each kind, then format details."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path
from typing import ClassVar

import pytest
from PIL import Image, ImageChops, ImageOps, ImageStat

from submitter.metadata import engine
from submitter.metadata.images_common import minimal_exif
from submitter.metadata.images_reencoded import PRECISION_NOTE
from submitter.metadata.kinds import FileKind
from submitter.metadata.model import (
    Category,
    CleanRefused,
    CleanReport,
    CorruptRefused,
    LimitRefused,
    UnsupportedContentRefused,
)
from submitter.metadata.source import Source
from tests.metadata import exiftool
from tests.metadata import image_fixtures as fx
from tests.metadata.contract import CleanerContract, run_cli

EXIF_TAGS = ("GPSLatitude", "Make", "Model", "SerialNumber", "Artist", "OwnerName",
             "DateTimeOriginal", "Software", "ImageUniqueID")
EXIF_CATEGORIES = frozenset({Category.LOCATION, Category.DEVICE, Category.PERSON, Category.TIME,
                             Category.SOFTWARE, Category.IDENTIFIER})


def _open(path: Path, fmt: str) -> Image.Image:
    if fmt == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
    im = Image.open(path, formats=[fmt])
    im.load()
    return im


def _frames(path: Path, fmt: str) -> list[bytes]:
    im = Image.open(path, formats=[fmt])
    out = []
    for i in range(getattr(im, "n_frames", 1)):
        im.seek(i)
        out.append(im.convert("RGBA").tobytes())
    return out


def _upright(path: Path, fmt: str) -> Image.Image:
    return ImageOps.exif_transpose(_open(path, fmt).convert("RGBA"))


class _ImageContract(CleanerContract):
    fmt: ClassVar[str]

    def check_opens(self, path: Path) -> None:
        im = _open(path, self.fmt)
        assert im.format == self.fmt
        assert im.width > 0 and im.height > 0

    def check_content(self, original: Path, cleaned: Path, report: CleanReport) -> None:
        # What a viewer shows (orientation applied) is the same picture.
        a, b = _upright(original, self.fmt), _upright(cleaned, self.fmt)
        assert a.size == b.size
        if self.lossless:
            assert a.tobytes() == b.tobytes(), "pixels changed on a lossless route"
        else:
            diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB"))
            mean = sum(ImageStat.Stat(diff).mean) / 3
            assert mean < 6, f"re-encoded picture differs too much ({mean:.1f})"


class TestJpegContract(_ImageContract):
    kinds_covered = frozenset({FileKind.JPEG})
    fmt = "JPEG"
    required_tags = (*EXIF_TAGS, "Comment", "ThumbnailImage", "By-line", "Creator")
    expected_categories = EXIF_CATEGORIES | {Category.HIDDEN_CONTENT}

    def make_dirty(self, tmp_path: Path) -> Path:
        return fx.dirty_jpeg(tmp_path)

    def check_content(self, original: Path, cleaned: Path, report: CleanReport) -> None:
        super().check_content(original, cleaned, report)
        # Lossless for real: the raw decoded pixels and orientation are identical.
        assert _open(original, "JPEG").tobytes() == _open(cleaned, "JPEG").tobytes()
        assert _open(cleaned, "JPEG").getexif().get(0x0112) == 6


class TestPngContract(_ImageContract):
    kinds_covered = frozenset({FileKind.PNG})
    fmt = "PNG"
    required_tags = ("GPSLatitude", "Make", "SerialNumber", "Author", "Creator", "Software")
    expected_categories = EXIF_CATEGORIES | {Category.HIDDEN_CONTENT}

    def make_dirty(self, tmp_path: Path) -> Path:
        return fx.dirty_png(tmp_path)


class TestWebpContract(_ImageContract):
    kinds_covered = frozenset({FileKind.WEBP})
    fmt = "WEBP"
    required_tags = (*EXIF_TAGS, "Creator", "CreatorTool")
    expected_categories = EXIF_CATEGORIES

    def make_dirty(self, tmp_path: Path) -> Path:
        return fx.dirty_webp(tmp_path)


class TestGifContract(_ImageContract):
    kinds_covered = frozenset({FileKind.GIF})
    fmt = "GIF"
    required_tags = ("Comment", "Creator", "CreatorTool", "DocumentID")
    expected_categories = frozenset({Category.HIDDEN_CONTENT, Category.PERSON})

    def make_dirty(self, tmp_path: Path) -> Path:
        return fx.dirty_gif(tmp_path)

    def check_content(self, original: Path, cleaned: Path, report: CleanReport) -> None:
        super().check_content(original, cleaned, report)
        assert _frames(original, "GIF") == _frames(cleaned, "GIF")
        im = Image.open(cleaned)
        assert im.n_frames == 2 and im.info.get("loop") == 0


class TestTiffContract(_ImageContract):
    kinds_covered = frozenset({FileKind.TIFF})
    fmt = "TIFF"
    required_tags = (*EXIF_TAGS, "By-line", "Creator")
    expected_categories = EXIF_CATEGORIES

    def make_dirty(self, tmp_path: Path) -> Path:
        return fx.dirty_tiff(tmp_path)

    def check_content(self, original: Path, cleaned: Path, report: CleanReport) -> None:
        super().check_content(original, cleaned, report)
        # Orientation 6 was applied to the pixels: the output is upright with no tag.
        assert _open(cleaned, "TIFF").size == (fx.H, fx.W)
        assert 0x0112 not in _open(cleaned, "TIFF").getexif()


class TestHeicContract(_ImageContract):
    kinds_covered = frozenset({FileKind.HEIC})
    fmt = "HEIF"
    lossless = False
    required_tags = (*EXIF_TAGS, "Creator")
    expected_categories = EXIF_CATEGORIES

    def make_dirty(self, tmp_path: Path) -> Path:
        return fx.dirty_heic(tmp_path)


class TestAvifContract(_ImageContract):
    kinds_covered = frozenset({FileKind.AVIF})
    fmt = "AVIF"
    lossless = False
    required_tags = (*EXIF_TAGS, "Creator")
    expected_categories = EXIF_CATEGORIES

    def make_dirty(self, tmp_path: Path) -> Path:
        return fx.dirty_avif(tmp_path)


# --- format details -------------------------------------------------------


def _clean(data: bytes, name: str) -> tuple[bytes, CleanReport]:
    plan = engine.prepare(Source.from_bytes(data), name)
    buf = io.BytesIO()
    plan.write_to(buf)
    return buf.getvalue(), plan.report


def _jpeg_segments(data: bytes) -> list[tuple[int, bytes]]:
    out, pos = [], 2
    while data[pos + 1] != 0xDA:
        marker = data[pos + 1]
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        out.append((marker, data[pos + 4 : pos + 2 + length]))
        pos += 2 + length
    return out


def test_gps_shown_as_readable_position(tmp_path: Path) -> None:
    path = fx.dirty_jpeg(tmp_path)
    found = engine.inspect(Source.from_path(path), path.name).findings
    gps = [f for f in found if f.category is Category.LOCATION and "position" in f.field]
    assert [f.untrusted_value for f in gps] == ["51.53 N, 46.03 E"]
    by_field = {f.field: f for f in found}
    assert by_field["EXIF Make"].category is Category.DEVICE
    assert by_field["EXIF BodySerialNumber"].untrusted_value == "SN-4242"
    assert by_field["EXIF XPAuthor"].untrusted_value == "Jane Doe"
    assert by_field["EXIF CameraOwnerName"].category is Category.PERSON
    assert by_field["EXIF DateTimeOriginal"].category is Category.TIME
    assert by_field["EXIF Software"].category is Category.SOFTWARE
    assert by_field["EXIF ImageUniqueID"].category is Category.IDENTIFIER
    assert by_field["EXIF thumbnail"].category is Category.HIDDEN_CONTENT


def test_southern_western_position(tmp_path: Path) -> None:
    path = tmp_path / "s.jpg"
    fx.pattern().save(path, "JPEG")
    fx.exiftool_write(path, "-GPSLatitude=33.8688", "-GPSLatitudeRef=S",
                      "-GPSLongitude=151.2093", "-GPSLongitudeRef=W")
    found = engine.inspect(Source.from_path(path), path.name).findings
    assert any(f.untrusted_value == "33.87 S, 151.21 W" for f in found)


def test_jpeg_keeps_only_orientation_jfif_and_scan(tmp_path: Path) -> None:
    path = fx.dirty_jpeg(tmp_path, orientation=8)
    original = path.read_bytes()
    cleaned, report = _clean(original, "x.jpg")
    markers = [m for m, _ in _jpeg_segments(cleaned)]
    assert all(m in (0xE0, 0xE1, 0xDB, 0xC4, 0xC0, 0xDD) for m in markers), markers
    exif = [body for m, body in _jpeg_segments(cleaned) if m == 0xE1]
    assert exif == [b"Exif\x00\x00" + minimal_exif(8)]
    # The compressed scan is carried over byte for byte.
    scan = original[original.rindex(b"\xff\xda") :]  # the thumbnail has its own
    assert cleaned.endswith(scan[: scan.rindex(b"\xff\xd9")] + b"\xff\xd9")
    assert report.lossless
    assert any("colour profile" in n for n in report.notes)


def test_jpeg_upright_photo_gets_no_exif(tmp_path: Path) -> None:
    path = fx.dirty_jpeg(tmp_path, orientation=1)
    cleaned, _ = _clean(path.read_bytes(), "x.jpg")
    assert 0xE1 not in [m for m, _ in _jpeg_segments(cleaned)]


def test_jpeg_drops_trailing_pictures_and_mpf(tmp_path: Path) -> None:
    path = tmp_path / "p.jpg"
    fx.pattern().save(path, "JPEG")
    data = path.read_bytes()
    mpf = b"\xff\xe2" + struct.pack(">H", 2 + 8) + b"MPF\x00II*\x00"
    dirty = data[:2] + mpf + data[2:] + fx.thumbnail_jpeg()
    found = engine.inspect(Source.from_bytes(dirty), "p.jpg").findings
    fields = {f.field for f in found}
    assert {"MPF index", "data after the end of the picture"} <= fields
    cleaned, _ = _clean(dirty, "p.jpg")
    assert cleaned.count(b"\xff\xd8") == 1 and cleaned.endswith(b"\xff\xd9")
    assert b"MPF" not in cleaned


@pytest.mark.parametrize("cut", [0.3, 0.9, 0.999])
def test_jpeg_truncated_scan_refused(tmp_path: Path, cut: float) -> None:
    data = fx.dirty_jpeg(tmp_path).read_bytes()
    with pytest.raises(CorruptRefused):
        engine.prepare(Source.from_bytes(data[: int(len(data) * cut)]), "x.jpg")


def test_jpeg_lossless_frame_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.jpg"
    fx.pattern().save(path, "JPEG")
    data = bytearray(path.read_bytes())
    data[data.index(b"\xff\xc0") + 1] = 0xC3  # SOF3: lossless JPEG, not verifiable
    with pytest.raises(UnsupportedContentRefused):
        engine.prepare(Source.from_bytes(bytes(data)), "x.jpg")


def _png(chunks: list[tuple[bytes, bytes]]) -> bytes:
    from submitter.metadata.images_png import SIGNATURE, chunk

    return SIGNATURE + b"".join(chunk(t, b) for t, b in chunks)


def _ihdr(w: int, h: int) -> bytes:
    return struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)  # 8-bit grey


def test_png_text_time_and_unknown_chunks() -> None:
    raw = zlib.compress(b"".join(b"\x00" + bytes(range(8)) for _ in range(8)))
    data = _png([
        (b"IHDR", _ihdr(8, 8)),
        (b"tIME", struct.pack(">HBBBBB", 2024, 1, 2, 3, 4, 5)),
        (b"tEXt", b"Software\x00Camera App 1.2"),
        (b"zTXt", b"Comment\x00\x00" + zlib.compress(b"hidden note")),
        (b"iTXt", b"Author\x00\x00\x00en\x00Autor\x00Jane"),
        (b"prVt", b"private data"),
        (b"gAMA", struct.pack(">I", 45455)),
        (b"IDAT", raw),
        (b"IEND", b""),
    ]) + b"trailing secret"
    found = {f.field: f for f in engine.inspect(Source.from_bytes(data), "a.png").findings}
    assert found["PNG tIME (last changed)"].untrusted_value == "2024-01-02 03:04:05 UTC"
    assert found["PNG tEXt Software"].category is Category.SOFTWARE
    assert found["PNG zTXt Comment"].untrusted_value == "hidden note"
    assert found["PNG iTXt Author"].category is Category.PERSON
    assert "PNG prVt chunk" in found
    assert "data after the end of the picture" in found
    cleaned, _ = _clean(data, "a.png")
    assert cleaned == _png([(b"IHDR", _ihdr(8, 8)), (b"gAMA", struct.pack(">I", 45455)),
                            (b"IDAT", raw), (b"IEND", b"")])


def test_png_unknown_critical_chunk_refused() -> None:
    raw = zlib.compress(b"\x00" * 9 * 8)
    data = _png([(b"IHDR", _ihdr(8, 8)), (b"ZZZZ", b"x"), (b"IDAT", raw), (b"IEND", b"")])
    with pytest.raises(UnsupportedContentRefused):
        engine.prepare(Source.from_bytes(data), "a.png")


def test_png_bad_crc_refused() -> None:
    data = bytearray(_png([(b"IHDR", _ihdr(8, 8)), (b"IDAT", zlib.compress(b"\x00" * 72)),
                           (b"IEND", b"")]))
    data[30] ^= 0xFF
    with pytest.raises(CorruptRefused):
        engine.prepare(Source.from_bytes(bytes(data)), "a.png")


def test_decompression_bombs_refused() -> None:
    png = _png([(b"IHDR", _ihdr(100_000, 100_000)), (b"IDAT", zlib.compress(b"\x00" * 100)),
                (b"IEND", b"")])
    with pytest.raises(LimitRefused):
        engine.prepare(Source.from_bytes(png), "a.png")
    gif = b"GIF89a" + struct.pack("<HHBBB", 65535, 65535, 0, 0, 0) + b"\x3b"
    with pytest.raises(LimitRefused):
        engine.inspect(Source.from_bytes(gif), "a.gif")
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\x00" * 4 + b"\xff\xff\xff" * 2
    webp = b"RIFF" + struct.pack("<I", 4 + len(vp8x)) + b"WEBP" + vp8x
    with pytest.raises(LimitRefused):
        engine.prepare(Source.from_bytes(webp), "a.webp")


def test_jpeg_and_tiff_bombs_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.jpg"
    fx.pattern().save(path, "JPEG")
    data = bytearray(path.read_bytes())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", 60000, 60000)
    with pytest.raises(LimitRefused):
        engine.prepare(Source.from_bytes(bytes(data)), "x.jpg")
    tif = tmp_path / "big.tif"
    Image.new("1", (20_000, 20_000)).save(tif, "TIFF", compression="group4")
    assert tif.stat().st_size < 1_000_000
    with pytest.raises(LimitRefused):
        engine.prepare(Source.from_path(tif), tif.name)


def test_gif_plain_text_and_foreign_extensions_dropped(tmp_path: Path) -> None:
    path = tmp_path / "a.gif"
    fx.pattern("P").save(path, "GIF")
    data = path.read_bytes()
    plain = b"\x21\x01\x0c" + b"\x00" * 12 + b"\x05hello\x00"
    app = b"\x21\xff\x0bMAKERAPP1.0\x04abcd\x00"
    body_at = data.index(b"\x2c")
    dirty = data[:body_at] + plain + app + data[body_at:]
    found = {f.field for f in engine.inspect(Source.from_bytes(dirty), "a.gif").findings}
    assert {"GIF plain-text overlay", "GIF application extension"} <= found
    cleaned, report = _clean(dirty, "a.gif")
    assert b"hello" not in cleaned and b"MAKERAPP" not in cleaned
    assert any("text overlay" in n for n in report.notes)


def test_webp_flags_follow_the_chunks(tmp_path: Path) -> None:
    path = fx.dirty_webp(tmp_path)
    cleaned, _ = _clean(path.read_bytes(), path.name)
    assert cleaned[12:16] == b"VP8X"
    flags = cleaned[20]
    assert flags & 0x20 == 0 and flags & 0x04 == 0  # no ICC, no XMP
    assert flags & 0x08  # orientation 8 kept in a minimal EXIF
    assert flags & 0x10  # alpha kept
    assert struct.unpack("<I", cleaned[4:8])[0] == len(cleaned) - 8
    assert b"ICCP" not in cleaned and b"XMP " not in cleaned
    assert Image.open(io.BytesIO(cleaned)).getexif().get(0x0112) == 8


def test_multipage_tiff_refused(tmp_path: Path) -> None:
    path = tmp_path / "pages.tif"
    fx.pattern().save(path, "TIFF", save_all=True, append_images=[fx.pattern()])
    found = engine.inspect(Source.from_path(path), path.name).findings
    assert any(f.field == "TIFF extra pages" for f in found)
    with pytest.raises(UnsupportedContentRefused):
        engine.prepare(Source.from_path(path), path.name)


def test_png_16bit_and_palette_stay_identical(tmp_path: Path) -> None:
    for mode, name in (("I;16", "deep.png"), ("P", "pal.png"), ("LA", "la.png")):
        path = tmp_path / name
        fx.pattern("L").convert(mode).save(path, "PNG")
        fx.exiftool_write(path, "-Artist=Jane Doe")
        cleaned, _ = _clean(path.read_bytes(), name)
        a, b = Image.open(path), Image.open(io.BytesIO(cleaned))
        assert (a.mode, a.tobytes()) == (b.mode, b.tobytes())


def test_cli_show_sanitises_values(tmp_path: Path) -> None:
    path = tmp_path / "bidi.jpg"
    fx.pattern().save(path, "JPEG")
    fx.exiftool_write(path, "-Comment=evil\u202egpj.exe\x1b[31m")
    proc = run_cli("clean", "--show", "--", str(path), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "evilgpj.exe[31m" in proc.stdout
    assert "\u202e" not in proc.stdout and "\x1b" not in proc.stdout


def test_refusals_only_ever_clean_refused(tmp_path: Path) -> None:
    # A grab bag of nasty inputs for every image kind goes only to refusals.
    samples = {
        "x.jpg": b"\xff\xd8\xff\xe1\xff\xff" + b"\x00" * 10,
        "x.png": b"\x89PNG\r\n\x1a\n" + b"\xff" * 12,
        "x.gif": b"GIF89a\x01\x00\x01\x00\x80\x00\x00",
        "x.webp": b"RIFF\x04\x00\x00\x00WEBP",
        "x.tif": b"II*\x00\x08\x00\x00\x00\xff\xff",
        "x.heic": b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 16,
        "x.avif": b"\x00\x00\x00\x18ftypavif\x00\x00\x00\x00mif1avif" + b"\x00" * 16,
    }
    for name, data in samples.items():
        with pytest.raises(CleanRefused):
            engine.prepare(Source.from_bytes(data), name)


def test_exiftool_judge_catches_what_it_should(tmp_path: Path) -> None:
    # The judge itself must not be blind: a dirty file is judged dirty per tag.
    path = fx.dirty_jpeg(tmp_path)
    cats = {t.name: t.category for t in exiftool.identifying(path)}
    assert cats["GPSLatitude"] == "location"
    assert cats["SerialNumber"] == "identifier"
    assert cats["Make"] == "device"
    assert cats["Artist"] == "person"
    assert cats["DateTimeOriginal"] == "time"
    assert cats["ThumbnailImage"] == "thumbnail"
    assert exiftool.classify("IFD0", "Orientation") is None
    assert exiftool.classify("System", "FileModifyDate") is None


@pytest.mark.parametrize("kw", [{"progressive": True}, {"subsampling": 0}, {"mode": "CMYK"},
                                {"mode": "L"}, {"restart_marker_blocks": 1}])
def test_jpeg_variants_clean_losslessly(tmp_path: Path, kw: dict[str, object]) -> None:
    mode = str(kw.pop("mode", "RGB"))
    path = tmp_path / "v.jpg"
    fx.pattern().convert(mode).save(path, "JPEG", quality=85, **kw)
    fx.exiftool_write(path, "-Make=Canon", "-GPSLatitude=10", "-GPSLatitudeRef=N")
    cleaned, report = _clean(path.read_bytes(), path.name)
    a, b = Image.open(path), Image.open(io.BytesIO(cleaned))
    assert (a.mode, a.size, a.tobytes()) == (b.mode, b.size, b.tobytes())
    assert report.lossless
    out = tmp_path / "c.jpg"
    out.write_bytes(cleaned)
    assert not exiftool.identifying(out)
    if mode == "CMYK":
        # The Adobe segment tells decoders how colours are stored: it must stay.
        assert b"Adobe" in cleaned


@pytest.mark.parametrize("mode", ["1", "L", "I;16", "RGBA", "CMYK", "P", "F"])
def test_tiff_modes_round_trip_exactly(tmp_path: Path, mode: str) -> None:
    path = tmp_path / "m.tif"
    fx.pattern("L").convert(mode).save(path, "TIFF")
    fx.exiftool_write(path, "-Artist=Jane Doe", "-Software=Scanner 2")
    cleaned, report = _clean(path.read_bytes(), path.name)
    a, b = Image.open(path), Image.open(io.BytesIO(cleaned))
    assert (a.mode, a.size, a.tobytes()) == (b.mode, b.size, b.tobytes())
    assert report.lossless
    out = tmp_path / "c.tif"
    out.write_bytes(cleaned)
    assert not exiftool.identifying(out)


def test_heic_burst_refused_and_lossy_reported(tmp_path: Path) -> None:
    import pillow_heif

    pillow_heif.register_heif_opener()
    path = tmp_path / "burst.heic"
    fx.pattern().save(path, "HEIF", save_all=True, append_images=[fx.pattern("L").convert("RGB")])
    found = engine.inspect(Source.from_path(path), path.name).findings
    assert any("extra pictures" in f.field for f in found)
    with pytest.raises(UnsupportedContentRefused):
        engine.prepare(Source.from_path(path), path.name)
    single = fx.dirty_heic(tmp_path)
    report = engine.prepare(Source.from_path(single), single.name).report
    assert report.lossless is False
    assert any("re-encoded" in n for n in report.notes)


def test_warnings_name_what_cannot_be_removed(tmp_path: Path) -> None:
    path = fx.dirty_png(tmp_path)
    result = engine.inspect(Source.from_path(path), path.name)
    assert any("faces" in w and "text" in w for w in result.warnings)


@pytest.mark.parametrize(("fmt", "name"), [("AVIF", "r.avif"), ("HEIF", "r.heic")])
def test_heif_family_rotation_applied_to_pixels(fmt: str, name: str) -> None:
    import pillow_heif

    pillow_heif.register_heif_opener()
    exif = Image.Exif()
    exif[0x0112] = 6  # the encoder turns this into the container's rotation
    buf = io.BytesIO()
    fx.pattern().save(buf, fmt, exif=exif.tobytes(), quality=95)
    cleaned, report = _clean(buf.getvalue(), name)
    out = Image.open(io.BytesIO(cleaned))
    assert out.size == (fx.H, fx.W)  # upright, with no orientation left to apply
    assert out.getexif().get(0x0112) in (None, 1)
    assert report.lossless is False


def test_animated_webp_keeps_frames(tmp_path: Path) -> None:
    path = tmp_path / "anim.webp"
    frames = [fx.pattern("RGBA"), fx.pattern("RGBA").transpose(Image.Transpose.ROTATE_180)]
    frames[0].save(path, "WEBP", save_all=True, append_images=frames[1:], lossless=True,
                   duration=80, loop=0, exif=b"Exif\x00\x00" + minimal_exif(1))
    fx.exiftool_write(path, "-Artist=Jane Doe", "-XMP-dc:Creator=Jane")
    assert exiftool.identifying(path)
    cleaned, _ = _clean(path.read_bytes(), path.name)
    out = tmp_path / "c.webp"
    out.write_bytes(cleaned)
    assert not exiftool.identifying(out)
    assert _frames(path, "WEBP") == _frames(out, "WEBP")


def test_second_picture_after_the_first_is_gone_for_exiftool_too(tmp_path: Path) -> None:
    # Phones store a second JPEG (with its own EXIF) after the first one's end.
    inner = tmp_path / "inner.jpg"
    fx.pattern().save(inner, "JPEG")
    fx.exiftool_write(inner, "-Make=Apple", "-SerialNumber=F2LXXXX", "-GPSLatitude=1",
                      "-GPSLatitudeRef=N")
    outer = tmp_path / "outer.jpg"
    fx.pattern().save(outer, "JPEG")
    first, second = outer.read_bytes(), inner.read_bytes()
    # An MPF index (APP2) right after SOI, as phones write it: its offsets
    # count from the TIFF header, which starts 10 bytes into the file.
    size = 2 + 2 + 2 + 4 + 8 + 42 + 32 + len(first) - 2
    tiff = (b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 3)
            + struct.pack("<HHI4s", 0xB000, 7, 4, b"0100")
            + struct.pack("<HHII", 0xB001, 4, 1, 2)
            + struct.pack("<HHII", 0xB002, 7, 32, 50)
            + struct.pack("<I", 0)
            + struct.pack("<IIIHH", 0x030000, size, 0, 0, 0)
            + struct.pack("<IIIHH", 0x010001, len(second), size - 10, 0, 0))
    app2 = b"\xff\xe2" + struct.pack(">H", 2 + 4 + len(tiff)) + b"MPF\x00" + tiff
    assert len(first[:2] + app2 + first[2:]) == size
    dirty = tmp_path / "both.jpg"
    dirty.write_bytes(first[:2] + app2 + first[2:] + second)
    assert any(t.name == "SerialNumber" for t in exiftool.identifying(dirty, embedded=True))
    cleaned, _ = _clean(dirty.read_bytes(), dirty.name)
    out = tmp_path / "clean.jpg"
    out.write_bytes(cleaned)
    assert exiftool.identifying(out, embedded=True) == []


def test_large_phone_photos_are_not_mistaken_for_bombs() -> None:
    # 108 MP (a common phone sensor) is above Pillow's default bomb limit
    # but below ours; only the header is needed to decide.
    from submitter.metadata.images_common import check_pixels, pillow_guard

    limits = engine.DEFAULT_LIMITS
    with pillow_guard():
        check_pixels(12000, 9000, limits)
        Image._decompression_bomb_check((12000, 9000))
    with pytest.raises(LimitRefused):
        check_pixels(20000, 20000, limits)


def test_png_image_data_checked_without_decoding() -> None:
    from submitter.metadata.images_png import _raw_size

    # Adam7-interlaced 8-bit grey 5x3: the seven passes hold 1x1, 1x1, none,
    # 1x1, 3x1, 2x2 and 5x1 pixels; each row adds one filter byte.
    ihdr = struct.pack(">IIBBBBB", 5, 3, 8, 0, 0, 0, 1)
    size = _raw_size(ihdr)
    assert size == 2 + 2 + 0 + 2 + 4 + 2 * 3 + 6
    data = _png([(b"IHDR", ihdr), (b"IDAT", zlib.compress(b"\x00" * size)), (b"IEND", b"")])
    cleaned, _ = _clean(data, "i.png")
    assert Image.open(io.BytesIO(cleaned)).size == (5, 3)
    plain = _ihdr(8, 8)
    for raw in (b"\x00" * (9 * 8 - 1), b"\x00" * (9 * 8 + 1)):
        bad = _png([(b"IHDR", plain), (b"IDAT", zlib.compress(raw)), (b"IEND", b"")])
        with pytest.raises(CorruptRefused):
            engine.prepare(Source.from_bytes(bad), "b.png")
    cut = zlib.compress(b"\x00" * 72)[:-6]
    with pytest.raises(CorruptRefused):
        engine.prepare(Source.from_bytes(_png([(b"IHDR", plain), (b"IDAT", cut),
                                               (b"IEND", b"")])), "b.png")


def test_heic_thumbnail_reported_and_dropped() -> None:
    import pillow_heif

    heif = pillow_heif.from_pillow(fx.pattern(size=(256, 192)))
    buf = io.BytesIO()
    heif.save(buf, quality=90, thumbnails=[64])
    found = engine.inspect(Source.from_bytes(buf.getvalue()), "t.heic").findings
    assert any(f.category is Category.HIDDEN_CONTENT and "thumbnail" in f.field for f in found)
    cleaned, _ = _clean(buf.getvalue(), "t.heic")
    assert not pillow_heif.open_heif(io.BytesIO(cleaned))[0].info.get("thumbnails")


def _rgb48(width: int = 4, height: int = 3) -> bytes:
    # Neighbouring 16-bit values that the same 8-bit value would stand for.
    samples = [(x * 4099 + y * 257 + c * 3) % 65536
               for y in range(height) for x in range(width) for c in range(3)]
    return fx.raw_tiff(width, height, 16, 3, 2, struct.pack(f"<{len(samples)}H", *samples))


def test_16_bit_colour_tiff_is_not_reported_lossless(tmp_path: Path) -> None:
    path = tmp_path / "scan.tif"
    path.write_bytes(_rgb48())
    fx.exiftool_write(path, "-Artist=Jane Doe", "-Software=Scanner 2")
    assert any(t.name == "BitsPerSample" and t.value == "16 16 16"
               for t in exiftool.read_tags(path))
    assert exiftool.identifying(path)
    cleaned, report = _clean(path.read_bytes(), path.name)
    assert report.lossless is False
    assert PRECISION_NOTE in report.notes
    assert not any("pixels are unchanged" in n for n in report.notes)
    out = tmp_path / "c.tif"
    out.write_bytes(cleaned)
    assert not exiftool.identifying(out)
    back = Image.open(out)
    assert (back.mode, back.size) == ("RGB", (4, 3))


def test_16_bit_grey_tiff_stays_exact(tmp_path: Path) -> None:
    values = (1, 2, 40000, 65535)
    data = fx.raw_tiff(4, 1, 16, 1, 1, struct.pack("<4H", *values))
    cleaned, report = _clean(data, "grey.tif")
    assert report.lossless is True
    back = Image.open(io.BytesIO(cleaned))
    assert back.mode == "I;16"
    assert tuple(back.get_flattened_data()) == values


@pytest.mark.parametrize(
    ("samples", "extra", "pixel"),
    [(4, (1,), bytes([100, 50, 20, 128])),  # premultiplied alpha, undone when read
     (4, (0,), bytes([100, 50, 20, 128]))],  # an unnamed fourth channel, dropped
    ids=["premultiplied-alpha", "unnamed-extra-channel"],
)
def test_tiff_channels_pillow_cannot_keep_are_not_lossless(
    samples: int, extra: tuple[int, ...], pixel: bytes
) -> None:
    data = fx.raw_tiff(2, 2, 8, samples, 2, pixel * 4, extra_samples=extra)
    _, report = _clean(data, "a.tif")
    assert report.lossless is False
    assert PRECISION_NOTE in report.notes


@pytest.mark.parametrize(
    ("bits", "fmt", "data"),
    [(8, 2, struct.pack("<4b", 1, -2, 3, 4)),  # signed bytes would read as unsigned
     (32, 1, struct.pack("<4I", 1, 2, 3_000_000_000, 7)),  # unsigned read as signed
     (12, 1, bytes.fromhex("001fff800123"))],  # 12-bit grey kept as 16-bit turns dark
    ids=["signed-8", "unsigned-32-high", "grey-12"],
)
def test_tiff_samples_whose_meaning_would_change_refused(bits: int, fmt: int, data: bytes) -> None:
    raw = fx.raw_tiff(4, 1, bits, 1, 1, data, sample_format=fmt)
    with pytest.raises(UnsupportedContentRefused):
        engine.prepare(Source.from_bytes(raw), "a.tif")


def test_32_bit_unsigned_grey_below_the_sign_bit_stays_exact() -> None:
    raw = fx.raw_tiff(4, 1, 32, 1, 1, struct.pack("<4I", 1, 2, 70_000, 2**31 - 1))
    cleaned, report = _clean(raw, "a.tif")
    assert report.lossless is True
    assert tuple(Image.open(io.BytesIO(cleaned)).get_flattened_data()) == (1, 2, 70_000, 2**31 - 1)


def test_high_bit_depth_heic_says_detail_was_lost() -> None:
    import pillow_heif

    heif = pillow_heif.from_bytes(mode="RGB;16", size=(16, 16), data=bytes(range(256)) * 6)
    buf = io.BytesIO()
    heif.save(buf, format="HEIF")
    pillow_heif.register_heif_opener()
    assert Image.open(io.BytesIO(buf.getvalue())).info["bit_depth"] == 10
    _, report = _clean(buf.getvalue(), "hdr.heic")
    assert report.lossless is False
    assert PRECISION_NOTE in report.notes


def test_palette_finer_than_8_bits_is_not_lossless(tmp_path: Path) -> None:
    path = tmp_path / "p.tif"
    fx.pattern("L").convert("P").save(path, "TIFF")
    data = bytearray(path.read_bytes())
    im = Image.open(io.BytesIO(bytes(data)))
    colormap = im.tag_v2[320]
    # The palette as libtiff writes it (value * 257): its low bytes cannot be kept.
    old = struct.pack(f"<{len(colormap)}H", *colormap)
    new = struct.pack(f"<{len(colormap)}H", *(v // 256 * 257 for v in colormap))
    assert data.count(old) == 1
    patched = bytes(data).replace(old, new)
    _, report = _clean(patched, "p.tif")
    assert report.lossless is False
    assert PRECISION_NOTE in report.notes
