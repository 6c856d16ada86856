"""Encoder notes inside MPEG-4 Part 2 video (user data), and H.264 inside AVI.

Real files from ffmpeg's mpeg4 encoder carry "Lavc..." in user data: in every
key frame in AVI, in the decoder configuration (esds, CodecPrivate) in MP4,
MOV and Matroska, and in the samples too when a stream is remuxed from AVI.
libx264 in AVI writes its notes into an Annex B SEI. After cleaning, the raw
bytes no longer hold them, the pictures decode identically and only user-data
bytes changed, to filler. Notes that decoders act on (Xvid, DivX, some FFmpeg
versions, or a format code that makes FFmpeg guess) are refused, as are
damaged streams.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from submitter.metadata import engine, mpeg4v, nal
from submitter.metadata.avi import AviCleaner
from submitter.metadata.kinds import FileKind
from submitter.metadata.model import (
    Category,
    CleanRefused,
    CorruptRefused,
    EncoderNoteRefused,
    LimitRefused,
    UnsupportedContentRefused,
)
from submitter.metadata.source import Source
from tests.metadata import exiftool
from tests.metadata import media_fixtures as mf
from tests.peers import tool

LAVC = b"\x00\x00\x01\xb2Lavc"
X264 = b"x264 - core"


def _mpeg4_remuxed(folder: Path, suffix: str) -> Path:
    # No B-frames, so every container takes the packets as they are; the VOL
    # headers (with their user data) stay inside the key frames.
    avi = mf.make_mpeg4(folder, "keyframes.avi", "-bf", "0")
    return mf.remux(avi, f"remuxed{suffix}")


MAKERS: dict[str, tuple[Callable[[Path], Path], bytes, int]] = {
    # name: (maker, marker in the raw bytes, how many times at least)
    "avi-mpeg4": (mf.make_mpeg4, LAVC, 2),
    "avi-mpeg4-divx-tag": (lambda d: mf.make_mpeg4(d, "divx.avi", "-vtag", "DIVX"), LAVC, 2),
    "mp4-mpeg4": (lambda d: mf.make_mpeg4(d, "mpeg4.mp4"), LAVC, 1),
    "mov-mpeg4": (lambda d: mf.make_mpeg4(d, "mpeg4.mov"), LAVC, 1),
    "mkv-mpeg4": (lambda d: mf.make_mpeg4(d, "mpeg4.mkv"), LAVC, 1),
    "mp4-mpeg4-in-samples": (lambda d: _mpeg4_remuxed(d, ".mp4"), LAVC, 3),
    "mkv-mpeg4-in-blocks": (lambda d: _mpeg4_remuxed(d, ".mkv"), LAVC, 2),
    "avi-x264": (mf.make_x264_avi, X264, 1),
    "avi-x264-global-header": (
        lambda d: mf.make_x264_avi(d, "global.avi", "-flags", "+global_header"), X264, 1),
}


@pytest.fixture(scope="module", params=sorted(MAKERS))
def encoded(request: pytest.FixtureRequest,
            tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, bytes, int]:
    maker, marker, times = MAKERS[request.param]
    folder = tmp_path_factory.mktemp(request.param)
    dirty = maker(folder)
    clean = mf.clean_to(dirty, folder / ("clean" + dirty.suffix))
    return dirty, clean, marker, times


def test_encoder_string_there_before_and_gone_after(
        encoded: tuple[Path, Path, bytes, int]) -> None:
    dirty, clean, marker, times = encoded
    assert dirty.read_bytes().count(marker) >= times
    assert marker not in clean.read_bytes()
    assert marker.lstrip(b"\x00\x01\xb2") not in clean.read_bytes()
    assert clean.stat().st_size == dirty.stat().st_size


def test_inspect_names_the_encoder(encoded: tuple[Path, Path, bytes, int]) -> None:
    dirty, clean, marker, _ = encoded
    name = marker.lstrip(b"\x00\x01\xb2").decode()
    found = [f for f in engine.inspect(Source.from_path(dirty), dirty.name).findings
             if "video stream (" in f.field]
    assert found, "no finding for the encoder notes"
    assert all(f.category is Category.SOFTWARE for f in found)
    assert any(f.untrusted_value.startswith(name) and
               "the program that made the video" in f.untrusted_value for f in found)
    assert engine.inspect(Source.from_path(clean), clean.name).findings == ()


def test_pictures_identical_and_packets_kept(encoded: tuple[Path, Path, bytes, int]) -> None:
    dirty, clean, _, _ = encoded
    assert mf.probe_streams(clean) == mf.probe_streams(dirty)
    mf.assert_packets_kept(dirty, clean)


def test_exiftool_finds_nothing_identifying(encoded: tuple[Path, Path, bytes, int]) -> None:
    dirty, clean, _, _ = encoded
    assert exiftool.identifying(clean, embedded=True) == []
    assert not [t for t in exiftool.read_tags(clean, embedded=True)
                if t.group not in ("System", "File")
                and any(s in str(t.value) for s in ("Lavc", "Lavf", "x264"))]
    del dirty


# --- notes that decoders read are refused, never blanked ---

def _has_encoder(name: str) -> bool:
    return f" {name} ".encode() in mf.run(tool("ffmpeg"), "-hide_banner", "-encoders").stdout


@pytest.mark.parametrize("suffix", [".avi", ".mp4", ".mkv"])
def test_xvid_note_refused(tmp_path: Path, suffix: str) -> None:
    # FFmpeg picks Xvid's IDCT on seeing "XviD": without the note the pictures
    # would decode differently, so the file cannot be cleaned with certainty.
    assert _has_encoder("libxvid"), "ffmpeg without libxvid"
    out = tmp_path / f"xvid{suffix}"
    mf.run(tool("ffmpeg"), "-v", "error", "-y", "-nostdin", *mf._VIDEO, "-c:v", "libxvid",
           str(out))
    assert b"\x00\x00\x01\xb2XviD" in out.read_bytes()
    for step in (engine.inspect, engine.prepare):
        with pytest.raises(EncoderNoteRefused, match="Xvid") as caught:
            step(Source.from_path(out), out.name)
        # What the source reads: why, and what would let the video be sent.
        assert "Converting the video" in caught.value.message


@pytest.mark.parametrize("note", [b"DivX503b1393p", b"XviD0064XXXXX", b"FFmpeg0.4.9-b",
                                  b"Lavc56.30.100", b"Lavc0.1.13xyz"])
def test_notes_decoders_act_on_refused(tmp_path: Path, note: bytes) -> None:
    avi = mf.make_mpeg4(tmp_path)
    data = avi.read_bytes()
    assert len(note) == len(b"Lavc59.37.100") and b"Lavc59.37.100" in data
    crafted = data.replace(b"Lavc59.37.100", note)
    with pytest.raises(EncoderNoteRefused, match="players read"):
        engine.prepare(Source.from_bytes(crafted), "clip.avi")


def test_lavc_note_under_an_xvid_code_refused(tmp_path: Path) -> None:
    # With no note left, FFmpeg takes an XVID-coded stream for Xvid and decodes
    # it differently: shown here by blanking by hand, then refused by the cleaner.
    avi = mf.make_mpeg4(tmp_path, "xvidtag.avi", "-vtag", "XVID")
    data = avi.read_bytes()
    blanked = data.replace(b"Lavc59.37.100", b"\xff" * 13)
    (tmp_path / "blanked.avi").write_bytes(blanked)
    assert mf.decoded_frame_hashes(tmp_path / "blanked.avi") != mf.decoded_frame_hashes(avi)
    with pytest.raises(EncoderNoteRefused, match="format code"):
        engine.prepare(Source.from_path(avi), avi.name)


def _vol(vo_type: int) -> bytes:
    # random_accessible 0, object type, is_ol_id 0, aspect 1, vol_control 0, ...
    bits = (vo_type << 39) | (1 << 34)
    return b"\x00\x00\x01\x20" + bits.to_bytes(6, "big")


@pytest.mark.parametrize(("vo_type", "refused"), [(0, True), (1, False)])
def test_divx_code_guess_depends_on_the_object_type(vo_type: int, refused: bool) -> None:
    scanner = mpeg4v.Mpeg4Scanner()
    scanner.buffer(_vol(vo_type) + b"\x00\x00\x01\xb2Lavc60.31.102\x00\x00\x01\xb6\x12", 0)
    assert scanner.patches
    if refused:
        with pytest.raises(EncoderNoteRefused):
            scanner.check_tags({b"DIVX"})
    else:
        scanner.check_tags({b"DIVX"})
    scanner.check_tags({b"FMP4"})


# --- crafted streams: what is blanked, exactly ---

def test_filler_keeps_zeros_before_the_next_start_code() -> None:
    data = b"\x00\x00\x01\xb0\x01\x00\x00\x01\xb2Camera 7\x00\x00\x00\x00\x01\xb6\x40\x00"
    scanner = mpeg4v.Mpeg4Scanner()
    scanner.buffer(data, 100)
    assert scanner.patches == {109: b"\xff" * 8}
    [finding] = scanner.findings()
    assert finding.untrusted_value.startswith("Camera 7") and finding.category is (
        Category.SOFTWARE)
    out = bytearray(data)
    out[9:17] = scanner.patches[109]
    again = mpeg4v.Mpeg4Scanner()
    again.buffer(bytes(out), 100)
    assert again.patches == {} and again.findings() == []
    assert bytes(out).count(b"\x00\x00\x01") == data.count(b"\x00\x00\x01")


def test_binary_note_at_the_end_of_a_configuration() -> None:
    scanner = mpeg4v.Mpeg4Scanner()
    scanner.buffer(b"\x00\x00\x01\x20\x08\x00\x00\x01\xb2\x9c\x11\xe7", 0)
    assert scanner.patches == {9: b"\xff\xff\xff"}
    assert [f.category for f in scanner.findings()] == [Category.HIDDEN_CONTENT]


def test_large_frame_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mpeg4v, "MAX_FRAME", 8)
    with pytest.raises(LimitRefused):
        mpeg4v.Mpeg4Scanner().frame(io.BytesIO(bytes(16)), 0, 16)


def test_many_start_codes_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mpeg4v, "MAX_START_CODES", 100)
    with pytest.raises(LimitRefused):
        mpeg4v.Mpeg4Scanner().buffer(b"\x00\x00\x01\xb6\x01" * 200, 0)


# --- damaged files end in a refusal ---

@pytest.fixture(scope="module")
def mpeg4_mp4(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return mf.make_mpeg4(tmp_path_factory.mktemp("esds"), "clip.mp4").read_bytes()


@pytest.mark.parametrize("damage", ["descriptor past box", "no config descriptor",
                                    "size never ends"])
def test_damaged_esds_refused(mpeg4_mp4: bytes, damage: str) -> None:
    data = bytearray(mpeg4_mp4)
    at = data.index(b"esds") + 8  # the ES_Descriptor's tag
    assert data[at] == 3
    if damage == "descriptor past box":
        data[at + 1 : at + 5] = b"\x80\x80\x80\x7f"
    elif damage == "no config descriptor":
        size = data[at + 4]
        data[at + 8] = 0x09  # the DecoderConfigDescriptor's tag becomes another
        assert size > 0
    else:
        data[at + 1 : at + 5] = b"\xff\xff\xff\xff"
    for step in (engine.inspect, engine.prepare):
        with pytest.raises(CleanRefused):
            step(Source.from_bytes(bytes(data)), "clip.mp4")


def test_esds_of_mpeg2_video_not_walked() -> None:
    esds = bytes(4) + b"\x03\x14\x00\x01\x00" + b"\x04\x0f\x61" + bytes(12) + b"\x05\x00"
    assert mpeg4v.decoder_specific_info(esds) is None
    esds = bytes(4) + b"\x03\x16\x00\x01\x00" + b"\x04\x11\x20" + bytes(12) + \
        b"\x05\x02\xab\xcd"
    assert mpeg4v.decoder_specific_info(esds) == (len(esds) - 2, len(esds))


def _riff(body: bytes) -> bytes:
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"AVI " + body


def _chunk(cid: bytes, body: bytes) -> bytes:
    return cid + struct.pack("<I", len(body)) + body + (b"\x00" if len(body) & 1 else b"")


def _avi(frames: list[bytes], handler: bytes, compression: bytes, config: bytes = b"") -> bytes:
    strh = b"vids" + handler + b"\x00" * 48
    strf = struct.pack("<IiiHH", 40, 64, 48, 1, 24) + compression + b"\x00" * 20 + config
    strl = _chunk(b"LIST", b"strl" + _chunk(b"strh", strh) + _chunk(b"strf", strf))
    hdrl = _chunk(b"LIST", b"hdrl" + _chunk(b"avih", b"\x00" * 56) + strl)
    movi = _chunk(b"LIST", b"movi" + b"".join(_chunk(b"00dc", f) for f in frames))
    return _riff(hdrl + movi)


def _avi_clean(data: bytes) -> bytes:
    plan = AviCleaner().prepare(Source.from_bytes(data), FileKind.AVI, engine.DEFAULT_LIMITS)
    out = io.BytesIO()
    plan.write_to(out)
    return out.getvalue()


def _sei(text: bytes) -> bytes:
    payload = bytes(range(16)) + text
    return nal.escape(b"\x06\x05" + bytes([len(payload)]) + payload + b"\x80")


def test_h264_avi_frames_and_configuration_blanked() -> None:
    frame = b"\x00\x00\x00\x01" + _sei(b"Camera SN 4411") + b"\x00\x00\x01\x65\x88\x80\x10"
    config = b"\x00\x00\x00\x01\x67\x42\x00\x0a\x00\x00\x01" + _sei(b"DVR build 7")
    data = _avi([frame, b"", frame], b"H264", b"H264", config)
    found = AviCleaner().inspect(Source.from_bytes(data), FileKind.AVI,
                                 engine.DEFAULT_LIMITS).findings
    assert {f.untrusted_value.split(" (")[0] for f in found} == {"Camera SN 4411",
                                                                  "DVR build 7"}
    cleaned = _avi_clean(data)
    assert b"Camera SN" not in cleaned and b"DVR build" not in cleaned
    assert len(cleaned) == len(data) and cleaned.count(b"\x65\x88\x80\x10") == 2


def test_length_prefixed_h264_in_avi_blanked() -> None:
    unit = _sei(b"Camera SN 4411")
    frame = len(unit).to_bytes(4, "big") + unit
    avcc = b"\x01\x42\x00\x0a\xff\xe0\x00"
    cleaned = _avi_clean(_avi([frame], b"AVC1", b"AVC1", avcc))
    assert b"Camera SN" not in cleaned


@pytest.mark.parametrize("frame", [
    b"\x12\x34\x00\x00\x01\x06",  # not a byte stream
    b"\x00\x00\x01" + b"\x06\x05\x20" + bytes(16) + b"abc",  # note past its NAL unit
])
def test_damaged_h264_avi_frame_refused(frame: bytes) -> None:
    with pytest.raises(CorruptRefused):
        _avi_clean(_avi([frame], b"H264", b"H264"))


def test_disagreeing_format_codes_refused() -> None:
    with pytest.raises(UnsupportedContentRefused):
        _avi_clean(_avi([b""], b"MJPG", b"XVID"))


def test_mpeg4_avi_configuration_blanked() -> None:
    config = b"\x00\x00\x01\xb0\x01\x00\x00\x01\xb2Sanyo HD1\x00\x00\x01\x20\x08\xc8"
    frame = b"\x00\x00\x01\xb6\x10\x20\x30"
    data = _avi([frame], b"FMP4", b"FMP4", config)
    cleaned = _avi_clean(data)
    assert b"Sanyo" in data and b"Sanyo" not in cleaned and cleaned.endswith(frame + b"\x00")


@settings(max_examples=100, deadline=None)
@given(edits=st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 255)), max_size=6),
       cut=st.integers(0, 1 << 20), head=st.booleans(),
       maker=st.sampled_from(["make_mpeg4", "make_x264_avi"]))
def test_fuzz_smoke(edits: list[tuple[int, int]], cut: int, head: bool, maker: str) -> None:
    data = mf.mutate(mf.seed_bytes(maker), edits, cut, head)
    mf.exercise(AviCleaner(), FileKind.AVI, data)
