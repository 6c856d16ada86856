"""The tus checksum extension between our client and real servers on loopback: the client
picks crc32 when the server offers it and sha1 when that is all it offers, sends the right
value for every chunk, and a chunk damaged on the way is refused with 460, sent again,
and never stored."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from submitter.transports.base import SendJob, no_progress
from submitter.transports.tus import TusTransport, pick_checksum
from tests.transports.checksum_relay import ChecksumRelay, upload_checksum
from tests.transports.netpeers import (
    REPO,
    Proc,
    inbox_received,
    spawn,
    start_inbox,
    start_tus_node,
)

MiB = 1024 * 1024
CHUNK = MiB


def _start_server(kind: str, root: Path) -> tuple[Proc, str]:
    if kind == "crc32,sha1":
        return start_inbox(root)  # the shipped default
    proc = spawn([sys.executable, "-m", "tests.inbox.limited_inbox", str(root), kind], cwd=REPO)
    return proc, proc.wait_line(r"listening on (http://\S+)").group(1)


@pytest.fixture(params=["crc32,sha1", "sha1"])
def inbox(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    root = tmp_path / "inbox"
    proc, url = _start_server(request.param, root)
    yield request.param, url, root
    proc.stop()


def _write_part(tmp_path: Path, size: int) -> tuple[bytes, Path]:
    data = os.urandom(size)
    part = tmp_path / "part"
    part.write_bytes(data)
    return data, part


def _send_through_relay(url: str, part: Path, *, corrupt_first_patch: bool = False
                        ) -> ChecksumRelay:
    """Send ``part`` with our client through a ChecksumRelay in front of ``url``; the
    relay, closed, is returned with its record of the exchange."""
    relay = ChecksumRelay(int(httpx.URL(url).port or 0), corrupt_first_patch=corrupt_first_patch)
    try:
        job = SendJob("p", part, part.stat().st_size, "n")
        TusTransport(relay.url(url), chunk_size=CHUNK).send(job, no_progress, threading.Event())
    finally:
        relay.close()
    return relay


def test_preference_is_cheapest_first_and_only_what_we_implement() -> None:
    assert pick_checksum(frozenset({"sha1", "crc32", "md5"})) == "crc32"
    assert pick_checksum(frozenset({"sha256", "sha1"})) == "sha1"
    assert pick_checksum(frozenset({"md5", "sha256", "crc32c"})) is None
    assert pick_checksum(frozenset()) is None


def test_client_picks_the_cheapest_offered_and_checks_every_chunk(
        tmp_path: Path, inbox: tuple[str, str, Path]) -> None:
    offered, url, root = inbox
    data, part = _write_part(tmp_path, 3 * CHUNK + 5)
    with httpx.Client(trust_env=False) as client:
        opts = TusTransport(url).options(client)
    assert opts.checksum_algorithms == frozenset(offered.split(","))
    algorithm = offered.split(",")[0]
    relay = _send_through_relay(url, part)
    chunks = [data[i:i + CHUNK] for i in range(0, len(data), CHUNK)]
    assert relay.checksum_headers() == [upload_checksum(algorithm, c) for c in chunks]
    assert inbox_received(root) == [data]


def test_damaged_chunk_is_refused_resent_and_never_stored(
        tmp_path: Path, inbox: tuple[str, str, Path]) -> None:
    offered, url, root = inbox
    data, part = _write_part(tmp_path, 2 * CHUNK + 9)
    relay = _send_through_relay(url, part, corrupt_first_patch=True)
    assert relay.flipped
    statuses = relay.statuses()
    assert statuses.count(460) == 1
    # The damaged first chunk went twice, with the same (right) checksum each time.
    algorithm = offered.split(",")[0]
    first = upload_checksum(algorithm, data[:CHUNK])
    assert relay.checksum_headers()[:2] == [first, first]
    assert inbox_received(root) == [data]


def test_client_sends_no_checksum_to_a_server_without_the_extension(
        tmp_path: Path) -> None:
    store = tmp_path / "tus-files"
    store.mkdir()
    proc, url = start_tus_node(store)
    try:
        data, part = _write_part(tmp_path, 2 * CHUNK + 1)
        relay = _send_through_relay(url, part)
        assert relay.checksum_headers() == []
        stored = [p.read_bytes() for p in store.iterdir() if not p.name.endswith(".json")]
        assert stored == [data]
    finally:
        proc.stop()
