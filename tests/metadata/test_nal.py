"""Encoder notes inside H.264 / HEVC video (SEI user data unregistered).

Real files from ffmpeg's libx264 / libx265 carry "x264 - core ..." or
"x265 (build ...)" in the video stream itself; after cleaning the raw bytes no
longer hold it, the pictures decode identically and every other NAL unit is
byte for byte the same. Crafted NAL units cover the escaping rules and the
damaged cases, which end in a blanking or a refusal, never another error.
"""

from __future__ import annotations

import io
import re
import struct
from collections.abc import Callable
from pathlib import Path

import pytest

from submitter.metadata import engine, nal
from submitter.metadata.model import Category, CleanRefused, CorruptRefused, LimitRefused
from submitter.metadata.source import Source
from tests.metadata import media_fixtures as mf
from tests.peers import tool

X264 = b"x264 - core"
X265 = b"x265 (build"
_FORBIDDEN = re.compile(rb"\x00\x00[\x00-\x02]|\x00\x00\x03[^\x00-\x03]")


def _has_encoder(name: str) -> bool:
    proc = mf.run(tool("ffmpeg"), "-hide_banner", "-encoders")
    return f" {name} ".encode() in proc.stdout


def _x265(folder: Path, suffix: str) -> Path:
    out = folder / f"hevc{suffix}"
    mf.run(tool("ffmpeg"), "-v", "error", "-y", "-nostdin", "-f", "lavfi", "-i",
           "testsrc=d=1:s=160x120:r=10", "-c:v", "libx265", "-preset", "ultrafast",
           "-x265-params", "log-level=error", str(out))
    return out


def _x264_frag(folder: Path) -> Path:
    out = folder / "frag.mp4"
    mf.run(tool("ffmpeg"), "-v", "error", "-y", "-nostdin", "-f", "lavfi", "-i",
           "testsrc=d=1:s=160x120:r=10", "-c:v", "libx264", "-preset", "ultrafast",
           "-movflags", "frag_keyframe+empty_moov", str(out))
    return out


MAKERS: dict[str, tuple[Callable[[Path], Path], bytes]] = {
    "mp4-x264": (mf.make_mp4, X264),
    "m4v-x264": (mf.make_m4v, X264),
    "mp4-x264-fragmented": (_x264_frag, X264),
    "mkv-x264": (mf.make_mkv, X264),
    "mp4-x265": (lambda d: _x265(d, ".mp4"), X265),
    "mkv-x265": (lambda d: _x265(d, ".mkv"), X265),
}


@pytest.fixture(scope="module", params=sorted(MAKERS))
def encoded(request: pytest.FixtureRequest,
            tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, bytes]:
    maker, marker = MAKERS[request.param]
    if marker == X265:
        # Debian's ffmpeg (installed by `make test`) has it; a build without it
        # would leave HEVC unproven, so that is a failure, not a skip.
        assert _has_encoder("libx265"), "ffmpeg without libx265"
    folder = tmp_path_factory.mktemp(request.param)
    dirty = maker(folder)
    clean = mf.clean_to(dirty, folder / ("clean" + dirty.suffix))
    return dirty, clean, marker


def test_encoder_string_there_before_and_gone_after(encoded: tuple[Path, Path, bytes]) -> None:
    dirty, clean, marker = encoded
    assert marker in dirty.read_bytes()
    assert marker not in clean.read_bytes()
    assert clean.stat().st_size == dirty.stat().st_size


def test_inspect_names_the_encoder(encoded: tuple[Path, Path, bytes]) -> None:
    dirty, clean, marker = encoded
    found = [f for f in engine.inspect(Source.from_path(dirty), dirty.name).findings
             if "SEI" in f.field]
    assert found, "no finding for the encoder notes"
    assert all(f.category is Category.SOFTWARE for f in found)
    assert any(f.untrusted_value.startswith(marker.decode()) and
               "the program that made the video" in f.untrusted_value for f in found)
    assert engine.inspect(Source.from_path(clean), clean.name).findings == ()


def test_pictures_identical_and_packets_kept(encoded: tuple[Path, Path, bytes]) -> None:
    dirty, clean, _ = encoded
    assert mf.decoded_video_hash(clean) == mf.decoded_video_hash(dirty)
    mf.assert_packets_kept(dirty, clean, ("0:v",))


# --- crafted NAL units ---

UUID = bytes(range(16))


