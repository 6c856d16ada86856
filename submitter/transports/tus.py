"""A small tus 1.0 client on httpx: creation, HEAD to resume, PATCH in chunks,
checksum when the server offers it (crc32 if offered, else sha1), termination.

The upload URL is the resume state: it is saved (sealed by the outbox) right
after creation, and every send starts with HEAD, trusting only the server's
``Upload-Offset``. A new upload is created only when there is none yet or the
server says the old one is gone (404/410), so a restart never sends a part
twice as two uploads. Upload-Metadata is never sent: nothing names the part.
"""

from __future__ import annotations

import base64
import os
import threading
from collections.abc import Callable, Iterator
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
from submitter.tus_wire import CHECKSUMS, TUS_VERSION, Checksum, parse_header_int

DEFAULT_CHUNK = 64 * 1024 * 1024
# Through a proxy (Tor) circuits drop more often, and with a checksum the server keeps
# nothing of a chunk cut short: smaller chunks lose less when that happens.
PROXY_CHECKSUM_CHUNK = 16 * 1024 * 1024
_MAX_OFFSET_RETRIES = 5


@dataclass(frozen=True)
class ServerOptions:
    extensions: frozenset[str]
    max_size: int | None
    checksum_algorithms: frozenset[str] = frozenset()


# Order of preference: CHECKSUMS lists the algorithms cheapest first.
CHECKSUM_PREFERENCE: tuple[str, ...] = tuple(CHECKSUMS)


def pick_checksum(offered: frozenset[str]) -> str | None:
    """The first algorithm of CHECKSUM_PREFERENCE the server offers, or None."""
    for name in CHECKSUM_PREFERENCE:
        if name in offered:
            return name
    return None


def _checksum_function(name: str) -> Callable[[], Checksum]:
    return CHECKSUMS[name][0]


_SLICE = 256 * 1024


@dataclass(frozen=True)
class _Prepared:
    offset: int
    digest: str


def _prepare(fd: int, offset: int, length: int,
             checksum: Callable[[], Checksum]) -> _Prepared:
    """Checksum one chunk for Upload-Checksum, reading it with pread (no shared file
    position) in small blocks that are summed while they are still in the CPU cache.
    The chunk is then streamed from the file like any other: parts never change once
    queued, and if one did the server would answer 460 and the chunk be sent again."""
    buffer = memoryview(bytearray(min(_SLICE, max(length, 1))))
    summer = checksum()
    got = 0
    while got < length:
        n = os.preadv(fd, [buffer[:min(len(buffer), length - got)]], offset + got)
        if n <= 0:
            raise DeliveryError("part file shorter than recorded")
        summer.update(buffer[:n])
        got += n
    return _Prepared(offset, base64.b64encode(summer.digest()).decode())


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


def _header_list(untrusted: str) -> frozenset[str]:
    return frozenset(e.strip().lower() for e in untrusted.split(",") if e.strip())


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
        names = _header_list(resp.headers.get("Tus-Extension", ""))
        algorithms = _header_list(resp.headers.get("Tus-Checksum-Algorithm", ""))
        if "checksum" in names and not algorithms:
            algorithms = frozenset({"sha1"})  # the one the extension makes mandatory
        return ServerOptions(names, parse_header_int(resp.headers.get("Tus-Max-Size")), algorithms)

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
        offset = parse_header_int(resp.headers.get("Upload-Offset"))
        length = parse_header_int(resp.headers.get("Upload-Length"))
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
            algorithm = (pick_checksum(opts.checksum_algorithms)
                         if self._checksums and "checksum" in opts.extensions else None)
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
            self._patch_all(client, url, job, offset, algorithm, progress, cancel)
        progress(SendProgress(job.part_id, Phase.DONE, job.size, job.size))
        return SendResult(job.size)

    def _patch_all(self, client: httpx.Client, url: httpx.URL, job: SendJob, offset: int,
                   algorithm: str | None, progress: ProgressCallback,
                   cancel: threading.Event) -> None:
        # With a checksum each chunk is summed before it is sent (the value goes in the
        # headers); a helper thread sums the next chunk while this one is on the wire
        # (zlib, hashlib and reads release the GIL). Big chunks save round trips, in
        # which client and server wait for each other.
        checksum = None if algorithm is None else _checksum_function(algorithm)
        small = checksum is not None and self._proxy is not None
        chunk_size = self._chunk or (PROXY_CHECKSUM_CHUNK if small else DEFAULT_CHUNK)
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
                    if checksum is not None:
                        prepared = ahead.result() if ahead is not None else None
                        if prepared is None or prepared.offset != offset:
                            prepared = _prepare(fd, offset, length, checksum)
                        ahead = None
                        nxt = offset + length
                        if nxt < job.size:
                            ahead = helper.submit(_prepare, fd, nxt,
                                                  min(chunk_size, job.size - nxt), checksum)
                        headers["Upload-Checksum"] = f"{algorithm} {prepared.digest}"
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
                    new_offset = parse_header_int(resp.headers.get("Upload-Offset"))
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
