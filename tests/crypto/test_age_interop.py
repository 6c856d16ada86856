"""Interoperability both ways with Debian's age 1.1.1 (the Go reference implementation)."""

from __future__ import annotations

import hashlib
import random
import subprocess
import sys
from pathlib import Path

import pytest

from crypto.age import decrypt_bytes, encrypt_bytes
from crypto.identity_file import parse_identity_file
from crypto.keygen import generate_x25519
from crypto.recipients import parse_recipient
from tests.crypto.conftest import CliRunner, cli_env
from tests.crypto.ttyrun import run_with_tty
from tests.peers import REPO

SIZES = [0, 1, 65535, 65536, 65537, 3 * 1024 * 1024 + 17]
PASSPHRASE = "correct horse battery staple"


def _plaintext(size: int) -> bytes:
    return random.Random(size).randbytes(size)


def _age_keypair(age_keygen_bin: str, tmp_path: Path, name: str) -> tuple[Path, str]:
    key = tmp_path / f"{name}.txt"
    subprocess.run([age_keygen_bin, "-o", str(key)], check=True, capture_output=True)
    recipient = subprocess.run(
        [age_keygen_bin, "-y", str(key)], check=True, capture_output=True).stdout.decode().strip()
    return key, recipient


@pytest.mark.parametrize("armor", [False, True], ids=["binary", "armor"])
@pytest.mark.parametrize("size", SIZES)
def test_ours_to_age_several_recipients(
    size: int, armor: bool, tmp_path: Path, age_bin: str, age_keygen_bin: str
) -> None:
    plaintext = _plaintext(size)
    key_a, rec_a = _age_keypair(age_keygen_bin, tmp_path, "a")
    key_b, rec_b = _age_keypair(age_keygen_bin, tmp_path, "b")
    ours = generate_x25519()
    recipients = [parse_recipient(rec_a), parse_recipient(rec_b), ours.recipient()]
    ciphertext = encrypt_bytes(plaintext, recipients, armor=armor)
    if armor:
        assert ciphertext.startswith(b"-----BEGIN AGE ENCRYPTED FILE-----\n")
    enc = tmp_path / "msg.age"
    enc.write_bytes(ciphertext)
    for key in (key_a, key_b):
        out = subprocess.run([age_bin, "-d", "-i", str(key), str(enc)], capture_output=True,
                             check=False)
        assert out.returncode == 0, out.stderr
        assert out.stdout == plaintext
    assert decrypt_bytes(ciphertext, [ours]) == plaintext


@pytest.mark.parametrize("armor", [False, True], ids=["binary", "armor"])
@pytest.mark.parametrize("size", SIZES)
def test_age_to_ours_several_recipients(
    size: int, armor: bool, tmp_path: Path, age_bin: str, age_keygen_bin: str, cli: CliRunner
) -> None:
    plaintext = _plaintext(size)
    src = tmp_path / "plain.bin"
    src.write_bytes(plaintext)
    key_a, rec_a = _age_keypair(age_keygen_bin, tmp_path, "a")
    ours = generate_x25519()
    ours_key = tmp_path / "ours.txt"
    ours_key.write_text(f"{ours}\n")
    enc = tmp_path / "msg.age"
    argv = [age_bin, "-r", rec_a, "-r", str(ours.recipient()), "-o", str(enc)]
    subprocess.run([*argv, *(["-a"] if armor else []), str(src)], check=True)
    # Through the API, with each identity, and through the CLI (age's key file).
    assert decrypt_bytes(enc.read_bytes(), [ours]) == plaintext
    assert decrypt_bytes(enc.read_bytes(), parse_identity_file(key_a.read_bytes())) == plaintext
    result = cli(["decrypt", "-i", str(key_a), str(enc)])
    assert result.returncode == 0, result.stderr
    assert hashlib.sha256(result.stdout).digest() == hashlib.sha256(plaintext).digest()


@pytest.mark.parametrize("size", [0, 65536, 3 * 1024 * 1024 + 17])
def test_our_cli_to_age_cli(
    size: int, tmp_path: Path, age_bin: str, age_keygen_bin: str, cli: CliRunner
) -> None:
    plaintext = _plaintext(size)
    src = tmp_path / "plain.bin"
    src.write_bytes(plaintext)
    key_a, rec_a = _age_keypair(age_keygen_bin, tmp_path, "a")
    key_b, rec_b = _age_keypair(age_keygen_bin, tmp_path, "b")
    recipients_file = tmp_path / "recipients.txt"
    recipients_file.write_text(f"# a comment\n\n{rec_b}\n")
    enc = tmp_path / "msg.age"
    result = cli(["encrypt", "-r", rec_a, "-R", str(recipients_file), "-o", str(enc), str(src)])
    assert result.returncode == 0, result.stderr
    for key in (key_a, key_b):
        out = subprocess.run([age_bin, "-d", "-i", str(key), str(enc)], capture_output=True,
                             check=True)
        assert out.stdout == plaintext


@pytest.mark.parametrize("size", [0, 65537])
def test_passphrase_ours_to_age(size: int, tmp_path: Path, age_bin: str, cli: CliRunner) -> None:
    plaintext = _plaintext(size)
    src = tmp_path / "plain.bin"
    src.write_bytes(plaintext)
    enc = tmp_path / "msg.age"
    result = cli(["encrypt", "-p", "-o", str(enc), str(src)], passphrase=PASSPHRASE)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out.bin"
    ran = run_with_tty([age_bin, "-d", "-o", str(out), str(enc)], PASSPHRASE)
    assert ran.returncode == 0, ran.transcript
    assert ran.prompts == 1
    # age opens -o lazily, on the first plaintext byte: an empty file makes none.
    assert (out.read_bytes() if out.exists() else b"") == plaintext


