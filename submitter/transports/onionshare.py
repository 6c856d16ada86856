"""OnionShare receive mode (onionshare-cli 2.7): one multipart POST per part.

The part goes to ``<share URL>/upload-ajax`` as field ``file[]`` under its
neutral name. OnionShare answers JSON: ``info_flashes`` on success, and
``error_flashes`` on failure, usually with HTTP 200 (413 when too large). A
request is kept under 1 GiB; bigger parts are refused before connecting. There
is no resume: a dropped connection sends the whole part again.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import httpx

from crypto.stream import CHUNK_SIZE, ENC_CHUNK_SIZE
from submitter.transports.base import (
    Phase,
    ProgressCallback,
    SendJob,
    SendProgress,
    SendResult,
    check_cancel,
)
from submitter.transports.errors import (
    DestinationInvalidError,
    PartRejectedError,
    PartTooLargeError,
    ServerProtocolError,
)
from submitter.transports.http_errors import from_httpx, from_status
from submitter.transports.proxy import ProxyConfig, check_target_url, make_client

REQUEST_LIMIT = 1024**3
# Room for the multipart boundaries and headers inside the request limit.
MAX_PART = REQUEST_LIMIT - 64 * 1024
# The largest plaintext part whose age ciphertext (16 bytes more per 64 KiB
# chunk, a header well under 64 KiB) still fits in MAX_PART, in whole tar
# blocks: submissions for a share are refused up front above it, rather than
# sealed into parts the share would turn away.
LARGEST_PLAIN_PART = (MAX_PART - 64 * 1024) * CHUNK_SIZE // ENC_CHUNK_SIZE // 512 * 512
_READ = 1024 * 1024
_MAX_ANSWER = 256 * 1024


class _ProgressReader:
    """A file object for httpx's multipart encoder that reports progress and obeys cancel."""

    def __init__(self, job: SendJob, progress: ProgressCallback, cancel: threading.Event) -> None:
        self._fh = open(job.path, "rb")  # noqa: SIM115 - closed by close()
        self._job = job
        self._progress = progress
        self._cancel = cancel
        self._sent = 0

    def read(self, size: int = -1) -> bytes:
        check_cancel(self._cancel)
        data = self._fh.read(_READ if size is None or size < 0 else min(size, _READ))
        self._sent += len(data)
        self._progress(SendProgress(self._job.part_id, Phase.SENDING, self._sent, self._job.size))
        return data

    def fileno(self) -> int:
        # httpx reads the size from here, so the request carries a Content-Length
        # instead of being chunked: OnionShare checks the declared size up front.
        return self._fh.fileno()

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self.read(_READ):
            yield chunk

    def close(self) -> None:
        self._fh.close()


class OnionShareTransport:
    name = "onionshare"

    def __init__(self, base_url: str, proxy: ProxyConfig | None = None) -> None:
        url = check_target_url(base_url, proxy)
        self._upload_url = url.join(url.path.rstrip("/") + "/upload-ajax")
        self._proxy = proxy

    def send(self, job: SendJob, progress: ProgressCallback, cancel: threading.Event) -> SendResult:
        if job.size > MAX_PART:
            raise PartTooLargeError("above OnionShare's 1 GiB request limit")
        progress(SendProgress(job.part_id, Phase.CONNECTING, 0, job.size))
        reader = _ProgressReader(job, progress, cancel)
        try:
            with make_client(self._proxy) as client:
                files = {"file[]": (job.neutral_name, reader, "application/octet-stream")}
                try:
                    resp = client.post(self._upload_url, files=files)  # type: ignore[arg-type]
                except httpx.HTTPError as exc:
                    raise from_httpx(exc, self._proxy) from exc
        finally:
            reader.close()
        self._check_answer(resp)
        progress(SendProgress(job.part_id, Phase.DONE, job.size, job.size))
        return SendResult(job.size)

    @staticmethod
    def _check_answer(resp: httpx.Response) -> None:
        untrusted_body = resp.content[:_MAX_ANSWER]
        try:
            untrusted = json.loads(untrusted_body)
        except (ValueError, UnicodeDecodeError):
            untrusted = None
        if resp.status_code == 413:
            raise PartTooLargeError("HTTP 413")
        if resp.status_code != 200:
            raise from_status(resp.status_code)
        if not isinstance(untrusted, dict):
            raise ServerProtocolError("answer is not a JSON object")
        errors = untrusted.get("error_flashes")
        if errors:
            # OnionShare's texts are not shown: our fixed message says enough.
            raise PartRejectedError("error_flashes")
        if not untrusted.get("info_flashes") and "new_body" not in untrusted:
            raise ServerProtocolError("no info_flashes in answer")

    def abandon(self, resume: str) -> None:
        del resume  # nothing is kept half-sent on an OnionShare receiver


def make_onionshare(target: str, proxy: ProxyConfig | None,
                    chunk_size: int | None = None) -> OnionShareTransport:
    del chunk_size
    if not target:
        raise DestinationInvalidError("empty OnionShare URL")
    return OnionShareTransport(target, proxy)
