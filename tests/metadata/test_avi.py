"""AVI: the contract, plus in-place blanking and hostile RIFF structures."""

from __future__ import annotations

import io
import struct
from pathlib import Path
from typing import ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from submitter.metadata import engine
from submitter.metadata.avi import AviCleaner
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
from tests.metadata import media_fixtures as mf
from tests.metadata.media_contract import InPlaceVideoContract


class TestAviContract(InPlaceVideoContract):
    kinds_covered: ClassVar[frozenset[FileKind]] = frozenset({FileKind.AVI})
    required_tags = ("Artist", "Software", "DateTimeOriginal")
    expected_categories = frozenset({Category.PERSON, Category.TIME, Category.SOFTWARE})

    def make_dirty(self, tmp_path: Path) -> Path:
        return mf.make_avi(tmp_path)

    def check_content(self, original: Path, cleaned: Path, report: CleanReport) -> None:
        # Motion-JPEG frames lose their comment segments (ffmpeg's version), so
        # video packets differ in those bytes only: the decoded pictures, every
        # packet's timing and size, and the sound packets must not.
        assert mf.probe_streams(cleaned) == mf.probe_streams(original)
        assert mf.decoded_frame_hashes(cleaned) == mf.decoded_frame_hashes(original)
        assert mf.packet_layout(cleaned) == mf.packet_layout(original)
        assert mf.frame_hashes(cleaned, ("0:a",)) == mf.frame_hashes(original, ("0:a",))
        assert cleaned.stat().st_size == original.stat().st_size


def _prepare(data: bytes) -> None:
    AviCleaner().prepare(Source.from_bytes(data), FileKind.AVI, engine.DEFAULT_LIMITS)


def _riff(form: bytes, body: bytes) -> bytes:
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + form + body


def _chunk(cid: bytes, body: bytes) -> bytes:
    return cid + struct.pack("<I", len(body)) + body + (b"\x00" if len(body) & 1 else b"")


def _list(ltype: bytes, body: bytes) -> bytes:
    return _chunk(b"LIST", ltype + body)


def test_stream_names_and_dates_blanked(tmp_path: Path) -> None:
    avi = mf.make_avi(tmp_path)
    data = avi.read_bytes()
    plan = engine.prepare(Source.from_path(avi), avi.name)
    out = io.BytesIO()
    plan.write_to(out)
    cleaned = out.getvalue()
    for secret in (b"Camera 3 corridor", b"John Doe", b"Lavf", b"third floor"):
        assert secret in data and secret not in cleaned, secret
    assert len(cleaned) == len(data)


def test_nested_lists_too_deep_refused() -> None:
    body = _chunk(b"avih", b"\x00" * 56)
    for _ in range(20):
        body = _list(b"hdrl", body)
    with pytest.raises(LimitRefused):
        _prepare(_riff(b"AVI ", body))


def test_chunk_past_end_refused() -> None:
    bad = b"LIST" + struct.pack("<I", 1 << 30) + b"hdrl"
    with pytest.raises(CleanRefused):
        _prepare(_riff(b"AVI ", bad))


def test_text_stream_refused() -> None:
    strl = _list(b"strl", _chunk(b"strh", b"txts" + b"\x00" * 52))
    with pytest.raises(UnsupportedContentRefused):
        _prepare(_riff(b"AVI ", _list(b"hdrl", _chunk(b"avih", b"\x00" * 56) + strl)))


# --- Motion-JPEG frames carry their own metadata segments ---

def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


EXIF = b"Exif\x00\x00" + b"MM\x00*" + b"DVR-7 serial HK-20931 " * 3
XMP = b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>Hikvision</x:xmpmeta>"
AVI1 = b"AVI1\x00" + b"\x00" * 9
ADOBE = b"Adobe\x00\x64\x00\x00\x00\x00\x01"
SCAN = _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00") + b"\x12\x34\xff\x00\x56" + b"\xff\xd9"


def _jpeg(*segments: bytes) -> bytes:
    return b"\xff\xd8" + b"".join(segments) + SCAN


def _mjpeg_avi(frames: list[bytes], handler: bytes = b"MJPG") -> bytes:
    strh = b"vids" + handler + b"\x00" * 48
    strf = struct.pack("<IiiHH", 40, 64, 48, 1, 24) + handler + b"\x00" * 20
    strl = _list(b"strl", _chunk(b"strh", strh) + _chunk(b"strf", strf))
    hdrl = _list(b"hdrl", _chunk(b"avih", b"\x00" * 56) + strl)
    movi = _list(b"movi", b"".join(_chunk(b"00dc", f) for f in frames))
    return _riff(b"AVI ", hdrl + movi)


