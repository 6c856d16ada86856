"""The opener's staging folders: stale ones are swept, live ones never, failures leave no trace.

A crashed `submitter open` leaves ``.submitter-opening-<pid>-<random>`` in the
destination. The next open removes it, but only when nothing holds its lock
and its pid is gone: a concurrent open (another process, or another machine
sharing the folder) keeps its staging folder. Crashes and concurrent opens are
real child processes, synchronised through pipes, never by sleeping.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from crypto.recipients.x25519 import X25519Identity
from submitter.bundle import safe_fs
from submitter.bundle.format import MANIFEST_NAME
from submitter.bundle.opener import (
    DestinationWriteError,
    OpenCancelled,
    OpenProgress,
    PartRefusedError,
    open_parts,
)
from submitter.bundle.pipeline import submit
from submitter.bundle.safe_fs import STAGING_PREFIX, Staging
from tests.bundle.conftest import big_jpeg, listing
from tests.peers import REPO

pytestmark = pytest.mark.skipif(os.name != "posix", reason="the sweep needs flock (POSIX)")

MiB = 1024 * 1024

# A child that stages one file the way the opener does, reports its staging
# name, then either crashes (SIGKILL: no cleanup runs) or waits for a line on
# stdin and finalises its result.
_STAGER = """
import os, signal, sys
from pathlib import Path
from submitter.bundle.safe_fs import Staging
s = Staging(Path(sys.argv[1]))
with s.create(".part-1") as fh:
    fh.write(b"half-written plaintext")
print(s.name, flush=True)
if sys.argv[2] == "crash":
    os.kill(os.getpid(), signal.SIGKILL)
sys.stdin.readline()
s.rename(".part-1", "file-0001.jpg")
print(s.finalise("child-result"), flush=True)
s.close()
"""

# A child that holds the lock of a staging folder whose name carries a pid
# that is not alive here: an open on another machine (or in another pid
# namespace) sharing the destination.
_REMOTE_HOLDER = """
import fcntl, os, sys
path = os.path.join(sys.argv[1], sys.argv[2])
os.mkdir(path, 0o700)
fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
fcntl.flock(fd, fcntl.LOCK_EX)
with open(os.path.join(path, ".part-1"), "wb") as fh:
    fh.write(b"remote plaintext")
