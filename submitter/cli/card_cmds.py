"""`submitter card ...`: make, check, show and pin recipient cards.

NGO staff: ``create``, ``show``, ``qr``. Sources: ``import`` (verify and pin),
``pinned``, ``forget``. Every string that came from a card passes the display
sanitiser before it is printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from crypto import keystore
from crypto.card import (
    Card,
    DropNote,
    Endpoint,
    OnionShareEndpoint,
    TusEndpoint,
    create_card,
    make_handover,
    parse_card,
)
from crypto.fingerprint import Fingerprint
from crypto.pins import ImportStatus, PinStore
from crypto.statekey import PassphraseStateKeyStore, StateKeyStore
from submitter.cli.keys_cmds import add_passphrase_fd, passphrase_getter
from submitter.errors import SubmitterError
from submitter.outbox.keystore import default_key_store
from submitter.outbox.paths import data_dir
from submitter.sanitize import sanitize

MAX_CARD_FILE = 256 * 1024
PIN_FILE = "trust.sealed"
SALT_FILE = "state.salt"  # shared with the outbox: one state key for the source's data


class CardUsageError(SubmitterError):
    message = "The command line is not valid."


class CardFileError(SubmitterError):
    message = "The card file could not be read or written."


def _read_card_text(path: str) -> bytes:
    try:
        if path == "-":
            data = sys.stdin.buffer.read(MAX_CARD_FILE + 1)
        else:
            with open(path, "rb") as fh:
                data = fh.read(MAX_CARD_FILE + 1)
    except OSError as exc:
        raise CardFileError(exc.strerror or type(exc).__name__) from None
    return data  # size limits are enforced by the parser (CardTooLargeError)


def parse_endpoint(text: str) -> Endpoint:
    """``https://…`` (tus), ``onionshare:ADDRESS.onion[:CLIENTAUTH]``, ``note:TEXT``."""
    if text.startswith("onionshare:"):
        address, _, auth = text[len("onionshare:") :].partition(":")
        return OnionShareEndpoint(address, auth or None)
    if text.startswith("note:"):
        return DropNote(text[len("note:") :].strip().replace("\\n", "\n"))
    return TusEndpoint(text)


def _recipients_file(path: str) -> list[str]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CardFileError(type(exc).__name__) from None
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


def _cmd_create(args: argparse.Namespace) -> int:
    signing = keystore.load_signing_key(
        Path(args.signing_key), passphrase_getter(args.passphrase_fd)
    )
    recipients = list(args.recipient)
    for path in args.recipients_file:
        recipients.extend(_recipients_file(path))
    if not recipients:
        raise CardUsageError("give at least one -r or -R")
    handover = None
    if args.handover_from is not None:
        if args.handover_passphrase_fd is not None and (
            args.handover_passphrase_fd == args.passphrase_fd
        ):
            raise CardUsageError("the two passphrase descriptors must differ")
        old = keystore.load_signing_key(
            Path(args.handover_from), passphrase_getter(args.handover_passphrase_fd)
        )
        handover = make_handover(old, signing.verify_key())
    try:
        expires = None if args.expires is None else dt.date.fromisoformat(args.expires)
    except ValueError:
        raise CardUsageError("--expires must be YYYY-MM-DD") from None
    card = create_card(
        signing, name=args.name, recipients=recipients, website=args.website,
        endpoints=[parse_endpoint(e) for e in args.endpoint], expires=expires, handover=handover,
    )
    text = card.armored()
    if args.output is None:
        sys.stdout.write(text)
    else:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CardFileError(exc.strerror or type(exc).__name__) from None
    return 0


def describe_card(card: Card) -> list[str]:
    """Lines for a person; every card string sanitised."""
    fp = card.fingerprint()
    kind = "post-quantum" if any(r.lower().startswith("age1pq1") for r in card.recipients) \
        else "classic"
    lines = [f"Organisation: {sanitize(card.name)}"]
    if card.website is not None:
        lines.append(f"Website:      {sanitize(card.website)}")
    lines.append(f"Issued:       {card.issued.isoformat()}")
    lines.append(f"Expires:      {card.expires.isoformat()}")
    lines.append(f"Recipients ({len(card.recipients)}, {kind}):")
    lines += [f"  {sanitize(r, max_len=4000)}" for r in card.recipients]
    lines.append("Delivery:" if card.endpoints else "Delivery:     (none listed)")
    for ep in card.endpoints:
        if isinstance(ep, TusEndpoint):
            lines.append(f"  upload (tus): {sanitize(ep.url)}")
        elif isinstance(ep, OnionShareEndpoint):
            auth = " (with client key)" if ep.client_auth else ""
            lines.append(f"  OnionShare:   {sanitize(ep.address)}{auth}")
        else:
            lines.append(f"  note:         {sanitize(ep.text)}")
    if card.handover is not None:
        old_fp = Fingerprint.of_public_key(card.handover.old_key.raw)
        lines.append(
            f"Hand-over:    from the key {old_fp.words_text()} on "
            f"{card.handover.date.isoformat()}"
        )
    lines.append(f"Signing key:  {card.signing_key}")
    lines.append(f"Fingerprint:  {fp.words_text()}")
    lines.append(f"              {fp.digits_text()}")
    return lines


