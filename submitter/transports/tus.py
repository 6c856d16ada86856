"""A small tus 1.0 client on httpx: creation, HEAD to resume, PATCH in chunks,
checksum (sha1) when the server offers it, termination.

The upload URL is the resume state: it is saved (sealed by the outbox) right
after creation, and every send starts with HEAD, trusting only the server's
``Upload-Offset``. A new upload is created only when there is none yet or the
server says the old one is gone (404/410), so a restart never sends a part
twice as two uploads. Upload-Metadata is never sent: nothing names the part.
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import BinaryIO

import httpx

from submitter.transports.base import (
    Phase,
    ProgressCallback,
    SendJob,
    SendProgress,
    SendResult,
    check_cancel,
)
from submitter.transports.errors import (
    DeliveryError,
    DestinationInvalidError,
    PartTooLargeError,
    ServerProtocolError,
)
from submitter.transports.http_errors import from_httpx, from_status
from submitter.transports.proxy import ProxyConfig, check_target_url, make_client

TUS_VERSION = "1.0.0"
DEFAULT_CHUNK = 16 * 1024 * 1024
_MAX_OFFSET_RETRIES = 5


@dataclass(frozen=True)
class ServerOptions:
    extensions: frozenset[str]
    max_size: int | None


def _parse_int(untrusted: str | None) -> int | None:
    if untrusted is None:
        return None
    value = untrusted.strip()
    if not value.isdigit() or len(value) > 19:
        return None
    return int(value)


_SLICE = 256 * 1024
_STREAM_CHUNK = 64 * 1024 * 1024


def _slices(chunk: bytes, cancel: threading.Event) -> Iterator[bytes]:
    view = memoryview(chunk)
    for start in range(0, len(view), _SLICE):
        check_cancel(cancel)
        yield view[start:start + _SLICE]  # type: ignore[misc]


@dataclass(frozen=True)
class _Prepared:
    offset: int
    data: bytes
    digest: str


def _prepare(fd: int, offset: int, length: int) -> _Prepared:
    """Read one chunk with pread (no shared file position) and hash it for Upload-Checksum."""
    parts: list[bytes] = []
    got = 0
    while got < length:
        block = os.pread(fd, length - got, offset + got)
        if not block:
            raise DeliveryError("part file shorter than recorded")
        parts.append(block)
        got += len(block)
    data = parts[0] if len(parts) == 1 else b"".join(parts)
    digest = hashlib.sha1(data).digest()  # noqa: S324 - tus checksum, integrity only
    return _Prepared(offset, data, base64.b64encode(digest).decode())


def _file_slices(fh: BinaryIO, offset: int, length: int,
                 cancel: threading.Event) -> Iterator[bytes]:
    fh.seek(offset)
    left = length
    while left:
        check_cancel(cancel)
        block = fh.read(min(_SLICE, left))
        if not block:
            raise DeliveryError("part file shorter than recorded")
        left -= len(block)
        yield block


class _UploadGone(Exception):
    """The server no longer knows the upload (expired or terminated)."""


class TusTransport:
    name = "tus"

    def __init__(
        self, endpoint: str, proxy: ProxyConfig | None = None, *, chunk_size: int | None = None,
        checksums: bool = True,
    ) -> None:
        self._endpoint = check_target_url(endpoint, proxy)
        self._proxy = proxy
        self._chunk = None if chunk_size is None else max(1, chunk_size)
        # Send Upload-Checksum whenever the server offers it (the default).
        self._checksums = checksums

    # --- helpers ---

    def _headers(self, **extra: str) -> dict[str, str]:
        return {"Tus-Resumable": TUS_VERSION, **extra}

    def _same_origin(self, untrusted_location: str) -> httpx.URL:
        try:
            url = self._endpoint.join(untrusted_location)
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise ServerProtocolError("unparsable Location") from exc
        # A server must not send us on to another host: without a proxy that
        # would be a connection the source never chose.
        origin = (self._endpoint.scheme, self._endpoint.host, self._endpoint.port)
        if (url.scheme, url.host, url.port) != origin:
            raise ServerProtocolError("Location points to another origin")
        return url

    def _request(self, client: httpx.Client, method: str, url: httpx.URL | str,
                 **kwargs: object) -> httpx.Response:
        try:
            return client.request(method, url, **kwargs)  # type: ignore[arg-type]
        except httpx.HTTPError as exc:
            raise from_httpx(exc, self._proxy) from exc

    def options(self, client: httpx.Client) -> ServerOptions:
        resp = self._request(client, "OPTIONS", self._endpoint, headers=self._headers())
        if resp.status_code not in (200, 204):
            # OPTIONS is optional in tus; a server without it offers only the core.
            return ServerOptions(frozenset(), None)
        exts = resp.headers.get("Tus-Extension", "")
        names = frozenset(e.strip().lower() for e in exts.split(",") if e.strip())
        return ServerOptions(names, _parse_int(resp.headers.get("Tus-Max-Size")))

    def _create(self, client: httpx.Client, size: int) -> httpx.URL:
        resp = self._request(
            client, "POST", self._endpoint,
            headers=self._headers(**{"Upload-Length": str(size), "Content-Length": "0"}),
        )
        if resp.status_code != 201:
            raise from_status(resp.status_code)
        location = resp.headers.get("Location")
        if not location:
            raise ServerProtocolError("201 without Location")
        return self._same_origin(location)

    def _head(self, client: httpx.Client, url: httpx.URL, size: int) -> int:
        resp = self._request(client, "HEAD", url, headers=self._headers())
        if resp.status_code in (404, 410, 403):
            raise _UploadGone()
        if resp.status_code not in (200, 204):
            raise from_status(resp.status_code)
        offset = _parse_int(resp.headers.get("Upload-Offset"))
        length = _parse_int(resp.headers.get("Upload-Length"))
        if offset is None or offset > size or (length is not None and length != size):
            raise ServerProtocolError("bad Upload-Offset or Upload-Length")
        return offset

    # --- the transport ---

    def send(self, job: SendJob, progress: ProgressCallback, cancel: threading.Event) -> SendResult:
        progress(SendProgress(job.part_id, Phase.CONNECTING, 0, job.size))
        with make_client(self._proxy) as client:
            opts = self.options(client)
            if opts.max_size is not None and job.size > opts.max_size:
                raise PartTooLargeError("larger than Tus-Max-Size")
            use_checksum = self._checksums and "checksum" in opts.extensions
            url: httpx.URL | None = None
            offset = 0
            if job.resume:
                url = self._same_origin(job.resume)
                try:
                    offset = self._head(client, url, job.size)
                except _UploadGone:
                    url = None
                    job.save_resume(None)
            if url is None:
                check_cancel(cancel)
                url = self._create(client, job.size)
                job.save_resume(str(url))
                offset = 0
            job.save_offset(offset)
            self._patch_all(client, url, job, offset, use_checksum, progress, cancel)
        progress(SendProgress(job.part_id, Phase.DONE, job.size, job.size))
        return SendResult(job.size)

    def _patch_all(self, client: httpx.Client, url: httpx.URL, job: SendJob, offset: int,
                   use_checksum: bool, progress: ProgressCallback,
                   cancel: threading.Event) -> None:
        # With a checksum each chunk is read and hashed before it is sent, so it is held
        # in memory; a helper thread prepares the next chunk while this one is on the
        # wire (hashlib and reads release the GIL). Without one the chunk streams from
        # the file and a bigger chunk saves round trips.
        chunk_size = self._chunk or (DEFAULT_CHUNK if use_checksum else _STREAM_CHUNK)
        fd = os.open(job.path, os.O_RDONLY)
        try:
            with ThreadPoolExecutor(max_workers=1) as helper, os.fdopen(
                    os.dup(fd), "rb") as fh:
                ahead: Future[_Prepared] | None = None
                conflicts = 0
                while offset < job.size:
                    check_cancel(cancel)
                    length = min(chunk_size, job.size - offset)
                    headers = self._headers(**{
                        "Upload-Offset": str(offset),
                        "Content-Type": "application/offset+octet-stream",
                        "Content-Length": str(length),
                    })
                    body: Iterator[bytes]
                    if use_checksum:
                        prepared = ahead.result() if ahead is not None else None
                        if prepared is None or prepared.offset != offset:
                            prepared = _prepare(fd, offset, length)
                        ahead = None
                        nxt = offset + length
                        if nxt < job.size:
                            ahead = helper.submit(_prepare, fd, nxt,
                                                  min(chunk_size, job.size - nxt))
                        headers["Upload-Checksum"] = f"sha1 {prepared.digest}"
                        body = _slices(prepared.data, cancel)
                    else:
                        body = _file_slices(fh, offset, length, cancel)
                    resp = self._request(client, "PATCH", url, headers=headers, content=body)
                    if resp.status_code in (409, 460):
                        # Offset conflict or checksum mismatch: ask the server where it is.
                        conflicts += 1
                        if conflicts > _MAX_OFFSET_RETRIES:
                            raise from_status(503)
                        try:
                            offset = self._head(client, url, job.size)
                        except _UploadGone:
                            job.save_resume(None)
                            raise from_status(503) from None
                        job.save_offset(offset)
                        continue
                    if resp.status_code in (404, 410):
                        job.save_resume(None)
                        raise from_status(503)
                    if resp.status_code not in (200, 204):
                        raise from_status(resp.status_code)
                    new_offset = _parse_int(resp.headers.get("Upload-Offset"))
                    if new_offset is None or not offset < new_offset <= offset + length:
                        raise ServerProtocolError("bad Upload-Offset after PATCH")
                    offset = new_offset
                    conflicts = 0
                    job.save_offset(offset)
                    progress(SendProgress(job.part_id, Phase.SENDING, offset, job.size))
        finally:
            os.close(fd)

    def abandon(self, resume: str) -> None:
        """Termination: ask the server to drop a half-sent upload. Best effort."""
        url = self._same_origin(resume)
        with make_client(self._proxy, timeout=30.0) as client:
            resp = self._request(client, "DELETE", url, headers=self._headers())
        if resp.status_code not in (204, 404, 410):
            raise from_status(resp.status_code)


def make_tus(target: str, proxy: ProxyConfig | None, chunk_size: int | None = None) -> TusTransport:
    if not target:
        raise DestinationInvalidError("empty tus URL")
    return TusTransport(target, proxy, chunk_size=chunk_size)
