"""`submitter submit`: clean, pack, pad and encrypt files for an organisation.

Nothing is written if any file is refused: each refused file is listed with
its plain reason and the command exits 2, so the source removes it and tries
again (fail closed). File names are printed only to this terminal, never
stored.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from submitter.bundle import org as org_adapter
from submitter.bundle import outbox_link
from submitter.bundle.format import DEFAULT_PART_SIZE, MAX_MESSAGE_CHARS
from submitter.bundle.pipeline import FilesRefused, SubmitProgress, submit
from submitter.errors import SubmitterError
from submitter.sanitize import sanitize

_SIZE = re.compile(r"(\d+)\s*([KMG]?)(?:i?B)?", re.IGNORECASE)
_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}


class SubmitUsageError(SubmitterError):
    message = "The command line is not valid."


class MessageFileError(SubmitterError):
    message = "The message file could not be read as UTF-8 text (or is too long)."


def parse_size(text: str) -> int:
    m = _SIZE.fullmatch(text.strip())
    if m is None:
        raise argparse.ArgumentTypeError("a size like 512M, 1G or 1048576")
    return int(m.group(1)) * _UNITS[m.group(2).upper()]


def _read_message(path: str | None) -> str:
    if path is None:
        return ""
    try:
        with open(path, "rb") as fh:
            data = fh.read(4 * MAX_MESSAGE_CHARS + 1)
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MessageFileError(type(exc).__name__) from None
    if len(text) > MAX_MESSAGE_CHARS:
        raise MessageFileError("too long")
    return text


def _progress_printer() -> Any:
    if not sys.stderr.isatty():
        return None
    last = [""]

    def show(ev: SubmitProgress) -> None:
        pct = 100 * ev.bytes_done // ev.bytes_total if ev.bytes_total else 0
        line = f"{ev.stage.value}: file {ev.files_done}/{ev.files_total}, {pct}%"
        if line != last[0]:
            last[0] = line
            print("\r" + line.ljust(60), end="", file=sys.stderr, flush=True)

    return show


def _cmd_submit(args: argparse.Namespace) -> int:
    from submitter.cli.card_cmds import pin_store

    message = _read_message(args.message_file)
    organisation = org_adapter.resolve(args.to, pin_store(args))
    files = [Path(f) for f in args.files]
    show = _progress_printer()
    outbox = None
    try:
        if args.outbox is not None:
            target = Path(args.outbox)
            if not target.is_dir():
                raise SubmitUsageError("--outbox is not a folder")
            register = None
        else:
            from submitter.outbox.keystore import default_key_store
            from submitter.outbox.paths import data_dir
            from submitter.outbox.queue import Outbox

            outbox = Outbox(default_key_store(data_dir()), data_dir())
            target = outbox_link.parts_dir(outbox)
            register = outbox_link.registrar(outbox, organisation.destination,
                                           args.part_size)
        try:
            result = submit(files, organisation.recipients, target, message=message,
                            keep_names=args.keep_names, part_size=args.part_size,
                            progress=show, on_parts_ready=register)
        except FilesRefused as exc:
            if show is not None:
                print(file=sys.stderr)
            print(f"submitter: {exc.message}", file=sys.stderr)
            for r in exc.refusals:
                shown = sanitize(str(files[r.index]))
                print(f"  {shown}: {r.reason}", file=sys.stderr)
            return 2
    finally:
        if outbox is not None:
            outbox.close()
    if show is not None:
        print(file=sys.stderr)
    if organisation.newly_pinned:
        print("New organisation pinned: compare its fingerprint before relying on it "
              "(`submitter card pinned`).", file=sys.stderr)
    print(f"submission {result.submission_id}")
    for part in result.parts:
        print(part)
    return 0


def register(sub: Any) -> None:  # argparse's subparsers action has no public type
    from submitter.cli.keys_cmds import add_passphrase_fd

    p = sub.add_parser("submit", help="clean, pack, pad and encrypt files for an organisation")
    p.add_argument("--to", required=True, metavar="CARD",
                   help="a card file (verified, pinned if new) or a pinned organisation's name")
    p.add_argument("--message-file", metavar="FILE", help="a UTF-8 text message to include")
    p.add_argument("--keep-names", action="store_true",
                   help="keep the files' names (sanitised); by default they are neutral")
    p.add_argument("--part-size", type=parse_size, default=DEFAULT_PART_SIZE, metavar="SIZE",
                   help="size of each encrypted part (default 512M)")
    p.add_argument("--outbox", metavar="DIR",
                   help="write the parts into DIR instead of the app's outbox (not queued)")
    add_passphrase_fd(p)
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(func=_cmd_submit)
