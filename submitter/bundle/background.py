"""Small helper threads that let disk writes and hashing overlap encryption.

On two cores the pipeline's second pass has four jobs: read and clean,
SHA-256, ChaCha20-Poly1305 (the Encryptor's own pool), and writing the
ciphertext. hashlib and file writes release the GIL, so giving each its own
thread with a small bounded queue keeps both cores busy while memory stays
at a few MiB. Threads are owned by the object that starts them and joined by
its ``close``; an error in a thread is re-raised in the caller.
"""

from __future__ import annotations

import contextlib
import hashlib
import queue
import threading
from typing import BinaryIO

_QUEUE_ITEMS = 4  # at most ~4 x 1 MiB in flight per thread


class _Worker:
    def __init__(self, name: str) -> None:
        self._q: queue.Queue[bytes | None] = queue.Queue(_QUEUE_ITEMS)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _handle(self, data: bytes) -> None:
        raise NotImplementedError

    def _run(self) -> None:
        while True:
            item = self._q.get()
            if item is None:
                return
            if self._error is None:
                try:
                    self._handle(item)
                except BaseException as exc:  # re-raised in the caller's thread
                    self._error = exc

    def put(self, data: bytes | memoryview) -> None:
        if self._error is not None:
            raise self._error
        self._q.put(bytes(data))  # a copy: callers may reuse their buffer

    def finish(self) -> None:
        self._q.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error


class BackgroundHasher(_Worker):
    """SHA-256 computed on its own thread; ``hexdigest()`` waits for it."""

    def __init__(self) -> None:
        self._sha = hashlib.sha256()
        super().__init__("bundle-hash")

    def _handle(self, data: bytes) -> None:
        self._sha.update(data)

    def hexdigest(self) -> str:
        self.finish()
        return self._sha.hexdigest()


class BackgroundWriter(_Worker):
    """A write-only sink that writes to ``fh`` on its own thread."""

    def __init__(self, fh: BinaryIO) -> None:
        self._fh = fh
        super().__init__("bundle-write")

    def _handle(self, data: bytes) -> None:
        self._fh.write(data)

    def write(self, data: bytes | memoryview) -> int:
        self.put(data)
        return len(data)

    def close(self) -> None:
        self.finish()

    def abandon(self) -> None:
        """Stop without raising (failure path)."""
        with contextlib.suppress(BaseException):  # the run is failing already
            self.finish()
