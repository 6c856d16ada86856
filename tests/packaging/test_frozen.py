"""The frozen one-folder build runs without the source tree, and is reproducible.

Slow (two PyInstaller builds), but part of `make test`: a release that does
not start, or whose archive cannot be rebuilt bit for bit, is a broken release.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from submitter.metadata import engine
from submitter.metadata.source import Source
from tests.metadata import exiftool
from tests.metadata.contract import CleanerContract
from tests.metadata.contracts_index import contract_classes
from tests.peers import REPO, tool

pytestmark = pytest.mark.slow

EPOCH = "1700000000"


def _build(out: Path) -> Path:
    env = {
        **os.environ,
        "SOURCE_DATE_EPOCH": EPOCH,
        "OUT": str(out),
        "PY": sys.executable,
    }
    subprocess.run(
        ["bash", str(REPO / "packaging" / "linux" / "build-bundle.sh")],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
        timeout=1800,
    )
    archives = sorted(out.glob("submitter-*-linux-*.tar.gz"))
    assert len(archives) == 1, archives
    return archives[0]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    out = tmp_path_factory.mktemp("dist-a")
    archive = _build(out)
    # Run from a copy far from the source tree, with a clean environment, so
    # nothing can be imported from the checkout.
    far = tmp_path_factory.mktemp("far")
    subprocess.run(["tar", "-xzf", str(archive), "-C", str(far)], check=True)
    yield archive, far / "submitter" / "submitter"


def _env(home: Path) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
        "SUBMITTER_DATA_DIR": str(home / "data"),
        "SUBMITTER_STATE_PASSPHRASE": "frozen test state passphrase",
    }


def _run(
    exe: Path, home: Path, *args: str, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [str(exe), *args],
        cwd=home,
        env=_env(home),
        input=stdin,
        capture_output=True,
        timeout=300,
    )


def test_archive_is_reproducible(bundle: tuple[Path, Path], tmp_path: Path) -> None:
    first, _ = bundle
    second = _build(tmp_path / "dist-b")
    assert hashlib.sha256(first.read_bytes()).hexdigest() == hashlib.sha256(
        second.read_bytes()
    ).hexdigest()


def test_version(bundle: tuple[Path, Path], tmp_path: Path) -> None:
    _, exe = bundle
    result = _run(exe, tmp_path, "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().startswith("submitter ")


def test_window_starts_offscreen(bundle: tuple[Path, Path], tmp_path: Path) -> None:
    _, exe = bundle
    env = {**_env(tmp_path), "SUBMITTER_STARTUP_PROBE": "1"}
    result = subprocess.run([str(exe)], cwd=tmp_path, env=env, capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert b"window-shown" in result.stdout


def test_keygen_clean_submit_open(bundle: tuple[Path, Path], tmp_path: Path) -> None:
    _, exe = bundle
    home = tmp_path
    (home / "data").mkdir()

    # Staff: an identity, a signing key and a card.
    result = _run(exe, home, "keygen", "-o", "id.txt")
    assert result.returncode == 0, result.stderr
    recipient = _run(exe, home, "keygen", "-y", "id.txt").stdout.decode().strip()
    assert recipient.startswith("age1")
    result = _run(exe, home, "keys", "new-signing-key", "-o", "sign.key", "--protect", "none")
    assert result.returncode == 0, result.stderr
    result = _run(
        exe, home, "card", "create", "--signing-key", "sign.key", "--name", "Frozen Test Org",
        "-r", recipient, "-o", "org.card",
    )
    assert result.returncode == 0, result.stderr

    # Source: a photo with a GPS position, cleaned, then sealed.
    photo = home / "photo.jpg"
    Image.new("RGB", (64, 48), (200, 30, 30)).save(photo, quality=90)
    subprocess.run(
        [tool("exiftool"), "-q", "-overwrite_original", "-GPSLatitude=51.53",
         "-GPSLatitudeRef=N", "-Make=FrozenCam", str(photo)],
        check=True,
    )
    (home / "clean").mkdir()
    result = _run(exe, home, "clean", "--out", "clean", "photo.jpg")
    assert result.returncode == 0, result.stderr
    tags = subprocess.run(
        [tool("exiftool"), "-j", "-G1", str(home / "clean" / "photo.jpg")],
        capture_output=True, text=True, check=True,
    ).stdout
    assert "FrozenCam" not in tags and "GPS" not in tags

    (home / "outbox").mkdir()
    result = _run(exe, home, "submit", "--to", "org.card", "--outbox", "outbox", "photo.jpg")
    assert result.returncode == 0, result.stderr
    parts = sorted((home / "outbox").glob("*.age"))
    assert parts

    # Staff again: open the parts.
    (home / "opened").mkdir()
    result = _run(exe, home, "open", "-i", "id.txt", "-o", "opened", *[str(p) for p in parts])
    assert result.returncode == 0, result.stderr
    opened = [p for p in (home / "opened").rglob("*.jpg")]
    assert len(opened) == 1
    assert opened[0].read_bytes() == (home / "clean" / "photo.jpg").read_bytes()
    shutil.rmtree(home / "opened")


# --- every cleaner family works from the bundle, not only the JPEG one ---
#
# A frozen build can silently lose a cleaner whose library loads plugins or
# native parts at run time (PyAV's codecs, pikepdf's qpdf, pillow-heif): the
# source tree passes and the download refuses or, worse, mis-cleans. Each
# contract fixture (one per registered file kind) goes through the bundle's
# `clean`, and the result must equal the source tree's output byte for byte
# and leave exiftool nothing identifying.

def _contracts() -> list[type[CleanerContract]]:
    return contract_classes()


@pytest.fixture(scope="module")
def frozen_cleaned(
    bundle: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, tuple[Path, Path]], subprocess.CompletedProcess[bytes]]:
    _, exe = bundle
    home = tmp_path_factory.mktemp("frozen-clean")
    (home / "in").mkdir()
    (home / "out").mkdir()
    files: dict[str, tuple[Path, Path]] = {}
    for cls in _contracts():
        dirty = cls().make_dirty(tmp_path_factory.mktemp(cls.__name__))
        name = cls.__name__ + dirty.suffix
        shutil.copyfile(dirty, home / "in" / name)
        files[cls.__name__] = (home / "in" / name, home / "out" / name)
    result = _run(exe, home, "clean", "--out", "out", "--", *sorted(
        f"in/{p.name}" for p, _ in files.values()
    ))
    return files, result


def test_frozen_clean_run_succeeded(
    frozen_cleaned: tuple[dict[str, tuple[Path, Path]], subprocess.CompletedProcess[bytes]],
) -> None:
    files, result = frozen_cleaned
    assert len(files) >= 20, sorted(files)
    assert result.returncode == 0, result.stderr.decode(errors="replace")


@pytest.mark.parametrize("contract", _contracts(), ids=lambda c: c.__name__)
def test_frozen_clean_every_family(
    contract: type[CleanerContract],
    frozen_cleaned: tuple[dict[str, tuple[Path, Path]], subprocess.CompletedProcess[bytes]],
    tmp_path: Path,
) -> None:
    files, result = frozen_cleaned
    dirty, out = files[contract.__name__]
    assert out.is_file(), result.stderr.decode(errors="replace")
    plan = engine.prepare(Source.from_path(dirty), dirty.name)
    expected = tmp_path / ("tree" + dirty.suffix)
    with open(expected, "wb") as fh:
        plan.write_to(fh)
    assert out.read_bytes() == expected.read_bytes()
    left = exiftool.identifying(out, contract.rules, embedded=contract.embedded)
    assert not left, "; ".join(map(str, left))
