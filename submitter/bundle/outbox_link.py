"""Adapter to the outbox work: where parts are written and how they are queued.

The only module of the bundle code that knows the Outbox API.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from submitter.outbox.queue import Destination, Outbox


def parts_dir(outbox: Outbox) -> Path:
    return outbox.parts_dir


def registrar(outbox: Outbox, destination: Destination | None, part_size: int
              ) -> Callable[[Sequence[Path]], None]:
    """``on_parts_ready`` for the pipeline: queue every part, or none.

    Called before sealing starts: a part size the destination cannot take
    (an OnionShare share's request limit) is refused here, before any work.

    The parts are queued in one transaction: if queueing fails, or the app
    dies while it runs, no row exists (the pipeline, or the next lone open of
    the outbox, deletes the files), so the queue never holds half a submission.
    """
    if destination is not None:
        from submitter.transports import check_part_size

        check_part_size(destination.kind, part_size)

    def register(parts: Sequence[Path]) -> None:
        outbox.enqueue_all(parts, destination)  # one transaction: every part or none

    return register
