"""Lossless trims: the "cut" frames and sound an edit list hides are refused.

``ffmpeg -ss 3 -i in.mp4 -c copy out.mp4`` cannot start between key frames,
so it keeps the three seconds before the cut and writes an edit list that
tells players to skip them; ``-ignore_editlist 1`` shows them again. Real
trims (MP4, MOV, fragmented with its movie header last) are refused with
the trim's own message; real untrimmed files with B-frame and priming edits
(x264, x265, MPEG-4, AAC, HE-AAC, MP3, Opus) and a trim at a key frame are
cleaned. Crafted edit lists cover the end and the middle cut out.

An editor that cuts in place rewrites the sample tables and leaves the cut
bytes in 'mdat': bytes no sample uses are zeroed, in every box layout.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from submitter.metadata import editlist, engine
from submitter.metadata.editlist import Edit
from submitter.metadata.model import CorruptRefused, LimitRefused, TrimmedRefused
from submitter.metadata.source import Source
from tests.metadata import media_fixtures as mf
from tests.metadata.contract import listing, run_cli
from tests.peers import tool

_SOURCE = ("-f", "lavfi", "-i", "testsrc2=d=6:s=160x120:r=10", "-f", "lavfi", "-i",
           "sine=d=6")


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six seconds, one key frame (a GOP of 50 frames at 10 fps), B-frames."""
    out = tmp_path_factory.mktemp("trim") / "source.mp4"
    mf.ffmpeg(*_SOURCE, "-c:v", "libx264", "-g", "50", "-bf", "2", "-c:a", "aac", str(out))
    return out


def _trim(source: Path, name: str, *extra: str) -> Path:
    out = source.with_name(name)
    mf.ffmpeg("-ss", "3", "-i", str(source), "-c", "copy", *extra, str(out))
    return out


def _frames(path: Path, *before: str) -> int:
    proc = mf.run(tool("ffprobe"), "-v", "error", *before, "-select_streams", "v",
                  "-count_frames", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0",
                  str(path))
    return int(proc.stdout.decode().strip())


TRIMS = {
    "trimmed.mp4": (),
    "trimmed.mov": (),
    "fragmented-trimmed.mp4": ("-use_editlist", "1", "-movflags", "frag_keyframe+delay_moov"),
}


@pytest.mark.parametrize("name", sorted(TRIMS))
def test_a_lossless_trim_is_refused(source: Path, name: str) -> None:
    trimmed = _trim(source, name, *TRIMS[name])
    if not name.startswith("fragmented"):
        # What the refusal is about: the cut-out pictures are there to see.
        assert _frames(trimmed) == 30
        assert _frames(trimmed, "-ignore_editlist", "1") > 30
    with pytest.raises(TrimmedRefused, match=r"3\.0 s of (video|sound) cut out"):
        engine.inspect(Source.from_path(trimmed), trimmed.name)
    with pytest.raises(TrimmedRefused):
        engine.prepare(Source.from_path(trimmed), trimmed.name)


def test_the_command_line_explains_and_writes_nothing(source: Path, tmp_path: Path) -> None:
    trimmed = _trim(source, "cut.mp4")
    out = tmp_path / "out"
    out.mkdir()
    before = listing(tmp_path)
    proc = run_cli("clean", "--out", str(out), str(trimmed), cwd=tmp_path)
    assert proc.returncode == 2
    assert TrimmedRefused.message in proc.stderr
    assert listing(tmp_path) == before


UNTRIMMED = {
    "x264-aac.mp4": ("-c:v", "libx264", "-bf", "3", "-c:a", "aac"),
    "x265-mp3.mp4": ("-c:v", "libx265", "-c:a", "libmp3lame"),
    "mpeg4-opus.mp4": ("-c:v", "mpeg4", "-bf", "2", "-c:a", "libopus"),
    "x264-aac.mov": ("-c:v", "libx264", "-bf", "2", "-c:a", "aac"),
    "he-aac.m4a": ("-vn", "-c:a", "aac", "-profile:a", "aac_he"),
}


@pytest.mark.parametrize("name", sorted(UNTRIMMED))
def test_encoder_delays_are_not_trims(tmp_path: Path, name: str) -> None:
    dirty = tmp_path / name
    mf.ffmpeg(*_SOURCE, *UNTRIMMED[name], str(dirty))
    assert b"elst" in dirty.read_bytes()  # B-frame delay, priming: skipped by edits
    clean = mf.clean_to(dirty, tmp_path / f"clean{dirty.suffix}")
    assert engine.inspect(Source.from_path(clean), clean.name).findings == ()


