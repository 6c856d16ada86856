"""Delivery passes over the outbox: pick due parts, send each, record the outcome.

One courier at a time per data dir (an exclusive lock file), so two windows or
commands never send the same part. The network route is resolved at every
pass: an explicit SOCKS5h proxy, Tor detected on 9050/9150 ("auto"), or
direct (only when chosen). With "auto" and no Tor, or with the proxy down,
network parts wait and retry; nothing falls back to a direct connection.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from submitter.outbox.errors import NoDestinationError, OutboxBusyError
from submitter.outbox.queue import Destination, Outbox, PartId
from submitter.outbox.schedule import Backoff
from submitter.transports import make_transport
from submitter.transports.base import ProgressCallback, SendJob, no_progress
from submitter.transports.errors import (
    DeliveryCancelledError,
    PermanentDeliveryError,
    ProxyUnavailableError,
    RetryableDeliveryError,
    ServerStorageFullError,
)
from submitter.transports.proxy import ProxyConfig, detect_tor

Route = ProxyConfig | Literal["auto", "direct"]
_LOCAL_KINDS = frozenset({"folder"})


@dataclass
class DeliveryReport:
    delivered: list[PartId] = field(default_factory=list)
    retrying: dict[PartId, str] = field(default_factory=dict)
    failed: dict[PartId, str] = field(default_factory=dict)
    safe_to_unplug: bool = False


@contextlib.contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # Windows: one app instance is enforced elsewhere
        yield
        return
    with open(path, "a+b") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            raise OutboxBusyError() from exc
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


class _OffsetRecorder:
    """Records the offset at most once a second: it is shown to the user, while resuming
    always asks the server, so a commit (and fsync) per chunk would only slow sending.
    ``flush`` writes the latest one when a send ends."""

    def __init__(self, ob: Outbox, part_id: PartId) -> None:
        self._ob = ob
        self._part_id = part_id
        self._last_write = 0.0
        self._pending: int | None = None

    def __call__(self, offset: int) -> None:
        self._pending = offset
        now = time.monotonic()
        if now - self._last_write >= 1.0:
            self._last_write = now
            self.flush()

    def flush(self) -> None:
        if self._pending is not None:
            self._ob.record_offset(self._part_id, self._pending)
            self._pending = None


class Courier:
    def __init__(self, outbox: Outbox, *, route: Route = "auto", via: Destination | None = None,
                 chunk_size: int | None = None, backoff: Backoff | None = None,
                 progress: ProgressCallback = no_progress,
                 tor_ports: tuple[int, ...] | None = None) -> None:
        self._outbox = outbox
        self._route = route
        self._via = via
        self._chunk = chunk_size
        self._backoff = backoff or Backoff()
        self._progress = progress
        self._tor_ports = tor_ports

    def _proxy(self) -> ProxyConfig | None:
        if isinstance(self._route, ProxyConfig):
            return self._route
        if self._route == "direct":
            return None
        found = detect_tor() if self._tor_ports is None else detect_tor(ports=self._tor_ports)
        if found is None:
            raise ProxyUnavailableError("no Tor SOCKS port found")
        return found

    def deliver_due(self, cancel: threading.Event) -> DeliveryReport:
        """One pass over every due part. Returns what happened to each."""
        report = DeliveryReport()
        with _exclusive(self._outbox.root / "courier.lock"):
            for part_id in self._outbox.due():
                if cancel.is_set():
                    break
                self._deliver_one(part_id, report, cancel)
        return report

    def run(self, cancel: threading.Event, *, max_wait: float = 3600.0) -> DeliveryReport:
        """Keep passing until nothing waits, ``cancel`` is set or ``max_wait`` seconds have
        passed. Waits on ``cancel``, so setting it stops the wait at once."""
        deadline = self._clock_now() + max_wait
        total = DeliveryReport()
        while not cancel.is_set():
            report = self.deliver_due(cancel)
            total.delivered += report.delivered
            total.retrying.update(report.retrying)
            total.failed.update(report.failed)
            total.safe_to_unplug = total.safe_to_unplug or report.safe_to_unplug
            for pid in report.delivered + list(report.failed):
                total.retrying.pop(pid, None)
            upcoming = self._outbox.next_due_time()
            if upcoming is None:
                break
            wait = upcoming - self._clock_now()
            if self._clock_now() + max(wait, 0.0) > deadline:
                break
            if wait > 0:
                cancel.wait(wait)
        return total

    def _clock_now(self) -> float:
        return time.time()

    def _deliver_one(self, part_id: PartId, report: DeliveryReport,
                     cancel: threading.Event) -> None:
        ob = self._outbox
        info = ob.get(part_id)
        try:
            destination = self._via or ob.destination(part_id)
            if destination is None:
                raise NoDestinationError()
            proxy = None if destination.kind in _LOCAL_KINDS else self._proxy()
            transport = make_transport(destination.kind, destination.target, proxy, self._chunk)
        except ProxyUnavailableError as exc:
            ob.mark_sending(part_id)
            self._retry(part_id, info.attempts + 1, exc, report)
            return
        except (PermanentDeliveryError, NoDestinationError) as exc:
            ob.mark_failed(part_id, exc.message)
            report.failed[part_id] = exc.message
            return
        if self._via is not None:
            # A destination chosen for this pass does not keep an older upload URL.
            stored = ob.destination(part_id)
            if stored != self._via:
                ob.set_destination(part_id, self._via)
                ob.save_resume(part_id, None)
        ob.mark_sending(part_id)
        recorder = _OffsetRecorder(ob, part_id)
        job = SendJob(
            part_id=part_id,
            path=ob.parts_dir / info.file_name,
            size=info.size,
            neutral_name=info.file_name,
            resume=ob.resume(part_id),
            save_resume=lambda value: ob.save_resume(part_id, value),
            save_offset=recorder,
        )
        try:
            try:
                result = transport.send(job, self._progress, cancel)
            finally:
                recorder.flush()
        except DeliveryCancelledError:
            ob.mark_paused(part_id)
            return
        except RetryableDeliveryError as exc:
            self._retry(part_id, info.attempts + 1, exc, report)
            return
        except PermanentDeliveryError as exc:
            ob.mark_failed(part_id, exc.message)
            report.failed[part_id] = exc.message
            return
        except OSError as exc:  # the local part file vanished or is unreadable
            ob.mark_failed(part_id, "The part file in the outbox could not be read.")
            report.failed[part_id] = type(exc).__name__
            return
        ob.mark_delivered(part_id)
        report.delivered.append(part_id)
        report.safe_to_unplug = report.safe_to_unplug or result.safe_to_unplug

    def _retry(self, part_id: PartId, attempts: int, exc: RetryableDeliveryError,
               report: DeliveryReport) -> None:
        delay = self._backoff.delay(attempts,
                                    storage_full=isinstance(exc, ServerStorageFullError))
        self._outbox.mark_retry(part_id, exc.message, delay)
        report.retrying[part_id] = exc.message

    def abandon(self, part_id: PartId) -> None:
        """Remove a part; a half-finished tus upload is terminated at the server first."""
        destination = self._outbox.destination(part_id)
        resume = self._outbox.resume(part_id)
        if destination is not None and resume is not None:
            with contextlib.suppress(RetryableDeliveryError, PermanentDeliveryError):
                proxy = None if destination.kind in _LOCAL_KINDS else self._proxy()
                make_transport(destination.kind, destination.target, proxy).abandon(resume)
        self._outbox.remove(part_id)
