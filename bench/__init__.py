"""Benchmarks: every figure is a ratio against a peer measured in the same run."""

from __future__ import annotations

import os
from pathlib import Path


def write_random_file(path: Path, size: int) -> None:
    """``size`` random bytes at ``path`` (incompressible, like ciphertext or video),
    written in blocks so gigabytes never sit in memory at once."""
    block = 16 << 20
    with open(path, "wb") as f:
        left = size
        while left:
            n = min(block, left)
            f.write(os.urandom(n))
            left -= n
