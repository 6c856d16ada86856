"""Chunks among an AVI's frames that are not frames: blanked like header metadata.

Recorders pad the frame list with 'JUNK' chunks (often holding leftovers of
an earlier recording), vendors put their own chunks there, and a chunk
numbered for a stream no header lists is skipped by every player. Real
ffmpeg AVIs (a codec whose frames are walked, and one whose frames are not)
get such chunks appended after their last frame, where the index still
points right; after cleaning, the frames and sound decode the same.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from submitter.metadata import engine
from submitter.metadata.source import Source
from tests.metadata import exiftool
from tests.metadata import media_fixtures as mf

LEFTOVER = b"Camera 3 serial 4417, 2024-05-01 10:00 "
CODECS = {"ffv1": ("-c:v", "ffv1"), "mpeg4": ("-c:v", "mpeg4", "-flags:v", "+bitexact")}


def _chunk(cid: bytes, body: bytes) -> bytes:
    return cid + struct.pack("<I", len(body)) + body + (b"\x00" if len(body) & 1 else b"")


def _append_to_movi(data: bytes, chunks: bytes) -> bytes:
    """``chunks`` after the last frame, the movi list and RIFF sizes grown."""
    at = data.index(b"movi") - 8
    size = struct.unpack_from("<I", data, at + 4)[0]
    end = at + 8 + size
    out = bytearray(data[:end] + chunks + data[end:])
    struct.pack_into("<I", out, at + 4, size + len(chunks))
    struct.pack_into("<I", out, 4, struct.unpack_from("<I", out, 4)[0] + len(chunks))
    return bytes(out)


@pytest.fixture(scope="module", params=sorted(CODECS))
def base(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp(request.param) / "base.avi"
    mf.ffmpeg("-f", "lavfi", "-i", "testsrc2=d=1:s=64x48:r=10", "-f", "lavfi", "-i",
              "sine=d=1", *CODECS[request.param], "-c:a", "pcm_s16le", str(out))
    return out


def _found(path: Path) -> dict[str, str]:
    return {f.field: f.untrusted_value
            for f in engine.inspect(Source.from_path(path), path.name).findings}


CASES = {
    "junk": (_chunk(b"JUNK", LEFTOVER), "AVI JUNK among the frames"),
    "vendor": (_chunk(b"ncdt", LEFTOVER), "AVI ncdt chunk"),
    "unlisted-stream": (_chunk(b"07dc", LEFTOVER), "AVI 07dc chunk"),
    "list": (_chunk(b"LIST", b"INFO" + _chunk(b"ICMT", LEFTOVER)), "AVI list among the frames"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_what_is_not_a_frame_is_blanked(base: Path, tmp_path: Path, case: str) -> None:
    chunk, field = CASES[case]
    dirty = tmp_path / "dirty.avi"
    dirty.write_bytes(_append_to_movi(base.read_bytes(), chunk))
    assert mf.frame_hashes(dirty) == mf.frame_hashes(base)  # players skip it
    assert field in _found(dirty)
    clean = mf.clean_to(dirty, tmp_path / "clean.avi")
    data = clean.read_bytes()
    assert LEFTOVER not in data and clean.stat().st_size == dirty.stat().st_size
    at = dirty.read_bytes().index(chunk)
    assert data[at : at + 8] == b"JUNK" + chunk[4:8]
    assert data[at + 8 : at + len(chunk)] == bytes(len(chunk) - 8)
    assert mf.frame_hashes(clean) == mf.frame_hashes(base)
    assert engine.inspect(Source.from_path(clean), clean.name).findings == ()
    assert exiftool.errors(clean) == []


@pytest.mark.parametrize("chunk", [_chunk(b"JUNK", bytes(64)), _chunk(b"ix00", LEFTOVER)],
                         ids=["zero-junk", "field-index"])
def test_padding_and_indexes_kept(base: Path, tmp_path: Path, chunk: bytes) -> None:
    dirty = tmp_path / "dirty.avi"
    dirty.write_bytes(_append_to_movi(base.read_bytes(), chunk))
    assert not [f for f in _found(dirty) if "among the frames" in f or "chunk" in f]
    clean = mf.clean_to(dirty, tmp_path / "clean.avi")
    at = dirty.read_bytes().index(chunk)
    assert clean.read_bytes()[at : at + len(chunk)] == chunk
