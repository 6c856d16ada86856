"""Suite-wide settings. Per-area fixtures live in each area's conftest."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _private_data_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """No test ever reads or writes the real user's app data.

    Tests that need a particular folder set SUBMITTER_DATA_DIR themselves;
    this only provides a fresh default.
    """
    folder = tmp_path_factory.mktemp("appdata")
    monkeypatch.setenv("SUBMITTER_DATA_DIR", str(folder))
    yield folder
