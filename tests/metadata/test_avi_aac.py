"""AAC sound inside AVI: FFmpeg's "Lavc..." note in the first frame, blanked in place.

Real ffmpeg files first: raw AAC (format 0x00FF, the AudioSpecificConfig after
the WAVEFORMATEX), ADTS copied from an .aac file (0x00FF or 0x1600 with no
configuration: each chunk is an ADTS frame) and 5.1 sound (written as
WAVEFORMATEXTENSIBLE), judged by ffmpeg (decoded samples, packet layout),
ffprobe and exiftool. Then crafted AVIs for what ffmpeg does not write: data
stream element notes, several ADTS frames a chunk, CRC-protected or
multi-block ADTS, other object types, damaged chunks, and a fuzz.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from submitter.metadata import aac, engine
from submitter.metadata.avi import AviCleaner
from submitter.metadata.isobmff import AAC_NOTE
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
from tests.metadata.test_stream_notes import FFMPEG_FIL, LAVC
from tests.peers import tool

SOUND = b"\x21\x10\x05\x00"  # a channel element's first bits: coded sound, never read
LC_CONFIG = bytes([0x12, 0x08])  # AudioSpecificConfig: AAC LC, 44.1 kHz, mono



# Bit-exact video (no user data note), so the video packets must come out byte
# for byte; the sound keeps FFmpeg's note (never bit-exact here).
_VIDEO = ("-f", "lavfi", "-i", "testsrc2=d=2:s=160x120:r=10")
_VIDEO_OUT = ("-c:v", "mpeg4", "-flags:v", "+bitexact")


def make_raw(folder: Path) -> Path:
    out = folder / "raw.avi"
    mf.ffmpeg(*_VIDEO, "-f", "lavfi", "-i", "sine=d=2:f=440:sample_rate=44100", *_VIDEO_OUT,
            "-c:a", "aac", "-b:a", "64k", str(out))
    return out


def make_surround(folder: Path) -> Path:
    out = folder / "surround.avi"
    mf.ffmpeg(*_VIDEO, "-f", "lavfi", "-i", "sine=d=2:f=440:sample_rate=48000",
            "-af", "aformat=channel_layouts=5.1", *_VIDEO_OUT, "-c:a", "aac", str(out))
    return out


def _make_adts(folder: Path, name: str, *tag: str) -> Path:
    sound = folder / f"{name}.aac"
    mf.ffmpeg("-f", "lavfi", "-i", "sine=d=2:f=440:sample_rate=44100", "-c:a", "aac",
            "-b:a", "64k", str(sound))
    out = folder / f"{name}.avi"
    mf.ffmpeg(*_VIDEO, "-i", str(sound), "-map", "0:v", "-map", "1:a", *_VIDEO_OUT,
            "-c:a", "copy", *tag, str(out))
    return out


MAKERS: dict[str, Callable[[Path], Path]] = {
    "raw": make_raw,
    "adts": lambda d: _make_adts(d, "adts"),
    "adts-1600": lambda d: _make_adts(d, "adts1600", "-tag:a", "0x1600"),
    "surround-extensible": make_surround,
}
# (wFormatTag, cbSize, a WAVEFORMATEXTENSIBLE subformat) as ffmpeg writes them.
FORMATS = {"raw": (0x00FF, 5, None), "adts": (0x00FF, 0, None),
           "adts-1600": (0x1600, 0, None), "surround-extensible": (0xFFFE, 27, 0x00FF)}


# --- reading an AVI the simple way ffmpeg writes it (chunks: mf.avi_chunks) ---

def _sound_chunks(data: bytes) -> list[tuple[int, int]]:
    return [(body, n) for cid, body, n in mf.avi_chunks(data) if cid == b"01wb"]


def _sound_format(data: bytes) -> tuple[int, int, int | None]:
    strf = data.index(b"strf", data.index(b"auds")) + 8
    tag, cb = struct.unpack_from("<H", data, strf)[0], struct.unpack_from("<H", data, strf + 16)[0]
    sub = struct.unpack_from("<I", data, strf + 24)[0] if tag == 0xFFFE else None
    return tag, cb, sub


def _sound_bytes(path: Path) -> bytes:
    return mf.run(tool("ffmpeg"), "-v", "error", "-nostdin", "-i", str(path), "-map", "0:a",
                  "-c", "copy", "-f", "data", "-").stdout


def _findings(path: Path) -> dict[str, tuple[str, Category]]:
    return {f.field: (f.untrusted_value, f.category)
            for f in engine.inspect(Source.from_path(path), path.name).findings}


@pytest.fixture(scope="module", params=sorted(MAKERS))
def made(request: pytest.FixtureRequest,
         tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, Path]:
    folder = tmp_path_factory.mktemp(request.param)
    dirty = MAKERS[request.param](folder)
    return request.param, dirty, mf.clean_to(dirty, folder / "clean.avi")


def test_ffmpeg_writes_what_the_walk_expects(made: tuple[str, Path, Path]) -> None:
    name, dirty, _ = made
    data = dirty.read_bytes()
    assert _sound_format(data) == FORMATS[name]
    assert mf.probe_streams(dirty) == [("video", "mpeg4"), ("audio", "aac")]
    chunks = _sound_chunks(data)
    # One frame a chunk: as many chunks as ffmpeg decodes frames.
    assert len(chunks) == len(mf.decoded_frame_hashes(dirty, ("0:a",)))
    first = data[chunks[0][0] : chunks[0][0] + 9]
    assert aac.is_adts(first) == name.startswith("adts")
    assert LAVC in data[chunks[0][0] : chunks[0][0] + chunks[0][1]]
    assert LAVC in _sound_bytes(dirty)


def test_inspect_reports_the_note(made: tuple[str, Path, Path]) -> None:
    _, dirty, _ = made
    value, category = _findings(dirty)["AAC sound stream (encoder note)"]
    assert value.startswith("Lavc") and "the program that made the sound" in value
    assert category is Category.SOFTWARE


def test_clean_leaves_no_note_and_nothing_to_find(made: tuple[str, Path, Path]) -> None:
    _, dirty, clean = made
    data = clean.read_bytes()
    assert LAVC not in data and LAVC not in _sound_bytes(clean)
    assert clean.stat().st_size == dirty.stat().st_size
    assert engine.inspect(Source.from_path(clean), clean.name).findings == ()


def test_sound_decodes_the_same_and_video_is_untouched(made: tuple[str, Path, Path]) -> None:
    _, dirty, clean = made
    assert mf.probe_streams(clean) == mf.probe_streams(dirty)
    assert mf.decoded_frame_hashes(clean, ("0:a",)) == mf.decoded_frame_hashes(dirty, ("0:a",))
    mf.assert_aac_kept(dirty, clean)  # same packets, bits only cleared, same samples
    assert mf.frame_hashes(clean, ("0:v",)) == mf.frame_hashes(dirty, ("0:v",))
    before, after = dirty.read_bytes(), clean.read_bytes()
    changed = [i for i in range(len(before)) if before[i] != after[i]]
    sound = [(at, at + n) for at, n in _sound_chunks(before)]
    outside = [i for i in changed if not any(lo <= i < hi for lo, hi in sound)]
    # Outside the sound only the header's metadata chunks (INFO: "Lavf...") change.
    assert all(i < before.index(b"movi") for i in outside)


def test_exiftool_and_ffprobe_read_the_clean_file(made: tuple[str, Path, Path]) -> None:
    _, _, clean = made
    assert exiftool.file_type(clean) == "AVI"
    assert exiftool.errors(clean) == []
    assert exiftool.identifying(clean, embedded=True) == []
    assert not [t for t in exiftool.read_tags(clean, embedded=True)
                if t.group not in ("System", "File")
                and any(s in str(t.value) for s in ("Lavc", "Lavf"))]


def test_the_command_ffmpeg_users_type(tmp_path: Path) -> None:
    """``ffmpeg -i testsrc2 -i sine -c:v mpeg4 -c:a aac x.avi``: both notes go."""
    dirty = tmp_path / "x.avi"
    mf.ffmpeg("-f", "lavfi", "-i", "testsrc2=d=2:s=160x120", "-f", "lavfi", "-i", "sine=d=2",
            "-c:v", "mpeg4", "-c:a", "aac", str(dirty))
    assert dirty.read_bytes().count(LAVC) >= 2
    plan = engine.prepare(Source.from_path(dirty), dirty.name)
    assert AAC_NOTE in plan.report.notes
    clean = mf.clean_to(dirty, tmp_path / "clean.avi")
    assert LAVC not in clean.read_bytes()
    assert mf.decoded_frame_hashes(clean, ("0:a",)) == mf.decoded_frame_hashes(dirty, ("0:a",))
    assert mf.decoded_frame_hashes(clean) == mf.decoded_frame_hashes(dirty)


def test_a_note_every_256_frames_is_found_each_time(tmp_path: Path) -> None:
    # FFmpeg repeats its note every 256 frames: each is blanked and counted.
    dirty = tmp_path / "long.avi"
    mf.ffmpeg("-f", "lavfi", "-i", "testsrc2=d=13:s=64x48:r=2", "-f", "lavfi", "-i",
            "sine=d=13:sample_rate=44100", *_VIDEO_OUT, "-c:a", "aac", str(dirty))
    assert len(_sound_chunks(dirty.read_bytes())) > 512
    notes = dirty.read_bytes().count(LAVC)
    assert notes >= 3
    found = _findings(dirty)
    assert f"AAC sound stream (encoder note, {notes} times)" in found
    clean = mf.clean_to(dirty, tmp_path / "clean.avi")
    assert LAVC not in clean.read_bytes()
    assert mf.decoded_audio_hash(clean) == mf.decoded_audio_hash(dirty)


# --- damaged real files: refused, never crashed ---

@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("seeds")
    return {"raw": make_raw(folder).read_bytes(),
            "adts": _make_adts(folder, "adts").read_bytes()}


def _clean(data: bytes) -> tuple[bytes, CleanReport]:
    plan = AviCleaner().prepare(Source.from_bytes(data), FileKind.AVI, engine.DEFAULT_LIMITS)
    out = io.BytesIO()
    plan.write_to(out)
    return out.getvalue(), plan.report


def _inspect(data: bytes) -> dict[str, str]:
    found = AviCleaner().inspect(Source.from_bytes(data), FileKind.AVI, engine.DEFAULT_LIMITS)
    return {f.field: f.untrusted_value for f in found.findings}


def test_note_that_cannot_be_located_refused(real: dict[str, bytes]) -> None:
    data = bytearray(real["raw"])
    at = data.index(LAVC) - 3
    assert data[at : at + 3] == FFMPEG_FIL[:3]
    data[at + 1] |= 1  # extension type 0xB (dynamic range): no longer filler
    data[at + 2] = (data[at + 2] & 0x1F) | 0x60
    with pytest.raises(UnsupportedContentRefused):
        _clean(bytes(data))


def test_note_running_past_its_chunk_refused(real: dict[str, bytes]) -> None:
    data = bytearray(real["raw"])
    at = data.index(LAVC) - 3
    assert _sound_chunks(bytes(data))[0][1] < 512
    data[at : at + 3] = b"\x80\xff\xff"  # a data stream element of 510 bytes instead
    with pytest.raises(CorruptRefused):
        _clean(bytes(data))


@pytest.mark.parametrize(
    ("byte", "keep", "add", "refusal"),
    [
        (1, 0xFF, 0x02, CorruptRefused),  # layer 1: not ADTS
        (6, 0xFF, 0x01, UnsupportedContentRefused),  # two raw_data_blocks
        (3, 0xFF, 0x03, CorruptRefused),  # frame length past its chunk
        (4, 0x00, 0x00, CorruptRefused),  # frame length shorter than its header
    ],
    ids=["layer", "blocks", "too-long", "too-short"],
)
def test_garbled_adts_header_refused(real: dict[str, bytes], byte: int, keep: int, add: int,
                                     refusal: type[CleanRefused]) -> None:
    data = bytearray(real["adts"])
    at, _ = _sound_chunks(bytes(data))[5]  # a later frame, not the first
    if byte == 4:
        data[at + 3] &= 0xFC  # with byte 4 zeroed, only 3 bits of length are left
    data[at + byte] = (data[at + byte] & keep) | add
    with pytest.raises(refusal):
        _clean(bytes(data))


@pytest.mark.parametrize("seed", ["raw", "adts"])
def test_truncated_file_refused(real: dict[str, bytes], seed: str) -> None:
    data = real[seed]
    at, n = _sound_chunks(data)[3]
    with pytest.raises(CleanRefused):
        _clean(data[: at + n // 2])


# --- crafted AVIs: one sound stream, chunks as given ---

def _chunk(cid: bytes, body: bytes) -> bytes:
    return cid + struct.pack("<I", len(body)) + body + (b"\x00" if len(body) & 1 else b"")


def _list(ltype: bytes, body: bytes) -> bytes:
    return _chunk(b"LIST", ltype + body)


def _wave(tag: int = 0x00FF, config: bytes = LC_CONFIG) -> bytes:
    return struct.pack("<HHIIHHH", tag, 1, 44100, 8000, 0, 16, len(config)) + config


def _extensible(subformat: bytes, config: bytes = LC_CONFIG) -> bytes:
    extra = struct.pack("<HI", 16, 4) + subformat + config
    return struct.pack("<HHIIHHH", 0xFFFE, 1, 44100, 8000, 0, 16, len(extra)) + extra


def _strl(fmt: bytes, kind: bytes = b"auds") -> bytes:
    return _list(b"strl", _chunk(b"strh", kind + b"\x00" * 52) + _chunk(b"strf", fmt))


def _avi(chunks: list[bytes], fmt: bytes | None = None, strls: bytes | None = None,
         cid: bytes = b"00wb") -> bytes:
    if strls is None:
        strls = _strl(_wave() if fmt is None else fmt)
    hdrl = _list(b"hdrl", _chunk(b"avih", b"\x00" * 56) + strls)
    movi = _list(b"movi", b"".join(_chunk(cid, c) for c in chunks))
    body = b"AVI " + hdrl + movi
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _adts(block: bytes, crc: bool = False, blocks: int = 1) -> bytes:
    """An ADTS frame (AAC LC, 44.1 kHz, mono) around ``block``."""
    n = 7 + 2 * crc + len(block)
    head = bytes([0xFF, 0xF0 | (not crc), 0x50, 0x40 | (n >> 11), (n >> 3) & 0xFF,
                  ((n & 7) << 5) | 0x1F, 0xFC | (blocks - 1)])
    return head + (b"\x00\x00" if crc else b"") + block


DSE_NOTE = bytes([0x80, 12]) + b"Encoder X v1" + SOUND
DVB = bytes([0x80, 4, aac.DVB_ANCILLARY, 1, 2, 3]) + SOUND


def test_data_stream_element_note_blanked_and_dvb_levels_kept() -> None:
    data = _avi([FFMPEG_FIL + SOUND, SOUND * 3, DSE_NOTE, DVB, b""])
    found = AviCleaner().inspect(Source.from_bytes(data), FileKind.AVI,
                                 engine.DEFAULT_LIMITS).findings
    notes = sorted(f.untrusted_value for f in found if f.field.startswith("AAC"))
    assert [n.split(" (")[0] for n in notes] == ["Encoder X v1", "Lavc59.37.100"]
    cleaned, report = _clean(data)
    assert b"Encoder X v1" not in cleaned and LAVC not in cleaned
    assert cleaned.count(DVB) == 1 and len(cleaned) == len(data)
    assert AAC_NOTE in report.notes
    assert not [k for k in _inspect(cleaned) if k.startswith("AAC")]


def test_several_adts_frames_in_one_chunk_each_walked() -> None:
    chunk = _adts(SOUND * 2) + _adts(DSE_NOTE) + _adts(b"")
    data = _avi([_adts(FFMPEG_FIL + SOUND), chunk], fmt=_wave(0x1600, b""))
    cleaned, _ = _clean(data)
    assert b"Encoder X v1" not in cleaned and LAVC not in cleaned
    assert cleaned.count(SOUND * 2) == 1 and len(cleaned) == len(data)


def test_adts_with_crc_kept_when_clean_refused_when_it_holds_a_note() -> None:
    first = _adts(FFMPEG_FIL + SOUND)
    data = _avi([first, _adts(SOUND * 2, crc=True)], fmt=_wave(0x1600, b""))
    cleaned, _ = _clean(data)
    assert _adts(SOUND * 2, crc=True) in cleaned and LAVC not in cleaned
    with pytest.raises(UnsupportedContentRefused):  # blanking would break its CRC
        _clean(_avi([first, _adts(DSE_NOTE, crc=True)], fmt=_wave(0x1600, b"")))


@pytest.mark.parametrize(
    ("chunk", "refusal"),
    [
        (_adts(SOUND, blocks=2), UnsupportedContentRefused),  # later blocks cannot be found
        (_adts(SOUND) + b"\x00\x01\x02", CorruptRefused),  # a header cut short
        (_adts(SOUND) + b"garbage!", CorruptRefused),  # not an ADTS frame after the first
        (_adts(SOUND)[:-2], CorruptRefused),  # the frame runs past its chunk
        (_adts(FFMPEG_FIL[:10]), CorruptRefused),  # the note runs past its frame
        (bytes([0x80, 50]) + b"short", CorruptRefused),  # raw: the note runs past its chunk
    ],
    ids=["two-blocks", "short-header", "garbage", "frame-past-chunk", "note-past-frame",
         "raw-note-past-chunk"],
)
def test_what_cannot_be_delimited_is_refused(chunk: bytes, refusal: type[CleanRefused]) -> None:
    with pytest.raises(refusal):
        _clean(_avi([_adts(SOUND), chunk]))


def test_first_frame_is_the_first_with_sound() -> None:
    # An empty chunk first (a dropped frame): the next one is where FFmpeg's
    # note would be, so a note there that cannot be located is refused.
    hidden = b"\x01\x40\x20" + b"Lavc59.37.100" + SOUND
    with pytest.raises(UnsupportedContentRefused):
        _clean(_avi([b"", hidden]))
    with pytest.raises(UnsupportedContentRefused):
        _clean(_avi([_adts(b""), _adts(hidden)]))
    _clean(_avi([SOUND, hidden]))  # later frames are not searched (as in MP4)


@pytest.mark.parametrize(
    ("config", "walked"),
    [
        (LC_CONFIG, True),
        (bytes([0x2B, 0x92, 0x08, 0x00]), True),  # HE-AAC (SBR over LC)
        (b"", True),  # none: ADTS, or raw frames a decoder takes for LC
        (bytes([0xBA, 0x08]), False),  # ER AAC LD: coded otherwise, not walked
        (bytes([0xF8, 0x20]), False),  # object type 33: not AAC
    ],
)
def test_configuration_decides_as_in_mp4(config: bytes, walked: bool) -> None:
    if config:
        assert aac.walked(aac.MPEG4_AUDIO, config) == walked
    data = _avi([FFMPEG_FIL + SOUND], fmt=_wave(0x00FF, config))
    cleaned, _ = _clean(data)
    assert (LAVC not in cleaned) == walked


@pytest.mark.parametrize(
    ("fmt", "walked"),
    [
        (_wave(0x706D), True), (_wave(0x4143), True), (_wave(0xA106), True),
        (_extensible(struct.pack("<I", 0xFF) + bytes.fromhex("00001000800000aa00389b71")),
         True),
        (_extensible(struct.pack("<I", 0xFF) + bytes(12)), False),  # a GUID FFmpeg ignores
    ],
    ids=["faad", "ac", "a106", "extensible", "extensible-unknown"],
)
def test_format_codes_ffmpeg_reads_as_aac_are_walked(fmt: bytes, walked: bool) -> None:
    cleaned, _ = _clean(_avi([FFMPEG_FIL + SOUND], fmt=fmt))
    assert (LAVC not in cleaned) == walked


def test_every_chunk_numbered_for_the_stream_is_walked() -> None:
    cleaned, _ = _clean(_avi([FFMPEG_FIL + SOUND], cid=b"00xx"))
    assert LAVC not in cleaned


@pytest.mark.parametrize(
    "strls",
    [
        _list(b"strl", _chunk(b"strh", b"vids" + b"\x00" * 52)
              + _chunk(b"strh", b"auds" + b"\x00" * 52) + _chunk(b"strf", _wave())),
        _chunk(b"strh", b"auds" + b"\x00" * 52) + _strl(_wave()),
        _list(b"strl", _chunk(b"strh", b"auds" + b"\x00" * 52) + _chunk(b"strf", _wave())
              + _chunk(b"strf", _wave(0x0055))),
        _list(b"strl", _chunk(b"strh", b"auds" + b"\x00" * 52) + _chunk(b"strf", b"\xff\x00")),
    ],
    ids=["two-headers-one-list", "header-outside-a-list", "two-formats", "short-format"],
)
def test_streams_ffmpeg_would_number_otherwise_refused(strls: bytes) -> None:
    with pytest.raises(CorruptRefused):
        _clean(_avi([FFMPEG_FIL + SOUND], strls=strls))


# --- fuzz: whatever the sound chunks hold, a refusal or a clean file ---

@st.composite
def _edited_chunk(draw: st.DrawFn, data: bytes) -> bytes:
    chunks = _sound_chunks(data)
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 3))):
        at, n = chunks[draw(st.one_of(st.just(0), st.integers(0, len(chunks) - 1)))]
        patch = draw(st.one_of(
            st.binary(min_size=1, max_size=24),
            st.sampled_from([b"\xff\xf1", b"\xff\xf0", b"\xff\xf9\x50\x40", b"\x80\xff",
                             b"\xdf\xfe", FFMPEG_FIL[:3], b"\x01\x40\x20Lavc"]),
        ))
        pos = at + draw(st.integers(0, max(0, n - 1)))
        end = min(pos + len(patch), at + n)
        out[pos:end] = patch[: end - pos]
    return bytes(out)


FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("seed", ["raw", "adts"])
def test_fuzzed_sound_chunks_refused_or_cleaned(real: dict[str, bytes], seed: str) -> None:
    @FUZZ
    @given(data=_edited_chunk(real[seed]))
    def run(data: bytes) -> None:
        mf.exercise(AviCleaner(), FileKind.AVI, data)

    run()


@FUZZ
@given(chunks=st.lists(st.binary(max_size=64), min_size=1, max_size=4),
       adts=st.booleans())
def test_fuzzed_crafted_chunks_refused_or_cleaned(chunks: list[bytes], adts: bool) -> None:
    if adts:
        chunks = [b"\xff\xf1" + c for c in chunks]
    mf.exercise(AviCleaner(), FileKind.AVI, _avi(chunks))
