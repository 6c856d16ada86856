"""`submitter keygen|encrypt|decrypt`: exit codes, atomic output, passphrase input."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from crypto.age import encrypt_bytes
from crypto.recipients.x25519 import X25519Identity
from tests.crypto.conftest import CliRunner, cli_env
from tests.crypto.ttyrun import run_with_tty
from tests.peers import REPO

PLAINTEXT = os.urandom(200_000)


def _key(tmp_path: Path) -> tuple[Path, X25519Identity]:
    identity = X25519Identity.generate()
    path = tmp_path / "key.txt"
    path.write_text(f"# test key\n{identity}\n")
    return path, identity


def _leftovers(directory: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name not in keep)


def test_keygen_writes_private_file_and_refuses_overwrite(tmp_path: Path, cli: CliRunner) -> None:
    out = tmp_path / "id.txt"
    result = cli(["keygen", "-o", str(out)])
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    lines = out.read_text().splitlines()
    assert lines[0].startswith("# created: ")
    assert lines[1].startswith("# public key: age1")
    assert lines[2].startswith("AGE-SECRET-KEY-1")
    assert result.stderr.decode() == f"Public key: {lines[1].removeprefix('# public key: ')}\n"
    before = out.read_bytes()
    again = cli(["keygen", "-o", str(out)])
    assert again.returncode == 1
    assert len(again.stderr.decode().splitlines()) == 1
    assert out.read_bytes() == before
    shown = cli(["keygen", "-y", str(out)])
    assert shown.stdout.decode() == lines[1].removeprefix("# public key: ") + "\n"
    piped = cli(["keygen", "-y"], input=before)
    assert piped.stdout == shown.stdout


def test_keygen_pq_or_clear_error(cli: CliRunner) -> None:
    result = cli(["keygen", "--pq"])
    if result.returncode == 0:
        text = result.stdout.decode()
        assert "# public key: age1pq1" in text
        assert "AGE-SECRET-KEY-PQ-1" in text
    else:
        assert result.returncode == 1
        assert b"post-quantum" in result.stderr


def test_encrypt_decrypt_round_trip_with_files(tmp_path: Path, cli: CliRunner) -> None:
    key, identity = _key(tmp_path)
    src = tmp_path / "in.bin"
    src.write_bytes(PLAINTEXT)
    enc = tmp_path / "out.age"
    result = cli(["encrypt", "-r", str(identity.recipient()), "-o", str(enc), str(src)])
    assert result.returncode == 0, result.stderr
    out = tmp_path / "plain.bin"
    result = cli(["decrypt", "-i", str(key), "-o", str(out), str(enc)])
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == PLAINTEXT
    assert _leftovers(tmp_path, {"key.txt", "in.bin", "out.age", "plain.bin"}) == []


def test_stdin_stdout_and_armor(cli: CliRunner, tmp_path: Path) -> None:
    key, identity = _key(tmp_path)
    enc = cli(["encrypt", "-a", "-r", str(identity.recipient())], input=PLAINTEXT)
    assert enc.returncode == 0, enc.stderr
    assert enc.stdout.startswith(b"-----BEGIN AGE ENCRYPTED FILE-----\n")
    dec = cli(["decrypt", "-i", str(key)], input=enc.stdout)
    assert dec.returncode == 0, dec.stderr
    assert dec.stdout == PLAINTEXT


def test_failed_decrypt_leaves_no_output_file(tmp_path: Path, cli: CliRunner) -> None:
    key, identity = _key(tmp_path)
    ciphertext = bytearray(encrypt_bytes(PLAINTEXT, [identity.recipient()]))
    ciphertext[-5] ^= 0x40  # the last chunk fails; earlier chunks authenticate
    enc = tmp_path / "damaged.age"
    enc.write_bytes(bytes(ciphertext))
    out = tmp_path / "plain.bin"
    result = cli(["decrypt", "-i", str(key), "-o", str(out), str(enc)])
    assert result.returncode == 1
    assert len(result.stderr.decode().splitlines()) == 1
    assert b"damaged or truncated" in result.stderr
    assert _leftovers(tmp_path, {"key.txt", "damaged.age"}) == []
    # An existing file of that name is left as it was.
    out.write_bytes(b"previous contents")
    result = cli(["decrypt", "-i", str(key), "-o", str(out), str(enc)])
    assert result.returncode == 1
    assert out.read_bytes() == b"previous contents"
    # To stdout, the chunks that authenticated stream out before the error.
    streamed = cli(["decrypt", "-i", str(key), str(enc)])
    assert streamed.returncode == 1
    assert streamed.stdout == PLAINTEXT[: 3 * 65536]


def test_wrong_key_and_garbage_exit_non_zero(tmp_path: Path, cli: CliRunner) -> None:
    key, _ = _key(tmp_path)
    other = X25519Identity.generate()
    enc = tmp_path / "x.age"
    enc.write_bytes(encrypt_bytes(b"data", [other.recipient()]))
    result = cli(["decrypt", "-i", str(key), str(enc)])
    assert (result.returncode, result.stderr) == (
        1, b"submitter: error: None of the given keys can open this file.\n")
    result = cli(["decrypt", "-i", str(key)], input=b"not an age file\n")
    assert result.returncode == 1
    assert b"header" in result.stderr
    result = cli(["decrypt", "-i", str(tmp_path / "missing.txt"), str(enc)])
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1
    result = cli(["encrypt", "-r", "age1notakey"], input=b"x")
    assert result.returncode == 1
    assert result.stdout == b""
    result = cli(["encrypt"], input=b"x")
    assert result.returncode == 1


def test_passphrase_fd(tmp_path: Path, cli: CliRunner) -> None:
    enc = cli(["encrypt", "-p"], input=PLAINTEXT, passphrase="pass with spaces ")
    assert enc.returncode == 0, enc.stderr
    ok = cli(["decrypt"], input=enc.stdout, passphrase="pass with spaces ")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout == PLAINTEXT
    # Only one trailing newline is stripped: the trailing space is significant.
    wrong = cli(["decrypt"], input=enc.stdout, passphrase="pass with spaces")
    assert wrong.returncode == 1
    assert wrong.stdout == b""
    empty = cli(["encrypt", "-p"], input=b"x", passphrase="")
    assert empty.returncode == 1


def test_passphrase_without_terminal_fails_clearly() -> None:
    # A new session has no controlling terminal: the error says what to do instead.
    result = subprocess.run(
        [sys.executable, "-m", "submitter", "encrypt", "-p", "-a"], input=b"x", cwd=REPO,
        capture_output=True, start_new_session=True, timeout=60, check=False)
    assert result.returncode == 1
    assert result.stdout == b""
    assert b"--passphrase-fd" in result.stderr


def test_decrypt_asks_passphrase_on_terminal(tmp_path: Path) -> None:
    src = tmp_path / "msg.age"
    from crypto.recipients.scrypt import ScryptRecipient

    src.write_bytes(encrypt_bytes(b"hello", [ScryptRecipient("swordfish", work_factor=10)]))
    out = tmp_path / "out.txt"
    ran = run_with_tty([sys.executable, "-m", "submitter", "decrypt", "-o", str(out), str(src)],
                       "swordfish", cwd=str(REPO), env=cli_env())
    assert ran.returncode == 0, ran.transcript
    assert ran.prompts == 1
    assert b"passphrase" in ran.transcript.lower()
    assert out.read_bytes() == b"hello"


def test_refuses_binary_to_terminal(tmp_path: Path) -> None:
    identity = X25519Identity.generate()
    src = tmp_path / "in.bin"
    src.write_bytes(b"data")
    argv = [sys.executable, "-m", "submitter", "encrypt", "-r", str(identity.recipient())]
    ran = run_with_tty([*argv, str(src)], "", cwd=str(REPO), env=cli_env())
    assert ran.returncode == 1
    assert b"terminal" in ran.transcript
    ran = run_with_tty([*argv, "-a", str(src)], "", cwd=str(REPO), env=cli_env())
    assert ran.returncode == 0
    assert b"-----BEGIN AGE ENCRYPTED FILE-----" in ran.transcript


def test_keygen_y_reads_an_encrypted_identity_with_passphrase_fd(tmp_path: Path,
                                                                cli: CliRunner) -> None:
    made = cli(["keygen"])
    assert made.returncode == 0, made.stderr
    identity = made.stdout
    public = next(line.split(b": ")[1] for line in identity.splitlines()
                  if line.startswith(b"# public key: "))
    locked = cli(["encrypt", "-p", "-a"], input=identity, passphrase="lock words")
    assert locked.returncode == 0, locked.stderr
    key = tmp_path / "key.age"
    key.write_bytes(locked.stdout)
    shown = cli(["keygen", "-y", str(key)], passphrase="lock words")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == public
    wrong = cli(["keygen", "-y", str(key)], passphrase="other words")
    assert wrong.returncode == 1
    assert wrong.stdout == b""


def test_failed_encrypt_leaves_no_output_file(tmp_path: Path, cli: CliRunner) -> None:
    """Every way encrypt -o can fail, before or while streaming, leaves the
    folder as it was, and an existing file of that name untouched."""
    _, identity = _key(tmp_path)
    classic = str(identity.recipient())
    pq = cli(["keygen", "--pq"])
    assert pq.returncode == 0, pq.stderr
    hybrid = next(line.split(b": ")[1].decode() for line in pq.stdout.splitlines()
                  if line.startswith(b"# public key: "))
    src = tmp_path / "in.bin"
    src.write_bytes(PLAINTEXT)
    out = tmp_path / "out.age"
    failures = {
        "missing input": ["-r", classic, str(tmp_path / "missing.bin")],
        "input is a folder": ["-r", classic, str(tmp_path)],
        # The kernel refuses reads of this file (EIO) once the header is out.
        "read error while streaming": ["-r", classic, "/proc/self/mem"],
        "bad recipient": ["-r", classic, "-r", "age1notakey", str(src)],
        "hybrid mixed with classic": ["-r", classic, "-r", hybrid, str(src)],
    }
    for why, args in failures.items():
        result = cli(["encrypt", "-o", str(out), *args])
        assert result.returncode == 1, why
        assert len(result.stderr.decode().splitlines()) == 1, (why, result.stderr)
        assert _leftovers(tmp_path, {"key.txt", "in.bin"}) == [], why
    out.write_bytes(b"previous contents")
    for why, args in failures.items():
        result = cli(["encrypt", "-o", str(out), *args])
        assert result.returncode == 1, why
        assert out.read_bytes() == b"previous contents", why
        assert _leftovers(tmp_path, {"key.txt", "in.bin", "out.age"}) == [], why
