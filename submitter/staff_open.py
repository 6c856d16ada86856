"""Qt-free helpers for opening bundles at the NGO from the desktop app.

The app's Inbox page calls these from worker threads: finding parts in a
folder (a USB stick, a shared folder, or the inbox server's folder), telling
whether an identity file needs a passphrase, loading its identities (plain,
passphrase-protected or in the OS key store, as the Keys page and
``submitter open`` write them) and opening the parts with the core opener.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from crypto import keystore
from crypto.keystore import Protection
from crypto.recipients.base import Identity
from submitter.bundle.format import PART_SUFFIX
from submitter.bundle.opener import OpenCancelled, OpenProgress, OpenReport, open_parts
from submitter.errors import SubmitterError
from submitter.inbox.store import PART_NAME

MAX_PARTS_LISTED = 10_000


class PartsFolderError(SubmitterError):
    message = "That folder could not be read."


def find_parts(folder: Path) -> list[Path]:
    """Parts in ``folder``: the inbox server's ``received/*/part`` files when it is an
    inbox folder, otherwise the ``*.age`` files directly inside it. Links are skipped."""
    folder = Path(folder)
    try:
        received = folder / "received"
        if received.is_dir() and not received.is_symlink():
            found = []
            for entry in sorted(os.scandir(received), key=lambda e: e.name):
                part = Path(entry.path) / PART_NAME
                if entry.is_dir(follow_symlinks=False) and part.is_file() \
                        and not part.is_symlink():
                    found.append(part)
                if len(found) >= MAX_PARTS_LISTED:
                    break
            return found
        found = []
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if entry.name.endswith(PART_SUFFIX) and not entry.name.startswith(".") \
                    and entry.is_file(follow_symlinks=False):
                found.append(Path(entry.path))
            if len(found) >= MAX_PARTS_LISTED:
                break
        return found
    except OSError as exc:
        raise PartsFolderError(type(exc).__name__) from exc


def needs_passphrase(identity_file: Path) -> bool:
    """Whether the identity file is protected by a passphrase (reads the file)."""
    return keystore.protection_of(identity_file) is Protection.PASSPHRASE


def load_identities(identity_file: Path, passphrase: str | None = None) -> list[Identity]:
    """Identities of a key file; raises a CryptoError leaf with a plain message."""
    return keystore.load_identities(
        identity_file, None if passphrase is None else (lambda: passphrase))


def open_with_identity_file(
    parts: Sequence[Path],
    identity_file: Path,
    passphrase: str | None,
    dest_dir: Path,
    progress: Callable[[OpenProgress], None] | None = None,
    cancel: threading.Event | None = None,
) -> OpenReport:
    """Load the identities, then open ``parts`` into a new folder inside ``dest_dir``.

    On any error (OpenError, CryptoError) ``dest_dir`` is left exactly as it was.
    """
    identities = load_identities(identity_file, passphrase)
    if cancel is not None and cancel.is_set():
        raise OpenCancelled()
    return open_parts(parts, identities, dest_dir, progress=progress, cancel=cancel)
