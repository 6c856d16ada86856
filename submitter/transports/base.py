"""What every transport takes and gives back.

A transport sends one part (opaque ciphertext bytes) to one target and returns
a ``SendResult`` once the destination holds all of it. It reports progress
through a typed callback and stops soon after ``cancel`` is set, raising
``DeliveryCancelledError``. Resumable transports keep their resume state (for
tus, the upload URL) through ``SendJob.save_resume``, which the outbox seals
before it touches disk.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from submitter.transports.errors import DeliveryCancelledError


class Phase(enum.Enum):
    CONNECTING = "connecting"
    SENDING = "sending"
    VERIFYING = "verifying"
    DONE = "done"
    SAFE_TO_UNPLUG = "safe_to_unplug"


@dataclass(frozen=True)
class SendProgress:
    """One progress event: ``sent`` of ``total`` bytes of one part are at the destination."""

    part_id: str
    phase: Phase
    sent: int
    total: int


ProgressCallback = Callable[[SendProgress], None]


def no_progress(_: SendProgress) -> None:
    """A progress callback that ignores every event."""


@dataclass
class SendJob:
    part_id: str
    path: Path
    size: int
    # Name to use at the destination: random and neutral, like the part file.
    neutral_name: str
    resume: str | None = None
    save_resume: Callable[[str | None], None] = lambda _value: None
    save_offset: Callable[[int], None] = lambda _offset: None


@dataclass(frozen=True)
class SendResult:
    delivered_bytes: int
    # True when the destination says it is safe to remove the medium (folder/USB).
    safe_to_unplug: bool = False


class Transport(Protocol):
    name: str

    def send(
        self, job: SendJob, progress: ProgressCallback, cancel: threading.Event
    ) -> SendResult: ...

    def abandon(self, resume: str) -> None:
        """Tell the destination to drop a half-sent part (tus termination); may do nothing."""
        ...


def check_cancel(cancel: threading.Event) -> None:
    if cancel.is_set():
        raise DeliveryCancelledError()
