"""Bech32 as age uses it: BIP 173 checksums, no length cap, no mixed case."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crypto import bech32
from crypto.errors import KeyFormatError
from crypto.recipients.x25519 import X25519Identity, X25519Recipient

# Valid strings from BIP 173's test vectors.
BIP173_VALID = [
    "A12UEL5L",
    "a12uel5l",
    "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
    "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
    "?1ezyfcl",
]
BIP173_INVALID = [
    "pzry9x0s0muk",  # no separator
    "1pzry9x0s0muk",  # empty hrp
    "x1b4n0q5v",  # invalid data character
    "li1dgmt3",  # checksum too short
    "A1G7SGD8",  # checksum computed with uppercase hrp
    "10a06t8",
    "1qzzfhee",
    "A12uEL5L",  # mixed case
]


@pytest.mark.parametrize("text", BIP173_VALID)
def test_bip173_valid(text: str) -> None:
    hrp, data = bech32.decode(text)
    again = bech32.encode(hrp.upper() if text.isupper() else hrp, data)
    assert again == text


@pytest.mark.parametrize("text", BIP173_INVALID)
def test_bip173_invalid(text: str) -> None:
    with pytest.raises(KeyFormatError):
        bech32.decode(text)


@given(data=st.binary(max_size=1500), upper=st.booleans())
def test_round_trip_without_length_limit(data: bytes, upper: bool) -> None:
    text = bech32.encode("AGE-SECRET-KEY-PQ-" if upper else "age", data)
    assert bech32.decode(text) == ("age-secret-key-pq-" if upper else "age", data)
    assert text.isupper() == upper or not data


def test_long_strings_like_pq_recipients() -> None:
    text = bech32.encode("age1pq", bytes(range(256)) * 5)
    assert len(text) > 1950
    assert bech32.decode(text)[1] == bytes(range(256)) * 5


@given(data=st.binary(min_size=1, max_size=64), position=st.integers(0, 200), char=st.sampled_from(
    "qpzry9x8gf2tvdw0s3jn54khce6mua7l"))
def test_any_substitution_is_caught(data: bytes, position: int, char: str) -> None:
    text = bech32.encode("age", data)
    position = len("age1") + position % (len(text) - len("age1"))
    if text[position] == char:
        return
    with pytest.raises(KeyFormatError):
        bech32.decode(text[:position] + char + text[position + 1 :])


def test_known_age_key_pair() -> None:
    # The identity of the CCTV vectors and the recipient age-keygen -y prints for it.
    identity = X25519Identity.parse(
        "AGE-SECRET-KEY-1XMWWC06LY3EE5RYTXM9MFLAZ2U56JJJ36S0MYPDRWSVLUL66MV4QX3S7F6")
    assert str(identity) == (
        "AGE-SECRET-KEY-1XMWWC06LY3EE5RYTXM9MFLAZ2U56JJJ36S0MYPDRWSVLUL66MV4QX3S7F6")
    recipient = identity.recipient()
    assert X25519Recipient.parse(str(recipient)) == recipient
    assert str(recipient).startswith("age1")
