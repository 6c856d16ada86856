"""LAME's name in the spare bytes between MP3 frames' sound (``mp3frames.py``).

Real libmp3lame files (MPEG-1, MPEG-2 and MPEG-2.5 rates, mono and stereo,
constant and variable bit rate) carry "LAME3.100" in frames all through the
file, outside the Info frame; after cleaning they carry none, and ffmpeg
decodes exactly the same sound. Crafted damage ends in a refusal.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from submitter.metadata import engine, mp3frames
from submitter.metadata.model import Category, CleanRefused
from submitter.metadata.source import Source
from tests.metadata import media_fixtures as mf
from tests.peers import tool

SHAPES = {
    "stereo-44k-cbr": ("-ar", "44100", "-ac", "2", "-b:a", "128k"),
    "mono-22k-cbr": ("-ar", "22050", "-ac", "1", "-b:a", "32k"),
    "mono-8k-mpeg25": ("-ar", "8000", "-ac", "1", "-b:a", "16k"),
    "stereo-48k-vbr": ("-ar", "48000", "-ac", "2", "-q:a", "4"),
}


def _lame(folder: Path, name: str, *args: str) -> Path:
    # The noise's seed is fixed: with a random one, some runs' frames used
    # every byte and LAME wrote no padding to find.
    out = folder / f"{name}.mp3"
    mf.run(tool("ffmpeg"), "-v", "error", "-y", "-nostdin", "-f", "lavfi", "-i",
           "sine=f=440:d=6,volume=0.5", "-f", "lavfi", "-i", "anoisesrc=d=6:a=0.02:seed=7",
           "-filter_complex", "amix=inputs=2", "-c:a", "libmp3lame", *args, str(out))
    return out


@pytest.fixture(scope="module", params=sorted(SHAPES))
def lame(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _lame(tmp_path_factory.mktemp(request.param), request.param, *SHAPES[request.param])


def _after_info(data: bytes) -> bytes:
    return data[512:]  # past the ID3 tag and Info frame of these small files


def test_lame_name_in_frames_found_and_zeroed(lame: Path, tmp_path: Path) -> None:
    if b"LAME3" not in _after_info(lame.read_bytes()):
        pytest.fail("the fixture has no LAME padding: it proves nothing")
    found = [f for f in engine.inspect(Source.from_path(lame), lame.name).findings
             if "spare bytes" in f.field]
    assert found and found[0].category is Category.SOFTWARE
    assert found[0].untrusted_value.startswith("LAME")
    clean = mf.clean_to(lame, tmp_path / "clean.mp3")
    assert b"LAME3" not in clean.read_bytes()
    assert mf.decoded_audio_hash(clean) == mf.decoded_audio_hash(lame)
    assert engine.inspect(Source.from_path(clean), clean.name).findings == ()


def test_only_zeros_written(lame: Path, tmp_path: Path) -> None:
    clean = mf.clean_to(lame, tmp_path / "clean.mp3")
    before, after = lame.read_bytes(), clean.read_bytes()
    shift = len(before) - len(after)  # the ID3 tag cut off the front
    changed = [i for i in range(len(after)) if after[i] != before[i + shift]]
    info_end = 512
    assert all(after[i] == 0 for i in changed if i > info_end)


def _spare_ranges(data: bytes) -> list[tuple[int, int]]:
    spare = mp3frames.SpareBytes()
    first = mp3frames.parse(data[:64])
    assert first is not None
    spare.walk(io.BytesIO(data), first.length, len(data))
    return spare.ranges


def _raw(lame: Path, tmp_path: Path) -> bytes:
    """The frames alone (ID3 removed by ffmpeg's -c copy with no tags)."""
    out = tmp_path / "raw.mp3"
    mf.run(tool("ffmpeg"), "-v", "error", "-y", "-nostdin", "-i", str(lame), "-c", "copy",
           "-map_metadata", "-1", "-id3v2_version", "0", "-write_xing", "1", str(out))
    return out.read_bytes()


def test_hidden_text_in_spare_bytes_zeroed(lame: Path, tmp_path: Path) -> None:
    data = bytearray(_raw(lame, tmp_path))
    ranges = _spare_ranges(bytes(data))
    assert ranges, "no spare bytes to hide text in"
    at, n = max(ranges, key=lambda r: r[1])
    secret = b"Camera 7 / Ivan P. / cell 12"[:n]
    data[at : at + len(secret)] = secret
    dirty = tmp_path / "hidden.mp3"
    dirty.write_bytes(bytes(data))
    clean = mf.clean_to(dirty, tmp_path / "clean.mp3")
    assert secret not in clean.read_bytes()
    assert mf.decoded_audio_hash(clean) == mf.decoded_audio_hash(dirty)


def test_lost_sync_refused(lame: Path, tmp_path: Path) -> None:
    data = _raw(lame, tmp_path)
    frames = mp3frames.parse(data[:64])
    assert frames is not None
    middle = frames.length * 10
    broken = data[:middle] + b"hidden text between frames" + data[middle:]
    for step in (engine.inspect, engine.prepare):
        with pytest.raises(CleanRefused):
            step(Source.from_bytes(broken), "x.mp3")


def test_cut_recording_still_cleaned(lame: Path, tmp_path: Path) -> None:
    data = _raw(lame, tmp_path)
    for cut in (len(data) - 10, len(data) - 100, len(data) * 2 // 3):
        dirty = tmp_path / "cut.mp3"
        dirty.write_bytes(data[:cut])
        clean = mf.clean_to(dirty, tmp_path / "clean.mp3")
        assert b"LAME3" not in _after_info(clean.read_bytes())
        assert engine.inspect(Source.from_path(clean), clean.name).findings == ()


def test_side_info_read_exactly() -> None:
    # MPEG-1 stereo, 128 kbit/s, 44.1 kHz, no CRC: main_data_begin 300 and
    # part2_3_length 100, 200, 300, 400 bits.
    header = b"\xff\xfb\x90\x00"
    bits = 300 << (256 - 9)
    lengths = (100, 200, 300, 400)
    pos = 256 - 9 - 3 - 8
    for n in lengths:
        pos -= 12
        bits |= n << pos
        pos -= 47
    frame = mp3frames.parse(header + bits.to_bytes(32, "big"))
    assert frame is not None
    assert (frame.length, frame.payload) == (417, 36)
    assert frame.main_data_begin == 300 and frame.main_bits == sum(lengths)
