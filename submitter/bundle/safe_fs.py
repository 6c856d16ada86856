"""The few audited helpers through which the NGO side writes to disk.

Every write of the opener goes through here: a private staging directory
created inside the destination, files created inside it by name relative to
the staging directory's descriptor with O_EXCL|O_NOFOLLOW (no path a hostile
name could redirect, nothing overwritten, no link followed), and the final
rename. Nothing in this project calls ``tarfile.extractall``.
"""

from __future__ import annotations

import os
import secrets
import shutil
import stat
from pathlib import Path
from typing import BinaryIO

from submitter.bundle.format import MANIFEST_NAME, MESSAGE_NAME
from submitter.bundle.manifest import is_safe_name
from submitter.errors import SubmitterError

DIR_MODE = 0o700
FILE_MODE = 0o600
STAGING_PREFIX = ".submitter-opening-"
_RESERVED_OK = frozenset({MANIFEST_NAME, MESSAGE_NAME})
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)


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


class Staging:
    """A private directory inside ``dest`` that becomes the result or vanishes."""

    def __init__(self, dest: Path) -> None:
        self.dest = dest
        parent_fd = open_dir(dest)
        try:
            self.name = STAGING_PREFIX + secrets.token_hex(8)
            try:
                os.mkdir(self.name, DIR_MODE, dir_fd=parent_fd)
            except OSError as exc:
                raise DestinationError(type(exc).__name__) from exc
            self.fd = os.open(self.name, os.O_RDONLY | _O_DIRECTORY | _O_NOFOLLOW,
                              dir_fd=parent_fd)
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
        finally:
            os.close(self.fd)
            self.fd = -1
        parent_fd = open_dir(self.dest)
        try:
            os.rmdir(self.name, dir_fd=parent_fd)
        finally:
            os.close(parent_fd)

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def free_bytes(path: Path) -> int:
    return shutil.disk_usage(path).free
