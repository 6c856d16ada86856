"""The header: canonical parse/serialise, strict rejection, MAC, recipient mixing rules."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import errors
from crypto.age import decrypt_bytes, encrypt_bytes
from crypto.header import Header, b64decode, b64encode, parse_header, read_header
from crypto.recipients import check_mix, parse_identity, parse_recipient
from crypto.recipients.scrypt import ScryptIdentity, ScryptRecipient
from crypto.recipients.x25519 import X25519Identity
from crypto.stanza import Stanza

VCHAR = st.characters(min_codepoint=0x21, max_codepoint=0x7E)
ARG = st.text(VCHAR, min_size=1, max_size=80)
STANZA = st.builds(
    Stanza, ARG, st.lists(ARG, max_size=4).map(tuple), st.binary(max_size=300))
HEADER = st.builds(Header, st.lists(STANZA, min_size=1, max_size=5).map(tuple),
                   st.binary(min_size=32, max_size=32))


@settings(max_examples=200, deadline=None)
@given(header=HEADER, payload=st.binary(max_size=40))
def test_serialise_then_parse_is_identity(header: Header, payload: bytes) -> None:
    data = header.serialize()
    parsed, offset = parse_header(data + payload)
    assert parsed == header
    assert offset == len(data)
    assert parsed.serialize() == data


@settings(max_examples=400, deadline=None)
@given(header=HEADER, edits=st.lists(
    st.tuples(st.integers(0, 10_000), st.sampled_from(
        [b"", b" ", b"\n", b"\r", b"=", b"A", b"-", b"->", b"---", b"\x00", b"\xff"])),
    min_size=1, max_size=4))
def test_parsing_is_canonical(header: Header, edits: list[tuple[int, bytes]]) -> None:
    """Whatever bytes parse, they are exactly what serialising the result gives."""
    data = bytearray(header.serialize())
    for position, replacement in edits:
        position %= len(data) + 1
        data[position : position + 1] = replacement
    try:
        parsed, offset = parse_header(bytes(data))
    except errors.HeaderError:
        return
    assert parsed.serialize() == bytes(data[:offset])


@pytest.mark.parametrize("text", ["", "AA", "AAA", "AAAA", "QUJD", "YWJjZA"])
def test_base64_canonical_round_trip(text: str) -> None:
    assert b64encode(b64decode(text)) == text


@pytest.mark.parametrize("text", ["A", "YWJjZA==", "YWJjZB", "YW Jj", "YWJj\n", "YW-j", "YR"])
def test_base64_rejects_non_canonical(text: str) -> None:
    with pytest.raises(errors.HeaderError):
        b64decode(text)


GOOD = (b"age-encryption.org/v1\n-> X25519 abc\n" + b"A" * 64 + b"\nAAAA\n--- "
        + b"A" * 43 + b"\n")


@pytest.mark.parametrize("bad", [
    GOOD.replace(b"v1", b"v2"),
    GOOD.replace(b"\n", b"\r\n"),
    GOOD.replace(b"-> X25519 abc", b"->"),
    GOOD.replace(b"-> X25519 abc", b"-> X25519  abc"),
    GOOD.replace(b"-> X25519 abc", b"-> X25519 abc "),
    GOOD.replace(b"\nAAAA\n", b"\n"),  # the body must end with a short line
    GOOD.replace(b"\nAAAA\n", b"\nAAAA\n\n"),  # only one short line
    GOOD.replace(b"A" * 64, b"A" * 65),
    GOOD.replace(b"--- ", b"---"),
    GOOD.replace(b"--- ", b"---  "),
    GOOD[:-2] + b"\n",
    GOOD[:-1],
    b"age-encryption.org/v1\n--- " + b"A" * 43 + b"\n",  # no stanza
])
def test_malformed_headers_rejected(bad: bytes) -> None:
    with pytest.raises(errors.HeaderError):
        parse_header(bad)


def test_good_header_parses() -> None:
    header, offset = parse_header(GOOD + b"payload")
    assert offset == len(GOOD)
    assert header.stanzas[0].args == ("abc",)


def test_header_mac_covers_stanzas() -> None:
    identity = X25519Identity.generate()
    ciphertext = encrypt_bytes(b"hello", [identity.recipient()])
    buf = io.BytesIO(ciphertext)
    header = read_header(buf)
    # Add a grease stanza: the file key still unwraps, but the MAC no longer matches.
    forged = Header((*header.stanzas, Stanza("grease", ("x",), b"")), header.mac)
    with pytest.raises(errors.HmacError):
        decrypt_bytes(forged.serialize() + ciphertext[buf.tell():], [identity])


def test_recipient_mixing_rules() -> None:
    a = X25519Identity.generate().recipient()
    b = X25519Identity.generate().recipient()
    check_mix([a, b])
    with pytest.raises(errors.RecipientMixError):
        check_mix([a, ScryptRecipient("pass phrase", work_factor=2)])
    with pytest.raises(errors.RecipientMixError):
        check_mix([ScryptRecipient("one", work_factor=2), ScryptRecipient("two", work_factor=2)])
    with pytest.raises(errors.RecipientMixError):
        check_mix([])
    with pytest.raises(errors.RecipientMixError):
        encrypt_bytes(b"x", [a, ScryptRecipient("pass phrase", work_factor=2)])


def test_scrypt_round_trip_and_work_factor_limit() -> None:
    ciphertext = encrypt_bytes(b"secret", [ScryptRecipient("pass phrase", work_factor=10)])
    assert decrypt_bytes(ciphertext, [ScryptIdentity("pass phrase")]) == b"secret"
    with pytest.raises(errors.NoIdentityMatchError):
        decrypt_bytes(ciphertext, [ScryptIdentity("other")])
    with pytest.raises(errors.HeaderError):
        decrypt_bytes(ciphertext, [ScryptIdentity("pass phrase", max_work_factor=9)])


def test_registry_dispatches_longest_prefix_first() -> None:
    identity = X25519Identity.generate()
    assert parse_identity(str(identity)).recipient() == identity.recipient()  # type: ignore[attr-defined]
    assert parse_identity(str(identity).lower()).recipient() == identity.recipient()  # type: ignore[attr-defined]
    assert parse_recipient(str(identity.recipient())) == identity.recipient()
    for junk in ["", "age", "age1", "AGE-SECRET-KEY-1", "ssh-ed25519 AAAA", "age2xyz"]:
        with pytest.raises(errors.KeyFormatError):
            parse_recipient(junk)
        with pytest.raises(errors.KeyFormatError):
            parse_identity(junk)


def test_endless_stanza_body_is_refused_without_reading_it_all() -> None:
    from crypto.header import MAX_BODY_LINES

    line = b"A" * 64 + b"\n"
    body_lines = MAX_BODY_LINES + 10

    class Endless(io.RawIOBase):
        """A stanza whose body never ends; counts what the parser pulled."""

        def __init__(self) -> None:
            self.data = b"age-encryption.org/v1\n-> X25519 abc\n"
            self.served = 0

        def readable(self) -> bool:
            return True

        def readinto(self, b):  # type: ignore[no-untyped-def]
            if not self.data:
                if self.served >= body_lines:
                    return 0
                self.data = line
                self.served += 1
            n = min(len(b), len(self.data))
            b[:n] = self.data[:n]
            self.data = self.data[n:]
            return n

    src = Endless()
    with pytest.raises(errors.HeaderError, match="too long"):
        read_header(io.BufferedReader(src))
    assert src.served <= MAX_BODY_LINES + 1


def test_a_large_but_bounded_body_still_parses() -> None:
    body = b"\x00" * (48 * 100)  # 100 full lines of base64 and a short last one
    header = Header((Stanza("X25519", ("abc",), body),), b"\x00" * 32)
    parsed, _ = parse_header(header.serialize())
    assert parsed.stanzas[0].body == body
