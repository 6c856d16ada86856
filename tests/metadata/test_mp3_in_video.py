"""MP3 sound inside AVI, MP4/MOV and Matroska: LAME's name in the spare bytes.

FFmpeg's default sound for .avi is libmp3lame, which writes "LAME3.100" into
bytes no frame's sound uses. Each container's walk gathers the stream's
chunks, samples or blocks, reads them as one run of frames
(``mp3frames.Mp3Streams``) and zeroes those bytes in place. Real ffmpeg
files are judged by ffmpeg (decoded samples, packets), ffprobe and
exiftool; crafted AVIs split frames across chunks at every point, and carry
MPEG-1 Layer II sound, LATM AAC and damage.
"""

from __future__ import annotations

import io
import itertools
import struct
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from submitter.metadata import engine, mp3frames
from submitter.metadata.avi import AviCleaner
from submitter.metadata.kinds import FileKind
from submitter.metadata.model import (
    Category,
    CleanRefused,
    CleanReport,
    CorruptRefused,
    UnsupportedContentRefused,
)
from submitter.metadata.source import Source
from tests.metadata import exiftool
from tests.metadata import media_fixtures as mf
from tests.peers import tool

LAME = b"LAME3"
# Bit-exact MPEG-4 video carries no note, so its packets must come out unchanged.
_VIDEO = ("-f", "lavfi", "-i", "testsrc2=d=3:s=160x120:r=10", "-c:v", "mpeg4",
          "-flags:v", "+bitexact")
_SOUND = ("-f", "lavfi", "-i", "sine=f=440:d=3,volume=0.5", "-f", "lavfi", "-i",
          "anoisesrc=d=3:a=0.02:seed=7", "-filter_complex", "[1:a][2:a]amix=inputs=2[a]")


def _made(folder: Path, name: str, *audio: str) -> Path:
    out = folder / name
    mf.ffmpeg(*_VIDEO[:4], *_SOUND, "-map", "0:v", "-map", "[a]", *_VIDEO[4:], *audio,
              str(out))
    return out


def _copied(folder: Path, name: str, *extra: str) -> Path:
    """An .mp3 file (ID3 tag, Info frame) with its sound copied into a video."""
    mp3 = folder / "voice.mp3"
    mf.run(tool("ffmpeg"), "-v", "error", "-y", "-nostdin", *_SOUND[:8],
           "-filter_complex", "amix=inputs=2", "-c:a", "libmp3lame", "-b:a", "96k", str(mp3))
    out = folder / name
    mf.ffmpeg(*_VIDEO[:4], "-i", str(mp3), "-map", "0:v", "-map", "1:a", *_VIDEO[4:],
              "-c:a", "copy", *extra, str(out))
    return out


_CBR = ("-c:a", "libmp3lame", "-ac", "2", "-b:a", "128k")
MAKERS: dict[str, Callable[[Path, str], Path]] = {
    "stereo-44k-cbr.avi": lambda f, n: _made(f, n, *_CBR),
    "mono-22k-mpeg2.avi": lambda f, n: _made(f, n, "-c:a", "libmp3lame", "-ar", "22050",
                                             "-ac", "1", "-b:a", "32k"),
    "stereo-48k-vbr.avi": lambda f, n: _made(f, n, "-c:a", "libmp3lame", "-ar", "48000",
                                             "-q:a", "4"),
    "default.avi": lambda f, n: _made(f, n),  # what `ffmpeg -i ... x.avi` writes
    "copied-from-mp3.avi": _copied,
    # MP4 ('mp4a', MPEG-1 audio esds), QuickTime ('.mp3'), Matroska (A_MPEG/L3)
    "stereo-44k-cbr.mp4": lambda f, n: _made(f, n, *_CBR),
    "mono-22k-mpeg2.mov": lambda f, n: _made(f, n, "-c:a", "libmp3lame", "-ar", "22050",
                                             "-ac", "1", "-b:a", "32k"),
    "stereo-48k-vbr.mkv": lambda f, n: _made(f, n, "-c:a", "libmp3lame", "-ar", "48000",
                                             "-q:a", "4"),
    "copied-from-mp3.mkv": _copied,
    "fragmented.mp4": lambda f, n: _made(f, n, *_CBR, "-movflags",
                                         "frag_keyframe+empty_moov"),
}
_TYPES = {".avi": "AVI", ".mp4": "MP4", ".mov": "MOV", ".mkv": "MKV"}


