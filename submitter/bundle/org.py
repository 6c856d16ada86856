"""Adapter to the keys work: from ``--to`` (a card file or a pinned name) to recipients.

The only module of the bundle code that knows the card and pin-store API, so
a change there touches one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crypto.card import Card, OnionShareEndpoint, TusEndpoint, parse_card
from crypto.pins import ImportStatus, PinStore
from crypto.recipients import parse_recipient
from crypto.recipients.base import Recipient
from submitter.errors import SubmitterError
from submitter.outbox.queue import Destination

MAX_CARD_FILE = 256 * 1024


class UnknownOrganisationError(SubmitterError):
    message = (
        "No pinned organisation has that name, and no card file is at that path. "
        "Import the organisation's card first, or give the card file."
    )


class CardFileUnreadableError(SubmitterError):
    message = "The card file could not be read."


@dataclass(frozen=True, slots=True)
class Organisation:
    name: str  # untrusted text from the card: sanitise before display
    recipients: tuple[Recipient, ...]
    destination: Destination | None  # first network endpoint, if any
    newly_pinned: bool
    card: Card


def _destination(card: Card) -> Destination | None:
    for ep in card.endpoints:
        if isinstance(ep, TusEndpoint):
            return Destination("tus", ep.url, card.name)
        if isinstance(ep, OnionShareEndpoint):
            return Destination("onionshare", f"http://{ep.address}/", card.name)
    return None  # drop notes only: the source carries the parts by hand


def resolve(to: str, pins: PinStore) -> Organisation:
    """A card file (verified, and pinned if new) or the name of a pinned organisation."""
    path = Path(to)
    newly = False
    if path.is_file():
        try:
            with open(path, "rb") as fh:
                untrusted = fh.read(MAX_CARD_FILE + 1)
        except OSError as exc:
            raise CardFileUnreadableError(type(exc).__name__) from exc
        result = pins.import_card(parse_card(untrusted))
        card = result.org.card
        newly = result.status is ImportStatus.NEW
    else:
        pin = pins.get(to)
        if pin is None:
            raise UnknownOrganisationError()
        card = pin.card
    card.check_usable()
    recipients = tuple(parse_recipient(r) for r in card.recipients)
    return Organisation(card.name, recipients, _destination(card), newly, card)
