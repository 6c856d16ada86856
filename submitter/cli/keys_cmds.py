"""`submitter keys ...`: the organisation's keys, for NGO staff.

Secrets are written only into protected files (passphrase-encrypted age file,
a reference to the OS key store, or, if asked for explicitly, plain); nothing
private is ever printed. Every command that needs a passphrase takes
``--passphrase-fd N`` and otherwise asks on the terminal.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from crypto import keygen, keystore
from crypto.fingerprint import Fingerprint
from crypto.identity_file import format_identity_file
from crypto.keystore import KeyIndex, KeyInfo, KeyKind, Protection
from crypto.signing import SigningKey
from submitter.cli.age_cmds import PassphraseSource
from submitter.errors import SubmitterError
from submitter.outbox.paths import data_dir
from submitter.sanitize import sanitize


class KeysUsageError(SubmitterError):
    message = "The command line is not valid."


class SecretToTerminalError(SubmitterError):
    message = "Refusing to print an unprotected secret key; use -o FILE."


def key_index() -> KeyIndex:
    return KeyIndex(data_dir() / "keys.json")


def passphrase_getter(fd: int | None, *, confirm: bool = False) -> keystore.PassphraseSource:
    source = PassphraseSource(fd)
    return lambda: source.get(confirm=confirm)


def add_passphrase_fd(parser: argparse.ArgumentParser, flag: str = "--passphrase-fd") -> None:
    parser.add_argument(
        flag, type=int, metavar="N",
        help="read the passphrase from file descriptor N (to EOF, one trailing newline "
        "removed) instead of asking on the terminal",
    )


def _write_new_key(
    args: argparse.Namespace, secret_text: str, public: str, kind: KeyKind
) -> int:
    protection = Protection(args.protect)
    passphrase = passphrase_getter(args.passphrase_fd, confirm=True)
    if args.output is None:
        if protection is Protection.NONE:
            raise SecretToTerminalError()
        data = keystore.protect(
            secret_text, protection, public=public, passphrase=passphrase,
            work_factor=args.work_factor,
        )
        sys.stdout.write(data.decode("ascii"))
        sys.stdout.flush()
    else:
        path = Path(args.output)
        keystore.save_key(
            path, secret_text, public=public, protection=protection,
            passphrase=passphrase, work_factor=args.work_factor,
        )
        key_index().add(KeyInfo(Path(os.path.abspath(path)), kind, public, protection))
    label = "Signing key" if kind is KeyKind.SIGNING else "Public key"
    print(f"{label}: {public}", file=sys.stderr)
    if protection is Protection.NONE:
        print("warning: the secret key is stored without protection", file=sys.stderr)
    return 0


def _cmd_new_signing_key(args: argparse.Namespace) -> int:
    key = SigningKey.generate()
    public = str(key.verify_key())
    rc = _write_new_key(args, key.secret_text(), public, KeyKind.SIGNING)
    fingerprint = Fingerprint.of_public_key(key.verify_key().raw)
    print(f"Fingerprint: {fingerprint.words_text()}", file=sys.stderr)
    print(f"             {fingerprint.digits_text()}", file=sys.stderr)
    return rc


def _cmd_new_identity(args: argparse.Namespace) -> int:
    identity = keygen.generate_mlkem768x25519() if args.pq else keygen.generate_x25519()
    public = str(identity.recipient())
    text = format_identity_file(identity, public, datetime.now().astimezone())
    return _write_new_key(args, text, public, KeyKind.IDENTITY)


def _cmd_list(args: argparse.Namespace) -> int:
    del args
    entries = key_index().entries()
    if not entries:
        print("No keys known. Keys created with `submitter keys new-...` -o FILE are listed.")
        return 0
    for info in entries:
        state = "" if info.path.exists() else "  (file missing)"
        print(f"{info.kind.value:9} {info.protection.value:10} {sanitize(str(info.path))}{state}")
        print(f"          {sanitize(info.public, max_len=4000)}")
    return 0


def _cmd_export_recipient(args: argparse.Namespace) -> int:
    secret_text = keystore.read_secret(Path(args.file), passphrase_getter(args.passphrase_fd))
    for public in keystore.public_of_secret(secret_text):
        print(public)
    return 0


def _cmd_change_protection(args: argparse.Namespace) -> int:
    path = Path(args.file)
    to = Protection(args.to)
    if args.passphrase_fd is not None and args.passphrase_fd == args.new_passphrase_fd:
        raise KeysUsageError("--passphrase-fd and --new-passphrase-fd must differ")
    info = keystore.change_protection(
        path, to,
        passphrase=passphrase_getter(args.passphrase_fd),
        new_passphrase=passphrase_getter(args.new_passphrase_fd, confirm=True),
        work_factor=args.work_factor,
    )
    key_index().add(info)
    print(f"Protection changed to {to.value}.", file=sys.stderr)
    return 0


def _protection_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--protect", choices=[p.value for p in Protection], default="passphrase",
        help="passphrase (age scrypt file, opens with `age -d -i`), keyring (the system's "
        "key store) or none (plain file; not recommended)",
    )
    parser.add_argument("--work-factor", type=int, default=keystore.DEFAULT_WORK_FACTOR,
                        help=argparse.SUPPRESS)


def register(sub: Any) -> None:  # argparse's subparsers action has no public type
    keys = sub.add_parser("keys", help="the organisation's keys (NGO staff)")
    ksub = keys.add_subparsers(dest="keys_command", metavar="ACTION", required=True)

    p = ksub.add_parser("new-signing-key", help="create the organisation's Ed25519 signing key")
    p.add_argument("-o", "--output", metavar="FILE")
    _protection_args(p)
    add_passphrase_fd(p)
    p.set_defaults(func=_cmd_new_signing_key)

    p = ksub.add_parser("new-identity", help="create an age identity for a staff member")
    p.add_argument("--pq", action="store_true", help="post-quantum hybrid (ML-KEM-768 + X25519)")
    p.add_argument("-o", "--output", metavar="FILE")
    _protection_args(p)
    add_passphrase_fd(p)
    p.set_defaults(func=_cmd_new_identity)

    p = ksub.add_parser("list", help="keys created here (public parts only)")
    p.set_defaults(func=_cmd_list)

    p = ksub.add_parser("export-recipient", help="print the public recipient of a key file")
    p.add_argument("file", metavar="FILE")
    add_passphrase_fd(p)
    p.set_defaults(func=_cmd_export_recipient)

    p = ksub.add_parser("change-protection", help="re-protect a key file")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--to", required=True, choices=[p.value for p in Protection])
    p.add_argument("--work-factor", type=int, default=keystore.DEFAULT_WORK_FACTOR,
                   help=argparse.SUPPRESS)
    add_passphrase_fd(p)
    add_passphrase_fd(p, "--new-passphrase-fd")
    p.set_defaults(func=_cmd_change_protection)
