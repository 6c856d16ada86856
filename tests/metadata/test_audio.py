"""MP3, FLAC, Ogg Vorbis/Opus, WAV: the contract, plus hostile tag structures."""

from __future__ import annotations

import io
import struct
from pathlib import Path
from typing import ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from submitter.metadata import engine
from submitter.metadata.audio import FlacCleaner, Mp3Cleaner, WavCleaner
from submitter.metadata.kinds import FileKind
from submitter.metadata.model import Category, CleanRefused, CleanReport, CorruptRefused
from submitter.metadata.source import Source
from tests.metadata import media_fixtures as mf
from tests.metadata.contract import CleanerContract


class _AudioContract(CleanerContract):
    def check_opens(self, path: Path) -> None:
        assert [t for t, _ in mf.probe_streams(path)] == ["audio"]

    def check_content(self, original: Path, cleaned: Path, report: CleanReport) -> None:
        assert mf.probe_streams(cleaned)[0] == mf.probe_streams(original)[0]
        assert mf.decoded_audio_hash(cleaned) == mf.decoded_audio_hash(original)
        orig = mf.frame_hashes(original, ("0:a",))
        assert mf.frame_hashes(cleaned, ("0:a",)) == orig

    def corrupt_variants(self, data: bytes) -> list[tuple[str, bytes]]:
        # A stream cut between frames is still a valid stream: only damage
        # to the structure must be refused here.
        return [v for v in super().corrupt_variants(data) if v[0] != "cut in half"]


class TestMp3Contract(_AudioContract):
    kinds_covered: ClassVar[frozenset[FileKind]] = frozenset({FileKind.MP3})
    required_tags = ("Artist", "Title", "Copyright")
    expected_categories = frozenset({Category.PERSON, Category.TIME, Category.SOFTWARE})

    def make_dirty(self, tmp_path: Path) -> Path:
        return mf.make_mp3(tmp_path)

    def check_content(self, original: Path, cleaned: Path, report: CleanReport) -> None:
        # LAME's name in the spare bytes between the sound is zeroed inside
        # the packets: the same packets and decoded sound, bytes only cleared.
        assert mf.decoded_audio_hash(cleaned) == mf.decoded_audio_hash(original)
        assert len(mf.frame_hashes(cleaned, ("0:a",))) == len(mf.frame_hashes(original, ("0:a",)))
        before, after = original.read_bytes(), cleaned.read_bytes()
        assert b"LAME3" in before and b"LAME3" not in after


class TestFlacContract(_AudioContract):
    kinds_covered: ClassVar[frozenset[FileKind]] = frozenset({FileKind.FLAC})
    required_tags = ("Artist", "Location", "Vendor")
    expected_categories = frozenset({Category.PERSON, Category.LOCATION, Category.SOFTWARE,
                                     Category.HIDDEN_CONTENT})

    def make_dirty(self, tmp_path: Path) -> Path:
        return mf.make_flac(tmp_path)

    def check_opens(self, path: Path) -> None:
        # the cover picture (a video stream in ffprobe's eyes) is gone on purpose
        assert [t for t, _ in mf.probe_streams(path)] == ["audio"]


class TestOggVorbisContract(_AudioContract):
    kinds_covered: ClassVar[frozenset[FileKind]] = frozenset({FileKind.OGG})
    required_tags = ("Artist", "Location", "Vendor")
    expected_categories = frozenset({Category.PERSON, Category.LOCATION, Category.SOFTWARE})

    def make_dirty(self, tmp_path: Path) -> Path:
        return mf.make_ogg(tmp_path)


class TestOggOpusContract(_AudioContract):
    kinds_covered: ClassVar[frozenset[FileKind]] = frozenset({FileKind.OGG})
    required_tags = ("Artist", "Location", "Vendor")
    expected_categories = frozenset({Category.PERSON, Category.LOCATION, Category.SOFTWARE})

    def make_dirty(self, tmp_path: Path) -> Path:
        return mf.make_opus(tmp_path)


class TestWavContract(_AudioContract):
    kinds_covered: ClassVar[frozenset[FileKind]] = frozenset({FileKind.WAV})
    required_tags = ("Artist", "Originator")
    expected_categories = frozenset({Category.PERSON, Category.DEVICE, Category.SOFTWARE})

    def make_dirty(self, tmp_path: Path) -> Path:
        return mf.make_wav(tmp_path)


# --- hostile structures ---

