"""Adapter to the outbox work: where parts are written and how they are queued.

The only module of the bundle code that knows the Outbox API.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from pathlib import Path

from submitter.outbox.queue import Destination, Outbox


def parts_dir(outbox: Outbox) -> Path:
    return outbox.parts_dir


def registrar(outbox: Outbox, destination: Destination | None
              ) -> Callable[[Sequence[Path]], None]:
    """``on_parts_ready`` for the pipeline: queue every part, or none.

    If queueing fails half way, the rows already added are removed again (the
    pipeline then deletes the files), so the queue never holds half a
    submission.
    """

    def register(parts: Sequence[Path]) -> None:
        done = []
        try:
            for p in parts:
                done.append(outbox.enqueue(p, destination))
        except BaseException:
            for part_id in done:
                with contextlib.suppress(Exception):
                    outbox.remove(part_id)
            raise

    return register
