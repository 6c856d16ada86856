"""Where the bytes to inspect or clean come from: a file on disk, or memory.

Archive members are cleaned from memory, top-level files from disk; cleaners
read through ``open()`` and never care which.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO


@dataclass(frozen=True, slots=True)
class Source:
    path: Path | None = None
    data: bytes | None = None

    def __post_init__(self) -> None:
        if (self.path is None) == (self.data is None):
            raise ValueError("Source takes exactly one of path or data")

    @classmethod
    def from_path(cls, path: str | os.PathLike[str]) -> Source:
        return cls(path=Path(path))

    @classmethod
    def from_bytes(cls, data: bytes) -> Source:
        return cls(data=data)

    def open(self) -> BinaryIO:
        if self.data is not None:
            return io.BytesIO(self.data)
        assert self.path is not None
        return open(self.path, "rb")

    def size(self) -> int:
        if self.data is not None:
            return len(self.data)
        assert self.path is not None
        return self.path.stat().st_size

    def read_all(self, limit: int) -> bytes:
        """All bytes, refusing beyond ``limit`` (formats cleaned in memory)."""
        from submitter.metadata.model import LimitRefused

        if self.size() > limit:
            raise LimitRefused(f"{self.size()} bytes > in-memory limit {limit}")
        if self.data is not None:
            return self.data
        with self.open() as fh:
            return fh.read(limit + 1)
