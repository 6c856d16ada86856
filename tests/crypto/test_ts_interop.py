"""Live interop with the TypeScript age (npm age-encryption@0.3.1), both ways.

The TypeScript side runs as node subprocesses through tests/crypto/ts/age_ts.mjs;
keys are generated on each side, files are encrypted on one side and opened on
the other. X25519, armor, passphrases, several recipients, and the
post-quantum hybrid type at the sizes around STREAM's 64 KiB chunks.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from crypto.age import decrypt_bytes, encrypt_bytes
from crypto.errors import NoIdentityMatchError, RecipientMixError
from crypto.identity_file import parse_identity_file
from crypto.recipients import parse_identity, parse_recipient
from crypto.recipients.base import Identity, Recipient
from crypto.recipients.mlkem768x25519 import MLKEM768X25519Identity
from crypto.recipients.scrypt import ScryptIdentity, ScryptRecipient
from crypto.recipients.x25519 import X25519Identity
from tests.peers import REPO, tool

AGE_TS = REPO / "tests" / "crypto" / "ts" / "age_ts.mjs"
SUBMITTER = str(REPO / ".venv" / "bin" / "submitter")
SIZES = [0, 1, 65536, 65537, 3 * 1024 * 1024 + 17]
# The TypeScript default (18) costs seconds of pure-JS scrypt per file; the
# work factor travels in the stanza, so a lower one exercises the same code.
SCRYPT_WORK_FACTOR = 12


def ts(*args: str, data: bytes = b"", timeout: float = 120) -> bytes:
    """Run the TypeScript age helper; a failure fails the test with its stderr."""
    result = subprocess.run(
        [tool("node"), str(AGE_TS), *args],
        input=data,
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(
            f"TypeScript age {args[0]} failed: {result.stderr.decode(errors='replace')}"
        )
    return result.stdout


def ts_keygen(kind: str) -> tuple[str, str]:
    identity, recipient = ts("keygen", kind).decode().split()
    return identity, recipient


def ts_encrypt(data: bytes, recipients: list[str], *, armor: bool = False) -> bytes:
    args = ["encrypt", *(["--armor"] if armor else [])]
    for recipient in recipients:
        args += ["-r", recipient]
    return ts(*args, data=data)


def ts_decrypt(data: bytes, identity_file: Path, *, armor: bool = False) -> bytes:
    return ts("decrypt", *(["--armor"] if armor else []), "-i", str(identity_file), data=data)


def identity_file(tmp_path: Path, *identities: str) -> Path:
    path = tmp_path / f"identities-{os.urandom(4).hex()}.txt"
    path.write_text("# test identities\n" + "".join(f"{i}\n" for i in identities))
    return path


@pytest.fixture(scope="module")
def ts_x25519() -> tuple[str, str]:
    return ts_keygen("x25519")


@pytest.fixture(scope="module")
def ts_hybrid() -> tuple[str, str]:
    return ts_keygen("pq")


# --- key strings agree ------------------------------------------------------------


@pytest.mark.parametrize("kind", ["x25519", "pq"])
def test_typescript_keys_parse_and_derive_the_same_recipient(kind: str) -> None:
    identity_text, recipient_text = ts_keygen(kind)
    identity = parse_identity(identity_text)
    assert isinstance(identity, X25519Identity if kind == "x25519" else MLKEM768X25519Identity)
    assert str(identity) == identity_text
    assert str(identity.recipient()) == recipient_text
    assert str(parse_recipient(recipient_text)) == recipient_text


@pytest.mark.parametrize("kind", ["x25519", "pq"])
def test_typescript_derives_the_recipient_of_our_identities(kind: str) -> None:
    identity: X25519Identity | MLKEM768X25519Identity = (
        X25519Identity.generate() if kind == "x25519" else MLKEM768X25519Identity.generate()
    )
    assert ts("recipient", data=str(identity).encode()).decode().strip() == str(
        identity.recipient()
    )


# --- X25519 -------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_x25519_python_to_typescript(size: int, ts_x25519: tuple[str, str], tmp_path: Path) -> None:
    identity, recipient = ts_x25519
    plaintext = os.urandom(size)
    ciphertext = encrypt_bytes(plaintext, [parse_recipient(recipient)])
    assert ts_decrypt(ciphertext, identity_file(tmp_path, identity)) == plaintext


@pytest.mark.parametrize("size", SIZES)
def test_x25519_typescript_to_python(size: int) -> None:
    identity = X25519Identity.generate()
    plaintext = os.urandom(size)
    ciphertext = ts_encrypt(plaintext, [str(identity.recipient())])
    assert decrypt_bytes(ciphertext, [identity]) == plaintext


@pytest.mark.parametrize("size", [0, 100, 65537])
def test_x25519_armor_both_ways(size: int, ts_x25519: tuple[str, str], tmp_path: Path) -> None:
    ts_identity, ts_recipient = ts_x25519
    plaintext = os.urandom(size)
    ours = encrypt_bytes(plaintext, [parse_recipient(ts_recipient)], armor=True)
    assert ours.startswith(b"-----BEGIN AGE ENCRYPTED FILE-----\n")
    assert ts_decrypt(ours, identity_file(tmp_path, ts_identity), armor=True) == plaintext

    identity = X25519Identity.generate()
    theirs = ts_encrypt(plaintext, [str(identity.recipient())], armor=True)
    assert theirs.startswith(b"-----BEGIN AGE ENCRYPTED FILE-----\n")
    assert decrypt_bytes(theirs, [identity]) == plaintext


def test_x25519_several_recipients_both_ways(tmp_path: Path) -> None:
    ts_keys = [ts_keygen("x25519") for _ in range(3)]
    plaintext = os.urandom(70000)
    ours = encrypt_bytes(plaintext, [parse_recipient(r) for _, r in ts_keys])
    for ts_identity, _ in ts_keys:
        assert ts_decrypt(ours, identity_file(tmp_path, ts_identity)) == plaintext

    identities = [X25519Identity.generate() for _ in range(3)]
    theirs = ts_encrypt(plaintext, [str(i.recipient()) for i in identities])
    for identity in identities:
        assert decrypt_bytes(theirs, [identity]) == plaintext
    # An identity file holding several keys, only the last of which matches.
    others = [ts_keygen("x25519")[0] for _ in range(2)]
    assert ts_decrypt(ours, identity_file(tmp_path, *others, ts_keys[2][0])) == plaintext


def test_wrong_identity_fails_on_both_sides(ts_x25519: tuple[str, str], tmp_path: Path) -> None:
    _, ts_recipient = ts_x25519
    other_identity, _ = ts_keygen("x25519")
    ours = encrypt_bytes(b"not for you", [parse_recipient(ts_recipient)])
    with pytest.raises(AssertionError, match="no identity matched"):
        ts_decrypt(ours, identity_file(tmp_path, other_identity))


# --- passphrases (scrypt) -------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 65537])
def test_passphrase_python_to_typescript(size: int, tmp_path: Path) -> None:
    passphrase = "correct horse battery staple ünïcødé"
    plaintext = os.urandom(size)
    ciphertext = encrypt_bytes(plaintext, [ScryptRecipient(passphrase, SCRYPT_WORK_FACTOR)])
    secret = tmp_path / "passphrase"
    secret.write_text(passphrase, encoding="utf-8")
    assert ts("decrypt", "--passphrase-file", str(secret), data=ciphertext) == plaintext
    secret.write_text(passphrase + "!", encoding="utf-8")
    with pytest.raises(AssertionError):
        ts("decrypt", "--passphrase-file", str(secret), data=ciphertext)


@pytest.mark.parametrize("size", [0, 65537])
def test_passphrase_typescript_to_python(size: int, tmp_path: Path) -> None:
    passphrase = "correct horse battery staple ünïcødé"
    secret = tmp_path / "passphrase"
    secret.write_text(passphrase, encoding="utf-8")
    plaintext = os.urandom(size)
    ciphertext = ts(
        "encrypt",
        "--passphrase-file",
        str(secret),
        "--work-factor",
        str(SCRYPT_WORK_FACTOR),
        data=plaintext,
    )
    assert b"\n-> scrypt " in ciphertext
    assert decrypt_bytes(ciphertext, [ScryptIdentity(passphrase)]) == plaintext
    with pytest.raises(NoIdentityMatchError):
        decrypt_bytes(ciphertext, [ScryptIdentity(passphrase + "!")])


# --- the post-quantum hybrid type -------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_hybrid_python_to_typescript(size: int, ts_hybrid: tuple[str, str], tmp_path: Path) -> None:
    identity, recipient = ts_hybrid
    plaintext = os.urandom(size)
    ciphertext = encrypt_bytes(plaintext, [parse_recipient(recipient)])
    assert b"\n-> mlkem768x25519 " in ciphertext
    assert ts_decrypt(ciphertext, identity_file(tmp_path, identity)) == plaintext


@pytest.mark.parametrize("size", SIZES)
def test_hybrid_typescript_to_python(size: int) -> None:
    identity = MLKEM768X25519Identity.generate()
    plaintext = os.urandom(size)
    ciphertext = ts_encrypt(plaintext, [str(identity.recipient())])
    assert b"\n-> mlkem768x25519 " in ciphertext
    assert decrypt_bytes(ciphertext, [identity]) == plaintext


def test_hybrid_armor_both_ways(ts_hybrid: tuple[str, str], tmp_path: Path) -> None:
    ts_identity, ts_recipient = ts_hybrid
    plaintext = os.urandom(70000)
    ours = encrypt_bytes(plaintext, [parse_recipient(ts_recipient)], armor=True)
    assert ts_decrypt(ours, identity_file(tmp_path, ts_identity), armor=True) == plaintext
    identity = MLKEM768X25519Identity.generate()
    theirs = ts_encrypt(plaintext, [str(identity.recipient())], armor=True)
    assert theirs.startswith(b"-----BEGIN AGE ENCRYPTED FILE-----\n")
    assert decrypt_bytes(theirs, [identity]) == plaintext


def test_hybrid_several_recipients_both_ways(tmp_path: Path) -> None:
    ts_keys = [ts_keygen("pq") for _ in range(3)]
    plaintext = os.urandom(1000)
    ours = encrypt_bytes(plaintext, [parse_recipient(r) for _, r in ts_keys])
    for ts_identity, _ in ts_keys:
        assert ts_decrypt(ours, identity_file(tmp_path, ts_identity)) == plaintext
    identities = [MLKEM768X25519Identity.generate() for _ in range(3)]
    theirs = ts_encrypt(plaintext, [str(i.recipient()) for i in identities])
    for identity in identities:
        assert decrypt_bytes(theirs, [identity]) == plaintext
    # A wrong hybrid key does not open it on either side.
    stranger = MLKEM768X25519Identity.generate()
    with pytest.raises(NoIdentityMatchError):
        decrypt_bytes(theirs, [stranger])
    with pytest.raises(AssertionError, match="no identity matched"):
        ts_decrypt(ours, identity_file(tmp_path, str(stranger)))


def test_mixing_rule_against_typescript(
    ts_hybrid: tuple[str, str], ts_x25519: tuple[str, str]
) -> None:
    # We refuse to write a file for hybrid and classic recipients together...
    recipients: list[Recipient] = [parse_recipient(ts_hybrid[1]), parse_recipient(ts_x25519[1])]
    with pytest.raises(RecipientMixError):
        encrypt_bytes(b"x", recipients)
    # ... the TypeScript age writes one anyway, and (like age 1.3) we read it.
    hybrid, classic = MLKEM768X25519Identity.generate(), X25519Identity.generate()
    plaintext = os.urandom(500)
    mixed = ts_encrypt(plaintext, [str(classic.recipient()), str(hybrid.recipient())])
    assert b"\n-> X25519 " in mixed and b"\n-> mlkem768x25519 " in mixed
    identities: list[Identity] = [hybrid]
    assert decrypt_bytes(mixed, identities) == plaintext
    assert decrypt_bytes(mixed, [classic]) == plaintext


# --- the command line: keygen --pq, encrypt, decrypt ------------------------------------


def submitter(
    *args: str, data: bytes = b"", timeout: float = 120
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [SUBMITTER, *args],
        input=data,
        capture_output=True,
        timeout=timeout,
        check=False,
    )


def test_cli_keygen_pq_identity_works_with_typescript(tmp_path: Path) -> None:
    key = tmp_path / "key.txt"
    made = submitter("keygen", "--pq", "-o", str(key))
    assert made.returncode == 0, made.stderr
    lines = key.read_text().splitlines()
    comment = [line for line in lines if line.startswith("# public key: ")]
    secrets = [line for line in lines if line.startswith("AGE-SECRET-KEY-PQ-1")]
    assert len(comment) == 1 and len(secrets) == 1
    recipient = comment[0].removeprefix("# public key: ")
    assert recipient.startswith("age1pq1")
    # The TypeScript age derives the same recipient, and `keygen -y` agrees.
    assert ts("recipient", data=secrets[0].encode()).decode().strip() == recipient
    shown = submitter("keygen", "-y", str(key))
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.decode().strip() == recipient

    plaintext = os.urandom(65537)
    # TypeScript encrypts to the printed recipient; `submitter decrypt` opens it.
    theirs = ts_encrypt(plaintext, [recipient])
    opened = submitter("decrypt", "-i", str(key), data=theirs)
    assert opened.returncode == 0, opened.stderr
    assert opened.stdout == plaintext
    # `submitter encrypt` to it; TypeScript opens it with the same identity file.
    ours = submitter("encrypt", "-r", recipient, data=plaintext)
    assert ours.returncode == 0, ours.stderr
    assert ts_decrypt(ours.stdout, key) == plaintext
    armored = submitter("encrypt", "-a", "-r", recipient, data=plaintext)
    assert armored.returncode == 0, armored.stderr
    assert ts_decrypt(armored.stdout, key, armor=True) == plaintext


def test_cli_refuses_mixed_recipients(
    ts_hybrid: tuple[str, str], ts_x25519: tuple[str, str]
) -> None:
    refused = submitter("encrypt", "-r", ts_hybrid[1], "-r", ts_x25519[1], data=b"x")
    assert refused.returncode != 0
    assert refused.stdout == b""
    assert len(refused.stderr.decode().strip().splitlines()) == 1


def test_passphrase_protected_hybrid_identity_file_from_typescript(tmp_path: Path) -> None:
    # An identity file that is itself an age file (what `age -d -i key.age`
    # takes), written by the TypeScript age around a hybrid identity.
    ts_identity, ts_recipient = ts_keygen("pq")
    secret = tmp_path / "passphrase"
    secret.write_text("identity file passphrase", encoding="utf-8")
    key_text = f"# public key: {ts_recipient}\n{ts_identity}\n".encode()
    protected = ts(
        "encrypt",
        "--armor",
        "--passphrase-file",
        str(secret),
        "--work-factor",
        str(SCRYPT_WORK_FACTOR),
        data=key_text,
    )
    identities = parse_identity_file(protected, lambda: "identity file passphrase")
    assert [str(i) for i in identities] == [ts_identity]
    plaintext = os.urandom(65537)
    theirs = ts_encrypt(plaintext, [ts_recipient])
    assert decrypt_bytes(theirs, identities) == plaintext

    # The same through the command line, the passphrase on a descriptor.
    key_file = tmp_path / "key.age"
    key_file.write_bytes(protected)
    read_end, write_end = os.pipe()
    os.write(write_end, b"identity file passphrase\n")
    os.close(write_end)
    try:
        opened = subprocess.run(
            [SUBMITTER, "decrypt", "-i", str(key_file), "--passphrase-fd", str(read_end)],
            input=theirs,
            capture_output=True,
            timeout=120,
            pass_fds=(read_end,),
            check=False,
        )
    finally:
        os.close(read_end)
    assert opened.returncode == 0, opened.stderr
    assert opened.stdout == plaintext
