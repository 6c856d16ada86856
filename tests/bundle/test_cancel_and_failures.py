"""Cancelled or failed runs leave nothing behind, on both sides."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from crypto.recipients.x25519 import X25519Identity
from submitter.bundle.opener import OpenCancelled, OpenProgress, open_parts
from submitter.bundle.pipeline import (
    FilesRefused,
    SourceChangedError,
    Stage,
    SubmitCancelled,
    SubmitProgress,
    submit,
)
from tests.bundle.conftest import big_jpeg, listing


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    d = tmp_path / "outbox"
    d.mkdir()
    return d


@pytest.mark.parametrize("when", [Stage.CHECKING, Stage.ENCRYPTING])
def test_cancel_leaves_nothing(inputs: list[Path], identity: X25519Identity, outbox: Path,
                               when: Stage) -> None:
    cancel = threading.Event()
    seen: list[SubmitProgress] = []
    threads_before = set(threading.enumerate())

    def progress(ev: SubmitProgress) -> None:
        seen.append(ev)
        if ev.stage == when and ev.file_index == 2:  # two files already through
            cancel.set()

    with pytest.raises(SubmitCancelled):
        submit(inputs, [identity.recipient()], outbox, progress=progress, cancel=cancel)
    assert any(ev.stage == when and ev.files_done == 2 for ev in seen)
    assert listing(outbox) == []
    assert set(threading.enumerate()) <= threads_before  # every worker thread joined


def test_cancel_between_parts_of_a_multi_part_run(tmp_path: Path, identity: X25519Identity,
                                                  outbox: Path) -> None:
    photos = [big_jpeg(tmp_path / f"p{i}.jpg", side=500, seed=i) for i in range(4)]
    cancel = threading.Event()

    def progress(ev: SubmitProgress) -> None:
        if ev.stage == Stage.ENCRYPTING and ev.file_index == 3:
            assert len(list(outbox.iterdir())) >= 1  # parts were being written...
            cancel.set()

    with pytest.raises(SubmitCancelled):
        submit(photos, [identity.recipient()], outbox, part_size=1 << 20,
               progress=progress, cancel=cancel)
    assert listing(outbox) == []  # ...and are all gone


def test_source_changed_between_passes_fails_cleanly(tmp_path: Path, identity: X25519Identity,
                                                     outbox: Path) -> None:
    photos = [big_jpeg(tmp_path / f"p{i}.jpg", side=200, seed=i) for i in range(2)]

    def progress(ev: SubmitProgress) -> None:
        if ev.stage == Stage.ENCRYPTING and ev.file_index == 0:
            big_jpeg(photos[1], side=210, seed=99)  # another program rewrites it

    with pytest.raises(SourceChangedError):
        submit(photos, [identity.recipient()], outbox, progress=progress, memory_budget=0)
    assert listing(outbox) == []


def test_registration_failure_removes_the_parts(inputs: list[Path], identity: X25519Identity,
                                                outbox: Path) -> None:
    class QueueDown(Exception):
        pass

    def register(parts: Sequence[Path]) -> None:
        assert all(p.exists() for p in parts)
        raise QueueDown()

    with pytest.raises(QueueDown):
        submit(inputs, [identity.recipient()], outbox, on_parts_ready=register)
    assert listing(outbox) == []


def test_refused_file_refuses_the_whole_submission(tmp_path: Path, inputs: list[Path],
                                                   identity: X25519Identity,
                                                   outbox: Path) -> None:
    fake = tmp_path / "notes.jpg"
    fake.write_bytes(b"%PDF-1.4 this is not a jpeg")
    unknown = tmp_path / "tool.exe"
    unknown.write_bytes(b"MZ\x90\x00" + bytes(200))
    missing = tmp_path / "gone.jpg"
    with pytest.raises(FilesRefused) as info:
        submit([inputs[0], fake, unknown, missing], [identity.recipient()], outbox)
    assert [r.index for r in info.value.refusals] == [1, 2, 3]
    assert all(r.reason for r in info.value.refusals)
    assert "not supported" in info.value.refusals[1].reason
    assert listing(outbox) == []


def test_cancel_while_opening_leaves_destination_unchanged(inputs: list[Path],
                                                           identity: X25519Identity,
                                                           outbox: Path, tmp_path: Path) -> None:
    res = submit(inputs, [identity.recipient()], outbox)
    dest = tmp_path / "ngo"
    dest.mkdir()
    cancel = threading.Event()

    def progress(ev: OpenProgress) -> None:
        if ev.stage == "decrypting":
            cancel.set()

    with pytest.raises(OpenCancelled):
        open_parts(res.parts, [identity], dest, progress=progress, cancel=cancel)
    assert listing(dest) == []


def test_streamed_video_changed_during_the_run_fails_cleanly(inputs: list[Path],
                                                             identity: X25519Identity,
                                                             outbox: Path) -> None:
    video = inputs[2]

    def progress(ev: SubmitProgress) -> None:
        if ev.stage == Stage.ENCRYPTING and ev.file_index == 0:
            with open(video, "r+b") as fh:  # a camera app rewrites one byte in place
                fh.seek(-100, 2)
                byte = fh.read(1)
                fh.seek(-100, 2)
                fh.write(bytes([byte[0] ^ 1]))

    with pytest.raises(SourceChangedError):
        submit(inputs, [identity.recipient()], outbox, progress=progress)
    assert listing(outbox) == []


def test_mixed_recipient_types_refused_without_leftovers(inputs: list[Path], outbox: Path,
                                                         tmp_path: Path) -> None:
    """A card mixing classic and post-quantum recipients fails in the encryptor."""
    from crypto.errors import CryptoError
    from crypto.keygen import generate_mlkem768x25519

    classic = X25519Identity.generate().recipient()
    pq = generate_mlkem768x25519().recipient()
    with pytest.raises(CryptoError):
        submit(inputs[:1], [classic, pq], outbox)
    assert listing(outbox) == []
