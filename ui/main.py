"""Console entry point `submitter`: no arguments starts the app, else the CLI.

It lives in ui/ because starting the window is the one thing only ui/ may do;
the command line path never imports Qt.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args == ["--demo"]:
        from ui.app import run_app

        return run_app([sys.argv[0], *args])
    from submitter.cli import run_cli

    return run_cli(args)


if __name__ == "__main__":
    sys.exit(main())
