"""SOCKS5 with remote DNS (``socks5h``), as Tor's SOCKS port expects, and Tor detection.

Every HTTP client of the transports is built here. When a proxy is set, the
client has exactly one transport, through that proxy, and ``trust_env`` is off,
so no environment variable, no .netrc and no local DNS lookup sends anything
elsewhere: host names travel to the proxy unresolved. ``.onion`` targets
without a proxy are refused before any connection is made.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from submitter.transports.errors import (
    DestinationInvalidError,
    OnionNeedsProxyError,
    ProxyInvalidError,
)

TOR_PORTS: tuple[int, ...] = (9050, 9150)  # tor daemon, Tor Browser


@dataclass(frozen=True)
class ProxyConfig:
    """A SOCKS5 proxy that resolves names itself (socks5h://host:port)."""

    host: str
    port: int

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"socks5h://{host}:{self.port}"

    @classmethod
    def parse(cls, untrusted_url: str) -> ProxyConfig:
        parts = urlsplit(untrusted_url.strip())
        # Plain socks5:// would resolve names locally, leaking them outside Tor.
        if parts.scheme != "socks5h" or parts.username or parts.password:
            raise ProxyInvalidError("scheme must be socks5h")
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise ProxyInvalidError("unexpected path")
        try:
            port = parts.port
        except ValueError as exc:
            raise ProxyInvalidError("bad port") from exc
        if not parts.hostname or port is None or not 0 < port < 65536:
            raise ProxyInvalidError("host and port are required")
        return cls(parts.hostname, port)


def _speaks_socks5(host: str, port: int, timeout: float) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            sock.sendall(b"\x05\x01\x00")  # version 5, one method: no authentication
            answer = sock.recv(2)
    except OSError:
        return False
    return answer == b"\x05\x00"


def detect_tor(
    host: str = "127.0.0.1", ports: tuple[int, ...] = TOR_PORTS, timeout: float = 1.0
) -> ProxyConfig | None:
    """The first of Tor's usual SOCKS ports on this machine that answers as SOCKS5."""
    for port in ports:
        if _speaks_socks5(host, port, timeout):
            return ProxyConfig(host, port)
    return None


def is_onion(host: str) -> bool:
    return host.lower().rstrip(".").endswith(".onion")


def check_target_url(untrusted_url: str, proxy: ProxyConfig | None) -> httpx.URL:
    """Validate an http(s) target; refuse .onion without a proxy."""
    try:
        url = httpx.URL(untrusted_url.strip())
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise DestinationInvalidError("unparsable URL") from exc
    if url.scheme not in ("http", "https") or not url.host or url.userinfo:
        raise DestinationInvalidError("need http(s)://host[:port]/path")
    if is_onion(url.host) and proxy is None:
        raise OnionNeedsProxyError()
    return url


def make_client(proxy: ProxyConfig | None, *, timeout: float = 60.0) -> httpx.Client:
    """The only way transports get an HTTP client."""
    timeouts = httpx.Timeout(timeout, connect=min(timeout, 30.0))
    if proxy is None:
        transport = httpx.HTTPTransport(retries=0)
    else:
        transport = httpx.HTTPTransport(proxy=httpx.Proxy(proxy.url), retries=0)
    # mounts={} and trust_env=False: no HTTP(S)_PROXY/ALL_PROXY/NO_PROXY from the
    # environment can add a second route around the proxy.
    return httpx.Client(
        transport=transport,
        mounts={},
        trust_env=False,
        timeout=timeouts,
        follow_redirects=False,
        headers={"User-Agent": "tus-client"},
    )


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
