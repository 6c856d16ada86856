"""MP4 / MOV / M4A: the contract, plus the in-place design and hostile files."""

from __future__ import annotations

import io
import struct
from pathlib import Path
from typing import ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from submitter.metadata import engine
from submitter.metadata.isobmff import IsoMediaCleaner, readable_iso6709
from submitter.metadata.kinds import FileKind
from submitter.metadata.model import (
    Category,
    CleanRefused,
    CorruptRefused,
    LimitRefused,
    UnsupportedContentRefused,
)
from submitter.metadata.source import Source
from tests.metadata import media_fixtures as mf
from tests.metadata.media_contract import InPlaceVideoContract
from tests.peers import tool


class _IsoContract(InPlaceVideoContract):
    def check_opens(self, path: Path) -> None:
        assert mf.probe_streams(path)  # M4A holds sound only


class TestMp4Contract(_IsoContract):
    kinds_covered: ClassVar[frozenset[FileKind]] = frozenset({FileKind.MP4})
    required_tags = ("GPSCoordinates", "Make", "Model", "SerialNumber", "CreateDate")
    expected_categories = frozenset({Category.LOCATION, Category.DEVICE, Category.TIME,
                                     Category.SOFTWARE, Category.PERSON,
                                     Category.HIDDEN_CONTENT})

    def make_dirty(self, tmp_path: Path) -> Path:
        return mf.make_mp4(tmp_path)


class TestMovContract(_IsoContract):
    kinds_covered: ClassVar[frozenset[FileKind]] = frozenset({FileKind.MOV})
    required_tags = ("GPSCoordinates", "Make", "Model", "SerialNumber", "Author")
    expected_categories = frozenset({Category.LOCATION, Category.DEVICE, Category.SOFTWARE,
                                     Category.HIDDEN_CONTENT})

    def make_dirty(self, tmp_path: Path) -> Path:
        return mf.make_mov(tmp_path)


class TestM4aContract(_IsoContract):
    kinds_covered: ClassVar[frozenset[FileKind]] = frozenset({FileKind.M4A, FileKind.MP4})
    required_tags = ("Artist", "GPSCoordinates")
    expected_categories = frozenset({Category.PERSON, Category.LOCATION, Category.TIME})

    def make_dirty(self, tmp_path: Path) -> Path:
        return mf.make_m4a(tmp_path)


# --- behaviour specific to the in-place design ---

@pytest.fixture(scope="module")
def mp4(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return mf.make_mp4(tmp_path_factory.mktemp("mp4"))


def _clean_bytes(path: Path) -> bytes:
    plan = engine.prepare(Source.from_path(path), path.name)
    sink = io.BytesIO()
    plan.write_to(sink)
    return sink.getvalue()


def test_readable_location() -> None:
    assert readable_iso6709("+51.5300+046.0300/") == "51.5300 N, 46.0300 E"
    assert readable_iso6709("-33.8650+151.2094+012.000/") == "33.8650 S, 151.2094 E"


def test_findings_read_like_the_file(mp4: Path) -> None:
    found = engine.inspect(Source.from_path(mp4), mp4.name).findings
    values = {f.untrusted_value for f in found}
    assert "51.5300 N, 46.0300 E" in values
    assert "John Doe" in values and "iPhone 12" in values
    assert any(f.category is Category.HIDDEN_CONTENT and "track" in f.field for f in found)
    warnings = engine.inspect(Source.from_path(mp4), mp4.name).warnings
    assert any("burned into the picture" in w for w in warnings)


def test_chapter_titles_gone_and_media_bytes_identical(mp4: Path) -> None:
    data = mp4.read_bytes()
    out = _clean_bytes(mp4)
    assert b"Guard named Smith" in data and b"Guard named Smith" not in out
    for secret in (b"John Doe", b"iPhone", b"C39XK2ABC123", b"Lavf", b"GoPro"):
        assert secret in data and secret not in out, secret
    # Only metadata changed: the media data box differs only where the chapter
    # text samples were (a few dozen bytes).
    diff = sum(1 for a, b in zip(data, out, strict=True) if a != b)
    assert 0 < diff < len(data) // 4


def test_file_and_stream_sinks_get_the_same_bytes(mp4: Path, tmp_path: Path) -> None:
    """To a file the kernel copies the ranges; to a stream Python does: same output."""
    plan = engine.prepare(Source.from_path(mp4), mp4.name)
    out = tmp_path / "out.mp4"
    with open(out, "wb") as fh:
        fh.write(b"HEAD")  # a sink that already holds data keeps it, in order
        plan.write_to(fh)
        fh.write(b"TAIL")
    assert out.read_bytes() == b"HEAD" + _clean_bytes(mp4) + b"TAIL"


def test_timecode_track_zeroed(tmp_path: Path) -> None:
    mov = mf.make_mov(tmp_path)
    found = engine.inspect(Source.from_path(mov), mov.name).findings
    assert any("'tmcd' track" in f.field for f in found)
    clean = tmp_path / "clean.mov"
    clean.write_bytes(_clean_bytes(mov))
    assert engine.inspect(Source.from_path(clean), clean.name).findings == ()

    def timecode(path: Path) -> str:
        return mf.run(tool("ffprobe"), "-v", "error", "-show_entries", "stream_tags=timecode",
                      "-of", "csv=p=0", str(path)).stdout.decode()

    assert timecode(mov).startswith("10:11:")  # the camera's clock, as written
    assert timecode(clean).startswith("00:00:00")


def test_cancel_and_progress(mp4: Path) -> None:
    import threading

    plan = engine.prepare(Source.from_path(mp4), mp4.name)
    seen: list[int] = []
    sink = io.BytesIO()
    plan.write_to(sink, progress=seen.append)
    assert seen and seen[-1] == plan.size == len(sink.getvalue())
    cancel = threading.Event()
    cancel.set()
    from submitter.metadata.model import CleanCancelled

    with pytest.raises(CleanCancelled):
        plan.write_to(io.BytesIO(), cancel=cancel)


def _box(btype: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + btype + payload


def _prepare(data: bytes) -> None:
    IsoMediaCleaner().prepare(Source.from_bytes(data), FileKind.MP4, engine.DEFAULT_LIMITS)


FTYP = _box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41")


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (FTYP + _box(b"mdat", b"x" * 40), CorruptRefused),  # no moov
        (FTYP + struct.pack(">I", 10_000) + b"moov" + b"\x00" * 20, CorruptRefused),  # past EOF
        (FTYP + struct.pack(">I", 4) + b"moov", CorruptRefused),  # size below header
        (FTYP + _box(b"moov", struct.pack(">I", 500) + b"trak" + b"\x00" * 8), CorruptRefused),
        (FTYP + _box(b"moov", b"") * 2, UnsupportedContentRefused),
    ],
)
def test_hostile_structures_refused(data: bytes, error: type[CleanRefused]) -> None:
    with pytest.raises(error):
        _prepare(data)


