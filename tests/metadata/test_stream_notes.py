"""Motion-JPEG frame segments in MOV/MP4/MKV and AAC encoder notes, blanked in place.

Real ffmpeg files (``-c:v mjpeg -c:a aac``: "Lavc..." in every picture's
comment and in the first sound frame), judged by ffmpeg (decoded pictures
and samples, packet layout) and exiftool; then crafted and damaged cases.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest

from submitter.metadata import aac, engine, matroska, mjpeg
from submitter.metadata.isobmff import AAC_NOTE
from submitter.metadata.model import (
    Category,
    CleanRefused,
    CorruptRefused,
    UnsupportedContentRefused,
)
from submitter.metadata.source import Source
from submitter.metadata.splice import Zeros
from tests.metadata import exiftool
from tests.metadata import media_fixtures as mf

LAVC = b"Lavc"
FFMPEG_FIL = bytes.fromhex("de0200") + b"Lavc59.37.100" + b"\x00\x00"  # its first-frame note



def make_mjpeg(folder: Path, name: str, *extra: str) -> Path:
    out = folder / name
    mf.ffmpeg("-f", "lavfi", "-i", "testsrc=d=1:s=160x120:r=10", "-f", "lavfi", "-i",
             "sine=d=1:f=440:sample_rate=44100", "-c:v", "mjpeg", "-q:v", "5",
             "-c:a", "aac", "-b:a", "64k", *extra, str(out))
    return out


def make_aac_m4a(folder: Path) -> Path:
    out = folder / "voice.m4a"
    mf.ffmpeg("-f", "lavfi", "-i", "sine=d=1:f=440:sample_rate=44100", "-c:a", "aac",
            "-b:a", "64k", str(out))
    return out


MAKERS = {
    "mov": lambda d: make_mjpeg(d, "clip.mov"),
    "mp4": lambda d: make_mjpeg(d, "clip.mp4"),
    "mp4-fragmented": lambda d: make_mjpeg(d, "frag.mp4", "-movflags",
                                           "+frag_keyframe+empty_moov", "-frag_duration",
                                           "200000"),
    "mkv": lambda d: make_mjpeg(d, "clip.mkv"),
    "m4a": make_aac_m4a,
}


@pytest.fixture(scope="module", params=sorted(MAKERS))
def made(request: pytest.FixtureRequest,
         tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp(request.param)
    dirty = MAKERS[request.param](folder)
    return dirty, mf.clean_to(dirty, folder / ("clean" + dirty.suffix))


def _findings(path: Path) -> dict[str, tuple[str, Category]]:
    return {f.field: (f.untrusted_value, f.category)
            for f in engine.inspect(Source.from_path(path), path.name).findings}


def test_inspect_reports_the_notes(made: tuple[Path, Path]) -> None:
    dirty, _ = made
    found = _findings(dirty)
    value, category = found["AAC sound stream (encoder note)"]
    assert value.startswith("Lavc") and "the program that made the sound" in value
    assert category is Category.SOFTWARE
    if dirty.suffix != ".m4a":
        value, category = found["MJPEG frame comment"]
        assert value.startswith("Lavc") and "(in 10 frames)" in value
        assert category is Category.SOFTWARE


def test_clean_blanks_them_all_and_nothing_is_left(made: tuple[Path, Path]) -> None:
    dirty, clean = made
    assert dirty.read_bytes().count(LAVC) >= (1 if dirty.suffix == ".m4a" else 11)
    assert LAVC not in clean.read_bytes()
    assert clean.stat().st_size == dirty.stat().st_size
    assert not [f for f in _findings(clean) if f.startswith(("MJPEG", "AAC"))]
    assert engine.inspect(Source.from_path(clean), clean.name).findings == ()


def test_pictures_sound_and_packets_identical(made: tuple[Path, Path]) -> None:
    dirty, clean = made
    assert mf.probe_streams(clean) == mf.probe_streams(dirty)
    mf.assert_packets_kept(dirty, clean)  # Motion-JPEG and AAC judges: see media_fixtures
    assert mf.decoded_audio_hash(clean) == mf.decoded_audio_hash(dirty)


def test_exiftool_finds_nothing_identifying(made: tuple[Path, Path]) -> None:
    _, clean = made
    assert exiftool.identifying(clean, embedded=True) == []
    assert not [t for t in exiftool.read_tags(clean, embedded=True)
                if t.group not in ("System", "File")
                and any(s in str(t.value) for s in ("Lavc", "Lavf"))]


def test_report_says_what_was_blanked(tmp_path: Path) -> None:
    dirty = make_mjpeg(tmp_path, "clip.mov")
    plan = engine.prepare(Source.from_path(dirty), dirty.name)
    assert AAC_NOTE in plan.report.notes
    assert any("Motion-JPEG" in n for n in plan.report.notes)


# --- crafted Motion-JPEG cases, inside a real MOV ---

@pytest.fixture(scope="module")
def mov(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_mjpeg(tmp_path_factory.mktemp("mov"), "clip.mov").read_bytes()


def _clean_bytes(data: bytes, name: str = "clip.mov") -> bytes:
    plan = engine.prepare(Source.from_bytes(data), name)
    out = io.BytesIO()
    plan.write_to(out)
    return out.getvalue()


def _comments(data: bytes) -> list[int]:
    """Where each frame's COM segment (ffmpeg's version) starts."""
    out, at = [], data.find(b"\xff\xfe")
    while at >= 0:
        if data[at + 4 : at + 8] == LAVC:
            out.append(at)
        at = data.find(b"\xff\xfe", at + 1)
    return out


def test_vendor_segment_in_a_frame_blanked(mov: bytes) -> None:
    data = bytearray(mov)
    for at in _comments(mov):  # the comment becomes a DVR's APP11 note, same length
        n = int.from_bytes(data[at + 2 : at + 4], "big") - 2
        data[at + 1] = 0xEB
        data[at + 4 : at + 4 + n] = b"DVR SN 4711"[:n].ljust(n, b"\x00")
    found = {f.field: f for f in engine.inspect(Source.from_bytes(bytes(data)),
                                                "clip.mov").findings}
    assert "in 10 frames" in found["MJPEG frame APP11 segment"].untrusted_value
    cleaned = _clean_bytes(bytes(data))
    assert b"DVR SN" not in cleaned and len(cleaned) == len(data)


def test_motion_jpeg_b_refused(mov: bytes) -> None:
    data = mov.replace(b"\x00\x00\x00\x01\x00\x00\x00pjpeg", b"\x00\x00\x00\x01\x00\x00\x00pmjpb")
    assert data != mov
    with pytest.raises(UnsupportedContentRefused):
        _clean_bytes(data)


@pytest.mark.parametrize("damage", ["not a JPEG", "segment past its frame"])
def test_damaged_frame_refused(mov: bytes, damage: str) -> None:
    data = bytearray(mov)
    at = _comments(mov)[3]
    if damage == "not a JPEG":
        soi = mov.rfind(b"\xff\xd8", 0, at)
        data[soi : soi + 2] = b"\x00\x00"
    else:
        data[at + 2 : at + 4] = b"\xff\xf0"
    with pytest.raises(CorruptRefused):
        _clean_bytes(bytes(data))


def test_a_frame_is_read_once_in_bounded_windows() -> None:
    # The whole frame is searched (segments hide after the scan too), but in
    # windows: memory stays flat, and each byte is read once.
    frame = (b"\xff\xd8" + b"\xff\xfe\x00\x0aLavc5x.x" + b"\xff\xda\x00\x08" + bytes(6)
             + b"\x55" * (4 << 20) + b"\xff\xd9")

    class Counting(io.BytesIO):
        total = largest = 0

        def read(self, n: int | None = -1) -> bytes:
            data = super().read(n)
            Counting.total += len(data)
            Counting.largest = max(Counting.largest, len(data))
            return data

    scanner = mjpeg.MjpegScanner()
    scanner.frame(Counting(frame), 0, len(frame))
    assert Counting.largest <= mjpeg._WINDOW and scanner.counts["comment"] == 1
    assert Counting.total <= len(frame) + len(frame) // 1000


# --- crafted AAC frames ---

def _scan(frame: bytes, first: bool = True) -> aac.AacScanner:
    scanner = aac.AacScanner()
    scanner.frame(io.BytesIO(frame), 0, len(frame), first=first)
    return scanner




def test_ffmpeg_fill_element_blanked_to_zero_bits() -> None:
    frame = FFMPEG_FIL + b"\x21\x10\x05\x00"  # the note, then the sound's first bits
    scanner = _scan(frame)
    after = mf.apply_patches(frame, scanner.patches)
    assert after[:3] == FFMPEG_FIL[:3] and after[3:16] == bytes(13)
    assert after[16:] == frame[16:], "bits after the element changed"
    [finding] = scanner.findings()
    assert finding.untrusted_value.startswith("Lavc59.37.100")


def test_data_stream_element_blanked_and_dvb_levels_kept() -> None:
    dse = bytes([0x80, 12]) + b"Encoder X v1" + b"\x21\x10"
    assert mf.apply_patches(dse, _scan(dse).patches)[2:14] == bytes(12)
    dvb = bytes([0x80, 4, aac.DVB_ANCILLARY, 1, 2, 3]) + b"\x21"
    assert not _scan(dvb).patches


def test_other_first_elements_untouched() -> None:
    sbr = bytes([0xD4 | 0x01, 0xA0]) + b"\x55" * 10  # FIL with an SBR extension
    assert not _scan(sbr).patches
    sce = b"\x01\x40\x20" + b"\x55" * 20  # a channel element: sound, never read further
    assert not _scan(sce).patches


def test_note_that_cannot_be_located_refused() -> None:
    frame = b"\x01\x40\x20" + b"Lavc59.37.100" + b"\x55" * 8  # inside coded sound
    with pytest.raises(UnsupportedContentRefused):
        _scan(frame)
    assert not _scan(frame, first=False).patches  # only the first frame is searched


def test_note_longer_than_its_frame_refused() -> None:
    with pytest.raises(CorruptRefused):
        _scan(FFMPEG_FIL[:10])
    with pytest.raises(CorruptRefused):
        _scan(bytes([0x80, 50]) + b"short")


def test_unlocatable_note_in_a_real_file_refused(tmp_path: Path) -> None:
    data = bytearray(make_aac_m4a(tmp_path).read_bytes())
    at = data.index(LAVC) - 3
    assert data[at : at + 3] == FFMPEG_FIL[:3]
    data[at + 1] |= 1  # extension type 0xB (dynamic range): no longer filler
    data[at + 2] = (data[at + 2] & 0x1F) | 0x60
    with pytest.raises(CleanRefused):
        _clean_bytes(bytes(data), "voice.m4a")


def test_configuration_decides_what_is_walked() -> None:
    assert aac.walked(aac.MPEG4_AUDIO, bytes([0x12, 0x10]))  # AAC LC
    assert not aac.walked(aac.MPEG4_AUDIO, bytes([0xF8, 0x20]))  # object type 33: not AAC
    assert not aac.walked(aac.MPEG4_AUDIO, None)
    assert aac.walked(0x67, None) and not aac.walked(0x6B, None)  # MPEG-2 AAC; MP3
    with pytest.raises(CorruptRefused):
        aac.object_type(b"\xf8")


# --- Matroska lacing: every frame of a laced AAC block is found ---

def _block(flags: int, lace: bytes,
           frames: list[bytes]) -> tuple[matroska._Walk, matroska.Element]:
    body = b"\x81\x00\x00" + bytes([flags]) + lace + b"".join(frames)
    data = b"\xa3" + bytes([0x80 | len(body)]) + body
    walk = matroska._Walk(io.BytesIO(data), len(data))
    return walk, matroska.Element(0xA3, 0, 2, len(data))


@pytest.mark.parametrize(
    ("flags", "lace", "sizes"),
    [
        (0x00, b"", [20]),
        (0x02, bytes([2, 10, 15]), [10, 15, 20]),  # Xiph
        (0x06, bytes([2, 0x8A, 0xC4]), [10, 15, 20]),  # EBML: 10, then +5
        (0x04, bytes([2]), [15, 15, 15]),  # fixed
    ],
)
def test_laced_frames(flags: int, lace: bytes, sizes: list[int]) -> None:
    walk, el = _block(flags, lace, [bytes([i]) * n for i, n in enumerate(sizes)])
    frames = walk.laced_frames(el, 1)
    assert [n for _, n in frames] == sizes
    start = 2 + 4 + len(lace)
    assert [off for off, _ in frames] == [start + sum(sizes[:i]) for i in range(len(sizes))]


def test_laced_block_longer_than_itself_refused() -> None:
    walk, el = _block(0x02, bytes([1, 200]), [b"\x00" * 20])
    with pytest.raises(CorruptRefused):
        walk.laced_frames(el, 1)


def test_segments_decoders_need_are_kept() -> None:
    def seg(marker: int, body: bytes) -> bytes:
        return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body

    kept = [seg(0xE0, b"JFIF\x00\x01\x02"), seg(0xE0, b"AVI1\x00"),
            seg(0xE1, b"\x00\x00\x00\x00mjpg" + bytes(32)), seg(0xEE, b"Adobe\x00d")]
    frame = (b"\xff\xd8" + b"".join(kept) + seg(0xE1, b"Exif\x00\x00MM camera")
             + b"\xff\xda\x00\x08" + bytes(6) + b"\x55" * 64)
    scanner = mjpeg.MjpegScanner()
    scanner.frame(io.BytesIO(frame), 0, len(frame))
    assert dict(scanner.counts) == {"Exif": 1}
    [(at, patch)] = scanner.patches.items()
    assert at == frame.index(b"Exif")
    assert patch == Zeros(len(b"Exif\x00\x00MM camera"))
