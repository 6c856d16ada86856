"""Delivery transports: an explicit registry from a destination kind to its factory.

A factory takes ``(target, proxy, chunk_size)`` and returns a ``Transport``
(see ``base``). Kinds: ``folder`` (a folder or USB stick), ``tus`` (a tus 1.0
server such as ``submitter inbox serve``), ``onionshare`` (an OnionShare share
in receive mode).
"""

from __future__ import annotations

from collections.abc import Callable

from submitter.transports.base import Transport
from submitter.transports.errors import PartSizeTooLargeError, UnknownTransportError
from submitter.transports.folder import make_folder
from submitter.transports.onionshare import LARGEST_PLAIN_PART, make_onionshare
from submitter.transports.proxy import ProxyConfig
from submitter.transports.tus import make_tus

TransportFactory = Callable[[str, ProxyConfig | None, int | None], Transport]

REGISTRY: dict[str, TransportFactory] = {
    "folder": make_folder,
    "tus": make_tus,
    "onionshare": make_onionshare,
}

# The largest plaintext part a kind takes in one piece; kinds not listed take any size.
LARGEST_PART: dict[str, int] = {
    "onionshare": LARGEST_PLAIN_PART,
}


def check_part_size(kind: str, part_size: int) -> None:
    """Refuse, before anything is sealed, parts the destination would turn away."""
    largest = LARGEST_PART.get(kind)
    if largest is not None and part_size > largest:
        raise PartSizeTooLargeError(f"{kind}: {part_size} > {largest}")


def make_transport(kind: str, target: str, proxy: ProxyConfig | None,
                   chunk_size: int | None = None) -> Transport:
    factory = REGISTRY.get(kind)
    if factory is None:
        raise UnknownTransportError("unknown kind")
    return factory(target, proxy, chunk_size)
