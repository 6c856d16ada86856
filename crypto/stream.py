"""The STREAM payload of age: 64 KiB ChaCha20-Poly1305 chunks, sealed on all cores.

Chunk i is sealed under the payload key with the nonce ``i`` (11 bytes, big
endian) followed by a last-chunk flag byte. The last chunk may be full; it is
empty only when the whole plaintext is empty.

Batches of chunks are split into groups that a small thread pool seals or
opens in place; libsodium releases the GIL while it works (cffi does so for
every call), so the groups run on all cores. One batch is in flight while the
previous one is written out and the next one read, with two fixed buffers per
direction, so memory stays at a few MiB whatever the size of the stream.

Why libsodium's raw cffi functions (PyNaCl's ``nacl._sodium``) rather than
``nacl.bindings``: the bindings allocate, zero and copy a fresh buffer for
every chunk and accept only ``bytes``, which halves throughput; the raw
functions seal and open straight between our preallocated buffers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

import nacl.bindings  # noqa: F401  (imported first: it runs sodium_init)
from nacl._sodium import ffi, lib

from crypto.errors import CryptoError, PayloadError

CHUNK_SIZE = 64 * 1024
TAG_SIZE = 16
ENC_CHUNK_SIZE = CHUNK_SIZE + TAG_SIZE
NONCE_SIZE = 16  # the payload nonce (HKDF salt) that follows the header
GROUP_CHUNKS = 16  # chunks per pool task: big enough to amortise the hand-off
GROUPS_PER_WORKER = 2  # groups per batch and worker, so no core idles at the tail

_Buffer = bytes | bytearray | memoryview


class ByteSource(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class ByteSink(Protocol):
    def write(self, data: bytes, /) -> object: ...


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def chunk_nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def _seal(key: bytes, counter: int, last: bool, plain: memoryview, out: memoryview) -> None:
    rc = lib.crypto_aead_chacha20poly1305_ietf_encrypt(
        ffi.from_buffer(out, require_writable=True), ffi.NULL,
        ffi.from_buffer(plain), len(plain), ffi.NULL, 0, ffi.NULL,
        chunk_nonce(counter, last), key)
    if rc != 0:
        raise CryptoError("libsodium refused to seal a chunk")


def _open(key: bytes, counter: int, last: bool, sealed: memoryview, out: memoryview) -> bool:
    rc = lib.crypto_aead_chacha20poly1305_ietf_decrypt(
        ffi.from_buffer(out, require_writable=True), ffi.NULL, ffi.NULL,
        ffi.from_buffer(sealed), len(sealed), ffi.NULL, 0,
        chunk_nonce(counter, last), key)
    return bool(rc == 0)


def _seal_group(key: bytes, first: int, plain: memoryview, out: memoryview, final: bool,
                held: range = range(0)) -> None:
    """Seal ``plain`` as consecutive chunks from counter ``first`` into ``out``.

    Chunks whose counter is in ``held`` are not sealed: their place in ``out``
    is zero-filled, to be overwritten by ``StreamWriter.seal_held``.
    """
    count = max(1, -(-len(plain) // CHUNK_SIZE))
    for i in range(count):
        piece = plain[i * CHUNK_SIZE : (i + 1) * CHUNK_SIZE]
        start = i * ENC_CHUNK_SIZE
        target = out[start : start + len(piece) + TAG_SIZE]
        if first + i in held:
            target[:] = bytes(len(target))
            continue
        _seal(key, first + i, final and i == count - 1, piece, target)


def _open_group(
    key: bytes, first: int, sealed: memoryview, out: memoryview, final: bool
) -> tuple[int, bool]:
    """Open consecutive chunks into ``out``; stop at the first that fails.

    Returns the number of plaintext bytes that authenticated (they are
    contiguous at the start of ``out``) and whether a chunk failed. When
    ``final``, the group's last chunk ends the stream and must be flagged last.
    """
    count = -(-len(sealed) // ENC_CHUNK_SIZE)
    released = 0
    for i in range(count):
        piece = sealed[i * ENC_CHUNK_SIZE : (i + 1) * ENC_CHUNK_SIZE]
        last = final and i == count - 1
        if len(piece) < TAG_SIZE or (last and len(piece) == TAG_SIZE and first + i > 0):
            return released, True  # too short for a tag, or an empty last chunk after data
        target = out[i * CHUNK_SIZE : i * CHUNK_SIZE + len(piece) - TAG_SIZE]
        if _open(key, first + i, last, piece, target):
            released += len(target)
            continue
        # A chunk that authenticates under the other flag is genuine: a full
        # not-last chunk of a truncated stream, or a last chunk followed by
        # trailing data. Release it, then fail, as age does.
        if (
            len(piece) > TAG_SIZE
            and (not last or len(piece) == ENC_CHUNK_SIZE)
            and _open(key, first + i, not last, piece, target)
        ):
            released += len(target)
        return released, True
    return released, False


class _Pool:
    """A thread pool owned by one stream object, or inline work for one core."""

    def __init__(self, workers: int | None) -> None:
        self.workers = max(1, workers if workers is not None else default_workers())
        self._executor = ThreadPoolExecutor(self.workers) if self.workers > 1 else None

    def submit(self, fn: Callable[..., Any], *args: object) -> Future[Any]:
        if self._executor is not None:
            return self._executor.submit(fn, *args)
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args))
        except Exception as exc:
            future.set_exception(exc)
        return future

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None


def read_into(src: ByteSource, view: memoryview) -> int:
    """Fill ``view`` from ``src``; fewer bytes only at end of stream."""
    readinto = getattr(src, "readinto", None)
    got = 0
    while got < len(view):
        if readinto is not None:
            n = readinto(view[got:])
        else:
            data = src.read(len(view) - got)
            n = len(data) if data else 0
            view[got : got + n] = data or b""
        if not n:
            break
        got += n
    return got


def read_full(src: ByteSource, size: int) -> bytes:
    """Read ``size`` bytes, or fewer only at end of stream (pipes return short reads)."""
    buf = bytearray(size)
    return bytes(buf[: read_into(src, memoryview(buf))])


class StreamWriter:
    """Seals plaintext handed to ``write`` and writes the chunks to ``dst`` in order."""

    def __init__(self, key: bytes, dst: ByteSink, *, workers: int | None = None) -> None:
        self._key = key
        self._dst = dst
        self._pool = _Pool(workers)
        groups = GROUPS_PER_WORKER * self._pool.workers
        self._batch_bytes = CHUNK_SIZE * GROUP_CHUNKS * groups
        self._stages = [bytearray(self._batch_bytes) for _ in range(2)]
        self._outs = [bytearray(ENC_CHUNK_SIZE * GROUP_CHUNKS * groups) for _ in range(2)]
        self._slot = 0
        self._fill = 0
        self._counter = 0
        self._in_flight: tuple[list[Future[Any]], int, int] | None = None
        self._closed = False
        # See hold(): counters of chunks kept back, their plaintext, the total.
        self._held = range(0)
        self._held_plain = bytearray()
        self._held_span = (0, 0)
        self._held_last = False
        self._total_bytes = 0

    def hold(self, start: int, end: int) -> None:
        """Keep back the chunks holding plaintext bytes ``start:end``.

        Those chunks are not sealed as they stream by: zeros of the same
        length take their place in the output, and their plaintext is kept in
        memory until ``seal_held`` gets the final bytes for ``start:end``. A
        caller can so stream data whose summary (a hash, say) must come first.
        Sealing a chunk twice under one nonce would leak both plaintexts, so a
        placeholder is never sealed. Call it before any byte past ``start``
        has been written.
        """
        if self._held or not 0 <= start < end:
            raise ValueError("one non-empty held range per stream")
        written = self._counter * CHUNK_SIZE + self._fill
        if start < written:
            raise ValueError("the held range has already been written")
        self._held = range(start // CHUNK_SIZE, (end - 1) // CHUNK_SIZE + 1)
        self._held_span = (start, end)

    def seal_held(self, data: _Buffer) -> tuple[int, bytes]:
        """Seal the held chunks with ``data`` in place of bytes ``start:end``.

        Returns the offset of the held chunks in the sealed stream and their
        ciphertext, for the caller to write over the zeros. Only after close().
        """
        if not self._closed or not self._held:
            raise ValueError("seal_held needs a closed stream with a held range")
        first, count = self._held.start, len(self._held)
        if len(self._held_plain) != min(count * CHUNK_SIZE,
                                        self._total_bytes - first * CHUNK_SIZE):
            raise ValueError("the held range was not written")
        start, end = self._held_span
        at = start - first * CHUNK_SIZE
        plain = self._held_plain
        if len(data) != end - start or at + len(data) > len(plain):
            raise ValueError("the replacement does not fit the held range")
        plain[at : at + len(data)] = data
        out = bytearray(len(plain) + count * TAG_SIZE)
        view, outv = memoryview(plain), memoryview(out)
        for i in range(count):
            piece = view[i * CHUNK_SIZE : (i + 1) * CHUNK_SIZE]
            last = self._held_last and i == count - 1
            _seal(self._key, first + i, last, piece,
                  outv[i * ENC_CHUNK_SIZE : i * ENC_CHUNK_SIZE + len(piece) + TAG_SIZE])
        plain[:] = bytes(len(plain))  # it may hold the caller's message
        self._held = range(0)
        return first * ENC_CHUNK_SIZE, bytes(out)

    def write(self, data: _Buffer) -> int:
        if self._closed:
            raise ValueError("write to a closed age stream")
        view = memoryview(data).cast("B")
        total = len(view)
        while len(view):
            # A full stage is sealed only once more data arrives: only then is it
            # known that its last chunk is not the last of the stream.
            if self._fill == self._batch_bytes:
                self._submit(final=False)
            n = min(len(view), self._batch_bytes - self._fill)
            self._stages[self._slot][self._fill : self._fill + n] = view[:n]
            self._fill += n
            view = view[n:]
        return total

    def copy_from(self, src: ByteSource) -> int:
        """Read ``src`` to its end straight into the stage buffers; return the byte count."""
        total = 0
        while True:
            if self._fill == self._batch_bytes:
                # Peek one byte to learn whether the full stage is the end.
                probe = src.read(1)
                if not probe:
                    return total
                self._submit(final=False)
                self._stages[self._slot][0:1] = probe
                self._fill = 1
                total += 1
            stage = memoryview(self._stages[self._slot])
            n = read_into(src, stage[self._fill :])
            self._fill += n
            total += n
            if self._fill < self._batch_bytes:
                return total

    def _submit(self, final: bool) -> None:
        slot, fill = self._slot, self._fill
        stage = memoryview(self._stages[slot])
        out = memoryview(self._outs[slot])
        group_bytes = CHUNK_SIZE * GROUP_CHUNKS
        futures: list[Future[Any]] = []
        chunks = max(1, -(-fill // CHUNK_SIZE))
        self._keep_held(stage[:fill], chunks, final)
        for start in range(0, max(fill, 1), group_bytes):
            end = min(start + group_bytes, fill)
            first = self._counter + start // CHUNK_SIZE
            out_start = start // CHUNK_SIZE * ENC_CHUNK_SIZE
            futures.append(self._pool.submit(
                _seal_group, self._key, first, stage[start:end], out[out_start:],
                final and end == fill, self._held))
        self._counter += chunks
        if final:
            self._total_bytes = (self._counter - chunks) * CHUNK_SIZE + fill
        # Write the previous batch while this one is being sealed.
        self._drain()
        self._in_flight = (futures, slot, fill + chunks * TAG_SIZE)
        self._slot ^= 1
        self._fill = 0

    def _keep_held(self, stage: memoryview, chunks: int, final: bool) -> None:
        """Copy the plaintext of this batch's held chunks (see hold)."""
        lo = max(self._held.start, self._counter)
        hi = min(self._held.stop, self._counter + chunks)
        if lo >= hi:
            return
        a = (lo - self._counter) * CHUNK_SIZE
        b = min((hi - self._counter) * CHUNK_SIZE, len(stage))
        self._held_plain += stage[a:b]
        if final and hi == self._counter + chunks:
            self._held_last = True
        if final and hi < self._held.stop:  # the stream ended inside the held range
            self._held = range(self._held.start, hi)

    def _drain(self) -> None:
        if self._in_flight is None:
            return
        futures, slot, length = self._in_flight
        self._in_flight = None
        for future in futures:
            future.result()
        self._dst.write(memoryview(self._outs[slot])[:length])  # type: ignore[arg-type]

    def close(self) -> None:
        """Seal the last chunk and wait for every chunk to be written."""
        if self._closed:
            return
        self._closed = True
        try:
            self._submit(final=True)
            self._drain()
        finally:
            self._pool.close()

    def abort(self) -> None:
        self._closed = True
        self._in_flight = None
        self._pool.close()


