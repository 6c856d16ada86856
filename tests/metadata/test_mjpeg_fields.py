"""Motion-JPEG frames walked whole: second fields, segments between scans,
data after the end marker.

Real ffmpeg files (AVI, MOV, MKV; 160x240) with crafted frames spliced over
their own, same length: ffmpeg cannot write an interlaced field pair, a
progressive picture or text after EOI, so those are built from its own
160x120 fields (``-vf field``) or a Pillow progressive JPEG and padded with
zeros after the last EOI, which keeps every index right. ffmpeg decodes a
frame whose pictures are half the container's height as an interlaced field
pair, so the judges are ffmpeg (decoded pictures, no errors), ffprobe and
exiftool. Then scanner-level cases: window borders, limits, and a fuzz.
"""

from __future__ import annotations

import io
import struct
import subprocess
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from submitter.metadata import engine, mjpeg
from submitter.metadata.model import (
    Category,
    CleanRefused,
    CorruptRefused,
    Finding,
    LimitRefused,
    UnsupportedContentRefused,
)
from submitter.metadata.source import Source
from submitter.metadata.splice import Zeros
from tests.metadata import exiftool
from tests.metadata import media_fixtures as mf
from tests.peers import tool

WIDTH, HEIGHT, FRAMES = 160, 240, 10
CONTAINERS = ("avi", "mov", "mkv")
SECRET = b"DVR-7 serial HK-20931"
EXIF_MAKE = b"Hikvision DS-2CD"
TRAILER = b"CAM-07 2024-05-01 10:00:00 Block B"