def _stream(path: Path, stream: str) -> bytes:
    """A stream's packets, as ffmpeg reads them out of the container."""
    return mf.run(tool("ffmpeg"), "-v", "error", "-nostdin", "-i", str(path), "-map", stream,
                  "-c", "copy", "-f", "data", "-").stdout


# --- reading an AVI the simple way ffmpeg writes it (chunks: mf.avi_chunks) ---

def _sound(data: bytes) -> bytes:
    return b"".join(data[at : at + n] for cid, at, n in mf.avi_chunks(data) if cid == b"01wb")


def _sound_tag(data: bytes) -> int:
    strf = data.index(b"strf", data.index(b"auds")) + 8
    return int(struct.unpack_from("<H", data, strf)[0])


def _spare(path: Path) -> list[tuple[str, Category]]:
    return [(f.untrusted_value, f.category)
            for f in engine.inspect(Source.from_path(path), path.name).findings
            if f.field == mp3frames.FIELD]


@pytest.fixture(scope="module", params=sorted(MAKERS))
def made(request: pytest.FixtureRequest,
         tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, Path]:
    folder = tmp_path_factory.mktemp(request.param)
    dirty = MAKERS[request.param](folder, request.param)
    return request.param, dirty, mf.clean_to(dirty, folder / f"clean{dirty.suffix}")


def test_ffmpeg_writes_lame_padding_in_every_part_of_the_stream(
        made: tuple[str, Path, Path]) -> None:
    _, dirty, _ = made
    if dirty.suffix == ".avi":
        assert _sound_tag(dirty.read_bytes()) == 0x0055
    assert mf.probe_streams(dirty) == [("video", "mpeg4"), ("audio", "mp3")]
    sound = _stream(dirty, "0:a")
    assert LAME in sound
    # The name sits in bytes no frame's sound uses, where the walk finds it.
    spare = mp3frames.SpareBytes()
    spare.walk(io.BytesIO(sound), 0, len(sound))
    assert spare.text.startswith("LAME3")


def test_inspect_reports_the_encoder(made: tuple[str, Path, Path]) -> None:
    _, dirty, _ = made
    [(value, category)] = _spare(dirty)
    assert value.startswith("LAME") and "the program that made the sound" in value
    assert category is Category.SOFTWARE


def test_clean_leaves_no_name_and_nothing_to_find(made: tuple[str, Path, Path]) -> None:
    _, dirty, clean = made
    assert LAME not in clean.read_bytes()
    assert clean.stat().st_size == dirty.stat().st_size
    assert engine.inspect(Source.from_path(clean), clean.name).findings == ()


def test_sound_decodes_the_same_and_only_zeros_are_written(
        made: tuple[str, Path, Path]) -> None:
    _, dirty, clean = made
    assert mf.probe_streams(clean) == mf.probe_streams(dirty)
    assert mf.packet_layout(clean) == mf.packet_layout(dirty)
    assert mf.decoded_audio_hash(clean) == mf.decoded_audio_hash(dirty)
    assert _stream(clean, "0:v") == _stream(dirty, "0:v")
    before, after = _stream(dirty, "0:a"), _stream(clean, "0:a")
    assert len(before) == len(after)
    changed = [i for i in range(len(before)) if before[i] != after[i]]
    assert changed and all(after[i] == 0 for i in changed)


