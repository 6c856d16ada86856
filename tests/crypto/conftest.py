"""Fixtures for the crypto tests: the peers' paths and a CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from tests.peers import REPO, tool

CliRunner = Callable[..., subprocess.CompletedProcess[bytes]]


@pytest.fixture(scope="session")
def age_bin() -> str:
    return tool("age")


@pytest.fixture(scope="session")
def age_keygen_bin() -> str:
    return tool("age-keygen")


def _run_cli(
    args: Sequence[str],
    *,
    input: bytes | None = None,
    passphrase: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[bytes]:
    """`python -m submitter ARGS`; a passphrase goes through a pipe as --passphrase-fd."""
    argv = [sys.executable, "-m", "submitter", *args]
    pass_fds: tuple[int, ...] = ()
    read_fd = -1
    if passphrase is not None:
        read_fd, write_fd = os.pipe()
        os.write(write_fd, passphrase.encode() + b"\n")
        os.close(write_fd)
        argv[4:4] = ["--passphrase-fd", str(read_fd)]
        pass_fds = (read_fd,)
    try:
        return subprocess.run(
            argv, cwd=REPO, input=input, capture_output=True, timeout=timeout,
            pass_fds=pass_fds, check=False)
    finally:
        if read_fd >= 0:
            os.close(read_fd)


@pytest.fixture
def cli() -> CliRunner:
    return _run_cli


def cli_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO)
    return env


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
