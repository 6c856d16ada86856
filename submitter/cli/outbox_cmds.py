"""`submitter outbox list|deliver|wipe`: the source's outbox from the command line.

``deliver --within 6h`` is the window's "send at a random moment within": every
part never tried that is due now gets its own random moment in the next six
hours, and the command keeps running until then (``--wait 0``: it only sets
the moments, and a later ``deliver`` sends the parts whose moment has come).
Neither ``deliver`` nor ``list`` shows the moments themselves.
"""

from __future__ import annotations

import argparse
import re
import sys
import threading
import time
from typing import Any

from crypto.statekey import KeyStoreUnavailableError, StateKeyStore
from submitter.app_state import AppState
from submitter.outbox.courier import Courier, Route
from submitter.outbox.keystore import default_key_store
from submitter.outbox.paths import data_dir
from submitter.outbox.queue import Destination, Outbox
from submitter.outbox.schedule import Backoff, SendWindow
from submitter.transports.base import Phase, SendProgress
from submitter.transports.proxy import ProxyConfig

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd]?)", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "": 3600}  # plain numbers: hours
_UNIT_NAMES = ((86400, "day"), (3600, "hour"), (60, "minute"), (1, "second"))
# A week: wider is more likely a typo ("60" for "6") than a plan.
MAX_WINDOW = 7 * 86400


def parse_window(text: str) -> float:
    """``6h``, ``90m``, ``1d``, ``30s`` or a plain number of hours, up to a week."""
    m = _DURATION.fullmatch(text.strip())
    if m is None:
        raise argparse.ArgumentTypeError("a duration like 6h, 90m or 1d")
    seconds = float(m.group(1)) * _UNIT_SECONDS[m.group(2).lower()]
    if not 0 < seconds <= MAX_WINDOW:
        raise argparse.ArgumentTypeError("a duration above zero and at most a week (7d)")
    return seconds


