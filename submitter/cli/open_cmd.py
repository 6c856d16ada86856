"""`submitter open`: decrypt and unpack parts at the NGO, with every safety check.

If anything is wrong the destination folder is left exactly as it was and
the reason is printed plainly.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from crypto.identity_file import parse_identity_file
from crypto.recipients.base import Identity
from submitter.bundle.opener import OpenError, OpenReport, open_parts
from submitter.errors import SubmitterError
from submitter.sanitize import sanitize

MAX_IDENTITY_FILE = 1024 * 1024


class IdentityFileError(SubmitterError):
    message = "The identity (key) file could not be read."


def _identities(paths: list[str], passphrase_fd: int | None) -> list[Identity]:
    from submitter.cli.keys_cmds import passphrase_getter

    out: list[Identity] = []
    for p in paths:
        try:
            with open(p, "rb") as fh:
                data = fh.read(MAX_IDENTITY_FILE + 1)
        except OSError as exc:
            raise IdentityFileError(type(exc).__name__) from None
        out.extend(parse_identity_file(data, passphrase_getter(passphrase_fd)))
    return out


def _human(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} bytes"


def print_report(rep: OpenReport) -> None:
    print(f"Opened into {rep.folder}")
    print(f"Submission {rep.submission_id}: parts {', '.join(map(str, rep.parts_opened))} "
          f"of {rep.part_count}")
    for f in rep.files:
        print(f"  {sanitize(f.name)}  {f.kind}  {_human(f.size)}  sha256 {f.sha256}")
        if f.removed:
            print(f"    removed: {len(f.removed)} identifying details")
        if not f.lossless:
            print("    re-encoded by the sender's cleaner")
        for w in f.warnings:
            print(f"    warning: {sanitize(w)}")
    for name in rep.incomplete:
        print(f"  INCOMPLETE (needs the missing parts): {sanitize(name)}")
    if rep.message:
        print("Message from the source (also in message.txt):")
        for line in rep.message.splitlines()[:20]:
            print(f"  | {sanitize(line)}")


def _cmd_open(args: argparse.Namespace) -> int:
    identities = _identities(args.identity, args.passphrase_fd)
    try:
        rep = open_parts([Path(p) for p in args.parts], identities, Path(args.output))
    except OpenError as exc:
        print(f"submitter: error: {exc}", file=sys.stderr)
        print("Nothing was written.", file=sys.stderr)
        return 1
    print_report(rep)
    return 0


def register(sub: Any) -> None:  # argparse's subparsers action has no public type
    from submitter.cli.keys_cmds import add_passphrase_fd

    p = sub.add_parser("open", help="decrypt and unpack submission parts safely (NGO staff)")
    p.add_argument("-i", "--identity", action="append", required=True, metavar="IDENTITY",
                   help="identity (key) file; may be repeated")
    p.add_argument("-o", "--output", required=True, metavar="DIR",
                   help="existing folder; a new folder for the submission is made inside it")
    add_passphrase_fd(p)
    p.add_argument("parts", nargs="+", metavar="PART")
    p.set_defaults(func=_cmd_open)
