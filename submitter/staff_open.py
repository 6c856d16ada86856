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
from dataclasses import dataclass
from pathlib import Path

from crypto import keystore
from crypto.age import Decryptor
from crypto.errors import CryptoError
from crypto.keystore import Protection
from crypto.recipients.base import Identity
from submitter.bundle.format import MANIFEST_NAME, MAX_MANIFEST_BYTES, PART_SUFFIX
from submitter.bundle.manifest import parse_manifest
from submitter.bundle.opener import OpenCancelled, OpenProgress, OpenReport, open_parts
from submitter.bundle.tarreader import TarReader
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


@dataclass(frozen=True, slots=True)
class GroupProgress:
    """Progress of opening several submissions: which one, and the opener's event."""

    group: int  # 1-based
    groups: int
    inner: OpenProgress


@dataclass(frozen=True, slots=True)
class GroupFailure:
    parts: tuple[Path, ...]
    error: SubmitterError | CryptoError


@dataclass(frozen=True, slots=True)
class OpenOutcome:
    reports: tuple[OpenReport, ...]  # one per submission opened, each in its own folder
    failures: tuple[GroupFailure, ...] = ()  # submissions refused (nothing of them written)
    cancelled: bool = False  # stopped before every submission was tried


def submission_of(part: Path, identities: Sequence[Identity]) -> str | None:
    """The submission id in a part's manifest, or None when it cannot be read.

    Used only to sort parts into submissions; ``open_parts`` then checks each
    submission in full, so a part this cannot read still gets its plain error.
    """
    try:
        size = os.stat(part).st_size
        with open(part, "rb") as fh, Decryptor(fh, identities) as dec:
            tar = TarReader(dec, max_padding=size)
            first = tar.next_member()
            if first is None or first.untrusted_name != MANIFEST_NAME \
                    or first.size > min(MAX_MANIFEST_BYTES, size):
                return None
            return parse_manifest(tar.read(first.size)).submission_id
    except (SubmitterError, CryptoError, OSError, ValueError):
        return None


def group_parts(parts: Sequence[Path], identities: Sequence[Identity],
                cancel: threading.Event | None = None) -> list[list[Path]]:
    """Parts sorted into submissions, in the order first seen; unreadable parts alone."""
    groups: dict[str, list[Path]] = {}
    order: list[list[Path]] = []
    for part in parts:
        if cancel is not None and cancel.is_set():
            raise OpenCancelled()
        sub_id = submission_of(part, identities)
        if sub_id is None:
            order.append([part])
        elif sub_id in groups:
            groups[sub_id].append(part)
        else:
            groups[sub_id] = [part]
            order.append(groups[sub_id])
    return order


def open_submissions(
    parts: Sequence[Path],
    identity_file: Path,
    passphrase: str | None,
    dest_dir: Path,
    progress: Callable[[GroupProgress], None] | None = None,
    cancel: threading.Event | None = None,
) -> OpenOutcome:
    """Open parts that may belong to several submissions (an inbox folder, a USB stick).

    Each submission opens on its own, all or nothing, into its own new folder. With
    one submission its error is raised as it is (``dest_dir`` left as it was); with
    several, the refused ones are listed in the outcome and the others opened. A
    cancel stops the submission being opened (nothing of it is written).
    """
    identities = load_identities(identity_file, passphrase)
    groups = [list(parts)] if len(parts) <= 1 else group_parts(parts, identities, cancel)
    if cancel is not None and cancel.is_set():
        raise OpenCancelled()

    def relay(group: int) -> Callable[[OpenProgress], None] | None:
        if progress is None:
            return None
        return lambda event: progress(GroupProgress(group, len(groups), event))

    if len(groups) == 1:
        report = open_parts(groups[0], identities, dest_dir, progress=relay(1), cancel=cancel)
        return OpenOutcome((report,))
    reports: list[OpenReport] = []
    failures: list[GroupFailure] = []
    for number, group in enumerate(groups, start=1):
        try:
            reports.append(open_parts(group, identities, dest_dir, progress=relay(number),
                                      cancel=cancel))
        except OpenCancelled:
            return OpenOutcome(tuple(reports), tuple(failures), cancelled=True)
        except (SubmitterError, CryptoError) as exc:
            failures.append(GroupFailure(tuple(group), exc))
    return OpenOutcome(tuple(reports), tuple(failures))


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
