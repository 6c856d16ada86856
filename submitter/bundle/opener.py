"""The NGO opener: decrypt parts, check everything, then release the files.

Hostile bundles are expected. Nothing becomes visible in the destination
until every given part has decrypted to its authenticated end, its tar has
passed the strict reader, every member matched the manifest by name and
size, every hash matched and every segmented file that is complete was
joined and checked. Until then everything lives in a private staging folder
inside the destination (so the final step is a rename on the same disk);
on any problem the staging folder is removed and the destination is left as
it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from crypto.age import Decryptor
from crypto.errors import CryptoError
from crypto.recipients.base import Identity
from submitter.bundle.format import (
    FORMAT_NAME,
    MANIFEST_NAME,
    MAX_MANIFEST_BYTES,
    MESSAGE_NAME,
    SCHEMA_VERSION,
)
from submitter.bundle.manifest import FileEntry, Manifest, ManifestError, _entry_obj, parse_manifest
from submitter.bundle.safe_fs import Staging, free_bytes
from submitter.bundle.tarreader import TarFormatError, TarReader
from submitter.errors import SubmitterError

_COPY = 1 << 20


@dataclass(frozen=True, slots=True)
class OpenLimits:
    max_parts: int = 10_000
    max_files: int = 10_000
    max_total_bytes: int = 4 * 1024**4  # 4 TiB
    disk_reserve_bytes: int = 64 * 1024 * 1024  # left free after opening


class OpenError(SubmitterError):
    """Root of the opener's refusals: nothing was written."""

    message = "The bundle could not be opened safely, so nothing was written."


class PartRefusedError(OpenError):
    """One part failed; ``reason`` is the plain reason, ``position`` 1-based."""

    message = "A part could not be opened safely, so nothing was written."

    def __init__(self, position: int, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.position = position
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.message} Part {self.position}: {self.reason}"


class ContentMismatchError(OpenError):
    message = "The bundle's contents do not match its list of contents (a size or hash differs)."


class MixedSubmissionsError(OpenError):
    message = "These parts belong to different submissions. Open each submission separately."


class DuplicatePartError(OpenError):
    message = "The same part was given twice."


class TooLargeError(OpenError):
    message = "The bundle is larger than the limits set for opening, so it was not opened."


class NotEnoughSpaceError(OpenError):
    message = "There is not enough free disk space in the destination to open this bundle."


class OpenCancelled(OpenError):
    message = "Cancelled. Nothing was written."


class DestinationWriteError(OpenError):
    message = "The opened files could not be written to the destination (is the disk full?)."


class UnreadablePartError(OpenError):
    message = "A part could not be read (check the file exists and is readable)."


@dataclass(frozen=True, slots=True)
class OpenProgress:
    stage: str  # "decrypting", "joining", "done"
    part_position: int  # 1-based position in the list given, 0 when not per part
    parts_total: int
    bytes_done: int  # ciphertext bytes read so far
    bytes_total: int


OpenProgressCallback = Callable[[OpenProgress], None]


@dataclass(frozen=True, slots=True)
class OpenReport:
    folder: Path
    submission_id: str
    part_count: int  # parts in the submission
    parts_opened: tuple[int, ...]  # 1-based part indices opened
    files: tuple[FileEntry, ...]  # complete files written (no segment info)
    incomplete: tuple[str, ...]  # files still waiting for missing parts
    message: str  # untrusted text: sanitise before showing


@dataclass(slots=True)
class _Segmented:
    entry: FileEntry
    staged: dict[int, str] = field(default_factory=dict)  # segment index -> staged name
    offsets: dict[int, tuple[int, int]] = field(default_factory=dict)


class _CountingReader:
    def __init__(self, fh: object, on_bytes: Callable[[int], None]) -> None:
        self._fh = fh
        self._on = on_bytes

    def read(self, n: int = -1) -> bytes:
        data: bytes = self._fh.read(n)  # type: ignore[attr-defined]
        self._on(len(data))
        return data

    def readline(self, n: int = -1) -> bytes:
        data: bytes = self._fh.readline(n)  # type: ignore[attr-defined]
        self._on(len(data))
        return data


