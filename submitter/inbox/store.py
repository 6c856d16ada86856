"""The inbox's files on disk: uploads in progress and completed parts.

Layout under the inbox folder (all created 0700)::

    uploads/<id>/info.json   length, creation and expiry times, final folder name
    uploads/<id>/data        bytes received so far (its size is the offset)
    received/<random>/part   a completed upload, one folder each

An upload's offset is the size of its data file, so the record and the bytes
can never disagree after a crash. Completion is one rename of ``data`` into
``received/<random>/``; an upload whose data file is gone and whose folder
exists is complete. The server only ever holds ciphertext: it never looks
inside parts, and names nothing after the client.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from crypto.statekey import make_private_dirs
from submitter.durable import fsync_dir
from submitter.errors import SubmitterError

_ID_RE = re.compile(r"^[0-9a-f]{32}$")
PART_NAME = "part"
DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


class InboxError(SubmitterError):
    message = "The inbox could not store the upload."


class InboxFullError(InboxError):
    message = "The inbox is out of space."


@dataclass(frozen=True)
class UploadInfo:
    id: str
    length: int
    created: float
    expires: float
    final_name: str


@dataclass(frozen=True)
class UploadState:
    info: UploadInfo
    offset: int
    complete: bool
    # Abandoned uploads expire this long after their last write, not after creation,
    # so a slow but living upload over Tor is never cut off.
    expires: float


class InboxStore:
    def __init__(self, root: Path, *, max_size: int, expire_seconds: float,
                 max_disk: int | None = None, reserve_free: int = 64 * 1024 * 1024) -> None:
        self.root = Path(root)
        self.uploads = self.root / "uploads"
        self.received = self.root / "received"
        self.max_size = max_size
        self.expire_seconds = expire_seconds
        self.max_disk = max_disk
        self.reserve_free = reserve_free
        for d in (self.root, self.uploads, self.received):
            make_private_dirs(d)

    # --- lookup ---

    @staticmethod
    def valid_id(untrusted_id: str) -> bool:
        return bool(_ID_RE.fullmatch(untrusted_id))

    def _dir(self, upload_id: str) -> Path:
        return self.uploads / upload_id

    def load(self, upload_id: str) -> UploadState | None:
        if not self.valid_id(upload_id):
            return None
        d = self._dir(upload_id)
        try:
            raw = json.loads((d / "info.json").read_text())
            info = UploadInfo(upload_id, int(raw["length"]), float(raw["created"]),
                              float(raw["expires"]), str(raw["final_name"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not _ID_RE.fullmatch(info.final_name):
            return None
        try:
            st = (d / "data").stat()
            return UploadState(info, st.st_size, False, st.st_mtime + self.expire_seconds)
        except FileNotFoundError:
            pass
        if (self.received / info.final_name / PART_NAME).is_file():
            return UploadState(info, info.length, True, info.expires)
        return None

    def data_path(self, upload_id: str) -> Path:
        return self._dir(upload_id) / "data"

    # --- space ---

    def committed_bytes(self) -> int:
        """Bytes stored or promised: received parts plus full lengths of open uploads."""
        total = 0
        for entry in self.received.iterdir():
            with contextlib.suppress(OSError):
                total += (entry / PART_NAME).stat().st_size
        for entry in self.uploads.iterdir():
            state = self.load(entry.name)
            if state is not None and not state.complete:
                total += state.info.length
        return total

    def check_room(self, length: int) -> None:
        if self.max_disk is not None and self.committed_bytes() + length > self.max_disk:
            raise InboxFullError("quota")
        if shutil.disk_usage(self.root).free < length + self.reserve_free:
            raise InboxFullError("disk")

    # --- changes ---

    def create(self, length: int) -> UploadInfo:
        self.check_room(length)
        now = time.time()
        info = UploadInfo(secrets.token_hex(16), length, now, now + self.expire_seconds,
                          secrets.token_hex(16))
        d = self._dir(info.id)
        try:
            d.mkdir(mode=0o700)
            tmp = d / "info.json.tmp"
            tmp.write_text(json.dumps({"length": info.length, "created": info.created,
                                       "expires": info.expires, "final_name": info.final_name}))
            os.replace(tmp, d / "info.json")
            fd = os.open(d / "data", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.fsync(fd)
            os.close(fd)
            fsync_dir(d)
            fsync_dir(self.uploads)
        except OSError as exc:
            shutil.rmtree(d, ignore_errors=True)
            if exc.errno in DISK_FULL_ERRNOS:
                raise InboxFullError("create") from exc
            raise InboxError("create") from exc
        return info

    def complete(self, info: UploadInfo) -> None:
        dest = self.received / info.final_name
        dest.mkdir(mode=0o700, exist_ok=True)
        os.replace(self.data_path(info.id), dest / PART_NAME)
        fsync_dir(dest)
        fsync_dir(self.received)
        fsync_dir(self._dir(info.id))

    def terminate(self, upload_id: str) -> bool:
        """Drop an unfinished upload; a completed part stays where staff will find it."""
        if not self.valid_id(upload_id) or not self._dir(upload_id).is_dir():
            return False
        shutil.rmtree(self._dir(upload_id), ignore_errors=True)
        return True

    def sweep_expired(self, now: float | None = None) -> int:
        """Remove uploads abandoned past their expiry (and old records of finished ones)."""
        moment = time.time() if now is None else now
        removed = 0
        for entry in list(self.uploads.iterdir()):
            state = self.load(entry.name)
            if state is None:
                # Half-created or damaged: remove once it is old enough to be abandoned.
                with contextlib.suppress(OSError):
                    if entry.stat().st_mtime + self.expire_seconds < moment:
                        shutil.rmtree(entry, ignore_errors=True)
                        removed += 1
                continue
            if state.expires < moment:
                shutil.rmtree(entry, ignore_errors=True)
                removed += not state.complete
        return removed
