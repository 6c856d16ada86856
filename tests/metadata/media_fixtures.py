"""Real audio/video files full of identifying metadata, made with ffmpeg and exiftool.

Every generator writes a short (about a second) file into ``folder`` and
returns its path. The content is synthetic (lavfi testsrc / sine); the
metadata is what phones, cameras and encoders write: titles, artists,
creation times, GPS, make/model/serial, encoder strings, chapters, stream
names, cover pictures.
"""

from __future__ import annotations

import hashlib
import json
import struct
import subprocess
from pathlib import Path

from tests.peers import tool

GPS = "+51.5300+046.0300/"
TAGS = {
    "title": "Meeting with the director",
    "artist": "John Doe",
    "comment": "Recorded on the third floor",
    "creation_time": "2024-05-01T10:00:00Z",
    "date": "2024-05-01",
    "location": GPS,
    "make": "Canon",
    "model": "EOS 5D Mark IV",
    "encoder": "Canon EOS firmware 1.2.3",
    "copyright": "Jane Roe",
}
CHAPTERS = """;FFMETADATA1
title=Evidence
[CHAPTER]
TIMEBASE=1/1000
START=0
END=500
title=Cell block B
[CHAPTER]
TIMEBASE=1/1000
START=500
END=1000
title=Guard named Smith
"""


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[bytes]:
    proc = subprocess.run(list(args), capture_output=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        raise AssertionError(f"{args[0]} failed: {proc.stderr.decode(errors='replace')[-2000:]}")
    return proc


def ffmpeg(*args: str) -> None:
    run(tool("ffmpeg"), "-v", "error", "-y", "-nostdin", *args)


def _meta_args(keys: tuple[str, ...] = tuple(TAGS)) -> list[str]:
    out: list[str] = []
    for k in keys:
        out += ["-metadata", f"{k}={TAGS[k]}"]
    return out


def _chapters(folder: Path) -> Path:
    path = folder / "chapters.txt"
    path.write_text(CHAPTERS)
    return path


_VIDEO = ["-f", "lavfi", "-i", "testsrc=d=1:s=160x120:r=10"]
_AUDIO = ["-f", "lavfi", "-i", "sine=d=1:f=440:sample_rate=44100"]


def exiftool_write(path: Path, *assignments: str) -> None:
    run(tool("exiftool"), "-q", "-overwrite_original", *assignments, "--", str(path.resolve()))


def make_mp4(folder: Path, name: str = "clip.mp4") -> Path:
    """H.264 + AAC in MP4 with udta tags, chapters (a text track) and a named stream."""
    out = folder / name
    ffmpeg(*_VIDEO, *_AUDIO, "-i", str(_chapters(folder)), "-map", "0", "-map", "1",
            "-map_metadata", "2", "-map_chapters", "2",
            "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-b:a", "64k",
            *_meta_args(), "-metadata:s:v", "handler_name=GoPro AVC",
            "-metadata:s:a", "handler_name=GoPro AAC", str(out))
    exiftool_write(out, "-GPSCoordinates=51.53, 46.03", "-Make=Apple",
                   "-Model=iPhone 12", "-SerialNumber=C39XK2ABC123")
    return out


def make_mov(folder: Path, name: str = "clip.mov") -> Path:
    """QuickTime with a timecode track, QuickTime user data and XMP."""
    out = folder / name
    ffmpeg(*_VIDEO, *_AUDIO, "-c:v", "mjpeg", "-q:v", "5", "-c:a", "pcm_s16le",
            "-timecode", "10:11:12:13", *_meta_args(), "-f", "mov", str(out))
    exiftool_write(out, "-GPSCoordinates=51.53, 46.03", "-Make=Apple", "-Model=iPhone 12",
                   "-SerialNumber=C39XK2ABC123", "-XMP:Creator=John Doe",
                   "-QuickTime:Author=John Doe")
    return out


def make_m4v(folder: Path, name: str = "clip.m4v") -> Path:
    """iTunes-style M4V (brand 'M4V '): H.264 + AAC with udta tags and a phone's GPS."""
    out = folder / name
    ffmpeg(*_VIDEO, *_AUDIO, "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac",
            "-b:a", "64k", *_meta_args(), "-brand", "M4V ", "-f", "mp4", str(out))
    exiftool_write(out, "-GPSCoordinates=51.53, 46.03", "-Make=Apple", "-Model=iPhone 12",
                   "-SerialNumber=C39XK2ABC123")
    return out


def make_m4a(folder: Path, name: str = "voice.m4a") -> Path:
    out = folder / name
    ffmpeg(*_AUDIO, "-c:a", "aac", "-b:a", "64k",
            *_meta_args(("title", "artist", "comment", "creation_time", "date",
                         "copyright", "encoder")), str(out))
    exiftool_write(out, "-Artist=John Doe", "-GPSCoordinates=51.53, 46.03")
    return out


def make_mkv(folder: Path, name: str = "clip.mkv") -> Path:
    out = folder / name
    ffmpeg(*_VIDEO, *_AUDIO, "-i", str(_chapters(folder)), "-map", "0", "-map", "1",
            "-map_metadata", "2", "-map_chapters", "2",
            "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "flac", *_meta_args(),
            "-metadata:s:v", "title=Camera 3 corridor", "-metadata:s:a", "title=Lapel mic",
            str(out))
    return out


def make_webm(folder: Path, name: str = "clip.webm") -> Path:
    out = folder / name
    ffmpeg(*_VIDEO, *_AUDIO, "-c:v", "libvpx", "-deadline", "realtime", "-b:v", "100k",
            "-c:a", "libopus", *_meta_args(), "-metadata:s:v", "title=Camera 3 corridor",
            str(out))
    return out


def make_avi(folder: Path, name: str = "clip.avi") -> Path:
    out = folder / name
    ffmpeg(*_VIDEO, *_AUDIO, "-c:v", "mjpeg", "-q:v", "5", "-c:a", "pcm_s16le",
            *_meta_args(("title", "artist", "comment", "date", "copyright", "encoder")),
            "-metadata:s:v", "title=Camera 3 corridor", str(out))
    # exiftool cannot write AVI: put a camera's IDIT date and a vendor chunk
    # where ffmpeg left a JUNK chunk in the header list (sizes unchanged).
    data = bytearray(out.read_bytes())
    hdrl_end = 20 + int.from_bytes(data[16:20], "little")
    at, pos = -1, 24
    while pos + 8 <= hdrl_end:  # direct children of hdrl only
        n = int.from_bytes(data[pos + 4 : pos + 8], "little")
        if data[pos : pos + 4] == b"JUNK" and n >= 80:
            at = pos
            break
        pos += 8 + n + (n & 1)
    assert at > 0, "no JUNK chunk in the AVI header to reuse"
    length = int.from_bytes(data[at + 4 : at + 8], "little")
    idit = b"IDIT" + (26).to_bytes(4, "little") + b"Wed May 01 10:00:00 2024\n\x00"
    vendor = b"ncdt" + (16).to_bytes(4, "little") + b"NIKON D7500\x00\x00\x00\x00\x00"
    rest = 8 + length - len(idit) - len(vendor) - 8
    data[at : at + 8 + length] = idit + vendor + b"JUNK" + rest.to_bytes(4, "little") + bytes(rest)
    out.write_bytes(bytes(data))
    return out


def make_mpeg4(folder: Path, name: str = "mpeg4.avi", *extra: str) -> Path:
    """ffmpeg's MPEG-4 Part 2 (key frame every 5, B-frames) with sound; ``extra``
    options go to the output (e.g. "-vtag", "DIVX")."""
    out = folder / name
    ffmpeg(*_VIDEO, *_AUDIO, "-c:v", "mpeg4", "-g", "5", "-bf", "2", *_audio_for(out),
            *extra, str(out))
    return out


def _audio_for(out: Path) -> list[str]:
    # FFmpeg's AAC encoder writes its own "Lavc..." into the first sound frame
    # unless bit-exact; the video tests look for the video's notes only.
    return {".avi": ["-c:a", "pcm_s16le"], ".mkv": ["-c:a", "flac"]}.get(
        out.suffix, ["-c:a", "aac", "-flags:a", "+bitexact"])


def make_x264_avi(folder: Path, name: str = "x264.avi", *extra: str) -> Path:
    """libx264 in AVI: an Annex B byte stream, x264's notes in the first frame."""
    out = folder / name
    ffmpeg(*_VIDEO, *_AUDIO, "-c:v", "libx264", "-preset", "ultrafast", "-g", "5",
            "-c:a", "pcm_s16le", *extra, str(out))
    return out


def remux(source: Path, name: str) -> Path:
    """The same streams in another container, video packets copied."""
    out = source.with_name(name)
    ffmpeg("-i", str(source), "-map", "0", "-c:v", "copy", *_audio_for(out), str(out))
    return out


def make_mp3(folder: Path, name: str = "voice.mp3") -> Path:
    out = folder / name
    ffmpeg(*_AUDIO, "-c:a", "libmp3lame", "-b:a", "64k", "-id3v2_version", "3",
            "-write_id3v1", "1",
            *_meta_args(("title", "artist", "comment", "date", "copyright", "encoder")),
            str(out))
    return out


def make_flac(folder: Path, name: str = "voice.flac") -> Path:
    out = folder / name
    cover = folder / "cover.png"
    ffmpeg("-f", "lavfi", "-i", "testsrc=d=1:s=32x32", "-frames:v", "1", str(cover))
    ffmpeg(*_AUDIO, "-i", str(cover), "-map", "0", "-map", "1", "-c:a", "flac",
            "-c:v", "png", "-disposition:v", "attached_pic",
            *_meta_args(("title", "artist", "comment", "date", "copyright", "encoder",
                         "location")), str(out))
    return out


def make_ogg(folder: Path, name: str = "voice.ogg") -> Path:
    out = folder / name
    ffmpeg(*_AUDIO, "-c:a", "libvorbis",
            *_meta_args(("title", "artist", "comment", "date", "copyright", "encoder",
                         "location")), str(out))
    return out


def make_opus(folder: Path, name: str = "voice.opus") -> Path:
    out = folder / name
    ffmpeg(*_AUDIO, "-c:a", "libopus",
            *_meta_args(("title", "artist", "comment", "date", "copyright", "encoder",
                         "location")), str(out))
    return out


def make_wav(folder: Path, name: str = "voice.wav") -> Path:
    out = folder / name
    ffmpeg(*_AUDIO, "-c:a", "pcm_s16le", "-write_bext", "1",
            *_meta_args(("title", "artist", "comment", "date", "copyright", "encoder")),
            "-metadata", "originator=Studio 4 recorder", "-metadata", "time_reference=12345",
            str(out))
    return out


def clean_to(path: Path, out: Path) -> Path:
    """``path`` cleaned by the engine (detected from content), written to ``out``."""
    from submitter.metadata import engine
    from submitter.metadata.source import Source

    plan = engine.prepare(Source.from_path(path), path.name)
    with open(out, "wb") as fh:
        plan.write_to(fh)
    return out


# --- judges of content ---

def frame_hashes(path: Path, maps: tuple[str, ...] = ("0:v?", "0:a?")) -> list[str]:
    """Per-packet hashes of the streams, copied without decoding (lossless check).

    Packet side data (e.g. a Vorbis stream's rebuilt headers) is left out:
    only timing, size and the hash of each packet's bytes are compared.
    """
    args: list[str] = []
    for m in maps:
        args += ["-map", m]
    proc = run(tool("ffmpeg"), "-v", "error", "-nostdin", "-i", str(path), *args,
               "-c", "copy", "-f", "framemd5", "-")
    lines = [", ".join(ln.split(", ")[:6]) for ln in proc.stdout.decode().splitlines()
             if ln and not ln.startswith("#")]
    assert lines, "no packets"
    return lines


def decoded_frame_hashes(path: Path, maps: tuple[str, ...] = ("0:v",)) -> list[str]:
    """Per-frame hashes of the decoded pictures (for cleaners that blank
    metadata segments inside the frames, so packets differ but pictures must not)."""
    args: list[str] = []
    for m in maps:
        args += ["-map", m]
    proc = run(tool("ffmpeg"), "-v", "error", "-nostdin", "-i", str(path), *args,
               "-f", "framemd5", "-")
    lines = [ln for ln in proc.stdout.decode().splitlines() if ln and not ln.startswith("#")]
    assert lines, "no frames decoded"
    return lines


def packet_layout(path: Path) -> list[str]:
    """Each packet's stream, timing and size, without its bytes."""
    return [", ".join(ln.split(", ")[:5]) for ln in frame_hashes(path)]
_SEI_NAL_TYPES = {"h264": "6", "hevc": "39|40"}


def _video_codec(path: Path) -> str:
    return next((c for t, c in probe_streams(path) if t == "video"), "")


def _sei_filtered(path: Path, maps: tuple[str, ...], codec: str, keep: bool,
                  fmt: str) -> bytes:
    args: list[str] = []
    for m in maps:
        args += ["-map", m]
    option = "pass_types" if keep else "remove_types"
    proc = run(tool("ffmpeg"), "-v", "error", "-nostdin", "-i", str(path), *args,
               "-c", "copy", "-bsf:v", f"filter_units={option}={_SEI_NAL_TYPES[codec]}",
               "-f", fmt, "-")
    return proc.stdout


def decoded_video_hash(path: Path) -> str:
    """Hash of every decoded picture (pixels), in order."""
    proc = run(tool("ffmpeg"), "-v", "error", "-nostdin", "-i", str(path), "-map", "0:v",
               "-f", "framemd5", "-")
    lines = [ln.split(", ")[-1] for ln in proc.stdout.decode().splitlines()
             if ln and not ln.startswith("#")]
    assert lines, "no pictures decoded"
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _raw_video(path: Path) -> bytes:
    """The video packets' bytes, one after another (no container, no extradata)."""
    return _raw_stream(path, "0:v")


def assert_mpeg4_packets_kept(original: Path, cleaned: Path) -> None:
    """MPEG-4 Part 2: packets differ only inside user data, and only as 0xFF filler."""
    assert packet_layout(cleaned) == packet_layout(original)
    before, after = _raw_video(original), _raw_video(cleaned)
    assert len(before) == len(after)
    changed = [i for i in range(len(before)) if before[i] != after[i]]
    assert all(after[i] == 0xFF for i in changed), "bytes changed to something not filler"
    for i in changed:
        start = before.rfind(b"\x00\x00\x01", 0, i)
        assert start >= 0 and before[start + 3] == 0xB2, "a change outside user data"
    assert after.count(b"\x00\x00\x01") == before.count(b"\x00\x00\x01")
    assert decoded_frame_hashes(cleaned) == decoded_frame_hashes(original)
    if any(t == "audio" for t, _ in probe_streams(original)):
        assert frame_hashes(cleaned, ("0:a",)) == frame_hashes(original, ("0:a",))


def _codecs(path: Path, kind: str) -> list[str]:
    return [c for t, c in probe_streams(path) if t == kind]


def _raw_stream(path: Path, stream: str) -> bytes:
    return run(tool("ffmpeg"), "-v", "error", "-nostdin", "-i", str(path), "-map", stream,
               "-c", "copy", "-f", "data", "-").stdout


def _changed(before: bytes, after: bytes) -> list[int]:
    assert len(before) == len(after)
    return [i for i in range(len(before)) if before[i] != after[i]]


def assert_mjpeg_kept(original: Path, cleaned: Path) -> None:
    """Motion-JPEG: every packet's timing and size kept, bytes changed only to zero
    (blanked segments), decoded pictures identical."""
    assert packet_layout(cleaned) == packet_layout(original)
    before, after = _raw_stream(original, "0:v"), _raw_stream(cleaned, "0:v")
    assert all(after[i] == 0 for i in _changed(before, after)), "bytes changed, not blanked"
    assert after.count(b"\xff\xda") == before.count(b"\xff\xda")
    assert decoded_frame_hashes(cleaned) == decoded_frame_hashes(original)


def assert_aac_kept(original: Path, cleaned: Path) -> None:
    """AAC: every packet's timing and size kept, bits only ever cleared (a note's
    filler set to zero bits), decoded samples identical."""
    assert packet_layout(cleaned) == packet_layout(original)
    before, after = _raw_stream(original, "0:a"), _raw_stream(cleaned, "0:a")
    assert all(after[i] & ~before[i] == 0 for i in _changed(before, after)), \
        "sound bits set, not blanked"
    assert decoded_audio_hash(cleaned) == decoded_audio_hash(original)


def assert_packets_kept(original: Path, cleaned: Path,
                        maps: tuple[str, ...] = ("0:v?", "0:a?")) -> None:
    """Every packet kept: byte for byte, except user-data notes inside the video.

    For H.264/HEVC, SEI NAL units may differ, and only where the cleaned
    bytes are the 0xFF filler; every other NAL unit, every packet's timing and
    size are equal, and the decoded pictures are identical. MPEG-4 Part 2
    video is judged by ``assert_mpeg4_packets_kept``, Motion-JPEG video by
    ``assert_mjpeg_kept`` and AAC sound by ``assert_aac_kept``.
    """
    if any(m.startswith("0:a") for m in maps) and "aac" in _codecs(original, "audio"):
        assert_aac_kept(original, cleaned)
        maps = tuple(m for m in maps if not m.startswith("0:a")
                     and not (m == "0:v?" and not _codecs(original, "video")))
        if not maps:
            return
    codec = _video_codec(original)
    if codec == "mjpeg" and any(m.startswith("0:v") for m in maps):
        assert_mjpeg_kept(original, cleaned)
        rest = tuple(m for m in maps if not m.startswith("0:v"))
        if rest:
            assert frame_hashes(cleaned, rest) == frame_hashes(original, rest)
        return
    if codec == "mpeg4" and any(m.startswith("0:v") for m in maps):
        assert_mpeg4_packets_kept(original, cleaned)
        return
    if codec not in _SEI_NAL_TYPES or not any(m.startswith("0:v") for m in maps):
        assert frame_hashes(cleaned, maps) == frame_hashes(original, maps)
        return

    def timing(path: Path) -> list[str]:
        return [ln.rsplit(", ", 1)[0] for ln in frame_hashes(path, maps)]

    assert timing(cleaned) == timing(original)
    # The decoder configuration (extradata) of HEVC may hold the notes too.
    without = [[ln for ln in _sei_filtered(p, maps, codec, keep=False, fmt="framemd5")
                .decode().splitlines() if not ln.startswith("#extradata")]
               for p in (original, cleaned)]
    assert without[0] == without[1], "packets differ outside the SEI NAL units"
    before, after = (_sei_filtered(p, ("0:v",), codec, keep=True, fmt="data")
                     for p in (original, cleaned))
    assert len(before) == len(after)
    changed = [i for i in range(len(before)) if before[i] != after[i]]
    assert all(after[i] == 0xFF for i in changed), "SEI bytes changed to something not filler"
    assert decoded_video_hash(cleaned) == decoded_video_hash(original)


def decoded_audio_hash(path: Path) -> str:
    """Hash of the decoded audio samples (for formats whose packets get re-wrapped)."""
    proc = run(tool("ffmpeg"), "-v", "error", "-nostdin", "-i", str(path), "-map", "0:a",
               "-f", "s16le", "-")
    assert proc.stdout, "no audio decoded"
    return hashlib.sha256(proc.stdout).hexdigest()


def probe_streams(path: Path) -> list[tuple[str, str]]:
    """(codec_type, codec_name) of every stream, as ffprobe sees them."""
    proc = run(tool("ffprobe"), "-v", "error", "-print_format", "json", "-show_streams",
               str(path.resolve()))
    streams = json.loads(proc.stdout)["streams"]
    return [(s.get("codec_type", ""), s.get("codec_name", "")) for s in streams]


# --- fuzz smoke: mutated files end in a refusal or a clean, never a crash ---

_SEEDS: dict[str, bytes] = {}


def seed_bytes(maker_name: str) -> bytes:
    """The bytes of one generated fixture, made once per test session."""
    import tempfile

    if maker_name not in _SEEDS:
        with tempfile.TemporaryDirectory() as tmp:
            path = globals()[maker_name](Path(tmp))
            _SEEDS[maker_name] = path.read_bytes()
    return _SEEDS[maker_name]


def mutate(seed: bytes, edits: list[tuple[int, int]], cut: int, head_bias: bool) -> bytes:
    """Overwrite bytes (mostly in the first 8 KiB, where headers live) and cut."""
    data = bytearray(seed)
    span = min(len(data), 8192) if head_bias else len(data)
    for pos, value in edits:
        data[pos % span] = value
    keep = len(data) - (cut % max(1, len(data) // 2)) if cut else len(data)
    return bytes(data[:keep])


def exercise(cleaner: object, kind: object, data: bytes) -> None:
    """inspect + prepare + write: only refusals may come out."""
    import contextlib
    import io as _io

    from submitter.metadata import engine
    from submitter.metadata.model import CleanRefused
    from submitter.metadata.source import Source

    src = Source.from_bytes(data)
    with contextlib.suppress(CleanRefused):
        cleaner.inspect(src, kind, engine.DEFAULT_LIMITS)  # type: ignore[attr-defined]
    try:
        plan = cleaner.prepare(src, kind, engine.DEFAULT_LIMITS)  # type: ignore[attr-defined]
    except CleanRefused:
        return
    sink = _io.BytesIO()
    plan.write_to(sink)
    assert len(sink.getvalue()) == plan.size


def apply_patches(data: bytes, patches: dict[int, bytes]) -> bytes:
    """``data`` with each scanner patch (offset -> bytes) written over it."""
    out = bytearray(data)
    for at, patch in patches.items():
        out[at : at + len(patch)] = patch
    return bytes(out)


def avi_chunks(data: bytes) -> list[tuple[bytes, int, int]]:
    """(id, body offset, length) of each chunk of the first movi list."""
    at = data.index(b"movi") + 4
    end = at - 4 + struct.unpack_from("<I", data, at - 8)[0]  # the list body ends there
    out = []
    while at + 8 <= end:
        length = struct.unpack_from("<I", data, at + 4)[0]
        out.append((data[at : at + 4], at + 8, length))
        at += 8 + length + (length & 1)
    return out
