"""Hypothesis fuzzing of the card parser: only typed CryptoError leaves escape.

Whatever text, bytes or signed-but-strange document arrives, ``parse_card``
returns a verified Card or raises a leaf of CryptoError, never anything else
(no KeyError, ValueError, UnicodeError, RecursionError...).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crypto import card as cardmod
from crypto.card import Card, parse_card
from crypto.errors import CryptoError
from tests.keys.conftest import TODAY, armor_body, body_of, new_org, sign_document

ORG = new_org()
GOOD = ORG.card()
TEXT = GOOD.armored()
BODY = body_of(TEXT)
FUZZ = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


def _parse(untrusted: str | bytes) -> Card | None:
    try:
        return parse_card(untrusted, today=TODAY)
    except CryptoError as exc:
        assert type(exc) is not CryptoError, "only leaves, not the root"
        assert exc.message
        return None


@FUZZ
@given(st.text(max_size=2000))
def test_arbitrary_text(untrusted: str) -> None:
    _parse(untrusted)


@FUZZ
@given(st.binary(max_size=2000))
def test_arbitrary_bytes(untrusted: bytes) -> None:
    _parse(untrusted)


@FUZZ
@given(st.text(max_size=500))
def test_arbitrary_text_inside_armor_lines(inner: str) -> None:
    _parse(f"{cardmod.BEGIN}\n{inner}\n{cardmod.END}\n")


@FUZZ
@given(st.binary(max_size=3000))
def test_arbitrary_body_with_valid_checksum(body: bytes) -> None:
    _parse(armor_body(body))


@FUZZ
@given(st.data())
def test_mutated_good_card(data: st.DataObject) -> None:
    text = TEXT
    for _ in range(data.draw(st.integers(1, 4))):
        pos = data.draw(st.integers(0, len(text)))
        op = data.draw(st.sampled_from(["insert", "delete", "replace"]))
        ch = data.draw(st.characters())
        if op == "insert":
            text = text[:pos] + ch + text[pos:]
        elif op == "delete":
            text = text[:pos] + text[pos + 1 :]
        else:
            text = text[:pos] + ch + text[pos + 1 :]
    result = _parse(text)
    if result is not None:
        # Only harmless edits (whitespace, quoting) may still verify, and then
        # the result is exactly the original card.
        assert result == GOOD


@FUZZ
@given(st.data())
def test_mutated_body_bytes_with_fixed_checksum(data: st.DataObject) -> None:
    body = bytearray(BODY)
    pos = data.draw(st.integers(0, len(body) - 1))
    body[pos] = data.draw(st.integers(0, 255).filter(lambda b: b != BODY[pos]))
    assert _parse(armor_body(bytes(body))) is None  # any byte change breaks something


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
ARMOR_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=: \t>-"
FIELDS = ["v", "name", "website", "recipients", "endpoints", "issued", "expires",
          "signing_key", "handover", "extra"]


@FUZZ
@given(st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=10))
def test_validly_signed_strange_documents(changes: dict[str, Any]) -> None:
    """Signed by a real key, so only the structural checks stand in the way."""
    doc = json.loads(json.dumps(GOOD.document()))
    doc.update(changes)
    doc["signing_key"] = str(ORG.key.verify_key()) if "signing_key" not in changes \
        else doc["signing_key"]
    _parse(sign_document(ORG.key, doc))


@FUZZ
@given(st.lists(st.text(alphabet=ARMOR_ALPHABET, max_size=80), max_size=30))
def test_armor_like_lines(lines: list[str]) -> None:
    _parse("\n".join([cardmod.BEGIN, *lines, cardmod.END]))


def test_fuzz_seed_is_valid() -> None:
    assert _parse(TEXT) == GOOD
    assert base64.b64encode(BODY)
