"""Registered user data (SEI type 4, ITU-T T.35) inside H.264 / HEVC video.

What displays act on (HDR10+, Dolby Vision, HDR Vivid, active format and bar
data) is kept byte for byte; closed captions and any other vendor's
registered data are blanked and found. The real-file cases put the message
into an ffmpeg-made MP4 in place of x264's own note (same length, so the
file stays valid) and ask ffprobe whether it still sees the captions.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from submitter.metadata import engine, nal
from submitter.metadata.model import Category
from submitter.metadata.source import Source
from tests.metadata import media_fixtures as mf
from tests.metadata.test_nal import UUID, X264, _sample, _scan, _sei, _sei_nal_at
from tests.peers import tool

# cc_data: process flag + 2 constructs, em_data, then (valid, field 1) pairs
# spelling "HI" and "ME" with odd parity, then the marker byte.
CC_DATA = b"\x42\xff" + b"\xfc\xc8\x49" + b"\xfc\xcd\x45" + b"\xff"
CAPTIONS = b"\xb5\x00\x31GA94\x03" + CC_DATA
DIRECTV = b"\xb5\x00\x2f" + b"\x03" + CC_DATA
HDR10_PLUS = b"\xb5\x00\x3c\x00\x01\x04" + bytes(range(1, 40))
DOLBY = b"\xb5\x00\x3b\x00\x00\x08\x00" + bytes(range(1, 30))
HDR_VIVID = b"\x26\x00\x04\x00\x05" + bytes(range(1, 30))
AFD = b"\xb5\x00\x31DTG1\x41\xf9"
BAR_DATA = b"\xb5\x00\x31GA94\x06" + b"\x5f\xc0\x10\xc0\x20"
VENDOR = b"\xb5\x12\x34" + b"CAM-SERIAL-0042 lat 51.53"
EXTENDED_COUNTRY = b"\xff\x01\x00\x10" + b"private bytes"

KEPT = {"HDR10+": HDR10_PLUS, "Dolby Vision": DOLBY, "HDR Vivid": HDR_VIVID,
        "active format": AFD, "bar data": BAR_DATA}
BLANKED = {"ATSC captions": CAPTIONS, "DirecTV captions": DIRECTV, "vendor": VENDOR,
           "extended country code": EXTENDED_COUNTRY}


@pytest.mark.parametrize("name", sorted(KEPT))
@pytest.mark.parametrize("codec", [nal.H264, nal.HEVC])
def test_display_metadata_kept(name: str, codec: str) -> None:
    scanner = _scan(_sample(_sei((4, KEPT[name]), codec=codec)), codec)
    assert scanner.patches == {}
    assert scanner.findings() == []


@pytest.mark.parametrize("name", sorted(BLANKED))
@pytest.mark.parametrize("codec", [nal.H264, nal.HEVC])
def test_captions_and_vendor_data_blanked(name: str, codec: str) -> None:
    header_len = 1 if codec == nal.H264 else 2
    unit = _sei((4, BLANKED[name]), codec=codec)
    sample = _sample(unit)
    scanner = _scan(sample, codec)
    cleaned = mf.apply_patches(sample, scanner.patches)
    assert len(cleaned) == len(sample)
    rbsp = nal.unescape(cleaned[4:])
    [(ptype, a, b)] = nal.sei_messages(rbsp, header_len)
    assert ptype == 4 and set(rbsp[a:b]) == {0xFF}
    [finding] = scanner.findings()
    assert finding.category is Category.HIDDEN_CONTENT
    expected = "closed captions" if "captions" in name else "registered private data"
    assert expected in finding.untrusted_value
    assert _scan(cleaned, codec).patches == {}, "the blanked message is found again"


def test_kept_and_blanked_side_by_side_in_one_unit() -> None:
    unit = _sei((4, HDR10_PLUS), (4, CAPTIONS), (5, UUID + b"cam serial 77"), (4, AFD))
    sample = _sample(unit)
    cleaned = mf.apply_patches(sample, _scan(sample).patches)
    rbsp = nal.unescape(cleaned[4:])
    payloads = [rbsp[a:b] for _, a, b in nal.sei_messages(rbsp, 1)]
    assert payloads[0] == HDR10_PLUS and payloads[3] == AFD
    assert set(payloads[1]) == {0xFF} and set(payloads[2]) == {0xFF}
    assert len(_scan(sample).findings()) == 2


@pytest.mark.parametrize("payload", [b"\xb5", b"\xb5\x00", b"\xff\x01\x00"])
def test_registered_data_too_short_for_its_header_is_blanked(payload: bytes) -> None:
    sample = _sample(_sei((4, payload)))
    assert _scan(sample).patches, "an unreadable registered message was kept"


# --- in a real file, judged by ffprobe ---

def _replace_x264_note(data: bytes, *messages: tuple[int, bytes]) -> bytes:
    """``data`` with x264's SEI NAL unit replaced by one of the same length
    holding ``messages`` and a type 5 note that fills the rest."""
    pos = _sei_nal_at(data)
    n = int.from_bytes(data[pos : pos + 4], "big")
    for fill in range(n, 0, -1):
        unit = _sei(*messages, (5, UUID + b"N" * fill))
        if len(unit) == n:
            break
    else:
        raise AssertionError("no filler length fits the NAL unit")
    return data[: pos + 4] + unit + data[pos + 4 + n :]


def _side_data(path: Path) -> list[str]:
    proc = mf.run(tool("ffprobe"), "-v", "error", "-select_streams", "v:0", "-show_frames",
                  "-read_intervals", "%+#3", "-of", "json", str(path))
    frames = json.loads(proc.stdout)["frames"]
    return [sd.get("side_data_type", "") for f in frames for sd in f.get("side_data_list", [])]


@pytest.fixture(scope="module")
def x264_mp4(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return mf.make_mp4(tmp_path_factory.mktemp("x264-t35")).read_bytes()


def test_real_captions_seen_by_ffprobe_then_gone(x264_mp4: bytes, tmp_path: Path) -> None:
    dirty = tmp_path / "captions.mp4"
    dirty.write_bytes(_replace_x264_note(x264_mp4, (4, CAPTIONS)))
    assert any("Closed Captions" in s for s in _side_data(dirty)), "ffprobe sees no captions"
    found = engine.inspect(Source.from_path(dirty), dirty.name).findings
    assert any("closed captions" in f.untrusted_value for f in found)
    clean = mf.clean_to(dirty, tmp_path / "clean.mp4")
    assert not any("Closed Captions" in s for s in _side_data(clean))
    assert CC_DATA not in clean.read_bytes() and X264 not in clean.read_bytes()
    assert mf.decoded_video_hash(clean) == mf.decoded_video_hash(dirty)
    assert engine.inspect(Source.from_path(clean), clean.name).findings == ()


def test_real_hdr10_plus_kept_byte_for_byte(x264_mp4: bytes, tmp_path: Path) -> None:
    dirty = tmp_path / "hdr.mp4"
    dirty.write_bytes(_replace_x264_note(x264_mp4, (4, HDR10_PLUS), (4, VENDOR)))
    clean = mf.clean_to(dirty, tmp_path / "clean.mp4")
    data = clean.read_bytes()
    assert data.count(HDR10_PLUS) == 1 and VENDOR not in data
    assert clean.stat().st_size == dirty.stat().st_size
    assert mf.decoded_video_hash(clean) == mf.decoded_video_hash(dirty)
