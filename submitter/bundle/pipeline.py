"""The source-side pipeline: files, message and recipients in; parts out.

1. check: detect every file's type from its content, clean and verify it
   (``prepare``). Every file is checked before anything is written; if any
   is refused, nothing is sent. A plan can only refuse here, never while it
   streams (see ``CleanPlan``), so this pass reads no more than the cleaners
   need to decide.
2. write: lay out the parts, then stream each cleaned file once into the tar
   writer, straight into the age encryptor, into a temporary file in the
   outbox folder, hashing it on the way. Each part's manifest comes first in
   its tar but holds the SHA-256 of files written after it, so its chunks are
   held back (``Encryptor.hold``): zeros stand in for them until every hash
   in that manifest is known; then they are sealed once, with the real
   manifest, and written in place. The manifest's length does not depend on
   the hash values, so the layout is exact from the start. The source's stat
   identity must be unchanged after this pass, or the run fails.

Cleaned bytes only ever exist in memory and, encrypted, on disk. When every
part is complete it is fsynced and renamed to its final random name; then the
caller's ``on_parts_ready`` registers them with the outbox. A failure or a
cancellation at any point removes every file this run created.
"""

from __future__ import annotations

import contextlib
import enum
import hashlib
import os
import secrets
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePath
from typing import BinaryIO

from crypto.age import Encryptor
from crypto.recipients.base import Recipient
from submitter.bundle.background import BackgroundWriter
from submitter.bundle.format import (
    BLOCK,
    DEFAULT_PART_SIZE,
    MANIFEST_NAME,
    MAX_MESSAGE_CHARS,
    MAX_NAME_BYTES,
    PART_NAME_HEX,
    PART_SUFFIX,
)
from submitter.bundle.manifest import FileEntry, Manifest, Removed, is_safe_name
from submitter.bundle.padding import padded_size
from submitter.bundle.parts import PartLayout, check_part_size, layout
from submitter.bundle.tarwriter import END_OF_ARCHIVE, TarWriter, member_footprint
from submitter.durable import fsync_dir
from submitter.errors import SubmitterError
from submitter.metadata import engine
from submitter.metadata.kinds import FileKind
from submitter.metadata.model import (
    BytesPlan,
    CleanCancelled,
    CleanPlan,
    CleanRefused,
    Limits,
)
from submitter.metadata.source import Source
from submitter.sanitize import sanitize

MEMORY_BUDGET = 64 * 1024 * 1024  # cleaned in-memory files kept between passes
_PROGRESS_STEP = 4 * 1024 * 1024
_TEMP_SUFFIX = ".tmp"  # the outbox removes "*.tmp" leftovers after a crash
# Stands for a hash until pass 2 has computed it: same length, so the manifest's
# length, and with it the whole layout, is exact before a byte is hashed.
HASH_PLACEHOLDER = "0" * 64


class Stage(enum.StrEnum):
    CHECKING = "checking"  # detect, clean, verify, hash
    ENCRYPTING = "encrypting"  # tar, pad, encrypt, write
    FINISHING = "finishing"  # fsync, rename, register
    DONE = "done"


@dataclass(frozen=True, slots=True)
class SubmitProgress:
    """A progress event. Never carries a file name: only its position."""

    stage: Stage
    bytes_done: int
    bytes_total: int
    files_done: int
    files_total: int
    file_index: int | None  # 0-based position in the list given to submit()


ProgressCallback = Callable[[SubmitProgress], None]


@dataclass(frozen=True, slots=True)
class Refusal:
    index: int  # 0-based position in the list given to submit()
    error: CleanRefused

    @property
    def reason(self) -> str:
        return self.error.message


class UnreadableRefused(CleanRefused):
    message = "This file could not be read (it may have been moved, or is not a file)."


class FilesRefused(SubmitterError):
    message = (
        "Some files cannot be sent safely, so nothing was sent. "
        "Remove them and try again."
    )

    def __init__(self, refusals: Sequence[Refusal]) -> None:
        super().__init__(f"{len(refusals)} refused")
        self.refusals = tuple(refusals)


