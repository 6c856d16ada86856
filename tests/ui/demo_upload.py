"""What both demo tests do to the demo's inbox: ask whether it answers, and send it a photo.

Shared by tests/test_demo.py (the core) and tests/ui/test_demo.py (the app).
It imports no Qt, so the core test needs no display when it uses it.
"""

from __future__ import annotations

import threading
from pathlib import Path

import httpx

from crypto.recipients import parse_recipient
from submitter.bundle.pipeline import SubmitResult, submit
from submitter.demo import Demo
from submitter.transports.base import SendJob, no_progress
from submitter.transports.tus import make_tus
from tests.metadata.docgen import jpeg_with_gps

TUS = {"Tus-Resumable": "1.0.0"}


def inbox_answers(url: str) -> bool:
    """Whether a tus server answers at ``url`` (a stopped inbox must not)."""
    try:
        with httpx.Client(trust_env=False, timeout=5) as client:
            return client.options(url, headers=TUS).status_code == 204
    except httpx.TransportError:
        return False


def upload_photo(demo: Demo, folder: Path, message: str) -> tuple[Path, SubmitResult]:
    """Seal a photo with GPS to the demo card and upload every part to the demo inbox.

    What a source does in demo mode, done through the core: the photo is
    written into ``folder`` (returned, to compare with what the NGO opens)
    and the parts go through the real tus client over loopback.
    """
    jpeg_with_gps(folder)
    photo = folder / "photo.jpg"
    outbox = folder / "outbox"
    outbox.mkdir()
    recipients = [parse_recipient(r) for r in demo.card.recipients]
    result = submit([photo], recipients, outbox, message=message)
    transport = make_tus(demo.inbox_url, None)
    for i, part in enumerate(result.parts):
        size = part.stat().st_size
        sent = transport.send(SendJob(f"p{i}", part, size, part.name), no_progress,
                              threading.Event())
        assert sent.delivered_bytes == size
    return photo, result
