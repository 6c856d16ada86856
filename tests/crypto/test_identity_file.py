"""Identity files: age-keygen's layout, plain and passphrase-encrypted."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime

import pytest

from crypto import errors
from crypto.age import decrypt_bytes, encrypt_bytes
from crypto.identity_file import format_identity_file, parse_identity_file
from crypto.keygen import generate_x25519
from crypto.recipients.scrypt import ScryptRecipient
from crypto.recipients.x25519 import X25519Identity


def test_format_matches_age_keygen_layout() -> None:
    identity = generate_x25519()
    text = format_identity_file(identity, str(identity.recipient()),
                                datetime(2024, 5, 6, 7, 8, 9, 123, tzinfo=UTC))
    assert text == (f"# created: 2024-05-06T07:08:09Z\n# public key: {identity.recipient()}\n"
                    f"{identity}\n")


def test_age_keygen_file_parses(age_keygen_bin: str) -> None:
    text = subprocess.run([age_keygen_bin], capture_output=True, check=True).stdout
    [identity] = parse_identity_file(text)
    assert isinstance(identity, X25519Identity)
    public = next(line for line in text.decode().splitlines() if line.startswith("# public key:"))
    assert public == f"# public key: {identity.recipient()}"


def test_several_keys_comments_blank_lines_crlf() -> None:
    a, b = generate_x25519(), generate_x25519()
    text = f"# one\r\n\r\n{a}\r\n   \n# two\n{b}\n".encode()
    parsed = parse_identity_file(text)
    assert [str(i) for i in parsed] == [str(a), str(b)]


@pytest.mark.parametrize("bad", [b"", b"# only comments\n", b"AGE-SECRET-KEY-1NOTAKEY\n",
                                 b"\xff\xfe\n"])
def test_bad_files_rejected_without_echoing_secrets(bad: bytes) -> None:
    with pytest.raises(errors.KeyFormatError) as caught:
        parse_identity_file(bad)
    assert "NOTAKEY" not in str(caught.value)


@pytest.mark.parametrize("armor", [False, True])
def test_passphrase_encrypted_identity_file(armor: bool) -> None:
    identity = generate_x25519()
    plain = format_identity_file(identity, str(identity.recipient()), None).encode()
    protected = encrypt_bytes(plain, [ScryptRecipient("open sesame", work_factor=10)], armor=armor)
    asked: list[int] = []

    def passphrase() -> str:
        asked.append(1)
        return "open sesame"

    [parsed] = parse_identity_file(protected, passphrase)
    assert asked == [1]
    message = encrypt_bytes(b"payload", [identity.recipient()])
    assert decrypt_bytes(message, [parsed]) == b"payload"
    with pytest.raises(errors.PassphraseError):
        parse_identity_file(protected, lambda: "wrong")
    with pytest.raises(errors.PassphraseError):
        parse_identity_file(protected, None)
