"""Recipient cards: creation, round trip, copy-and-paste survival, hand-over."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from crypto.card import (
    BEGIN,
    END,
    CardFieldError,
    CardHandoverError,
    CardRecipientError,
    CardRecipientMixError,
    CardTooLargeError,
    DropNote,
    OnionShareEndpoint,
    TusEndpoint,
    create_card,
    make_handover,
    onion_address,
    parse_card,
    parse_card_bytes,
)
from crypto.errors import CryptoError
from crypto.signing import SigningKey
from tests.keys.conftest import TODAY, body_of, new_org

ONION = onion_address(bytes(range(32)))
ONION2 = onion_address(bytes(range(1, 33)))


def test_roundtrip_all_fields() -> None:
    org = new_org()
    card = org.card(endpoints=[
        TusEndpoint("https://inbox.rights.example.org:8443/files/?x=1"),
        OnionShareEndpoint(ONION, "A" * 52),
        OnionShareEndpoint(ONION2, None),
        DropNote("Post a USB stick to:\nPO Box 12, Geneva"),
    ])
    text = card.armored()
    assert text.startswith(BEGIN + "\n") and text.rstrip().endswith(END)
    assert "Organisation: Example Rights Watch" in text
    assert f"Fingerprint: {card.fingerprint().words_text()}" in text
    parsed = parse_card(text, today=TODAY)
    assert parsed == card
    assert parsed.to_bytes() == card.to_bytes()
    # Canonical JSON: sorted keys, compact, UTF-8.
    body = card.to_bytes()
    doc = json.loads(body)
    assert json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode() \
        == body


def test_postquantum_card() -> None:
    org = new_org(pq=True)
    card = org.card()
    assert all(r.startswith("age1pq1") for r in card.recipients)
    assert parse_card(card.armored(), today=TODAY) == card


def test_name_is_nfc_normalised_at_creation() -> None:
    org = new_org()
    decomposed = "Ve\u0301rite\u0301 Justice"  # e + combining acute
    card = org.card(name=decomposed)
    assert card.name == "Vérité Justice"
    assert parse_card(card.armored(), today=TODAY).name == "Vérité Justice"


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda t: t.replace("\n", "\r\n"), id="crlf"),
        pytest.param(lambda t: "\n".join("    " + ln for ln in t.splitlines()), id="indented"),
        pytest.param(lambda t: "\n".join("> " + ln for ln in t.splitlines()), id="email-quote"),
        pytest.param(lambda t: "\n".join("> > " + ln for ln in t.splitlines()), id="quote-2"),
        pytest.param(lambda t: "Dear source,\nhere is our card:\n\n" + t + "\n-- \nBest",
                     id="prose"),
        pytest.param(lambda t: t.replace("\n\n", "\n"), id="blank-line-lost"),
        pytest.param(lambda t: "\ufeff" + t, id="bom"),
        pytest.param(lambda t: t.replace("\n", "\n\n"), id="double-spaced"),
        pytest.param(lambda t: _rewrap(t, 40), id="rewrapped-40"),
        pytest.param(lambda t: _rewrap(t, 76), id="rewrapped-76"),
        pytest.param(lambda t: t.replace("Organisation: ", "Organisation:   "), id="header-space"),
        pytest.param(lambda t: "\n".join(ln for ln in t.splitlines() if ":" not in ln),
                     id="no-headers"),
        pytest.param(lambda t: t.encode("utf-8"), id="bytes"),
    ],
)
def test_survives_copy_and_paste(mangle: object) -> None:
    org = new_org("Société des Droits")
    card = org.card()
    assert parse_card(mangle(card.armored()), today=TODAY) == card  # type: ignore[operator]


def _rewrap(text: str, width: int) -> str:
    lines = text.splitlines()
    head = [ln for ln in lines if ln.startswith("-----") or ":" in ln]
    b64 = "".join(ln for ln in lines if ln not in head)
    wrapped = [b64[i : i + width] for i in range(0, len(b64), width)]
    return "\n".join([head[0], *head[1:-1], "", *wrapped, head[-1]])


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"name": ""}, CardFieldError),
        ({"name": "x" * 101}, CardFieldError),
        ({"name": "Evil\u202eCorp"}, CardFieldError),
        ({"name": "Two\nLines"}, CardFieldError),
        ({"name": "Nul\x00"}, CardFieldError),
        ({"website": "ftp://example.org"}, CardFieldError),
        ({"website": "javascript:alert(1)"}, CardFieldError),
        ({"website": "https://user:pw@example.org/"}, CardFieldError),
        ({"website": "https://exa mple.org"}, CardFieldError),
        ({"endpoints": [TusEndpoint("file:///etc/passwd")]}, CardFieldError),
        ({"endpoints": [TusEndpoint("https://example.org:99999/")]}, CardFieldError),
        ({"endpoints": [OnionShareEndpoint("short.onion")]}, CardFieldError),
        ({"endpoints": [OnionShareEndpoint("A" * 56 + ".onion")]}, CardFieldError),
        ({"endpoints": [OnionShareEndpoint("a" * 56 + ".onion")]}, CardFieldError),
        ({"endpoints": [OnionShareEndpoint(ONION[:5] + "x" + ONION[6:])]}, CardFieldError),
        ({"endpoints": [OnionShareEndpoint(ONION, "lowercase" * 6)]}, CardFieldError),
        ({"endpoints": [DropNote("x" * 501)]}, CardFieldError),
        ({"endpoints": [TusEndpoint(f"https://e{i}.org/") for i in range(9)]}, CardFieldError),
        ({"endpoints": [TusEndpoint("https://e.org/")] * 2}, CardFieldError),
        ({"recipients": []}, CardFieldError),
        ({"recipients": ["age1notakey"]}, CardRecipientError),
        ({"recipients": ["AGE-SECRET-KEY-1QQQ"]}, CardRecipientError),
        ({"issued": TODAY, "expires": TODAY - dt.timedelta(days=1)}, CardFieldError),
        ({"issued": TODAY, "expires": TODAY + dt.timedelta(days=6 * 365)}, CardFieldError),
    ],
)
def test_creation_refuses_bad_fields(kwargs: dict[str, object], error: type[CryptoError]) -> None:
    org = new_org()
    with pytest.raises(error) as info:
        org.card(**kwargs)
    assert info.value.message == error.message


def test_creation_refuses_mixing_classic_and_postquantum() -> None:
    classic, pq = new_org(), new_org(pq=True)
    with pytest.raises(CardRecipientMixError) as info:
        classic.card(recipients=[classic.recipients[0], pq.recipients[0]])
    assert "classic or post-quantum" in info.value.message


def test_creation_refuses_duplicate_and_too_many_recipients() -> None:
    org = new_org()
    with pytest.raises(CardRecipientError):
        org.card(recipients=[org.recipients[0], org.recipients[0]])
    many = [new_org().recipients[0] for _ in range(17)]
    with pytest.raises(CardFieldError):
        org.card(recipients=many)


def test_sixteen_postquantum_recipients_fit() -> None:
    orgs = [new_org(pq=True) for _ in range(8)]
    recipients = [r for o in orgs for r in o.recipients]
    card = orgs[0].card(recipients=recipients)
    assert len(card.to_bytes()) < 64 * 1024
    assert parse_card(card.armored(), today=TODAY) == card


def test_handover_signed_by_old_key_verifies() -> None:
    old, new = SigningKey.generate(), SigningKey.generate()
    org = new_org()
    handover = make_handover(old, new.verify_key(), TODAY)
    card = create_card(new, name=org.name, recipients=org.recipients, issued=TODAY,
                       handover=handover)
    parsed = parse_card(card.armored(), today=TODAY)
    assert parsed.handover is not None
    assert parsed.handover.old_key == old.verify_key()


def test_forged_handover_is_refused_at_creation_and_parse() -> None:
    old, new, mallory = SigningKey.generate(), SigningKey.generate(), SigningKey.generate()
    org = new_org()
    # Mallory signs a "hand-over" claiming to come from the old key.
    forged = make_handover(mallory, new.verify_key(), TODAY)
    forged = type(forged)(old.verify_key(), forged.date, forged.signature)
    with pytest.raises(CardHandoverError):
        create_card(new, name=org.name, recipients=org.recipients, issued=TODAY, handover=forged)


def test_body_limit_on_direct_bytes() -> None:
    with pytest.raises(CardTooLargeError):
        parse_card_bytes(b"{" + b" " * (200 * 1024) + b"}")


def test_armored_body_helper_matches() -> None:
    org = new_org()
    card = org.card()
    assert body_of(card.armored()) == card.to_bytes()


def test_real_onion_address_checksum() -> None:
    # DuckDuckGo's published v3 address: a real checksum computed by Tor.
    real = "duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion"
    card = new_org().card(endpoints=[OnionShareEndpoint(real)])
    assert parse_card(card.armored(), today=TODAY).endpoints == (OnionShareEndpoint(real),)
    with pytest.raises(CardFieldError):
        new_org().card(endpoints=[OnionShareEndpoint(real.replace("duck", "dack", 1))])
