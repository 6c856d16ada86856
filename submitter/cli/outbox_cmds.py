"""`submitter outbox list|deliver|wipe`: the source's outbox from the command line."""

from __future__ import annotations

import argparse
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
from submitter.outbox.schedule import Backoff
from submitter.transports.base import Phase, SendProgress
from submitter.transports.proxy import ProxyConfig


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
    deliver.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                         help="keep retrying for up to this long (default: one pass)")
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
        parts = ob.parts()
        if not parts:
            print("The outbox is empty.")
        now = time.time()
        for p in parts:
            when = "" if p.state not in ("queued", "sending") or p.next_try <= now else (
                f", next try in {int(p.next_try - now)} s")
            reason = f" - {p.reason}" if p.reason else ""
            print(f"{p.id}  {p.state:<9} {p.sent}/{p.size} bytes, {p.attempts} tries{when}{reason}")
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
    cancel = threading.Event()
    with _open() as ob:
        courier = Courier(ob, route=route, via=via, chunk_size=args.chunk_size,
                          backoff=Backoff(base=args.retry_base, cap=max(args.retry_base, 3600.0)),
                          progress=_print_progress, tor_ports=tor_ports)
        if args.wait > 0:
            report = courier.run(cancel, max_wait=args.wait)
        else:
            report = courier.deliver_due(cancel)
        for pid, reason in report.retrying.items():
            print(f"{pid}: waiting - {reason}", file=sys.stderr)
        for pid, reason in report.failed.items():
            print(f"{pid}: failed - {reason}", file=sys.stderr)
        pending = [p for p in ob.parts() if p.state in ("queued", "sending")]
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
