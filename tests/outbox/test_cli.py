"""`submitter outbox list|deliver|wipe` and `submitter inbox serve` from the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from submitter.outbox import Destination
from tests import peers
from tests.transports.netpeers import add_part, make_outbox


def _run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SUBMITTER_DATA_DIR=str(data_dir),
               SUBMITTER_STATE_PASSPHRASE="test passphrase")
    return subprocess.run([sys.executable, "-m", "submitter", *args], env=env, cwd=peers.REPO,
                          capture_output=True, text=True, timeout=60)


def test_list_deliver_via_folder_and_wipe(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    ob = make_outbox(data_dir)
    pid, data = add_part(ob, os.urandom(4096), None)
    pid2, _ = add_part(ob, os.urandom(10), Destination("tus", "http://x7y.onion/files/"))
    ob.close()
    listed = _run(data_dir, "outbox", "list")
    assert listed.returncode == 0
    assert f"{pid}  queued    0/4096 bytes, 0 tries" in listed.stdout
    assert "onion" not in listed.stdout
    usb = tmp_path / "usb"
    usb.mkdir()
    done = _run(data_dir, "outbox", "deliver", "--direct", "--via", f"folder:{usb}")
    assert done.returncode == 0, done.stderr
    assert "safe to unplug" in done.stdout
    # --via sends every due part there, including the one that had a tus destination.
    assert len(list(usb.iterdir())) == 2
    assert data in [p.read_bytes() for p in usb.iterdir()]
    listed = _run(data_dir, "outbox", "list")
    assert f"{pid}  delivered" in listed.stdout and f"{pid2}  delivered" in listed.stdout
    wiped = _run(data_dir, "outbox", "wipe", "--yes")
    assert wiped.returncode == 0
    assert not (data_dir / "state.salt").exists()
    assert [p for p in data_dir.rglob("*") if p.is_file()] == []


def test_deliver_waits_when_tor_is_not_found(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    ob = make_outbox(data_dir)
    pid, _ = add_part(ob, os.urandom(10), Destination("tus", "http://127.0.0.1:9/files/"))
    ob.close()
    result = _run(data_dir, "outbox", "deliver", "--tor-ports", "9")
    assert result.returncode == 3
    assert f"{pid}: waiting - The Tor connection is not available" in result.stderr


def test_bad_proxy_setting_is_a_plain_error(tmp_path: Path) -> None:
    result = _run(tmp_path, "outbox", "deliver", "--proxy", "socks5://127.0.0.1:9050")
    assert result.returncode == 1
    assert "use socks5h://HOST:PORT" in result.stderr and "Traceback" not in result.stderr
