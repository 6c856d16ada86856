"""Run a command on a pseudo-terminal and answer its passphrase prompts.

age (and our CLI) read passphrases from /dev/tty, so tests drive them through
a pty: every prompt that mentions "passphrase" is answered with the given
text. Bounded by a timeout; the child is always reaped.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import time
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass
class TtyResult:
    returncode: int
    transcript: bytes  # everything the child wrote to the terminal
    prompts: int


def run_with_tty(
    argv: Sequence[str],
    passphrase: str,
    *,
    cwd: str | None = None,
    env: dict[str, str] | None = None,
    stdin_path: str | None = None,
    stdout_path: str | None = None,
    timeout: float = 120.0,
) -> TtyResult:
    """Run ``argv`` with a controlling terminal; stdin/stdout may go to files instead."""
    pid, master = pty.fork()
    if pid == 0:  # child: the pty is stdin/stdout/stderr and the controlling tty
        try:
            if cwd:
                os.chdir(cwd)
            if stdin_path:
                fd = os.open(stdin_path, os.O_RDONLY)
                os.dup2(fd, 0)
            if stdout_path:
                fd = os.open(stdout_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                os.dup2(fd, 1)
            os.execvpe(argv[0], list(argv), env if env is not None else dict(os.environ))
        finally:
            os._exit(127)
    transcript = bytearray()
    prompts = 0
    answered_upto = 0
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not data:
                    break
                transcript += data
                pending = bytes(transcript[answered_upto:]).lower()
                if b"passphrase" in pending and pending.rstrip().endswith(b":"):
                    os.write(master, passphrase.encode() + b"\n")
                    prompts += 1
                    answered_upto = len(transcript)
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                # Collect what is left on the terminal, then stop.
                while select.select([master], [], [], 0.1)[0]:
                    try:
                        more = os.read(master, 65536)
                    except OSError:
                        break
                    if not more:
                        break
                    transcript += more
                return TtyResult(os.waitstatus_to_exitcode(status), bytes(transcript), prompts)
        else:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        return TtyResult(os.waitstatus_to_exitcode(status), bytes(transcript), prompts)
    finally:
        os.close(master)
