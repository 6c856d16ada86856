"""The recipient card: an organisation's signed "encrypt to these, deliver here".

Model, canonical encoding, signing and verification, the armored text form,
and hand-over to a new signing key. The byte-exact format is documented in
docs/recipient-card.md; in short:

- The document is JSON with a fixed schema; its canonical encoding is UTF-8,
  sorted keys, no insignificant whitespace, no floats, every string in NFC.
- The signature is Ed25519 over ``SIGNED_DOMAIN`` followed by the canonical
  encoding of the document without its ``sig`` member.
- A card file holds the canonical encoding of the whole document (with
  ``sig``), exactly; any other encoding of the same content is refused.
- The armored form wraps it in BEGIN/END lines with readable header lines
  (checked against the signed content) and a checksum that catches copying
  damage before the signature check says "forged".

Everything read from a card is validated here; strings are rejected (not
cleaned) when they hold control, format or bidi characters, and callers still
pass every displayed string through the one display sanitiser.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

from crypto.errors import CryptoError, KeyFormatError, RecipientMixError
from crypto.fingerprint import Fingerprint
from crypto.signing import SignatureError, SigningKey, VerifyKey

FORMAT_VERSION = 1
SIGNED_DOMAIN = b"submitter recipient card v1\x00"
HANDOVER_DOMAIN = b"submitter signing key hand-over v1\x00"
BEGIN = "-----BEGIN SUBMITTER RECIPIENT CARD-----"
END = "-----END SUBMITTER RECIPIENT CARD-----"

# Limits: generous for real cards (a post-quantum recipient is ~2,000
# characters), small enough that a hostile card costs nothing to refuse.
MAX_ARMORED_CHARS = 160 * 1024
MAX_BODY_BYTES = 96 * 1024
MAX_NAME = 100
MAX_URL = 300
MAX_NOTE = 500
MAX_RECIPIENT = 2200
MAX_RECIPIENTS = 16
MAX_ENDPOINTS = 8
MAX_HEADERS = 8
MAX_VALIDITY = dt.timedelta(days=5 * 366)
DEFAULT_VALIDITY = dt.timedelta(days=365)
CLOCK_SKEW = dt.timedelta(days=1)


# --- errors: fixed messages, shown as they are ------------------------------------


class CardError(CryptoError):
    message = "This recipient card cannot be used."


class CardFormatError(CardError):
    message = "This is not a valid recipient card: it is malformed or incomplete."


class CardChecksumError(CardFormatError):
    message = (
        "The card text was damaged while being copied (its checksum does not match). "
        "Copy it again from the original."
    )


class CardVersionError(CardFormatError):
    message = "This recipient card was made by a newer version of the app. Update the app."


class CardHeaderMismatchError(CardFormatError):
    message = (
        "The readable lines of this card do not match its signed content: "
        "someone changed them. Do not use this card."
    )


class CardTooLargeError(CardError):
    message = "This recipient card is too large to be genuine."


class CardSignatureError(CardError):
    message = (
        "The card's signature is not valid: it was altered after signing, "
        "or it is forged. Do not use it."
    )


class CardHandoverError(CardSignatureError):
    message = (
        "The card claims a hand-over from an earlier key, but that hand-over "
        "signature is not valid. Do not use this card."
    )


class CardExpiredError(CardError):
    message = (
        "This recipient card has expired. Ask the organisation for a current card; "
        "an expired card cannot be used for new submissions."
    )


class CardNotYetValidError(CardError):
    message = (
        "This card's issue date is in the future. Check your computer's date, "
        "or ask the organisation for a correct card."
    )


class CardRecipientError(CardFormatError):
    message = "The card lists a recipient key that is not valid."


class CardRecipientMixError(CardFormatError):
    message = (
        "A card must list either classic or post-quantum recipients, not both, "
        "and no passphrase recipients."
    )


class CardFieldError(CardFormatError):
    message = (
        "A field of the card is not allowed: too long, empty, of the wrong kind, "
        "or holding hidden characters."
    )


# --- model ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TusEndpoint:
    url: str
    kind: str = field(default="tus", init=False)


@dataclass(frozen=True, slots=True)
class OnionShareEndpoint:
    address: str  # "<56 base32 chars>.onion"
    client_auth: str | None = None  # OnionShare's base32 private key, if the share needs one
    kind: str = field(default="onionshare", init=False)


@dataclass(frozen=True, slots=True)
class DropNote:
    text: str  # instructions for USB sticks or shared-folder drops
    kind: str = field(default="note", init=False)


Endpoint = TusEndpoint | OnionShareEndpoint | DropNote


@dataclass(frozen=True, slots=True)
class Handover:
    """The old signing key's signature over the new key and a date."""

    old_key: VerifyKey
    date: dt.date
    signature: bytes

    def signed_bytes(self, new_key: VerifyKey) -> bytes:
        return handover_message(self.old_key, new_key, self.date)


