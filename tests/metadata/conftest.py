"""Fixtures shared by the metadata tests.

The cleaner contract lives in ``tests/metadata/contract.py`` and the exiftool
judge in ``tests/metadata/exiftool.py``; this file only makes sure the judge
is installed (a missing peer fails loudly, it is never skipped).
"""

from __future__ import annotations

import pytest

from tests.peers import tool


@pytest.fixture(scope="session", autouse=True)
def _exiftool_present() -> str:
    return tool("exiftool")
