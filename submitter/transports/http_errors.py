"""Turn httpx's exceptions and HTTP statuses into our delivery errors (httpx types stop here)."""

from __future__ import annotations

import httpx

from submitter.transports.errors import (
    DeliveryError,
    NetworkUnavailableError,
    PartRejectedError,
    PartTooLargeError,
    ProxyUnavailableError,
    ServerBusyError,
    ServerProtocolError,
    ServerStorageFullError,
)
from submitter.transports.proxy import ProxyConfig


def from_httpx(exc: httpx.HTTPError, proxy: ProxyConfig | None) -> DeliveryError:
    kind = type(exc).__name__
    if isinstance(exc, httpx.ProxyError):
        return ProxyUnavailableError(kind)
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout) and proxy is not None:
        # With a proxy, a failed connect is a failed connect to the proxy (or the
        # proxy failing to reach the target); either way Tor is the thing to wait for.
        return ProxyUnavailableError(kind)
    if isinstance(exc, httpx.RemoteProtocolError | httpx.DecodingError | httpx.LocalProtocolError):
        return ServerProtocolError(kind)
    return NetworkUnavailableError(kind)


def from_status(status: int) -> DeliveryError:
    if status == 413:
        return PartTooLargeError("HTTP 413")
    if status == 507:
        return ServerStorageFullError("HTTP 507")
    if status in (408, 423, 425, 429) or 500 <= status <= 599:
        return ServerBusyError(f"HTTP {status}")
    if 400 <= status <= 499:
        return PartRejectedError(f"HTTP {status}")
    return ServerProtocolError(f"HTTP {status}")