def test_outside_the_sound_only_metadata_changes_in_avi(made: tuple[str, Path, Path]) -> None:
    _, dirty, clean = made
    if dirty.suffix != ".avi":
        return
    before, after = dirty.read_bytes(), clean.read_bytes()
    sound = [(at, at + n) for cid, at, n in mf.avi_chunks(before) if cid == b"01wb"]
    changed = [i for i in range(len(before)) if before[i] != after[i]]
    outside = [i for i in changed if not any(lo <= i < hi for lo, hi in sound)]
    # Only the header's metadata chunks (INFO: "Lavf...") change.
    assert all(i < before.index(b"movi") for i in outside)


def test_exiftool_and_ffprobe_read_the_clean_file(made: tuple[str, Path, Path]) -> None:
    _, _, clean = made
    assert exiftool.file_type(clean) == _TYPES[clean.suffix]
    assert exiftool.errors(clean) == []
    assert exiftool.identifying(clean, embedded=True) == []


def test_the_report_says_what_was_zeroed(made: tuple[str, Path, Path]) -> None:
    _, dirty, _ = made
    plan = engine.prepare(Source.from_path(dirty), dirty.name)
    assert mp3frames.NOTE in plan.report.notes


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    folder = tmp_path_factory.mktemp("seed")
    return MAKERS["stereo-44k-cbr.avi"](folder, "seed.avi").read_bytes()


def _clean(data: bytes) -> tuple[bytes, CleanReport]:
    plan = AviCleaner().prepare(Source.from_bytes(data), FileKind.AVI, engine.DEFAULT_LIMITS)
    out = io.BytesIO()
    plan.write_to(out)
    return out.getvalue(), plan.report


def _with_tag(data: bytes, tag: int) -> bytes:
    strf = data.index(b"strf", data.index(b"auds")) + 8
    return data[:strf] + struct.pack("<H", tag) + data[strf + 2 :]


def test_format_code_0x50_with_layer_iii_frames_walked(real: bytes, tmp_path: Path) -> None:
    # FFmpeg's MPEG audio decoder reads the layer from each frame, not the
    # code: 0x0050 with Layer III frames plays as MP3, so it is walked the same.
    dirty = tmp_path / "x.avi"
    dirty.write_bytes(_with_tag(real, 0x0050))
    assert ("audio", "mp2") in mf.probe_streams(dirty)
    clean = mf.clean_to(dirty, tmp_path / "clean.avi")
    assert LAME in _sound(dirty.read_bytes()) and LAME not in clean.read_bytes()
    assert mf.decoded_audio_hash(clean) == mf.decoded_audio_hash(dirty)


def test_layer_ii_sound_is_not_walked(tmp_path: Path) -> None:
    # No reservoir in Layer II: nothing to follow, and its chunks are copied.
    dirty = _made(tmp_path, "mp2.avi", "-c:a", "mp2", "-b:a", "128k")
    data = dirty.read_bytes()
    assert _sound_tag(data) == 0x0050
    assert _spare(dirty) == []
    clean = mf.clean_to(dirty, tmp_path / "clean.avi")
    assert _sound(clean.read_bytes()) == _sound(data)


# --- crafted AVIs: one sound stream, chunks as given ---

def _chunk(cid: bytes, body: bytes) -> bytes:
    return cid + struct.pack("<I", len(body)) + body + (b"\x00" if len(body) & 1 else b"")


def _list(ltype: bytes, body: bytes) -> bytes:
    return _chunk(b"LIST", ltype + body)


def _avi(chunks: list[bytes], tag: int = 0x0055) -> bytes:
    fmt = struct.pack("<HHIIHHH", tag, 2, 44100, 16000, 1, 0, 0)
    strl = _list(b"strl", _chunk(b"strh", b"auds" + b"\x00" * 52) + _chunk(b"strf", fmt))
    hdrl = _list(b"hdrl", _chunk(b"avih", b"\x00" * 56) + strl)
    movi = _list(b"movi", b"".join(_chunk(b"00wb", c) for c in chunks))
    body = b"AVI " + hdrl + movi
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _walked_whole(stream: bytes) -> bytes:
    """The stream as the .mp3 walk cleans it, all in one piece."""
    spare = mp3frames.SpareBytes()
    spare.walk(io.BytesIO(stream), 0, len(stream))
    out = bytearray(stream)
    for at, n in spare.ranges:
        out[at : at + n] = bytes(n)
    return bytes(out)


