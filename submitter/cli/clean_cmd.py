"""`submitter clean [--show] [--out DIR] FILE...`: show and remove metadata.

Each file is detected from its content, inspected and, with ``--out``,
cleaned and verified, then written to ``DIR/<basename>`` through a temporary
file in DIR that is linked into place (never overwriting anything). What
cleaning cannot remove (faces, voices, text burned into a picture) is printed
under each file as a warning. A file that cannot be cleaned with certainty is
explained on stderr; the exit status is 2 if any file was refused, 0 if all
were cleaned (or, without ``--out``, all could be). File names are taken
literally: use ``--`` before names that start with ``-``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any, TextIO

from submitter.metadata import engine
from submitter.metadata.model import CleanPlan, CleanRefused, Inspection
from submitter.metadata.source import Source
from submitter.sanitize import sanitize

EXIT_OK = 0
EXIT_USAGE = 1
EXIT_REFUSED = 2


class _Refusal(Exception):
    """A per-file problem outside the cleaners (missing file, existing output)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def register(sub: Any) -> None:  # argparse's subparsers action has no public type
    parser = sub.add_parser(
        "clean",
        help="show and remove identifying details from files",
        description=(
            "Show what each file reveals and write cleaned copies. Files that cannot "
            "be cleaned with certainty are refused (exit status 2)."
        ),
        allow_abbrev=False,  # "--o" must never silently mean "--out"
    )
    parser.add_argument("--show", action="store_true", help="print what each file reveals")
    parser.add_argument("--out", metavar="DIR", type=Path,
                        help="write cleaned copies to DIR/<name> (DIR must exist)")
    parser.add_argument("files", nargs="+", metavar="FILE",
                        help="files to check (put -- before names starting with '-')")
    parser.set_defaults(func=run)


def _label(path: Path) -> str:
    return sanitize(str(path), max_len=200)


def _print_inspection(label: str, result: Inspection, out: TextIO) -> None:
    if not result.findings:
        print(f"{label}: {result.kind}: nothing identifying found", file=out)
    else:
        print(f"{label}: {result.kind}: {len(result.findings)} identifying details", file=out)
    for finding in result.findings:
        print(f"  [{finding.category.value}] {sanitize(finding.field, max_len=120)}: "
              f"{sanitize(finding.untrusted_value, max_len=200)}", file=out)
    _print_warnings(result.warnings, (), out)


def _print_warnings(warnings: Sequence[str], shown: Collection[str], out: TextIO) -> None:
    """What cleaning cannot remove (text burned into a picture, voices...),
    once per file: those ``--show`` already printed are not repeated."""
    for warning in warnings:
        if warning not in shown:
            print(f"  warning: {sanitize(warning, max_len=1000)}", file=out)


def _write_plan(plan: CleanPlan, target: Path) -> None:
    """Write through a temporary file in the target's folder, then link it in.

    ``os.link`` fails if the target exists, so a file appearing meanwhile is
    never overwritten; the temporary name is removed in every case.
    """
    fd, tmp_name = tempfile.mkstemp(prefix=".clean-", suffix=".part", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            plan.write_to(fh)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, target)
        except FileExistsError as exc:
            raise _Refusal("A file with this name already exists there; it was not "
                           "overwritten.") from exc
        except OSError:
            # Some file systems (FAT on USB sticks) have no hard links.
            if target.exists():
                raise _Refusal("A file with this name already exists there; it was not "
                               "overwritten.") from None
            os.rename(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _one(path: Path, args: argparse.Namespace) -> None:
    if not path.is_file():
        raise _Refusal("This is not a file that can be read.")
    src = Source.from_path(path)
    name = path.name
    shown: tuple[str, ...] = ()
    if args.show:
        inspection = engine.inspect(src, name)
        _print_inspection(_label(path), inspection, sys.stdout)
        shown = inspection.warnings
    target: Path | None = None
    if args.out is not None:
        target = args.out / name
        if target.exists() or target.is_symlink():
            raise _Refusal("A file with this name already exists there; it was not "
                           "overwritten.")
    plan = engine.prepare(src, name)
    if target is None:
        if not args.show:
            print(f"{_label(path)}: can be cleaned", file=sys.stdout)
        _print_warnings(plan.report.warnings, shown, sys.stdout)
        return
    _write_plan(plan, target)
    how = "pixels/sound unchanged" if plan.report.lossless else "re-encoded (not bit-identical)"
    print(f"{_label(path)}: cleaned -> {_label(target)} ({how}, "
          f"{len(plan.report.removed)} details removed)", file=sys.stdout)
    for note in plan.report.notes:
        print(f"  note: {note}", file=sys.stdout)
    _print_warnings(plan.report.warnings, shown, sys.stdout)


def run(args: argparse.Namespace) -> int:
    if args.out is not None and not args.out.is_dir():
        print("submitter: error: the --out folder must already exist.", file=sys.stderr)
        return EXIT_USAGE
    refused = 0
    for raw in args.files:
        path = Path(raw)
        try:
            _one(path, args)
        except CleanRefused as exc:
            refused += 1
            print(f"submitter: {_label(path)}: refused: {exc.message}", file=sys.stderr)
        except _Refusal as exc:
            refused += 1
            print(f"submitter: {_label(path)}: refused: {exc.message} "
                  "It will not be sent.", file=sys.stderr)
        except OSError:
            refused += 1
            print(f"submitter: {_label(path)}: refused: the file could not be read or "
                  "written. It will not be sent.", file=sys.stderr)
    return EXIT_REFUSED if refused else EXIT_OK
