"""age-compatible commands: keygen, encrypt, decrypt.

Scripts may rely on these behaving like age's own tools: exit status 0 on
success, a one-line error otherwise; with ``-o`` a failure leaves no file
behind (output goes to a temporary file renamed only on success); to stdout,
decrypted plaintext streams as it authenticates.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from crypto import keygen
from crypto.age import Decryptor, Encryptor
from crypto.errors import CryptoError
from crypto.identity_file import format_identity_file, parse_identity_file
from crypto.recipients import check_mix, parse_recipient
from crypto.recipients.base import Identity, Recipient
from crypto.recipients.scrypt import STANZA_TYPE as SCRYPT_TYPE
from crypto.recipients.scrypt import ScryptIdentity, ScryptRecipient
from crypto.stanza import Stanza
from submitter.errors import SubmitterError

_MAX_KEY_FILE = 16 * 1024 * 1024


class CliUsageError(SubmitterError):
    message = "The command line is not valid."


class CliFileError(SubmitterError):
    message = "A file could not be read or written."


class PassphraseInputError(SubmitterError):
    message = "No passphrase could be read."


class NoTerminalError(SubmitterError):
    message = "There is no terminal to ask for the passphrase; use --passphrase-fd N."


class TerminalOutputError(SubmitterError):
    message = "Refusing to write binary ciphertext to a terminal; use -a or -o."


class PassphraseSource:
    """Asks once, on the terminal or from a descriptor, and remembers the answer."""

    def __init__(self, fd: int | None) -> None:
        self._fd = fd
        self._value: str | None = None

    def _read_fd(self) -> str:
        assert self._fd is not None
        parts: list[bytes] = []
        try:
            while chunk := os.read(self._fd, 65536):
                parts.append(chunk)
        except OSError as exc:
            raise PassphraseInputError(
                f"cannot read descriptor {self._fd}: {exc.strerror}") from None
        try:
            text = b"".join(parts).decode("utf-8")
        except UnicodeDecodeError:
            raise PassphraseInputError("the passphrase is not UTF-8") from None
        for ending in ("\r\n", "\n"):
            if text.endswith(ending):
                text = text[: -len(ending)]
                break
        return text

    @staticmethod
    def _require_tty() -> None:
        try:
            fd = os.open("/dev/tty", os.O_RDWR)
        except OSError:
            raise NoTerminalError() from None
        os.close(fd)

    def get(self, *, confirm: bool = False) -> str:
        if self._value is None:
            if self._fd is not None:
                value = self._read_fd()
            else:
                self._require_tty()
                value = getpass.getpass("Enter passphrase: ")
                if confirm and getpass.getpass("Confirm passphrase: ") != value:
                    raise PassphraseInputError("the passphrases did not match")
            if not value:
                raise PassphraseInputError("the passphrase is empty")
            self._value = value
        return self._value


class _LazyScryptIdentity:
    """Asks for the passphrase only when the file turns out to be passphrase-encrypted."""

    def __init__(self, passphrases: PassphraseSource) -> None:
        self._passphrases = passphrases

    def unwrap(self, stanzas: Sequence[Stanza]) -> bytes | None:
        if not any(s.type == SCRYPT_TYPE for s in stanzas):
            return None
        return ScryptIdentity(self._passphrases.get()).unwrap(stanzas)


def _read_small(path: str) -> bytes:
    try:
        if path == "-":
            return sys.stdin.buffer.read(_MAX_KEY_FILE + 1)
        with open(path, "rb") as f:
            return f.read(_MAX_KEY_FILE + 1)
    except OSError as exc:
        raise CliFileError(f"{path}: {exc.strerror}") from None


@contextlib.contextmanager
def _open_input(path: str | None) -> Iterator[BinaryIO]:
    if path is None or path == "-":
        yield sys.stdin.buffer
        return
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise CliFileError(f"{path}: {exc.strerror}") from None
    with f:
        yield f


@contextlib.contextmanager
def _atomic_output(path: str | None) -> Iterator[BinaryIO]:
    """stdout, or a temp file beside ``path`` renamed over it only on success."""
    if path is None or path == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    target = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:
        raise CliFileError(f"{path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# --- keygen -------------------------------------------------------------------


def _cmd_keygen(args: argparse.Namespace) -> int:
    if args.convert:
        return _keygen_convert(args)
    if args.input is not None:
        raise CliUsageError("a FILE argument is only valid with -y")
    if args.pq:
        generate = getattr(keygen, "generate_mlkem768x25519", None)
        if generate is None:
            raise CliUsageError("post-quantum keys are not available in this build")
        identity = generate()
    else:
        identity = keygen.generate_x25519()
    recipient = str(identity.recipient())
    text = format_identity_file(identity, recipient, datetime.now().astimezone())
    if args.output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return 0
    try:
        fd = os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise CliFileError(f"{args.output} exists; refusing to overwrite it") from None
    except OSError as exc:
        raise CliFileError(f"{args.output}: {exc.strerror}") from None
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    print(f"Public key: {recipient}", file=sys.stderr)
    return 0


def _keygen_convert(args: argparse.Namespace) -> int:
    data = _read_small(args.input if args.input is not None else "-")
    passphrases = PassphraseSource(args.passphrase_fd)
    for identity in parse_identity_file(data, passphrases.get):
        recipient = getattr(identity, "recipient", None)
        if recipient is None:
            raise CliUsageError("this identity type has no recipient")
        print(recipient())
    return 0


# --- encrypt ------------------------------------------------------------------


def _recipients_file(path: str) -> list[Recipient]:
    try:
        text = _read_small(path).decode("utf-8")
    except UnicodeDecodeError:
        raise CliFileError(f"{path}: not UTF-8 text") from None
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            found.append(parse_recipient(line))
    if not found:
        raise CliUsageError(f"{path}: no recipients found")
    return found


def _cmd_encrypt(args: argparse.Namespace) -> int:
    recipients: list[Recipient] = [parse_recipient(r) for r in args.recipient]
    for path in args.recipients_file:
        recipients.extend(_recipients_file(path))
    if args.passphrase:
        if recipients:
            raise CliUsageError("-p cannot be combined with -r or -R")
        passphrase = PassphraseSource(args.passphrase_fd).get(confirm=True)
        recipients = [ScryptRecipient(passphrase)]
    if not recipients:
        raise CliUsageError("give at least one -r, -R or -p")
    check_mix(recipients)
    if (args.output in (None, "-")) and not args.armor and sys.stdout.isatty():
        raise TerminalOutputError()
    with (
        _open_input(args.input) as src,
        _atomic_output(args.output) as dst,
        Encryptor(dst, recipients, armor=args.armor) as enc,
    ):
        enc.copy_from(src)
    return 0


# --- decrypt ------------------------------------------------------------------


def _cmd_decrypt(args: argparse.Namespace) -> int:
    passphrases = PassphraseSource(args.passphrase_fd)
    identities: list[Identity] = []
    for path in args.identity:
        identities.extend(parse_identity_file(_read_small(path), passphrases.get))
    if not identities:
        identities = [_LazyScryptIdentity(passphrases)]
    to_stdout = args.output in (None, "-")
    with (
        _open_input(args.input) as src,
        _atomic_output(args.output) as dst,
        Decryptor(src, identities) as dec,
    ):
        dec.copy_to(dst, flush=to_stdout)
    return 0


def _guard(func: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn stray OS errors into one-line errors (broken pipes, full disks)."""

    def run(args: argparse.Namespace) -> int:
        try:
            return func(args)
        except (CryptoError, SubmitterError):
            raise
        except OSError as exc:
            raise CliFileError(exc.strerror or type(exc).__name__) from None

    return run


