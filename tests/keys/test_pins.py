"""The source's pinned organisations: TOFU, rotation, hand-over, sealed at rest."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest

from crypto.card import CardExpiredError, create_card, make_handover
from crypto.pins import (
    CardRollbackError,
    ImportStatus,
    PinMismatchError,
    PinStore,
    PinStoreError,
)
from crypto.signing import SigningKey
from crypto.statekey import StateKey
from tests.keys.conftest import TODAY, Org, new_org

LATER = TODAY + dt.timedelta(days=30)


@pytest.fixture
def store(tmp_path: Path) -> PinStore:
    return PinStore(tmp_path / "state" / "trust.sealed", StateKey.generate())


def test_first_import_pins_and_persists(tmp_path: Path) -> None:
    key = StateKey.generate()
    org = new_org()
    card = org.card()
    result = PinStore(tmp_path / "p", key).import_card(card, today=TODAY)
    assert result.status is ImportStatus.NEW
    reopened = PinStore(tmp_path / "p", key)
    pins = reopened.pins()
    assert [p.card for p in pins] == [card]
    assert reopened.get("example rights watch") is not None
    assert reopened.get(card.fingerprint().words_text().upper()) is not None
    assert reopened.get(card.fingerprint().digits_text()) is not None
    assert reopened.get(card.fingerprint().hex) is not None
    assert reopened.get("someone else") is None
    assert stat.S_IMODE((tmp_path / "p").stat().st_mode) == 0o600


def test_same_card_again_is_unchanged(store: PinStore) -> None:
    card = new_org().card()
    store.import_card(card, today=TODAY)
    assert store.import_card(card, today=TODAY).status is ImportStatus.UNCHANGED


def test_newer_card_same_key_replaces_old(store: PinStore) -> None:
    org = new_org()
    store.import_card(org.card(), today=TODAY)
    newer = org.card(issued=LATER, recipients=new_org().recipients,
                     name="Example Rights Watch (new office)")
    result = store.import_card(newer, today=LATER)
    assert result.status is ImportStatus.UPDATED
    assert [p.card for p in store.pins()] == [newer]
    assert result.replaced is not None and result.replaced.card.issued == TODAY


def test_older_card_same_key_is_refused(store: PinStore) -> None:
    org = new_org()
    store.import_card(org.card(issued=LATER), today=LATER)
    with pytest.raises(CardRollbackError):
        store.import_card(org.card(issued=TODAY), today=LATER)


@pytest.mark.parametrize(
    "impostor",
    [
        pytest.param(lambda org: Org(SigningKey.generate(), org.recipients), id="same-name"),
        pytest.param(lambda org: Org(SigningKey.generate(), new_org().recipients,
                                     name="EXAMPLE RIGHTS WATCH"), id="same-name-other-case"),
        pytest.param(lambda org: Org(SigningKey.generate(), new_org().recipients,
                                     name="Totally Different", website=org.website + "/"),
                     id="same-website"),
    ],
)
def test_key_change_for_pinned_org_is_refused(store: PinStore, impostor: object) -> None:
    org = new_org()
    store.import_card(org.card(), today=TODAY)
    mallory: Org = impostor(org)  # type: ignore[operator]
    with pytest.raises(PinMismatchError) as info:
        store.import_card(mallory.card(issued=LATER), today=LATER)
    assert info.value.message.startswith(
        "This card is signed by a different key than the one you trusted before"
    )
    # The pin is untouched.
    assert [p.card.signing_key for p in store.pins()] == [org.key.verify_key()]


def test_signed_handover_is_accepted(store: PinStore) -> None:
    org = new_org()
    store.import_card(org.card(), today=TODAY)
    new_key = SigningKey.generate()
    handover = make_handover(org.key, new_key.verify_key(), LATER)
    successor = create_card(new_key, name=org.name, website=org.website,
                            recipients=new_org().recipients, issued=LATER, handover=handover)
    result = store.import_card(successor, today=LATER)
    assert result.status is ImportStatus.HANDED_OVER
    (pin,) = store.pins()
    assert pin.card.signing_key == new_key.verify_key()
    assert pin.previous_keys == (str(org.key.verify_key()),)
    # The retired key cannot come back, neither as an update nor as a new org.
    with pytest.raises(PinMismatchError):
        store.import_card(org.card(issued=LATER + dt.timedelta(days=1)), today=LATER)
    with pytest.raises(PinMismatchError):
        store.import_card(org.card(issued=LATER, name="Renamed", website=None), today=LATER)


def test_handover_from_a_key_that_is_not_pinned_is_refused(store: PinStore) -> None:
    org = new_org()
    store.import_card(org.card(), today=TODAY)
    stranger, new_key = SigningKey.generate(), SigningKey.generate()
    card = create_card(new_key, name=org.name, recipients=org.recipients, issued=LATER,
                       handover=make_handover(stranger, new_key.verify_key(), LATER))
    with pytest.raises(PinMismatchError):
        store.import_card(card, today=LATER)


def test_expired_card_is_not_pinned(store: PinStore) -> None:
    card = new_org().card(issued=TODAY - dt.timedelta(days=400),
                          expires=TODAY - dt.timedelta(days=1))
    with pytest.raises(CardExpiredError):
        store.import_card(card, today=TODAY)
    assert store.pins() == []


def test_pin_file_holds_no_plaintext(tmp_path: Path) -> None:
    path = tmp_path / "trust.sealed"
    store = PinStore(path, StateKey.generate())
    org = new_org("Unmistakable Watchdog Name", website="https://unmistakable-watchdog.example")
    card = org.card()
    store.import_card(card, today=TODAY)
    raw = path.read_bytes()
    fp = card.fingerprint()
    needles = [
        org.name, "Unmistakable", "unmistakable-watchdog", org.website, *org.recipients,
        str(org.key.verify_key()), str(org.key.verify_key())[8:], fp.hex, fp.words()[0] + " "
        + fp.words()[1], fp.digit_groups()[0] + " " + fp.digit_groups()[1],
        "BEGIN SUBMITTER", "recipients", "age1",
    ]
    for needle in needles:
        for form in {needle.encode(), needle.lower().encode(), needle.encode("utf-16-le")}:
            assert form not in raw, needle
    assert org.key.verify_key().raw not in raw


def test_file_size_does_not_reveal_pin_count(tmp_path: Path) -> None:
    key = StateKey.generate()
    sizes = []
    for count in (1, 3):
        path = tmp_path / f"p{count}"
        store = PinStore(path, key)
        for i in range(count):
            store.import_card(new_org(f"Org {i}", website=f"https://o{i}.example").card(),
                              today=TODAY)
        sizes.append(path.stat().st_size)
    assert sizes[0] == sizes[1]


def test_wrong_key_or_tampered_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p"
    store = PinStore(path, StateKey.generate())
    store.import_card(new_org().card(), today=TODAY)
    with pytest.raises(PinStoreError):
        PinStore(path, StateKey.generate()).pins()
    data = bytearray(path.read_bytes())
    data[100] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(PinStoreError) as info:
        store.pins()
    assert "could not be opened" in info.value.message


def test_remove_and_wipe(tmp_path: Path) -> None:
    path = tmp_path / "p"
    store = PinStore(path, StateKey.generate())
    a, b = new_org("Alpha Org", website=None), new_org("Beta Org", website=None)
    store.import_card(a.card(website=None), today=TODAY)
    store.import_card(b.card(website=None), today=TODAY)
    assert store.remove("alpha org") is True
    assert store.remove("alpha org") is False
    assert [p.name for p in store.pins()] == ["Beta Org"]
    store.wipe()
    assert not path.exists()
    assert store.pins() == []
