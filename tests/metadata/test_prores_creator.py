"""The creator code in every ProRes frame (``prores.py``), in MOV and MKV.

ffmpeg's prores_ks writes the code it is given ('arri' here, as an ARRI
camera does) into each frame; after cleaning every frame holds zeros there,
ffmpeg decodes the same pictures and every packet keeps its size.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from submitter.metadata import engine, prores
from submitter.metadata.model import Category, CorruptRefused
from submitter.metadata.source import Source
from tests.metadata import media_fixtures as mf
from tests.peers import tool

FRAMES = 10


@pytest.fixture(scope="module", params=["mov", "mkv"])
def made(request: pytest.FixtureRequest,
         tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp(request.param)
    dirty = folder / f"dirty.{request.param}"
    mf.ffmpeg("-f", "lavfi", "-i", f"testsrc2=d=1:s=64x48:r={FRAMES}", "-c:v", "prores_ks",
              "-profile:v", "3", "-vendor", "arri", str(dirty))
    return dirty, mf.clean_to(dirty, folder / f"clean.{request.param}")


def _stream(path: Path) -> bytes:
    return mf.run(tool("ffmpeg"), "-v", "error", "-nostdin", "-i", str(path), "-map", "0:v",
                  "-c", "copy", "-f", "data", "-").stdout


def test_the_code_is_in_every_frame_and_found(made: tuple[Path, Path]) -> None:
    dirty, _ = made
    assert _stream(dirty).count(b"arri") == FRAMES
    [found] = [f for f in engine.inspect(Source.from_path(dirty), dirty.name).findings
               if f.field.startswith("ProRes")]
    assert found.untrusted_value.startswith("arri (") and f"in {FRAMES} frames" in \
        found.untrusted_value
    assert found.category is Category.SOFTWARE


def test_zeroed_in_place_pictures_unchanged(made: tuple[Path, Path]) -> None:
    dirty, clean = made
    assert b"arri" not in clean.read_bytes()
    assert clean.stat().st_size == dirty.stat().st_size
    assert mf.packet_layout(clean) == mf.packet_layout(dirty)
    assert mf.decoded_frame_hashes(clean) == mf.decoded_frame_hashes(dirty)
    before, after = _stream(dirty), _stream(clean)
    changed = [i for i in range(len(before)) if before[i] != after[i]]
    assert len(changed) == 4 * FRAMES and all(after[i] == 0 for i in changed)
    assert engine.inspect(Source.from_path(clean), clean.name).findings == ()


@pytest.mark.parametrize(("frame", "atom"), [
    (b"\x00\x00\x00\x20icpX" + bytes(24), True),  # not a ProRes frame header
    (b"\x00\x00\x00\x0aicpf\x00\x94", True),  # shorter than its header
    (b"\x00\x94\x00", False),
], ids=["no-icpf", "short", "short-matroska"])
def test_damaged_frames_refused(frame: bytes, atom: bool) -> None:
    with pytest.raises(CorruptRefused):
        prores.ProresScanner().frame(io.BytesIO(frame), 0, len(frame), atom=atom)


def test_a_cleaned_frame_has_nothing_to_find() -> None:
    scanner = prores.ProresScanner()
    frame = b"\x00\x00\x00\x20icpf\x00\x94\x00\x00" + bytes(4) + bytes(16)
    scanner.frame(io.BytesIO(frame), 0, len(frame))
    assert scanner.patches == {} and scanner.findings() == []
