"""Typed results shared by every cleaner: findings, plans, reports, refusals."""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO, Protocol

from submitter.errors import SubmitterError


class Category(enum.StrEnum):
    LOCATION = "location"
    DEVICE = "device"
    PERSON = "person"
    TIME = "time"
    SOFTWARE = "software"
    IDENTIFIER = "identifier"  # serials, revision ids, document/instance ids
    HIDDEN_CONTENT = "hidden content"  # thumbnails, comments, tracked changes, layers
    EMBEDDED_FILE = "embedded file"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a file reveals. ``untrusted_value`` comes from the file."""

    field: str  # where it sits, e.g. "EXIF GPSLatitude", "docProps/core.xml creator"
    untrusted_value: str  # readable value; pass through sanitize() before display
    category: Category


def printable(data: bytes) -> str:
    """Bytes from a file as a finding's value: decoded leniently, control
    characters dropped (they could reorder or hide text on screen), and cut
    short so one field cannot flood the findings list."""
    text = data.decode("utf-8", "replace")
    return "".join(c for c in text if c.isprintable()).strip()[:300]


@dataclass(frozen=True, slots=True)
class Inspection:
    kind: str  # FileKind value
    findings: tuple[Finding, ...]
    warnings: tuple[str, ...] = ()  # plain words: what no cleaner can remove


@dataclass(slots=True)
class CleanReport:
    kind: str
    removed: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. "content of text files is not checked"
    warnings: list[str] = field(default_factory=list)  # on-screen text, faces, voices...
    lossless: bool = True  # False when pixels/sound were re-encoded (say so to the user)


ProgressFn = Callable[[int], None]  # bytes written so far, called from the writing thread


class CleanPlan(Protocol):
    """A verified cleaning of one file, ready to stream.

    ``prepare`` does all parsing, cleaning decisions and verification, so that
    ``size`` is exact before a byte is written (the tar header precedes the
    data) and a refusal can only happen before streaming starts. An I/O error
    while streaming raises and the caller discards what was written.
    """

    @property
    def size(self) -> int: ...

    @property
    def report(self) -> CleanReport: ...

    def write_to(
        self,
        sink: BinaryIO,
        progress: ProgressFn | None = None,
        cancel: threading.Event | None = None,
    ) -> None: ...


@dataclass(slots=True)
class BytesPlan:
    """A plan whose cleaned output is held in memory (small formats)."""

    data: bytes
    report: CleanReport

    @property
    def size(self) -> int:
        return len(self.data)

    def write_to(
        self,
        sink: BinaryIO,
        progress: ProgressFn | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        view = memoryview(self.data)
        step = 1 << 20
        for off in range(0, len(view), step):
            if cancel is not None and cancel.is_set():
                raise CleanCancelled()
            sink.write(view[off : off + step])
            if progress is not None:
                progress(min(off + step, len(view)))


# --- refusals: fixed, plain messages a source can understand ---

class CleanRefused(SubmitterError):
    """Root of every refusal: the file will not be sent."""

    message = "This file cannot be cleaned with certainty, so it will not be sent."


class UnknownTypeRefused(CleanRefused):
    message = "This type of file is not supported, so it cannot be cleaned and will not be sent."


class TypeMismatchRefused(CleanRefused):
    message = (
        "The file's name says one type but its contents are another. "
        "It will not be sent, because it may not be what it seems."
    )


class EncryptedRefused(CleanRefused):
    message = (
        "This file is password-protected or encrypted, so its hidden details "
        "cannot be checked. Remove the password and add it again."
    )


class CorruptRefused(CleanRefused):
    message = "This file is damaged or incomplete, so it cannot be cleaned and will not be sent."


class LimitRefused(CleanRefused):
    message = (
        "This file is too large or too complex to check safely "
        "(for example a compressed file that expands enormously). It will not be sent."
    )


class UnsupportedContentRefused(CleanRefused):
    message = (
        "This file contains parts that cannot be checked (such as embedded files "
        "or unusual data), so it will not be sent."
    )


class EncoderNoteRefused(UnsupportedContentRefused):
    """Xvid, DivX and some FFmpeg videos: players read the encoder's note to decode."""

    message = (
        "This video names the program that made it, and players need that name to "
        "show the pictures correctly, so it cannot be removed and the video will not "
        "be sent. Converting the video to another format first would let it be sent."
    )


class TrimmedRefused(CleanRefused):
    """A lossless trim's edit list hides frames or sound still in the file."""

    message = (
        "This recording still holds parts that were cut out when it was trimmed: "
        "players skip them, but anyone can get them back. Save or export the trimmed "
        "recording again as a new file (re-encoded), then add that file."
    )


class VerificationRefused(CleanRefused):
    message = (
        "After cleaning, this file still showed identifying details, "
        "so it will not be sent."
    )


class CleanCancelled(SubmitterError):
    message = "Cancelled."


@dataclass(frozen=True, slots=True)
class Limits:
    """Resource bounds against hostile or broken files."""

    max_in_memory_bytes: int = 512 * 1024 * 1024  # formats cleaned in memory
    max_pixels: int = 200_000_000
    max_archive_members: int = 10_000
    max_archive_total_bytes: int = 8 * 1024**3
    max_compression_ratio: int = 200
    max_nesting_depth: int = 8
    max_xml_bytes: int = 64 * 1024 * 1024
    time_budget_s: float = 600.0
