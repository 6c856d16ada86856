"""Private files and folders: missing folders 0700, files 0600, no reuse of planted names."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import nacl.pwhash.argon2id as argon2id
import pytest

from crypto.statekey import PassphraseStateKeyStore, make_private_dirs, write_private_file
from submitter.inbox.store import InboxStore
from submitter.outbox.queue import Outbox


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_every_missing_level_is_private_even_with_a_lax_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        target = tmp_path / "a" / "b" / "c"
        make_private_dirs(target)
    finally:
        os.umask(old)
    for level in (tmp_path / "a", tmp_path / "a" / "b", target):
        assert _mode(level) == 0o700, level


def test_an_existing_folder_keeps_its_mode(tmp_path: Path) -> None:
    chosen = tmp_path / "staff-folder"
    chosen.mkdir(mode=0o755)
    os.chmod(chosen, 0o755)
    write_private_file(chosen / "key.age", b"secret")
    assert _mode(chosen) == 0o755  # the user's folder, not ours to change
    assert _mode(chosen / "key.age") == 0o600


def test_a_file_where_a_folder_should_be_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"")
    with pytest.raises(OSError):
        make_private_dirs(tmp_path / "f" / "sub")


def test_a_planted_link_at_the_old_temporary_name_is_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_bytes(b"untouched")
    (tmp_path / "state.bin.tmp").symlink_to(victim)
    write_private_file(tmp_path / "state.bin", b"new")
    assert victim.read_bytes() == b"untouched"
    assert (tmp_path / "state.bin").read_bytes() == b"new"
    assert _mode(tmp_path / "state.bin") == 0o600
    leftovers = sorted(p.name for p in tmp_path.iterdir())
    assert leftovers == ["state.bin", "state.bin.tmp", "victim"]


def test_app_data_folders_made_by_the_outbox_and_inbox_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        data = tmp_path / "data" / "submitter"
        keys = PassphraseStateKeyStore(data / "state.salt", "pass phrase words",
                                       opslimit=argon2id.OPSLIMIT_MIN,
                                       memlimit=argon2id.MEMLIMIT_MIN)
        Outbox(keys, data).close()
        inbox = tmp_path / "srv" / "inbox"
        InboxStore(inbox, max_size=1 << 20, expire_seconds=60)
    finally:
        os.umask(old)
    for p in (tmp_path / "data", data, data / "outbox", data / "outbox" / "parts",
              tmp_path / "srv", inbox, inbox / "uploads", inbox / "received"):
        assert _mode(p) == 0o700, p
