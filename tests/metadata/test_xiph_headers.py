"""Tags inside Vorbis, Theora and FLAC codec headers (``xiph_headers.py``).

Real files: ffmpeg's WebM with Vorbis sound and MKV with Theora video carry
the encoder's vendor string and tags in the track's CodecPrivate; after
cleaning none is left, and libvorbis (which checks the comment header) and
ffmpeg decode the same samples and pictures. A FLAC file's header, which is
what a FLAC track's CodecPrivate holds, with tags, a picture and a WAV
broadcast chunk kept as an APPLICATION block: every block but STREAMINFO
and SEEKTABLE becomes padding, and the file still decodes the same.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from submitter.metadata import engine, xiph_headers
from submitter.metadata.model import Category, CorruptRefused
from submitter.metadata.source import Source
from tests.metadata import media_fixtures as mf
from tests.peers import tool

TITLE = "Cell block B, night shift"


def _decoded(path: Path, *decoder: str) -> bytes:
    return mf.run(tool("ffmpeg"), "-v", "error", "-nostdin", *decoder, "-i", str(path),
                  "-f", "framemd5", "-").stdout


@pytest.fixture(scope="module")
def vorbis(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("vorbis")
    dirty = folder / "dirty.webm"
    mf.ffmpeg("-f", "lavfi", "-i", "sine=d=1", "-c:a", "libvorbis",
              "-metadata:s:a", f"title={TITLE}", str(dirty))
    return dirty, mf.clean_to(dirty, folder / "clean.webm")


def test_vorbis_comment_header_found(vorbis: tuple[Path, Path]) -> None:
    dirty, _ = vorbis
    found = {f.field: f for f in engine.inspect(Source.from_path(dirty), dirty.name).findings}
    vendor = found["Matroska Vorbis comment vendor"]
    assert vendor.untrusted_value.startswith("Xiph.Org libVorbis")
    assert vendor.category is Category.SOFTWARE
    assert found["Matroska Vorbis comment ENCODER"].untrusted_value.startswith("Lavc")


def test_vorbis_cleaned_and_decodes_the_same(vorbis: tuple[Path, Path]) -> None:
    dirty, clean = vorbis
    data = clean.read_bytes()
    assert b"Xiph.Org" not in data and b"Lavc" not in data
    assert clean.stat().st_size == dirty.stat().st_size
    assert engine.inspect(Source.from_path(clean), clean.name).findings == ()
    for decoder in ((), ("-c:a", "libvorbis")):  # libvorbis reads the comment header
        assert _decoded(clean, *decoder) == _decoded(dirty, *decoder)
    assert mf.packet_layout(clean) == mf.packet_layout(dirty)


def test_theora_vendor_blanked(tmp_path: Path) -> None:
    dirty = tmp_path / "dirty.mkv"
    mf.ffmpeg("-f", "lavfi", "-i", "testsrc2=d=1:s=64x48:r=10", "-c:v", "libtheora", str(dirty))
    found = [f for f in engine.inspect(Source.from_path(dirty), dirty.name).findings
             if f.field.startswith("Matroska Theora comment")]
    assert found and found[0].untrusted_value.startswith("Xiph.Org libtheora")
    clean = mf.clean_to(dirty, tmp_path / "clean.mkv")
    assert b"Xiph.Org" not in clean.read_bytes()
    assert _decoded(clean) == _decoded(dirty)


# --- FLAC metadata blocks ---

BWF = b"riff" + b"bext" + b"Originator: Camera 3 DVR, 2024-05-01 10:00"


def _blocks(header: bytes) -> list[tuple[int, bytes]]:
    out, pos = [], 4
    while True:
        head, n = header[pos], int.from_bytes(header[pos + 1 : pos + 4], "big")
        out.append((head & 0x7F, header[pos + 4 : pos + 4 + n]))
        pos += 4 + n
        if head & 0x80:
            return out


def _header(blocks: list[tuple[int, bytes]]) -> bytes:
    return b"fLaC" + b"".join(
        bytes([kind | (0x80 if i == len(blocks) - 1 else 0)]) + len(body).to_bytes(3, "big")
        + body for i, (kind, body) in enumerate(blocks))


@pytest.fixture(scope="module")
def flac(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes]:
    """(header, frames) of a tagged FLAC with a picture, plus an APPLICATION block."""
    data = mf.make_flac(tmp_path_factory.mktemp("flac")).read_bytes()
    blocks = _blocks(data)
    end = 4 + sum(4 + len(b) for _, b in blocks)
    header = _header([*blocks[:1], (2, BWF), (3, bytes(18)), *blocks[1:]])
    return header, data[end:]


def _apply(header: bytes, patches: dict[int, bytes]) -> bytes:
    out = bytearray(header)
    for at, data in patches.items():
        out[at : at + len(data)] = data
    return bytes(out)


def test_flac_blocks_become_padding(flac: tuple[bytes, bytes], tmp_path: Path) -> None:
    header, frames = flac
    kinds = [k for k, _ in _blocks(header)]
    assert {0, 2, 3, 4, 6} <= set(kinds)
    found, patches = xiph_headers.clean(xiph_headers.FLAC, header)
    fields = {f.field for f in found}
    assert {"Matroska FLAC application data", "Matroska FLAC picture",
            "Matroska FLAC tags TITLE", "Matroska FLAC tags vendor"} <= fields
    cleaned = _apply(header, patches)
    assert len(cleaned) == len(header) and b"Camera 3" not in cleaned
    after = _blocks(cleaned)
    for (kind, body), (new_kind, new_body) in zip(_blocks(header), after, strict=True):
        if kind in (0, 3):
            assert (new_kind, new_body) == (kind, body)
        else:
            assert new_kind == 1 and new_body == bytes(len(body))
    assert xiph_headers.clean(xiph_headers.FLAC, cleaned) == ([], {})
    dirty_file, clean_file = tmp_path / "dirty.flac", tmp_path / "clean.flac"
    dirty_file.write_bytes(header + frames)
    clean_file.write_bytes(cleaned + frames)
    # The sound, decoded; the picture was a header block and is padding now.
    assert mf.decoded_audio_hash(clean_file) == mf.decoded_audio_hash(dirty_file)
    assert mf.probe_streams(clean_file) == [("audio", "flac")]


# --- the structure ---

def _laced(*packets: bytes) -> bytes:
    sizes = b""
    for p in packets[:-1]:
        sizes += b"\xff" * (len(p) // 255) + bytes([len(p) % 255])
    return bytes([len(packets) - 1]) + sizes + b"".join(packets)


COMMENT = (b"\x03vorbis" + struct.pack("<I", 6) + b"vendor" + struct.pack("<I", 1)
           + struct.pack("<I", 11) + b"TITLE=Cell3" + b"\x01")


def test_laced_packets_of_every_size() -> None:
    packets = (b"\x01vorbis" + bytes(300), COMMENT, b"\x05vorbis" + bytes(20))
    private = _laced(*packets)
    found = [private[a : a + n] for a, n in xiph_headers.laced_packets(private)]
    assert found == list(packets)


def test_comment_header_rewritten_to_say_nothing() -> None:
    private = _laced(b"\x01vorbis" + bytes(22), COMMENT, b"\x05vorbis")
    found, patches = xiph_headers.clean(xiph_headers.VORBIS, private)
    assert {f.field for f in found} == {"Matroska Vorbis comment vendor",
                                        "Matroska Vorbis comment TITLE"}
    [(at, new)] = patches.items()
    assert private[at : at + len(new)] == COMMENT and len(new) == len(COMMENT)
    # vendor as long as what it replaces, zeroed; no comments; the framing bit
    assert new == b"\x03vorbis" + struct.pack("<I", 21) + bytes(21) + bytes(4) + b"\x01"
    assert xiph_headers.clean(xiph_headers.VORBIS, _apply(private, patches)) == ([], {})


@pytest.mark.parametrize("private", [
    b"", b"\x02\xff", _laced(b"\x01vorbis", b"\x03vorbis"),  # two packets, not three
    _laced(b"\x01vorbis", b"\x04vorbis" + bytes(10), b"\x05"),  # no comment header
    _laced(b"\x01vorbis", b"\x03vorbis", b"\x05"),  # too short to rewrite
    b"\x02\x50\x50" + bytes(10),  # packets past the end
], ids=["empty", "cut-lacing", "two-packets", "no-comment", "short", "overrun"])
def test_broken_vorbis_headers_refused(private: bytes) -> None:
    with pytest.raises(CorruptRefused):
        xiph_headers.clean(xiph_headers.VORBIS, private)


@pytest.mark.parametrize("header", [
    b"fLaX" + bytes(38), b"fLaC\x80\x00\x00\x22" + bytes(10), b"fLaC\x00\x00",
    b"fLaC\xff\x00\x00\x00"], ids=["marker", "block-overrun", "cut", "invalid-type"])
def test_broken_flac_headers_refused(header: bytes) -> None:
    with pytest.raises(CorruptRefused):
        xiph_headers.clean(xiph_headers.FLAC, header)


@settings(max_examples=300, deadline=None)
@given(edits=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=4),
       codec=st.sampled_from([xiph_headers.VORBIS, xiph_headers.THEORA, xiph_headers.FLAC]))
def test_fuzzed_headers_refused_or_cleaned(edits: list[tuple[int, int]], codec: bytes) -> None:
    if codec == xiph_headers.FLAC:
        base = bytearray(_header([(0, bytes(34)), (4, COMMENT[7:-1]), (6, b"PNG" * 9)]))
    else:
        magic = b"\x03vorbis" if codec == xiph_headers.VORBIS else b"\x81theora"
        base = bytearray(_laced(b"\x01head" + bytes(20), magic + COMMENT[7:], b"\x05setup"))
    for at, value in edits:
        base[at % len(base)] = value
    try:
        _, patches = xiph_headers.clean(codec, bytes(base))
    except CorruptRefused:
        return
    cleaned = _apply(bytes(base), patches)
    assert len(cleaned) == len(base)
    assert xiph_headers.clean(codec, cleaned)[1] == {}