def register(sub: Any) -> None:  # argparse's subparsers action has no public type
    kg = sub.add_parser("keygen", help="generate an identity (like age-keygen)")
    kg.add_argument("--pq", action="store_true", help="post-quantum hybrid identity")
    kg.add_argument("-o", "--output", metavar="FILE", help="write to FILE (created 0600)")
    kg.add_argument("-y", dest="convert", action="store_true",
                    help="print the recipients of an identity file")
    kg.add_argument("input", nargs="?", metavar="FILE", help="identity file for -y")
    kg.add_argument("--passphrase-fd", type=int, metavar="N",
                    help="with -y: the passphrase of an encrypted identity file, from descriptor N")
    kg.set_defaults(func=_guard(_cmd_keygen))

    enc = sub.add_parser("encrypt", help="encrypt to recipients or a passphrase (like age -e)")
    enc.add_argument("-r", "--recipient", action="append", default=[], metavar="RECIPIENT")
    enc.add_argument("-R", "--recipients-file", action="append", default=[], metavar="FILE")
    enc.add_argument("-p", "--passphrase", action="store_true", help="encrypt with a passphrase")
    enc.add_argument("--passphrase-fd", type=int, metavar="N",
                     help="read the passphrase from descriptor N instead of the terminal")
    enc.add_argument("-a", "--armor", action="store_true", help="ASCII-armored output")
    enc.add_argument("-o", "--output", metavar="OUT")
    enc.add_argument("input", nargs="?", metavar="IN")
    enc.set_defaults(func=_guard(_cmd_encrypt))

    dec = sub.add_parser("decrypt", help="decrypt with identity files or a passphrase (age -d)")
    dec.add_argument("-i", "--identity", action="append", default=[], metavar="IDENTITY_FILE")
    dec.add_argument("--passphrase-fd", type=int, metavar="N",
                     help="read the passphrase from descriptor N instead of the terminal")
    dec.add_argument("-o", "--output", metavar="OUT")
    dec.add_argument("input", nargs="?", metavar="IN")
    dec.set_defaults(func=_guard(_cmd_decrypt))