def _ff(n: int) -> bytes:
    return b"\xff" * (n // 255) + bytes([n % 255])


def _sei(*messages: tuple[int, bytes], codec: str = nal.H264) -> bytes:
    """An escaped SEI NAL unit holding the messages (type, unescaped payload)."""
    header = b"\x06" if codec == nal.H264 else bytes([39 << 1, 1])
    body = b"".join(_ff(t) + _ff(len(p)) + p for t, p in messages)
    return nal.escape(header + body + b"\x80")


def _sample(*nals: bytes, width: int = 4) -> bytes:
    return b"".join(len(n).to_bytes(width, "big") + n for n in nals)


def _scan(sample: bytes, codec: str = nal.H264, width: int = 4) -> nal.NalScanner:
    scanner = nal.NalScanner()
    scanner.sample(io.BytesIO(sample), codec, width, 0, len(sample))
    return scanner




def _check_blanked(nal_unit: bytes, blanked: bytes, header_len: int = 1) -> None:
    assert len(blanked) == len(nal_unit)
    assert not _FORBIDDEN.search(blanked), "blanking made a start code or a bad escape"
    before = nal.sei_messages(nal.unescape(nal_unit), header_len)
    after = nal.sei_messages(nal.unescape(blanked), header_len)
    assert [(t, b - a) for t, a, b in before] == [(t, b - a) for t, a, b in after]
    rbsp = nal.unescape(blanked)
    for t, a, b in after:
        if t == nal.USER_DATA_UNREGISTERED:
            assert nal.neutral(rbsp[a:b])


@pytest.mark.parametrize("codec", [nal.H264, nal.HEVC])
def test_plain_text_note_blanked(codec: str) -> None:
    unit = _sei((1, b"\x12\x34"), (5, UUID + b"Camera SN 12345\x00"), codec=codec)
    slice_nal = b"\x65\x88\x84\x00\x00\x03\x01" if codec == nal.H264 else b"\x26\x01\xaf"
    sample = _sample(unit, slice_nal)
    scanner = _scan(sample, codec)
    assert [(f.untrusted_value, f.category) for f in scanner.findings()] == [
        ("Camera SN 12345 (the program that made the video, named inside the video stream)",
         Category.SOFTWARE)]
    cleaned = mf.apply_patches(sample, scanner.patches)
    assert b"Camera" not in cleaned and cleaned.endswith(slice_nal)
    _check_blanked(unit, cleaned[4 : 4 + len(unit)], 1 if codec == nal.H264 else 2)
    assert _scan(cleaned, codec).findings() == [] and _scan(cleaned, codec).patches == {}
    assert b"\x12\x34" in cleaned  # other messages are kept


@pytest.mark.parametrize("payload", [
    UUID + b"\x00\x00\x00\x01serial\x00\x00\x02",
    UUID + b"\x00" * 40,
    b"\x00\x00\x00" + UUID[3:] + b"abc\x00\x00",
    UUID + b"\x00\x00",
])
def test_note_with_emulation_prevention_blanked_exactly(payload: bytes) -> None:
    unit = _sei((5, payload), (6, b"\x00\x00\x01"))
    assert b"\x00\x00\x03" in unit
    scanner = _scan(_sample(unit))
    blanked = mf.apply_patches(_sample(unit), scanner.patches)[4:]
    _check_blanked(unit, blanked)
    assert _scan(_sample(blanked)).patches == {}


def test_binary_note_is_hidden_content() -> None:
    scanner = _scan(_sample(_sei((5, UUID + bytes([0x9C, 0x11, 0xE7])))))
    assert [f.category for f in scanner.findings()] == [Category.HIDDEN_CONTENT]


def test_note_neighbouring_escapes_kept() -> None:
    """A payload that starts right after an escaped byte or ends before one."""
    unit = _sei((6, b"\x00\x00"), (5, UUID + b"\x00\x00"), (7, b"\x01\x00\x00"))
    blanked = mf.apply_patches(_sample(unit), _scan(_sample(unit)).patches)[4:]
    _check_blanked(unit, blanked)


@pytest.mark.parametrize("unit", [
    b"\x06\x05",  # cut inside the message header
    b"\x06\x05\xff",  # payloadSize cut inside its 0xFF run
    b"\x06\x05\x20" + UUID + b"abc",  # payloadSize past the NAL unit
    b"\x06\x05\x13" + UUID + b"abc",  # no end mark
])
def test_damaged_notes_refused(unit: bytes) -> None:
    with pytest.raises(CorruptRefused):
        _scan(_sample(unit))


def test_nal_length_past_the_sample_refused() -> None:
    sample = bytearray(_sample(_sei((5, UUID + b"abc"))))
    sample[0:4] = struct.pack(">I", len(sample) + 10)
    with pytest.raises(CorruptRefused):
        _scan(bytes(sample))
    with pytest.raises(CorruptRefused):
        _scan(b"\x00\x00\x00\x09\x06\x05", width=4)  # cut inside a NAL unit


def test_many_nal_units_end_in_a_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nal, "MAX_NALS", 1000)
    with pytest.raises(LimitRefused):
        _scan(_sample(*([b"\x09\xf0"] * 2000)))


def test_large_note_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nal, "MAX_SEI_NAL", 64)
    with pytest.raises(LimitRefused):
        _scan(_sample(_sei((5, UUID + b"a" * 100))))


def test_hvcc_notes_blanked() -> None:
    unit = _sei((5, UUID + b"x265 (build 1) - test"), codec=nal.HEVC)
    config = bytes(21) + b"\x03" + b"\x01" + bytes([39]) + b"\x00\x01" + \
        len(unit).to_bytes(2, "big") + unit
    scanner = nal.NalScanner()
    nal.scan_hvcc(scanner, config, 100)
    assert scanner.findings() and min(scanner.patches) >= 100 + 23
    assert nal.config_length_size(nal.HEVC, config) == 4


# --- damage in real files goes through the engine as a refusal ---

@pytest.fixture(scope="module")
def x264_mp4(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return mf.make_mp4(tmp_path_factory.mktemp("x264")).read_bytes()


def _sei_nal_at(data: bytes) -> int:
    """Offset of the length prefix of the x264 SEI NAL unit."""
    at = data.find(X264)
    start = data.rfind(b"\x06\x05", 0, at)
    return start - 4


@pytest.mark.parametrize("damage", ["size past nal", "length past sample", "no end mark"])
def test_damaged_real_file_refused(x264_mp4: bytes, damage: str) -> None:
    data = bytearray(x264_mp4)
    pos = _sei_nal_at(x264_mp4)
    n = int.from_bytes(data[pos : pos + 4], "big")
    if damage == "size past nal":
        data[pos + 8] = 0xFF  # payloadSize runs on past the NAL unit
    elif damage == "length past sample":
        data[pos : pos + 4] = (n + 100_000).to_bytes(4, "big")
    else:
        data[pos + 4 + n - 1] = 0x41
    for step in (engine.inspect, engine.prepare):
        with pytest.raises(CleanRefused):
            step(Source.from_bytes(bytes(data)), "clip.mp4")
