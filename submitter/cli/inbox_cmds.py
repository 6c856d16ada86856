"""`submitter inbox serve`: the NGO's tus inbox server."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from submitter.errors import SubmitterError


class InboxStartError(SubmitterError):
    message = "The inbox server could not start (is the port in use, or the folder unwritable?)."


def register(sub: Any) -> None:  # argparse's subparsers action has no public type
    inbox = sub.add_parser("inbox", help="the NGO's upload inbox (tus server)")
    inbox_sub = inbox.add_subparsers(dest="inbox_command", metavar="ACTION", required=True)
    serve = inbox_sub.add_parser("serve", help="run the inbox server")
    serve.add_argument("--dir", type=Path, default=Path("inbox"),
                       help="folder for uploads (default: ./inbox)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1; put Tor in front)")
    serve.add_argument("--port", type=int, default=8080, help="port (0 picks a free one)")
    serve.add_argument("--max-size", type=int, default=4 * 1024**3,
                       help="largest upload in bytes (default 4 GiB)")
    serve.add_argument("--expire-hours", type=float, default=72.0,
                       help="remove uploads left unfinished this long (default 72)")
    serve.add_argument("--max-disk", type=int, default=None,
                       help="most bytes the inbox may hold in all (default: the free disk)")
    serve.set_defaults(func=_serve)


def _serve(args: argparse.Namespace) -> int:
    from submitter.inbox.server import InboxConfig, bind_socket, serve

    config = InboxConfig(directory=args.dir, max_size=args.max_size,
                         expire_hours=args.expire_hours, max_disk=args.max_disk)
    try:
        sock = bind_socket(args.host, args.port)
    except OSError as exc:
        raise InboxStartError(type(exc).__name__) from exc
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    print(f"Inbox listening on http://{shown}:{port}/files/ (folder: {args.dir})", flush=True)
    serve(config, sock)
    return 0
