"""Run our inbox server with a chosen Tus-Checksum-Algorithm list, for tests that need a
server offering only sha1 (the one tus makes mandatory). The real server, through the
real uvicorn, bound to loopback: `python -m tests.inbox.limited_inbox DIR ALGO[,ALGO]`."""

from __future__ import annotations

import sys
from pathlib import Path

from submitter.inbox.server import InboxConfig, bind_socket, serve


def main() -> None:
    directory, algorithms = Path(sys.argv[1]), tuple(sys.argv[2].split(","))
    config = InboxConfig(directory=directory, max_size=100 * 1024 * 1024,
                         checksum_algorithms=algorithms)
    sock = bind_socket("127.0.0.1", 0)
    port = sock.getsockname()[1]
    print(f"Inbox listening on http://127.0.0.1:{port}/files/", flush=True)
    serve(config, sock)


if __name__ == "__main__":
    main()
