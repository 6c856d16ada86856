"""Metadata units inside AV1 video (``av1.py``), in MP4, Matroska and WebM.

Real files: libaom's AV1 with metadata units put into every temporal unit
(a camera's timecode, ATSC closed captions, a vendor's registered data
naming a camera serial, and content light level), muxed by ffmpeg, which
also copies the first ones into the av1C configuration. ffprobe (libdav1d)
reports the captions before cleaning and none after; the light level stays;
the decoded pictures and every packet's size are unchanged. Then crafted
samples for each kind kept and blanked, and damage.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from submitter.metadata import av1, engine
from submitter.metadata.model import Category, CleanRefused, CorruptRefused, LimitRefused
from submitter.metadata.source import Source
from submitter.metadata.splice import Zeros
from tests.metadata import exiftool
from tests.metadata import media_fixtures as mf
from tests.peers import tool

SERIAL = b"Camera 3 serial 4417"


def leb(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def obu(kind: int, payload: bytes, extension: int | None = None, sized: bool = True) -> bytes:
    head = bytes([(kind << 3) | (4 if extension is not None else 0) | (2 if sized else 0)])
    if extension is not None:
        head += bytes([extension])
    return head + (leb(len(payload)) if sized else b"") + payload


def meta(kind: int, body: bytes, trailing: bool = True) -> bytes:
    return obu(av1.METADATA, leb(kind) + body + (b"\x80" if trailing else b""))


# 10:15:30 frame 3, full timestamp (bit-packed, its trailing bit included)
TIMECODE = meta(av1.TIMECODE, bytes.fromhex("0401bc7a81"), trailing=False)
CAPTIONS = meta(av1.ITUT_T35, bytes([0xB5, 0x00, 0x31]) + b"GA94\x03"
                + bytes([0x42, 0xFF, 0xFC, 0x94, 0x20, 0xFC, 0xC8, 0xC9, 0xFF]))
VENDOR = meta(av1.ITUT_T35, bytes([0xB5, 0x58, 0x90]) + SERIAL)
CLL = meta(av1.HDR_CLL, bytes.fromhex("03e801f4"))
HDR10PLUS = meta(av1.ITUT_T35, bytes([0xB5, 0x00, 0x3C, 0x00, 0x01, 0x04, 0x01]) + bytes(12))
AFD = meta(av1.ITUT_T35, bytes([0xB5, 0x00, 0x31]) + b"DTG1" + bytes([0x41, 0xF8]))
MDCV = meta(av1.HDR_MDCV, bytes(24))
SCALABILITY = meta(av1.SCALABILITY, bytes([0x00]))
PRIVATE = meta(6, SERIAL)
PADDED = bytes([(av1.PADDING << 3) | 2])  # what a blanked unit's header becomes
FRAME = obu(6, bytes(range(40)))  # a frame unit: skipped by its size, never read


def _units(data: bytes) -> list[bytes]:
    out, pos = [], 0
    while pos < len(data):
        head = data[pos]
        at = pos + 1 + bool(head & 4)
        n, width = av1.leb128(data, at)
        out.append(data[pos : at + width + n])
        pos = at + width + n
    return out


def _with_metadata(stream: bytes) -> bytes:
    """An OBU stream with the metadata units after each temporal delimiter.
    The captions come last of the T.35 units: dav1d hands on one a frame."""
    out = bytearray()
    for unit in _units(stream):
        out += unit
        if unit[0] >> 3 & 15 == 2:  # temporal delimiter
            out += TIMECODE + VENDOR + CAPTIONS + CLL
    return bytes(out)


@pytest.fixture(scope="module")
def obu_stream(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("av1")
    plain = folder / "plain.obu"
    mf.ffmpeg("-f", "lavfi", "-i", "testsrc2=d=2:s=160x120:r=10", "-c:v", "libaom-av1",
              "-cpu-used", "8", "-b:v", "100k", "-g", "5", str(plain))
    marked = folder / "marked.obu"
    marked.write_bytes(_with_metadata(plain.read_bytes()))
    return marked


@pytest.fixture(scope="module", params=["mp4", "mkv", "webm"])
def made(request: pytest.FixtureRequest, obu_stream: Path) -> tuple[Path, Path]:
    dirty = obu_stream.with_name(f"dirty.{request.param}")
    mf.ffmpeg("-f", "obu", "-i", str(obu_stream), "-c", "copy", str(dirty))
    return dirty, mf.clean_to(dirty, dirty.with_name(f"clean.{request.param}"))


def _side_data(path: Path) -> list[str]:
    out = mf.run(tool("ffprobe"), "-v", "error", "-show_frames", str(path)).stdout.decode()
    return sorted(line.split("=", 1)[1] for line in out.splitlines()
                  if line.startswith("side_data_type="))


def _stream(path: Path) -> bytes:
    return mf.run(tool("ffmpeg"), "-v", "error", "-nostdin", "-i", str(path), "-map", "0:v",
                  "-c", "copy", "-f", "data", "-").stdout


def test_ffmpeg_keeps_the_units_where_the_walk_looks(made: tuple[Path, Path]) -> None:
    dirty, _ = made
    assert mf.probe_streams(dirty) == [("video", "av1")]
    samples = len(mf.packet_layout(dirty))
    # Every sample, and the decoder configuration too.
    assert dirty.read_bytes().count(SERIAL) == samples + 1
    kinds = _side_data(dirty)
    assert "ATSC A53 Part 4 Closed Captions" in kinds
    assert "Content light level metadata" in kinds


def test_inspect_names_each_kind(made: tuple[Path, Path]) -> None:
    dirty, _ = made
    found = {f.untrusted_value: (f.field, f.category)
             for f in engine.inspect(Source.from_path(dirty), dirty.name).findings
             if f.field.startswith("AV1")}
    samples = len(mf.packet_layout(dirty))
    assert len(found) == 3
    by_category = {category: field for field, category in found.values()}
    assert set(by_category) == {Category.TIME, Category.HIDDEN_CONTENT}
    assert all(f"{samples + 1} times" in field for field, _ in found.values())
    assert any(v.startswith("closed captions") for v in found)
    assert any(v.startswith("a timecode") for v in found)


def test_clean_leaves_nothing_and_keeps_the_light_level(made: tuple[Path, Path]) -> None:
    dirty, clean = made
    assert SERIAL not in clean.read_bytes()
    assert clean.stat().st_size == dirty.stat().st_size
    assert engine.inspect(Source.from_path(clean), clean.name).findings == ()
    kinds = _side_data(clean)
    assert "ATSC A53 Part 4 Closed Captions" not in kinds
    assert kinds.count("Content light level metadata") == \
        _side_data(dirty).count("Content light level metadata")


def test_pictures_and_packets_unchanged(made: tuple[Path, Path]) -> None:
    dirty, clean = made
    assert mf.packet_layout(clean) == mf.packet_layout(dirty)
    assert mf.decoded_frame_hashes(clean) == mf.decoded_frame_hashes(dirty)
    before, after = _stream(dirty), _stream(clean)
    assert len(before) == len(after)
    changed = [i for i in range(len(before)) if before[i] != after[i]]
    # Only payload bytes set to zero, and unit headers set to padding.
    assert changed and all(after[i] in (0, PADDED[0]) for i in changed)
    assert after.count(CLL) == before.count(CLL)


def test_exiftool_reads_the_clean_file(made: tuple[Path, Path]) -> None:
    _, clean = made
    assert exiftool.errors(clean) == []
    assert exiftool.identifying(clean, embedded=True) == []


# --- crafted samples ---

def _scan(sample: bytes) -> tuple[bytes, av1.Av1Scanner]:
    scanner = av1.Av1Scanner()
    scanner.sample(io.BytesIO(sample), 0, len(sample))
    out = bytearray(sample)
    for at, patch in scanner.patches.items():
        out[at : at + (patch.length if isinstance(patch, Zeros) else len(patch))] = \
            bytes(patch.length) if isinstance(patch, Zeros) else patch
    return bytes(out), scanner


@pytest.mark.parametrize("unit", [CLL, MDCV, SCALABILITY, HDR10PLUS, AFD],
                         ids=["cll", "mdcv", "scalability", "hdr10plus", "afd"])
def test_what_displays_act_on_is_kept(unit: bytes) -> None:
    sample = unit + FRAME
    out, scanner = _scan(sample)
    assert out == sample and scanner.findings() == []


@pytest.mark.parametrize(("unit", "category"), [
    (TIMECODE, Category.TIME), (CAPTIONS, Category.HIDDEN_CONTENT),
    (VENDOR, Category.HIDDEN_CONTENT), (PRIVATE, Category.HIDDEN_CONTENT),
    (meta(31, b"x"), Category.HIDDEN_CONTENT),
], ids=["timecode", "captions", "vendor", "private-6", "private-31"])
def test_what_identifies_becomes_padding(unit: bytes, category: Category) -> None:
    sample = HDR10PLUS + unit + FRAME
    out, scanner = _scan(sample)
    [found] = scanner.findings()
    assert found.category is category
    cut = len(HDR10PLUS)
    assert out[:cut] == HDR10PLUS and out[cut + len(unit) :] == FRAME
    blanked = out[cut : cut + len(unit)]
    _, width = av1.leb128(unit, 1)
    assert blanked[:1] == PADDED and blanked[1 : 1 + width] == unit[1 : 1 + width]
    assert not blanked[1 + width :].strip(b"\x00")
    again, rescan = _scan(out)
    assert again == out and rescan.findings() == []


def test_extension_header_and_unsized_last_unit() -> None:
    payload = leb(av1.TIMECODE) + bytes.fromhex("0401bc7a81")
    first = obu(av1.METADATA, payload, extension=0x28)
    last = obu(av1.METADATA, leb(6) + SERIAL, sized=False)  # runs to the sample's end
    out, scanner = _scan(FRAME + first + last)
    assert out[len(FRAME)] == (av1.PADDING << 3) | 4 | 2
    assert out[len(FRAME) + 1] == 0x28  # temporal and spatial ids kept
    assert out[len(FRAME) + len(first)] == av1.PADDING << 3  # no size field, as before
    assert SERIAL not in out and len(scanner.findings()) == 2


def test_counts_per_kind() -> None:
    sample = TIMECODE + CAPTIONS + TIMECODE + FRAME
    _, scanner = _scan(sample)
    fields = sorted(f.field for f in scanner.findings())
    assert fields == ["AV1 video stream (metadata)", "AV1 video stream (metadata, 2 times)"]


def test_configuration_units_blanked_at_their_file_offset() -> None:
    scanner = av1.Av1Scanner()
    config = obu(1, bytes(12)) + VENDOR
    scanner.config(config, 1000)
    assert scanner.patches[1000 + 14] == PADDED
    assert isinstance(scanner.patches[1000 + 16], Zeros)


@pytest.mark.parametrize(("sample", "refusal"), [
    (bytes([0x80 | 0x32, 0]), CorruptRefused),        # forbidden bit
    (obu(6, bytes(10))[:-3], CorruptRefused),         # runs past the sample
    (bytes([0x32]) + b"\xff" * 9, CorruptRefused),    # size that does not end
    (bytes([0x32, 0xFF]), CorruptRefused),            # cut inside its size
    (bytes([0x36]), CorruptRefused),                  # cut inside its header
    (obu(av1.METADATA, b""), CorruptRefused),         # metadata without its type
    (obu(av1.METADATA, b"\x06" + bytes(av1.MAX_METADATA)), LimitRefused),
], ids=["forbidden", "overrun", "endless-size", "cut-size", "cut-header", "no-type", "huge"])
def test_damage_refused(sample: bytes, refusal: type[CleanRefused]) -> None:
    with pytest.raises(refusal):
        _scan(sample)


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(st.sampled_from([TIMECODE, CAPTIONS, VENDOR, CLL, HDR10PLUS, PRIVATE,
                                       FRAME, AFD]), max_size=6),
       edits=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=4))
def test_fuzzed_samples_refused_or_cleaned(parts: list[bytes],
                                           edits: list[tuple[int, int]]) -> None:
    sample = bytearray(b"".join(parts) or FRAME)
    for at, value in edits:
        sample[at % len(sample)] = value
    try:
        out, _ = _scan(bytes(sample))
    except CleanRefused:
        return
    again, rescan = _scan(out)
    assert again == out and rescan.findings() == []