@dataclass(frozen=True, slots=True)
class Card:
    name: str
    website: str | None
    recipients: tuple[str, ...]
    endpoints: tuple[Endpoint, ...]
    issued: dt.date
    expires: dt.date
    signing_key: VerifyKey
    handover: Handover | None
    signature: bytes
    version: int = FORMAT_VERSION

    def fingerprint(self) -> Fingerprint:
        return Fingerprint.of_public_key(self.signing_key.raw)

    def is_expired(self, today: dt.date | None = None) -> bool:
        return (today or _today()) > self.expires

    def check_usable(self, today: dt.date | None = None) -> None:
        """Raise unless the card may be used for a new submission today."""
        day = today or _today()
        if day > self.expires:
            raise CardExpiredError(f"expired {self.expires.isoformat()}")
        if day + CLOCK_SKEW < self.issued:
            raise CardNotYetValidError(f"issued {self.issued.isoformat()}")

    def document(self) -> dict[str, Any]:
        doc = _unsigned_document(self)
        doc["sig"] = _b64url(self.signature)
        return doc

    def to_bytes(self) -> bytes:
        return canonical_json(self.document())

    def armored(self) -> str:
        return armor(self)


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


# --- canonical encoding -------------------------------------------------------------


def canonical_json(doc: dict[str, Any]) -> bytes:
    return json.dumps(
        doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64url(untrusted: str, length: int, what: str) -> bytes:
    if not isinstance(untrusted, str) or not re.fullmatch(r"[A-Za-z0-9_-]+", untrusted):
        raise CardFormatError(f"{what}: not base64url")
    try:
        raw = base64.urlsafe_b64decode(untrusted + "=" * (-len(untrusted) % 4))
    except (binascii.Error, ValueError) as exc:
        raise CardFormatError(f"{what}: bad base64url") from exc
    if len(raw) != length or _b64url(raw) != untrusted:
        raise CardFormatError(f"{what}: wrong length or non-canonical")
    return raw


def _endpoint_doc(ep: Endpoint) -> dict[str, str]:
    if isinstance(ep, TusEndpoint):
        return {"type": "tus", "url": ep.url}
    if isinstance(ep, OnionShareEndpoint):
        out = {"type": "onionshare", "address": ep.address}
        if ep.client_auth is not None:
            out["client_auth"] = ep.client_auth
        return out
    return {"type": "note", "text": ep.text}


def _unsigned_document(card: Card) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "v": card.version,
        "name": card.name,
        "recipients": list(card.recipients),
        "endpoints": [_endpoint_doc(ep) for ep in card.endpoints],
        "issued": card.issued.isoformat(),
        "expires": card.expires.isoformat(),
        "signing_key": str(card.signing_key),
    }
    if card.website is not None:
        doc["website"] = card.website
    if card.handover is not None:
        doc["handover"] = {
            "from": str(card.handover.old_key),
            "date": card.handover.date.isoformat(),
            "sig": _b64url(card.handover.signature),
        }
    return doc


def signed_bytes(card: Card) -> bytes:
    return SIGNED_DOMAIN + canonical_json(_unsigned_document(card))


def handover_message(old_key: VerifyKey, new_key: VerifyKey, date: dt.date) -> bytes:
    return HANDOVER_DOMAIN + old_key.raw + new_key.raw + date.isoformat().encode("ascii")


# --- field validation (shared by creation and parsing) ------------------------------

