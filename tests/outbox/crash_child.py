"""A seal that dies: run the real pipeline into an outbox and SIGKILL itself.

    python -m tests.outbox.crash_child MODE DATA_DIR FILE...

MODE ``sealing``: killed while the parts are being written (their staging
files exist). MODE ``enqueueing``: killed once every part is renamed into
place, before the first one is queued. Both are the real process dying at the
real point, with the outbox open as the app and `submitter submit` hold it;
the kill is triggered by the pipeline's own callbacks, so no timing is
involved.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from crypto.recipients.x25519 import X25519Identity
from submitter.bundle.format import MIN_PART_SIZE
from submitter.bundle.pipeline import Stage, SubmitProgress, submit
from tests.transports.netpeers import make_outbox


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def main(argv: Sequence[str]) -> None:
    mode, data_dir, *files = argv
    ob = make_outbox(Path(data_dir))
    parts_dir = ob.parts_dir

    def progress(event: SubmitProgress) -> None:
        if (mode == "sealing" and event.stage is Stage.ENCRYPTING
                and any(p.name.endswith(".tmp") for p in parts_dir.iterdir())):
            _die()

    def on_parts_ready(_parts: Sequence[Path]) -> None:
        if mode == "enqueueing":
            _die()

    submit([Path(f) for f in files], [X25519Identity.generate().recipient()], parts_dir,
           part_size=MIN_PART_SIZE, progress=progress, on_parts_ready=on_parts_ready)
    raise SystemExit("the seal finished: it was meant to die")


if __name__ == "__main__":
    main(sys.argv[1:])
