"""Every way a card can be wrong is refused with a clear, fixed message.

Table-driven: each case builds a bad card from a good one and names the
error leaf it must raise. The messages are the fixed user-facing ones.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest

from crypto import card as cardmod
from crypto.card import (
    CardChecksumError,
    CardError,
    CardExpiredError,
    CardFieldError,
    CardFormatError,
    CardHandoverError,
    CardHeaderMismatchError,
    CardNotYetValidError,
    CardRecipientError,
    CardRecipientMixError,
    CardSignatureError,
    CardTooLargeError,
    CardVersionError,
    parse_card,
)
from crypto.errors import CryptoError
from crypto.signing import SigningKey
from tests.keys.conftest import TODAY, Org, armor_body, body_of, new_org, sign_document

ORG = new_org()
PQ = new_org(pq=True)
GOOD = ORG.card()
TEXT = GOOD.armored()
DOC: dict[str, Any] = GOOD.document()
OTHER = SigningKey.generate()


def _flip_b64_char(text: str, line_no: int) -> str:
    lines = text.splitlines()
    body_lines = [i for i, ln in enumerate(lines) if ln and ":" not in ln
                  and not ln.startswith(("-", "="))]
    i = body_lines[line_no]
    ch = lines[i][10]
    lines[i] = lines[i][:10] + ("B" if ch != "B" else "C") + lines[i][11:]
    return "\n".join(lines)


def _tamper_body(mutate: Callable[[bytes], bytes]) -> str:
    """Change the body and recompute the checksum: only the signature can notice."""
    return armor_body(mutate(body_of(TEXT)))


def _doc_with(**changes: Any) -> dict[str, Any]:
    doc = json.loads(json.dumps(DOC))
    for k, v in changes.items():
        if v is None:
            doc.pop(k, None)
        else:
            doc[k] = v
    return doc


def _resigned(**changes: Any) -> str:
    """Validly signed by the card's own key, but with a bad field."""
    return sign_document(ORG.key, _doc_with(**changes))


def _signed_by_other_key_keeping_identity() -> str:
    # Mallory edits the recipients and signs with her key, leaving the
    # organisation's public key in place.
    doc = _doc_with(recipients=new_org().recipients)
    return sign_document(OTHER, doc)


def _expired() -> str:
    return ORG.card(issued=TODAY - dt.timedelta(days=400),
                    expires=TODAY - dt.timedelta(days=1)).armored()


def _future() -> str:
    return ORG.card(issued=TODAY + dt.timedelta(days=30)).armored()


def _bad_handover() -> str:
    old = SigningKey.generate()
    doc = _doc_with(handover={
        "from": str(old.verify_key()), "date": TODAY.isoformat(),
        "sig": base64.urlsafe_b64encode(OTHER.sign(b"x")).decode().rstrip("="),
    })
    return sign_document(ORG.key, doc)


def _non_canonical() -> str:
    doc = DOC
    body = json.dumps(doc, sort_keys=True, indent=1, ensure_ascii=False).encode()
    return armor_body(body)


def _dup_key() -> str:
    body = body_of(TEXT)
    return armor_body(body[:-1] + b',"v":1}')


