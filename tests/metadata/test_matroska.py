"""MKV / WebM: the contract, plus in-place blanking and hostile EBML."""

from __future__ import annotations

import io
from pathlib import Path
from typing import ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from submitter.metadata import engine
from submitter.metadata.kinds import FileKind
from submitter.metadata.matroska import MatroskaCleaner, void_bytes
from submitter.metadata.model import (
    Category,
    CleanRefused,
)
from submitter.metadata.source import Source
from submitter.metadata.splice import Zeros
from tests.metadata import media_fixtures as mf
from tests.metadata.media_contract import InPlaceVideoContract
from tests.peers import tool


class TestMkvContract(InPlaceVideoContract):
    kinds_covered: ClassVar[frozenset[FileKind]] = frozenset({FileKind.MKV})
    required_tags = ("Title", "Artist", "MuxingApp", "WritingApp", "DateTimeOriginal")
    expected_categories = frozenset({Category.PERSON, Category.SOFTWARE, Category.HIDDEN_CONTENT,
                                     Category.LOCATION, Category.DEVICE, Category.IDENTIFIER})

    def make_dirty(self, tmp_path: Path) -> Path:
        return mf.make_mkv(tmp_path)


class TestWebmContract(InPlaceVideoContract):
    kinds_covered: ClassVar[frozenset[FileKind]] = frozenset({FileKind.WEBM})
    required_tags = ("Title", "MuxingApp", "WritingApp")
    expected_categories = frozenset({Category.PERSON, Category.SOFTWARE, Category.HIDDEN_CONTENT})

    def make_dirty(self, tmp_path: Path) -> Path:
        return mf.make_webm(tmp_path)


def test_void_sizes_exact() -> None:
    for length in (2, 3, 100, 128, 129, 130, 5000, 1 << 20):
        parts = void_bytes(length)
        head = parts[0][1]
        assert isinstance(head, bytes) and head[0] == 0xEC
        body = parts[1][1]
        assert isinstance(body, Zeros)
        assert len(head) + body.length == length


def test_chapters_and_stream_names_gone(tmp_path: Path) -> None:
    mkv = mf.make_mkv(tmp_path)
    data = mkv.read_bytes()
    plan = engine.prepare(Source.from_path(mkv), mkv.name)
    out = io.BytesIO()
    plan.write_to(out)
    cleaned = out.getvalue()
    for secret in (b"Guard named Smith", b"Camera 3 corridor", b"Lapel mic", b"John Doe",
                   b"Lavf", b"Canon"):
        assert secret in data and secret not in cleaned, secret


@pytest.mark.parametrize("codec", ["srt", "ass"])
def test_subtitle_track_blanked_streams_kept(tmp_path: Path, codec: str) -> None:
    srt = tmp_path / "s.srt"
    srt.write_text("1\n00:00:00,000 --> 00:00:00,500\nOfficer Smith speaking\n\n"
                   "2\n00:00:00,500 --> 00:00:00,900\nBadge 4471\n")
    out = tmp_path / "sub.mkv"
    mf.run(tool("ffmpeg"), "-v", "error", "-y", "-f", "lavfi", "-i",
           "testsrc=d=1:s=160x120:r=10", "-i", str(srt), "-map", "0", "-map", "1",
           "-c:v", "mjpeg", "-c:s", codec, "-metadata:s:s", "title=Transcript by J. Doe",
           str(out))
    found = engine.inspect(Source.from_path(out), out.name).findings
    assert any("subtitle track" in f.field for f in found)
    plan = engine.prepare(Source.from_path(out), out.name)
    clean = tmp_path / "clean.mkv"
    with open(clean, "wb") as fh:
        plan.write_to(fh)
    data, cleaned = out.read_bytes(), clean.read_bytes()
    for secret in (b"Officer Smith", b"Badge 4471", b"J. Doe"):
        assert secret in data and secret not in cleaned, secret
    assert [t for t, _ in mf.probe_streams(clean)] == ["video", "subtitle"]
    mf.assert_packets_kept(out, clean, ("0:v",))
    assert engine.inspect(Source.from_path(clean), clean.name).findings == ()


def test_unknown_size_clusters(tmp_path: Path) -> None:
    """A live recording (browser MediaRecorder style): sizes unknown, streamed out."""
    out = tmp_path / "live.webm"
    proc = mf.run(tool("ffmpeg"), "-v", "error", "-f", "lavfi", "-i",
                  "testsrc=d=1:s=160x120:r=10", "-c:v", "libvpx", "-deadline", "realtime",
                  "-metadata", "title=Secret title", "-live", "1", "-f", "webm", "pipe:1")
    out.write_bytes(proc.stdout)
    plan = engine.prepare(Source.from_path(out), out.name)
    sink = io.BytesIO()
    plan.write_to(sink)
    assert b"Secret title" in proc.stdout and b"Secret title" not in sink.getvalue()
    clean = tmp_path / "clean.webm"
    clean.write_bytes(sink.getvalue())
    mf.assert_packets_kept(out, clean)


@pytest.mark.parametrize(
    "data",
    [
        b"\x1a\x45\xdf\xa3\x80" + b"\x18\x53\x80\x67\x88" + b"\x00" * 3,  # segment past end
        b"\x1a\x45\xdf\xa3\x80" + b"\x00" * 12,  # invalid number
        b"\x1a\x45\xdf\xa3\x80" + b"\x18\x53\x80\x67\x01\xff\xff\xff\xff\xff\xff\xff"
        + b"\x15\x49\xa9\x66\x01\xff\xff\xff\xff\xff\xff\xff",  # Info of unknown size
        b"\x1a\x45\xdf\xa3\x80" + b"\x18\x53\x80\x67\x80" * 2,  # two segments
    ],
)
def test_hostile_ebml_refused(data: bytes) -> None:
    with pytest.raises(CleanRefused):
        MatroskaCleaner().prepare(Source.from_bytes(data), FileKind.MKV, engine.DEFAULT_LIMITS)


@settings(max_examples=150, deadline=None)
@given(edits=st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 255)), max_size=6),
       cut=st.integers(0, 1 << 20), head=st.booleans(),
       maker=st.sampled_from(["make_mkv", "make_webm"]))
def test_fuzz_smoke(edits: list[tuple[int, int]], cut: int, head: bool, maker: str) -> None:
    data = mf.mutate(mf.seed_bytes(maker), edits, cut, head)
    kind = {"make_mkv": FileKind.MKV, "make_webm": FileKind.WEBM}[maker]
    mf.exercise(MatroskaCleaner(), kind, data)
