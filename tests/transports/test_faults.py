"""Faults: client killed mid-upload, server restarted, connection cut mid-chunk, a full
disk at the inbox, size limits, and servers answering garbage. Nothing is lost, no part
becomes two uploads, and the queue stays consistent."""

from __future__ import annotations

import os
import resource
import signal
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from submitter.outbox import Backoff, Courier, Destination
from submitter.outbox.queue import Outbox
from tests import peers
from tests.transports.netpeers import (
    Relay,
    add_part,
    free_port,
    inbox_received,
    make_outbox,
    spawn,
    start_inbox,
)

MiB = 1024 * 1024
FAST = Backoff(base=0.05, factor=2, cap=0.3, storage_full=0.3)


def _open_uploads(root: Path) -> list[Path]:
    return sorted((root / "uploads").iterdir())


def _assert_consistent(ob: Outbox) -> None:
    for info in ob.parts():
        assert info.state in ("queued", "sending", "delivered", "failed")
        assert 0 <= info.sent <= info.size
        exists = (ob.parts_dir / info.file_name).exists()
        assert exists == (info.state != "delivered")


def test_client_killed_mid_upload_resumes_from_the_servers_offset(tmp_path: Path) -> None:
    root = tmp_path / "inbox"
    server, url = start_inbox(root)
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    relay = Relay(port, rate=2 * MiB)  # slow enough to be killed half way
    data_dir = tmp_path / "data"
    size = 4 * MiB
    ob = make_outbox(data_dir)
    pid, data = add_part(ob, os.urandom(size), Destination("tus",
                                                           f"http://127.0.0.1:{relay.port}/files/"))
    ob.close()
    env = dict(os.environ, SUBMITTER_DATA_DIR=str(data_dir),
               SUBMITTER_STATE_PASSPHRASE="test passphrase")
    argv = [sys.executable, "-m", "submitter", "outbox", "deliver", "--direct",
            "--chunk-size", str(256 * 1024)]
    try:
        client = spawn(argv, env=env, cwd=peers.REPO)
        relay.wait_bytes_up(int(1.5 * MiB), 30)
        client.popen.send_signal(signal.SIGKILL)
        client.popen.wait(10)
        ob = make_outbox(data_dir)
        info = ob.get(pid)
        assert info.state == "sending" and info.sent < size  # the crash left it mid-way
        assert ob.resume(pid) is not None
        ob.close()
        relay.rate = None
        again = spawn(argv, env=env, cwd=peers.REPO)
        assert again.popen.wait(60) == 0, again.seen
        assert inbox_received(root) == [data]
        assert len(_open_uploads(root)) == 1  # one upload, never a second one
        assert relay.bytes_up < 1.2 * size
        ob = make_outbox(data_dir)
        assert ob.get(pid).state == "delivered"
        _assert_consistent(ob)
        ob.close()
    finally:
        relay.close()
        server.stop()


def test_server_restarted_mid_upload(tmp_path: Path) -> None:
    root = tmp_path / "inbox"
    port = free_port()
    server, _url = start_inbox(root, port)
    relay = Relay(port, rate=2 * MiB)
    ob = make_outbox(tmp_path / "data")
    pid, data = add_part(ob, os.urandom(4 * MiB),
                         Destination("tus", f"http://127.0.0.1:{relay.port}/files/"))
    courier = Courier(ob, route="direct", chunk_size=256 * 1024, backoff=FAST)
    result: list[object] = []
    worker = threading.Thread(target=lambda: result.append(
        courier.run(threading.Event(), max_wait=60)))
    worker.start()
    try:
        relay.wait_bytes_up(int(1.5 * MiB), 30)
        server.stop(signal.SIGKILL)
        relay.rate = None
        server, _ = start_inbox(root, port)
        worker.join(90)
        assert not worker.is_alive()
        assert inbox_received(root) == [data]
        assert len(_open_uploads(root)) == 1
        assert ob.get(pid).state == "delivered"
        _assert_consistent(ob)
    finally:
        relay.close()
        server.stop()
        ob.close()


def test_connection_cut_mid_chunk(tmp_path: Path) -> None:
    root = tmp_path / "inbox"
    server, url = start_inbox(root)
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    relay = Relay(port, cut_after=int(2.5 * MiB))  # inside the third 1 MiB chunk
    ob = make_outbox(tmp_path / "data")
    pid, data = add_part(ob, os.urandom(4 * MiB),
                         Destination("tus", f"http://127.0.0.1:{relay.port}/files/"))
    try:
        courier = Courier(ob, route="direct", chunk_size=MiB, backoff=FAST)
        first = courier.deliver_due(threading.Event())
        assert pid in first.retrying  # the cut is a network error: pause and retry
        info = ob.get(pid)
        assert info.state == "queued" and info.sent == 2 * MiB
        report = courier.run(threading.Event(), max_wait=30)
        assert report.delivered == [pid], (report, ob.parts())
        assert inbox_received(root) == [data]
        assert len(_open_uploads(root)) == 1
        _assert_consistent(ob)
    finally:
        relay.close()
        server.stop()
        ob.close()


