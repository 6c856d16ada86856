"""The Qt-free glue behind the Inbox page: finding parts, sorting them into
submissions, and opening several submissions each on its own, with real parts."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from crypto.keystore import Protection, save_key
from crypto.recipients.x25519 import X25519Identity
from submitter.bundle.opener import OpenCancelled, PartRefusedError
from submitter.bundle.pipeline import submit
from submitter.inbox.store import PART_NAME
from submitter.staff_open import (
    GroupProgress,
    find_parts,
    group_parts,
    needs_passphrase,
    open_submissions,
    submission_of,
)
from tests.bundle.conftest import listing


def _parts(tmp: Path, identity: X25519Identity, text: str) -> tuple[str, list[Path]]:
    src = tmp / "src"
    src.mkdir(parents=True, exist_ok=True)
    note = src / "note.txt"
    note.write_text(f"{text}\n")
    out = tmp / "out"
    out.mkdir(parents=True, exist_ok=True)
    result = submit([note], [identity.recipient()], out, message=text)
    return result.submission_id, list(result.parts)


def test_find_parts_in_a_folder_skips_links_hidden_and_other_files(tmp_path: Path) -> None:
    folder = tmp_path / "usb"
    folder.mkdir()
    for name in ("b.age", "a.age", ".hidden.age", "notes.txt"):
        (folder / name).write_bytes(b"x")
    (folder / "dir.age").mkdir()
    os.symlink(tmp_path / "elsewhere.age", folder / "link.age")
    assert [p.name for p in find_parts(folder)] == ["a.age", "b.age"]


def test_find_parts_in_an_inbox_folder(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    for name in ("f2", "f1"):
        (inbox / "received" / name).mkdir(parents=True)
        (inbox / "received" / name / PART_NAME).write_bytes(b"x")
    (inbox / "received" / "empty").mkdir()
    (inbox / "received" / "linked").mkdir()
    os.symlink(tmp_path / "x", inbox / "received" / "linked" / PART_NAME)
    (inbox / "uploads" / "u1").mkdir(parents=True)
    (inbox / "uploads" / "u1" / "data").write_bytes(b"unfinished")
    assert find_parts(inbox) == [inbox / "received" / n / PART_NAME for n in ("f1", "f2")]


def test_grouping_by_submission(tmp_path: Path) -> None:
    identity = X25519Identity.generate()
    id_a, parts_a = _parts(tmp_path / "a", identity, "a")
    _, parts_b = _parts(tmp_path / "b", identity, "b")
    junk = tmp_path / "junk.age"
    junk.write_bytes(os.urandom(4096))
    assert submission_of(parts_a[0], [identity]) == id_a
    assert submission_of(junk, [identity]) is None
    assert submission_of(parts_a[0], [X25519Identity.generate()]) is None
    mixed = [parts_a[0], junk, parts_b[0]]
    assert group_parts(mixed, [identity]) == [[parts_a[0]], [junk], [parts_b[0]]]
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(OpenCancelled):
        group_parts(mixed, [identity], cancel)


def test_open_submissions_single_and_several(tmp_path: Path) -> None:
    identity = X25519Identity.generate()
    key = tmp_path / "key.age"
    save_key(key, f"{identity}\n", public=str(identity.recipient()),
             protection=Protection.PASSPHRASE, passphrase=lambda: "pass phrase", work_factor=10)
    assert needs_passphrase(key)
    _, parts_a = _parts(tmp_path / "a", identity, "a")
    _, parts_b = _parts(tmp_path / "b", identity, "b")
    _, parts_c = _parts(tmp_path / "c", identity, "c")
    bad = tmp_path / "bad.age"
    data = bytearray(parts_c[0].read_bytes())
    data[len(data) // 2] ^= 1
    bad.write_bytes(bytes(data))
    dest = tmp_path / "dest"
    dest.mkdir()

    # One submission: its error is raised as is, and nothing is written.
    with pytest.raises(PartRefusedError):
        open_submissions([bad], key, "pass phrase", dest)
    assert listing(dest) == []

    # Several: each opens on its own; the damaged one is listed, not written.
    events: list[GroupProgress] = []
    outcome = open_submissions([*parts_a, bad, *parts_b], key, "pass phrase", dest,
                               progress=events.append)
    assert [r.message for r in outcome.reports] == ["a", "b"]
    assert [f.parts for f in outcome.failures] == [(bad,)]
    assert sorted(p.name for p in dest.iterdir()) == sorted(
        r.folder.name for r in outcome.reports)
    assert {e.groups for e in events} == {3} and {e.group for e in events} == {1, 2, 3}
