"""The NGO's inbox server speaking tus 1.0 to a plain HTTP client: every refusal path,
ciphertext-only storage, expiry, and no client addresses in its output."""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from submitter.inbox.store import InboxStore
from tests.transports.checksum_relay import upload_checksum
from tests.transports.netpeers import Proc, inbox_received, start_inbox

TUS = {"Tus-Resumable": "1.0.0"}
PATCH = {**TUS, "Content-Type": "application/offset+octet-stream"}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Proc, str, Path]]:
    root = tmp_path / "inbox"
    proc, url = start_inbox(root, 0, "--max-size", "100000")
    yield proc, url, root
    proc.stop()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False, timeout=10) as c:
        yield c


def _create(client: httpx.Client, url: str, length: int, **extra: str) -> str:
    resp = client.post(url, headers={**TUS, "Upload-Length": str(length), **extra})
    assert resp.status_code == 201, resp
    return str(httpx.URL(url).join(resp.headers["Location"]))


def test_options_advertise_the_extensions(server: tuple[Proc, str, Path],
                                          client: httpx.Client) -> None:
    _, url, _ = server
    resp = client.options(url)
    assert resp.status_code == 204
    assert resp.headers["Tus-Version"] == "1.0.0"
    assert set(resp.headers["Tus-Extension"].split(",")) == {
        "creation", "termination", "checksum", "expiration"}
    assert resp.headers["Tus-Max-Size"] == "100000"
    assert resp.headers["Tus-Checksum-Algorithm"] == "crc32,sha1"  # cheapest first
    assert "server" not in resp.headers and "date" not in resp.headers


def test_creation_refusals(server: tuple[Proc, str, Path], client: httpx.Client) -> None:
    _, url, root = server
    assert client.post(url, headers={"Upload-Length": "10"}).status_code == 412
    assert client.post(url, headers=TUS).status_code == 400
    for bad in ("-1", "1e3", "0x10", "99999999999999999999999", "1 2"):
        assert client.post(url, headers={**TUS, "Upload-Length": bad}).status_code == 400
    assert client.post(url, headers={**TUS, "Upload-Length": "100001"}).status_code == 413
    assert client.post(url, headers={**TUS, "Upload-Defer-Length": "1"}).status_code == 400
    assert list((root / "uploads").iterdir()) == []


def test_upload_in_chunks_with_checksums_lands_in_its_own_folder(
        server: tuple[Proc, str, Path], client: httpx.Client) -> None:
    _, url, root = server
    data = os.urandom(50000)
    name_b64 = base64.b64encode(b"evidence-from-ward-7.mp4").decode()
    up = _create(client, url, len(data), **{"Upload-Metadata": f"filename {name_b64}"})
    head = client.head(up, headers=TUS)
    assert (head.headers["Upload-Offset"], head.headers["Upload-Length"]) == ("0", "50000")
    assert "Upload-Expires" in head.headers
    offset = 0
    for size, algorithm in ((20000, "crc32"), (20000, "sha1"), (10000, "CRC32")):
        chunk = data[offset:offset + size]
        value = upload_checksum(algorithm.lower(), chunk).split()[1]
        resp = client.patch(up, content=chunk, headers={
            **PATCH, "Upload-Offset": str(offset),
            # Algorithm names are matched without regard to case.
            "Upload-Checksum": f"{algorithm} {value}"})
        assert resp.status_code == 204
        offset += size
        assert resp.headers["Upload-Offset"] == str(offset)
    parts = list((root / "received").glob("*/part"))
    assert [p.read_bytes() for p in parts] == [data]
    assert len(parts[0].parent.name) == 32  # a random folder name
    assert client.head(up, headers=TUS).headers["Upload-Offset"] == "50000"
    # The client's metadata is not kept anywhere.
    blob = b"".join(p.read_bytes() for p in root.rglob("*") if p.is_file())
    assert b"evidence" not in blob and name_b64.encode() not in blob
    # A finished upload takes no more bytes.
    assert client.patch(up, content=b"x", headers={**PATCH, "Upload-Offset": "50000"}
                        ).status_code == 409


def test_patch_refusals_leave_stored_bytes_matching_the_offset(
        server: tuple[Proc, str, Path], client: httpx.Client) -> None:
    _, url, root = server
    up = _create(client, url, 1000)
    upload_dir = root / "uploads" / up.rsplit("/", 1)[1]
    assert client.patch(up, content=b"a" * 10, headers={**TUS, "Upload-Offset": "0"}
                        ).status_code == 415
    assert client.patch(up, content=b"a" * 10, headers={**PATCH, "Upload-Offset": "5"}
                        ).status_code == 409
    for algorithm in ("crc32", "sha1"):
        # A right-sized but wrong value: the body did not arrive as sent.
        resp = client.patch(up, content=b"a" * 10, headers={
            **PATCH, "Upload-Offset": "0", "Upload-Checksum": upload_checksum(algorithm, b"other")})
        assert resp.status_code == 460 and resp.headers["Upload-Offset"] == "0"
    crc_of_a = upload_checksum("crc32", b"a" * 10).split()[1]
    for bad in ("md5 AAAA", f"sha256 {crc_of_a}", "crc32", "crc32 !!!!",
                "crc32 AAAAAAAA", f"sha1 {crc_of_a}"):
        # Unoffered algorithm, no value, not base64, wrong digest size: malformed.
        assert client.patch(up, content=b"a" * 10, headers={
            **PATCH, "Upload-Offset": "0", "Upload-Checksum": bad}).status_code == 400, bad
    assert client.patch(up, content=b"a" * 1001, headers={**PATCH, "Upload-Offset": "0"}
                        ).status_code == 413
    assert client.head(up, headers=TUS).headers["Upload-Offset"] == "0"
    assert (upload_dir / "data").read_bytes() == b""
    ok = client.patch(up, content=b"b" * 10, headers={**PATCH, "Upload-Offset": "0"})
    assert ok.status_code == 204 and ok.headers["Upload-Offset"] == "10"
    assert (upload_dir / "data").read_bytes() == b"b" * 10