def _limit_file_size() -> None:
    # A "disk" that fills at 1 MiB: writes past it fail with EFBIG (Python ignores SIGXFSZ).
    resource.setrlimit(resource.RLIMIT_FSIZE, (MiB, MiB))


def test_full_disk_at_the_inbox_pauses_then_resumes_without_corruption(tmp_path: Path) -> None:
    root = tmp_path / "inbox"
    port = free_port()
    server, url = start_inbox(root, port, preexec=_limit_file_size)
    ob = make_outbox(tmp_path / "data")
    pid, data = add_part(ob, os.urandom(3 * MiB), Destination("tus", url))
    try:
        courier = Courier(ob, route="direct", chunk_size=384 * 1024, backoff=FAST)
        report = courier.deliver_due(threading.Event())
        assert report.retrying[pid].startswith("The receiving server is out of space")
        info = ob.get(pid)
        assert info.state == "queued" and info.sent == 2 * 384 * 1024
        # The server rolled the failed write back: its bytes are exactly the prefix it reports.
        [upload] = _open_uploads(root)
        assert (upload / "data").read_bytes() == data[: info.sent]
        assert ob.part_path(pid).read_bytes() == data
        server.stop()
        server, _ = start_inbox(root, port)  # space was freed
        report = courier.run(threading.Event(), max_wait=30)
        assert report.delivered == [pid]
        assert inbox_received(root) == [data]
        assert len(_open_uploads(root)) == 1
    finally:
        server.stop()
        ob.close()


def test_inbox_quota_answers_507_and_keeps_nothing(tmp_path: Path) -> None:
    root = tmp_path / "inbox"
    server, url = start_inbox(root, 0, "--max-disk", str(2 * MiB))
    ob = make_outbox(tmp_path / "data")
    pid, data = add_part(ob, os.urandom(3 * MiB), Destination("tus", url))
    try:
        report = Courier(ob, route="direct").deliver_due(threading.Event())
        assert pid in report.retrying
        info = ob.get(pid)
        assert info.state == "queued" and info.reason is not None and "out of space" in info.reason
        assert ob.resume(pid) is None and _open_uploads(root) == []
        assert ob.part_path(pid).read_bytes() == data
    finally:
        server.stop()
        ob.close()


def test_part_above_the_inbox_size_limit_fails_permanently(tmp_path: Path) -> None:
    root = tmp_path / "inbox"
    server, url = start_inbox(root, 0, "--max-size", str(MiB))
    ob = make_outbox(tmp_path / "data")
    pid, _ = add_part(ob, os.urandom(MiB + 1), Destination("tus", url))
    try:
        report = Courier(ob, route="direct").deliver_due(threading.Event())
        assert report.failed[pid] == "This part is too large for the destination."
        assert ob.get(pid).state == "failed" and ob.part_path(pid).exists()
        assert _open_uploads(root) == []
    finally:
        server.stop()
        ob.close()


class _GarbageServer:
    """Answers every connection with the same fixed bytes, whatever was asked."""

    def __init__(self, answer: bytes) -> None:
        self.answer = answer
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    conn.recv(65536)
                    conn.sendall(self.answer)
                except OSError:
                    pass

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()


@pytest.fixture(params=[
    b"\x00\xffnot http at all\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
    b"HTTP/1.1 201 Created\r\nLocation: http://198.51.100.7/files/x\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n",
])
def garbage(request: pytest.FixtureRequest) -> Iterator[_GarbageServer]:
    server = _GarbageServer(request.param)
    yield server
    server.close()


def test_a_server_answering_garbage_leaves_the_part_queued(tmp_path: Path,
                                                           garbage: _GarbageServer) -> None:
    ob = make_outbox(tmp_path / "data")
    pid, data = add_part(ob, os.urandom(1000),
                         Destination("tus", f"http://127.0.0.1:{garbage.port}/files/"))
    report = Courier(ob, route="direct").deliver_due(threading.Event())
    assert pid in report.retrying
    info = ob.get(pid)
    assert info.state == "queued" and info.attempts == 1 and info.next_try > 0
    assert ob.resume(pid) is None  # nothing off-origin or unparsable was kept
    assert ob.part_path(pid).read_bytes() == data
    ob.close()