print("ready", flush=True)
sys.stdin.readline()
"""


def _child(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", script, *args], cwd=REPO, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})


def _stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        assert proc.stdin is not None
        proc.stdin.close()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def children() -> Iterator[list[subprocess.Popen[str]]]:
    procs: list[subprocess.Popen[str]] = []
    yield procs
    for p in procs:
        _stop(p)


def _dead_pid() -> int:
    """The pid of a child that has exited and been reaped."""
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True, timeout=60)
    return int(proc.stdout)


def _crashed_staging(dest: Path) -> str:
    """Stage as a real open does, then die by SIGKILL: what a crash leaves."""
    proc = _child(_STAGER, str(dest), "crash")
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL
    name = out.strip()
    assert name.startswith(STAGING_PREFIX) and (dest / name / ".part-1").is_file()
    return name


@pytest.fixture
def dest(tmp_path: Path) -> Path:
    d = tmp_path / "ngo"
    d.mkdir()
    return d


@pytest.fixture
def part(inputs: list[Path], identity: X25519Identity, tmp_path: Path) -> Path:
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    res = submit(inputs[:1], [identity.recipient()], outbox)
    assert len(res.parts) == 1
    return res.parts[0]


def _staging_names(dest: Path) -> list[str]:
    return sorted(n for n in os.listdir(dest) if n.startswith(STAGING_PREFIX))


def test_staging_name_carries_the_owner_pid(dest: Path) -> None:
    s = Staging(dest)
    try:
        assert s.name.startswith(f"{STAGING_PREFIX}{os.getpid()}-")
        assert safe_fs._STAGING_RE.fullmatch(s.name)
    finally:
        s.discard()
    assert listing(dest) == []


def test_stale_staging_of_a_crashed_open_is_swept_by_the_next_open(
        dest: Path, part: Path, identity: X25519Identity) -> None:
    first = _crashed_staging(dest)
    assert _staging_names(dest) == [first]
    second = _crashed_staging(dest)  # that open swept the first crash's leftovers
    assert _staging_names(dest) == [second]
    rep = open_parts([part], [identity], dest)
    assert _staging_names(dest) == []
    assert os.listdir(dest) == [rep.folder.name]


def test_concurrent_open_in_another_process_is_never_swept(
        dest: Path, part: Path, identity: X25519Identity,
        children: list[subprocess.Popen[str]]) -> None:
    crashed = _crashed_staging(dest)
    live = _child(_STAGER, str(dest), "wait")
    children.append(live)
    assert live.stdout is not None
    live_name = live.stdout.readline().strip()
    assert live_name.startswith(STAGING_PREFIX) and live_name != crashed

    rep = open_parts([part], [identity], dest)  # sweeps while the child is mid-open
    assert _staging_names(dest) == [live_name]
    assert (dest / live_name / ".part-1").read_bytes() == b"half-written plaintext"

    # The child's open goes on undisturbed and lands its result.
    assert live.stdin is not None
    live.stdin.write("go\n")
    live.stdin.flush()
    final = Path(live.stdout.readline().strip())
    assert live.wait(timeout=60) == 0
    assert final == dest / "child-result"
    assert (final / "file-0001.jpg").read_bytes() == b"half-written plaintext"
    assert sorted(os.listdir(dest)) == sorted([rep.folder.name, "child-result"])


def test_a_locked_staging_is_kept_even_when_its_pid_is_not_ours_to_see(
        dest: Path, part: Path, identity: X25519Identity,
        children: list[subprocess.Popen[str]]) -> None:
    """Another machine's open on a shared folder: its pid means nothing here."""
    name = f"{STAGING_PREFIX}{_dead_pid()}-{'ab' * 8}"
    holder = _child(_REMOTE_HOLDER, str(dest), name)
    children.append(holder)
    assert holder.stdout is not None and holder.stdout.readline() == "ready\n"
    open_parts([part], [identity], dest)
    assert (dest / name / ".part-1").read_bytes() == b"remote plaintext"
    # Once its owner is gone (lock released, pid dead) it is stale after all.
    _stop(holder)
    assert holder.returncode == 0
    Staging(dest).discard()
    assert _staging_names(dest) == []


def test_an_unlocked_staging_of_a_live_pid_is_kept(dest: Path) -> None:
    """The instant between another open's mkdir and its lock: the pid protects it."""
    mine = dest / f"{STAGING_PREFIX}{os.getpid()}-{'cd' * 8}"
    mine.mkdir()
    (mine / ".part-1").write_bytes(b"x")
    parent = dest / f"{STAGING_PREFIX}{os.getppid()}-{'ef' * 8}"
    parent.mkdir()
    Staging(dest).discard()
    assert _staging_names(dest) == sorted([mine.name, parent.name])
    assert (mine / ".part-1").read_bytes() == b"x"


def test_sweep_touches_nothing_it_cannot_prove_is_a_stale_staging(
        dest: Path, tmp_path: Path) -> None:
    dead = _dead_pid()
    keep = {
        f"{STAGING_PREFIX}{'12' * 8}": "dir",  # old style, no pid: cannot tell
        f"{STAGING_PREFIX}notes": "dir",
        f"{STAGING_PREFIX}0-{'34' * 8}": "dir",  # pid 0 is never a process
        f"{STAGING_PREFIX}{dead}-{'56' * 8}.bak": "dir",
        f"{STAGING_PREFIX}{dead}-{'78' * 8}": "file",  # not a folder
        f"{STAGING_PREFIX}{dead}-{'9a' * 8}": "symlink",  # never followed
        "submission-0123": "dir",
    }
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "precious.jpg").write_bytes(b"keep me")
    for name, kind in keep.items():
        p = dest / name
        if kind == "dir":
            p.mkdir()
            (p / ".part-1").write_bytes(b"x")
        elif kind == "file":
            p.write_bytes(b"x")
        else:
            p.symlink_to(elsewhere, target_is_directory=True)
    # A stale one holding something no opener writes (a subfolder): its
    # files go, the subfolder and so the folder itself stay.
    odd = dest / f"{STAGING_PREFIX}{dead}-{'bc' * 8}"
    (odd / "sub").mkdir(parents=True)
    (odd / "sub" / "x.txt").write_bytes(b"x")
    (odd / ".part-1").write_bytes(b"x")
    before = listing(dest)

    Staging(dest).discard()
    after = listing(dest)
    assert after == [e for e in before if e[0] != f"{odd.name}/.part-1"]
    assert (elsewhere / "precious.jpg").read_bytes() == b"keep me"