def describe_window(seconds: float) -> str:
    """"6 hours", "90 minutes": in the largest unit the window is a whole number of."""
    for size, name in _UNIT_NAMES:
        if seconds >= size and seconds % size == 0:
            count = int(seconds // size)
            return f"{count} {name}{'' if count == 1 else 's'}"
    return f"{seconds:g} seconds"


def register(sub: Any) -> None:  # argparse's subparsers action has no public type
    outbox = sub.add_parser("outbox", help="parts waiting to be delivered")
    actions = outbox.add_subparsers(dest="outbox_command", metavar="ACTION", required=True)

    lister = actions.add_parser("list", help="show the parts in the outbox")
    lister.set_defaults(func=_list)

    deliver = actions.add_parser("deliver", help="send the parts that are due")
    deliver.add_argument("--via", metavar="KIND:TARGET",
                         help="folder:PATH, tus:URL or onionshare:URL (default: each part's own)")
    route = deliver.add_mutually_exclusive_group()
    route.add_argument("--proxy", metavar="socks5h://HOST:PORT",
                       help="send through this SOCKS5 proxy (default: Tor on 9050/9150)")
    route.add_argument("--direct", action="store_true",
                       help="connect without Tor (not for .onion; reveals your address)")
    deliver.add_argument("--within", type=parse_window, default=None, metavar="DURATION",
                         help="send each part not yet sent at a random moment within this "
                              "time (6h, 90m, 1d), so the upload does not follow the copying; "
                              "keeps running until then unless --wait says otherwise")
    deliver.add_argument("--wait", type=float, default=None, metavar="SECONDS",
                         help="keep retrying for up to this long (default: one pass, or the "
                              "--within time)")
    deliver.add_argument("--retry-base", type=float, default=30.0, help=argparse.SUPPRESS)
    deliver.add_argument("--chunk-size", type=int, default=None, help=argparse.SUPPRESS)
    deliver.add_argument("--tor-ports", default=None, help=argparse.SUPPRESS)
    deliver.set_defaults(func=_deliver)

    wipe = actions.add_parser("wipe", help="quick delete: erase the outbox and its key")
    wipe.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    wipe.set_defaults(func=_wipe)


def _open() -> Outbox:
    root = data_dir()
    return Outbox(default_key_store(root), root)


def _list(_args: argparse.Namespace) -> int:
    with _open() as ob:
        if ob.removed_leftovers:
            print(f"Removed {ob.removed_leftovers} leftover file(s) of an interrupted seal; "
                  "they were never queued.")
        parts = ob.parts()
        if not parts:
            print("The outbox is empty.")
        now = time.time()
        for p in parts:
            if p.waits_for_its_moment(now):
                # Never the moment itself: it is meant to be unpredictable, even to
                # someone reading this screen.
                when = ", waiting for its random moment"
            elif p.state in ("queued", "sending") and p.next_try > now:
                when = f", next try in {int(p.next_try - now)} s"
            else:
                when = ""
            reason = f" - {p.reason}" if p.reason else ""
            print(f"{p.id}  {p.state:<9} {p.sent}/{p.size} bytes, {p.attempts} tries{when}{reason}")
        leftovers = len(ob.leftovers())
        if leftovers:
            print(f"{leftovers} file(s) in the outbox folder are not queued: a seal still "
                  "running in another window, or one that was interrupted. They will never "
                  "be sent, and are removed the next time the outbox is opened while no "
                  "other window uses it.")
    return 0


def _print_progress(event: SendProgress) -> None:
    if event.phase is Phase.SAFE_TO_UNPLUG:
        print(f"{event.part_id}: copied and checked; safe to unplug.", flush=True)
    elif event.phase is Phase.DONE:
        print(f"{event.part_id}: delivered ({event.total} bytes).", flush=True)


def _deliver(args: argparse.Namespace) -> int:
    route: Route
    if args.proxy:
        route = ProxyConfig.parse(args.proxy)
    elif args.direct:
        route = "direct"
    else:
        route = "auto"
    via = Destination.parse(args.via) if args.via else None
    tor_ports = (tuple(int(p) for p in args.tor_ports.split(",")) if args.tor_ports else None)
    wait = args.wait if args.wait is not None else (args.within or 0.0)
    cancel = threading.Event()
    with _open() as ob:
        if args.within is not None:
            now = time.time()
            scheduled = ob.schedule_unsent(SendWindow(now, now + args.within), now)
            if scheduled:
                print(f"{len(scheduled)} part(s) will be sent at random moments within the "
                      f"next {describe_window(args.within)}.", flush=True)
        courier = Courier(ob, route=route, via=via, chunk_size=args.chunk_size,
                          backoff=Backoff(base=args.retry_base, cap=max(args.retry_base, 3600.0)),
                          progress=_print_progress, tor_ports=tor_ports)
        report = courier.run(cancel, max_wait=wait) if wait > 0 else courier.deliver_due(cancel)
        for pid, reason in report.retrying.items():
            print(f"{pid}: waiting - {reason}", file=sys.stderr)
        for pid, reason in report.failed.items():
            print(f"{pid}: failed - {reason}", file=sys.stderr)
        after = time.time()
        parts = ob.parts()
        pending = [p for p in parts if p.state in ("queued", "sending")]
        waiting = [p for p in pending if p.waits_for_its_moment(after)]
    if waiting:
        print(f"{len(waiting)} part(s) wait for their random moment. Run `submitter outbox "
              "deliver` again later: it sends only the parts whose moment has come.")
    if report.failed:
        return 1
    return 3 if pending else 0


def _wipe(args: argparse.Namespace) -> int:
    if not args.yes:
        answer = input("Erase every part in the outbox, the trusted organisations "
                       "and their key? Type 'erase': ")
        if answer.strip() != "erase":
            print("Nothing was erased.")
            return 1
    # The same quick delete as the window's: the outbox, the trusted list and
    # the salt go with the state key. Erasing the outbox alone would leave the
    # trusted list sealed under a key that no longer exists, and every later
    # `submit --to` would fail on it.
    root = data_dir()
    try:
        store: StateKeyStore | None = default_key_store(root, interactive=False)
    except KeyStoreUnavailableError:
        store = None  # no key store and no passphrase: the files still go
    AppState(root, store).quick_delete()
    print("The outbox, the trusted organisations and their key are erased.")
    return 0