def _seg(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def _exif() -> bytes:
    """A well-formed Exif APP1 payload: one IFD with the camera's make."""
    make = EXIF_MAKE + b"\x00"
    ifd = struct.pack(">H", 1) + struct.pack(">HHII", 0x010F, 2, len(make), 26) + bytes(4)
    return b"Exif\x00\x00" + b"MM\x00\x2a" + struct.pack(">I", 8) + ifd + make


def _jpegs(data: bytes) -> list[bytes]:
    """The pictures of a raw ffmpeg MJPEG stream (ffmpeg stuffs every 0xFF it
    codes, so 0xFF 0xD9 is only ever the end marker)."""
    out, at = [], data.find(b"\xff\xd8")
    while at >= 0:
        end = data.index(b"\xff\xd9", at) + 2
        out.append(data[at:end])
        at = data.find(b"\xff\xd8", end)
    return out


def _frames(data: bytes) -> list[tuple[int, int]]:
    """(start, end) of each ffmpeg frame in a container: around its 'Lavc' comment."""
    out, at = [], data.find(b"\xff\xfe")
    while at >= 0:
        if data[at + 4 : at + 8] == b"Lavc":
            start = data.rindex(b"\xff\xd8", 0, at)
            out.append((start, data.index(b"\xff\xd9", at) + 2))
        at = data.find(b"\xff\xfe", at + 1)
    assert len(out) == FRAMES
    return out


def _headers(jpeg: bytes) -> list[tuple[int, int, int]]:
    """(marker, start, end) of each segment before the first scan."""
    out, pos = [], 2
    while jpeg[pos + 1] != 0xDA:
        end = pos + 2 + struct.unpack_from(">H", jpeg, pos + 2)[0]
        out.append((jpeg[pos + 1], pos, end))
        pos = end
    return out


def _strip(jpeg: bytes) -> bytes:
    """The picture without its comment and APPn segments (removed by hand)."""
    out = bytearray(jpeg)
    for marker, start, end in reversed(_headers(jpeg)):
        if marker == 0xFE or 0xE0 <= marker <= 0xEF:
            del out[start:end]
    return bytes(out)


def _insert(jpeg: bytes, *segments: bytes) -> bytes:
    return jpeg[:2] + b"".join(segments) + jpeg[2:]


def _splice(data: bytes, make: Callable[[int, bytes], bytes]) -> bytes:
    """Each ffmpeg frame replaced by ``make(index, frame)``, zero-padded to its length."""
    out = bytearray(data)
    for i, (start, end) in enumerate(_frames(data)):
        new = make(i, data[start:end])
        assert len(new) <= end - start, "crafted frame longer than the one it replaces"
        out[start:end] = new + bytes(end - start - len(new))
    return bytes(out)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """ffmpeg's own files (full height, best quality: frames big enough for two
    fields) and its two 160x120 field streams."""
    folder = tmp_path_factory.mktemp("mjpeg")
    src = ["-f", "lavfi", "-i", f"testsrc=d=1:s={WIDTH}x{HEIGHT}:r={FRAMES}"]
    out: dict[str, bytes] = {}
    for c in CONTAINERS:
        mf.ffmpeg(*src, "-c:v", "mjpeg", "-q:v", "2", str(folder / f"clip.{c}"))
        out[c] = (folder / f"clip.{c}").read_bytes()
    for parity in ("top", "bottom"):
        mf.ffmpeg(*src, "-vf", f"field={parity}", "-c:v", "mjpeg", "-q:v", "8", "-f", "mjpeg",
                str(folder / f"{parity}.mjpeg"))
        out[parity] = (folder / f"{parity}.mjpeg").read_bytes()
    return out


def _fields(made: dict[str, bytes]) -> tuple[list[bytes], list[bytes]]:
    top, bottom = _jpegs(made["top"]), _jpegs(made["bottom"])
    assert len(top) == len(bottom) == FRAMES
    return top, bottom


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _findings(path: Path) -> dict[str, Finding]:
    return {f.field: f for f in engine.inspect(Source.from_path(path), path.name).findings}


def _gray(path: Path) -> bytes:
    """Every decoded picture as 8-bit grey, failing on any decoder complaint."""
    proc = subprocess.run([tool("ffmpeg"), "-v", "error", "-nostdin", "-i", str(path),
                           "-map", "0:v", "-f", "rawvideo", "-pix_fmt", "gray", "-"],
                          capture_output=True, timeout=120, check=False)
    assert proc.returncode == 0 and not proc.stderr, proc.stderr.decode(errors="replace")
    return proc.stdout


def _judge(dirty: Path, clean: Path) -> None:
    """What every cleaned file must show: same size, bytes only zeroed, pictures
    decoded the same and without complaint, ffprobe and exiftool content,
    and nothing left for the cleaner itself to find."""
    assert clean.stat().st_size == dirty.stat().st_size
    mf.assert_mjpeg_kept(dirty, clean)
    assert _gray(clean) == _gray(dirty)
    assert mf.probe_streams(clean) == mf.probe_streams(dirty)
    assert exiftool.errors(clean) == exiftool.errors(dirty)
    assert not [f for f in _findings(clean) if f.startswith("MJPEG")]
    assert engine.inspect(Source.from_path(clean), clean.name).findings == ()


# --- real files ---

@pytest.mark.parametrize("container", CONTAINERS)
def test_second_field_comment_and_exif_blanked(made: dict[str, bytes], tmp_path: Path,
                                               container: str) -> None:
    top, bottom = _fields(made)
    second = [_insert(b, _seg(0xFE, SECRET), _seg(0xE1, _exif())) for b in bottom]
    dirty = _write(tmp_path, f"dirty.{container}",
                   _splice(made[container], lambda i, _: top[i] + second[i]))
    ref = _write(tmp_path, f"ref.{container}",
                 _splice(made[container], lambda i, _: _strip(top[i]) + _strip(bottom[i])))
    found = _findings(dirty)
    assert "in 10 frames" in found["MJPEG frame comment"].untrusted_value  # once a frame
    assert found["MJPEG frame Exif"].category is Category.DEVICE
    assert "in 10 frames" in found["MJPEG frame Exif"].untrusted_value
    clean = mf.clean_to(dirty, tmp_path / f"clean.{container}")
    data = clean.read_bytes()
    assert SECRET not in data and EXIF_MAKE not in data and b"Lavc5" not in data
    _judge(dirty, clean)
    # Both fields decoded (the picture is the full height), as the reference
    # with the segments removed by hand decodes.
    assert len(_gray(clean)) == WIDTH * HEIGHT * FRAMES
    assert mf.decoded_frame_hashes(clean) == mf.decoded_frame_hashes(ref)


def _progressive(made: dict[str, bytes]) -> bytes:
    """A Pillow progressive JPEG of ffmpeg's first picture, with a DVR's comment
    and APP11 note before its second scan."""
    first = _jpegs(made["top"])[0]
    picture = Image.open(io.BytesIO(first)).resize((WIDTH, HEIGHT))
    picture.info.clear()  # Pillow would copy ffmpeg's comment over
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=60, progressive=True)
    jpeg = out.getvalue()
    second_scan = jpeg.index(b"\xff\xda", jpeg.index(b"\xff\xda") + 2)
    notes = _seg(0xFE, SECRET) + _seg(0xEB, b"VENDOR-GPS 51.53N 46.03E")
    return jpeg[:second_scan] + notes + jpeg[second_scan:]


