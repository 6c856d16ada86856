"""Delivery against real servers on loopback: @tus/server (+ @tus/file-store), our inbox
server and onionshare-cli in receive mode. Delivered bytes must equal the parts."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from submitter.outbox import Courier, Destination, Outbox, PartId
from submitter.transports.base import Phase, SendProgress
from submitter.transports.tus import TusTransport
from tests.transports.netpeers import (
    Proc,
    Relay,
    add_part,
    inbox_received,
    make_outbox,
    start_inbox,
    start_onionshare,
    start_tus_node,
)

MiB = 1024 * 1024


@pytest.fixture
def tus_node(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    store = tmp_path / "tusd-files"
    store.mkdir()
    proc, url = start_tus_node(store)
    yield url, store
    proc.stop()


@pytest.fixture
def inbox(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "inbox"
    proc, url = start_inbox(root)
    yield url, root
    proc.stop()


def _server(request: pytest.FixtureRequest, server: str) -> tuple[str, Path]:
    """The url and store of our inbox ("ours") or of @tus/server ("reference")."""
    url, store = request.getfixturevalue("inbox" if server == "ours" else "tus_node")
    return url, store


def _interrupted_upload(tmp_path: Path, url: str, size: int, stop_at: int
                        ) -> tuple[Outbox, PartId, bytes]:
    """Queue a random part of ``size`` bytes for the tus server at ``url``, deliver it in
    1 MiB chunks and cancel once ``stop_at`` bytes are at the server."""
    ob = make_outbox(tmp_path / "data")
    pid, data = add_part(ob, os.urandom(size), Destination("tus", url))
    cancel = threading.Event()

    def stop_when_sent(event: SendProgress) -> None:
        if event.phase is Phase.SENDING and event.sent >= stop_at:
            cancel.set()

    Courier(ob, route="direct", chunk_size=MiB, progress=stop_when_sent).deliver_due(cancel)
    return ob, pid, data


def test_tus_to_reference_server_is_byte_identical(tmp_path: Path,
                                                   tus_node: tuple[str, Path]) -> None:
    url, store = tus_node
    ob = make_outbox(tmp_path / "data")
    parts = [add_part(ob, os.urandom(n), Destination("tus", url)) for n in (1, 3 * MiB + 7)]
    report = Courier(ob, route="direct", chunk_size=MiB).deliver_due(threading.Event())
    assert sorted(report.delivered) == sorted(pid for pid, _ in parts)
    # @tus/file-store keeps each upload as a file named by its id, plus a .json record.
    stored = sorted(p.read_bytes() for p in store.iterdir() if not p.name.endswith(".json"))
    assert stored == sorted(data for _, data in parts)
    # No Upload-Metadata was sent: the server's records name nothing.
    for record in store.glob("*.json"):
        assert b"filename" not in record.read_bytes()
    assert list(ob.parts_dir.iterdir()) == []
    ob.close()


def test_tus_to_our_inbox_is_byte_identical_with_checksums(tmp_path: Path,
                                                           inbox: tuple[str, Path]) -> None:
    url, root = inbox
    ob = make_outbox(tmp_path / "data")
    pid, data = add_part(ob, os.urandom(5 * MiB + 3), Destination("tus", url))
    events: list[SendProgress] = []
    report = Courier(ob, route="direct", chunk_size=MiB, progress=events.append).deliver_due(
        threading.Event())
    assert report.delivered == [pid]
    assert inbox_received(root) == [data]
    sent = [e.sent for e in events if e.phase is Phase.SENDING]
    assert sent == sorted(sent) and sent[-1] == len(data) and len(sent) == 6
    assert events[-1].phase is Phase.DONE
    ob.close()


@pytest.mark.parametrize("server", ["ours", "reference"])
def test_resume_after_restart_uses_the_same_upload(tmp_path: Path, server: str,
                                                   request: pytest.FixtureRequest) -> None:
    url, store = _server(request, server)
    ob, pid, data = _interrupted_upload(tmp_path, url, 4 * MiB, stop_at=2 * MiB)
    info = ob.get(pid)
    assert info.state == "queued" and info.sent == 2 * MiB
    resume_url = ob.resume(pid)
    assert resume_url is not None
    ob.close()
    # "Restart the app": a new Outbox over the same data dir.
    ob = make_outbox(tmp_path / "data")
    assert ob.resume(pid) == resume_url
    offsets: list[int] = []
    report = Courier(ob, route="direct", chunk_size=MiB,
                     progress=lambda e: offsets.append(e.sent)).deliver_due(threading.Event())
    assert report.delivered == [pid]
    assert offsets[1] == 3 * MiB  # first PATCH after HEAD started at 2 MiB
    if server == "ours":
        assert inbox_received(store) == [data]
        assert len(list((store / "uploads").iterdir())) == 1
    else:
        files = [p for p in store.iterdir() if not p.name.endswith(".json")]
        assert [p.read_bytes() for p in files] == [data]
    ob.close()


@pytest.mark.parametrize("server", ["ours", "reference"])
def test_termination_drops_the_half_upload(tmp_path: Path, server: str,
                                           request: pytest.FixtureRequest) -> None:
    url, _store = _server(request, server)
    ob, pid, _ = _interrupted_upload(tmp_path, url, 3 * MiB, stop_at=MiB)
    resume_url = ob.resume(pid)
    assert resume_url is not None
    Courier(ob, route="direct").abandon(pid)
    assert ob.parts() == [] and list(ob.parts_dir.iterdir()) == []
    with httpx.Client(trust_env=False) as client:
        head = client.head(resume_url, headers={"Tus-Resumable": "1.0.0"})
    assert head.status_code in (404, 410)
    ob.close()


def test_tus_client_reads_server_options(inbox: tuple[str, Path]) -> None:
    url, _ = inbox
    with httpx.Client(trust_env=False) as client:
        opts = TusTransport(url).options(client)
    assert {"creation", "termination", "checksum", "expiration"} <= opts.extensions
    assert opts.max_size == 4 * 1024**3


# --- OnionShare ---


@pytest.fixture
def onionshare(tmp_path: Path) -> Iterator[tuple[Proc, str, Path]]:
    recv = tmp_path / "onionshare-received"
    proc, url = start_onionshare(recv, tmp_path / "home")
    yield proc, url, recv
    proc.stop()


def test_onionshare_receive_mode_is_byte_identical(tmp_path: Path,
                                                   onionshare: tuple[Proc, str, Path]) -> None:
    _proc, url, recv = onionshare
    ob = make_outbox(tmp_path / "data")
    parts = [add_part(ob, os.urandom(n), Destination("onionshare", url)) for n in (17, 2 * MiB)]
    report = Courier(ob, route="direct").deliver_due(threading.Event())
    assert sorted(report.delivered) == sorted(pid for pid, _ in parts)
    got = sorted(p.read_bytes() for p in recv.rglob("*") if p.is_file())
    assert got == sorted(data for _, data in parts)
    ob.close()


def test_onionshare_parts_over_one_gib_are_refused_before_connecting(tmp_path: Path) -> None:
    relay = Relay(9)  # nothing behind it: any connection would be counted here
    ob = make_outbox(tmp_path / "data")
    final = ob.new_part_path()
    with open(final, "wb") as fh:  # sparse: 1 GiB + 1 without using the disk
        fh.truncate(1024**3 + 1)
    pid = ob.enqueue(final, Destination("onionshare", f"http://127.0.0.1:{relay.port}"))
    report = Courier(ob, route="direct").deliver_due(threading.Event())
    assert report.failed[pid] == "This part is too large for the destination."
    assert relay.connections == 0
    assert final.exists()
    relay.close()
    ob.close()


def test_onionshare_error_flashes_with_http_200_fail_the_part(tmp_path: Path) -> None:
    recv = tmp_path / "recv"
    proc, url = start_onionshare(recv, tmp_path / "home", "--disable-files")
    try:
        # The peer's own answer: HTTP 200, with the error inside the JSON.
        with httpx.Client(trust_env=False) as client:
            raw = client.post(url + "/upload-ajax", files={"file[]": ("x", b"abc")})
        assert raw.status_code == 200 and raw.json()["error_flashes"]
        ob = make_outbox(tmp_path / "data")
        pid, _ = add_part(ob, os.urandom(1000), Destination("onionshare", url))
        report = Courier(ob, route="direct").deliver_due(threading.Event())
        assert report.failed[pid] == "The receiving server refused this part."
        assert ob.part_path(pid).exists()
        assert not [p for p in recv.rglob("*") if p.is_file()]
        ob.close()
    finally:
        proc.stop()
