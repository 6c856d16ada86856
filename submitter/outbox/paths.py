"""Where the source's app data lives: platformdirs' user data dir, or $SUBMITTER_DATA_DIR."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

ENV_DATA_DIR = "SUBMITTER_DATA_DIR"


def data_dir() -> Path:
    override = os.environ.get(ENV_DATA_DIR)
    if override:
        return Path(override)
    return Path(platformdirs.user_data_dir("submitter", appauthor=False, roaming=False))
