"""The NGO's inbox: a tus 1.0 server (core, creation, termination, checksum with crc32 or
sha1, expiration) on Starlette, served by uvicorn with access logs off.

It stores ciphertext only, never records client addresses (no access log, no
proxy headers, nothing about the peer kept anywhere), refuses uploads above
``max_size`` (413) and answers 507 when the disk or the configured quota
cannot hold an upload, truncating any partial write so stored bytes always
match the offset it reports. Staff run it on loopback behind their Tor onion
service (see docs/inbox-server.md).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import collections
import contextlib
import email.utils
import os
import socket
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from submitter.inbox.store import (
    DISK_FULL_ERRNOS,
    InboxError,
    InboxFullError,
    InboxStore,
    UploadState,
)
from submitter.tus_wire import CHECKSUMS, TUS_VERSION, Checksum, parse_header_int

BASE_PATH = "/files/"
_EXTENSIONS = "creation,termination,checksum,expiration"
_LOCK_WAIT = 10.0
_BATCH = 1024 * 1024
_MAX_INFLIGHT = 8
# Advertised by default, cheapest first; the algorithms themselves live in tus_wire.
DEFAULT_CHECKSUMS = ("crc32", "sha1")


@dataclass(frozen=True)
class InboxConfig:
    directory: Path
    max_size: int = 4 * 1024**3
    expire_hours: float = 72.0
    max_disk: int | None = None
    sweep_every: float = 300.0
    idle_timeout: float = 120.0
    # Advertised in this order in Tus-Checksum-Algorithm; sha1 must stay (tus requires it).
    checksum_algorithms: tuple[str, ...] = DEFAULT_CHECKSUMS

    def __post_init__(self) -> None:
        unknown = [a for a in self.checksum_algorithms if a not in CHECKSUMS]
        if unknown or "sha1" not in self.checksum_algorithms:
            raise ValueError("checksum_algorithms must name known algorithms and include sha1")


def _tus_headers(**extra: str) -> dict[str, str]:
    return {"Tus-Resumable": TUS_VERSION, "Cache-Control": "no-store", **extra}


def _reply(status: int, **headers: str) -> Response:
    return Response(status_code=status, headers=_tus_headers(**headers))


def _expires_header(when: float) -> str:
    return email.utils.formatdate(when, usegmt=True)


class _UploadLock:
    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0


class InboxApp:
    def __init__(self, config: InboxConfig) -> None:
        self.config = config
        self.store = InboxStore(config.directory, max_size=config.max_size,
                                expire_seconds=config.expire_hours * 3600.0,
                                max_disk=config.max_disk)
        self._locks: dict[str, _UploadLock] = {}
        self.app = Starlette(
            routes=[
                Route(BASE_PATH, self.collection, methods=["OPTIONS", "POST"]),
                Route(BASE_PATH + "{upload_id}", self.upload,
                      methods=["HEAD", "PATCH", "DELETE", "OPTIONS"]),
            ],
            lifespan=self._lifespan,
        )

    @contextlib.asynccontextmanager
    async def _lifespan(self, _app: Starlette) -> AsyncIterator[None]:
        self.store.sweep_expired()
        task = asyncio.create_task(self._sweeper())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _sweeper(self) -> None:
        while True:
            await asyncio.sleep(self.config.sweep_every)
            await asyncio.to_thread(self.store.sweep_expired)

    def _options(self) -> Response:
        return Response(status_code=204, headers=_tus_headers(**{
            "Tus-Version": TUS_VERSION,
            "Tus-Extension": _EXTENSIONS,
            "Tus-Max-Size": str(self.config.max_size),
            "Tus-Checksum-Algorithm": ",".join(self.config.checksum_algorithms),
        }))

    @staticmethod
    def _version_ok(request: Request) -> bool:
        return request.headers.get("Tus-Resumable") == TUS_VERSION

    # --- POST /files/ ---

    async def collection(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            return self._options()
        if not self._version_ok(request):
            return _reply(412, **{"Tus-Version": TUS_VERSION})
        if "Upload-Defer-Length" in request.headers:
            return _reply(400)  # creation-defer-length is not offered
        length = parse_header_int(request.headers.get("Upload-Length"))
        if length is None:
            return _reply(400)
        if length > self.config.max_size:
            return _reply(413)
        if parse_header_int(request.headers.get("Content-Length", "0")) not in (0, None):
            return _reply(400)  # creation-with-upload is not offered
        try:
            info = await asyncio.to_thread(self.store.create, length)
        except InboxFullError:
            return _reply(507)
        except InboxError:
            return _reply(500)
        if length == 0:
            await asyncio.to_thread(self.store.complete, info)
        # Metadata from the client is ignored on purpose: nothing it sends is kept.
        return _reply(201, Location=BASE_PATH + info.id,
                      **{"Upload-Expires": _expires_header(info.created
                                                           + self.store.expire_seconds)})

    # --- /files/{id} ---

    async def upload(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            return self._options()
        if not self._version_ok(request):
            return _reply(412, **{"Tus-Version": TUS_VERSION})
        upload_id = str(request.path_params["upload_id"])
        if not self.store.valid_id(upload_id):
            return _reply(404)
        # One request at a time per upload. The entry counts its users, so it is only
        # dropped when nobody holds or waits for it.
        entry = self._locks.setdefault(upload_id, _UploadLock())
        entry.users += 1
        try:
            try:
                await asyncio.wait_for(entry.lock.acquire(), _LOCK_WAIT)
            except TimeoutError:
                return _reply(423)
            try:
                return await self._locked(request, upload_id)
            finally:
                entry.lock.release()
        finally:
            entry.users -= 1
            if entry.users == 0:
                self._locks.pop(upload_id, None)

    async def _locked(self, request: Request, upload_id: str) -> Response:
        state = self.store.load(upload_id)
        if state is None:
            return _reply(404)
        if request.method == "HEAD":
            headers = {"Upload-Offset": str(state.offset),
                       "Upload-Length": str(state.info.length)}
            if not state.complete:
                headers["Upload-Expires"] = _expires_header(state.expires)
            return _reply(200, **headers)
        if request.method == "DELETE":
            await asyncio.to_thread(self.store.terminate, upload_id)
            return _reply(204)
        return await self._patch(request, state)

    async def _patch(self, request: Request, state: UploadState) -> Response:
        if request.headers.get("Content-Type") != "application/offset+octet-stream":
            return _reply(415)
        offset = parse_header_int(request.headers.get("Upload-Offset"))
        if offset is None:
            return _reply(400)
        if state.complete or offset != state.offset:
            return _reply(409, **{"Upload-Offset": str(state.offset)})
        remaining = state.info.length - offset
        declared = parse_header_int(request.headers.get("Content-Length"))
        if declared is not None and declared > remaining:
            return _reply(413)
        checksum: bytes | None = None
        hasher: Checksum | None = None
        if "Upload-Checksum" in request.headers:
            untrusted_algo, _, untrusted_b64 = (
                request.headers["Upload-Checksum"].strip().partition(" "))
            algo = untrusted_algo.lower()
            if algo not in self.config.checksum_algorithms:
                return _reply(400)  # the tus spec's answer to an unsupported algorithm
            make, size = CHECKSUMS[algo]
            try:
                checksum = base64.b64decode(untrusted_b64.strip(), validate=True)
            except (binascii.Error, ValueError):
                return _reply(400)
            if len(checksum) != size:
                return _reply(400)
            hasher = make()
        return await self._write_body(request, state, offset, remaining, hasher, checksum)

    async def _write_body(self, request: Request, state: UploadState, offset: int, remaining: int,
                          hasher: Checksum | None, checksum: bytes | None) -> Response:
        path = self.store.data_path(state.info.id)
        fd = os.open(path, os.O_WRONLY)
        status: int | None = None
        try:
            os.lseek(fd, offset, os.SEEK_SET)
            # One writer thread per request hashes and writes batches in order while the
            # event loop keeps receiving: the two overlap, with a bounded backlog.
            with ThreadPoolExecutor(max_workers=1) as writer:
                sink = _Sink(fd, hasher, writer)
                try:
                    await self._receive(request, sink, remaining)
                except _TooLarge:
                    status = 413
                except (ClientDisconnect, TimeoutError):
                    # Without a checksum the bytes that arrived are good (tus resumes from
                    # them); with one, they cannot be verified and are dropped below.
                    status = 499 if hasher is not None else 0
                await sink.drain()
            if sink.error is not None:
                status = 507 if sink.error.errno in DISK_FULL_ERRNOS else 500
            written = sink.written
            if status is None and hasher is not None and hasher.digest() != checksum:
                status = 460
            if status not in (None, 0):
                # Back to where this request started: stored bytes always match offsets.
                os.ftruncate(fd, offset)
                written = 0
            try:
                # Flushed to disk once the upload is complete. A crash before then may
                # lose a tail that was acknowledged, which is safe: clients always ask
                # (HEAD) where to resume, and the file's size is the offset.
                if offset + written == state.info.length:
                    await asyncio.to_thread(os.fsync, fd)
            except OSError as exc:
                os.ftruncate(fd, offset)
                written = 0
                status = 507 if exc.errno in DISK_FULL_ERRNOS else 500
        finally:
            os.close(fd)
        if status not in (None, 0):
            return _reply(status, **{"Upload-Offset": str(offset)})
        new_offset = offset + written
        if new_offset == state.info.length:
            try:
                await asyncio.to_thread(self.store.complete, state.info)
            except OSError:
                return _reply(500)
        return _reply(204, **{"Upload-Offset": str(new_offset),
                              "Upload-Expires": _expires_header(state.expires)})

    async def _receive(self, request: Request, sink: _Sink, remaining: int) -> None:
        stream = request.stream().__aiter__()
        received = 0
        while True:
            # A client that vanishes without closing (a dead Tor circuit) must not
            # hold the upload's lock for ever.
            try:
                chunk = await asyncio.wait_for(stream.__anext__(), self.config.idle_timeout)
            except StopAsyncIteration:
                break
            if not chunk:
                continue
            received += len(chunk)
            if received > remaining:
                raise _TooLarge()
            await sink.put(chunk)
            if sink.error is not None:
                break


class _TooLarge(Exception):
    pass


class _Sink:
    """Batches received bytes and hands them, in order, to one writer thread."""

    def __init__(self, fd: int, hasher: Checksum | None, writer: ThreadPoolExecutor
                 ) -> None:
        self._fd = fd
        self._hasher = hasher
        self._writer = writer
        self._batch: list[bytes] = []
        self._batch_bytes = 0
        self._inflight: collections.deque[tuple[asyncio.Future[None], int]] = (
            collections.deque())
        self.written = 0
        self.error: OSError | None = None

    async def put(self, chunk: bytes) -> None:
        self._batch.append(chunk)
        self._batch_bytes += len(chunk)
        if self._batch_bytes >= _BATCH:
            self._submit()
        while len(self._inflight) > _MAX_INFLIGHT:
            await self._settle_one()

    def _submit(self) -> None:
        if not self._batch:
            return
        loop = asyncio.get_running_loop()
        fut = loop.run_in_executor(self._writer, self._write, self._batch)
        self._inflight.append((fut, self._batch_bytes))
        self._batch, self._batch_bytes = [], 0

    def _write(self, pieces: list[bytes]) -> None:
        if self.error is not None:
            return  # after a failure nothing more is written; the caller truncates
        _write_and_hash(self._fd, pieces, self._hasher)

    async def _settle_one(self) -> None:
        fut, size = self._inflight.popleft()
        try:
            await fut
        except OSError as exc:
            self.error = self.error or exc
            return
        if self.error is None:
            self.written += size

    async def drain(self) -> None:
        self._submit()
        while self._inflight:
            await self._settle_one()


def _write_and_hash(fd: int, pieces: list[bytes], hasher: Checksum | None) -> None:
    for piece in pieces:
        view = memoryview(piece)
        while view:
            n = os.write(fd, view)
            view = view[n:]
        if hasher is not None:
            hasher.update(piece)


def bind_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def serve(config: InboxConfig, sock: socket.socket) -> None:
    """Serve until interrupted. No access log, no Server/Date headers, no proxy headers."""
    import uvicorn

    inbox = InboxApp(config)
    uv_config = uvicorn.Config(
        inbox.app,
        access_log=False,
        log_config=None,
        log_level="warning",
        server_header=False,
        date_header=False,
        proxy_headers=False,
        lifespan="on",
        timeout_keep_alive=30,
        h11_max_incomplete_event_size=64 * 1024,
    )
    uvicorn.Server(uv_config).run(sockets=[sock])
