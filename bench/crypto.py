"""age throughput: our CLI against the `age` CLI on the same file, in one run.

Generates a 1 GiB random file (8 GiB more with BENCH_BIG=1) in a temporary
directory, then times, alternately and three times each, `age -r` against
`python -m submitter encrypt -r`, and `age -d` against `python -m submitter
decrypt`, both reading the same input file and writing to /dev/null (so the
figures compare the tools, not the disk). Prints the best time of each, the
throughput ratios ours/age, and the peak RSS of our processes (per process,
from wait4). Targets from the issue: encryption >= 1.1x, decryption >= 1.3x,
peak RSS < 100 MB and the same for 8 GiB as for 1 GiB.

Two more lines put the ratios in context. Start-up is timed as an encryption
of an empty file (the same imports as a real run). The ceiling is what
libsodium's ChaCha20-Poly1305 seals per second on one core, measured here,
times the cores: no libsodium-based tool can beat it, so it shows whether a
target is reachable on this machine at all.

The 8 GiB check runs on every `make bench`: a sparse 8 GiB file is encrypted
by our CLI straight into our decrypting CLI through a pipe (no 8 GiB ever
lands on disk), and both processes' peak RSS is compared with 1 GiB's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench import write_random_file

REPO = Path(__file__).resolve().parent.parent
GIB = 1 << 30
ROUNDS = 3


@dataclass
class Run:
    seconds: float
    max_rss_mb: float


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"bench: {name!r} is missing; run `make setup-test`")
    return found


def _timed(argv: list[str], stdin: Path | None = None) -> Run:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    with open(os.devnull, "wb") as sink, open(stdin or os.devnull, "rb") as src:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=src, stdout=sink, cwd=REPO, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"bench: {' '.join(argv[:4])} failed with status {proc.returncode}")
    return Run(elapsed, usage.ru_maxrss / 1024)


def _best(runs: list[Run]) -> Run:
    return Run(min(r.seconds for r in runs), max(r.max_rss_mb for r in runs))


def _measure(work: Path, size: int, age: str, age_keygen: str) -> dict[str, float]:
    plain = work / "plain.bin"
    print(f"generating {size / GIB:.0f} GiB of random data ...", flush=True)
    write_random_file(plain, size)
    key = work / "key.txt"
    subprocess.run([age_keygen, "-o", str(key)], check=True, capture_output=True)
    recipient = subprocess.run([age_keygen, "-y", str(key)], check=True,
                               capture_output=True, text=True).stdout.strip()
    cipher = work / "cipher.age"
    subprocess.run([age, "-r", recipient, "-o", str(cipher), str(plain)], check=True)
    ours = [sys.executable, "-m", "submitter"]
    commands = {
        ("encrypt", "age"): [age, "-r", recipient, str(plain)],
        ("encrypt", "ours"): [*ours, "encrypt", "-r", recipient, str(plain)],
        ("decrypt", "age"): [age, "-d", "-i", str(key), str(cipher)],
        ("decrypt", "ours"): [*ours, "decrypt", "-i", str(key), str(cipher)],
    }
    results: dict[tuple[str, str], list[Run]] = {k: [] for k in commands}
    empty = work / "empty.bin"
    empty.write_bytes(b"")
    startup: list[Run] = []
    for _ in range(ROUNDS):
        for name, argv in commands.items():  # alternate, so load drifts hit both
            results[name].append(_timed(argv))
        startup.append(_timed([*ours, "encrypt", "-r", recipient, str(empty)]))
    print(f"\n{size / GIB:.0f} GiB, best of {ROUNDS}, output to /dev/null, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print(f"{'operation':<10}{'age s':>9}{'ours s':>9}{'age MB/s':>11}{'ours MB/s':>11}"
          f"{'ratio':>8}{'target':>8}{'ours RSS MB':>13}")
    for op, target in (("encrypt", 1.1), ("decrypt", 1.3)):
        theirs, mine = _best(results[(op, "age")]), _best(results[(op, "ours")])
        ratio = theirs.seconds / mine.seconds
        print(f"{op:<10}{theirs.seconds:>9.2f}{mine.seconds:>9.2f}"
              f"{size / theirs.seconds / 1e6:>11.0f}{size / mine.seconds / 1e6:>11.0f}"
              f"{ratio:>7.2f}x{target:>7.1f}x{mine.max_rss_mb:>13.1f}")
    # Informational: how much of our time is the interpreter's start-up and
    # imports, which age, a static binary, does not pay.
    boot = _best(startup).seconds
    without = []
    for op in ("encrypt", "decrypt"):
        theirs, mine = _best(results[(op, "age")]), _best(results[(op, "ours")])
        without.append(f"{op} {theirs.seconds / max(1e-9, mine.seconds - boot):.2f}x")
    print(f"our CLI start-up (encrypting an empty file): {boot:.2f} s; "
          f"ratios without it: {', '.join(without)}")
    per_core = _sodium_seal_rate()
    cores = os.cpu_count() or 1
    age_enc = size / _best(results[("encrypt", "age")]).seconds
    print(f"libsodium ChaCha20-Poly1305 here: {per_core / 1e6:.0f} MB/s per core, "
          f"ceiling {per_core * cores / 1e6:.0f} MB/s on {cores} cores for sealing alone; "
          f"encryption at 1.1x age needs {1.1 * age_enc / 1e6:.0f} MB/s end to end")
    plain.unlink()
    cipher.unlink()
    return {op: _best(results[(op, "ours")]).max_rss_mb for op in ("encrypt", "decrypt")}


def _sodium_seal_rate() -> float:
    """Bytes per second that one core seals in 64 KiB chunks (best of 3)."""
    import nacl.bindings  # noqa: F401  (runs sodium_init)
    from nacl._sodium import ffi, lib

    key, nonce = bytes(32), bytes(12)
    plain, out = bytearray(64 * 1024), bytearray(64 * 1024 + 16)
    src, dst = ffi.from_buffer(plain), ffi.from_buffer(out, require_writable=True)
    chunks = 4096  # 256 MiB
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(chunks):
            lib.crypto_aead_chacha20poly1305_ietf_encrypt(
                dst, ffi.NULL, src, len(plain), ffi.NULL, 0, ffi.NULL, nonce, key)
        best = min(best, time.perf_counter() - start)
    return chunks * len(plain) / best


def _piped_rss(work: Path, size: int, recipient: str, key: Path) -> dict[str, float]:
    """Peak RSS of our encrypt piped into our decrypt over a sparse ``size`` file."""
    sparse = work / "sparse.bin"
    with open(sparse, "wb") as f:
        f.truncate(size)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    ours = [sys.executable, "-m", "submitter"]
    with open(os.devnull, "wb") as sink:
        enc = subprocess.Popen([*ours, "encrypt", "-r", recipient, str(sparse)],
                               stdout=subprocess.PIPE, cwd=REPO, env=env)
        dec = subprocess.Popen([*ours, "decrypt", "-i", str(key)], stdin=enc.stdout,
                               stdout=sink, cwd=REPO, env=env)
        assert enc.stdout is not None
        enc.stdout.close()  # the decryptor holds the only read end now
        rss: dict[str, float] = {}
        for op, proc in (("encrypt", enc), ("decrypt", dec)):
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            if proc.returncode != 0:
                raise SystemExit(f"bench: piped {op} of {size / GIB:.0f} GiB failed")
            rss[op] = usage.ru_maxrss / 1024
    sparse.unlink()
    return rss


def main() -> None:
    age, age_keygen = _tool("age"), _tool("age-keygen")
    with tempfile.TemporaryDirectory(prefix="bench-crypto-") as tmp:
        work = Path(tmp)
        free = shutil.disk_usage(tmp).free
        if free < 2.2 * GIB:
            raise SystemExit(f"bench: need {2.2:.1f} GiB free in {tmp}")
        _measure(work, GIB, age, age_keygen)
        key = work / "key.txt"
        recipient = subprocess.run([age_keygen, "-y", str(key)], check=True,
                                   capture_output=True, text=True).stdout.strip()
        rss = {size: _piped_rss(work, size, recipient, key) for size in (GIB, 8 * GIB)}
    print("peak RSS, encrypt piped into decrypt (sparse input):")
    for op in ("encrypt", "decrypt"):
        small, big = rss[GIB][op], rss[8 * GIB][op]
        same = "unchanged" if abs(big - small) <= 4 else "CHANGED"
        print(f"  {op}: 1 GiB {small:.1f} MB, 8 GiB {big:.1f} MB ({same}; target < 100 MB)")


if __name__ == "__main__":
    main()