def test_a_trim_at_a_key_frame_is_cleaned(tmp_path: Path) -> None:
    dirty = tmp_path / "keyed.mp4"
    mf.ffmpeg(*_SOURCE, "-c:v", "libx264", "-g", "10", "-c:a", "aac", str(dirty))
    cut = _trim(dirty, "keyed-cut.mp4")
    assert _frames(cut) == _frames(cut, "-ignore_editlist", "1")  # nothing hidden
    mf.clean_to(cut, tmp_path / "clean.mp4")


def _elst_entries(data: bytes) -> list[int]:
    """File offsets of the first entry of every version 0 'elst'."""
    out, at = [], data.find(b"elst")
    while at >= 0:
        assert data[at + 4] == 0 and struct.unpack_from(">I", data, at + 8)[0] == 1
        out.append(at + 12)
        at = data.find(b"elst", at + 4)
    return out


def test_an_end_cut_by_a_shorter_edit_is_refused(source: Path, tmp_path: Path) -> None:
    # An editor that trims the end keeps the media and shortens the edit.
    data = bytearray(source.read_bytes())
    for at in _elst_entries(bytes(data)):
        struct.pack_into(">I", data, at, 2000)  # 2 of the 6 seconds (movie timescale 1000)
    dirty = tmp_path / "end-cut.mp4"
    dirty.write_bytes(bytes(data))
    with pytest.raises(TrimmedRefused, match=r"4\.0 s of"):
        engine.prepare(Source.from_path(dirty), dirty.name)


# --- the arithmetic ---

def test_hidden_measures_what_no_edit_shows() -> None:
    # movie timescale 1000, media 90000; media runs 0..10 s
    whole = [Edit(10_000, 0, 1)]
    assert editlist.hidden(whole, 1000, 90_000, 0, 900_000) == 0
    start_cut = [Edit(7_000, 270_000, 1)]
    assert editlist.hidden(start_cut, 1000, 90_000, 0, 900_000) == 270_000
    middle_cut = [Edit(3_000, 0, 1), Edit(5_000, 450_000, 1)]  # 3..5 s gone
    assert editlist.hidden(middle_cut, 1000, 90_000, 0, 900_000) == 180_000
    paused = [Edit(2_000, -1, 1), *whole]  # an empty edit delays, hides nothing
    assert editlist.hidden(paused, 1000, 90_000, 0, 900_000) == 0
    held = [Edit(10_000, 450_000, 0)]  # one picture held: the rest is not shown
    assert editlist.hidden(held, 1000, 90_000, 0, 900_000) == 900_000
    to_the_end = [Edit(0, 90_000, 1)]  # fragmented files: duration 0 runs to the end
    assert editlist.hidden(to_the_end, 1000, 90_000, 0, 900_000) == 90_000
    overlapping = [Edit(6_000, 0, 1), Edit(6_000, 0, 1)]  # shown twice, counted once
    assert editlist.hidden(overlapping, 1000, 90_000, 0, 900_000) == 360_000
    # B-frame delay: the first picture is shown at 2 frames in; an edit from there hides nothing
    assert editlist.hidden([Edit(10_000, 6_000, 1)], 1000, 90_000, 6_000, 900_000) == 0
    assert editlist.hidden([Edit(10_000, 0, 1)], 1000, 90_000, 0, 0) == 0
    with pytest.raises(CorruptRefused):
        editlist.hidden(whole, 0, 90_000, 0, 900_000)


def test_parse_both_versions_and_refuse_damage() -> None:
    v0 = bytes(4) + struct.pack(">IIiHH", 1, 3000, 32768, 1, 0)
    assert editlist.parse(v0) == [Edit(3000, 32768, 1)]
    v1 = b"\x01" + bytes(3) + struct.pack(">IQqHH", 1, 1 << 33, -1, 1, 0)
    assert editlist.parse(v1) == [Edit(1 << 33, -1, 1)]
    with pytest.raises(CorruptRefused):
        editlist.parse(v0[:-1])
    with pytest.raises(CorruptRefused):
        editlist.parse(b"\x00")
    with pytest.raises(LimitRefused):
        editlist.parse(bytes(4) + struct.pack(">I", editlist.MAX_EDITS + 1))


# --- media data no sample uses: an editor's leftovers, zeroed ---

CUT_OUT = b"frames cut out in place: the source's face " * 40


def _boxes(data: bytes) -> list[tuple[bytes, int, int]]:
    """(type, start, end) of every top-level box."""
    out, pos = [], 0
    while pos < len(data):
        size, kind = struct.unpack_from(">I4s", data, pos)
        out.append((kind, pos, pos + size))
        pos += size
    return out


