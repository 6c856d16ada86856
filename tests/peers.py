"""Where the real peers installed by `make test` live."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NODE_MODULES = REPO / "tests" / "peers" / "node_modules"
PEERS = REPO / ".peers"
ONIONSHARE_CLI = PEERS / "onionshare" / "bin" / "onionshare-cli"
TOR_STUB_DIR = PEERS / "bin"  # holds a `tor` stub so onionshare-cli --local-only starts
VENV_BIN = REPO / ".venv" / "bin"


def tool(name: str) -> str:
    """Absolute path of a required peer; a missing one fails loudly, never skips."""
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"peer {name!r} is missing: run `make test`, which installs it")
    return found
