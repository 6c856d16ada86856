"""Suite-wide settings. Per-area fixtures live in each area's conftest."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
