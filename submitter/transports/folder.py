"""Folder or USB stick: copy, fsync, read back from the device, compare SHA-256.

The copy is written under a temporary neutral name and flushed, the page cache
for it dropped so the read-back comes from the medium rather than memory, and
read back. Only a copy whose read-back matches is renamed to the part's name
(the folder flushed before and after), so the NGO, or a folder synced to it,
never sees a part under its final name that was not verified; a copy that
does not match is deleted and the part stays queued to be written again. Only
after a filesystem-wide sync is the part reported safe to unplug.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import hashlib
import os
import threading
from pathlib import Path

from submitter.durable import fsync_dir
from submitter.transports.base import (
    Phase,
    ProgressCallback,
    SendJob,
    SendProgress,
    SendResult,
    check_cancel,
)
from submitter.transports.errors import (
    DestinationInvalidError,
    FolderUnavailableError,
    VerifyFailedError,
)
from submitter.transports.proxy import ProxyConfig

_BLOCK = 4 * 1024 * 1024


def _syncfs(path: Path) -> None:
    """Flush the whole filesystem holding ``path`` (Linux syncfs), else everything."""
    libc_name = ctypes.util.find_library("c")
    syncfs = getattr(ctypes.CDLL(libc_name, use_errno=True), "syncfs", None) if libc_name else None
    if syncfs is None:
        os.sync()
        return
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        if syncfs(fd) != 0:
            os.sync()
    finally:
        os.close(fd)


def _drop_cache(fd: int) -> None:
    if hasattr(os, "posix_fadvise"):
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)


def _hash_file(path: Path, cancel: threading.Event) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        _drop_cache(fh.fileno())
        while block := fh.read(_BLOCK):
            check_cancel(cancel)
            digest.update(block)
    return digest.hexdigest()


def _discard(tmp: Path) -> None:
    # A stick pulled mid-copy cannot have its copy deleted; the error that ended the
    # copy is the one to report, not this one.
    with contextlib.suppress(OSError):
        tmp.unlink(missing_ok=True)


class FolderTransport:
    name = "folder"

    def __init__(self, folder: str) -> None:
        if not folder:
            raise DestinationInvalidError("empty folder")
        self._dir = Path(folder).expanduser()

    def send(self, job: SendJob, progress: ProgressCallback, cancel: threading.Event) -> SendResult:
        if not self._dir.is_dir():
            raise FolderUnavailableError("folder missing")
        final = self._dir / job.neutral_name
        tmp = self._dir / (job.neutral_name + ".partial")
        try:
            return self._copy(job, final, tmp, progress, cancel)
        except OSError as exc:
            _discard(tmp)
            # Full, unplugged, read-only or refused: all worth another try later.
            raise FolderUnavailableError(errno.errorcode.get(exc.errno or 0, "OSError")) from exc
        except BaseException:
            _discard(tmp)
            raise

    def _copy(self, job: SendJob, final: Path, tmp: Path, progress: ProgressCallback,
              cancel: threading.Event) -> SendResult:
        source_hash = hashlib.sha256()
        sent = 0
        with open(job.path, "rb") as src, open(tmp, "wb") as dst:
            while block := src.read(_BLOCK):
                check_cancel(cancel)
                source_hash.update(block)
                dst.write(block)
                sent += len(block)
                progress(SendProgress(job.part_id, Phase.SENDING, sent, job.size))
            dst.flush()
            os.fsync(dst.fileno())
        if sent != job.size:
            raise VerifyFailedError("part file changed size")
        fsync_dir(self._dir)
        progress(SendProgress(job.part_id, Phase.VERIFYING, sent, job.size))
        if _hash_file(tmp, cancel) != source_hash.hexdigest():
            raise VerifyFailedError("read-back hash differs")  # send() deletes the copy
        os.replace(tmp, final)
        fsync_dir(self._dir)
        _syncfs(self._dir)
        progress(SendProgress(job.part_id, Phase.DONE, sent, job.size))
        progress(SendProgress(job.part_id, Phase.SAFE_TO_UNPLUG, sent, job.size))
        return SendResult(sent, safe_to_unplug=True)

    def abandon(self, resume: str) -> None:
        del resume


def make_folder(target: str, proxy: ProxyConfig | None,
                chunk_size: int | None = None) -> FolderTransport:
    del proxy, chunk_size  # a local folder never touches the network
    return FolderTransport(target)