def _cmd_show(args: argparse.Namespace) -> int:
    card = parse_card(_read_card_text(args.card), check_expiry=False)
    print("\n".join(describe_card(card)))
    card.check_usable()  # expired: details shown above, then a non-zero exit
    print("Signature: valid.")
    return 0


def _cmd_qr(args: argparse.Namespace) -> int:
    card = parse_card(_read_card_text(args.card), check_expiry=False)
    fp = card.fingerprint()
    out = Path(args.output)
    data = fp.qr_svg() if out.suffix.lower() == ".svg" else fp.qr_png()
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise CardFileError(exc.strerror or type(exc).__name__) from None
    return 0


def _state_key_store(args: argparse.Namespace) -> StateKeyStore:
    if args.passphrase_fd is not None:
        passphrase = passphrase_getter(args.passphrase_fd)()
        return PassphraseStateKeyStore(data_dir() / SALT_FILE, passphrase)
    return default_key_store(data_dir())


def pin_store(args: argparse.Namespace) -> PinStore:
    return PinStore(data_dir() / PIN_FILE, _state_key_store(args).load_or_create())


_STATUS_TEXT = {
    ImportStatus.NEW: (
        "New organisation pinned. Before you send anything, compare this fingerprint "
        "with the one the organisation publishes or reads to you over the phone."
    ),
    ImportStatus.UPDATED: "Card updated: it is signed by the key you already trust.",
    ImportStatus.UNCHANGED: "You already have this card.",
    ImportStatus.HANDED_OVER: (
        "The organisation moved to a new signing key, and the key you trusted "
        "signed the hand-over. The new key is pinned now."
    ),
}


def _cmd_import(args: argparse.Namespace) -> int:
    card = parse_card(_read_card_text(args.card))
    result = pin_store(args).import_card(card)
    print("\n".join(describe_card(result.org.card)))
    print(_STATUS_TEXT[result.status])
    return 0


def _cmd_pinned(args: argparse.Namespace) -> int:
    pins = pin_store(args).pins()
    if not pins:
        print("No organisations pinned.")
    for pin in pins:
        expired = " (card expired)" if pin.card.is_expired() else ""
        print(f"{sanitize(pin.name)}{expired}")
        print(f"  {pin.fingerprint.words_text()}")
    return 0


def _cmd_forget(args: argparse.Namespace) -> int:
    if not pin_store(args).remove(args.org):
        raise CardUsageError("no pinned organisation matches")
    print("Removed.")
    return 0


def register(sub: Any) -> None:  # argparse's subparsers action has no public type
    card = sub.add_parser("card", help="recipient cards: create, show, import (pin)")
    csub = card.add_subparsers(dest="card_command", metavar="ACTION", required=True)

    p = csub.add_parser("create", help="make and sign a recipient card (NGO staff)")
    p.add_argument("--signing-key", required=True, metavar="FILE")
    p.add_argument("--name", required=True)
    p.add_argument("-r", "--recipient", action="append", default=[], metavar="RECIPIENT")
    p.add_argument("-R", "--recipients-file", action="append", default=[], metavar="FILE")
    p.add_argument("--website", metavar="URL")
    p.add_argument(
        "--endpoint", action="append", default=[], metavar="ENDPOINT",
        help="https://… (tus upload), onionshare:ADDRESS.onion[:CLIENTAUTH], or note:TEXT",
    )
    p.add_argument("--expires", metavar="YYYY-MM-DD")
    p.add_argument("--handover-from", metavar="OLDKEY",
                   help="the previous signing key, which vouches for the new one")
    p.add_argument("-o", "--output", metavar="CARD")
    add_passphrase_fd(p)
    add_passphrase_fd(p, "--handover-passphrase-fd")
    p.set_defaults(func=_cmd_create)

    p = csub.add_parser("show", help="verify a card and show what it says")
    p.add_argument("card", metavar="CARD")
    p.set_defaults(func=_cmd_show)

    p = csub.add_parser("qr", help="the signing key's fingerprint as a QR code image")
    p.add_argument("card", metavar="CARD")
    p.add_argument("-o", "--output", required=True, metavar="FILE.png|FILE.svg")
    p.set_defaults(func=_cmd_qr)

    p = csub.add_parser("import", help="verify a card and pin the organisation (sources)")
    p.add_argument("card", metavar="CARD", help="card file, or - for pasted text on stdin")
    add_passphrase_fd(p)
    p.set_defaults(func=_cmd_import)

    p = csub.add_parser("pinned", help="list pinned organisations")
    add_passphrase_fd(p)
    p.set_defaults(func=_cmd_pinned)

    p = csub.add_parser("forget", help="remove a pinned organisation")
    p.add_argument("org", metavar="NAME_OR_FINGERPRINT")
    add_passphrase_fd(p)
    p.set_defaults(func=_cmd_forget)


__all__ = ["describe_card", "parse_endpoint", "pin_store", "register"]
