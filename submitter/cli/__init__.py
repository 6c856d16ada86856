"""The command line: an explicit registry of subcommand modules.

Each module exposes ``register(subparsers)`` which adds its parser(s) and sets
``func`` (a callable taking the parsed namespace and returning an exit code).
Add a module by importing it here and listing it in ``_MODULES``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType

from crypto.errors import CryptoError
from submitter import __version__
from submitter.errors import SubmitterError


def _modules() -> list[ModuleType]:
    # Explicit imports: the frozen app must see every command.
    from submitter.cli import (
        age_cmds,
        card_cmds,
        clean_cmd,
        inbox_cmds,
        keys_cmds,
        open_cmd,
        outbox_cmds,
        submit_cmd,
    )

    return [
        age_cmds, keys_cmds, card_cmds, clean_cmd, submit_cmd, open_cmd, outbox_cmds, inbox_cmds,
    ]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="submitter",
        description="Send evidence to an NGO safely; open it at the NGO.",
    )
    parser.add_argument("--version", action="version", version=f"submitter {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _modules():
        module.register(sub)
    return parser


def run_cli(argv: Sequence[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(list(argv))
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(func(args))
    except (SubmitterError, CryptoError) as exc:
        print(f"submitter: error: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("submitter: interrupted", file=sys.stderr)
        return 130