def _split(stream: bytes, cuts: list[int]) -> list[bytes]:
    points = [0, *sorted({c % len(stream) for c in cuts}), len(stream)]
    return [stream[a:b] for a, b in itertools.pairwise(points) if b > a]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cuts=st.lists(st.integers(min_value=0, max_value=1 << 20), max_size=40))
def test_frames_split_across_chunks_cleaned_as_one_stream(real: bytes, cuts: list[int]) -> None:
    """Other muxers cut the stream where they like: a frame, or its side info,
    may run on into the next chunk. The result must equal the whole stream's."""
    stream = _sound(real)
    chunks = _split(stream, cuts)
    out, _ = _clean(_avi(chunks))
    assert _sound_of_crafted(out) == _walked_whole(stream)
    assert LAME not in out


def _sound_of_crafted(data: bytes) -> bytes:
    return b"".join(data[at : at + n] for cid, at, n in mf.avi_chunks(data) if cid == b"00wb")


def test_text_hidden_in_spare_bytes_found(real: bytes) -> None:
    whole = _sound(real)
    stream = bytearray(_walked_whole(whole))  # no spare bytes left set
    found = AviCleaner().inspect(Source.from_bytes(_avi([bytes(stream)])), FileKind.AVI,
                                 engine.DEFAULT_LIMITS)
    assert [f for f in found.findings if f.field == mp3frames.FIELD] == []
    spare = mp3frames.SpareBytes()
    spare.walk(io.BytesIO(whole), 0, len(whole))
    at = next(at for at, n in spare.ranges if n >= 16)
    stream[at : at + 16] = b"Cell block B cam"
    found = AviCleaner().inspect(Source.from_bytes(_avi([bytes(stream)])), FileKind.AVI,
                                 engine.DEFAULT_LIMITS)
    [spare] = [f for f in found.findings if f.field == mp3frames.FIELD]
    assert "Cell block B cam" in spare.untrusted_value
    out, _ = _clean(_avi([bytes(stream)]))
    assert b"Cell block" not in out


def test_latm_aac_refused() -> None:
    # LATM frames are not byte-aligned: no note in them can be ruled out.
    with pytest.raises(UnsupportedContentRefused, match="LATM"):
        _clean(_avi([b"\x56\xe0\x10" + bytes(16)], tag=0x1602))


def test_data_that_is_not_frames_refused(real: bytes) -> None:
    stream = _sound(real)
    with pytest.raises(CorruptRefused):
        _clean(_avi([stream[:4000], b"Camera 3 " * 20, stream[4000:]]))


def test_zero_padding_after_the_frames_kept(real: bytes) -> None:
    stream = _sound(real)
    out, _ = _clean(_avi([stream, bytes(300)]))
    assert _sound_of_crafted(out) == _walked_whole(stream) + bytes(300)


@pytest.mark.parametrize("cut", [1, 3, 20, 200])
def test_stream_cut_mid_frame_cleaned(real: bytes, cut: int) -> None:
    # A recording stopped mid-frame: the cut frame is spare, and cleaned.
    stream = _sound(real)
    last = stream.rindex(b"\xff\xfb")
    out, _ = _clean(_avi([stream[: last + cut]]))
    assert LAME not in out


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=8))
def test_fuzzed_sound_refused_or_cleaned(real: bytes, edits: list[tuple[int, int]]) -> None:
    stream = bytearray(_sound(real))
    for at, value in edits:
        stream[at % len(stream)] = value
    data = _avi(_split(bytes(stream), [at for at, _ in edits]))
    try:
        out, _ = _clean(data)
    except CleanRefused:
        return
    assert AviCleaner().inspect(Source.from_bytes(out), FileKind.AVI,
                                engine.DEFAULT_LIMITS).findings == ()
