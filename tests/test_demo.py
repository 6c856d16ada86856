"""Demo mode's core: a real demo organisation, its real inbox on loopback, the whole
flow on one machine (seal to the card, upload over tus, open with the demo key),
and a stop that leaves nothing behind."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from crypto.card import TusEndpoint, parse_card
from crypto.keystore import Protection, protection_of
from submitter.demo import (
    DEMO_DIR,
    DEMO_ORG_NAME,
    MARKER_FILE,
    DemoFolderInUseError,
    start_demo,
)
from submitter.staff_open import find_parts, open_with_identity_file
from tests.bundle.conftest import cleaned_bytes
from tests.ui.demo_upload import inbox_answers, upload_photo


def test_demo_org_card_keys_and_inbox(tmp_path: Path) -> None:
    data = tmp_path / "data"
    demo = start_demo(data)
    try:
        assert demo.folder == data / DEMO_DIR
        assert (demo.folder / MARKER_FILE).is_file()
        assert stat.S_IMODE(demo.folder.stat().st_mode) == 0o700
        # Keys: unprotected on purpose, and named so.
        for key in (demo.signing_key_path, demo.identity_path):
            assert "UNPROTECTED" in key.name and "demo" in key.name
            assert protection_of(key) is Protection.NONE
            assert stat.S_IMODE(key.stat().st_mode) == 0o600
        # The card on disk is the signed card, named as a demo, pointing at the inbox.
        card = parse_card(demo.card_path.read_text())
        assert card == demo.card and card.name == DEMO_ORG_NAME
        card.check_usable()
        (endpoint,) = card.endpoints
        assert isinstance(endpoint, TusEndpoint) and endpoint.url == demo.inbox_url
        assert demo.inbox_url.startswith("http://127.0.0.1:")
        assert demo.inbox.port > 0 and inbox_answers(demo.inbox_url)
        # Trusted in the demo's own state, never in the real trusted list.
        assert [p.name for p in demo.state.pins().pins()] == [DEMO_ORG_NAME]
        assert demo.state.data_dir.is_relative_to(demo.folder)
        assert not (data / "trust.sealed").exists()
    finally:
        demo.stop()
    assert not demo.folder.exists()
    assert not inbox_answers(demo.inbox_url)
    assert data.is_dir() and list(data.iterdir()) == []
    demo.stop()  # twice is harmless


def test_whole_flow_on_one_machine(tmp_path: Path) -> None:
    demo = start_demo(tmp_path / "data")
    try:
        photo, result = upload_photo(demo, tmp_path, "demo message")
        received = find_parts(demo.inbox_dir)
        assert len(received) == len(result.parts)
        assert all(p.is_relative_to(demo.inbox_dir / "received") for p in received)
        report = open_with_identity_file(received, demo.identity_path, None, demo.opened_dir)
        assert report.message == "demo message"
        (entry,) = report.files
        assert (report.folder / entry.name).read_bytes() == cleaned_bytes(photo)
    finally:
        demo.stop()
    assert not demo.folder.exists()


def test_leftovers_of_a_crashed_demo_are_replaced(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = start_demo(data)
    first.inbox.stop()  # as if the app had crashed: the folder stays
    assert first.folder.is_dir()
    second = start_demo(data)
    try:
        assert second.card.signing_key != first.card.signing_key
        assert [p.name for p in second.folder.iterdir()].count(MARKER_FILE) == 1
    finally:
        second.stop()
    assert not (data / DEMO_DIR).exists()


def test_a_demo_folder_the_demo_did_not_make_is_left_alone(tmp_path: Path) -> None:
    data = tmp_path / "data"
    mine = data / DEMO_DIR
    mine.mkdir(parents=True)
    (mine / "my-notes.txt").write_text("not the app's")
    with pytest.raises(DemoFolderInUseError):
        start_demo(data)
    assert (mine / "my-notes.txt").read_text() == "not the app's"
    assert [p.name for p in mine.iterdir()] == ["my-notes.txt"]
