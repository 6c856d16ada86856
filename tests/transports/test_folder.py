"""Folder / USB stick: fsync'd copy, read-back check, neutral names, safe to unplug."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from submitter.outbox import Courier, Destination
from submitter.transports.base import Phase, SendJob, SendProgress
from submitter.transports.errors import DeliveryCancelledError, VerifyFailedError
from submitter.transports.folder import FolderTransport
from tests.transports.netpeers import add_part, make_outbox


def _job(tmp_path: Path, data: bytes) -> SendJob:
    src = tmp_path / "0123456789abcdef0123456789abcdef"
    src.write_bytes(data)
    return SendJob("p1", src, len(data), src.name)


def test_copy_is_verified_and_reported_safe_to_unplug_last(tmp_path: Path) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    data = os.urandom(9 * 1024 * 1024 + 5)
    events: list[SendProgress] = []
    result = FolderTransport(str(usb)).send(_job(tmp_path, data), events.append,
                                            threading.Event())
    assert result.safe_to_unplug and result.delivered_bytes == len(data)
    [copy] = list(usb.iterdir())
    assert copy.name == "0123456789abcdef0123456789abcdef" and copy.read_bytes() == data
    phases = [e.phase for e in events]
    assert phases[-3:] == [Phase.VERIFYING, Phase.DONE, Phase.SAFE_TO_UNPLUG]
    assert phases.index(Phase.VERIFYING) > max(i for i, p in enumerate(phases)
                                               if p is Phase.SENDING)


def test_missing_folder_waits_and_leaves_nothing(tmp_path: Path) -> None:
    ob = make_outbox(tmp_path / "data")
    pid, data = add_part(ob, os.urandom(100), Destination("folder", str(tmp_path / "unplugged")))
    report = Courier(ob, route="direct").deliver_due(threading.Event())
    assert report.retrying[pid].startswith("The folder or USB stick is not available")
    assert ob.get(pid).state == "queued" and ob.part_path(pid).read_bytes() == data
    ob.close()


def test_cancel_mid_copy_removes_the_partial_file(tmp_path: Path) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    cancel = threading.Event()
    with pytest.raises(DeliveryCancelledError):
        FolderTransport(str(usb)).send(_job(tmp_path, os.urandom(12 * 1024 * 1024)),
                                       lambda _e: cancel.set(), cancel)
    assert list(usb.iterdir()) == []


def _tamper(usb: Path, how: str, seen: list[list[str]]) -> Callable[[SendProgress], None]:
    """A progress callback standing in for a medium that does not keep what was written:
    when the copy is written and flushed and its read-back starts (the VERIFYING event),
    another writer, with its own descriptor, changes the copy on the medium."""

    def on_progress(event: SendProgress) -> None:
        if event.phase is not Phase.VERIFYING:
            return
        names = sorted(p.name for p in usb.iterdir())
        seen.append(names)
        [copy] = names
        fd = os.open(usb / copy, os.O_WRONLY)
        try:
            if how == "flip":
                middle = event.total // 2
                original = (usb / copy).read_bytes()[middle]
                os.pwrite(fd, bytes([original ^ 0x01]), middle)
            else:  # the medium lost the tail of the copy
                os.ftruncate(fd, event.total - 4096)
            os.fsync(fd)
        finally:
            os.close(fd)

    return on_progress


@pytest.mark.parametrize("how", ["flip", "truncate"])
def test_copy_that_differs_on_read_back_is_deleted_and_the_part_stays_queued(
        tmp_path: Path, how: str) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    ob = make_outbox(tmp_path / "data")
    data = os.urandom(5 * 1024 * 1024 + 123)  # more than one copy block
    pid, _ = add_part(ob, data, Destination("folder", str(usb)))
    seen: list[list[str]] = []
    report = Courier(ob, route="direct", progress=_tamper(usb, how, seen)).deliver_due(
        threading.Event())
    # The check ran on the copy while it still had its temporary name: a copy that was
    # not verified never carries the part's name, where the NGO would pick it up.
    assert seen == [[ob.get(pid).file_name + ".partial"]]
    assert report.retrying == {pid: VerifyFailedError.message}
    assert not report.delivered and not report.failed and not report.safe_to_unplug
    info = ob.get(pid)
    assert (info.state, info.reason, info.attempts) == ("queued", VerifyFailedError.message, 1)
    assert list(usb.iterdir()) == []  # neither the bad copy nor a partial one is left
    assert ob.part_path(pid).read_bytes() == data  # the part itself is untouched

    # A medium that keeps what it is given: the same part goes through on the next try.
    ob.retry(pid)
    report = Courier(ob, route="direct").deliver_due(threading.Event())
    assert report.delivered == [pid] and report.safe_to_unplug
    assert [(p.name, p.read_bytes()) for p in usb.iterdir()] == [(info.file_name, data)]
    ob.close()


def test_transport_raises_verify_failed_and_leaves_nothing(tmp_path: Path) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    data = os.urandom(1024 * 1024)
    job = _job(tmp_path, data)
    seen: list[list[str]] = []
    with pytest.raises(VerifyFailedError) as raised:
        FolderTransport(str(usb)).send(job, _tamper(usb, "flip", seen), threading.Event())
    assert raised.value.message == (
        "The copy could not be verified after writing. It will be written again.")
    assert seen and list(usb.iterdir()) == []
    assert job.path.read_bytes() == data
