"""The durable outbox: a SQLite queue of encrypted parts waiting to be delivered.

API (for the pipeline, the UI and the command line)::

    ob = Outbox(key_store)                      # data dir from platformdirs / $SUBMITTER_DATA_DIR
    path = ob.new_part_path()                   # random, neutral name inside ob.parts_dir
    # write the part to staging_path(path) ("<name>.tmp"), fsync, os.replace to path, then:
    part_id = ob.enqueue(path, Destination("tus", "http://....onion/files/"),
                         window=SendWindow(start, end))   # window optional
    ob.parts() -> list[PartInfo]; ob.destination(part_id) -> Destination | None
    ob.orphans() -> list[Path]                  # complete files a crash left unqueued
    ob.leftovers() -> list[Path]                # orphans and staging files, for reporting
    ob.removed_leftovers -> int                 # how many the opening swept away
    ob.schedule_unsent(SendWindow(...))         # random moments for parts never tried
    ob.remove(part_id) -> str | None            # returns a resume URL to abandon, if any
    ob.retry(part_id)                           # a failed part back to queued
    ob.wipe()                                   # quick delete, see below
    ob.close()

Delivery is driven by ``submitter.outbox.courier.Courier``.

Durability: WAL journal, ``synchronous=FULL``, every change in one
transaction. A part enters the queue only once its file is complete (the
caller renames it into place first; ``enqueue`` checks the size and fsyncs it
again), so a crash leaves either no row or a full file. Rows left in
``sending`` by a crash are picked up again by the next delivery pass, which
first asks the destination how much it already has.

Crash leftovers: a seal killed while writing leaves staging files
(``*.tmp``); one killed between the rename and the enqueue leaves complete
part files with no row ("orphans"). Neither will ever be sent. They are swept
when an outbox opens while no other ``Outbox`` over the same folder is open in
any process: every seal writes into ``parts_dir`` through an open ``Outbox``
(the pipeline is handed ``parts_dir`` by one), so with none open, nothing can
still be writing or about to enqueue them. Each open instance holds a shared
``flock`` on the parts folder itself (no extra file to leave behind); the
opener that gets it exclusively is alone. Where there is no ``flock``
(Windows), only staging files untouched for an hour are swept, and orphans
stay until quick delete, as nothing tells them from parts a window is about
to enqueue.

Privacy at rest: where a part goes (the destination and the organisation) and
the resumable upload URL are sealed with the StateKey and bound to the row's
id; part file names and ids are random. ``secure_delete`` is on, and delivered
parts are deleted. ``wipe`` deletes the parts, the database and its journals,
and destroys the StateKey in its key store, so what flash storage keeps
behind cannot be read.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NewType

from crypto.errors import CryptoError
from crypto.statekey import StateKey, StateKeyStore, make_private_dirs
from submitter.durable import fsync_dir
from submitter.outbox.errors import OutboxCorruptError, PartNotReadyError, UnknownPartError
from submitter.outbox.paths import data_dir as default_data_dir
from submitter.outbox.schedule import SendWindow

PartId = NewType("PartId", str)

STATES = ("queued", "sending", "delivered", "failed")
# The reason recorded on a part given its random moment (see schedule_unsent): empty,
# so no problem is shown, yet set, so the part is not given a second moment. The
# window's outbox page uses the same marker.
SCHEDULED_REASON = ""
_STAGING_SUFFIX = ".tmp"
_STAGING_STALE_SECONDS = 3600.0
_SCHEMA = """
CREATE TABLE IF NOT EXISTS parts (
    id TEXT PRIMARY KEY,
    file_name TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL CHECK (size > 0),
    state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'delivered', 'failed')),
    sent INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_try REAL NOT NULL,
    reason TEXT,
    sealed_destination BLOB,
    sealed_resume BLOB
);
"""


@dataclass(frozen=True)
class Destination:
    """Where a part goes: a transport kind (see submitter.transports.REGISTRY),
    its target (folder path or URL) and, optionally, the organisation's name."""

    kind: str
    target: str
    org: str = ""

    def to_bytes(self) -> bytes:
        return json.dumps({"v": 1, "kind": self.kind, "target": self.target, "org": self.org},
                          separators=(",", ":")).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> Destination:
        try:
            obj = json.loads(data)
            return cls(str(obj["kind"]), str(obj["target"]), str(obj.get("org", "")))
        except (ValueError, KeyError, TypeError) as exc:
            raise OutboxCorruptError("destination record unreadable") from exc

    @classmethod
    def parse(cls, spec: str) -> Destination:
        """``folder:PATH``, ``tus:URL`` or ``onionshare:URL``."""
        kind, sep, target = spec.partition(":")
        if not sep or not target:
            from submitter.transports.errors import DestinationInvalidError

            raise DestinationInvalidError("expected KIND:TARGET")
        return cls(kind, target)


