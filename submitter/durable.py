"""Making a new or renamed file's name durable.

fsync on a file flushes its bytes, not the directory entry that names it: after
a create, rename or unlink, a crash can still undo the change unless the
directory itself is flushed too. The outbox, the pipeline, the folder transport
and the inbox store all rely on this, so it lives in one place.
"""

from __future__ import annotations

import os
from pathlib import Path

# Refuses anything but a directory where the platform can tell (not on Windows).
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)


def fsync_dir(path: Path) -> None:
    """Flush the directory ``path`` to disk; raises OSError where it cannot."""
    fd = os.open(path, os.O_RDONLY | _O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
