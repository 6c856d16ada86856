"""Delivery transports: an explicit registry from a destination kind to its factory.

A factory takes ``(target, proxy, chunk_size)`` and returns a ``Transport``
(see ``base``). Kinds: ``folder`` (a folder or USB stick), ``tus`` (a tus 1.0
server such as ``submitter inbox serve``), ``onionshare`` (an OnionShare share
in receive mode).
"""

from __future__ import annotations

from collections.abc import Callable

from submitter.transports.base import Transport
from submitter.transports.errors import UnknownTransportError
from submitter.transports.folder import make_folder
from submitter.transports.onionshare import make_onionshare
from submitter.transports.proxy import ProxyConfig
from submitter.transports.tus import make_tus

TransportFactory = Callable[[str, ProxyConfig | None, int | None], Transport]

REGISTRY: dict[str, TransportFactory] = {
    "folder": make_folder,
    "tus": make_tus,
    "onionshare": make_onionshare,
}


def make_transport(kind: str, target: str, proxy: ProxyConfig | None,
                   chunk_size: int | None = None) -> Transport:
    factory = REGISTRY.get(kind)
    if factory is None:
        raise UnknownTransportError("unknown kind")
    return factory(target, proxy, chunk_size)