class NothingToSendError(SubmitterError):
    message = "Choose at least one file to send."


class MessageTooLongError(SubmitterError):
    message = "The message is too long."


class SourceChangedError(SubmitterError):
    message = (
        "A file changed while it was being prepared, so nothing was sent. "
        "Make sure no program is editing it and try again."
    )


class SubmitCancelled(SubmitterError):
    message = "Cancelled. Nothing was sent and nothing was kept."


class OutboxWriteError(SubmitterError):
    message = (
        "The encrypted parts could not be written (the disk may be full), "
        "so nothing was sent."
    )


@dataclass(frozen=True, slots=True)
class SubmitResult:
    submission_id: str
    parts: tuple[Path, ...]
    files: tuple[FileEntry, ...]  # one per input file, in order (no segment info)


@dataclass(slots=True)
class _Checked:
    path: Path
    entry: FileEntry
    plan: CleanPlan | None  # kept between passes when small enough
    stat: tuple[int, ...]  # the source file's identity before pass 1


def _stat_key(path: Path) -> tuple[int, ...]:
    """What changes whenever a file's content is written (ctime cannot be set back)."""
    st = os.stat(path)
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def bundle_name(index: int, kind: FileKind, original: str | None) -> str:
    """The name of file ``index`` (1-based) inside the bundle.

    Neutral by default; with ``--keep-names`` the sanitised original name,
    prefixed by the position so names never collide or look reserved.
    """
    neutral = engine.neutral_name(index, kind)
    if original is None:
        return neutral
    base = sanitize(PurePath(original).name, max_len=150)
    base = "".join("_" if c in '/\\:*?"<>|' else c for c in base).strip(" .")
    name = f"{index:04d}-{base or 'file'}"
    while len(name.encode("utf-8")) > MAX_NAME_BYTES - 10:  # room for ".seg0001"
        name = name[:-1]
    name = name.rstrip(" .")
    return name if is_safe_name(name) else neutral


class _Progress:
    def __init__(self, cb: ProgressCallback | None, files_total: int) -> None:
        self._cb = cb
        self.stage = Stage.CHECKING
        self.bytes_done = 0
        self.bytes_total = 0
        self.files_done = 0
        self.files_total = files_total
        self.file_index: int | None = None
        self._last = 0

    def start(self, stage: Stage, bytes_total: int) -> None:
        self.stage, self.bytes_total = stage, bytes_total
        self.bytes_done = self.files_done = self._last = 0
        self.file_index = None
        self.emit()

    def tick(self, n: int) -> None:
        self.bytes_done += n
        if self.bytes_done - self._last >= _PROGRESS_STEP:
            self._last = self.bytes_done
            self.emit()

    def emit(self) -> None:
        if self._cb is not None:
            self._cb(SubmitProgress(self.stage, self.bytes_done, self.bytes_total,
                                    self.files_done, self.files_total, self.file_index))


def _prepare(path: Path, limits: Limits) -> CleanPlan:
    return engine.prepare(Source.from_path(path), path.name, limits)