def _grow_last_mdat(data: bytes, extra: bytes) -> bytes:
    """``extra`` added at the end of the last 'mdat' (what follows it moves on,
    which no sample offset points into)."""
    [*_, (_, start, end)] = [b for b in _boxes(data) if b[0] == b"mdat"]
    grown = struct.pack(">I", end - start + len(extra)) + data[start + 4 : end] + extra
    return data[:start] + grown + data[end:]


LAYOUTS = {
    "moov-last.mp4": (),
    "faststart.mp4": ("-movflags", "+faststart"),
    "fragmented.mp4": ("-movflags", "frag_keyframe+empty_moov"),
    "moov-last.mov": (),
}


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_bytes_no_track_uses_are_zeroed(tmp_path: Path, name: str) -> None:
    made = tmp_path / f"made-{name}"
    mf.ffmpeg(*_SOURCE, "-c:v", "libx264", "-g", "10", "-c:a", "aac", *LAYOUTS[name], str(made))
    dirty = tmp_path / name
    dirty.write_bytes(_grow_last_mdat(made.read_bytes(), CUT_OUT))
    assert mf.packet_layout(dirty) == mf.packet_layout(made)  # no player sees them
    [found] = [f for f in engine.inspect(Source.from_path(dirty), dirty.name).findings
               if f.field == "media data that no track uses"]
    assert found.untrusted_value.startswith(f"{len(CUT_OUT)} bytes in 1 places")
    clean = mf.clean_to(dirty, tmp_path / f"clean-{name}")
    data = clean.read_bytes()
    assert CUT_OUT[:40] not in data and clean.stat().st_size == dirty.stat().st_size
    at = dirty.read_bytes().index(CUT_OUT)
    assert data[at : at + len(CUT_OUT)] == bytes(len(CUT_OUT))
    assert mf.decoded_frame_hashes(clean) == mf.decoded_frame_hashes(made)  # x264 note blanked
    assert mf.decoded_audio_hash(clean) == mf.decoded_audio_hash(made)
    assert engine.inspect(Source.from_path(clean), clean.name).findings == ()


def test_zero_gaps_are_not_reported(tmp_path: Path) -> None:
    made = tmp_path / "made.mp4"
    mf.ffmpeg(*_SOURCE, "-c:v", "libx264", "-c:a", "aac", str(made))
    dirty = tmp_path / "zeros.mp4"
    dirty.write_bytes(_grow_last_mdat(made.read_bytes(), bytes(4096)))
    assert not [f for f in engine.inspect(Source.from_path(dirty), dirty.name).findings
                if f.field == "media data that no track uses"]


# --- data after the last box ---

@pytest.mark.parametrize(("trailer", "field", "kept"), [
    (b"SEFH" + bytes(8) + b"Original path: DCIM/Camera" + b"SEFT", "data after the last box", 0),
    (b"xyz", "data after the last box", 0),
    # A size of zero says "to the end of the file": a box, blanked as one (its header kept).
    (b"\x00\x00\x00\x00note from a recorder", "top-level 'note' box", 8),
], ids=["phone-trailer", "short", "box-to-the-end"])
def test_data_after_the_last_box_zeroed(tmp_path: Path, trailer: bytes, field: str,
                                        kept: int) -> None:
    made = tmp_path / "made.mp4"
    mf.ffmpeg(*_SOURCE, "-c:v", "libx264", "-c:a", "aac", str(made))
    dirty = tmp_path / "trailer.mp4"
    dirty.write_bytes(made.read_bytes() + trailer)
    found = {f.field: f.untrusted_value
             for f in engine.inspect(Source.from_path(dirty), dirty.name).findings}
    assert found[field].startswith(f"{len(trailer) - kept} bytes")
    clean = mf.clean_to(dirty, tmp_path / "clean.mp4")
    assert clean.read_bytes()[len(made.read_bytes()) + kept :] == bytes(len(trailer) - kept)
    assert mf.decoded_frame_hashes(clean) == mf.decoded_frame_hashes(made)


def test_zeros_after_the_last_box_kept_and_a_cut_media_box_refused(tmp_path: Path) -> None:
    made = tmp_path / "made.mp4"
    mf.ffmpeg(*_SOURCE, "-c:v", "libx264", "-c:a", "aac", "-movflags", "+faststart", str(made))
    data = made.read_bytes()
    padded = tmp_path / "padded.mp4"
    padded.write_bytes(data + bytes(5000))  # a recorder's preallocated file
    assert "data after the last box" not in {
        f.field for f in engine.inspect(Source.from_path(padded), padded.name).findings}
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) - 1000])  # the media data box ends early
    with pytest.raises(CorruptRefused):
        engine.inspect(Source.from_path(cut), cut.name)
