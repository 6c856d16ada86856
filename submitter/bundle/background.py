"""A small helper thread that lets disk writes overlap encryption.

The pipeline's write pass has four jobs: read and clean, SHA-256 (in the
caller's thread: hashlib releases the GIL, so the pool seals meanwhile),
ChaCha20-Poly1305 (the Encryptor's own pool), and writing the ciphertext.
Writes also release the GIL but can block on the disk, so they get their own
thread with a small bounded queue, and memory stays at a few MiB. (SHA-256
on a thread of its own was measured too: no faster on two cores, and its
queue cost 40-50 MB more peak memory.) The thread is owned by the object
that starts it and joined by its ``close``; an error in it is re-raised in
the caller.
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
from typing import BinaryIO

_QUEUE_ITEMS = 4  # at most ~4 x 1 MiB in flight per thread
# Written bytes are handed to the kernel's writeback in windows of this size.
# Without it a machine with much memory keeps a whole part dirty in the page
# cache and the final fsync stalls the pipeline while the disk catches up.
_WRITEBACK_WINDOW = 8 * 1024 * 1024
_FADVISE = getattr(os, "posix_fadvise", None)  # not on Windows or macOS


class _Worker:
    def __init__(self, name: str) -> None:
        self._q: queue.Queue[tuple[bytearray, int] | None] = queue.Queue(_QUEUE_ITEMS)
        # Buffers go back and forth between caller and thread instead of a new
        # bytes per put: a fresh multi-MiB object is new memory from the kernel,
        # and its page faults cost more system time than the copy itself.
        self._free: queue.SimpleQueue[bytearray] = queue.SimpleQueue()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _handle(self, data: memoryview) -> None:
        raise NotImplementedError

    def _run(self) -> None:
        while True:
            item = self._q.get()
            if item is None:
                return
            buf, n = item
            if self._error is None:
                try:
                    with memoryview(buf) as view:
                        self._handle(view[:n])
                except BaseException as exc:  # re-raised in the caller's thread
                    self._error = exc
            self._free.put(buf)

    def _buffer(self, size: int) -> bytearray:
        try:
            buf = self._free.get_nowait()
        except queue.Empty:
            return bytearray(size)
        if len(buf) < size:
            buf = bytearray(size)  # the smaller one is left to the collector
        return buf

    def put(self, data: bytes | memoryview) -> None:
        if self._error is not None:
            raise self._error
        n = len(data)
        buf = self._buffer(n)  # a copy: callers may reuse their buffer
        buf[:n] = data
        self._q.put((buf, n))

    def finish(self) -> None:
        self._q.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error


class BackgroundWriter(_Worker):
    """A write-only sink that writes to ``fh`` on its own thread."""

    def __init__(self, fh: BinaryIO) -> None:
        self._fh = fh
        self._written = 0
        self._flushed = 0
        super().__init__("bundle-write")

    def _handle(self, data: memoryview) -> None:
        self._fh.write(data)
        self._written += len(data)
        if _FADVISE is not None and self._written - self._flushed >= _WRITEBACK_WINDOW:
            # On Linux, DONTNEED starts writeback of the window's dirty pages
            # without waiting for it (and drops them from the cache once clean),
            # so the disk works while the next window is encrypted.
            _FADVISE(self._fh.fileno(), self._flushed, self._written - self._flushed,
                     os.POSIX_FADV_DONTNEED)
            self._flushed = self._written

    def write(self, data: bytes | memoryview) -> int:
        self.put(data)
        return len(data)

    def close(self) -> None:
        self.finish()

    def abandon(self) -> None:
        """Stop without raising (failure path)."""
        with contextlib.suppress(BaseException):  # the run is failing already
            self.finish()