@pytest.mark.parametrize("armor", [False, True], ids=["binary", "armor"])
def test_passphrase_age_to_ours(
    armor: bool, tmp_path: Path, age_bin: str, cli: CliRunner
) -> None:
    plaintext = _plaintext(65537)
    src = tmp_path / "plain.bin"
    src.write_bytes(plaintext)
    enc = tmp_path / "msg.age"
    ran = run_with_tty(
        [age_bin, "-p", *(["-a"] if armor else []), "-o", str(enc), str(src)], PASSPHRASE)
    assert ran.returncode == 0, ran.transcript
    assert ran.prompts == 2  # age asks twice
    result = cli(["decrypt", str(enc)], passphrase=PASSPHRASE)
    assert result.returncode == 0, result.stderr
    assert result.stdout == plaintext
    wrong = cli(["decrypt", str(enc)], passphrase="not it")
    assert wrong.returncode == 1
    assert wrong.stdout == b""


def test_passphrase_on_our_terminal_to_age(tmp_path: Path, age_bin: str) -> None:
    """Our -p asks twice on the terminal; the prompts mention "passphrase"."""
    plaintext = _plaintext(1000)
    src = tmp_path / "plain.bin"
    src.write_bytes(plaintext)
    enc = tmp_path / "msg.age"
    ran = run_with_tty([sys.executable, "-m", "submitter", "encrypt", "-p", "-a", "-o", str(enc),
                        str(src)], PASSPHRASE, cwd=str(REPO), env=cli_env())
    assert ran.returncode == 0, ran.transcript
    assert ran.prompts == 2
    out = tmp_path / "out.bin"
    ran = run_with_tty([age_bin, "-d", "-o", str(out), str(enc)], PASSPHRASE)
    assert ran.returncode == 0, ran.transcript
    assert out.read_bytes() == plaintext


@pytest.mark.parametrize("armor", [False, True], ids=["binary", "armor"])
def test_encrypted_identity_file_from_age(
    armor: bool, tmp_path: Path, age_bin: str, age_keygen_bin: str, cli: CliRunner
) -> None:
    """`age-keygen | age -p > key.age`, then we decrypt with `-i key.age`."""
    key, recipient = _age_keypair(age_keygen_bin, tmp_path, "a")
    protected = tmp_path / "key.age"
    ran = run_with_tty([age_bin, "-p", *(["-a"] if armor else []), "-o", str(protected)],
                       PASSPHRASE, stdin_path=str(key))
    assert ran.returncode == 0, ran.transcript
    plaintext = _plaintext(70000)
    enc = tmp_path / "msg.age"
    enc.write_bytes(encrypt_bytes(plaintext, [parse_recipient(recipient)]))
    result = cli(["decrypt", "-i", str(protected), str(enc)], passphrase=PASSPHRASE)
    assert result.returncode == 0, result.stderr
    assert result.stdout == plaintext
    # The API takes the passphrase through a callback, asked only when needed.
    identities = parse_identity_file(protected.read_bytes(), lambda: PASSPHRASE)
    assert decrypt_bytes(enc.read_bytes(), identities) == plaintext
    wrong = cli(["decrypt", "-i", str(protected), str(enc)], passphrase="nope")
    assert wrong.returncode == 1
    assert b"passphrase" in wrong.stderr.lower()


def test_encrypted_identity_file_to_age(
    tmp_path: Path, age_bin: str, age_keygen_bin: str, cli: CliRunner
) -> None:
    """Our keygen, protected by our encrypt -p -a, opens in `age -d -i key.age`."""
    generated = cli(["keygen"])
    assert generated.returncode == 0, generated.stderr
    protected = tmp_path / "key.age"
    result = cli(["encrypt", "-p", "-a", "-o", str(protected)], input=generated.stdout,
                 passphrase=PASSPHRASE)
    assert result.returncode == 0, result.stderr
    recipient = generated.stdout.decode().split("# public key: ")[1].split()[0]
    plaintext = _plaintext(65536)
    src = tmp_path / "plain.bin"
    src.write_bytes(plaintext)
    enc = tmp_path / "msg.age"
    subprocess.run([age_bin, "-r", recipient, "-o", str(enc), str(src)], check=True)
    out = tmp_path / "out.bin"
    ran = run_with_tty([age_bin, "-d", "-i", str(protected), "-o", str(out), str(enc)],
                       PASSPHRASE)
    assert ran.returncode == 0, ran.transcript
    assert out.read_bytes() == plaintext


def test_keys_compatible_with_age_keygen(
    tmp_path: Path, age_keygen_bin: str, cli: CliRunner
) -> None:
    key, recipient = _age_keypair(age_keygen_bin, tmp_path, "a")
    ours = cli(["keygen", "-y", str(key)])
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout.decode().strip() == recipient
    generated = tmp_path / "ours.txt"
    assert cli(["keygen", "-o", str(generated)]).returncode == 0
    theirs = subprocess.run([age_keygen_bin, "-y", str(generated)], capture_output=True,
                            check=True).stdout.decode().strip()
    public_line = next(line for line in generated.read_text().splitlines()
                       if line.startswith("# public key: "))
    assert public_line == f"# public key: {theirs}"