def test_deep_nesting_refused() -> None:
    inner = b""
    for _ in range(200):
        inner = _box(b"trak", inner)
    with pytest.raises(LimitRefused):
        _prepare(FTYP + _box(b"moov", inner))


def test_absurd_sample_table_count_refused(mp4: Path) -> None:
    data = bytearray(mp4.read_bytes())
    at = data.find(b"stco")
    struct.pack_into(">I", data, at + 8, 0x7FFFFFFF)  # absurd: refused before any work
    with pytest.raises(LimitRefused):
        _prepare(bytes(data))
    struct.pack_into(">I", data, at + 8, 100_000)  # plausible, but past the box
    with pytest.raises(CorruptRefused):
        _prepare(bytes(data))


def test_external_media_reference_refused(mp4: Path) -> None:
    data = bytearray(mp4.read_bytes())
    at = data.find(b"url ")
    data[at + 7] = 0  # flags: media not in this file
    with pytest.raises(UnsupportedContentRefused):
        _prepare(bytes(data))


def test_fragmented_video_cleaned(tmp_path: Path) -> None:
    out = tmp_path / "frag.mp4"
    mf.run(tool("ffmpeg"), "-v", "error", "-y", "-f", "lavfi", "-i",
           "testsrc=d=1:s=160x120:r=10", "-c:v", "libx264", "-preset", "ultrafast",
           "-metadata", "artist=John Doe", "-movflags", "frag_keyframe+empty_moov",
           str(out))
    cleaned = tmp_path / "clean.mp4"
    cleaned.write_bytes(_clean_bytes(out))
    assert b"John Doe" in out.read_bytes() and b"John Doe" not in cleaned.read_bytes()
    mf.assert_packets_kept(out, cleaned)


def test_top_level_metadata_box_becomes_free(mp4: Path) -> None:
    xmp = b"\xbe\x7a\xcf\xcb\x97\xa9\x42\xe8\x9c\x71\x99\x94\x91\xe3\xaf\xac"
    data = mp4.read_bytes() + _box(b"uuid", xmp + b"<x:xmpmeta>John Doe</x:xmpmeta>")
    src = Source.from_bytes(data)
    found = engine.inspect(src, "a.mp4").findings
    assert any("XMP" in f.field for f in found)
    plan = engine.prepare(src, "a.mp4")
    sink = io.BytesIO()
    plan.write_to(sink)
    tail = sink.getvalue()[len(mp4.read_bytes()):]
    assert tail[4:8] == b"free" and tail[8:].count(0) == len(tail) - 8


@settings(max_examples=150, deadline=None)
@given(edits=st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 255)), max_size=6),
       cut=st.integers(0, 1 << 20), head=st.booleans(),
       maker=st.sampled_from(["make_mp4", "make_mov", "make_m4a"]))
def test_fuzz_smoke(edits: list[tuple[int, int]], cut: int, head: bool, maker: str) -> None:
    data = mf.mutate(mf.seed_bytes(maker), edits, cut, head)
    kind = {"make_mp4": FileKind.MP4, "make_mov": FileKind.MOV, "make_m4a": FileKind.M4A}[maker]
    mf.exercise(IsoMediaCleaner(), kind, data)


def test_subtitle_track_text_blanked_streams_kept(tmp_path: Path) -> None:
    srt = tmp_path / "s.srt"
    srt.write_text("1\n00:00:00,000 --> 00:00:00,900\nOfficer Smith, badge 4471\n")
    mp4 = tmp_path / "sub.mp4"
    mf.run(tool("ffmpeg"), "-v", "error", "-y", "-f", "lavfi", "-i",
           "testsrc=d=1:s=160x120:r=10", "-i", str(srt), "-map", "0", "-map", "1",
           "-c:v", "libx264", "-preset", "ultrafast", "-c:s", "mov_text", str(mp4))
    found = engine.inspect(Source.from_path(mp4), mp4.name).findings
    assert any(f.category is Category.HIDDEN_CONTENT and "track" in f.field
               and ("'sbtl'" in f.field or "'text'" in f.field) for f in found)
    clean = tmp_path / "clean.mp4"
    clean.write_bytes(_clean_bytes(mp4))
    assert b"Officer Smith" in mp4.read_bytes()
    assert b"Officer Smith" not in clean.read_bytes()
    assert mf.probe_streams(clean) == mf.probe_streams(mp4)  # the track stays, empty
    mf.assert_packets_kept(mp4, clean)  # video packets kept