def _check(paths: Sequence[Path], keep_names: bool, limits: Limits, prog: _Progress,
           cancel: threading.Event | None, memory_budget: int) -> list[_Checked]:
    checked: list[_Checked] = []
    refusals: list[Refusal] = []
    kept = 0
    prog.start(Stage.CHECKING, sum(_size_or_zero(p) for p in paths))
    for i, path in enumerate(paths):
        if cancel is not None and cancel.is_set():
            raise SubmitCancelled()
        prog.file_index = i
        prog.emit()
        try:
            stat = _stat_key(path)
            plan = _prepare(path, limits)
        except CleanRefused as exc:
            refusals.append(Refusal(i, exc))
            continue
        except OSError as exc:  # unreadable, vanished, a folder...
            refusals.append(Refusal(i, UnreadableRefused(type(exc).__name__)))
            continue
        except CleanCancelled as exc:
            raise SubmitCancelled() from exc
        if refusals:
            continue  # nothing will be sent: keep no plans
        prog.tick(stat[2])  # the size, from the stat taken above
        report = plan.report
        kind = FileKind(report.kind)
        entry = FileEntry(
            name=bundle_name(i + 1, kind, path.name if keep_names else None),
            kind=kind.value,
            size=plan.size,
            sha256=HASH_PLACEHOLDER,  # the real one is known once pass 2 has streamed it
            removed=tuple(Removed(f.field, f.category.value) for f in report.removed),
            notes=tuple(report.notes),
            warnings=tuple(report.warnings),
            lossless=report.lossless,
        )
        keep: CleanPlan | None = plan
        if isinstance(plan, BytesPlan):
            if kept + plan.size <= memory_budget:
                kept += plan.size
            else:
                keep = None  # cleaned again in pass 2 (its size must not change)
        checked.append(_Checked(path, entry, keep, stat))
        prog.files_done += 1
    if refusals:
        raise FilesRefused(refusals)
    return checked


def _size_or_zero(p: Path) -> int:
    try:
        return p.stat().st_size
    except OSError:
        return 0


def _write_plan(plan: CleanPlan, sink: object, cancel: threading.Event | None) -> None:
    try:
        plan.write_to(sink, None, cancel)  # type: ignore[arg-type]
    except CleanCancelled as exc:
        raise SubmitCancelled() from exc
    except (SubmitterError, MemoryError):
        raise
    except OSError as exc:
        raise SourceChangedError(type(exc).__name__) from exc