_ONION = re.compile(r"[a-z2-7]{56}\.onion")
_CLIENT_AUTH = re.compile(r"[A-Z2-7]{52}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# No urllib here (crypto/ has no network modules): a deliberately narrow URL
# shape. Scheme http/https, a host name, IPv4 or bracketed IPv6, an optional
# port, an optional path/query of visible ASCII; no user:password@.
_URL = re.compile(
    r"(?P<scheme>https?)://"
    r"(?P<host>[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]{2,45}\])"
    r"(?::(?P<port>[0-9]{1,5}))?"
    r"(?P<rest>[/?#][\x21-\x7e]*)?"
)


def _fail(detail: str, error: type[CardError] = CardFieldError) -> NoReturn:
    raise error(detail)


def _check_text(untrusted: Any, what: str, max_len: int, *, multiline: bool = False) -> str:
    if not isinstance(untrusted, str):
        _fail(f"{what}: not a string")
    if not 1 <= len(untrusted) <= max_len:
        _fail(f"{what}: length {len(untrusted)} outside 1..{max_len}")
    if unicodedata.normalize("NFC", untrusted) != untrusted:
        _fail(f"{what}: not NFC")
    if untrusted != untrusted.strip():
        _fail(f"{what}: leading or trailing space")
    for ch in untrusted:
        if ch == "\n" and multiline:
            continue
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            _fail(f"{what}: hidden or control character U+{ord(ch):04X}")
    return untrusted


def check_url(untrusted: Any, what: str = "url") -> str:
    text = _check_text(untrusted, what, MAX_URL)
    m = _URL.fullmatch(text)
    if m is None:
        _fail(f"{what}: not an http(s) URL of the allowed shape")
    port = m.group("port")
    if port is not None and not 1 <= int(port) <= 65535:
        _fail(f"{what}: port out of range")
    return text


def _check_date(untrusted: Any, what: str) -> dt.date:
    if not isinstance(untrusted, str) or not _DATE.fullmatch(untrusted):
        _fail(f"{what}: not YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(untrusted)
    except ValueError:
        _fail(f"{what}: not a calendar date")


def _check_recipients(untrusted: Any) -> tuple[str, ...]:
    if not isinstance(untrusted, list | tuple) or not 1 <= len(untrusted) <= MAX_RECIPIENTS:
        _fail(f"recipients: need 1..{MAX_RECIPIENTS}")
    texts: list[str] = []
    for item in untrusted:
        if not isinstance(item, str) or not item.isascii() or not 1 <= len(item) <= MAX_RECIPIENT:
            _fail("recipient: not a short ASCII string", CardRecipientError)
        texts.append(item)
    if len(set(texts)) != len(texts):
        _fail("recipients: duplicate", CardRecipientError)
    validate_recipients(texts)
    return tuple(texts)


def validate_recipients(texts: Sequence[str]) -> None:
    """Every recipient parses and the set can go into one file (no classic+PQ mix)."""
    from crypto.recipients import check_mix, parse_recipient
    from crypto.recipients.base import Recipient

    parsed: list[Recipient] = []
    for text in texts:
        if not text.startswith("age1"):
            _fail("recipient: not an age1 recipient", CardRecipientError)
        try:
            parsed.append(parse_recipient(text))
        except CryptoError as exc:
            raise CardRecipientError(type(exc).__name__) from exc
    try:
        check_mix(parsed)
    except RecipientMixError as exc:
        raise CardRecipientMixError("recipient kinds mixed") from exc
    if any(label.startswith("scrypt") for r in parsed for label in r.labels()):
        _fail("recipient: passphrase recipient", CardRecipientMixError)


def _check_onion(untrusted: Any) -> str:
    """A v3 onion address: base32(pubkey 32 | checksum 2 | version 3) + ".onion"."""
    text = _check_text(untrusted, "onion address", 62)
    if not _ONION.fullmatch(text):
        _fail("onion address: expected 56 base32 characters + .onion")
    raw = base64.b32decode(text[:56].upper())
    pubkey, checksum, version = raw[:32], raw[32:34], raw[34:]
    expected = hashlib.sha3_256(b".onion checksum" + pubkey + b"\x03").digest()[:2]
    if version != b"\x03" or checksum != expected:
        _fail("onion address: bad checksum or version (a typo?)")
    return text


def onion_address(pubkey: bytes) -> str:
    """The v3 onion address of an ed25519 public key (for tests and tools)."""
    checksum = hashlib.sha3_256(b".onion checksum" + pubkey + b"\x03").digest()[:2]
    return base64.b32encode(pubkey + checksum + b"\x03").decode("ascii").lower() + ".onion"


def _check_endpoint(untrusted: Any) -> Endpoint:
    if not isinstance(untrusted, dict):
        _fail("endpoint: not an object", CardFormatError)
    kind = untrusted.get("type")
    if kind == "tus" and set(untrusted) == {"type", "url"}:
        return TusEndpoint(check_url(untrusted["url"], "tus url"))
    if kind == "onionshare" and set(untrusted) in ({"type", "address"},
                                                   {"type", "address", "client_auth"}):
        auth = untrusted.get("client_auth")
        if auth is not None and (not isinstance(auth, str) or not _CLIENT_AUTH.fullmatch(auth)):
            _fail("onionshare client auth: expected 52 base32 characters")
        return OnionShareEndpoint(_check_onion(untrusted["address"]), auth)
    if kind == "note" and set(untrusted) == {"type", "text"}:
        return DropNote(_check_text(untrusted["text"], "note", MAX_NOTE, multiline=True))
    _fail("endpoint: unknown type or members", CardFormatError)


def _check_endpoints(untrusted: Any) -> tuple[Endpoint, ...]:
    if not isinstance(untrusted, list) or len(untrusted) > MAX_ENDPOINTS:
        _fail(f"endpoints: need a list of at most {MAX_ENDPOINTS}")
    eps = tuple(_check_endpoint(e) for e in untrusted)
    if len(set(eps)) != len(eps):
        _fail("endpoints: duplicate")
    return eps


def _check_dates(issued: dt.date, expires: dt.date) -> None:
    if expires < issued:
        _fail("expires before issued")
    if expires - issued > MAX_VALIDITY:
        _fail("validity longer than five years")


# --- creation -----------------------------------------------------------------------


def make_handover(
    old_key: SigningKey, new_key: VerifyKey, date: dt.date | None = None
) -> Handover:
    """The old key vouches for its successor."""
    day = date or _today()
    if old_key.verify_key() == new_key:
        raise CardFieldError("hand-over to the same key")
    sig = old_key.sign(handover_message(old_key.verify_key(), new_key, day))
    return Handover(old_key.verify_key(), day, sig)


def create_card(
    signing_key: SigningKey,
    *,
    name: str,
    recipients: Iterable[str],
    website: str | None = None,
    endpoints: Iterable[Endpoint] = (),
    issued: dt.date | None = None,
    expires: dt.date | None = None,
    handover: Handover | None = None,
) -> Card:
    """Validate every field (the same rules a reader applies) and sign."""
    issued = issued or _today()
    expires = expires or issued + DEFAULT_VALIDITY
    _check_dates(issued, expires)
    eps = tuple(endpoints)
    unsigned = Card(
        name=_check_text(unicodedata.normalize("NFC", name.strip()), "name", MAX_NAME),
        website=None if website is None else check_url(website.strip(), "website"),
        recipients=_check_recipients([r.strip() for r in recipients]),
        endpoints=_check_endpoints([_endpoint_doc(e) for e in eps]),
        issued=issued,
        expires=expires,
        signing_key=signing_key.verify_key(),
        handover=handover,
        signature=b"",
    )
    if handover is not None:
        _verify_handover(handover, unsigned.signing_key)
    card = Card(**{**_fields(unsigned), "signature": signing_key.sign(signed_bytes(unsigned))})
    if len(card.to_bytes()) > MAX_BODY_BYTES:
        raise CardTooLargeError("card body over the limit")
    return card


def _fields(card: Card) -> dict[str, Any]:
    return {name: getattr(card, name) for name in Card.__dataclass_fields__}


def _verify_handover(handover: Handover, new_key: VerifyKey) -> None:
    if handover.old_key == new_key:
        raise CardHandoverError("hand-over from the card's own key")
    try:
        handover.old_key.verify(handover.signed_bytes(new_key), handover.signature)
    except SignatureError as exc:
        raise CardHandoverError("hand-over signature invalid") from exc


# --- parsing the document -----------------------------------------------------------


def _no_float(untrusted: str) -> NoReturn:
    raise CardFormatError("floats are not allowed")


def _no_constant(untrusted: str) -> NoReturn:
    raise CardFormatError("NaN/Infinity are not allowed")


def _small_int(untrusted: str) -> int:
    if len(untrusted) > 3:
        raise CardFormatError("integer too long")
    return int(untrusted)


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise CardFormatError("duplicate key")
        out[key] = value
    return out


_TOP_REQUIRED = {"v", "name", "recipients", "endpoints", "issued", "expires", "signing_key", "sig"}
_TOP_OPTIONAL = {"website", "handover"}


def parse_card_bytes(untrusted_body: bytes) -> Card:
    """Parse and verify the canonical body (no armor). Expiry is not checked here."""
    if len(untrusted_body) > MAX_BODY_BYTES:
        raise CardTooLargeError(f"{len(untrusted_body)} bytes")
    try:
        untrusted_text = untrusted_body.decode("utf-8", errors="strict")
        untrusted_doc = json.loads(
            untrusted_text,
            object_pairs_hook=_pairs,
            parse_float=_no_float,
            parse_constant=_no_constant,
            parse_int=_small_int,
        )
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise CardFormatError(type(exc).__name__) from exc
    if not isinstance(untrusted_doc, dict):
        raise CardFormatError("not an object")
    keys = set(untrusted_doc)
    if "v" in untrusted_doc and untrusted_doc["v"] != FORMAT_VERSION:
        if isinstance(untrusted_doc["v"], int) and untrusted_doc["v"] > FORMAT_VERSION:
            raise CardVersionError(str(untrusted_doc["v"]))
        raise CardFormatError("bad version")
    if not keys >= _TOP_REQUIRED or not keys <= _TOP_REQUIRED | _TOP_OPTIONAL:
        raise CardFormatError("missing or unknown members")
    # One encoding only: what was signed is exactly what we hold.
    if canonical_json(untrusted_doc) != untrusted_body:
        raise CardFormatError("not in canonical form")
    try:
        signing_key = VerifyKey.from_text(_check_text(untrusted_doc["signing_key"], "key", 60))
    except KeyFormatError as exc:
        raise CardFormatError("signing key malformed") from exc
    signature = _unb64url(untrusted_doc["sig"], 64, "signature")
    handover = _parse_handover(untrusted_doc.get("handover"))
    website = untrusted_doc.get("website")
    issued = _check_date(untrusted_doc["issued"], "issued")
    expires = _check_date(untrusted_doc["expires"], "expires")
    _check_dates(issued, expires)
    card = Card(
        name=_check_text(untrusted_doc["name"], "name", MAX_NAME),
        website=None if website is None else check_url(website, "website"),
        recipients=_check_recipients(untrusted_doc["recipients"]),
        endpoints=_check_endpoints(untrusted_doc["endpoints"]),
        issued=issued,
        expires=expires,
        signing_key=signing_key,
        handover=handover,
        signature=signature,
    )
    try:
        signing_key.verify(signed_bytes(card), signature)
    except SignatureError as exc:
        raise CardSignatureError("card signature invalid") from exc
    if handover is not None:
        _verify_handover(handover, signing_key)
    return card


def _parse_handover(untrusted: Any) -> Handover | None:
    if untrusted is None:
        return None
    if not isinstance(untrusted, dict) or set(untrusted) != {"from", "date", "sig"}:
        raise CardFormatError("hand-over members")
    try:
        old = VerifyKey.from_text(_check_text(untrusted["from"], "hand-over key", 60))
    except KeyFormatError as exc:
        raise CardFormatError("hand-over key malformed") from exc
    return Handover(
        old, _check_date(untrusted["date"], "hand-over date"),
        _unb64url(untrusted["sig"], 64, "hand-over signature"),
    )


# --- armor --------------------------------------------------------------------------

_LINE = 64
_CHECKSUM_BYTES = 6


def _checksum(body: bytes) -> str:
    return base64.b64encode(hashlib.sha256(body).digest()[:_CHECKSUM_BYTES]).decode("ascii")


def _headers(card: Card) -> list[tuple[str, str]]:
    out = [("Organisation", card.name)]
    if card.website is not None:
        out.append(("Website", card.website))
    out.append(("Expires", card.expires.isoformat()))
    out.append(("Fingerprint", card.fingerprint().words_text()))
    return out


def armor(card: Card) -> str:
    """Text that survives a web page or an email, and that a person can read."""
    body = card.to_bytes()
    b64 = base64.b64encode(body).decode("ascii").rstrip("=")
    lines = [BEGIN]
    lines += [f"{k}: {v}" for k, v in _headers(card)]
    lines.append("")
    lines += [b64[i : i + _LINE] for i in range(0, len(b64), _LINE)]
    lines.append("=" + _checksum(body))
    lines.append(END)
    return "\n".join(lines) + "\n"


_HEADER = re.compile(r"([A-Za-z][A-Za-z-]{0,30}):(.*)")
_B64_CHARS = re.compile(r"[A-Za-z0-9+/]*")


def _collapse(text: str) -> str:
    return " ".join(text.split())


def parse_card(
    untrusted: str | bytes, *, today: dt.date | None = None, check_expiry: bool = True
) -> Card:
    """Read an armored card (text around it is ignored), verify it, check expiry.

    Tolerates what copying does to text: indentation, blank lines, email
    quoting ("> "), changed line ends and re-wrapped base64.
    """
    if len(untrusted) > MAX_ARMORED_CHARS:
        raise CardTooLargeError(f"{len(untrusted)} characters")
    if isinstance(untrusted, bytes):
        try:
            untrusted_text = untrusted.decode("utf-8", errors="strict")
        except UnicodeDecodeError as exc:
            raise CardFormatError("not UTF-8 text") from exc
    else:
        untrusted_text = untrusted
    untrusted_text = untrusted_text.lstrip("\ufeff")
    untrusted_lines = [_unquote(ln) for ln in untrusted_text.splitlines()]
    starts = [i for i, ln in enumerate(untrusted_lines) if ln == BEGIN]
    ends = [i for i, ln in enumerate(untrusted_lines) if ln == END]
    if len(starts) != 1 or len(ends) != 1 or ends[0] < starts[0]:
        raise CardFormatError("need exactly one BEGIN and one END line")
    headers: list[tuple[str, str]] = []
    b64_parts: list[str] = []
    for line in untrusted_lines[starts[0] + 1 : ends[0]]:
        if not line:
            continue
        m = _HEADER.fullmatch(line)
        if m is not None:
            if b64_parts or len(headers) >= MAX_HEADERS:
                raise CardFormatError("header line in the wrong place or too many")
            headers.append((m.group(1), _collapse(m.group(2))))
            continue
        b64_parts.append("".join(line.split()))
    joined = "".join(b64_parts)
    if joined.count("=") != 1:
        raise CardFormatError("checksum missing")
    b64, check = joined.split("=")
    if not _B64_CHARS.fullmatch(b64) or not b64 or len(b64) % 4 == 1:
        raise CardFormatError("body is not base64")
    if len(b64) * 3 // 4 > MAX_BODY_BYTES:
        raise CardTooLargeError("body over the limit")
    try:
        body = base64.b64decode(b64 + "=" * (-len(b64) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CardFormatError("body is not base64") from exc
    if check != _checksum(body):
        raise CardChecksumError("checksum mismatch")
    card = parse_card_bytes(body)
    expected = {k.lower(): _collapse(v) for k, v in _headers(card)}
    for key, value in headers:
        if expected.get(key.lower()) != value:
            raise CardHeaderMismatchError(f"header {key!r} differs")
    if check_expiry:
        card.check_usable(today)
    return card


def _unquote(line: str) -> str:
    """Strip whitespace and email quoting marks ("> > ") from a line."""
    text = line.strip()
    while text.startswith(">"):
        text = text[1:].lstrip()
    return text