CASES: list[tuple[str, Callable[[], str | bytes], type[CardError]]] = [
    # tampered
    ("tampered-name", lambda: _tamper_body(lambda b: b.replace(b"Example", b"Exemple")),
     CardSignatureError),
    ("tampered-recipient", lambda: _tamper_body(
        lambda b: b.replace(ORG.recipients[0].encode(), new_org().recipients[0].encode())),
     CardSignatureError),
    ("tampered-expiry", lambda: _tamper_body(
        lambda b: b.replace(GOOD.expires.isoformat().encode(), b"2028-01-01")),
     CardSignatureError),
    ("tampered-url", lambda: _tamper_body(lambda b: b.replace(b"inbox.", b"evil.")),
     CardSignatureError),
    ("flipped-char-no-checksum-fix", lambda: _flip_b64_char(TEXT, 2), CardChecksumError),
    ("header-org-swapped", lambda: TEXT.replace("Organisation: Example Rights Watch",
                                                "Organisation: Other Org"),
     CardHeaderMismatchError),
    ("header-fingerprint-swapped", lambda: TEXT.replace(
        GOOD.fingerprint().words_text(), new_org().card().fingerprint().words_text()),
     CardHeaderMismatchError),
    ("header-expiry-swapped", lambda: TEXT.replace("Expires: ", "Expires: 2099-01-01 "),
     CardHeaderMismatchError),
    # truncated
    ("truncated-last-line", lambda: "\n".join(
        ln for i, ln in enumerate(TEXT.splitlines()) if i != len(TEXT.splitlines()) - 3),
     CardChecksumError),
    ("truncated-no-end", lambda: TEXT.rsplit("-----END", 1)[0], CardFormatError),
    ("truncated-half", lambda: TEXT[: len(TEXT) // 2] + "\n" + cardmod.END, CardFormatError),
    ("truncated-no-checksum", lambda: "\n".join(
        ln for ln in TEXT.splitlines() if not ln.startswith("=")), CardFormatError),
    ("truncated-body-resummed", lambda: armor_body(body_of(TEXT)[:-40]), CardFormatError),
    # re-signed
    ("re-signed-by-other-key", _signed_by_other_key_keeping_identity, CardSignatureError),
    ("signature-zeroed", lambda: armor_body(cardmod.canonical_json(
        _doc_with(sig=base64.urlsafe_b64encode(bytes(64)).decode().rstrip("=")))),
     CardSignatureError),
    ("handover-forged", _bad_handover, CardHandoverError),
    # expired or not yet valid
    ("expired", _expired, CardExpiredError),
    ("issued-in-future", _future, CardNotYetValidError),
    # oversized
    ("oversized-text", lambda: TEXT + " " * (200 * 1024), CardTooLargeError),
    ("oversized-body", lambda: armor_body(b"{" + b'"a":"' + b"x" * (100 * 1024) + b'"}'),
     CardTooLargeError),
    ("too-many-recipients", lambda: _resigned(
        recipients=[new_org().recipients[0] for _ in range(17)]), CardFieldError),
    ("name-too-long", lambda: _resigned(name="n" * 101), CardFieldError),
    ("note-too-long", lambda: _resigned(endpoints=[{"type": "note", "text": "n" * 501}]),
     CardFieldError),
    ("validity-too-long", lambda: _resigned(expires="2040-01-01"), CardFieldError),
    # malformed
    ("empty", lambda: "", CardFormatError),
    ("not-a-card", lambda: "hello world", CardFormatError),
    ("two-cards", lambda: TEXT + TEXT, CardFormatError),
    ("binary", lambda: b"\xff\xfe\x00garbage", CardFormatError),
    ("not-json", lambda: armor_body(b"not json at all"), CardFormatError),
    ("json-array", lambda: armor_body(b"[1,2,3]"), CardFormatError),
    ("non-canonical-json", _non_canonical, CardFormatError),
    ("duplicate-key", _dup_key, CardFormatError),
    ("float", lambda: armor_body(b'{"v":1.0}'), CardFormatError),
    ("nan", lambda: armor_body(b'{"v":NaN}'), CardFormatError),
    ("huge-int", lambda: armor_body(b'{"v":' + b"9" * 5000 + b"}"), CardFormatError),
    ("deep-nesting", lambda: armor_body(b"[" * 30000 + b"]" * 30000), CardFormatError),
    ("newer-version", lambda: _resigned(v=2), CardVersionError),
    ("version-string", lambda: _resigned(v="1"), CardFormatError),
    ("unknown-member", lambda: _resigned(extra="x"), CardFormatError),
    ("missing-recipients", lambda: _resigned(recipients=None), CardFormatError),
    ("missing-sig", lambda: armor_body(cardmod.canonical_json(_doc_with(sig=None))),
     CardFormatError),
    ("bad-sig-encoding", lambda: armor_body(cardmod.canonical_json(_doc_with(sig="!!"))),
     CardFormatError),
    ("bad-signing-key", lambda: _resigned(signing_key="ed25519:short"), CardFormatError),
    ("bad-date", lambda: _resigned(issued="2026-02-30"), CardFieldError),
    ("date-not-iso", lambda: _resigned(issued="1 June 2026"), CardFieldError),
    ("expires-before-issued", lambda: _resigned(expires="2020-01-01"), CardFieldError),
    ("mixed-recipients", lambda: _resigned(recipients=[ORG.recipients[0], PQ.recipients[0]]),
     CardRecipientMixError),
    ("junk-recipient", lambda: _resigned(recipients=["age1qqqqqqqqqqqq"]), CardRecipientError),
    ("identity-as-recipient", lambda: _resigned(recipients=["AGE-SECRET-KEY-1ABC"]),
     CardRecipientError),
    ("recipient-not-string", lambda: _resigned(recipients=[5]), CardRecipientError),
    ("ftp-tus", lambda: _resigned(endpoints=[{"type": "tus", "url": "ftp://x.org/"}]),
     CardFieldError),
    ("js-website", lambda: _resigned(website="javascript:alert(1)"), CardFieldError),
    ("bad-onion", lambda: _resigned(endpoints=[{"type": "onionshare",
                                                "address": "abc.onion"}]), CardFieldError),
    ("unknown-endpoint", lambda: _resigned(endpoints=[{"type": "smtp", "to": "a@b"}]),
     CardFormatError),
    ("endpoint-extra-member", lambda: _resigned(
        endpoints=[{"type": "tus", "url": "https://a.org/", "x": "y"}]), CardFormatError),
    ("bidi-name", lambda: _resigned(name="Amnesty\u202eInternational"), CardFieldError),
    ("control-name", lambda: _resigned(name="Org\x1b[31m"), CardFieldError),
    ("newline-name", lambda: _resigned(name="Org\nFake line"), CardFieldError),
    ("non-nfc-name", lambda: _resigned(name="Ve\u0301rite\u0301"), CardFieldError),
    ("blank-name", lambda: _resigned(name=" Org "), CardFieldError),
]


@pytest.mark.parametrize(("make", "error"), [(m, e) for _, m, e in CASES],
                         ids=[c[0] for c in CASES])
def test_bad_card_is_refused(make: Callable[[], str | bytes], error: type[CardError]) -> None:
    bad = make()
    with pytest.raises(CryptoError) as info:
        parse_card(bad, today=TODAY)
    exc = info.value
    assert type(exc) is error, f"{type(exc).__name__}: {exc}"
    # A fixed, plain, non-empty message meant for people.
    assert exc.message == error.message and len(exc.message) > 20
    assert "Traceback" not in str(exc)


def test_the_good_card_itself_parses() -> None:
    # Guards the table: every case starts from a card that is accepted.
    assert parse_card(TEXT, today=TODAY) == GOOD
    assert parse_card(_resigned(), today=TODAY) == GOOD


def test_expired_card_can_still_be_inspected() -> None:
    card = parse_card(_expired(), today=TODAY, check_expiry=False)
    assert card.is_expired(TODAY)
    with pytest.raises(CardExpiredError) as info:
        card.check_usable(TODAY)
    assert "expired" in info.value.message


def test_org_fixture_is_what_cases_assume() -> None:
    assert isinstance(ORG, Org) and GOOD.name == "Example Rights Watch"