class StreamReader:
    """Opens the chunks of a payload; yields only plaintext that authenticated."""

    def __init__(self, key: bytes, src: ByteSource, *, workers: int | None = None) -> None:
        self._key = key
        self._src = src
        self._pool = _Pool(workers)
        groups = GROUPS_PER_WORKER * self._pool.workers
        self._batch_chunks = GROUP_CHUNKS * groups
        # One byte past the batch tells whether the batch's last chunk ends the stream.
        self._stages = [bytearray(self._batch_chunks * ENC_CHUNK_SIZE + 1) for _ in range(2)]
        self._outs = [bytearray(self._batch_chunks * CHUNK_SIZE) for _ in range(2)]
        self._carry: bytes = b""
        self._counter = 0
        self._eof = False

    def _read_batch(self, slot: int) -> list[Future[Any]] | None:
        """Read the next batch into ``slot`` and submit it; None at end of stream."""
        if self._eof:
            return None
        stage = memoryview(self._stages[slot])
        carried = len(self._carry)
        stage[:carried] = self._carry
        got = carried + read_into(self._src, stage[carried:])
        final = got < len(stage)
        if final:
            self._eof = True
            self._carry = b""
            length = got
            if not length and self._counter == 0:
                raise PayloadError("the payload has no chunks")
        else:
            self._carry = bytes(stage[-1:])
            length = got - 1
        out = memoryview(self._outs[slot])
        group_bytes = ENC_CHUNK_SIZE * GROUP_CHUNKS
        futures: list[Future[Any]] = []
        for start in range(0, length, group_bytes):
            end = min(start + group_bytes, length)
            index = start // ENC_CHUNK_SIZE
            futures.append(self._pool.submit(
                _open_group, self._key, self._counter + index, stage[start:end],
                out[index * CHUNK_SIZE :], final and end == length))
        self._counter += -(-length // ENC_CHUNK_SIZE)
        return futures

    def views(self) -> Generator[memoryview, None, None]:
        """Plaintext in order, as views valid until the next one is requested.

        Raises PayloadError where authentication stops, after yielding every
        byte that authenticated before that point.
        """
        try:
            slot = 0
            current = self._read_batch(slot)
            while current is not None:
                # Read ahead while the pool works; a read error waits until the
                # plaintext already authenticated has been handed out.
                read_error: Exception | None = None
                upcoming: list[Future[Any]] | None = None
                try:
                    upcoming = self._read_batch(slot ^ 1)
                except Exception as exc:
                    read_error = exc
                out = memoryview(self._outs[slot])
                for index, future in enumerate(current):
                    released, failed = future.result()
                    offset = index * GROUP_CHUNKS * CHUNK_SIZE
                    if released:
                        yield out[offset : offset + released]
                    if failed:
                        raise PayloadError("a payload chunk failed to authenticate")
                if read_error is not None:
                    raise read_error
                current = upcoming
                slot ^= 1
        finally:
            self._pool.close()

    def close(self) -> None:
        self._pool.close()