@pytest.mark.parametrize("container", CONTAINERS)
def test_segments_between_scans_blanked(made: dict[str, bytes], tmp_path: Path,
                                        container: str) -> None:
    frame = _progressive(made)
    assert frame.count(b"\xff\xda") >= 3
    dirty = _write(tmp_path, f"dirty.{container}", _splice(made[container], lambda i, f: frame))
    found = _findings(dirty)
    assert found["MJPEG frame comment"].untrusted_value.startswith("DVR-7 serial")
    assert "in 10 frames" in found["MJPEG frame APP11 segment"].untrusted_value
    clean = mf.clean_to(dirty, tmp_path / f"clean.{container}")
    assert SECRET not in clean.read_bytes() and b"VENDOR-GPS" not in clean.read_bytes()
    _judge(dirty, clean)


def _without_comment(frame: bytes) -> tuple[bytes, int]:
    """ffmpeg's frame without its comment, and how many bytes that freed."""
    [(start, end)] = [(s, e) for m, s, e in _headers(frame) if m == 0xFE]
    return frame[:start] + frame[end:], end - start


@pytest.mark.parametrize("container", CONTAINERS)
def test_text_after_the_picture_zeroed_and_found(made: dict[str, bytes], tmp_path: Path,
                                                 container: str) -> None:
    def trailing(_: int, frame: bytes) -> bytes:
        picture, freed = _without_comment(frame)
        return picture + TRAILER[:freed].ljust(freed, b".")

    dirty = _write(tmp_path, f"dirty.{container}", _splice(made[container], trailing))
    found = _findings(dirty)["MJPEG frame data after the picture"]
    assert found.untrusted_value.startswith("CAM-07 2024")
    assert "in 10 frames" in found.untrusted_value
    assert found.category is Category.HIDDEN_CONTENT
    clean = mf.clean_to(dirty, tmp_path / f"clean.{container}")
    assert b"CAM-07" not in clean.read_bytes()
    _judge(dirty, clean)


@pytest.mark.parametrize("pad", [0x00, 0xFF])
def test_padding_after_the_picture_kept(made: dict[str, bytes], tmp_path: Path,
                                        pad: int) -> None:
    def padded(_: int, frame: bytes) -> bytes:
        picture, freed = _without_comment(frame)
        return picture + bytes([pad]) * freed

    dirty = _write(tmp_path, "dirty.mov", _splice(made["mov"], padded))
    assert not [f for f in _findings(dirty) if f.startswith("MJPEG")]
    clean = mf.clean_to(dirty, tmp_path / "clean.mov")
    before, after = dirty.read_bytes(), clean.read_bytes()
    for start, end in _frames(made["mov"]):
        assert after[start:end] == before[start:end], "a frame or its padding changed"
    _judge(dirty, clean)


def test_frame_without_end_marker_walked(made: dict[str, bytes], tmp_path: Path) -> None:
    # The end marker's two bytes go into the comment instead: the frame ends
    # in its picture data, as a camera's frame cut short does.
    def cut(_: int, frame: bytes) -> bytes:
        [(start, end)] = [(s, e) for m, s, e in _headers(frame) if m == 0xFE]
        longer = _seg(0xFE, frame[start + 4 : end] + b"..")
        return frame[:start] + longer + frame[end:-2]

    dirty = _write(tmp_path, "dirty.avi", _splice(made["avi"], cut))
    assert "in 10 frames" in _findings(dirty)["MJPEG frame comment"].untrusted_value
    clean = mf.clean_to(dirty, tmp_path / "clean.avi")
    assert b"Lavc" not in clean.read_bytes()
    assert mf.packet_layout(clean) == mf.packet_layout(dirty)
    assert mf.decoded_frame_hashes(clean) == mf.decoded_frame_hashes(dirty)
    assert engine.inspect(Source.from_path(clean), clean.name).findings == ()