def _clean(data: bytes) -> tuple[bytes, CleanReport]:
    plan = AviCleaner().prepare(Source.from_bytes(data), FileKind.AVI, engine.DEFAULT_LIMITS)
    out = io.BytesIO()
    plan.write_to(out)
    return out.getvalue(), plan.report


def test_ffmpeg_version_in_every_mjpeg_frame_is_blanked(tmp_path: Path) -> None:
    avi = mf.make_avi(tmp_path)
    data = avi.read_bytes()
    frames = data.count(b"Lavc")
    assert frames >= 5  # ffmpeg writes "Lavc..." into each frame's comment
    found = engine.inspect(Source.from_path(avi), avi.name).findings
    [comment] = [f for f in found if f.field == "MJPEG frame comment"]
    assert comment.untrusted_value.startswith("Lavc") and f"in {frames} frames" in (
        comment.untrusted_value)
    assert comment.category is Category.SOFTWARE
    cleaned, report = _clean(data)
    assert b"Lavc" not in cleaned and len(cleaned) == len(data)
    assert any("Motion-JPEG frames were blanked" in n for n in report.notes)


def test_exif_xmp_and_vendor_segments_blanked_structure_kept() -> None:
    frame = _jpeg(_segment(0xE0, AVI1), _segment(0xE1, EXIF), _segment(0xE1, XMP),
                  _segment(0xEE, ADOBE), _segment(0xEB, b"VENDOR-GPS 51.53N"),
                  _segment(0xFE, b"DVR time 2024-05-01"))
    data = _mjpeg_avi([frame, frame, b""])  # a dropped (empty) frame too
    found = {f.field: f for f in AviCleaner().inspect(
        Source.from_bytes(data), FileKind.AVI, engine.DEFAULT_LIMITS).findings}
    assert found["MJPEG frame Exif"].category is Category.DEVICE
    assert "in 2 frames" in found["MJPEG frame Exif"].untrusted_value
    assert {"MJPEG frame XMP", "MJPEG frame APP11 segment", "MJPEG frame comment"} <= set(found)
    cleaned, _ = _clean(data)
    for secret in (b"HK-20931", b"Hikvision", b"VENDOR-GPS", b"DVR time"):
        assert secret in data and secret not in cleaned, secret
    # What decoding needs stays, byte for byte, and so does the picture data.
    assert cleaned.count(AVI1) == 2 and cleaned.count(ADOBE) == 2
    assert cleaned.count(SCAN) == 2 and len(cleaned) == len(data)
    # Cleaned output has nothing left to find.
    again = AviCleaner().inspect(Source.from_bytes(cleaned), FileKind.AVI, engine.DEFAULT_LIMITS)
    assert not [f for f in again.findings if f.field.startswith("MJPEG")]


def test_handler_named_only_in_the_bitmap_header_is_still_walked() -> None:
    data = bytearray(_mjpeg_avi([_jpeg(_segment(0xFE, b"secret comment"))]))
    at = data.index(b"vidsMJPG") + 4
    data[at : at + 4] = b"\x00\x00\x00\x00"  # strh names no handler; strf still says MJPG
    cleaned, _ = _clean(bytes(data))
    assert b"secret comment" not in cleaned


def test_other_codecs_frames_are_not_walked() -> None:
    # A Cinepak frame that happens to look like a JPEG is data, not metadata.
    data = _mjpeg_avi([_jpeg(_segment(0xFE, b"not a comment here"))], handler=b"cvid")
    cleaned, _ = _clean(data)
    assert cleaned == data


@pytest.mark.parametrize(
    ("frame", "label"),
    [
        (b"\x00\x01\x02\x03", "not a JPEG"),
        (b"\xff\xd8" + b"\xff\xfe\x00\x40comment", "segment past its frame"),
        (b"\xff\xd8" + _segment(0xFE, b"x"), "cut before the scan"),
        (b"\xff\xd8\x12\x34" + SCAN, "broken marker"),
        (b"\xff\xd8\xff\xd8" + SCAN, "a second start marker"),
        (b"\xff\xd8" + _segment(0xFE, b"") * 300 + SCAN, "endless segments"),
    ],
)
def test_broken_mjpeg_frames_are_refused(frame: bytes, label: str) -> None:
    with pytest.raises((CorruptRefused, LimitRefused)):
        _prepare(_mjpeg_avi([frame]))


@settings(max_examples=150, deadline=None)
@given(edits=st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 255)), max_size=6),
       cut=st.integers(0, 1 << 20), head=st.booleans(),
       maker=st.sampled_from(["make_avi"]))
def test_fuzz_smoke(edits: list[tuple[int, int]], cut: int, head: bool, maker: str) -> None:
    data = mf.mutate(mf.seed_bytes(maker), edits, cut, head)
    kind = {"make_avi": FileKind.AVI}[maker]
    mf.exercise(AviCleaner(), kind, data)
