"""The desktop app's source-side glue, Qt-free: estimate, seal, deliver.

Mirrors what `submitter submit` and `submitter outbox deliver` wire together
(the card adapter, the pipeline, the outbox link, the courier), so the app
and the command line produce the same parts and queue rows. Every function
here blocks: the UI calls them from its workers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from crypto.card import Card
from crypto.recipients import parse_recipient
from submitter.bundle import org as org_adapter
from submitter.bundle import outbox_link
from submitter.bundle.format import DEFAULT_PART_SIZE, MANIFEST_NAME
from submitter.bundle.manifest import FileEntry, Manifest
from submitter.bundle.padding import padded_size
from submitter.bundle.parts import layout
from submitter.bundle.pipeline import ProgressCallback, SubmitResult, submit
from submitter.bundle.tarwriter import END_OF_ARCHIVE, member_footprint
from submitter.metadata import engine
from submitter.metadata.kinds import FileKind
from submitter.outbox.courier import Courier, DeliveryReport, Route
from submitter.outbox.queue import Destination, Outbox, PartId
from submitter.transports.base import ProgressCallback as SendProgressCallback
from submitter.transports.base import no_progress
from submitter.transports.proxy import TOR_PORTS, ProxyConfig, detect_tor

# --- the organisation -------------------------------------------------------


def organisation(card: Card) -> org_adapter.Organisation:
    """Recipients and first network endpoint of a chosen (already verified) card.

    The same adapter `submitter submit --to` uses, minus the pin lookup: the
    app's step 1 has already verified and pinned the card.
    """
    card.check_usable()
    recipients = tuple(parse_recipient(r) for r in card.recipients)
    return org_adapter.Organisation(card.name, recipients, org_adapter._destination(card),
                                    False, card)


# --- the review: what will be sent ------------------------------------------


@dataclass(frozen=True, slots=True)
class SealEstimate:
    """What a submission of these sizes becomes, before anything is cleaned.

    Cleaning changes sizes a little (metadata removed), so these are close
    estimates; the layout and padding rules are the pipeline's own.
    """

    file_count: int
    total_size: int  # of the chosen files as they are now
    part_count: int
    padded_sizes: tuple[int, ...]  # plaintext size of each part after padding

    @property
    def padded_total(self) -> int:
        return sum(self.padded_sizes)


def estimate(sizes: Sequence[int], *, message: str = "",
             part_size: int = DEFAULT_PART_SIZE) -> SealEstimate:
    """Lay out files of ``sizes`` the way the pipeline will and pad each part."""
    entries = [FileEntry(name=engine.neutral_name(i + 1, FileKind.DOCX), kind="docx",
                         size=size, sha256="0" * 64) for i, size in enumerate(sizes)]
    if not entries:
        return SealEstimate(0, 0, 0, ())
    submission_id = "0" * 32
    layouts = layout(entries, part_size, submission_id, message)
    padded: list[int] = []
    for pl in layouts:
        manifest = Manifest(submission_id, pl.index, len(layouts), message,
                            tuple(e for _, e in pl.entries)).to_json()
        content = (member_footprint(MANIFEST_NAME, len(manifest))
                   + sum(member_footprint(e.member, e.member_size) for _, e in pl.entries)
                   + len(END_OF_ARCHIVE))
        last = pl.index == len(layouts)
        padded.append(padded_size(content, part_size) if last else part_size)
    return SealEstimate(len(entries), sum(sizes), len(layouts), tuple(padded))


# --- sealing ----------------------------------------------------------------


def seal(outbox: Outbox, card: Card, files: Sequence[Path], *, message: str = "",
         keep_names: bool = False, part_size: int = DEFAULT_PART_SIZE,
         progress: ProgressCallback | None = None,
         cancel: threading.Event | None = None) -> SubmitResult:
    """Clean, pack, pad and encrypt ``files`` to the card's keys, into the outbox.

    The parts are queued for the card's first upload address (or for no
    destination, if the card only has drop notes) only once all of them are
    complete; any failure or cancellation leaves the outbox as it was.
    """
    chosen = organisation(card)
    return submit(files, chosen.recipients, outbox_link.parts_dir(outbox), message=message,
                  keep_names=keep_names, part_size=part_size, progress=progress,
                  cancel=cancel,
                  on_parts_ready=outbox_link.registrar(outbox, chosen.destination,
                                                       part_size))


# --- delivery ---------------------------------------------------------------

RouteMode = Literal["tor", "proxy", "direct"]


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    """How and where to deliver. Kept in memory only: it may name a folder."""

    folder: Path | None = None  # None: each part's own upload address
    route: RouteMode = "tor"
    proxy: ProxyConfig | None = None  # when route == "proxy"
    tor_ports: tuple[int, ...] = TOR_PORTS
    chunk_size: int | None = None  # upload chunk (None: the transport's own)

    def courier_route(self) -> Route:
        if self.route == "proxy":
            if self.proxy is None:
                from submitter.transports.errors import ProxyInvalidError

                raise ProxyInvalidError("no proxy given")
            return self.proxy
        return "direct" if self.route == "direct" else "auto"

    def via(self) -> Destination | None:
        return None if self.folder is None else Destination("folder", str(self.folder))


def courier(outbox: Outbox, settings: DeliverySettings,
            progress: SendProgressCallback = no_progress) -> Courier:
    return Courier(outbox, route=settings.courier_route(), via=settings.via(),
                   chunk_size=settings.chunk_size, progress=progress,
                   tor_ports=settings.tor_ports)


def deliver(outbox: Outbox, settings: DeliverySettings, *, now: bool = False,
            progress: SendProgressCallback = no_progress,
            cancel: threading.Event | None = None) -> DeliveryReport:
    """One delivery pass. ``now``: parts waiting for a later try are tried at once too."""
    if now:
        moment = time.time()
        for info in outbox.parts():
            if info.state == "queued" and info.next_try > moment:
                outbox.retry(info.id)
    return courier(outbox, settings, progress).deliver_due(cancel or threading.Event())


def remove(outbox: Outbox, settings: DeliverySettings, part_id: PartId) -> None:
    """Remove a part; a half-finished upload is dropped at the server first."""
    courier(outbox, settings).abandon(part_id)


def check_socks(settings: DeliverySettings) -> ProxyConfig | None:
    """The SOCKS port that answers for these settings (Tor's usual ports, or the proxy)."""
    if settings.route == "proxy" and settings.proxy is not None:
        return detect_tor(settings.proxy.host, (settings.proxy.port,))
    return detect_tor(ports=settings.tor_ports)
