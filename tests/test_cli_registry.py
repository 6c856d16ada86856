"""The command registry: every command is reachable, and each loads alone."""

from __future__ import annotations

import subprocess
import sys

import pytest

from submitter.cli import COMMANDS, build_parser


def test_every_module_registers_the_commands_it_is_listed_for() -> None:
    for name, load in COMMANDS.items():
        parser = build_parser([name])
        sub = next(a for a in parser._actions if a.dest == "command")
        assert name in sub.choices, name  # type: ignore[attr-defined]
        assert load().__name__.startswith("submitter.cli.")


def test_help_lists_every_command() -> None:
    text = build_parser([]).format_help()
    for name in COMMANDS:
        assert name in text


@pytest.mark.parametrize("heavy", ["PIL", "pikepdf", "httpx", "PySide6"])
def test_decrypt_does_not_import_heavy_libraries(heavy: str) -> None:
    code = (
        "import sys\n"
        "from submitter.cli import build_parser\n"
        "build_parser(['decrypt'])\n"
        f"print({heavy!r} in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
