"""The mlkem768x25519 recipient and identity: key strings, stanzas, known answers.

The known-answer files under tests/vectors/pq/ were written by the TypeScript
age (tests/crypto/ts/make_pq_vectors.mjs); the identity and recipient strings
in manifest.json are what it derived.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import bech32, hpke_xwing
from crypto.errors import HeaderError, KeyFormatError
from crypto.header import b64decode, b64encode, parse_header, verify_mac
from crypto.recipients import mlkem768x25519 as pq
from crypto.stanza import Stanza

VECTORS = Path(__file__).resolve().parent.parent / "vectors" / "pq"
MANIFEST: dict[str, Any] = json.loads((VECTORS / "manifest.json").read_text())
IDENTITY = pq.parse_identity(MANIFEST["identity"])


def kat_plaintext(size: int) -> bytes:
    return hashlib.shake_256(b"submitter pq kat plaintext").digest(size) if size else b""


def raw_kat_files() -> list[dict[str, Any]]:
    return [f for f in MANIFEST["files"] if not f["armored"]]


# --- key strings --------------------------------------------------------------


def test_recipient_derived_from_identity_matches_typescript() -> None:
    assert str(IDENTITY.recipient()) == MANIFEST["recipient"]
    assert (VECTORS / "recipient.txt").read_text().strip() == MANIFEST["recipient"]


def test_identity_and_recipient_strings_round_trip() -> None:
    assert str(IDENTITY) == MANIFEST["identity"]
    recipient = pq.parse_recipient(MANIFEST["recipient"])
    assert str(recipient) == MANIFEST["recipient"]
    assert recipient == IDENTITY.recipient()
    assert len(recipient.public_key) == 1216
    assert len(MANIFEST["recipient"]) > 1900  # beyond BIP 173's 90 characters


def test_identity_file_from_typescript_has_matching_comment() -> None:
    lines = (VECTORS / "identity.txt").read_text().splitlines()
    assert lines[0] == f"# public key: {MANIFEST['recipient']}"
    assert str(pq.parse_identity(lines[1]).recipient()) == MANIFEST["recipient"]


def test_generated_identities_are_distinct_and_well_formed() -> None:
    a, b = pq.generate(), pq.generate()
    assert a.seed != b.seed
    for identity in (a, b):
        text = str(identity)
        assert text.startswith("AGE-SECRET-KEY-PQ-1") and text == text.upper()
        assert pq.parse_identity(text).seed == identity.seed
        assert str(identity.recipient()).startswith("age1pq1")
    assert "AGE-SECRET" not in repr(a)


def _bad_recipients() -> dict[str, str]:
    good = MANIFEST["recipient"]
    public_key = pq.parse_recipient(good).public_key
    flipped = good[:-1] + ("q" if good[-1] != "q" else "p")
    return {
        "uppercase": good.upper(),
        "mixed case": good[:10] + good[10:].upper(),
        "bad checksum": flipped,
        "x25519 recipient": MANIFEST["x25519_recipient"],
        "short key": bech32.encode("age1pq", public_key[:-1]),
        "long key": bech32.encode("age1pq", public_key + b"\x00"),
        "other hrp": bech32.encode("age1pqx", public_key),
        "identity": MANIFEST["identity"],
        "empty": "",
        "low order x25519": bech32.encode("age1pq", public_key[:1184] + bytes(32)),
    }


@pytest.mark.parametrize("name", list(_bad_recipients()))
def test_malformed_recipients_are_refused(name: str) -> None:
    with pytest.raises(KeyFormatError):
        pq.parse_recipient(_bad_recipients()[name])


def _bad_identities() -> dict[str, str]:
    good = MANIFEST["identity"]
    seed = IDENTITY.seed
    return {
        "lowercase": good.lower(),
        "bad checksum": good[:-1] + ("Q" if good[-1] != "Q" else "P"),
        "x25519 identity": MANIFEST["x25519_identity"],
        "short seed": bech32.encode("AGE-SECRET-KEY-PQ-", seed[:-1]),
        "long seed": bech32.encode("AGE-SECRET-KEY-PQ-", seed + b"\x00"),
        "recipient": MANIFEST["recipient"],
        "trailing space": good + " ",
    }


@pytest.mark.parametrize("name", list(_bad_identities()))
def test_malformed_identities_are_refused(name: str) -> None:
    with pytest.raises(KeyFormatError):
        pq.parse_identity(_bad_identities()[name])


# --- stanzas ------------------------------------------------------------------


def test_wrap_produces_one_well_formed_stanza() -> None:
    stanzas = IDENTITY.recipient().wrap(b"0123456789abcdef")
    assert len(stanzas) == 1
    stanza = stanzas[0]
    assert stanza.type == "mlkem768x25519"
    assert len(stanza.args) == 1 and len(b64decode(stanza.args[0])) == 1120
    assert len(stanza.body) == 32
    assert IDENTITY.unwrap(stanzas) == b"0123456789abcdef"
    assert pq.generate().unwrap(stanzas) is None


def test_labels_mark_the_recipient_postquantum() -> None:
    assert IDENTITY.recipient().labels() == frozenset({"postquantum"})


def test_unwrap_skips_other_types_and_finds_ours_later() -> None:
    ours = IDENTITY.recipient().wrap(b"K" * 16)[0]
    others = [
        Stanza("X25519", (b64encode(bytes(32)),), bytes(32)),
        Stanza("MLKEM768X25519", ours.args, ours.body),  # type is case-sensitive
        pq.generate().recipient().wrap(b"Z" * 16)[0],
    ]
    assert IDENTITY.unwrap(others) is None
    assert IDENTITY.unwrap([*others, ours]) == b"K" * 16


_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _flip_unused_bits(text: str) -> str:
    """Set a padding bit of the last character: 1120 bytes leave 4 unused bits."""
    assert len(text) % 4 == 2
    return text[:-1] + _B64[_B64.index(text[-1]) ^ 1]


def _malformed_stanzas() -> dict[str, Stanza]:
    good = IDENTITY.recipient().wrap(b"K" * 16)[0]
    enc = b64decode(good.args[0])
    non_canonical = _flip_unused_bits(good.args[0])
    return {
        "no argument": Stanza(good.type, (), good.body),
        "extra argument": Stanza(good.type, (*good.args, "x"), good.body),
        "short enc": Stanza(good.type, (b64encode(enc[:-1]),), good.body),
        "long enc": Stanza(good.type, (b64encode(enc + b"\x00"),), good.body),
        "non-canonical enc": Stanza(good.type, (non_canonical,), good.body),
        "padded enc": Stanza(good.type, (good.args[0] + "=",), good.body),
        "short body": Stanza(good.type, good.args, good.body[:-1]),
        "long body": Stanza(good.type, good.args, good.body + b"\x00"),
        "empty body": Stanza(good.type, good.args, b""),
        "low order share": Stanza(good.type, (b64encode(enc[:1088] + bytes(32)),), good.body),
    }


@pytest.mark.parametrize("name", list(_malformed_stanzas()))
def test_malformed_stanzas_are_header_failures(name: str) -> None:
    with pytest.raises(HeaderError):
        IDENTITY.unwrap([_malformed_stanzas()[name]])


def test_non_canonical_enc_really_is_the_same_bytes() -> None:
    # Guard for the test above: the altered last character must change only
    # the unused low bits, so a lax decoder would accept it.
    import base64

    good = IDENTITY.recipient().wrap(b"K" * 16)[0].args[0]
    altered = _flip_unused_bits(good)
    assert altered != good
    pad = "=" * (-len(good) % 4)
    assert base64.b64decode(good + pad) == base64.b64decode(altered + pad)


def test_tampered_body_is_no_match_not_an_error() -> None:
    good = IDENTITY.recipient().wrap(b"K" * 16)[0]
    body = bytes([good.body[0] ^ 1]) + good.body[1:]
    assert IDENTITY.unwrap([Stanza(good.type, good.args, body)]) is None


# --- known answers from the TypeScript age --------------------------------------


@pytest.mark.parametrize("entry", raw_kat_files(), ids=lambda e: e["file"])
def test_typescript_files_unwrap_and_authenticate(entry: dict[str, Any]) -> None:
    header, _ = parse_header((VECTORS / entry["file"]).read_bytes())
    file_key = IDENTITY.unwrap(header.stanzas)
    if entry["expect"] == "no match":
        assert file_key is None
    else:
        assert file_key is not None and len(file_key) == 16
        assert verify_mac(file_key, header)


def test_kat_manifest_plaintexts_match_their_hashes() -> None:
    for entry in MANIFEST["files"]:
        assert hashlib.sha256(kat_plaintext(entry["size"])).hexdigest() == entry["sha256"]


def test_hpke_constants_match_the_stanzas_typescript_wrote() -> None:
    header, _ = parse_header((VECTORS / "hybrid_1.age").read_bytes())
    (stanza,) = header.stanzas
    assert stanza.type == pq.STANZA_TYPE
    enc = b64decode(stanza.args[0])
    shared = hpke_xwing.decapsulate(enc, IDENTITY.seed)
    # Another HPKE info string must not open it: the label is part of the format.
    assert (
        hpke_xwing.open_sealed(enc, IDENTITY.seed, b"age-encryption.org/v1/X25519", stanza.body)
        is None
    )
    assert hpke_xwing.open_sealed(enc, IDENTITY.seed, pq.HPKE_INFO, stanza.body) is not None
    assert len(shared) == 32


# --- properties -----------------------------------------------------------------

_WRAPPED = IDENTITY.recipient().wrap(b"K" * 16)[0]
_ENC = b64decode(_WRAPPED.args[0])


@settings(max_examples=60, deadline=None)
@given(
    where=st.sampled_from(["enc", "body"]),
    position=st.integers(min_value=0, max_value=len(_ENC) - 1),
    flip=st.integers(min_value=1, max_value=255),
)
def test_any_altered_byte_never_yields_a_file_key(where: str, position: int, flip: int) -> None:
    enc, body = bytearray(_ENC), bytearray(_WRAPPED.body)
    target = enc if where == "enc" else body
    target[position % len(target)] ^= flip
    stanza = Stanza(_WRAPPED.type, (b64encode(bytes(enc)),), bytes(body))
    # ML-KEM's implicit rejection and the AEAD tag turn every change into "not
    # for this identity"; none of these alterations can reach a low-order share.
    assert IDENTITY.unwrap([stanza]) is None
    assert IDENTITY.unwrap([_WRAPPED]) == b"K" * 16


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_parsers_reject_arbitrary_text_with_key_format_errors(text: str) -> None:
    for parse in (pq.parse_recipient, pq.parse_identity):
        with pytest.raises(KeyFormatError):
            parse(text)
    for prefix in ("age1pq1", "AGE-SECRET-KEY-PQ-1"):
        with pytest.raises(KeyFormatError):
            (pq.parse_recipient if prefix == "age1pq1" else pq.parse_identity)(prefix + text)
