"""Recipient types: the one agility point of the age format.

Each type lives in its own module and registers a parser here explicitly, so a
frozen app finds every type without import magic. Prefixes are matched
case-insensitively, longest first ("age1pq1" before "age1").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from crypto.errors import KeyFormatError, RecipientMixError
from crypto.recipients import mlkem768x25519
from crypto.recipients.base import Identity, Recipient
from crypto.recipients.x25519 import X25519Identity, X25519Recipient

_T = TypeVar("_T")

RECIPIENT_PARSERS: dict[str, Callable[[str], Recipient]] = {
    "age1": X25519Recipient.parse,
    "age1pq1": mlkem768x25519.parse_recipient,
}
IDENTITY_PARSERS: dict[str, Callable[[str], Identity]] = {
    "AGE-SECRET-KEY-1": X25519Identity.parse,
    "AGE-SECRET-KEY-PQ-1": mlkem768x25519.parse_identity,
}


def _dispatch(text: str, parsers: Mapping[str, Callable[[str], _T]], what: str) -> _T:
    text = text.strip()
    folded = text.lower()
    for prefix in sorted(parsers, key=len, reverse=True):
        if folded.startswith(prefix.lower()):
            return parsers[prefix](text)
    raise KeyFormatError(f"unknown {what} type")


def parse_recipient(text: str) -> Recipient:
    """Parse an ``age1...`` style recipient string."""
    return _dispatch(text, RECIPIENT_PARSERS, "recipient")


def parse_identity(text: str) -> Identity:
    """Parse an ``AGE-SECRET-KEY-...`` style identity string."""
    return _dispatch(text, IDENTITY_PARSERS, "identity")


def check_mix(recipients: Iterable[Recipient]) -> None:
    """Refuse an empty list, or recipients whose labels differ (scrypt, PQ vs classic)."""
    items = list(recipients)
    if not items:
        raise RecipientMixError("no recipients")
    first = items[0].labels()
    for other in items[1:]:
        if other.labels() != first:
            raise RecipientMixError("recipients with different labels cannot share a file")


__all__ = [
    "IDENTITY_PARSERS",
    "RECIPIENT_PARSERS",
    "Identity",
    "Recipient",
    "check_mix",
    "parse_identity",
    "parse_recipient",
]
