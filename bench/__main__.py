"""`make bench`: run every benchmark module in turn; each prints its own table.

Modules are listed explicitly; each exposes ``main() -> None``. Pass module
names to run a subset: ``python -m bench crypto``.
"""

from __future__ import annotations

import importlib
import sys

MODULES: list[str] = ["crypto", "metadata", "submit", "upload", "ui", "package"]


def main(argv: list[str]) -> int:
    chosen = argv or MODULES
    for name in chosen:
        print(f"\n=== bench: {name} ===", flush=True)
        importlib.import_module(f"bench.{name}").main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