class _Opener:
    def __init__(self, parts: Sequence[Path], identities: Sequence[Identity],
                 staging: Staging, limits: OpenLimits, progress: OpenProgressCallback | None,
                 cancel: threading.Event | None, sizes: list[int]) -> None:
        self.parts, self.identities = parts, identities
        self.staging, self.limits = staging, limits
        self.progress, self.cancel = progress, cancel
        self.sizes = sizes
        self.bytes_done = 0
        self.counter = 0
        self.submission_id: str | None = None
        self.part_count = 0
        self.message = ""
        self.seen_parts: set[int] = set()
        self.whole: dict[str, tuple[FileEntry, str]] = {}  # name -> (entry, staged)
        self.segmented: dict[str, _Segmented] = {}
        self.total_bytes = 0
        self.file_count = 0

    def _emit(self, stage: str, position: int) -> None:
        if self.progress is not None:
            self.progress(OpenProgress(stage, position, len(self.parts), self.bytes_done,
                                       sum(self.sizes)))

    def _check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise OpenCancelled()

    def _new_staged(self) -> str:
        self.counter += 1
        return f".part-{self.counter}"

    def open_part(self, position: int) -> None:
        path = self.parts[position - 1]
        part_size = self.sizes[position - 1]
        self._emit("decrypting", position)
        last_emit = [self.bytes_done]

        def on_bytes(n: int) -> None:
            self.bytes_done += n
            if self.bytes_done - last_emit[0] >= 8 << 20:
                last_emit[0] = self.bytes_done
                self._emit("decrypting", position)

        try:
            fh = open(path, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise UnreadablePartError(type(exc).__name__) from exc
        try:
            dec = Decryptor(_CountingReader(fh, on_bytes), self.identities)  # type: ignore[arg-type]
            try:
                self._read_tar(TarReader(dec, max_padding=part_size), part_size)
            finally:
                dec.close()
        finally:
            fh.close()

    def _read_tar(self, tar: TarReader, part_size: int) -> None:
        first = tar.next_member()
        if first is None or first.untrusted_name != MANIFEST_NAME:
            raise ManifestError("first member is not the manifest")
        if first.size > MAX_MANIFEST_BYTES or first.size > part_size:
            raise ManifestError("manifest too large")
        manifest = parse_manifest(tar.read(first.size))
        tar.read(0)
        self._accept_manifest(manifest, part_size)
        for entry in manifest.files:
            self._check_cancel()
            hdr = tar.next_member()
            if hdr is None:
                raise ContentMismatchError("fewer members than listed")
            if hdr.untrusted_name != entry.member:
                raise ContentMismatchError("member name differs from the manifest")
            if hdr.size != entry.member_size:
                raise ContentMismatchError("member size differs from the manifest")
            staged = self._new_staged()
            sha = hashlib.sha256()
            with self.staging.create(staged) as out:
                left = hdr.size
                while left:
                    data = tar.read(min(_COPY, left))
                    if not data:
                        raise TarFormatError("member ended early")
                    sha.update(data)
                    out.write(data)
                    left -= len(data)
                    self._check_cancel()
                tar.read(0)
            if entry.segment is None:
                if sha.hexdigest() != entry.sha256:
                    raise ContentMismatchError("hash differs")
                self.whole[entry.name] = (entry, staged)
            else:
                self._add_segment(entry, staged)
        if tar.next_member() is not None:
            raise ContentMismatchError("more members than listed")
        tar.read_to_end_zeros(part_size)

    def _accept_manifest(self, m: Manifest, part_size: int) -> None:
        if self.submission_id is None:
            self.submission_id, self.part_count, self.message = (
                m.submission_id, m.part_count, m.message)
        elif (m.submission_id, m.part_count) != (self.submission_id, self.part_count):
            raise MixedSubmissionsError("submission id or count differs")
        if m.part_index in self.seen_parts:
            raise DuplicatePartError(str(m.part_index))
        self.seen_parts.add(m.part_index)
        # A part's plaintext is never larger than its ciphertext: declared
        # sizes beyond that are lies (a "tar bomb"), refused before writing.
        declared = sum(e.member_size for e in m.files)
        if declared > part_size:
            raise ContentMismatchError("declared sizes exceed the part")
        self.total_bytes += declared
        self.file_count += len(m.files)
        if self.total_bytes > self.limits.max_total_bytes or \
                self.file_count > self.limits.max_files:
            raise TooLargeError("limits")
        for e in m.files:
            # A name may recur across parts only as further segments of one file.
            if e.name in self.whole or (e.segment is None and e.name in self.segmented):
                raise ContentMismatchError("duplicate file name across parts")

    def _add_segment(self, entry: FileEntry, staged: str) -> None:
        assert entry.segment is not None
        seg = entry.segment
        known = self.segmented.get(entry.name)
        if known is None:
            known = self.segmented[entry.name] = _Segmented(entry)
        ref = known.entry
        assert ref.segment is not None
        if (ref.size, ref.sha256, ref.kind, ref.segment.count) != (
                entry.size, entry.sha256, entry.kind, seg.count):
            raise ContentMismatchError("segments disagree")
        if seg.index in known.staged:
            raise ContentMismatchError("segment given twice")
        known.staged[seg.index] = staged
        known.offsets[seg.index] = (seg.offset, seg.length)

    def join(self) -> list[str]:
        """Join complete segmented files; return names still incomplete."""
        self._emit("joining", 0)
        incomplete = []
        for name, s in sorted(self.segmented.items()):
            assert s.entry.segment is not None
            count = s.entry.segment.count
            if len(s.staged) != count:
                for staged in s.staged.values():
                    self.staging.remove(staged)
                incomplete.append(name)
                continue
            pos = 0
            for i in range(1, count + 1):
                off, length = s.offsets[i]
                if off != pos:
                    raise ContentMismatchError("segments do not line up")
                pos += length
            if pos != s.entry.size:
                raise ContentMismatchError("segments do not add up")
            joined = self._new_staged()
            sha = hashlib.sha256()
            with self.staging.create(joined) as out:
                for i in range(1, count + 1):
                    with self.staging.open_read(s.staged[i]) as src:
                        while data := src.read(_COPY):
                            sha.update(data)
                            out.write(data)
                            self._check_cancel()
                    self.staging.remove(s.staged[i])  # keep peak disk use low
            if sha.hexdigest() != s.entry.sha256:
                raise ContentMismatchError("joined hash differs")
            self.whole[name] = (_unsegmented(s.entry), joined)
        return incomplete


def _unsegmented(e: FileEntry) -> FileEntry:
    return FileEntry(e.name, e.kind, e.size, e.sha256, e.removed, e.notes, e.warnings,
                     e.lossless, None)


def _refuse(position: int, exc: BaseException) -> PartRefusedError:
    if isinstance(exc, (SubmitterError, CryptoError)):
        reason = exc.message
    else:
        reason = "The part could not be read."
    return PartRefusedError(position, reason, type(exc).__name__)


def open_parts(
    parts: Sequence[Path],
    identities: Sequence[Identity],
    dest_dir: Path,
    progress: OpenProgressCallback | None = None,
    cancel: threading.Event | None = None,
    limits: OpenLimits | None = None,
) -> OpenReport:
    """Open one submission's parts into a new folder inside ``dest_dir``.

    Raises an OpenError (PartRefusedError names the part) with ``dest_dir``
    left exactly as it was.
    """
    limits = limits or OpenLimits()
    parts = [Path(p) for p in parts]
    if not parts:
        raise OpenError("no parts")
    if len(parts) > limits.max_parts:
        raise TooLargeError("too many parts")
    sizes = []
    for p in parts:
        try:
            sizes.append(os.stat(p).st_size)
        except OSError as exc:
            raise UnreadablePartError(type(exc).__name__) from exc
    if len({os.path.realpath(p) for p in parts}) != len(parts):
        raise DuplicatePartError("same path")
    # Plaintext is never larger than ciphertext; joining needs one more part.
    needed = sum(sizes) + max(sizes) + limits.disk_reserve_bytes
    try:
        free = free_bytes(dest_dir)
    except OSError as exc:
        from submitter.bundle.safe_fs import DestinationError
        raise DestinationError(type(exc).__name__) from exc
    if free < needed:
        raise NotEnoughSpaceError(f"{free} < {needed}")

    staging = Staging(dest_dir)
    try:
        op = _Opener(parts, identities, staging, limits, progress, cancel, sizes)
        for position in range(1, len(parts) + 1):
            op._check_cancel()
            try:
                op.open_part(position)
            except OpenCancelled:
                raise
            except (SubmitterError, CryptoError, OSError, ValueError) as exc:
                raise _refuse(position, exc) from exc
        incomplete = op.join()
        op._check_cancel()
        assert op.submission_id is not None
        files = sorted((e for e, _ in op.whole.values()), key=lambda e: e.name)
        for entry, staged in op.whole.values():
            staging.rename(staged, entry.name)
        summary = {
            "format": FORMAT_NAME,
            "schema": SCHEMA_VERSION,
            "submission_id": op.submission_id,
            "part_count": op.part_count,
            "parts_opened": sorted(op.seen_parts),
            "incomplete": incomplete,
            "message": op.message,
            "files": [_entry_obj(e) for e in files],
        }
        with staging.create(MANIFEST_NAME, reserved_ok=True) as fh:
            fh.write(json.dumps(summary, ensure_ascii=False, indent=2,
                                sort_keys=True).encode("utf-8"))
        with staging.create(MESSAGE_NAME, reserved_ok=True) as fh:
            fh.write(op.message.encode("utf-8"))
        folder = staging.finalise(f"submission-{op.submission_id}")
    except BaseException as exc:
        with contextlib.suppress(OSError):
            staging.discard()
        if isinstance(exc, OSError):
            raise DestinationWriteError(type(exc).__name__) from exc
        raise
    staging.close()
    if progress is not None:
        progress(OpenProgress("done", 0, len(parts), op.bytes_done, sum(sizes)))
    return OpenReport(folder, op.submission_id, op.part_count, tuple(sorted(op.seen_parts)),
                      tuple(files), tuple(incomplete), op.message)
