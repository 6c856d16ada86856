"""Reading the C2SP CCTV age vectors dumped by `make setup-test` into .peers/cctv/."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from pathlib import Path

from tests.peers import PEERS

CCTV_DIR = PEERS / "cctv"
EXPECTED_COUNT = 143

# The vectors' failure categories, as named in their `expect:` lines.
EXPECTS = {
    "success",
    "no match",
    "HMAC failure",
    "header failure",
    "payload failure",
    "armor failure",
}


@dataclass
class Vector:
    name: str
    expect: str
    payload_sha256: str | None
    identities: list[str] = field(default_factory=list)
    passphrases: list[str] = field(default_factory=list)
    armored: bool = False
    ciphertext: bytes = b""


def vector_paths() -> list[Path]:
    if not CCTV_DIR.is_dir():
        raise RuntimeError(f"{CCTV_DIR} is missing: run `make setup-test` to dump the vectors")
    paths = sorted(p for p in CCTV_DIR.iterdir() if p.is_file())
    if len(paths) < EXPECTED_COUNT:
        raise RuntimeError(f"only {len(paths)} CCTV vectors in {CCTV_DIR}, want {EXPECTED_COUNT}")
    return paths


def load(path: Path) -> Vector:
    raw = path.read_bytes()
    head, sep, body = raw.partition(b"\n\n")
    assert sep, f"{path.name}: no blank line after the vector header"
    fields: dict[str, list[str]] = {}
    for line in head.decode("utf-8").split("\n"):
        key, _, value = line.partition(": ")
        fields.setdefault(key, []).append(value)
    if fields.get("compressed") == ["zlib"]:
        body = zlib.decompress(body)
    expect = fields["expect"][0]
    assert expect in EXPECTS, f"{path.name}: unknown expectation {expect!r}"
    return Vector(
        name=path.name,
        expect=expect,
        payload_sha256=fields.get("payload", [None])[0],
        identities=fields.get("identity", []),
        passphrases=fields.get("passphrase", []),
        armored=fields.get("armored") == ["yes"],
        ciphertext=body,
    )
