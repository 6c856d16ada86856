"""User data inside MPEG-1/2 video (start code B2) in MP4, MOV and Matroska.

ffmpeg's MPEG-2 encoder writes none, so the tests put a camera's note and
ATSC closed captions after every GOP header of a real ffmpeg stream (what
HDV camcorders and broadcast recorders do) and mux it with ``-c copy``.
ffprobe is the judge for the captions; the decoded pictures must not change.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from submitter.metadata import engine
from submitter.metadata.model import Category, EncoderNoteRefused
from submitter.metadata.source import Source
from tests.metadata import media_fixtures as mf
from tests.peers import tool

USER_DATA = b"\x00\x00\x01\xb2"
CAMERA = b"Canon HV30 serial 0042"
CAPTIONS = b"GA94\x03\x42\xff\xfc\xc8\x49\xfc\xcd\x45\xff"
AFD = b"DTG1\x41\xf9"


def _stream(folder: Path, *notes: bytes) -> Path:
    """A real MPEG-2 elementary stream with ``notes`` after every GOP header."""
    plain = folder / "plain.m2v"
    mf.run(tool("ffmpeg"), "-v", "error", "-y", "-nostdin", "-f", "lavfi", "-i",
           "testsrc=d=1:s=160x120:r=25", "-c:v", "mpeg2video", "-g", "5", str(plain))
    data = plain.read_bytes()
    out, pos = bytearray(), 0
    while (gop := data.find(b"\x00\x00\x01\xb8", pos)) >= 0:
        picture = data.find(b"\x00\x00\x01\x00", gop)
        out += data[pos:picture] + b"".join(USER_DATA + n for n in notes)
        pos = picture
    out += data[pos:]
    dirty = folder / "dirty.m2v"
    dirty.write_bytes(bytes(out))
    return dirty


def _mux(stream: Path, suffix: str) -> Path:
    out = stream.with_suffix(suffix)
    mf.run(tool("ffmpeg"), "-v", "error", "-y", "-nostdin", "-fflags", "+genpts", "-r", "25",
           "-i", str(stream), "-c", "copy", str(out))
    return out


def _captions_seen(path: Path) -> bool:
    proc = mf.run(tool("ffprobe"), "-v", "error", "-select_streams", "v:0", "-show_frames",
                  "-read_intervals", "%+#3", "-of", "json", str(path))
    return any("Closed Captions" in sd.get("side_data_type", "")
               for f in json.loads(proc.stdout)["frames"] for sd in f.get("side_data_list", []))


@pytest.fixture(scope="module")
def stream(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _stream(tmp_path_factory.mktemp("mpeg2"), CAMERA, CAPTIONS, AFD)


@pytest.mark.parametrize("suffix", [".mp4", ".mov", ".mkv"])
def test_notes_and_captions_gone_pictures_kept(stream: Path, suffix: str,
                                                tmp_path: Path) -> None:
    dirty = _mux(stream, suffix)
    assert dirty.read_bytes().count(CAMERA) == 5 and _captions_seen(dirty)
    found = engine.inspect(Source.from_path(dirty), dirty.name).findings
    mine = [f for f in found if f.field.startswith("MPEG-1/2 video stream")]
    assert {f.category for f in mine} == {Category.SOFTWARE, Category.HIDDEN_CONTENT}
    assert any(CAMERA.decode() in f.untrusted_value for f in mine)
    assert any("closed captions" in f.untrusted_value for f in mine)
    clean = mf.clean_to(dirty, tmp_path / f"clean{suffix}")
    data = clean.read_bytes()
    assert CAMERA not in data and not _captions_seen(clean)
    assert data.count(AFD) == 5, "active format description is what displays crop by"
    assert clean.stat().st_size == dirty.stat().st_size
    assert mf.decoded_video_hash(clean) == mf.decoded_video_hash(dirty)
    assert engine.inspect(Source.from_path(clean), clean.name).findings == ()


@pytest.mark.parametrize("entry", [b"hdv2", b"xdv3", b"mx5p", b"mp2v"])
def test_quicktime_mpeg2_entries_walked(stream: Path, entry: bytes, tmp_path: Path) -> None:
    data = _mux(stream, ".mov").read_bytes()
    assert data.count(b"m2v1") == 1
    dirty = tmp_path / "camcorder.mov"
    dirty.write_bytes(data.replace(b"m2v1", entry))
    clean = mf.clean_to(dirty, tmp_path / "clean.mov")
    assert CAMERA not in clean.read_bytes()
    assert mf.decoded_video_hash(clean) == mf.decoded_video_hash(dirty)


def test_tmpgenc_note_refused(tmp_path: Path) -> None:
    # FFmpeg's MPEG-2 decoder decodes differently when it reads this note.
    dirty = _mux(_stream(tmp_path, b"\x00TMPGEXS\x00" + b"x" * 24), ".mkv")
    with pytest.raises(EncoderNoteRefused):
        engine.prepare(Source.from_path(dirty), dirty.name)