class _PartFile:
    """One part being written: temp file -> Encryptor -> TarWriter."""

    def __init__(self, outbox: Path, recipients: Sequence[Recipient],
                 layout: PartLayout) -> None:
        self.layout = layout
        self.final = outbox / (secrets.token_hex(PART_NAME_HEX // 2) + PART_SUFFIX)
        self.temp = outbox / (self.final.name + _TEMP_SUFFIX)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(self.temp, flags, 0o600)
        except OSError as exc:
            raise OutboxWriteError(type(exc).__name__) from exc
        self.fh: BinaryIO = os.fdopen(fd, "wb", buffering=0)
        self.writer = BackgroundWriter(self.fh)
        try:
            self.enc = Encryptor(self.writer, list(recipients))  # type: ignore[arg-type]
        except BaseException:
            self.writer.abandon()
            self.fh.close()
            self.temp.unlink()
            raise
        self.tar = TarWriter(self.enc)
        self.renamed = False
        self.target = 0
        self.manifest_len = 0  # the manifest's length in the tar, blank filler included
        self.finished = False  # all but the manifest written and fsynced
        self.sealed = False

    def add_manifest(self, manifest: bytes) -> None:
        """Write the manifest with placeholder hashes, its chunks held back."""
        start = self.tar.offset + member_footprint(MANIFEST_NAME, len(manifest)) - (
            -(-len(manifest) // BLOCK) * BLOCK)
        self.enc.hold(start, start + len(manifest))
        self.manifest_len = len(manifest)
        self.tar.add_bytes(MANIFEST_NAME, manifest)

    def finish(self) -> None:
        """Write the rest of the part and push it to the disk; the manifest waits."""
        self.tar.close()
        if self.tar.offset != self.target:
            raise AssertionError("part length differs from its layout")
        self.enc.close()
        self.writer.close()
        os.fsync(self.fh.fileno())
        self.finished = True

    def seal(self, manifest: bytes) -> None:
        """Seal the real manifest over the held chunks, then make it durable."""
        if len(manifest) > self.manifest_len:
            raise AssertionError("the manifest grew with its hashes")
        manifest += b" " * (self.manifest_len - len(manifest))  # JSON allows trailing blanks
        offset, sealed = self.enc.seal_held(manifest)
        view = memoryview(sealed)
        while view:
            view = view[os.pwrite(self.fh.fileno(), view, offset + len(sealed) - len(view)):]
        os.fsync(self.fh.fileno())
        self.fh.close()
        self.sealed = True

    def discard(self) -> None:
        with contextlib.suppress(Exception):
            self.enc.abort()  # stops the encryptor's pool
        self.writer.abandon()
        with contextlib.suppress(Exception):
            self.fh.close()
        for p in (self.temp, self.final):
            with contextlib.suppress(FileNotFoundError):
                if p != self.final or self.renamed:
                    p.unlink()


class _Router:
    """Pass 2 sink: routes a file's bytes into its member(s), across parts."""

    def __init__(self, layouts: list[PartLayout], submission_id: str, message: str,
                 part_size: int, outbox: Path, recipients: Sequence[Recipient],
                 prog: _Progress, cancel: threading.Event | None) -> None:
        self._queue = deque((pl, e) for pl in layouts for e in pl.entries)
        self._count = len(layouts)
        self._sub_id, self._message = submission_id, message
        self._part_size = part_size
        self._outbox, self._recipients = outbox, recipients
        self._prog, self._cancel = prog, cancel
        self.parts: list[_PartFile] = []
        self._layout: PartLayout | None = None
        self._remaining = 0
        self._file = -1
        self.sha: hashlib._Hash | None = None
        self.size = 0
        self.digests: dict[int, str] = {}  # file index -> SHA-256 of what was written

    def _begin_next(self) -> None:
        pl, (idx, entry) = self._queue.popleft()
        if idx != self._file:
            raise AssertionError("layout out of order")
        if self._layout is not pl:
            if self.parts:
                self._finish_part()
            self._start_part(pl)
        self.parts[-1].tar.begin(entry.member, entry.member_size)
        self._remaining = entry.member_size

    def _manifest(self, pl: PartLayout) -> bytes:
        entries = tuple(e if i not in self.digests else replace(e, sha256=self.digests[i])
                        for i, e in pl.entries)
        return Manifest(self._sub_id, pl.index, self._count, self._message, entries).to_json()

    def _start_part(self, pl: PartLayout) -> None:
        self._layout = pl
        part = _PartFile(self._outbox, self._recipients, pl)
        self.parts.append(part)
        manifest = self._manifest(pl)
        # The whole part's length is known now, so the padding goes first, in
        # a pax header that tar ignores (see docs/bundle-format.md, Padding).
        content = (member_footprint(MANIFEST_NAME, len(manifest))
                   + sum(member_footprint(e.member, e.member_size) for _, e in pl.entries)
                   + len(END_OF_ARCHIVE))
        last = pl.index == self._count
        target = padded_size(content, self._part_size) if last else self._part_size
        pad = target - content
        if pad == BLOCK:  # too small for a pax header: grow the manifest by one block
            manifest += b" " * (-len(manifest) % BLOCK + BLOCK)
        elif pad:
            part.tar.add_padding(pad)
        part.add_manifest(manifest)
        part.target = target

    def _finish_part(self) -> None:
        self.parts[-1].finish()
        self._seal_ready()

    def _seal_ready(self) -> None:
        """Seal every finished part whose files have all been hashed."""
        for part in self.parts:
            if part.sealed or not part.finished:
                continue
            if all(i in self.digests for i, _ in part.layout.entries):
                part.seal(self._manifest(part.layout))

    def start_file(self, idx: int) -> None:
        self._file = idx
        self.sha = hashlib.sha256()
        self.size = 0
        self._begin_next()

    def write(self, data: bytes | memoryview) -> int:
        if self._cancel is not None and self._cancel.is_set():
            raise SubmitCancelled()
        n = len(data)
        if self.sha is not None:
            self.sha.update(data)  # releases the GIL: the pool seals meanwhile
        self.size += n
        view = memoryview(data)
        while view:
            if self._remaining == 0:
                self.parts[-1].tar.end()
                if not self._queue or self._queue[0][1][0] != self._file:
                    raise SourceChangedError("more data than planned")
                self._begin_next()
            k = min(self._remaining, len(view))
            self.parts[-1].tar.write(view[:k])
            self._remaining -= k
            view = view[k:]
        self._prog.tick(n)
        return n

    def end_file(self, entry: FileEntry) -> str:
        """Close the file's last member; return the SHA-256 of what was written."""
        if self._remaining or self.size != entry.size:
            raise SourceChangedError("size differs")
        if self.sha is None:
            raise AssertionError("no file started")
        digest = self.sha.hexdigest()
        self.sha = None
        if self._queue and self._queue[0][1][0] == self._file:
            raise SourceChangedError("fewer segments than planned")
        self.parts[-1].tar.end()
        self.digests[self._file] = digest
        self._seal_ready()
        return digest

    def abandon(self) -> None:
        self.sha = None

    def finish(self) -> None:
        if self._queue:
            raise AssertionError("entries left")
        self._finish_part()
        if not all(part.sealed for part in self.parts):
            raise AssertionError("a part's manifest was never sealed")


def submit(
    files: Sequence[Path],
    recipients: Sequence[Recipient],
    outbox_dir: Path,
    *,
    message: str = "",
    keep_names: bool = False,
    part_size: int = DEFAULT_PART_SIZE,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    limits: Limits = engine.DEFAULT_LIMITS,
    on_parts_ready: Callable[[Sequence[Path]], None] | None = None,
    memory_budget: int = MEMORY_BUDGET,
) -> SubmitResult:
    """Clean, pack, pad and encrypt ``files``; write parts into ``outbox_dir``.

    Raises FilesRefused (nothing written) if any file cannot be cleaned,
    SubmitCancelled if ``cancel`` is set, or another SubmitterError; in every
    failure case no file created by this call remains.
    """
    if not files:
        raise NothingToSendError()
    if len(message) > MAX_MESSAGE_CHARS:
        raise MessageTooLongError()
    if not recipients:
        raise SubmitterError("no recipients")
    check_part_size(part_size)
    paths = [Path(f) for f in files]
    prog = _Progress(progress, len(paths))
    checked = _check(paths, keep_names, limits, prog, cancel, memory_budget)

    submission_id = secrets.token_hex(16)
    layouts = layout([c.entry for c in checked], part_size, submission_id, message)
    router = _Router(layouts, submission_id, message, part_size, outbox_dir, recipients,
                     prog, cancel)
    try:
        prog.start(Stage.ENCRYPTING, sum(c.entry.size for c in checked))
        for i, c in enumerate(checked):
            prog.file_index = i
            prog.emit()
            plan = c.plan
            c.plan = None  # release memory as soon as the file is written
            if plan is None:  # too big to keep: cleaned again, its size checked
                try:
                    plan = _prepare(c.path, limits)
                except CleanRefused as exc:
                    raise SourceChangedError("refused on second pass") from exc
            router.start_file(i)
            _write_plan(plan, router, cancel)
            c.entry = replace(c.entry, sha256=router.end_file(c.entry))
            try:
                unchanged = _stat_key(c.path) == c.stat
            except OSError:
                unchanged = False
            if not unchanged:
                raise SourceChangedError("source changed during the run")
            prog.files_done += 1
        router.finish()
        if cancel is not None and cancel.is_set():
            raise SubmitCancelled()
        prog.stage = Stage.FINISHING
        prog.emit()
        for part in router.parts:
            os.rename(part.temp, part.final)
            part.renamed = True
        fsync_dir(outbox_dir)
        finals = tuple(p.final for p in router.parts)
        if on_parts_ready is not None:
            on_parts_ready(finals)
    except BaseException as exc:
        router.abandon()
        for part in router.parts:
            part.discard()
        with contextlib.suppress(OSError):
            fsync_dir(outbox_dir)
        if isinstance(exc, OSError):
            raise OutboxWriteError(type(exc).__name__) from exc
        raise
    prog.stage = Stage.DONE
    prog.file_index = None
    prog.emit()
    return SubmitResult(submission_id, finals, tuple(c.entry for c in checked))
