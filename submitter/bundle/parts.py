"""Splitting a submission into parts of a fixed plaintext size.

Files are placed in order. A file that does not fit in what is left of a
part is cut into segments (``name.seg0001``, ``name.seg0002``...) that fill
the part and continue in the next ones; the opener joins them and checks the
whole file's SHA-256. Every part starts with its own manifest, so each opens
on its own with age and tar.

Sizes are computed exactly before a byte is written: the manifest's length
is computed with the largest possible numbers for the values not yet known
(part count, segment count), so the real manifest is never longer and the
padding absorbs the difference.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from submitter.bundle.format import (
    BLOCK,
    MANIFEST_NAME,
    MAX_PART_SIZE,
    MIN_PART_SIZE,
    SEGMENT_SUFFIX_WIDTH,
)
from submitter.bundle.manifest import FileEntry, Manifest, Segment, _entry_obj
from submitter.bundle.tarwriter import END_OF_ARCHIVE, member_footprint
from submitter.errors import SubmitterError


class PartSizeError(SubmitterError):
    message = "The part size is too small for this submission (or outside 1 MiB to 4 GiB)."


_PLACEHOLDER_PART_COUNT = 999_999
_PLACEHOLDER_SEG_COUNT = 10**SEGMENT_SUFFIX_WIDTH - 1
MIN_SEGMENT = 64 * 1024  # never cut a segment smaller than this (it would only add headers)


@dataclass(frozen=True, slots=True)
class PartLayout:
    index: int  # 1-based
    entries: tuple[tuple[int, FileEntry], ...]  # (file index in the submission, entry)


def _entry_len(e: FileEntry) -> int:
    return len(json.dumps(_entry_obj(e), ensure_ascii=False, sort_keys=True,
                          separators=(",", ":")).encode("utf-8"))


def check_part_size(part_size: int) -> None:
    if not MIN_PART_SIZE <= part_size <= MAX_PART_SIZE or part_size % BLOCK:
        raise PartSizeError(f"part size {part_size}")


def layout(files: list[FileEntry], part_size: int, submission_id: str,
           message: str) -> list[PartLayout]:
    """Assign whole files or segments to parts; ``files`` have segment=None."""
    check_part_size(part_size)
    base = len(Manifest(submission_id, _PLACEHOLDER_PART_COUNT, _PLACEHOLDER_PART_COUNT,
                        message, ()).to_json())
    capacity = part_size - len(END_OF_ARCHIVE)
    parts: list[list[tuple[int, FileEntry]]] = [[]]
    json_len = base  # manifest length of the current part so far
    data_used = 0  # footprint of the current part's members (without the manifest)

    def fits(extra_json: int, extra_data: int) -> bool:
        n = len(parts[-1])
        total_json = json_len + extra_json + (1 if n else 0)
        return member_footprint(MANIFEST_NAME, total_json) + data_used + extra_data <= capacity

    for idx, entry in enumerate(files):
        offset = 0
        seg_index = 0
        while True:
            left = entry.size - offset
            if offset == 0:
                whole = entry
            else:
                whole = replace(entry, segment=Segment(seg_index + 1, _PLACEHOLDER_SEG_COUNT,
                                                       offset, left))
            whole_len = _entry_len(whole)
            if fits(whole_len, member_footprint(whole.member, left)):
                json_len += whole_len + (1 if parts[-1] else 0)
                data_used += member_footprint(whole.member, left)
                parts[-1].append((idx, whole))
                break
            # Cut a segment filling the rest of this part.
            seg = replace(entry, segment=Segment(seg_index + 1, _PLACEHOLDER_SEG_COUNT,
                                                 offset, left))
            seg_len = _entry_len(seg)
            n = len(parts[-1])
            room = (capacity - data_used
                    - member_footprint(MANIFEST_NAME, json_len + seg_len + (1 if n else 0))
                    - member_footprint(seg.member, 0))
            room = min(room, left - 1)  # always leave a non-empty remainder
            room -= room % BLOCK
            if room >= MIN_SEGMENT and seg_index + 1 < _PLACEHOLDER_SEG_COUNT:
                seg = replace(seg, segment=Segment(seg_index + 1, _PLACEHOLDER_SEG_COUNT,
                                                   offset, room))
                parts[-1].append((idx, seg))
                offset += room
                seg_index += 1
            elif not parts[-1]:
                raise PartSizeError("a part cannot hold even one entry")
            parts.append([])
            json_len = base
            data_used = 0

    if not parts[-1] and len(parts) > 1:
        parts.pop()
    # Fill in the real counts (never longer than the placeholders).
    seg_counts: dict[int, int] = {}
    for part in parts:
        for idx, e in part:
            if e.segment is not None:
                seg_counts[idx] = seg_counts.get(idx, 0) + 1
    out: list[PartLayout] = []
    for p, part in enumerate(parts, start=1):
        fixed = []
        for idx, e in part:
            if e.segment is not None:
                e = replace(e, segment=replace(e.segment, count=seg_counts[idx]))
            fixed.append((idx, e))
        out.append(PartLayout(p, tuple(fixed)))
    return out
