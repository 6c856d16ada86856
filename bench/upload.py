"""Upload throughput of a 1 GiB part over loopback: our tus client (through the outbox
and courier, as the app sends) against `curl` sending the same bytes with one tus PATCH
to the same server in the same run. Servers: our inbox server and @tus/server.

Prints MB/s for each and the ratio ours/curl (target: at least 0.80).
Set BENCH_UPLOAD_MIB to change the part size (default 1024).
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from pathlib import Path

import httpx
from nacl.pwhash import argon2id

from bench import write_random_file
from crypto.statekey import PassphraseStateKeyStore
from submitter.outbox import Courier, Destination
from submitter.outbox.queue import Outbox
from submitter.transports.base import SendJob, no_progress
from submitter.transports.tus import TusTransport

REPO = Path(__file__).resolve().parent.parent
ROUNDS = 3


def _start(argv: list[str], pattern: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            cwd=REPO)
    assert proc.stdout is not None
    deadline = time.monotonic() + 30
    for line in proc.stdout:
        if pattern in line:
            url = next(w for w in line.split() if w.startswith("http://"))
            threading.Thread(target=proc.stdout.read, daemon=True).start()
            return proc, url
        if time.monotonic() > deadline:
            break
    proc.kill()
    raise RuntimeError(f"server did not start: {argv}")


def _curl_once(url: str, part: Path, size: int, *, crc32: bool = False) -> float:
    """curl sending the part in one tus PATCH. With ``crc32`` it does the same verified
    work as ours against our inbox: CRC the bytes, send them with Upload-Checksum: crc32,
    the server checks the CRC."""
    start = time.perf_counter()
    checksum_header: list[str] = []
    if crc32:
        crc = 0
        with open(part, "rb") as fh:
            while block := fh.read(16 * 2**20):
                crc = zlib.crc32(block, crc)
        checksum = base64.b64encode(crc.to_bytes(4, "big")).decode()
        checksum_header = ["-H", f"Upload-Checksum: crc32 {checksum}"]
    with httpx.Client(trust_env=False) as client:
        resp = client.post(url, headers={"Tus-Resumable": "1.0.0", "Upload-Length": str(size)})
        resp.raise_for_status()
        upload = str(httpx.URL(url).join(resp.headers["Location"]))
    subprocess.run(
        ["curl", "-sS", "--fail", "-X", "PATCH", "-o", "/dev/null",
         "-H", "Tus-Resumable: 1.0.0", "-H", "Upload-Offset: 0", *checksum_header,
         "-H", "Content-Type: application/offset+octet-stream", "-T", str(part), upload],
        check=True)
    return time.perf_counter() - start


def _no_checksum_once(url: str, part: Path, size: int) -> float:
    job = SendJob("bench", part, size, "bench")
    start = time.perf_counter()
    TusTransport(url, checksums=False).send(job, no_progress, threading.Event())
    return time.perf_counter() - start


def _ours_once(url: str, part: Path, data_dir: Path) -> float:
    store = PassphraseStateKeyStore(data_dir / "state.salt", "bench",
                                    opslimit=argon2id.OPSLIMIT_MIN, memlimit=argon2id.MEMLIMIT_MIN)
    ob = Outbox(store, data_dir)
    link = ob.new_part_path()
    os.link(part, link)  # delivery deletes the link, not the source bytes
    pid = ob.enqueue(link, Destination("tus", url))
    start = time.perf_counter()
    report = Courier(ob, route="direct").deliver_due(threading.Event())
    elapsed = time.perf_counter() - start
    ob.close()
    if report.delivered != [pid]:
        raise RuntimeError(f"upload failed: {report}")
    return elapsed


def main() -> None:
    size = int(os.environ.get("BENCH_UPLOAD_MIB", "1024")) * 1024 * 1024
    if shutil.which("curl") is None:
        raise RuntimeError("curl is missing: run `make setup-test`")
    work = Path(tempfile.mkdtemp(prefix="bench-upload-"))
    try:
        part = work / "part"
        write_random_file(part, size)
        servers = {
            "submitter inbox": ([sys.executable, "-m", "submitter", "inbox", "serve",
                                 "--dir", str(work / "inbox"), "--port", "0",
                                 "--max-size", str(size)], "listening on"),
            "@tus/server": (["node", str(REPO / "tests" / "transports" / "tus_server.mjs"), "0",
                             str(work / "tusd")], "listening"),
        }
        (work / "tusd").mkdir()
        print(f"part: {size / 2**20:.0f} MiB, loopback, best of {ROUNDS}")
        print(f"{'server':<16} {'client':<26} {'MB/s':>8}")
        for name, (argv, pattern) in servers.items():
            proc, url = _start(argv, pattern)
            store = work / ("inbox" if name.startswith("submitter") else "tusd")
            try:
                results: dict[str, float] = {}
                clients = ["curl (one PATCH)", "ours (as shipped)"]
                if name.startswith("submitter"):
                    # Our inbox offers the checksum extension (crc32, sha1); ours picks
                    # crc32. Show what it costs.
                    clients += ["curl + crc32 checksum", "ours, checksums off"]
                for _ in range(ROUNDS):
                    for label in clients:
                        if label == "curl (one PATCH)":
                            t = _curl_once(url, part, size)
                        elif label == "curl + crc32 checksum":
                            t = _curl_once(url, part, size, crc32=True)
                        elif label == "ours, checksums off":
                            t = _no_checksum_once(url, part, size)
                        else:
                            t = _ours_once(url, part, work / "data")
                        results[label] = min(results.get(label, float("inf")), t)
                        _clear_store(store)
                curl_rate = size / results["curl (one PATCH)"] / 1e6
                for label, t in results.items():
                    rate = size / t / 1e6
                    print(f"{name:<16} {label:<26} {rate:8.1f}  vs curl {rate / curl_rate:.2f}")
                # Same bytes, same server: the ratio of rates is the inverse ratio of times.
                shipped = results["curl (one PATCH)"] / results["ours (as shipped)"]
                verdict = "meets" if shipped >= 0.80 else "MISSES"
                print(f"{name:<16} verdict: ours as shipped at {shipped:.2f} of curl "
                      f"(target >= 0.80: {verdict})")
                if "curl + crc32 checksum" in results:
                    same_work = results["curl + crc32 checksum"] / results["ours (as shipped)"]
                    print(f"{name:<16} ours vs curl doing the same checksum work: {same_work:.2f}")
            finally:
                proc.terminate()
                proc.wait(30)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _clear_store(store: Path) -> None:
    for sub in ("received", "uploads"):
        target = store / sub
        if target.is_dir():
            for entry in target.iterdir():
                shutil.rmtree(entry, ignore_errors=True)
    if store.name == "tusd":
        for entry in store.iterdir():
            entry.unlink()


if __name__ == "__main__":
    main()
