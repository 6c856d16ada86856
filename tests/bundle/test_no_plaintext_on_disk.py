"""Watch the file system during a real `submitter submit`: no plaintext copy anywhere.

Two independent watches, so a scratch file written and deleted during the run
cannot slip between snapshots:

* The whole command runs as a separate process under ``strace -f`` (every
  child and thread followed). Every file it opens for writing (O_WRONLY,
  O_RDWR, O_CREAT, O_TRUNC, O_TMPFILE), creates, renames, links or
  truncates must be one of the few the app is allowed to write: the part
  files (and their atomic-write temporaries) in the outbox or the chosen
  destination, the outbox's SQLite database with its journal/WAL/SHM, and
  the sealed state files in the data folder. In particular nothing is
  written in TMPDIR, in HOME outside those files, or next to the inputs.
  ``test_the_watch_flags_a_scratch_file_written_and_deleted`` proves the
  watch itself catches exactly such files.
* A unique marker is placed inside the visible content of a video (its media
  data, which the cleaner copies unchanged) and inside the message. HOME,
  TMPDIR, the XDG folders and the app's data folder (its default place under
  XDG_DATA_HOME) point at folders this test owns; afterwards every file in
  them, and every file created or changed meanwhile in /tmp, /var/tmp and
  /dev/shm, is searched for the markers. The encrypted part is then opened
  to prove the markers really travelled.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import struct
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from crypto.card import create_card
from crypto.recipients.x25519 import X25519Identity
from crypto.signing import SigningKey
from submitter.bundle.opener import open_parts
from tests.bundle.conftest import cleaned_bytes
from tests.metadata.media_fixtures import make_mp4
from tests.peers import REPO, tool

_SCAN_LIMIT = 256 * 1024 * 1024
WATCH_SHARED = (Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"))
TRACED = "open,openat,openat2,creat,rename,renameat,renameat2,link,linkat,truncate,chdir,fchdir"


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


# -- The strace watch ----------------------------------------------------------------

_STR = r'"((?:[^"\\]|\\.)*)"'
_DIRFD = r"((?:AT_FDCWD|-?\d+)(?:<(?:[^>\\]|\\.)*>)?)"
_RESULT = re.compile(r"\)\s+=\s+(-?\d+|\?)(?:<((?:[^>\\]|\\.)*)>(?:\(deleted\))?)?(?:\s.*)?$")
_CALL = re.compile(r"^(?:(\d+)\s+)?(\w+)\((.*)$")
_ARGS = {
    "open": re.compile(rf"^{_STR}, ([A-Z_|0-9]+)"),
    "openat": re.compile(rf"^{_DIRFD}, {_STR}, ([A-Z_|0-9]+)"),
    "openat2": re.compile(rf"^{_DIRFD}, {_STR}, \{{flags=([A-Z_|0-9]+)"),
    "creat": re.compile(rf"^{_STR}"),
    "truncate": re.compile(rf"^{_STR}"),
    "rename": re.compile(rf"^{_STR}, {_STR}"),
    "link": re.compile(rf"^{_STR}, {_STR}"),
    "renameat": re.compile(rf"^{_DIRFD}, {_STR}, {_DIRFD}, {_STR}"),
    "renameat2": re.compile(rf"^{_DIRFD}, {_STR}, {_DIRFD}, {_STR}"),
    "linkat": re.compile(rf"^{_DIRFD}, {_STR}, {_DIRFD}, {_STR}"),
    "chdir": re.compile(rf"^{_STR}"),
    "fchdir": re.compile(rf"^{_DIRFD}"),
}
_WRITE_FLAGS = ("O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_TMPFILE")
_ESCAPE = re.compile(rb"\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)", re.DOTALL)
_SIMPLE = {b"n": b"\n", b"t": b"\t", b"r": b"\r", b"v": b"\v", b"f": b"\f"}


def _unescape(text: str) -> str:
    """strace's C-style escapes back to the path's bytes (decoded as the OS does)."""
    def one(m: re.Match[bytes]) -> bytes:
        e = m.group(1)
        if e[:1] == b"x":
            return bytes([int(e[1:], 16)])
        if e[:1].isdigit():
            return bytes([int(e, 8)])
        return _SIMPLE.get(e, e)

    return os.fsdecode(_ESCAPE.sub(one, text.encode("latin-1", "surrogateescape")))


@dataclass(frozen=True, slots=True)
class Write:
    """One path the traced processes wrote, created, renamed, linked or truncated."""

    pid: str
    call: str
    path: Path | None  # None: a relative path that cannot be placed for sure
    line: str


def _strace_prefix(log: Path) -> list[str]:
    # -ff: one log per process/thread, so no call is split across lines;
    # -y: every fd (given or returned) is shown with the path it refers to.
    return [tool("strace"), "-f", "-ff", "-qq", "-y", "-e", f"trace={TRACED}", "-o", str(log)]


def _logical_lines(text: str) -> list[str]:
    """Join '<unfinished ...>' with its '<... resumed>' (only without -ff)."""
    out: list[str] = []
    pending: dict[str, str] = {}
    for line in text.splitlines():
        m = re.match(r"^(?:(\d+)\s+)?(.*)$", line)
        assert m is not None
        pid = m.group(1) or ""
        if line.endswith("<unfinished ...>"):
            pending[pid] = line[: -len("<unfinished ...>")].rstrip()
        elif "resumed>" in line and pid in pending:
            out.append(pending.pop(pid) + line.split("resumed>", 1)[1])
        else:
            out.append(line)
    return out


def parse_strace(log: Path, cwd: Path) -> list[Write]:
    """Every write-like call that succeeded in the traces named ``log.*``."""
    logs = sorted(log.parent.glob(log.name + ".*"))
    assert logs, "strace wrote no log at all"
    lines = [line for f in logs for line in _logical_lines(f.read_text("latin-1"))]
    # -y shows the folder behind every descriptor, AT_FDCWD included. Only
    # the calls without one (rename, link, truncate, creat) name relative
    # paths against an unseen folder: the start folder, unless any process
    # changed folder; then they cannot be placed and count as violations.
    moved = any(re.match(r"^(?:\d+\s+)?f?chdir\(.*\)\s+=\s+0", ln) for ln in lines)
    writes: list[Write] = []

    def place(dirfd: str | None, raw: str) -> Path | None:
        p = _unescape(raw)
        if p.startswith("/"):
            return Path(p)
        if dirfd is not None:
            d = re.match(r"^(?:AT_FDCWD|-?\d+)<(.*)>$", dirfd)
            return Path(_unescape(d.group(1))) / p if d else None
        return None if moved else cwd / p

    for line in lines:
        call_m = _CALL.match(line)
        if call_m is None or call_m.group(2) not in _ARGS or call_m.group(2) in (
                "chdir", "fchdir"):
            continue  # exits, signals
        pid, call, rest = call_m.group(1) or "", call_m.group(2), call_m.group(3)
        res = _RESULT.search(line)
        if res is None:  # never returned (the process died in it): may have written
            assert line.endswith("<unfinished ...>"), f"cannot read strace line: {line}"
            res = _RESULT.search(line[: -len("<unfinished ...>")].rstrip() + ") = ?")
            assert res is not None
        if res.group(1) != "?" and int(res.group(1)) < 0:
            continue  # failed: nothing was written
        m = _ARGS[call].match(rest)
        assert m is not None, f"cannot read strace line: {line}"
        g = m.groups()
        if call in ("open", "openat", "openat2"):
            flags = g[-1]
            if not any(f in flags.split("|") for f in _WRITE_FLAGS):
                continue
            if res.group(2):  # the kernel's own name for what was opened
                writes.append(Write(pid, call, Path(_unescape(res.group(2))), line))
            else:
                d = g[0] if call != "open" else None
                writes.append(Write(pid, call, place(d, g[-2]), line))
        elif call == "creat":
            where = Path(_unescape(res.group(2))) if res.group(2) else place(None, g[0])
            writes.append(Write(pid, call, where, line))
        elif call == "truncate":
            writes.append(Write(pid, call, place(None, g[0]), line))
        elif call in ("rename", "link"):
            writes += [Write(pid, call, place(None, g[0]), line),
                       Write(pid, call, place(None, g[1]), line)]
        else:  # renameat, renameat2, linkat: source and target
            writes += [Write(pid, call, place(g[0], g[1]), line),
                       Write(pid, call, place(g[2], g[3]), line)]
    return writes


_HEX_NAME = r"[0-9a-f]{32}\.age(?:\.tmp)?"
_ATOMIC_TMP = r"(?:\.[0-9a-f]+\.tmp)?"
_DATA_ALLOWED = re.compile(
    rf"(?:outbox/queue\.sqlite3(?:-journal|-wal|-shm)?"
    rf"|outbox/parts/{_HEX_NAME}"
    rf"|state\.salt{_ATOMIC_TMP}"
    rf"|[a-z][a-z0-9_-]*\.sealed{_ATOMIC_TMP})")
_PART_ALLOWED = re.compile(_HEX_NAME)
_DEVICES = frozenset({Path("/dev/null")})  # not a disk: harmless sink for child output


def violations(writes: list[Write], data: Path, destinations: tuple[Path, ...] = ()
               ) -> list[Write]:
    """The writes that are none of the allowed files."""
    bad = []
    for w in writes:
        p = w.path
        if p is None:
            bad.append(w)
            continue
        p = Path(os.path.normpath(p))
        if p in _DEVICES:
            continue
        if p.is_relative_to(data) and _DATA_ALLOWED.fullmatch(p.relative_to(data).as_posix()):
            continue
        if any(p.parent == d and _PART_ALLOWED.fullmatch(p.name) for d in destinations):
            continue
        bad.append(w)
    return bad


def _show(writes: list[Write]) -> str:
    return "\n".join(w.line for w in writes)


# -- The real submit ------------------------------------------------------------------


@pytest.mark.parametrize("into", ["outbox", "folder"])
def test_submit_leaves_no_plaintext_anywhere(tmp_path: Path, into: str) -> None:
    marker = f"MARKER-{secrets.token_hex(12)}".encode()
    msg_marker = f"MSGMARK-{secrets.token_hex(12)}".encode()
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    video = _video_with_marker(inputs, marker)
    assert marker in cleaned_bytes(video)  # the marker survives cleaning: a real probe
    message = inputs / "message.txt"
    message.write_bytes(b"Please look at minute 1. " + msg_marker)

    home, tmpdir, trace = tmp_path / "home", tmp_path / "tmpdir", tmp_path / "trace"
    usb = tmp_path / "usb"
    for d in (home, tmpdir, trace, usb):
        d.mkdir()
    data = home / ".local/share/submitter"  # the app's own default place (platformdirs)
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
        "SUBMITTER_STATE_PASSPHRASE": "correct horse battery",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    where = ["--outbox", str(usb)] if into == "folder" else []
    log = trace / "submit"
    started = time.time_ns()
    before = _snapshot(WATCH_SHARED)
    proc = subprocess.run(
        [*_strace_prefix(log), sys.executable, "-m", "submitter", "submit",
         "--to", str(card_file), "--message-file", str(message), *where, str(video)],
        cwd=REPO, env=env, capture_output=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr.decode()
    after = _snapshot(WATCH_SHARED)

    lines = proc.stdout.decode().split()
    parts = [Path(x) for x in lines if x.endswith(".age")]
    part_dir = usb if into == "folder" else data / "outbox" / "parts"
    assert len(parts) == 1 and parts[0].parent == part_dir
    assert b"prison-yard" not in proc.stdout

    # 1. What was written while it ran: only the allowed files, ever.
    writes = parse_strace(log, REPO)
    written = {w.path for w in writes}
    assert parts[0] in written  # the watch really saw the run write
    assert data / "trust.sealed" in written
    if into == "outbox":
        assert data / "outbox" / "queue.sqlite3" in written
    bad = violations(writes, data, (usb,) if into == "folder" else ())
    assert bad == [], "written outside the allowed files:\n" + _show(bad)
    for root in (tmpdir, inputs, video.parent):
        assert not [w for w in writes if w.path is not None and w.path.is_relative_to(root)]
    assert not [w for w in writes if w.path is not None and w.path.is_relative_to(home)
                and not w.path.is_relative_to(data)]

    # 2. What is left: no file anywhere holds the markers, or names the file.
    changed = [p for p, (mtime, size) in after.items()
               if before.get(p) != (mtime, size) or mtime >= started]
    candidates = (_files_under(home) + _files_under(tmpdir) + _files_under(usb)
                  + [p for p in changed if not p.is_relative_to(trace)])
    candidates = [p for p in candidates if p not in (video, message)
                  and not p.is_relative_to(inputs)]
    assert any(p.is_relative_to(part_dir) for p in candidates)  # the parts were scanned
    leaks = [p for p in candidates if _contains(p, [marker, msg_marker])]
    assert leaks == []
    # Nothing the run left names the file.
    assert not [p for p in candidates if _contains(p, [b"prison-yard"])]

    # And the markers really are inside the encrypted part.
    dest = tmp_path / "ngo"
    dest.mkdir()
    rep = open_parts(parts, [identity], dest)
    assert marker in (rep.folder / "file-0001.mp4").read_bytes()
    assert msg_marker.decode() in rep.message


# -- The watch itself is proven ---------------------------------------------------------

_SNEAKY = textwrap.dedent("""
    import os, subprocess, sys, tempfile
    inputs, data = sys.argv[1], sys.argv[2]
    # The classic leak: a scratch copy in TMPDIR, deleted before anyone looks.
    with tempfile.NamedTemporaryFile(prefix="scratch-") as fh:
        fh.write(b"plaintext"); fh.flush()
    fd, name = tempfile.mkstemp(); os.write(fd, b"plaintext"); os.close(fd); os.unlink(name)
    with tempfile.TemporaryFile() as fh:  # O_TMPFILE: never has a name at all
        fh.write(b"plaintext")
    # Next to the inputs, by a name relative to a directory descriptor.
    d = os.open(inputs, os.O_RDONLY)
    f = os.open("clip.mp4.partial", os.O_WRONLY | os.O_CREAT, 0o600, dir_fd=d)
    os.close(f); os.unlink("clip.mp4.partial", dir_fd=d); os.close(d)
    # In a child process: the watch follows children.
    subprocess.run([sys.executable, "-c",
                    "import os; open(os.path.expanduser('~/.cache-copy'), 'wb').close();"
                    " os.unlink(os.path.expanduser('~/.cache-copy'))"], check=True)
    # And an allowed write (an atomic part file): not flagged.
    parts = os.path.join(data, "outbox", "parts")
    os.makedirs(parts)
    tmp = os.path.join(parts, "ab" * 16 + ".age.tmp")
    with open(tmp, "wb") as fh:
        fh.write(b"age-encryption.org/v1")
    os.replace(tmp, tmp[:-4])