def _refused(cleaner: object, data: bytes, kind: FileKind) -> None:
    with pytest.raises(CleanRefused):
        cleaner.prepare(Source.from_bytes(data), kind, engine.DEFAULT_LIMITS)  # type: ignore[attr-defined]


def test_mp3_tag_size_past_end_refused() -> None:
    tag = b"ID3\x03\x00\x00" + bytes([0x7F, 0x7F, 0x7F, 0x7F]) + b"\x00" * 20
    _refused(Mp3Cleaner(), tag, FileKind.MP3)


def test_mp3_tag_with_nothing_after_refused() -> None:
    _refused(Mp3Cleaner(), b"ID3\x03\x00\x00\x00\x00\x00\x04" + b"abcd", FileKind.MP3)


def test_mp3_ape_size_absurd_refused() -> None:
    frame = b"\xff\xfb\x90\x00" + b"\x00" * 400
    footer = b"APETAGEX" + struct.pack("<IIII", 2000, 0x7FFFFFFF, 1, 0) + b"\x00" * 8
    _refused(Mp3Cleaner(), frame + footer, FileKind.MP3)


def test_flac_block_past_end_refused() -> None:
    _refused(FlacCleaner(), b"fLaC\x80\xff\xff\xff" + b"\x00" * 30, FileKind.FLAC)


def test_flac_endless_blocks_refused() -> None:
    block = b"\x01\x00\x00\x00"  # empty padding blocks, never "last"
    _refused(FlacCleaner(), b"fLaC" + block * 20_000, FileKind.FLAC)


def test_wav_chunk_past_end_refused() -> None:
    data = b"RIFF" + struct.pack("<I", 40) + b"WAVE" + b"LIST" + struct.pack("<I", 1 << 30)
    _refused(WavCleaner(), data + b"\x00" * 24, FileKind.WAV)


def test_wav_streams_constant_pieces(tmp_path: Path) -> None:
    wav = mf.make_wav(tmp_path)
    plan = engine.prepare(Source.from_path(wav), wav.name)
    out = io.BytesIO()
    plan.write_to(out)
    cleaned = out.getvalue()
    assert b"Studio 4" not in cleaned and b"John Doe" not in cleaned
    assert struct.unpack_from("<I", cleaned, 4)[0] == len(cleaned) - 8


def test_ogg_garbage_after_header_refused(tmp_path: Path) -> None:
    ogg = mf.make_ogg(tmp_path).read_bytes()
    with pytest.raises(CorruptRefused):
        engine.prepare(Source.from_bytes(ogg[:200] + b"\x00" * 300), "a.ogg")


@settings(max_examples=150, deadline=None)
@given(edits=st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 255)), max_size=6),
       cut=st.integers(0, 1 << 20), head=st.booleans(),
       maker=st.sampled_from(["make_mp3", "make_flac", "make_ogg", "make_opus", "make_wav"]))
def test_fuzz_smoke(edits: list[tuple[int, int]], cut: int, head: bool, maker: str) -> None:
    data = mf.mutate(mf.seed_bytes(maker), edits, cut, head)
    kind = {"make_mp3": FileKind.MP3, "make_flac": FileKind.FLAC, "make_ogg": FileKind.OGG,
            "make_opus": FileKind.OGG, "make_wav": FileKind.WAV}[maker]
    mf.exercise(engine.cleaner_for(kind), kind, data)


def test_mp3_zero_padding_dropped_garbage_refused(tmp_path: Path) -> None:
    mp3 = mf.make_mp3(tmp_path).read_bytes()
    size = 10 + sum((mp3[6 + i] & 0x7F) << (7 * (3 - i)) for i in range(4))  # ID3v2
    tag, frames = mp3[:size], mp3[size:]
    padded = tag + bytes(300) + frames
    plan = engine.prepare(Source.from_bytes(padded), "a.mp3")
    out = io.BytesIO()
    plan.write_to(out)
    cleaned = out.getvalue()
    assert b"John Doe" not in cleaned
    # The padding goes with the tag: the cleaned file starts with its first
    # frame, so it is recognised as MP3 (and inspects clean) again.
    assert cleaned[:2] == frames[:2] and cleaned[0] == 0xFF
    assert len(cleaned) == plan.size
    assert engine.inspect(Source.from_bytes(cleaned), "a.mp3").findings == ()
    with pytest.raises(CorruptRefused):
        engine.prepare(Source.from_bytes(tag + b"hidden note" + frames), "a.mp3")