@dataclass(frozen=True)
class PartInfo:
    id: PartId
    file_name: str
    size: int
    state: str
    sent: int
    attempts: int
    next_try: float
    reason: str | None
    has_destination: bool

    def waits_for_its_moment(self, now: float) -> bool:
        """Queued, never tried, and kept for a later random moment (not a retry wait)."""
        return (self.state == "queued" and self.attempts == 0 and self.sent == 0
                and not self.reason and self.next_try > now)


# The sealed columns a part row holds, by the label their seal is bound to (whole
# statements, so no column name is ever built into SQL).
_SEALED_SELECT = {
    b"dest": "SELECT sealed_destination FROM parts WHERE id = ?",
    b"resume": "SELECT sealed_resume FROM parts WHERE id = ?",
}


def staging_path(final: Path) -> Path:
    """Where the pipeline writes a part before renaming it to ``final``."""
    return final.with_name(final.name + _STAGING_SUFFIX)


class Outbox:
    def __init__(self, key_store: StateKeyStore, data_dir: Path | None = None, *,
                 clock: Callable[[], float] = time.time) -> None:
        self.data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
        self.root = self.data_dir / "outbox"
        self.parts_dir = self.root / "parts"
        self.db_path = self.root / "queue.sqlite3"
        self._key_store = key_store
        self._key: StateKey | None = None
        self._clock = clock
        self._lock = threading.RLock()
        make_private_dirs(self.parts_dir)
        self._db = self._connect()
        self._presence: int | None = None
        try:
            self.removed_leftovers = self._sweep_leftovers()
        except BaseException:
            self.close()
            raise

    # --- plumbing ---

    def _connect(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(self.db_path, isolation_level=None, check_same_thread=False,
                                 timeout=30.0)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.execute("PRAGMA secure_delete=ON")
            db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise OutboxCorruptError(type(exc).__name__) from exc
        os.chmod(self.db_path, 0o600)
        return db

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                raise OutboxCorruptError(type(exc).__name__) from exc

    def _state_key(self) -> StateKey:
        if self._key is None:
            self._key = self._key_store.load_or_create()
        return self._key

    def _seal(self, what: bytes, part_id: str, data: bytes) -> bytes:
        return self._state_key().seal(data, aad=what + b":" + part_id.encode())

    def _open(self, what: bytes, part_id: str, sealed: bytes) -> bytes:
        try:
            return self._state_key().open(sealed, aad=what + b":" + part_id.encode())
        except CryptoError as exc:
            raise OutboxCorruptError("sealed record does not open") from exc

    def _sweep_leftovers(self) -> int:
        """Remove what crashed seals left behind, when that is safe; returns how many.

        Also takes this instance's shared presence lock, held until ``close``."""
        try:
            import fcntl
        except ImportError:
            return self._sweep_stale_staging()
        fd = os.open(self.parts_dir, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        self._presence = fd
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            # Another outbox is open: its seal may be writing right now. Leave all.
            fcntl.flock(fd, fcntl.LOCK_SH)
            return 0
        except OSError:
            # A filesystem that cannot lock (some network shares): as without flock.
            self._release_presence()
            return self._sweep_stale_staging()
        try:
            leftovers = self.leftovers()
            for path in leftovers:
                path.unlink(missing_ok=True)
            if leftovers:
                with contextlib.suppress(OSError):
                    fsync_dir(self.parts_dir)
            return len(leftovers)
        finally:
            # Not atomic on Linux; harmless, as this instance writes nothing yet.
            fcntl.flock(fd, fcntl.LOCK_SH)

    def _sweep_stale_staging(self) -> int:
        # Only files nobody has written to for a while: another window may be writing
        # a part right now, and its staging file must not vanish under it.
        cutoff = time.time() - _STAGING_STALE_SECONDS
        removed = 0
        for entry in self.parts_dir.iterdir():
            if entry.name.endswith(_STAGING_SUFFIX) and entry.is_file():
                with contextlib.suppress(FileNotFoundError):
                    if entry.stat().st_mtime < cutoff:
                        entry.unlink()
                        removed += 1
        return removed

    def _release_presence(self) -> None:
        if self._presence is not None:
            with contextlib.suppress(OSError):
                os.close(self._presence)  # closing the descriptor drops its flock
            self._presence = None

    def close(self) -> None:
        with self._lock:
            self._db.close()
            self._release_presence()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- adding parts ---

    def new_part_path(self) -> Path:
        """A fresh, random, neutral path for a part inside ``parts_dir``."""
        return self.parts_dir / secrets.token_hex(16)

    def enqueue(self, part_path: Path, destination: Destination | None, *,
                window: SendWindow | None = None) -> PartId:
        """Queue a complete part file that already sits in ``parts_dir``."""
        return self.enqueue_all([part_path], destination, window=window)[0]

    def enqueue_all(self, part_paths: Sequence[Path], destination: Destination | None, *,
                    window: SendWindow | None = None) -> list[PartId]:
        """Queue the complete parts of one submission in one transaction: all or none.

        A crash while queueing leaves either every part queued or none (the
        files are then leftovers, removed on the next lone open), never half a
        submission on its way.
        """
        rows: list[tuple[PartId, str, int]] = []
        for part_path in part_paths:
            path = Path(part_path)
            rows.append((PartId(secrets.token_hex(12)), path.name, self._ready_size(path)))
        with contextlib.suppress(OSError):  # some platforms cannot open directories
            fsync_dir(self.parts_dir)
        with self._tx() as db:
            for part_id, name, size in rows:
                sealed = (self._seal(b"dest", part_id, destination.to_bytes())
                          if destination else None)
                next_try = window.pick() if window is not None else self._clock()
                try:
                    db.execute(
                        "INSERT INTO parts (id, file_name, size, state, next_try,"
                        " sealed_destination) VALUES (?, ?, ?, 'queued', ?, ?)",
                        (part_id, name, size, next_try, sealed),
                    )
                except sqlite3.IntegrityError as exc:
                    raise PartNotReadyError("part is already queued") from exc
        return [part_id for part_id, _name, _size in rows]

    def _ready_size(self, path: Path) -> int:
        """The size of a complete part file in ``parts_dir``, flushed to disk."""
        if path.parent.resolve() != self.parts_dir.resolve() or path.name.endswith(
                _STAGING_SUFFIX):
            raise PartNotReadyError("part is not in the outbox folder")
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError as exc:
            raise PartNotReadyError("part file cannot be opened") from exc
        try:
            size = os.fstat(fd).st_size
            os.fsync(fd)  # the row must never point at data still in a cache
        finally:
            os.close(fd)
        if size <= 0:
            raise PartNotReadyError("part file is empty")
        return size

    def schedule_unsent(self, window: SendWindow, now: float | None = None) -> list[PartId]:
        """Give every part due now that was never tried a random moment within ``window``.

        Parts already waiting for a moment (given here, by the window, or when they
        were queued) keep theirs, so asking again does not push them back; parts
        waiting after a failed try keep their retry time. One transaction, so a
        courier in another window never sends a part half way through this.
        """
        moment = self._clock() if now is None else now
        scheduled: list[PartId] = []
        with self._tx() as db:
            rows = db.execute(
                "SELECT id FROM parts WHERE state = 'queued' AND attempts = 0 AND sent = 0"
                " AND reason IS NULL AND next_try <= ? ORDER BY rowid", (moment,)).fetchall()
            for (part_id,) in rows:
                db.execute("UPDATE parts SET reason = ?, next_try = ? WHERE id = ?",
                           (SCHEDULED_REASON, window.pick(), part_id))
                scheduled.append(PartId(part_id))
        return scheduled

    # --- reading ---

    def parts(self) -> list[PartInfo]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, file_name, size, state, sent, attempts, next_try, reason,"
                " sealed_destination IS NOT NULL FROM parts ORDER BY rowid").fetchall()
        return [PartInfo(PartId(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], r[7], bool(r[8]))
                for r in rows]

    def get(self, part_id: str) -> PartInfo:
        for info in self.parts():
            if info.id == part_id:
                return info
        raise UnknownPartError()

    def orphans(self) -> list[Path]:
        """Complete part files with no queue row (a crash between rename and enqueue).
        They have no destination; the caller may enqueue them with one or remove them."""
        known = {info.file_name for info in self.parts()}
        return sorted(p for p in self.parts_dir.iterdir()
                      if p.is_file() and not p.name.endswith(_STAGING_SUFFIX)
                      and p.name not in known)

    def leftovers(self) -> list[Path]:
        """Every file in ``parts_dir`` that no queue row names: orphans and staging
        files. While another outbox is open, some may belong to a seal in progress."""
        known = {info.file_name for info in self.parts()}
        return sorted(p for p in self.parts_dir.iterdir()
                      if p.is_file() and p.name not in known)

    def part_path(self, part_id: str) -> Path:
        return self.parts_dir / self.get(part_id).file_name

    def _read_sealed(self, what: bytes, part_id: str) -> bytes | None:
        """The opened ``what`` column of a part's row, or None when it holds nothing."""
        with self._lock:
            row = self._db.execute(_SEALED_SELECT[what], (part_id,)).fetchone()
        if row is None:
            raise UnknownPartError()
        return None if row[0] is None else self._open(what, part_id, row[0])

    def destination(self, part_id: str) -> Destination | None:
        raw = self._read_sealed(b"dest", part_id)
        return None if raw is None else Destination.from_bytes(raw)

    def set_destination(self, part_id: str, destination: Destination) -> None:
        sealed = self._seal(b"dest", part_id, destination.to_bytes())
        self._update(part_id, "sealed_destination = ?", (sealed,))

    def resume(self, part_id: str) -> str | None:
        raw = self._read_sealed(b"resume", part_id)
        return None if raw is None else raw.decode()

    def due(self, now: float | None = None) -> list[PartId]:
        """Parts whose time has come: queued, or left 'sending' by an interrupted pass."""
        moment = self._clock() if now is None else now
        with self._lock:
            rows = self._db.execute(
                "SELECT id FROM parts WHERE state IN ('queued', 'sending') AND next_try <= ?"
                " ORDER BY next_try, rowid", (moment,)).fetchall()
        return [PartId(r[0]) for r in rows]

    def next_due_time(self) -> float | None:
        with self._lock:
            row = self._db.execute(
                "SELECT MIN(next_try) FROM parts WHERE state IN ('queued', 'sending')").fetchone()
        return None if row is None or row[0] is None else float(row[0])

    # --- state changes (used by the courier) ---

    def _update(self, part_id: str, assignments: str, params: Sequence[object]) -> None:
        with self._tx() as db:
            cur = db.execute(f"UPDATE parts SET {assignments} WHERE id = ?",  # noqa: S608 - fixed strings
                             (*params, part_id))
            if cur.rowcount != 1:
                raise UnknownPartError()

    def mark_sending(self, part_id: str) -> None:
        self._update(part_id, "state = 'sending', attempts = attempts + 1, reason = NULL", ())

    def record_offset(self, part_id: str, sent: int) -> None:
        self._update(part_id, "sent = ?", (sent,))

    def save_resume(self, part_id: str, resume: str | None) -> None:
        sealed = None if resume is None else self._seal(b"resume", part_id, resume.encode())
        self._update(part_id, "sealed_resume = ?", (sealed,))

    def mark_retry(self, part_id: str, reason: str, delay: float) -> None:
        self._update(part_id, "state = 'queued', reason = ?, next_try = ?",
                     (reason, self._clock() + delay))

    def mark_paused(self, part_id: str) -> None:
        """Stopped on request: back to queued, due at once, attempt not counted."""
        self._update(part_id, "state = 'queued', attempts = MAX(attempts - 1, 0)", ())

    def mark_failed(self, part_id: str, reason: str) -> None:
        self._update(part_id, "state = 'failed', reason = ?", (reason,))

    def mark_delivered(self, part_id: str) -> None:
        """Record delivery, then delete the local part (the row stays as a receipt)."""
        path = self.part_path(part_id)
        self._update(part_id, "state = 'delivered', sent = size, reason = NULL,"
                     " sealed_resume = NULL, sealed_destination = NULL", ())
        path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            fsync_dir(self.parts_dir)

    def retry(self, part_id: str) -> None:
        self._update(part_id, "state = 'queued', reason = NULL, attempts = 0, next_try = ?",
                     (self._clock(),))

    def remove(self, part_id: str) -> str | None:
        """Delete a part and its row; returns its resume URL so the caller can abandon it."""
        resume = self.resume(part_id)
        path = self.part_path(part_id)
        with self._tx() as db:
            db.execute("DELETE FROM parts WHERE id = ?", (part_id,))
        path.unlink(missing_ok=True)
        return resume

    def clear_delivered(self) -> int:
        with self._tx() as db:
            return db.execute("DELETE FROM parts WHERE state = 'delivered'").rowcount

    # --- quick delete ---

    def wipe(self, extra_paths: Sequence[Path] = ()) -> None:
        """Erase every part, the queue and its journals (and ``extra_paths``), then
        destroy the StateKey so whatever flash storage keeps behind stays sealed."""
        with self._lock:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._release_presence()
            for entry in list(self.parts_dir.iterdir()):
                if entry.is_file():
                    entry.unlink(missing_ok=True)
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(str(self.db_path) + suffix).unlink(missing_ok=True)
            for entry in list(self.root.iterdir()):
                if entry.is_file():
                    entry.unlink(missing_ok=True)
            for extra in extra_paths:
                p = Path(extra)
                if p.is_dir():
                    import shutil

                    shutil.rmtree(p, ignore_errors=True)
                else:
                    p.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                self.parts_dir.rmdir()
                self.root.rmdir()
            self._key = None
            self._key_store.destroy()
