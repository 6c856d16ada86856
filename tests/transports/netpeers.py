"""Real peers on loopback for the delivery tests: our inbox server, @tus/server,
onionshare-cli, microsocks, and a small TCP relay that counts, throttles or cuts
traffic. Every start waits for the peer's own "ready" line or port, with a timeout."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from nacl.pwhash import argon2id

from crypto.statekey import PassphraseStateKeyStore
from submitter.outbox.queue import Outbox, PartId
from tests import peers

REPO = peers.REPO
START_TIMEOUT = 30.0


def fast_key_store(data_dir: Path) -> PassphraseStateKeyStore:
    # The real passphrase store, with the cheapest Argon2id settings to keep tests quick.
    return PassphraseStateKeyStore(data_dir / "state.salt", "test passphrase",
                                   opslimit=argon2id.OPSLIMIT_MIN, memlimit=argon2id.MEMLIMIT_MIN)


def make_outbox(data_dir: Path) -> Outbox:
    return Outbox(fast_key_store(data_dir), data_dir)


def add_part(ob: Outbox, data: bytes, destination: object) -> tuple[PartId, bytes]:
    """Write a part the way the pipeline does (staging file, rename) and queue it."""
    from submitter.outbox.queue import staging_path

    final = ob.new_part_path()
    staging = staging_path(final)
    staging.write_bytes(data)
    os.replace(staging, final)
    return ob.enqueue(final, destination), data  # type: ignore[arg-type]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(proc: Proc, port: int, what: str) -> None:
    """Wait until ``proc`` accepts connections on ``port``; fail at once if it exits.

    The peer prints nothing when its socket is ready, so the wait is on the
    process itself: each round blocks in ``wait`` (which returns the moment the
    peer dies) rather than sleeping blind."""
    deadline = time.monotonic() + START_TIMEOUT
    while not port_open(port):
        if proc.popen.poll() is not None:
            raise AssertionError(f"{what} exited ({proc.popen.returncode}) before listening")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what} on port {port}")
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.popen.wait(timeout=0.05)


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


@dataclass
class Proc:
    popen: subprocess.Popen[str]
    lines: queue.Queue[str] = field(default_factory=queue.Queue)
    seen: list[str] = field(default_factory=list)

    def start_reader(self) -> None:
        def pump() -> None:
            assert self.popen.stdout is not None
            for line in self.popen.stdout:
                self.lines.put(line)
        threading.Thread(target=pump, daemon=True).start()

    def wait_line(self, pattern: str, timeout: float = START_TIMEOUT) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no line matching {pattern!r}; saw {self.seen!r}")
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            self.seen.append(line)
            m = rx.search(line)
            if m:
                return m

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=10)


def spawn(argv: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None,
          preexec: Callable[[], None] | None = None) -> Proc:
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         env=env, cwd=cwd, preexec_fn=preexec)
    proc = Proc(p)
    proc.start_reader()
    return proc


def start_inbox(directory: Path, port: int = 0, *extra: str,
                preexec: Callable[[], None] | None = None) -> tuple[Proc, str]:
    proc = spawn([sys.executable, "-m", "submitter", "inbox", "serve", "--dir", str(directory),
                  "--port", str(port), *extra], cwd=REPO, preexec=preexec)
    m = proc.wait_line(r"listening on (http://\S+)")
    return proc, m.group(1)


def inbox_received(root: Path) -> list[bytes]:
    """The parts our inbox server at ``root`` has completed, in a stable order."""
    return [p.read_bytes() for p in sorted((root / "received").glob("*/part"))]


def start_tus_node(directory: Path, port: int = 0) -> tuple[Proc, str]:
    node = peers.tool("node")
    proc = spawn([node, str(REPO / "tests" / "transports" / "tus_server.mjs"), str(port),
                  str(directory)])
    m = proc.wait_line(r"listening (http://\S+)")
    return proc, m.group(1)


def start_onionshare(data_dir: Path, home: Path, *extra: str) -> tuple[Proc, str]:
    cli = peers.ONIONSHARE_CLI
    if not cli.exists():
        raise RuntimeError("onionshare-cli is missing: run `make test`, which installs it")
    env = dict(os.environ)
    env["PATH"] = f"{peers.TOR_STUB_DIR}{os.pathsep}{env.get('PATH', '')}"
    env["HOME"] = str(home)
    proc = spawn([str(cli), "--local-only", "--receive", "--data-dir", str(data_dir), *extra],
                 env=env)
    m = proc.wait_line(r"(http://127\.0\.0\.1:\d+)")
    port = int(m.group(1).rsplit(":", 1)[1])
    wait_port(proc, port, "onionshare")
    return proc, m.group(1)


def start_microsocks(port: int, bind_out: str | None = None) -> Proc:
    argv = [peers.tool("microsocks"), "-i", "127.0.0.1", "-p", str(port)]
    if bind_out:
        argv += ["-b", bind_out]
    proc = spawn(argv)
    wait_port(proc, port, "microsocks")
    return proc


class TcpForwarder:
    """A TCP forwarder in front of a server: every accepted connection gets
    its own upstream connection and two ``_pump`` threads, one each way. Subclasses
    say what a pump does with the bytes; ``close`` ends every connection."""

    def __init__(self, upstream: tuple[str, int], bind_host: str, backlog: int) -> None:
        self.upstream = upstream
        self._lock = threading.Lock()
        self._socks: list[socket.socket] = []
        self._stop = threading.Event()
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((bind_host, 0))
        self._listener.listen(backlog)
        self._listener.settimeout(0.2)
        self.port = int(self._listener.getsockname()[1])

    def start(self) -> None:
        """Begin accepting; called last by a subclass's constructor, once it is ready."""
        threading.Thread(target=self._accept, daemon=True).start()

    def _accepted(self, peer: str) -> None:
        """A client connected from ``peer``, before the upstream connection is made."""

    def _pump(self, src: socket.socket, dst: socket.socket, up: bool) -> None:
        raise NotImplementedError

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, addr = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            self._accepted(addr[0])
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            self._socks += [client, server]
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        for s in self._socks:
            with contextlib.suppress(OSError):
                s.close()