def test_a_staging_finalised_while_being_swept_is_left_alone(
        dest: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its owner renamed it into a result and let go just as the sweep got its lock."""
    name = f"{STAGING_PREFIX}{_dead_pid()}-{'de' * 8}"
    (dest / name).mkdir()
    (dest / name / "file-0001.jpg").write_bytes(b"the result")
    real_lock = safe_fs._try_lock

    def finalised_meanwhile(fd: int) -> bool | None:
        os.rename(dest / name, dest / "submission-0123")
        return real_lock(fd)

    monkeypatch.setattr(safe_fs, "_try_lock", finalised_meanwhile)
    parent_fd = safe_fs.open_dir(dest)
    try:
        safe_fs.sweep_stale_staging(parent_fd)
    finally:
        os.close(parent_fd)
    assert (dest / "submission-0123" / "file-0001.jpg").read_bytes() == b"the result"


# -- A failed open leaves the destination's listing exactly as it was ---------------


@pytest.fixture
def busy_dest(dest: Path, part: Path, identity: X25519Identity,
              children: list[subprocess.Popen[str]]) -> Path:
    """A destination already in use: an earlier result, a note, a live open."""
    open_parts([part], [identity], dest)
    (dest / "notes.txt").write_text("received on Tuesday\n")
    live = _child(_STAGER, str(dest), "wait")
    children.append(live)
    assert live.stdout is not None and live.stdout.readline().startswith(STAGING_PREFIX)
    return dest


@pytest.fixture
def two_parts(tmp_path: Path, identity: X25519Identity) -> list[Path]:
    src = tmp_path / "big"
    src.mkdir()
    photos = [big_jpeg(src / f"p{i}.jpg", side=s, seed=s) for i, s in enumerate((900, 800))]
    outbox = tmp_path / "outbox2"
    outbox.mkdir()
    parts = submit(photos, [identity.recipient()], outbox, part_size=MiB).parts
    assert len(parts) >= 2
    return list(parts)


def test_failing_late_in_the_last_part_leaves_dest_as_it_was(
        busy_dest: Path, two_parts: list[Path], identity: X25519Identity,
        tmp_path: Path) -> None:
    """Part 1 was fully staged and part 2 partly when its end fails to authenticate."""
    bad = tmp_path / "bad.age"
    data = bytearray(two_parts[-1].read_bytes())
    data[-1] ^= 1
    bad.write_bytes(bytes(data))
    staged: list[int] = []

    def progress(ev: OpenProgress) -> None:
        staged.append(ev.part_position)

    before = listing(busy_dest)
    with pytest.raises(PartRefusedError) as info:
        open_parts([*two_parts[:-1], bad], [identity], busy_dest, progress=progress)
    assert info.value.position == len(two_parts)
    assert len(two_parts) in staged  # the bad part really was being written
    assert listing(busy_dest) == before


def test_disk_write_failure_at_the_last_step_leaves_dest_as_it_was(
        busy_dest: Path, two_parts: list[Path], identity: X25519Identity,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file decrypted and renamed into place, then the disk is full."""
    real_create = Staging.create

    def create(self: Staging, name: str, *, reserved_ok: bool = False):  # type: ignore[no-untyped-def]
        if name == MANIFEST_NAME:
            assert [n for n in self.names() if not n.startswith(".part-")]  # files staged
            raise OSError(28, "No space left on device")
        return real_create(self, name, reserved_ok=reserved_ok)

    monkeypatch.setattr(Staging, "create", create)
    before = listing(busy_dest)
    with pytest.raises(DestinationWriteError):
        open_parts(two_parts, [identity], busy_dest)
    assert listing(busy_dest) == before


def test_cancel_during_the_second_part_leaves_dest_as_it_was(
        busy_dest: Path, two_parts: list[Path], identity: X25519Identity) -> None:
    cancel = threading.Event()

    def progress(ev: OpenProgress) -> None:
        if ev.stage == "decrypting" and ev.part_position == 2:
            cancel.set()

    before = listing(busy_dest)
    with pytest.raises(OpenCancelled):
        open_parts(two_parts, [identity], busy_dest, progress=progress, cancel=cancel)
    assert listing(busy_dest) == before
