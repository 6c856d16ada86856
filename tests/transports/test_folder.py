"""Folder / USB stick: fsync'd copy, read-back check, neutral names, safe to unplug."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from submitter.outbox import Courier, Destination
from submitter.transports.base import Phase, SendJob, SendProgress
from submitter.transports.errors import DeliveryCancelledError
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
