"""Fixtures for bundle tests: real keys, real generated media, real peers."""

from __future__ import annotations

import io
import os
import random
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from crypto.recipients.x25519 import X25519Identity
from submitter.metadata import engine
from submitter.metadata.source import Source
from tests.metadata.docgen import exiftool_write, jpeg_with_gps, make_pdf
from tests.metadata.media_fixtures import make_mp4
from tests.peers import tool


@pytest.fixture
def identity() -> X25519Identity:
    return X25519Identity.generate()


@pytest.fixture
def key_file(tmp_path: Path, identity: X25519Identity) -> Path:
    path = tmp_path / "key.txt"
    path.write_text(f"# test key\n{identity}\n")
    return path


def big_jpeg(path: Path, side: int = 700, seed: int = 7) -> Path:
    """A noisy JPEG (hard to compress: ~1 MB) carrying GPS and a serial."""
    rng = random.Random(seed)
    img = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
    img.save(path, quality=95)
    exiftool_write(path, "-GPSLatitude=48.85", "-GPSLatitudeRef=N", "-GPSLongitude=2.35",
                   "-GPSLongitudeRef=E", "-Make=PhoneCorp", "-SerialNumber=SN-BIG-4242",
                   "-Artist=Jane Source")
    return path


@pytest.fixture
def inputs(tmp_path: Path) -> list[Path]:
    """A photo, a document and a video, each with identifying metadata."""
    folder = tmp_path / "evidence"
    folder.mkdir()
    jpeg_with_gps(folder)  # writes photo.jpg
    photo = folder / "photo.jpg"
    doc = make_pdf(folder / "report.pdf")
    video = make_mp4(folder, "clip.mp4")
    return [photo, doc, video]


def cleaned_bytes(path: Path) -> bytes:
    """What the metadata engine produces for ``path``: the expected output."""
    plan = engine.prepare(Source.from_path(path), path.name)
    out = io.BytesIO()
    plan.write_to(out)
    return out.getvalue()


def listing(root: Path) -> list[tuple[str, int, int]]:
    """Every entry below root (hidden ones too): relative path, mode, size."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        for name in sorted(dirnames + filenames):
            p = Path(dirpath) / name
            st = p.lstat()
            out.append((str(p.relative_to(root)), st.st_mode, st.st_size))
    return sorted(out)


def age_decrypt_untar(part: Path, key: Path, into: Path) -> subprocess.CompletedProcess[bytes]:
    """Debian's age piped into GNU tar, exactly as staff would type it."""
    into.mkdir(parents=True, exist_ok=True)
    cmd = f"set -o pipefail; '{tool('age')}' -d -i '{key}' '{part}' | '{tool('tar')}' -x"
    return subprocess.run(["bash", "-c", cmd], cwd=into, capture_output=True, timeout=120,
                          check=False)
