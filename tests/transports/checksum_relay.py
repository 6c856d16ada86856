"""A loopback TCP relay for the tus checksum tests: records what the client sends and
what the server answers, and can flip one bit in the body of the first PATCH, as a
damaged link would."""

from __future__ import annotations

import contextlib
import re
import socket
import threading

_BODY_SKIP = 100  # the flipped byte sits this far into the first PATCH's body


class ChecksumRelay:
    def __init__(self, upstream_port: int, *, corrupt_first_patch: bool = False) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.sent = bytearray()      # client -> server, after any corruption
        self.answers = bytearray()   # server -> client
        self.flipped = not corrupt_first_patch
        self._target: int | None = None
        self._lock = threading.Lock()
        self._socks: list[socket.socket] = []
        self._stop = threading.Event()
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(8)
        self._listener.settimeout(0.2)
        self.port = int(self._listener.getsockname()[1])
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, server_url: str) -> str:
        return re.sub(r":\d+/", f":{self.port}/", server_url, count=1)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            self._socks += [client, server]
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

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

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        for s in self._socks:
            with contextlib.suppress(OSError):
                s.close()
