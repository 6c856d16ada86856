"""Identity files as age-keygen writes them, plain or passphrase-encrypted.

A plain identity file holds one key per line, with ``#`` comments and blank
lines. A passphrase-encrypted identity file is an age file (binary or
armored) encrypted with scrypt whose plaintext is a plain identity file; this
is what ``age -d -i key.age`` accepts.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime

from crypto.age import VERSION_PREFIX, decrypt_bytes
from crypto.armor import BEGIN
from crypto.errors import CryptoError, KeyFormatError, NoIdentityMatchError, PassphraseError
from crypto.recipients import parse_identity
from crypto.recipients.base import Identity
from crypto.recipients.scrypt import ScryptIdentity

MAX_IDENTITY_FILE = 16 * 1024 * 1024


def _is_age_file(untrusted_data: bytes) -> bool:
    head = untrusted_data.lstrip(b" \t\r\n")
    return head.startswith(VERSION_PREFIX) or head.startswith(BEGIN)


def _parse_plain(untrusted_data: bytes) -> list[Identity]:
    try:
        text = untrusted_data.decode("utf-8")
    except UnicodeDecodeError:
        raise KeyFormatError("identity file is not UTF-8 text") from None
    identities: list[Identity] = []
    for number, raw in enumerate(io.StringIO(text, newline=None), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            identities.append(parse_identity(line))
        except KeyFormatError:
            # Never echo the line: it may be a secret key with a typo.
            raise KeyFormatError(f"identity file line {number} is not a known key") from None
    if not identities:
        raise KeyFormatError("no identities found in the identity file")
    return identities


def parse_identity_file(
    data: bytes, passphrase: Callable[[], str] | None = None
) -> list[Identity]:
    """Identities of an identity file; ``passphrase`` is asked only if it is encrypted."""
    if len(data) > MAX_IDENTITY_FILE:
        raise KeyFormatError("identity file is too large")
    if not _is_age_file(data):
        return _parse_plain(data)
    if passphrase is None:
        raise PassphraseError("the identity file is encrypted and no passphrase was given")
    try:
        plaintext = decrypt_bytes(data, [ScryptIdentity(passphrase())])
    except NoIdentityMatchError:
        raise PassphraseError("wrong passphrase for the identity file") from None
    except CryptoError as exc:
        raise PassphraseError(f"the encrypted identity file is damaged: {exc.detail}") from None
    return _parse_plain(plaintext)


def format_identity_file(
    identity: Identity, recipient_str: str, created: datetime | None = None
) -> str:
    """age-keygen's layout: creation time, public key, then the secret key."""
    lines = []
    if created is not None:
        stamp = created.replace(microsecond=0).isoformat()
        if stamp.endswith("+00:00"):
            stamp = stamp[: -len("+00:00")] + "Z"
        lines.append(f"# created: {stamp}")
    lines.append(f"# public key: {recipient_str}")
    lines.append(str(identity))
    return "\n".join(lines) + "\n"
