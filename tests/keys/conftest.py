"""Fixtures for keys, cards and pins: real keys, real cards, no mocks."""

from __future__ import annotations

import base64
import datetime as dt
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from crypto import card as cardmod
from crypto.card import Card, Endpoint, TusEndpoint, create_card
from crypto.keygen import generate_mlkem768x25519, generate_x25519
from crypto.signing import SigningKey
from tests.peers import REPO

TODAY = dt.date(2026, 6, 1)  # fixed "today" so expiry tests do not depend on the clock


@dataclass
class Org:
    key: SigningKey
    recipients: list[str]
    name: str = "Example Rights Watch"
    website: str = "https://rights.example.org"

    def card(self, **overrides: Any) -> Card:
        args: dict[str, Any] = {
            "name": self.name,
            "website": self.website,
            "recipients": self.recipients,
            "endpoints": [TusEndpoint("https://inbox.rights.example.org/files/")],
            "issued": TODAY,
            "expires": TODAY + dt.timedelta(days=365),
        }
        args.update(overrides)
        return create_card(self.key, **args)


def new_org(name: str = "Example Rights Watch", *, pq: bool = False, **kw: Any) -> Org:
    gen = generate_mlkem768x25519 if pq else generate_x25519
    return Org(SigningKey.generate(), [str(gen().recipient()) for _ in range(2)], name, **kw)


@pytest.fixture
def org() -> Org:
    return new_org()


def sign_document(key: SigningKey, doc: dict[str, Any]) -> str:
    """Sign an arbitrary document and armor it, bypassing create_card's checks.

    Lets tests build cards that are validly signed but otherwise wrong, so the
    parser's own checks (not the signature) must refuse them.
    """
    unsigned = {k: v for k, v in doc.items() if k != "sig"}
    sig = key.sign(cardmod.SIGNED_DOMAIN + cardmod.canonical_json(unsigned))
    full = {**unsigned, "sig": base64.urlsafe_b64encode(sig).decode().rstrip("=")}
    return armor_body(cardmod.canonical_json(full))


def armor_body(body: bytes, headers: Sequence[str] = ()) -> str:
    b64 = base64.b64encode(body).decode().rstrip("=")
    lines = [cardmod.BEGIN, *headers, ""]
    lines += [b64[i : i + 64] for i in range(0, len(b64), 64)]
    lines += ["=" + cardmod._checksum(body), cardmod.END]
    return "\n".join(lines) + "\n"


def body_of(armored: str) -> bytes:
    lines = armored.strip().splitlines()
    b64 = "".join(ln for ln in lines[1:-1] if ln and ":" not in ln and not ln.startswith("="))
    return base64.b64decode(b64 + "=" * (-len(b64) % 4))


def endpoints_doc(eps: Sequence[Endpoint]) -> list[dict[str, str]]:
    return [cardmod._endpoint_doc(e) for e in eps]


# --- the command line, as a subprocess with passphrases on real descriptors ---


@dataclass
class CliResult:
    rc: int
    out: str
    err: str


def run_cli(
    args: Sequence[str],
    *,
    data_dir: Path,
    fds: Mapping[str, str] | None = None,
    stdin: str | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> CliResult:
    """Run `python -m submitter ARGS` in a child process.

    Each ``fds`` entry is a pipe holding that text; ``{name}`` in ``args`` is
    replaced by the pipe's descriptor number (as --passphrase-fd N expects).
    """
    numbers: dict[str, str] = {}
    opened: list[int] = []
    for name, text in (fds or {}).items():
        r, w = os.pipe()
        os.write(w, text.encode())
        os.close(w)
        opened.append(r)
        numbers[name] = str(r)
    full_env = {k: v for k, v in os.environ.items() if k != "SUBMITTER_STATE_PASSPHRASE"}
    full_env.update({"SUBMITTER_DATA_DIR": str(data_dir), **(env or {})})
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "submitter", *(a.format(**numbers) for a in args)],
            input=stdin, capture_output=True, text=True, timeout=120,
            env=full_env, cwd=cwd or REPO, pass_fds=tuple(opened),
        )
    finally:
        for r in opened:
            os.close(r)
    return CliResult(proc.returncode, proc.stdout, proc.stderr)
