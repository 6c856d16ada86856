"""The command line: an explicit registry of subcommand modules.

Each module exposes ``register(subparsers)`` which adds its parser(s) and sets
``func`` (a callable taking the parsed namespace and returning an exit code).
Add a module with a loader below and its command names in ``COMMANDS``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from types import ModuleType

from crypto.errors import CryptoError
from submitter import __version__
from submitter.errors import SubmitterError


def _age() -> ModuleType:
    from submitter.cli import age_cmds

    return age_cmds


def _keys() -> ModuleType:
    from submitter.cli import keys_cmds

    return keys_cmds


def _card() -> ModuleType:
    from submitter.cli import card_cmds

    return card_cmds


def _clean() -> ModuleType:
    from submitter.cli import clean_cmd

    return clean_cmd


def _submit() -> ModuleType:
    from submitter.cli import submit_cmd

    return submit_cmd


def _open() -> ModuleType:
    from submitter.cli import open_cmd

    return open_cmd


def _outbox() -> ModuleType:
    from submitter.cli import outbox_cmds

    return outbox_cmds


def _inbox() -> ModuleType:
    from submitter.cli import inbox_cmds

    return inbox_cmds


# Command name -> the loader of the module that registers it. Each loader is
# a plain import (so a frozen build finds every module); only the chosen
# command's module is imported, so `submitter decrypt` does not pay for
# Pillow, pikepdf or httpx.
COMMANDS: dict[str, Callable[[], ModuleType]] = {
    "keygen": _age, "encrypt": _age, "decrypt": _age,
    "keys": _keys, "card": _card, "clean": _clean, "submit": _submit, "open": _open,
    "outbox": _outbox, "inbox": _inbox,
}


def _modules(argv: Sequence[str] = ()) -> list[ModuleType]:
    """The modules to register: only the chosen command's, or all for help."""
    chosen = next((a for a in argv if not a.startswith("-")), None)
    if chosen in COMMANDS:
        return [COMMANDS[chosen]()]
    return [load() for load in dict.fromkeys(COMMANDS.values())]


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="submitter",
        description="Send evidence to an NGO safely; open it at the NGO.",
    )
    parser.add_argument("--version", action="version", version=f"submitter {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _modules(argv):
        module.register(sub)
    return parser


def run_cli(argv: Sequence[str]) -> int:
    parser = build_parser(argv)
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