class Relay(TcpForwarder):
    """A TCP forwarder in front of a server: counts bytes and connections, records
    peer addresses, can throttle client->server traffic or cut a connection once."""

    def __init__(self, upstream_port: int, *, host: str = "127.0.0.1",
                 rate: float | None = None, cut_after: int | None = None) -> None:
        # Bound to every address: accepts 127.0.0.2 (microsocks -b) too.
        super().__init__((host, upstream_port), "0.0.0.0", 16)
        self.rate = rate
        self.cut_after = cut_after
        self.bytes_up = 0
        self._moved = threading.Condition(self._lock)  # notified as bytes_up grows
        self.connections = 0
        self.peers: list[str] = []
        self.start()

    def wait_bytes_up(self, at_least: int, timeout: float) -> None:
        """Block until ``at_least`` bytes went client->server (woken by the pump)."""
        with self._moved:
            if not self._moved.wait_for(lambda: self.bytes_up >= at_least, timeout):
                raise AssertionError(f"only {self.bytes_up} of {at_least} bytes reached the server")

    def _accepted(self, peer: str) -> None:
        with self._lock:
            self.connections += 1
            self.peers.append(peer)

    def _pump(self, src: socket.socket, dst: socket.socket, up: bool) -> None:
        started = time.monotonic()
        moved = 0
        try:
            src.settimeout(None)
            while not self._stop.is_set():
                data = src.recv(16384)
                if not data:
                    break
                if up:
                    cut = False
                    with self._lock:
                        limit = self.cut_after
                        if limit is not None and self.bytes_up + len(data) >= limit:
                            data = data[: limit - self.bytes_up]
                            self.cut_after = None  # only once
                            cut = True
                        self.bytes_up += len(data)
                        self._moved.notify_all()
                    if cut:
                        dst.sendall(data)
                        for s in (src, dst):  # shutdown sends FIN even with a reader blocked
                            with contextlib.suppress(OSError):
                                s.shutdown(socket.SHUT_RDWR)
                        return
                    moved += len(data)
                    if self.rate:
                        ahead = moved / self.rate - (time.monotonic() - started)
                        # Pacing to the set rate; closing the relay ends the pause at once.
                        if ahead > 0 and self._stop.wait(ahead):
                            break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
