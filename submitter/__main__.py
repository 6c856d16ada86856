"""`python -m submitter ARGS`: the command line only (never loads Qt)."""

from __future__ import annotations

import sys

from submitter.cli import run_cli

if __name__ == "__main__":
    sys.exit(run_cli(sys.argv[1:]))
