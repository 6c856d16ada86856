"""The source's pinned organisations: trust on first use, sealed at rest.

The first card imported for an organisation pins its signing key. Later
cards must be signed by that key (rotation: newer card, same key), or carry a
hand-over signed by it; a card with another key that claims the same name or
website is refused loudly (``PinMismatchError``).

At rest the whole list is one blob sealed with the ``StateKey``, padded to a
size bucket, so a seized laptop shows neither which organisations are pinned
nor how many: no name, website, recipient or fingerprint is in plaintext.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crypto.card import Card, CardError, parse_card
from crypto.errors import CryptoError
from crypto.fingerprint import Fingerprint
from crypto.statekey import StateKey, StateKeyError, overwrite_and_remove, write_private_file

_AAD = b"submitter pin store v1"
_STORE_VERSION = 1
_MIN_BUCKET = 64 * 1024
_MAX_PLAINTEXT = 16 * 1024 * 1024
MAX_PINS = 64


class PinMismatchError(CardError):
    message = (
        "This card is signed by a different key than the one you trusted before for "
        "this organisation. It may be forged. Do not use it: contact the organisation "
        "another way and compare the fingerprint."
    )


class CardRollbackError(CardError):
    message = (
        "This card is older than the one you already have for this organisation. "
        "Keep using the newer one."
    )


class PinStoreError(CryptoError):
    message = (
        "The list of trusted organisations could not be opened: it is damaged, "
        "or the key or passphrase is wrong."
    )


class PinStoreFullError(CryptoError):
    message = "You have pinned too many organisations. Remove one you no longer use."


class ImportStatus(enum.Enum):
    NEW = "new"  # first card from this key: pinned now (compare the fingerprint!)
    UPDATED = "updated"  # a newer card signed by the pinned key replaced the old one
    UNCHANGED = "unchanged"  # the very same card again
    HANDED_OVER = "handed-over"  # the pinned key signed the hand-over to this card's key


@dataclass(frozen=True, slots=True)
class PinnedOrg:
    card: Card
    pinned_on: dt.date
    previous_keys: tuple[str, ...] = ()  # earlier signing keys, oldest first

    @property
    def name(self) -> str:
        return self.card.name

    @property
    def fingerprint(self) -> Fingerprint:
        return self.card.fingerprint()

    def matches(self, query: str) -> bool:
        """Name (case-insensitive), signing key, or fingerprint (hex, words, digits)."""
        q = " ".join(query.split())
        if not q:
            return False
        fp = self.fingerprint
        digits = "".join(ch for ch in q if ch.isdigit())
        return (
            q.casefold() == self.name.casefold()
            or q == str(self.card.signing_key)
            or q.lower() == fp.hex
            or fp.matches_words(q)
            or (len(digits) == len(q.replace(" ", "")) and fp.matches_digits(q))
        )


@dataclass(frozen=True, slots=True)
class ImportResult:
    status: ImportStatus
    org: PinnedOrg
    replaced: PinnedOrg | None = None


def _same_org_claim(a: Card, b: Card) -> bool:
    if a.name.casefold() == b.name.casefold():
        return True
    return a.website is not None and b.website is not None and (
        a.website.rstrip("/").casefold() == b.website.rstrip("/").casefold()
    )


class PinStore:
    def __init__(self, path: Path, key: StateKey) -> None:
        self._path = Path(path)
        self._key = key

    # -- reading and writing the sealed blob --

    def _load(self) -> list[PinnedOrg]:
        try:
            sealed = self._path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise PinStoreError("unreadable") from exc
        if len(sealed) > _MAX_PLAINTEXT + 1024:
            raise PinStoreError("too large")
        try:
            padded = self._key.open(sealed, aad=_AAD)
        except StateKeyError as exc:
            raise PinStoreError("does not authenticate") from exc
        (length,) = struct.unpack_from(">I", padded)
        try:
            doc = json.loads(padded[4 : 4 + length].decode("utf-8"))
            if doc["v"] != _STORE_VERSION:
                raise PinStoreError("unknown store version")
            return [self._entry(e) for e in doc["pins"]]
        except (ValueError, KeyError, TypeError, CardError) as exc:
            raise PinStoreError(type(exc).__name__) from exc

    @staticmethod
    def _entry(entry: dict[str, Any]) -> PinnedOrg:
        # Our own sealed data, but cards are re-verified anyway: cheap, and a
        # bug elsewhere cannot smuggle an unsigned card in.
        card = parse_card(entry["card"], check_expiry=False)
        return PinnedOrg(
            card=card,
            pinned_on=dt.date.fromisoformat(entry["pinned_on"]),
            previous_keys=tuple(str(k) for k in entry["previous_keys"]),
        )

    def _save(self, pins: list[PinnedOrg]) -> None:
        doc = {
            "v": _STORE_VERSION,
            "pins": [
                {
                    "card": p.card.armored(),
                    "pinned_on": p.pinned_on.isoformat(),
                    "previous_keys": list(p.previous_keys),
                }
                for p in pins
            ],
        }
        body = json.dumps(doc, ensure_ascii=False, sort_keys=True).encode("utf-8")
        raw = struct.pack(">I", len(body)) + body
        # Pad to a power-of-two bucket (at least 64 KiB): the file size says
        # little about how many organisations are pinned.
        bucket = _MIN_BUCKET
        while bucket < len(raw):
            bucket *= 2
        write_private_file(self._path, self._key.seal(raw + bytes(bucket - len(raw)), aad=_AAD))

    # -- public API --

    def pins(self) -> list[PinnedOrg]:
        return self._load()

    def get(self, name_or_fingerprint: str) -> PinnedOrg | None:
        for pin in self._load():
            if pin.matches(name_or_fingerprint):
                return pin
        return None

    def remove(self, name_or_fingerprint: str) -> bool:
        pins = self._load()
        kept = [p for p in pins if not p.matches(name_or_fingerprint)]
        if len(kept) == len(pins):
            return False
        self._save(kept)
        return True

    def import_text(self, untrusted: str | bytes, *, today: dt.date | None = None) -> ImportResult:
        return self.import_card(parse_card(untrusted, today=today), today=today)

    def import_card(self, card: Card, *, today: dt.date | None = None) -> ImportResult:
        """Pin a verified card, replace an older one, or refuse with a typed error."""
        day = today or dt.datetime.now(dt.UTC).date()
        card.check_usable(day)
        pins = self._load()
        for i, pin in enumerate(pins):
            if pin.card.signing_key != card.signing_key:
                continue
            if card.issued < pin.card.issued:
                raise CardRollbackError("older issue date")
            if card.to_bytes() == pin.card.to_bytes():
                return ImportResult(ImportStatus.UNCHANGED, pin)
            new = PinnedOrg(card, pin.pinned_on, pin.previous_keys)
            pins[i] = new
            self._save(pins)
            return ImportResult(ImportStatus.UPDATED, new, pin)
        if card.handover is not None:
            for i, pin in enumerate(pins):
                if pin.card.signing_key == card.handover.old_key:
                    new = PinnedOrg(
                        card, pin.pinned_on, (*pin.previous_keys, str(pin.card.signing_key))
                    )
                    pins[i] = new
                    self._save(pins)
                    return ImportResult(ImportStatus.HANDED_OVER, new, pin)
        for pin in pins:
            if _same_org_claim(pin.card, card):
                raise PinMismatchError("different signing key for a pinned organisation")
        if str(card.signing_key) in {k for p in pins for k in p.previous_keys}:
            # A key that was handed over must not come back as a fresh pin.
            raise PinMismatchError("signing key was retired by a hand-over")
        if len(pins) >= MAX_PINS:
            raise PinStoreFullError(str(len(pins)))
        new = PinnedOrg(card, day)
        pins.append(new)
        self._save(pins)
        return ImportResult(ImportStatus.NEW, new)

    def wipe(self) -> None:
        """Overwrite and delete the file (the state key's destroy does the rest)."""
        overwrite_and_remove(self._path)


__all__ = [
    "CardRollbackError",
    "ImportResult",
    "ImportStatus",
    "PinMismatchError",
    "PinStore",
    "PinStoreError",
    "PinStoreFullError",
    "PinnedOrg",
]
