"""Edit lists (MP4/MOV 'elst'): media a track holds but players never show.

A lossless trim (``ffmpeg -ss 3 -c copy``, LosslessCut, phone and camera
editors that "trim without re-encoding") cannot cut a video between key
frames, so it keeps every frame from the key frame before the cut and
writes an edit list telling players to start later. The frames and sound
that were "cut out" are still in the file, and anyone can show them again
by ignoring the edit list (``ffmpeg -ignore_editlist 1``). The same holds
for an end trimmed off by a shorter edit, and for a middle cut out between
two edits.

Each edit maps a span of the movie's timeline (movie timescale) to media
time (the track's timescale); an edit with media time -1 is a pause and
shows nothing. What a track holds runs from its first sample's composition
time (the first picture shown, after any B-frame delay) for the sum of its
sample durations. What no edit covers of that is hidden.

Encoders' own delays are hidden too, and are not content: AAC and MP3 start
with about 1,000 to 2,000 samples of priming (0.02-0.05 s), which edit lists
skip. ``HIDDEN_ALLOWANCE`` is far above that and below a spoken word.
"""

from __future__ import annotations

from dataclasses import dataclass

from submitter.metadata.model import CorruptRefused, LimitRefused

HIDDEN_ALLOWANCE = 0.25  # seconds a track may hide: encoder priming, never a word or a scene
MAX_EDITS = 10_000


@dataclass(frozen=True, slots=True)
class Edit:
    duration: int  # movie timescale; 0 means "to the end" (fragmented files)
    media_time: int  # track timescale; -1 is an empty edit (a pause)
    rate: int  # media_rate_integer: 0 shows one picture for the whole edit


def parse(body: bytes) -> list[Edit]:
    """The entries of an 'elst' box body (version and flags first)."""
    if len(body) < 8:
        raise CorruptRefused("short edit list")
    wide = body[0] == 1
    count = int.from_bytes(body[4:8], "big")
    if count > MAX_EDITS:
        raise LimitRefused("edit list too long")
    size = 20 if wide else 12
    if 8 + count * size > len(body):
        raise CorruptRefused("edit list count past its box")
    width = 8 if wide else 4
    out = []
    for i in range(count):
        at = 8 + i * size
        duration = int.from_bytes(body[at : at + width], "big")
        media_time = int.from_bytes(body[at + width : at + 2 * width], "big", signed=True)
        rate = int.from_bytes(body[at + 2 * width : at + 2 * width + 2], "big", signed=True)
        out.append(Edit(duration, media_time, rate))
    return out


def hidden(edits: list[Edit], movie_scale: int, media_scale: int, start: int,
           duration: int) -> int:
    """How much of the media ``[start, start + duration)`` (track timescale)
    no edit shows, in the track's timescale."""
    if duration <= 0:
        return 0
    if movie_scale <= 0 or media_scale <= 0:
        raise CorruptRefused("edit list of a track without a timescale")
    end = start + duration
    shown: list[tuple[int, int]] = []
    for e in edits:
        if e.media_time < 0 or e.rate == 0:
            continue  # a pause, or one picture held: nothing more of the media shown
        length = end if e.duration == 0 else -(-e.duration * media_scale // movie_scale)
        shown.append((max(e.media_time, start), min(e.media_time + length, end)))
    covered, reach = 0, start
    for lo, hi in sorted(shown):
        lo = max(lo, reach)
        if hi > lo:
            covered += hi - lo
            reach = hi
    return duration - covered
