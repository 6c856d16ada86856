"""Console entry point `submitter`: no arguments starts the app, else the CLI.

It lives in ui/ because starting the window is the one thing only ui/ may do;
the command line path never imports Qt.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args:
        from ui.app import run_app

        return run_app()
    from submitter.cli import run_cli

    return run_cli(args)


if __name__ == "__main__":
    sys.exit(main())