""")


def test_the_watch_flags_a_scratch_file_written_and_deleted(tmp_path: Path) -> None:
    home, tmpdir, inputs, trace = (tmp_path / n for n in ("home", "tmpdir", "inputs", "trace"))
    for d in (home, tmpdir, inputs, trace):
        d.mkdir()
    data = home / ".local/share/submitter"
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "TMPDIR": str(tmpdir),
           "PYTHONDONTWRITEBYTECODE": "1"}
    log = trace / "sneaky"
    proc = subprocess.run([*_strace_prefix(log), sys.executable, "-c", _SNEAKY,
                           str(inputs), str(data)],
                          cwd=tmp_path, env=env, capture_output=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr.decode()
    # A before/after comparison would see nothing: every scratch file is gone.
    assert list(tmpdir.iterdir()) == [] and list(inputs.iterdir()) == []
    assert [p.name for p in home.iterdir()] == [".local"]

    bad = violations(parse_strace(log, tmp_path), data)
    flagged = [w.path for w in bad]
    assert all(p is not None for p in flagged)
    in_tmp = [p for p in flagged if p is not None and p.is_relative_to(tmpdir)]
    assert any(p.name.startswith("scratch-") for p in in_tmp)  # NamedTemporaryFile
    assert any(p.name.startswith("tmp") for p in in_tmp)  # mkstemp
    assert any(p == tmpdir or "#" in p.name for p in in_tmp)  # O_TMPFILE
    assert inputs / "clip.mp4.partial" in flagged
    assert home / ".cache-copy" in flagged
    assert not [p for p in flagged if p is not None and p.is_relative_to(data)]
    assert (data / "outbox/parts" / ("ab" * 16 + ".age")).is_file()


def test_the_watch_reads_the_call_forms(tmp_path: Path) -> None:
    """Relative names, descriptors, renames and links are all placed where they land."""
    log = tmp_path / "t"
    (tmp_path / "t.1").write_text("\n".join([
        'openat(AT_FDCWD</w>, "rel.txt", O_WRONLY|O_CREAT|O_CLOEXEC, 0666) = 3',
        'openat(5</x/dir>, "a.bin", O_RDWR|O_CREAT|O_EXCL, 0600) = 6</x/dir/a.bin>',
        'openat(AT_FDCWD</w>, "/x/read-only", O_RDONLY|O_CLOEXEC) = 3</x/read-only>',
        'openat(AT_FDCWD</w>, "/x/no", O_WRONLY|O_CREAT, 0600) = -1 EACCES (Permission denied)',
        'openat2(AT_FDCWD</w>, "/x/o2", {flags=O_WRONLY|O_CREAT, mode=0600, resolve=0}, 24) = 3',
        'renameat2(5</x/dir>, "a.bin", AT_FDCWD</w>, "/x/b.bin", RENAME_NOREPLACE) = 0',
        'link("/x/in.mp4", "/x/hard") = 0',
        'truncate("/x/t\\303\\251l\\x2e", 0) = 0',
        'creat("/x/c", 0600) = 4</x/c>',
        'rename("r1", "/x/r2") = 0',
        "+++ exited with 0 +++",
    ]) + "\n")
    got = [(w.call, w.path) for w in parse_strace(log, Path("/cwd"))]
    x = Path("/x")
    assert got == [
        ("openat", Path("/w/rel.txt")), ("openat", x / "dir/a.bin"), ("openat2", x / "o2"),
        ("renameat2", x / "dir/a.bin"), ("renameat2", x / "b.bin"),
        ("link", x / "in.mp4"), ("link", x / "hard"), ("truncate", x / "t\u00e9l."),
        ("creat", x / "c"), ("rename", Path("/cwd/r1")), ("rename", x / "r2"),
    ]
    # Once any process changed folder, a name relative to an unseen folder
    # cannot be placed for sure: it counts as a violation.
    (tmp_path / "t.2").write_text('chdir("/elsewhere") = 0\n')
    unplaced = [w for w in parse_strace(log, Path("/cwd")) if w.path is None]
    assert [w.line for w in unplaced] == ['rename("r1", "/x/r2") = 0']
    assert violations(unplaced, Path("/data")) == unplaced
