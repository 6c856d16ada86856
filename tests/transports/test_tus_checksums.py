"""The tus checksum extension between our client and real servers on loopback: the client
picks crc32 when the server offers it and sha1 when that is all it offers, sends the right
value for every chunk, and a chunk damaged on the way is refused with 460, sent again,
and never stored."""

from __future__ import annotations

import base64
import hashlib
import os
import sys
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from submitter.transports.base import SendJob, no_progress
from submitter.transports.tus import TusTransport, pick_checksum
from tests.transports.checksum_relay import ChecksumRelay
from tests.transports.netpeers import REPO, Proc, spawn, start_inbox, start_tus_node

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


def _expected_value(algorithm: str, chunk: bytes) -> str:
    if algorithm == "crc32":
        digest = zlib.crc32(chunk).to_bytes(4, "big")
    else:
        digest = hashlib.sha1(chunk).digest()
    return f"{algorithm} {base64.b64encode(digest).decode()}"


def _send(url: str, part: Path) -> None:
    job = SendJob("p", part, part.stat().st_size, "n")
    TusTransport(url, chunk_size=CHUNK).send(job, no_progress, threading.Event())


def _received(root: Path) -> list[bytes]:
    return [p.read_bytes() for p in sorted((root / "received").glob("*/part"))]


def test_preference_is_cheapest_first_and_only_what_we_implement() -> None:
    assert pick_checksum(frozenset({"sha1", "crc32", "md5"})) == "crc32"
    assert pick_checksum(frozenset({"sha256", "sha1"})) == "sha1"
    assert pick_checksum(frozenset({"md5", "sha256", "crc32c"})) is None
    assert pick_checksum(frozenset()) is None


def test_client_picks_the_cheapest_offered_and_checks_every_chunk(
        tmp_path: Path, inbox: tuple[str, str, Path]) -> None:
    offered, url, root = inbox
    data = os.urandom(3 * CHUNK + 5)
    part = tmp_path / "part"
    part.write_bytes(data)
    with httpx.Client(trust_env=False) as client:
        opts = TusTransport(url).options(client)
    assert opts.checksum_algorithms == frozenset(offered.split(","))
    algorithm = offered.split(",")[0]
    relay = ChecksumRelay(int(httpx.URL(url).port or 0))
    try:
        _send(relay.url(url), part)
    finally:
        relay.close()
    chunks = [data[i:i + CHUNK] for i in range(0, len(data), CHUNK)]
    assert relay.checksum_headers() == [_expected_value(algorithm, c) for c in chunks]
    assert _received(root) == [data]


def test_damaged_chunk_is_refused_resent_and_never_stored(
        tmp_path: Path, inbox: tuple[str, str, Path]) -> None:
    offered, url, root = inbox
    data = os.urandom(2 * CHUNK + 9)
    part = tmp_path / "part"
    part.write_bytes(data)
    relay = ChecksumRelay(int(httpx.URL(url).port or 0), corrupt_first_patch=True)
    try:
        _send(relay.url(url), part)
    finally:
        relay.close()
    assert relay.flipped
    statuses = relay.statuses()
    assert statuses.count(460) == 1
    # The damaged first chunk went twice, with the same (right) checksum each time.
    algorithm = offered.split(",")[0]
    first = _expected_value(algorithm, data[:CHUNK])
    assert relay.checksum_headers()[:2] == [first, first]
    assert _received(root) == [data]


def test_client_sends_no_checksum_to_a_server_without_the_extension(
        tmp_path: Path) -> None:
    store = tmp_path / "tus-files"
    store.mkdir()
    proc, url = start_tus_node(store)
    try:
        data = os.urandom(2 * CHUNK + 1)
        part = tmp_path / "part"
        part.write_bytes(data)
        relay = ChecksumRelay(int(httpx.URL(url).port or 0))
        try:
            _send(relay.url(url), part)
        finally:
            relay.close()
        assert relay.checksum_headers() == []
        stored = [p.read_bytes() for p in store.iterdir() if not p.name.endswith(".json")]
        assert stored == [data]
    finally:
        proc.stop()