def test_hostile_ids_and_termination(server: tuple[Proc, str, Path],
                                     client: httpx.Client) -> None:
    _, url, root = server
    for bad in ("..%2f..%2fetc", "ABCDEF", "0" * 31, "0" * 33, "%00"):
        assert client.head(url + bad, headers=TUS).status_code == 404
    assert client.head(url + "0" * 32, headers=TUS).status_code == 404
    up = _create(client, url, 100)
    assert client.delete(up, headers=TUS).status_code == 204
    assert client.head(up, headers=TUS).status_code == 404
    assert list((root / "uploads").iterdir()) == []


def test_no_client_addresses_in_the_servers_output(server: tuple[Proc, str, Path],
                                                   client: httpx.Client) -> None:
    proc, url, _ = server
    up = _create(client, url, 10)
    client.patch(up, content=b"0123456789", headers={**PATCH, "Upload-Offset": "0"})
    client.get(url)
    proc.stop()
    output = "".join(proc.seen) + "".join(proc.lines.queue)
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Inbox listening on")  # nothing per request


def test_abandoned_uploads_expire_but_living_ones_stay(tmp_path: Path) -> None:
    store = InboxStore(tmp_path, max_size=1000, expire_seconds=3600)
    old = store.create(100)
    fresh = store.create(100)
    done = store.create(5)
    with open(store.data_path(done.id), "wb") as fh:
        fh.write(b"12345")
    store.complete(done)
    past = time.time() - 7200
    os.utime(store.data_path(old.id), (past, past))
    assert store.sweep_expired() == 1
    assert store.load(old.id) is None
    assert store.load(fresh.id) is not None
    # A finished part stays for staff even after its record expires.
    assert store.sweep_expired(time.time() + 10 * 3600) == 1
    assert inbox_received(tmp_path) == [b"12345"]


def test_quota_counts_promised_bytes(tmp_path: Path) -> None:
    from submitter.inbox.store import InboxFullError

    store = InboxStore(tmp_path, max_size=1000, expire_seconds=60, max_disk=1500)
    store.create(1000)
    with pytest.raises(InboxFullError):
        store.create(600)
    store.create(500)
    assert json.loads((next(iter((tmp_path / "uploads").iterdir())) / "info.json").read_text())


def test_concurrent_patches_to_one_upload_never_interleave(server: tuple[Proc, str, Path],
                                                           client: httpx.Client) -> None:
    import threading

    _, url, root = server
    up = _create(client, url, 90000)
    bodies = [b"a" * 60000, b"b" * 60000]
    statuses: list[int] = []

    def patch(body: bytes) -> None:
        with httpx.Client(trust_env=False, timeout=20) as c:
            statuses.append(c.patch(up, content=body,
                                    headers={**PATCH, "Upload-Offset": "0"}).status_code)

    threads = [threading.Thread(target=patch, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(statuses) == [204, 409]
    stored = (root / "uploads" / up.rsplit("/", 1)[1] / "data").read_bytes()
    assert stored in bodies


def test_a_sha1_only_inbox_refuses_crc32(tmp_path: Path, client: httpx.Client) -> None:
    import sys

    from tests.transports.netpeers import REPO, spawn

    root = tmp_path / "inbox"
    proc = spawn([sys.executable, "-m", "tests.inbox.limited_inbox", str(root), "sha1"],
                 cwd=REPO)
    try:
        url = proc.wait_line(r"listening on (http://\S+)").group(1)
        assert client.options(url).headers["Tus-Checksum-Algorithm"] == "sha1"
        up = _create(client, url, 10)
        assert client.patch(up, content=b"a" * 10, headers={
            **PATCH, "Upload-Offset": "0", "Upload-Checksum": upload_checksum("crc32", b"a" * 10)}
                            ).status_code == 400
        ok = client.patch(up, content=b"a" * 10, headers={
            **PATCH, "Upload-Offset": "0", "Upload-Checksum": upload_checksum("sha1", b"a" * 10)})
        assert ok.status_code == 204
    finally:
        proc.stop()


def test_checksum_config_must_be_known_and_keep_sha1(tmp_path: Path) -> None:
    from submitter.inbox.server import InboxConfig

    assert InboxConfig(tmp_path).checksum_algorithms == ("crc32", "sha1")
    for bad in (("crc32",), ("sha1", "md5"), ()):
        with pytest.raises(ValueError):
            InboxConfig(tmp_path, checksum_algorithms=bad)
