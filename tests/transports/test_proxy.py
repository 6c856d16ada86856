"""SOCKS5h through a real proxy (Debian's microsocks) standing in for Tor's SOCKS port."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from submitter.outbox import Backoff, Courier, Destination
from submitter.transports.errors import OnionNeedsProxyError, ProxyInvalidError
from submitter.transports.proxy import ProxyConfig, check_target_url, detect_tor
from tests.transports.netpeers import (
    Relay,
    add_part,
    free_port,
    inbox_received,
    make_outbox,
    start_inbox,
    start_microsocks,
    start_onionshare,
)

MiB = 1024 * 1024
PROXY_OUT = "127.0.0.2"  # microsocks binds its outgoing connections here (-b)


@pytest.fixture
def inbox_behind_relay(tmp_path: Path) -> Iterator[tuple[Relay, Path]]:
    root = tmp_path / "inbox"
    proc, url = start_inbox(root)
    relay = Relay(int(url.rsplit(":", 1)[1].split("/")[0]))
    yield relay, root
    relay.close()
    proc.stop()


@pytest.fixture
def socks_proxy() -> Iterator[int]:
    """microsocks standing in for a running Tor: its port. Its outgoing connections
    come from PROXY_OUT, so the relay in front of the inbox can tell them apart."""
    port = free_port()
    proc = start_microsocks(port, bind_out=PROXY_OUT)
    yield port
    proc.stop()


def test_proxy_setting_must_be_socks5h() -> None:
    assert ProxyConfig.parse("socks5h://127.0.0.1:9050") == ProxyConfig("127.0.0.1", 9050)
    assert ProxyConfig("::1", 9150).url == "socks5h://[::1]:9150"
    for bad in ("socks5://127.0.0.1:9050", "http://127.0.0.1:8080", "socks5h://127.0.0.1",
                "socks5h://user:pw@127.0.0.1:9050", "socks5h://127.0.0.1:99999"):
        with pytest.raises(ProxyInvalidError):
            ProxyConfig.parse(bad)


def test_onion_without_proxy_is_refused_before_any_connection(tmp_path: Path) -> None:
    with pytest.raises(OnionNeedsProxyError):
        check_target_url("http://abcdefghijklmnop.onion/files/", None)
    ob = make_outbox(tmp_path)
    pid, _ = add_part(ob, b"x" * 10, Destination("tus", "http://abcdefghijklmnop.onion/files/"))
    report = Courier(ob, route="direct").deliver_due(threading.Event())
    assert report.failed[pid].startswith("An .onion address can only be reached through Tor")
    ob.close()


def test_tor_is_detected_on_a_socks_port() -> None:
    port, silent = free_port(), free_port()
    proc = start_microsocks(port)
    try:
        assert detect_tor(ports=(silent, port)) == ProxyConfig("127.0.0.1", port)
    finally:
        proc.stop()
    assert detect_tor(ports=(silent, port)) is None


def test_all_traffic_passes_through_the_proxy_with_remote_dns(
        tmp_path: Path, inbox_behind_relay: tuple[Relay, Path], socks_proxy: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    relay, root = inbox_behind_relay
    lookups: list[object] = []
    real_getaddrinfo = socket.getaddrinfo

    def recording_getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        lookups.append(host)
        return real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", recording_getaddrinfo)
    ob = make_outbox(tmp_path / "data")
    # "localhost" is resolved by the proxy (socks5h), never by us.
    pid, data = add_part(ob, os.urandom(3 * MiB),
                         Destination("tus", f"http://localhost:{relay.port}/files/"))
    report = Courier(ob, route=ProxyConfig("127.0.0.1", socks_proxy),
                     chunk_size=MiB).deliver_due(threading.Event())
    assert report.delivered == [pid]
    assert inbox_received(root) == [data]
    # Every connection that reached the server came out of the proxy.
    assert relay.connections >= 1
    assert set(relay.peers) == {PROXY_OUT}
    assert "localhost" not in lookups
    ob.close()


def test_with_the_proxy_down_delivery_waits_and_never_goes_direct(
        tmp_path: Path, inbox_behind_relay: tuple[Relay, Path]) -> None:
    relay, root = inbox_behind_relay
    port = free_port()  # nothing listens here yet: "Tor is not running"
    ob = make_outbox(tmp_path / "data")
    pid, data = add_part(ob, os.urandom(MiB), Destination("tus",
                                                          f"http://127.0.0.1:{relay.port}/files/"))
    courier = Courier(ob, route=ProxyConfig("127.0.0.1", port), backoff=Backoff(base=0.05, cap=0.2))
    report = courier.deliver_due(threading.Event())
    assert report.retrying[pid] == (
        "The Tor connection is not available. Sending will wait and try again.")
    info = ob.get(pid)
    assert (info.state, info.attempts) == ("queued", 1)
    assert ob.part_path(pid).read_bytes() == data
    assert relay.connections == 0  # no direct connection was made
    # "auto" finds no Tor on the given ports and waits as well.
    auto = Courier(ob, route="auto", tor_ports=(port,), backoff=Backoff(base=0.05, cap=0.2))
    result = auto.run(threading.Event(), max_wait=0.5)
    assert pid in result.retrying and relay.connections == 0
    assert ob.get(pid).attempts >= 2
    # Tor comes up: the waiting part goes through it.
    proc = start_microsocks(port, bind_out=PROXY_OUT)
    try:
        report = auto.run(threading.Event(), max_wait=20)
        assert report.delivered == [pid]
        assert set(relay.peers) == {PROXY_OUT}
        assert inbox_received(root) == [data]
    finally:
        proc.stop()
    ob.close()


def test_proxy_variables_in_the_environment_are_ignored(
        tmp_path: Path, inbox_behind_relay: tuple[Relay, Path], socks_proxy: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    relay, root = inbox_behind_relay
    # A second route offered by the environment must never be taken.
    for name in ("ALL_PROXY", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "http_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "*")
    ob = make_outbox(tmp_path / "data")
    pid, data = add_part(ob, os.urandom(MiB),
                         Destination("tus", f"http://127.0.0.1:{relay.port}/files/"))
    report = Courier(ob, route=ProxyConfig("127.0.0.1", socks_proxy)).deliver_due(
        threading.Event())
    assert report.delivered == [pid]
    assert set(relay.peers) == {PROXY_OUT}  # NO_PROXY=* did not make it go direct
    assert inbox_received(root) == [data]
    ob.close()


def test_onionshare_share_through_the_proxy(tmp_path: Path, socks_proxy: int) -> None:
    """A real OnionShare receive-mode share reached only through the SOCKS proxy,
    with the host name resolved by the proxy: the files arrive byte-identical and
    every connection to the share came out of the proxy."""
    recv = tmp_path / "onionshare-received"
    proc, url = start_onionshare(recv, tmp_path / "home")
    relay = Relay(int(url.rsplit(":", 1)[1]))
    try:
        ob = make_outbox(tmp_path / "data")
        parts = [add_part(ob, os.urandom(n), Destination("onionshare",
                                                         f"http://localhost:{relay.port}"))
                 for n in (1000, 3 * MiB)]
        report = Courier(ob, route=ProxyConfig("127.0.0.1", socks_proxy)).deliver_due(
            threading.Event())
        assert sorted(report.delivered) == sorted(pid for pid, _ in parts)
        got = sorted(p.read_bytes() for p in recv.rglob("*") if p.is_file())
        assert got == sorted(data for _, data in parts)
        assert relay.connections >= 1 and set(relay.peers) == {PROXY_OUT}
        # Delivered: each row forgets where it went and its file is deleted.
        assert {(i.state, i.has_destination) for i in ob.parts()} == {("delivered", False)}
        assert not any(ob.parts_dir.iterdir())
        ob.close()
    finally:
        relay.close()
        proc.stop()
