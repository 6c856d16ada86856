"""SplicePlan.write_to: the kernel copy into a file writes the same bytes as the
Python copy into a stream, whatever the ranges' offsets, and puts the bulk of
each range at aligned output offsets."""

from __future__ import annotations

import io
import os
import random
from pathlib import Path

import pytest

from submitter.metadata import splice
from submitter.metadata.model import CleanReport
from submitter.metadata.source import Source
from submitter.metadata.splice import Patch, SplicePlan, Zeros, pieces_from_patches

MIB = 1024 * 1024


def _plan(tmp_path: Path) -> tuple[SplicePlan, bytes]:
    rng = random.Random(7)
    data = rng.randbytes(5 * MIB + 12345)
    src = tmp_path / "src.bin"
    src.write_bytes(data)
    # Blanked boxes at odd offsets, as in a cleaned MP4: each range after one
    # starts at an unaligned output offset.
    patches: dict[int, Patch] = {315: b"\xff" * 513, MIB + 542: Zeros(4096 + 3),
                                 3 * MIB + 3780: b"free", len(data) - 20: Zeros(20)}
    pieces = pieces_from_patches(len(data), patches)
    expected = bytearray(data)
    for off, patch in patches.items():
        expected[off:off + splice._plen(patch)] = (
            bytes(patch.length) if isinstance(patch, Zeros) else patch)
    return SplicePlan(Source.from_path(src), pieces, CleanReport(kind="test")), bytes(expected)


@pytest.mark.parametrize("lead", [b"", b"HEAD", b"x" * (MIB - 1)])
def test_kernel_copy_matches_stream_copy(tmp_path: Path, lead: bytes,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    plan, expected = _plan(tmp_path)
    stream = io.BytesIO()
    plan.write_to(stream)
    assert stream.getvalue() == expected

    monkeypatch.setattr(splice, "_KERNEL_CHUNK", 2 * MIB)  # several chunks per range
    calls: list[tuple[int, int]] = []
    real = splice._copy_range

    def recording(in_fd: int, out_fd: int, offset: int, count: int) -> int:
        calls.append((os.lseek(out_fd, 0, os.SEEK_CUR), count))
        return real(in_fd, out_fd, offset, count)

    monkeypatch.setattr(splice, "_copy_range", recording)
    out = tmp_path / "out.bin"
    with open(out, "wb") as fh:
        fh.write(lead)
        plan.write_to(fh)
        fh.write(b"TAIL")
    assert out.read_bytes() == lead + expected + b"TAIL"
    # Only a range's head (up to the next boundary) or a short range is
    # copied from an unaligned output offset; the bulk starts aligned.
    assert len(calls) > len([p for p in plan._pieces if isinstance(p, splice.Span)])
    unaligned = [(pos, n) for pos, n in calls if pos % splice._ALIGN]
    assert unaligned and all(n < splice._ALIGN for _, n in unaligned)


def test_short_kernel_copies_still_give_the_same_bytes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """copy_file_range may copy less than asked: the rest follows, nothing is lost."""
    plan, expected = _plan(tmp_path)
    real = splice._copy_range

    def short(in_fd: int, out_fd: int, offset: int, count: int) -> int:
        return real(in_fd, out_fd, offset, max(1, count // 3))

    monkeypatch.setattr(splice, "_copy_range", short)
    out = tmp_path / "out.bin"
    with open(out, "wb") as fh:
        plan.write_to(fh)
    assert out.read_bytes() == expected
