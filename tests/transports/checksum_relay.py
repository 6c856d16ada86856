"""For the tus checksum tests: a loopback TCP relay that records what the client sends
and what the server answers, and can flip one bit in the body of the first PATCH, as a
damaged link would; and the Upload-Checksum value a chunk should carry."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import re
import socket
import zlib

from tests.transports.netpeers import TcpForwarder

_BODY_SKIP = 100  # the flipped byte sits this far into the first PATCH's body


def upload_checksum(algorithm: str, data: bytes) -> str:
    """The Upload-Checksum value for ``data``, computed here with zlib and hashlib rather
    than the product's code: crc32 as 4 big-endian bytes (as tusd sends it), or sha1."""
    if algorithm == "crc32":
        digest = zlib.crc32(data).to_bytes(4, "big")
    else:
        digest = hashlib.sha1(data).digest()
    return f"{algorithm} {base64.b64encode(digest).decode()}"


class ChecksumRelay(TcpForwarder):
    def __init__(self, upstream_port: int, *, corrupt_first_patch: bool = False) -> None:
        super().__init__(("127.0.0.1", upstream_port), "127.0.0.1", 8)
        self.sent = bytearray()      # client -> server, after any corruption
        self.answers = bytearray()   # server -> client
        self.flipped = not corrupt_first_patch
        self._target: int | None = None
        self.start()

    def url(self, server_url: str) -> str:
        return re.sub(r":\d+/", f":{self.port}/", server_url, count=1)

    def _damage(self, data: bytearray) -> None:
        start = len(self.sent)
        self.sent += data
        if self.flipped:
            return
        if self._target is None:
            patch = self.sent.find(b"PATCH ")
            end = self.sent.find(b"\r\n\r\n", patch) if patch >= 0 else -1
            if end >= 0:
                self._target = end + 4 + _BODY_SKIP
        if self._target is not None and start <= self._target < len(self.sent):
            data[self._target - start] ^= 0x01
            self.sent[self._target] ^= 0x01
            self.flipped = True

    def _pump(self, src: socket.socket, dst: socket.socket, up: bool) -> None:
        try:
            src.settimeout(30)
            while not self._stop.is_set():
                data = bytearray(src.recv(65536))
                if not data:
                    break
                with self._lock:
                    if up:
                        self._damage(data)
                    else:
                        self.answers += data
                dst.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                dst.shutdown(socket.SHUT_WR)

    def checksum_headers(self) -> list[str]:
        with self._lock:
            text = bytes(self.sent).decode("latin-1")
        return re.findall(r"(?im)^Upload-Checksum: *([^\r\n]*)\r$", text)

    def statuses(self) -> list[int]:
        with self._lock:
            text = bytes(self.answers).decode("latin-1")
        return [int(s) for s in re.findall(r"(?m)^HTTP/1\.1 (\d{3}) ", text)]
