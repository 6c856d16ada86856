"""Files a killed seal leaves in the outbox: reported, swept when safe, erased by quick delete.

The seal is the real pipeline in a real process, killed with SIGKILL at the
real point (see crash_child); `submitter outbox` runs through ``run_cli``.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from submitter.cli import run_cli
from submitter.outbox import Destination
from submitter.outbox.queue import Outbox
from tests import peers
from tests.transports.netpeers import add_part, make_outbox

AGE_MAGIC = b"age-encryption.org/v1\n"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("SUBMITTER_DATA_DIR", str(folder))
    monkeypatch.setenv("SUBMITTER_STATE_PASSPHRASE", "test passphrase")
    return folder


@pytest.fixture
def notes(tmp_path: Path) -> list[Path]:
    """Three text files, enough for two 1 MiB parts."""
    folder = tmp_path / "evidence"
    folder.mkdir()
    rng = random.Random(6)
    paths = []
    for i in range(3):
        path = folder / f"notes-{i}.txt"
        lines = ("".join(rng.choices("abcdefghij klmnop", k=79)) for _ in range(7500))
        path.write_text("\n".join(lines) + "\n")
        paths.append(path)
    return paths


def _killed_seal(mode: str, data_dir: Path, files: list[Path]) -> None:
    child = subprocess.run([sys.executable, "-m", "tests.outbox.crash_child", mode,
                            str(data_dir), *map(str, files)],
                           cwd=peers.REPO, capture_output=True, text=True, timeout=120)
    assert child.returncode == -signal.SIGKILL, child.stderr


@pytest.mark.parametrize("mode", ["sealing", "enqueueing"])
def test_killed_seal_is_reported_while_in_use_then_swept_by_deliver(
        mode: str, data_dir: Path, notes: list[Path], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    window = make_outbox(data_dir)  # the app's window, open the whole time
    pid, data = add_part(window, os.urandom(5000), Destination("folder", str(usb)))
    _killed_seal(mode, data_dir, notes)

    left = window.leftovers()
    assert left
    assert [p.id for p in window.parts()] == [pid]  # the kill queued nothing
    if mode == "sealing":
        assert all(p.name.endswith(".tmp") for p in left) and window.orphans() == []
    else:
        # Every part of the seal, complete ciphertext renamed into place, with no row.
        assert len(left) >= 2 and window.orphans() == left
        assert all(p.read_bytes().startswith(AGE_MAGIC) for p in left)

    # The window is still open, so its seal could be writing these: reported, kept.
    assert run_cli(["outbox", "list"]) == 0
    out = capsys.readouterr().out
    assert f"{len(left)} file(s) in the outbox folder are not queued" in out
    assert "Removed" not in out
    assert all(p.exists() for p in left)
    window.close()

    # Nothing else uses the outbox now: deliver sweeps them and sends only the real part.
    assert run_cli(["outbox", "deliver"]) == 0
    assert not any(p.exists() for p in left)
    assert list((data_dir / "outbox" / "parts").iterdir()) == []
    assert [p.read_bytes() for p in usb.iterdir()] == [data]
    capsys.readouterr()
    assert run_cli(["outbox", "list"]) == 0
    out = capsys.readouterr().out
    assert f"{pid}  delivered" in out and "not queued" not in out and "Removed" not in out


def test_list_alone_removes_and_says_so(data_dir: Path, notes: list[Path],
                                        capsys: pytest.CaptureFixture[str]) -> None:
    _killed_seal("enqueueing", data_dir, notes)
    parts_dir = data_dir / "outbox" / "parts"
    left = sorted(parts_dir.iterdir())
    assert len(left) >= 2 and not any(p.name.endswith(".tmp") for p in left)
    assert run_cli(["outbox", "list"]) == 0
    out = capsys.readouterr().out
    assert f"Removed {len(left)} leftover file(s) of an interrupted seal" in out
    assert "The outbox is empty." in out
    assert list(parts_dir.iterdir()) == []


def test_quick_delete_erases_leftovers_of_both_kinds(data_dir: Path, notes: list[Path]
                                                     ) -> None:
    window = make_outbox(data_dir)  # keeps the second seal from sweeping the first one's
    add_part(window, os.urandom(100), None)
    _killed_seal("sealing", data_dir, notes)
    _killed_seal("enqueueing", data_dir, notes)
    left = window.leftovers()
    assert any(p.name.endswith(".tmp") for p in left) and window.orphans()
    window.close()
    assert run_cli(["outbox", "wipe", "--yes"]) == 0
    assert [p for p in data_dir.rglob("*") if p.is_file()] == []
    assert not (data_dir / "outbox").exists()


def test_outbox_wipe_erases_leftovers_it_could_not_sweep(data_dir: Path,
                                                         notes: list[Path]) -> None:
    window = make_outbox(data_dir)
    _killed_seal("sealing", data_dir, notes)
    _killed_seal("enqueueing", data_dir, notes)
    assert window.leftovers()
    other = Outbox(window._key_store, data_dir)  # opened while the window is: no sweep
    assert other.removed_leftovers == 0
    other.close()
    window.wipe()  # the Outbox's own quick delete
    assert [p for p in data_dir.rglob("*") if p.is_file()] == []
