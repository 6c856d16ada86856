"""The few audited helpers through which the NGO side writes to disk.

Every write of the opener goes through here: a private staging directory
created inside the destination, files created inside it by name relative to
the staging directory's descriptor with O_EXCL|O_NOFOLLOW (no path a hostile
name could redirect, nothing overwritten, no link followed), and the final
rename. Nothing in this project calls ``tarfile.extractall``.

A staging directory is named ``.submitter-opening-<pid>-<random>`` and its
owner holds an exclusive ``flock`` on it for its whole life (the lock moves
with the final rename and is released by the kernel if the owner crashes).
Each new staging first sweeps the stale ones a crashed open left in the same
destination: one is removed only when nothing holds its lock *and* the pid in
its name is not a live process here (which also covers the instant between
its ``mkdir`` and its lock). Anything it cannot prove stale is left alone:
old-style names without a pid, file systems without ``flock``, and every
platform without ``fcntl`` (Windows).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
import stat
from pathlib import Path
from typing import BinaryIO

from submitter.bundle.format import MANIFEST_NAME, MESSAGE_NAME
from submitter.bundle.manifest import is_safe_name
from submitter.errors import SubmitterError

try:
    import fcntl
except ImportError:  # Windows: no flock; staging dirs are then never swept
    fcntl = None  # type: ignore[assignment]

DIR_MODE = 0o700
FILE_MODE = 0o600
STAGING_PREFIX = ".submitter-opening-"
_RESERVED_OK = frozenset({MANIFEST_NAME, MESSAGE_NAME})
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)
_STAGING_RE = re.compile(re.escape(STAGING_PREFIX) + r"([1-9][0-9]{0,9})-[0-9a-f]{16}")


class DestinationError(SubmitterError):
    message = "The destination folder does not exist, is not a folder, or cannot be written."


class UnsafeNameError(SubmitterError):
    message = "The bundle names a file in a way that could write outside its folder."


class FileExistsInStagingError(SubmitterError):
    message = "The bundle names the same file twice."


def open_dir(path: Path) -> int:
    """A descriptor of an existing real directory (not a symlink)."""
    try:
        fd = os.open(path, os.O_RDONLY | _O_DIRECTORY | _O_NOFOLLOW)
    except OSError as exc:
        raise DestinationError(type(exc).__name__) from exc
    if not stat.S_ISDIR(os.fstat(fd).st_mode):
        os.close(fd)
        raise DestinationError("not a directory")
    return fd


def _pid_alive(pid: int) -> bool:
    """Whether ``pid`` is a process on this machine (unknown counts as alive)."""
    if pid <= 0:  # kill(0 or -n) would address process groups
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):  # EPERM: exists, someone else's
        return True
    return True


def _try_lock(fd: int) -> bool | None:
    """Take the exclusive lock without waiting: True, False (held), None (no locking)."""
    if fcntl is None:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return False
        return None  # ENOLCK, EOPNOTSUPP, EBADF (NFS on a directory): cannot tell
    return True


def _sweep_one(parent_fd: int, name: str) -> None:
    match = _STAGING_RE.fullmatch(name)
    if match is None or _pid_alive(int(match.group(1))):
        return
    try:
        fd = os.open(name, os.O_RDONLY | _O_DIRECTORY | _O_NOFOLLOW, dir_fd=parent_fd)
    except OSError:
        return
    try:
        if _try_lock(fd) is not True:
            return  # a live owner (perhaps on another machine) or no way to know
        # Locked by us now; make sure the name still is this directory (its
        # owner may have finalised it into a result just before letting go).
        here = os.fstat(fd)
        try:
            there = os.stat(name, dir_fd=parent_fd, follow_symlinks=False)
        except OSError:
            return
        if not stat.S_ISDIR(here.st_mode) or (here.st_dev, here.st_ino) != (
                there.st_dev, there.st_ino):
            return
        for entry in os.listdir(fd):
            with contextlib.suppress(OSError):  # a subfolder is not ours: it stays
                os.unlink(entry, dir_fd=fd)
        with contextlib.suppress(OSError):
            os.rmdir(name, dir_fd=parent_fd)
    finally:
        os.close(fd)  # drops our lock


def sweep_stale_staging(parent_fd: int) -> None:
    """Remove staging dirs a crashed open left in the directory ``parent_fd``.

    Never raises; a staging dir another open (in any process) is still using
    is never touched. See the module docstring for the rules.
    """
    if fcntl is None:
        return
    try:
        names = os.listdir(parent_fd)
    except OSError:
        return
    for name in names:
        if name.startswith(STAGING_PREFIX):
            with contextlib.suppress(OSError):
                _sweep_one(parent_fd, name)


class Staging:
    """A private directory inside ``dest`` that becomes the result or vanishes."""

    def __init__(self, dest: Path) -> None:
        self.dest = dest
        parent_fd = open_dir(dest)
        try:
            sweep_stale_staging(parent_fd)
            self.name = f"{STAGING_PREFIX}{os.getpid()}-{secrets.token_hex(8)}"
            try:
                os.mkdir(self.name, DIR_MODE, dir_fd=parent_fd)
            except OSError as exc:
                raise DestinationError(type(exc).__name__) from exc
            try:
                self.fd = os.open(self.name, os.O_RDONLY | _O_DIRECTORY | _O_NOFOLLOW,
                                  dir_fd=parent_fd)
            except OSError as exc:
                with contextlib.suppress(OSError):
                    os.rmdir(self.name, dir_fd=parent_fd)
                raise DestinationError(type(exc).__name__) from exc
            # Held until this staging is finalised (the lock moves with the
            # rename) or discarded; where locking is unavailable the pid in
            # the name still protects it from sweeps on this machine.
            _try_lock(self.fd)
        finally:
            os.close(parent_fd)
        self.path = dest / self.name
        self._final: Path | None = None

    def create(self, name: str, *, reserved_ok: bool = False) -> BinaryIO:
        """A new private file directly inside the staging dir; never overwrites.

        ``name`` is a safe bundle name, a scratch name ``.part-N``, or (with
        ``reserved_ok``) one of the opener's own names such as manifest.json.
        """
        scratch = name.startswith(".part-") and name[6:].isdigit()
        if not (is_safe_name(name) or scratch or (reserved_ok and name in _RESERVED_OK)):
            raise UnsafeNameError("unsafe name")
        if "/" in name or "\x00" in name or name in (".", ".."):
            raise UnsafeNameError("unsafe name")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_BINARY
        try:
            fd = os.open(name, flags, FILE_MODE, dir_fd=self.fd)
        except FileExistsError as exc:
            raise FileExistsInStagingError("exists") from exc
        return os.fdopen(fd, "wb")

    def open_read(self, name: str) -> BinaryIO:
        fd = os.open(name, os.O_RDONLY | _O_NOFOLLOW | _O_BINARY, dir_fd=self.fd)
        return os.fdopen(fd, "rb")

    def remove(self, name: str) -> None:
        os.unlink(name, dir_fd=self.fd)

    def rename(self, old: str, new: str) -> None:
        """Rename inside the private staging dir, never replacing a file."""
        if not is_safe_name(new):
            raise UnsafeNameError("unsafe name")
        try:
            os.stat(new, dir_fd=self.fd, follow_symlinks=False)
        except FileNotFoundError:
            os.rename(old, new, src_dir_fd=self.fd, dst_dir_fd=self.fd)
            return
        raise FileExistsInStagingError("exists")

    def names(self) -> list[str]:
        return sorted(os.listdir(self.fd))

    def finalise(self, wanted: str) -> Path:
        """Rename the staging dir to a fresh folder ``wanted`` (or ``wanted-2``...)."""
        os.fsync(self.fd)
        parent_fd = open_dir(self.dest)
        try:
            for n in range(1, 1000):
                name = wanted if n == 1 else f"{wanted}-{n}"
                try:
                    # Claim the name atomically; rename then replaces the empty dir.
                    os.mkdir(name, DIR_MODE, dir_fd=parent_fd)
                except FileExistsError:
                    continue
                os.rename(self.name, name, src_dir_fd=parent_fd, dst_dir_fd=parent_fd)
                os.fsync(parent_fd)
                self._final = self.dest / name
                return self._final
            raise DestinationError("no free folder name")
        finally:
            os.close(parent_fd)

    def discard(self) -> None:
        """Remove the staging dir and everything in it (only what we created)."""
        if self._final is not None:
            return
        try:
            for name in os.listdir(self.fd):
                os.unlink(name, dir_fd=self.fd)
            parent_fd = open_dir(self.dest)
            try:
                os.rmdir(self.name, dir_fd=parent_fd)
            finally:
                os.close(parent_fd)
        finally:
            os.close(self.fd)  # and only then let go of the lock
            self.fd = -1

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def free_bytes(path: Path) -> int:
    return shutil.disk_usage(path).free
