"""Watch the file system during a real `submitter submit`: no plaintext copy anywhere.

A unique marker is placed inside the visible content of a video (its media
data, which the cleaner copies unchanged) and inside the message. The whole
command runs as a separate process with HOME, TMPDIR, the XDG folders and the
app's data folder pointed at folders this test watches. Afterwards every file
in them, and every file created or changed meanwhile in /tmp, /var/tmp and
/dev/shm, is searched for the markers. The encrypted part is then opened to
prove the markers really travelled.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import struct
import subprocess
import sys
import time
from pathlib import Path

from crypto.card import create_card
from crypto.recipients.x25519 import X25519Identity
from crypto.signing import SigningKey
from submitter.bundle.opener import open_parts
from tests.bundle.conftest import cleaned_bytes
from tests.metadata.media_fixtures import make_mp4
from tests.peers import REPO

_SCAN_LIMIT = 256 * 1024 * 1024
WATCH_SHARED = (Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"))


def _mdat_payload(data: bytes) -> tuple[int, int]:
    pos = 0
    while pos + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        header = 8
        if size == 1:
            size = struct.unpack(">Q", data[pos + 8 : pos + 16])[0]
            header = 16
        if kind == b"mdat":
            return pos + header, pos + size
        pos += size
    raise AssertionError("no mdat")


def _video_with_marker(folder: Path, marker: bytes) -> Path:
    video = make_mp4(folder, "prison-yard.mp4")
    data = bytearray(video.read_bytes())
    start, end = _mdat_payload(bytes(data))
    assert end - start > 4 * len(marker)
    mid = (start + end) // 2
    data[mid : mid + len(marker)] = marker  # inside the media data the cleaner keeps
    video.write_bytes(bytes(data))
    return video


def _files_under(root: Path) -> list[Path]:
    out = []
    for dirpath, _dirs, files in os.walk(root):
        out.extend(Path(dirpath) / f for f in files)
    return out


def _snapshot(roots: tuple[Path, ...]) -> dict[Path, tuple[int, int]]:
    snap = {}
    for root in roots:
        for p in _files_under(root):
            try:
                st = p.lstat()
            except OSError:
                continue
            snap[p] = (st.st_mtime_ns, st.st_size)
    return snap


def _contains(path: Path, needles: list[bytes]) -> bool:
    try:
        with open(path, "rb") as fh:
            data = fh.read(_SCAN_LIMIT)
    except OSError:
        return False
    return any(n in data for n in needles)


def test_submit_leaves_no_plaintext_anywhere(tmp_path: Path) -> None:
    marker = f"MARKER-{secrets.token_hex(12)}".encode()
    msg_marker = f"MSGMARK-{secrets.token_hex(12)}".encode()
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    video = _video_with_marker(inputs, marker)
    assert marker in cleaned_bytes(video)  # the marker survives cleaning: a real probe
    message = inputs / "message.txt"
    message.write_bytes(b"Please look at minute 1. " + msg_marker)

    home, tmpdir, data = tmp_path / "home", tmp_path / "tmpdir", tmp_path / "data"
    for d in (home, tmpdir, data):
        d.mkdir()
    identity = X25519Identity.generate()
    card = create_card(SigningKey.generate(), name="Watch Org",
                       recipients=[str(identity.recipient())],
                       issued=dt.date.today() - dt.timedelta(days=1))
    card_file = tmp_path / "card.txt"
    card_file.write_text(card.armored())

    env = {
        "PATH": os.environ["PATH"], "LANG": "C.UTF-8",
        "HOME": str(home), "TMPDIR": str(tmpdir),
        "XDG_DATA_HOME": str(home / ".local/share"), "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_CONFIG_HOME": str(home / ".config"), "XDG_STATE_HOME": str(home / ".local/state"),
        "SUBMITTER_DATA_DIR": str(data), "SUBMITTER_STATE_PASSPHRASE": "correct horse battery",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    started = time.time_ns()
    before = _snapshot(WATCH_SHARED)
    proc = subprocess.run(
        [sys.executable, "-m", "submitter", "submit", "--to", str(card_file),
         "--message-file", str(message), str(video)],
        cwd=REPO, env=env, capture_output=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr.decode()
    after = _snapshot(WATCH_SHARED)

    lines = proc.stdout.decode().split()
    parts = [Path(x) for x in lines if x.endswith(".age")]
    assert len(parts) == 1 and parts[0].is_relative_to(data)
    assert b"prison-yard" not in proc.stdout

    changed = [p for p, (mtime, size) in after.items()
               if before.get(p) != (mtime, size) or mtime >= started]
    candidates = _files_under(home) + _files_under(tmpdir) + _files_under(data) + changed
    candidates = [p for p in candidates if p not in (video, message)
                  and not p.is_relative_to(inputs)]
    assert any(p.is_relative_to(data) for p in candidates)  # the outbox was scanned
    leaks = [p for p in candidates if _contains(p, [marker, msg_marker])]
    assert leaks == []
    # Nothing in the data folder names the file.
    assert not [p for p in candidates if _contains(p, [b"prison-yard"])]

    # And the markers really are inside the encrypted part.
    dest = tmp_path / "ngo"
    dest.mkdir()
    rep = open_parts(parts, [identity], dest)
    assert marker in (rep.folder / "file-0001.mp4").read_bytes()
    assert msg_marker.decode() in rep.message
