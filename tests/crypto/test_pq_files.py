"""Whole files with the hybrid type: TypeScript known answers, CCTV, the mixing rule."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from crypto.age import decrypt_bytes, encrypt_bytes
from crypto.errors import (
    CryptoError,
    HeaderError,
    HmacError,
    NoIdentityMatchError,
    PayloadError,
    RecipientMixError,
)
from crypto.header import Header, compute_mac, parse_header
from crypto.recipients import parse_identity, parse_recipient
from crypto.recipients.base import Identity
from crypto.recipients.mlkem768x25519 import MLKEM768X25519Identity, generate
from tests.crypto import cctv

VECTORS = Path(__file__).resolve().parent.parent / "vectors" / "pq"
MANIFEST: dict[str, Any] = json.loads((VECTORS / "manifest.json").read_text())


def kat_plaintext(size: int) -> bytes:
    return hashlib.shake_256(b"submitter pq kat plaintext").digest(size) if size else b""


# --- known answers written by the TypeScript age ----------------------------------


@pytest.mark.parametrize("entry", MANIFEST["files"], ids=lambda e: e["file"])
def test_typescript_known_answer_files_decrypt(entry: dict[str, Any]) -> None:
    identity = parse_identity(MANIFEST["identity"])
    assert isinstance(identity, MLKEM768X25519Identity)
    data = (VECTORS / entry["file"]).read_bytes()
    if entry["armored"]:
        assert data.startswith(b"-----BEGIN AGE ENCRYPTED FILE-----\n")
    if entry["expect"] == "no match":
        with pytest.raises(NoIdentityMatchError):
            decrypt_bytes(data, [identity])
        return
    plaintext = decrypt_bytes(data, [identity])
    assert len(plaintext) == entry["size"]
    assert hashlib.sha256(plaintext).hexdigest() == entry["sha256"]
    assert plaintext == kat_plaintext(entry["size"])


def test_identity_file_from_typescript_opens_its_files() -> None:
    lines = (VECTORS / "identity.txt").read_text().splitlines()
    identities = [parse_identity(line) for line in lines if line and not line.startswith("#")]
    assert decrypt_bytes((VECTORS / "hybrid_1.age").read_bytes(), identities) == kat_plaintext(1)


def test_tampered_known_answer_file_fails_in_the_right_place() -> None:
    identity = parse_identity(MANIFEST["identity"])
    data = bytearray((VECTORS / "hybrid_65537.age").read_bytes())
    _, payload_offset = parse_header(bytes(data))
    # Last byte of the payload: the final chunk's tag.
    last = bytearray(data)
    last[-1] ^= 1
    with pytest.raises(PayloadError):
        decrypt_bytes(bytes(last), [identity])
    # Inside the stanza's sealed body: the file key does not unwrap.
    body_line = bytes(data).index(b"\n", bytes(data).index(b"-> mlkem768x25519 ")) + 1
    body = bytearray(data)
    body[body_line] = ord("A") if body[body_line] != ord("A") else ord("B")
    with pytest.raises(NoIdentityMatchError):
        decrypt_bytes(bytes(body), [identity])
    # Truncated: the last chunk is missing.
    with pytest.raises(PayloadError):
        decrypt_bytes(bytes(data[: payload_offset + 16 + 65536 + 16]), [identity])


# --- the mixing rule --------------------------------------------------------------


def test_encrypting_to_hybrid_and_x25519_together_is_refused() -> None:
    hybrid = parse_recipient(MANIFEST["recipient"])
    classic = parse_recipient(MANIFEST["x25519_recipient"])
    for recipients in ([hybrid, classic], [classic, hybrid]):
        with pytest.raises(RecipientMixError):
            encrypt_bytes(b"secret", recipients)


def test_several_hybrid_recipients_are_fine() -> None:
    a, b = generate(), generate()
    ciphertext = encrypt_bytes(b"to both", [a.recipient(), b.recipient()])
    assert decrypt_bytes(ciphertext, [a]) == b"to both"
    assert decrypt_bytes(ciphertext, [b]) == b"to both"
    assert ciphertext.count(b"\n-> mlkem768x25519 ") == 2


def test_file_with_mixed_stanzas_made_by_hand_still_opens() -> None:
    # age 1.3 and the CCTV vector hybrid_and_x25519 accept such a file on
    # decryption (the rule protects the writer); so do we, with either key.
    hybrid_identity = parse_identity(MANIFEST["identity"])
    assert isinstance(hybrid_identity, MLKEM768X25519Identity)
    classic_identity = parse_identity(MANIFEST["x25519_identity"])
    hybrid_only = encrypt_bytes(b"mixed by hand", [hybrid_identity.recipient()])
    header, offset = parse_header(hybrid_only)
    # Recover the file key to re-wrap it for an X25519 recipient too.
    file_key = hybrid_identity.unwrap(header.stanzas)
    assert file_key is not None
    x25519_stanzas = parse_recipient(MANIFEST["x25519_recipient"]).wrap(file_key)
    stanzas = (*x25519_stanzas, *header.stanzas)
    mixed = Header(stanzas, compute_mac(file_key, stanzas)).serialize() + hybrid_only[offset:]
    assert decrypt_bytes(mixed, [hybrid_identity]) == b"mixed by hand"
    assert decrypt_bytes(mixed, [classic_identity]) == b"mixed by hand"
    # The MAC still binds every stanza: adding one without re-computing it fails.
    forged = Header(stanzas, header.mac).serialize() + hybrid_only[offset:]
    with pytest.raises(HmacError):
        decrypt_bytes(forged, [hybrid_identity])


def test_typescript_mixed_file_opens_with_either_identity() -> None:
    data = (VECTORS / "hybrid_and_x25519.age").read_bytes()
    for identity_text in (MANIFEST["identity"], MANIFEST["x25519_identity"]):
        assert decrypt_bytes(data, [parse_identity(identity_text)]) == kat_plaintext(100)


# --- CCTV vectors for the hybrid type ----------------------------------------------


def _hybrid_vectors() -> list[Path]:
    paths = [p for p in cctv.vector_paths() if "hybrid" in p.name]
    assert len(paths) >= 19, [p.name for p in paths]
    return paths


_CATEGORIES: dict[str, type[CryptoError]] = {
    "no match": NoIdentityMatchError,
    "header failure": HeaderError,
    "HMAC failure": HmacError,
    "payload failure": PayloadError,
}


@pytest.mark.parametrize("path", _hybrid_vectors(), ids=lambda p: p.name)
def test_cctv_hybrid_vectors(path: Path) -> None:
    vector = cctv.load(path)
    assert vector.identities, "every hybrid vector names an identity"
    identities: list[Identity] = [parse_identity(text) for text in vector.identities]
    assert any(isinstance(i, MLKEM768X25519Identity) for i in identities)
    if vector.expect == "success":
        plaintext = decrypt_bytes(vector.ciphertext, identities)
        assert hashlib.sha256(plaintext).hexdigest() == vector.payload_sha256
        return
    expected = _CATEGORIES[vector.expect]
    with pytest.raises(CryptoError) as caught:
        decrypt_bytes(vector.ciphertext, identities)
    assert type(caught.value) is expected, f"{vector.name}: {caught.value!r}"
