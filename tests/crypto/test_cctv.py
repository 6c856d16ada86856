"""All C2SP CCTV age vectors, through the public API and through `submitter decrypt`."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crypto import errors
from crypto.age import Decryptor
from crypto.header import read_header
from crypto.recipients import parse_identity
from crypto.recipients.base import Identity
from crypto.recipients.scrypt import ScryptIdentity
from tests.crypto.cctv import EXPECTED_COUNT, Vector, load, vector_paths
from tests.peers import REPO

CATEGORY = {
    "header failure": errors.HeaderError,
    "HMAC failure": errors.HmacError,
    "no match": errors.NoIdentityMatchError,
    "payload failure": errors.PayloadError,
    "armor failure": errors.ArmorError,
}

PATHS = vector_paths()


def test_all_vectors_present() -> None:
    assert len(PATHS) == EXPECTED_COUNT


def _identities(vector: Vector) -> list[Identity]:
    found: list[Identity] = [parse_identity(text) for text in vector.identities]
    found += [ScryptIdentity(p) for p in vector.passphrases]
    return found


def _check_released(vector: Vector, released: bytes) -> None:
    if vector.payload_sha256 is not None:
        assert hashlib.sha256(released).hexdigest() == vector.payload_sha256


@pytest.mark.parametrize("path", PATHS, ids=[p.name for p in PATHS])
def test_vector_public_api(path: Path) -> None:
    vector = load(path)
    released = bytearray()
    if vector.expect == "success":
        with Decryptor(io.BytesIO(vector.ciphertext), _identities(vector)) as dec:
            for chunk in dec.chunks():
                released += chunk
        _check_released(vector, bytes(released))
        return
    with (
        pytest.raises(errors.CryptoError) as caught,
        Decryptor(io.BytesIO(vector.ciphertext), _identities(vector)) as dec,
    ):
        for chunk in dec.chunks():
            released += chunk
    # Exactly the category, not a parent or sibling (e.g. header, not HMAC).
    assert type(caught.value) is CATEGORY[vector.expect], caught.value
    _check_released(vector, bytes(released))


def _run_cli(
    vector: Vector, tmp_path: Path, extra: list[str]
) -> subprocess.CompletedProcess[bytes]:
    src = tmp_path / "in.age"
    src.write_bytes(vector.ciphertext)
    argv = [sys.executable, "-m", "submitter", "decrypt", *extra]
    for n, identity in enumerate(vector.identities):
        key = tmp_path / f"key{n}.txt"
        key.write_text(f"# from the vector\n{identity}\n")
        argv += ["-i", str(key)]
    pass_fds: tuple[int, ...] = ()
    read_fd = -1
    if vector.passphrases:
        # The command line takes one passphrase; the only vector with two
        # (scrypt_double) fails on its header before any is tried.
        read_fd, write_fd = os.pipe()
        os.write(write_fd, vector.passphrases[0].encode() + b"\n")
        os.close(write_fd)
        argv += ["--passphrase-fd", str(read_fd)]
        pass_fds = (read_fd,)
    argv.append(str(src))
    try:
        return subprocess.run(
            argv, cwd=REPO, capture_output=True, timeout=120, pass_fds=pass_fds, check=False)
    finally:
        if read_fd >= 0:
            os.close(read_fd)


@pytest.mark.parametrize("path", PATHS, ids=[p.name for p in PATHS])
def test_vector_cli(path: Path, tmp_path: Path) -> None:
    vector = load(path)
    result = _run_cli(vector, tmp_path, [])
    # To stdout, exactly the plaintext that authenticated is released.
    _check_released(vector, result.stdout)
    out = tmp_path / "out.bin"
    again = _run_cli(vector, tmp_path, ["-o", str(out)])
    if vector.expect == "success":
        assert result.returncode == 0, result.stderr
        assert result.stderr == b""
        assert again.returncode == 0, again.stderr
        _check_released(vector, out.read_bytes())
        return
    assert result.returncode == 1
    lines = result.stderr.decode().splitlines()
    assert lines == [f"submitter: error: {CATEGORY[vector.expect].message}"]
    # With -o, a failure leaves no file at all, not even the temporary one.
    assert again.returncode == 1
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("key")) == [
        "in.age"]


NON_HEADER_FAILURES = [
    p for p in PATHS if load(p).expect not in {"header failure", "armor failure"}]


@pytest.mark.parametrize("path", NON_HEADER_FAILURES, ids=[p.name for p in NON_HEADER_FAILURES])
def test_vector_header_round_trip(path: Path) -> None:
    """Every header that parses serialises back to exactly the same bytes."""
    vector = load(path)
    data = vector.ciphertext
    if vector.armored:
        from crypto.armor import ArmorReader

        data = ArmorReader(io.BytesIO(data)).read()  # type: ignore[arg-type]
    buf = io.BytesIO(data)
    header = read_header(buf)
    assert header.serialize() == data[: buf.tell()]
