"""Shared steps for the source-flow UI tests: a real app over a temporary data
folder, a real signed card for an X25519 identity we hold, real media with GPS."""

from __future__ import annotations

import datetime as dt
import os
import wave
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtWidgets import QApplication

from crypto.card import Endpoint, create_card
from crypto.recipients.x25519 import X25519Identity
from crypto.signing import SigningKey
from crypto.statekey import PassphraseStateKeyStore
from submitter.app_state import AppState
from submitter.bundle.opener import OpenReport, open_parts
from tests.metadata.docgen import exiftool_write, jpeg_with_gps
from tests.ui.conftest import running_app
from ui.app import AppParts

TODAY = dt.datetime.now(dt.UTC).date()
ORG_NAME = "Prison Rights Watch"


def light_state(folder: Path) -> AppState:
    # The real Argon2id passphrase store, with the cheapest parameters libsodium allows.
    store = PassphraseStateKeyStore(folder / "state.salt", "records passphrase for tests",
                                    opslimit=1, memlimit=8192)
    return AppState(folder, store)


@pytest.fixture
def source(qapp: QApplication, qtbot: Any, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[AppParts]:
    data = tmp_path / "data"
    monkeypatch.setenv("SUBMITTER_DATA_DIR", str(data))
    with running_app(qapp, light_state(data)) as built:
        # The first page reads the (empty) trusted list when it is first shown.
        qtbot.waitUntil(lambda: not built.recipient.is_busy(), timeout=10_000)
        yield built


@dataclass
class SampleOrg:
    identity: X25519Identity
    card_path: Path


def make_org(folder: Path, endpoints: Iterable[Endpoint] = (), name: str = ORG_NAME
             ) -> SampleOrg:
    identity = X25519Identity.generate()
    card = create_card(SigningKey.generate(), name=name,
                       recipients=[str(identity.recipient())], endpoints=list(endpoints),
                       issued=TODAY, expires=TODAY + dt.timedelta(days=365))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "card.txt"
    path.write_text(card.armored())
    return SampleOrg(identity, path)


def choose_org(parts: AppParts, qtbot: Any, org: SampleOrg) -> None:
    with qtbot.waitSignal(parts.recipient.card_chosen, timeout=20_000,
                          check_params_cb=lambda card: card is not None):
        parts.recipient.import_file(org.card_path)


def gps_jpeg(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    jpeg_with_gps(folder)
    return folder / "photo.jpg"


def gps_png(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "screenshot.png"
    img = Image.new("RGB", (40, 30))
    for x in range(40):
        for y in range(30):
            img.putpixel((x, y), (x * 6, y * 8, 90))
    img.save(path)
    exiftool_write(path, "-GPSLatitude=51.53", "-GPSLatitudeRef=N", "-GPSLongitude=46.03",
                   "-GPSLongitudeRef=E", "-Artist=Jane Source")
    return path


def noise_wav(path: Path, megabytes: int) -> Path:
    """A WAV file of random samples: quick to clean, slow enough to encrypt to cancel."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(44100)
        out.writeframes(os.urandom(megabytes * 1024 * 1024))
    return path


def add_files(parts: AppParts, qtbot: Any, paths: list[Path]) -> None:
    parts.files.add_paths(paths)
    qtbot.waitUntil(parts.files.model.all_checked, timeout=60_000)


def open_as_ngo(part_paths: list[Path], identity: X25519Identity, dest: Path) -> OpenReport:
    dest.mkdir(parents=True, exist_ok=True)
    return open_parts(part_paths, [identity], dest)


def outbox_listing(parts: AppParts) -> list[str]:
    folder = parts.state.data_dir / "outbox" / "parts"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