def test_three_pictures_in_a_frame_refused(made: dict[str, bytes], tmp_path: Path) -> None:
    top, bottom = _fields(made)
    third = b"\xff\xd8" + SCAN + b"\x12\xff\xd9"  # any third picture, however small
    dirty = _write(tmp_path, "dirty.avi",
                   _splice(made["avi"], lambda i, _: top[i] + bottom[i] + third))
    with pytest.raises(LimitRefused):
        engine.prepare(Source.from_path(dirty), dirty.name)


def test_frame_past_the_size_bound_refused(made: dict[str, bytes], tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    clip = _write(tmp_path, "clip.mov", made["mov"])
    biggest = max(e - s for s, e in _frames(made["mov"]))
    monkeypatch.setattr(mjpeg, "MAX_FRAME_BYTES", biggest - 1)
    with pytest.raises(LimitRefused):
        engine.prepare(Source.from_path(clip), clip.name)
    with pytest.raises(LimitRefused):
        engine.inspect(Source.from_path(clip), clip.name)


@pytest.mark.parametrize("container", CONTAINERS)
def test_small_windows_find_the_same(made: dict[str, bytes], tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch, container: str) -> None:
    # Windows far smaller than a frame: markers, segments and the end marker
    # land across their borders somewhere in the file.
    top, bottom = _fields(made)
    second = [_insert(b, _seg(0xFE, SECRET)) for b in bottom]
    dirty = _write(tmp_path, f"dirty.{container}",
                   _splice(made[container], lambda i, _: top[i] + second[i] + TRAILER))
    src = Source.from_path(dirty)
    expected = engine.inspect(src, dirty.name).findings
    cleaned = io.BytesIO()
    engine.prepare(src, dirty.name).write_to(cleaned)
    for window in (97, 1000, 4099):
        monkeypatch.setattr(mjpeg, "_WINDOW", window)
        assert engine.inspect(src, dirty.name).findings == expected
        again = io.BytesIO()
        engine.prepare(src, dirty.name).write_to(again)
        assert again.getvalue() == cleaned.getvalue()


# --- the scanner on crafted frames ---

SCAN = _seg(0xDA, b"\x01\x01\x00\x00\x3f\x00")


THUMB_RGB = bytes([0xC8, 0x20, 0x30, 0x40, 0xB0, 0x60])  # 2x1 pixels, never all zero
JFIF_THUMB = b"JFIF\x00\x01\x02\x00\x00\x01\x00\x01\x02\x01" + THUMB_RGB


@pytest.mark.parametrize("container", CONTAINERS)
def test_jfif_thumbnail_zeroed_and_its_fields_kept(made: dict[str, bytes], tmp_path: Path,
                                                   container: str) -> None:
    """A JFIF APP0 with a thumbnail (an uncropped copy of the picture) in every
    frame, where ffmpeg's comment was: the thumbnail goes, the JFIF stays."""
    def thumbed(_: int, frame: bytes) -> bytes:
        picture, _freed = _without_comment(frame)
        [(start, end)] = [(a, b) for m, a, b in _headers(picture) if m == 0xE0]
        return picture[:start] + _seg(0xE0, JFIF_THUMB) + picture[end:]

    dirty = _write(tmp_path, f"dirty.{container}", _splice(made[container], thumbed))
    assert dirty.read_bytes().count(THUMB_RGB) == FRAMES
    found = _findings(dirty)["MJPEG frame JFIF thumbnail"]
    assert found.untrusted_value == "in 10 frames"
    assert found.category is Category.HIDDEN_CONTENT
    clean = mf.clean_to(dirty, tmp_path / f"clean.{container}")
    data = clean.read_bytes()
    assert THUMB_RGB not in data
    assert data.count(JFIF_THUMB[:14] + bytes(len(THUMB_RGB))) == FRAMES
    _judge(dirty, clean)


def _picture(*segments: bytes, data: bytes = b"\x12\xff\x00\x34\xff\xd3\x56") -> bytes:
    """One JPEG picture: segments, a scan with stuffing and a restart marker, EOI."""
    return b"\xff\xd8" + b"".join(segments) + SCAN + data + b"\xff\xd9"


def _scan(frame: bytes) -> mjpeg.MjpegScanner:
    scanner = mjpeg.MjpegScanner()
    scanner.frame(io.BytesIO(frame), 0, len(frame))
    return scanner


def _walk(frame: bytes) -> tuple[dict[int, object], dict[str, int]]:
    scanner = _scan(frame)
    return dict(scanner.patches), dict(scanner.counts)


BORDER_FRAME = (
    _picture(_seg(0xE0, b"JFIF\x00\x01\x02" + bytes(7)), _seg(0xFE, b"first"),
             data=b"\x11\xff\x00" + SCAN + b"\x22\xff\xff" + _seg(0xFE, b"between")
             + SCAN + b"\x33\xff\xd0\x44")
    + b"\x00\x00\xff\xff" + _picture(_seg(0xE1, _exif())) + b"\xff\xff" + TRAILER
)


def test_marker_split_across_every_window_border(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _walk(BORDER_FRAME)
    assert expected[1] == {"comment": 1, "Exif": 1, mjpeg.AFTER: 1}
    for window in range(1, 48):
        monkeypatch.setattr(mjpeg, "_WINDOW", window)
        assert _walk(BORDER_FRAME) == expected, window


def test_cleaned_frame_has_nothing_left() -> None:
    scanner = _scan(BORDER_FRAME)
    cleaned = mf.apply_patches(BORDER_FRAME, {at: bytes(p.length) if isinstance(p, Zeros)
                                              else p for at, p in scanner.patches.items()})
    for secret in (b"first", b"between", EXIF_MAKE, b"CAM-07"):
        assert secret in BORDER_FRAME and secret not in cleaned
    assert cleaned.count(b"JFIF") == 1 and cleaned.count(SCAN) == 4
    assert _walk(cleaned) == ({}, {})


def test_value_of_data_after_the_picture() -> None:
    scanner = _scan(_picture() + b"\x00\x00" + TRAILER)
    [finding] = scanner.findings()
    assert finding.field == "MJPEG frame data after the picture"
    assert finding.untrusted_value == f"{TRAILER.decode()} (in 1 frame)"
    assert scanner.patches == {len(_picture()): Zeros(2 + len(TRAILER))}


@pytest.mark.parametrize("tail", [b"", b"\x00" * 9, b"\xff" * 9, b"\x00\x00\xff\xff"])
def test_padding_kept(tail: bytes) -> None:
    assert _walk(_picture(_seg(0xFE, b"x")) + tail) == ({6: Zeros(1)}, {"comment": 1})


@pytest.mark.parametrize("tail", [b"\xff\x00", b"\x00\xff\x00", b"\x01", b"\xff\xd9"])
def test_anything_else_after_the_picture_zeroed(tail: bytes) -> None:
    picture = _picture()
    assert _walk(picture + tail) == ({len(picture): Zeros(len(tail))}, {mjpeg.AFTER: 1})


def test_jfif_fields_kept_thumbnail_and_jfxx_zeroed() -> None:
    plain = _seg(0xE0, b"JFIF\x00\x01\x02" + bytes(7))
    assert _walk(_picture(plain)) == ({}, {})
    # SOI, the APP0 marker and length (6 bytes), then 14 fixed: the thumbnail.
    assert _walk(_picture(_seg(0xE0, JFIF_THUMB))) == (
        {6 + 14: Zeros(len(THUMB_RGB))}, {mjpeg.THUMBNAIL: 1})
    jfxx = _seg(0xE0, b"JFXX\x00\x13\x02\x01" + THUMB_RGB)
    assert _walk(_picture(jfxx)) == ({6: Zeros(len(jfxx) - 4)}, {"JFXX thumbnail": 1})
    blanked = _picture(_seg(0xE0, JFIF_THUMB[:14] + bytes(len(THUMB_RGB))))
    assert _walk(blanked) == ({}, {})  # a cleaned frame, inspected again


def test_field_limit() -> None:
    field = _picture()
    assert _walk(field + b"\x00" + field) == ({}, {})
    with pytest.raises(LimitRefused):
        _scan(field * (mjpeg.MAX_FIELDS + 1))


def test_size_bound_refused_before_reading() -> None:
    with pytest.raises(LimitRefused):
        mjpeg.MjpegScanner().frame(io.BytesIO(b""), 0, mjpeg.MAX_FRAME_BYTES + 1)


def test_reads_stay_in_one_window_however_large_the_frame() -> None:
    frame = _picture(data=b"\x55" * (8 << 20) + _seg(0xFE, b"late note") + SCAN + b"\x66")

    class Counting(io.BytesIO):
        largest = 0

        def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
            Counting.largest = max(Counting.largest, len(buffer))
            return super().readinto(buffer)

    scanner = mjpeg.MjpegScanner()
    scanner.frame(Counting(frame), 0, len(frame))
    assert scanner.counts == {"comment": 1} and 0 < Counting.largest <= mjpeg._WINDOW


@pytest.mark.parametrize(
    ("frame", "refusal"),
    [
        (_picture(data=b"\x12\xff\xd8\x34"), CorruptRefused),  # SOI inside a scan
        (_picture(data=b"\x12" + _seg(0xF0, b"JPG0 note")), UnsupportedContentRefused),
        (b"\xff\xd8" + _seg(0x02, b"reserved") + SCAN + b"\xff\xd9", UnsupportedContentRefused),
        (_picture(data=b"\x12\xff\xfe\x00\x40short"), CorruptRefused),  # past the frame
        (_picture()[:-2] + b"\xff\xc4\x00", CorruptRefused),  # cut inside a marker
        (b"\xff\xd8" + SCAN + b"\x12" + b"\xff\xd9\xff\xd8" + b"\xff\xd9", CorruptRefused),
    ],
)
def test_broken_frames_refused(frame: bytes, refusal: type[CleanRefused]) -> None:
    with pytest.raises(refusal):
        _scan(frame)


def test_truncated_frames() -> None:
    # Cut inside the picture data: every byte searched, nothing else to find.
    assert _walk(_picture(_seg(0xFE, b"x"))[:-2]) == ({6: Zeros(1)}, {"comment": 1})
    assert _walk(_picture()[:-1]) == ({}, {})  # a lone 0xFF at the end
    with pytest.raises(CorruptRefused):
        _scan(b"\xff\xd8" + _seg(0xFE, b"x"))  # no picture data at all


# --- fuzz: any bytes end in a refusal or in a clean frame that stays clean ---

_PIECES = st.one_of(
    st.sampled_from([b"\xff\xd8", b"\xff\xd9", b"\xff\x00", b"\xff\xd3", b"\xff\xff", SCAN,
                     b"\x00\x00", _seg(0xFE, b"note"), _seg(0xE1, _exif()),
                     _seg(0xE0, b"JFIF\x00"), _seg(0xDC, b"\x00\xf0"), TRAILER]),
    st.binary(max_size=12),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.lists(_PIECES, max_size=14), window=st.sampled_from([1, 2, 5, 64, 4096]),
       start=st.booleans())
def test_fuzzed_frames_refused_or_cleaned(body: list[bytes], window: int, start: bool) -> None:
    frame = (b"\xff\xd8" if start else b"") + b"".join(body)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(mjpeg, "_WINDOW", window)
        try:
            scanner = _scan(frame)
        except CleanRefused:
            return
        patches = {at: bytes(p.length) if isinstance(p, Zeros) else p
                   for at, p in scanner.patches.items()}
        assert all(isinstance(p, Zeros) for p in scanner.patches.values())
        spans = sorted((at, at + len(p)) for at, p in patches.items())
        assert all(0 <= a < b <= len(frame) for a, b in spans)
        assert all(b <= c for (_, b), (c, _) in pairwise(spans))
        cleaned = mf.apply_patches(frame, patches)
        assert _walk(cleaned) == ({}, {}), "a cleaned frame still had something to find"
    assert _walk(frame) == ({at: Zeros(len(p)) for at, p in patches.items()},
                            dict(scanner.counts)), "the window size changed the walk"
