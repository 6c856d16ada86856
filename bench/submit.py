"""Submit a >= 1 GiB MP4 end to end, against `mat2` + `age -r` and against `cp`.

All three run in the same session on the same (page-cached) input, each in
its own process so peak memory (max RSS from wait4) is measured per run:

- submitter: detect, clean (MP4 cleaner), hash, tar, pad, encrypt to one
  recipient, write parts into a folder, fsync, rename;
- mat2 then age: `mat2 --inplace`-style clean into a copy, then `age -r` on it;
- cp: `cp` then `sync` on the copy (our pipeline fsyncs its parts too).

The input is generated once with ffmpeg (4K MJPEG frames with noise, so it
does not compress) into $SUBMITTER_BENCH_DIR (default /var/tmp/submitter-bench)
and reused. Prints seconds, MB/s, ratios and peak RSS.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.peers import tool

MiB = 1024 * 1024
MIN_SIZE = 1024 * MiB
REPO = Path(__file__).resolve().parent.parent

# A what-if, clearly separate from the shipped code: the same pipeline with
# crypto/stream.py's per-chunk seal done by OpenSSL (pyca/cryptography) instead
# of PyNaCl's libsodium, to show what that change in crypto/ would buy.
_WHAT_IF_OPENSSL = r"""
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
import crypto.stream as cs
_aead = {{}}
def _seal(key, counter, last, plain, out):
    a = _aead.get(key)
    if a is None:
        a = _aead[key] = ChaCha20Poly1305(key)
    out[:] = a.encrypt(cs.chunk_nonce(counter, last), plain, None)
cs._seal = _seal
"""

_CHILD = r"""
import sys, time
sys.path.insert(0, {repo!r})
{patch}
from pathlib import Path
from crypto.recipients import parse_recipient
from submitter.bundle.pipeline import submit
res = submit([Path({src!r})], [parse_recipient({rcpt!r})], Path({out!r}))
print(len(res.parts))
"""


def bench_dir() -> Path:
    d = Path(os.environ.get("SUBMITTER_BENCH_DIR", "/var/tmp/submitter-bench"))
    d.mkdir(parents=True, exist_ok=True)
    return d


def make_input(d: Path) -> Path:
    path = d / "evidence-4k.mp4"
    if path.exists() and path.stat().st_size >= MIN_SIZE:
        return path
    tmp = d / "evidence-4k.partial.mp4"
    print("generating a >= 1 GiB MP4 with ffmpeg (once)...", flush=True)
    subprocess.run([tool("ffmpeg"), "-v", "error", "-y", "-nostdin", "-f", "lavfi",
                    "-i", "testsrc2=s=3840x2160:r=30", "-t", "4.6",
                    "-vf", "noise=alls=100:allf=t", "-c:v", "mjpeg", "-q:v", "1",
                    "-pix_fmt", "yuvj420p", "-metadata", "title=Cell block B",
                    "-metadata", "artist=Jane Source", "-metadata", "location=+51.53+046.03/",
                    "-movflags", "+faststart", str(tmp)], check=True, timeout=1800)
    subprocess.run([tool("exiftool"), "-q", "-overwrite_original", "-Make=Apple",
                    "-Model=iPhone 12", "-SerialNumber=C39XK2ABC123", str(tmp)],
                   check=True, timeout=600)
    tmp.rename(path)
    return path


def _run(argv: list[str], cwd: Path | None = None) -> tuple[float, int, float]:
    """Wall seconds, peak RSS (bytes) and CPU seconds (user + system) of one child."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{argv[0]} failed")
    return elapsed, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime


def _warm(path: Path) -> None:
    with open(path, "rb") as fh:
        while fh.read(8 * MiB):
            pass


def main() -> None:
    d = bench_dir()
    src = make_input(d)
    size = src.stat().st_size
    keygen = subprocess.run([tool("age-keygen")], capture_output=True, text=True, check=True)
    rcpt = next(line.split(": ")[1] for line in keygen.stderr.splitlines()
                if line.startswith("Public key"))
    results: dict[str, tuple[float, int, float]] = {}
    with tempfile.TemporaryDirectory(dir=d) as work_s:
        work = Path(work_s)
        _warm(src)

        # cp (+ sync of the copy)
        dst = work / "copy.mp4"
        t_cp, m_cp, c_cp = _run(["cp", str(src), str(dst)])
        t_sync, _, c_sync = _run(["sync", str(dst)])
        results["cp + sync"] = (t_cp + t_sync, m_cp, c_cp + c_sync)
        dst.unlink()

        # mat2 then age -r
        _warm(src)
        m2 = work / "m2"
        m2.mkdir()
        shutil.copyfile(src, m2 / "in.mp4")  # mat2 writes next to its input; not timed
        _warm(m2 / "in.mp4")
        t_mat2, m_mat2, c_mat2 = _run([tool("mat2"), str(m2 / "in.mp4")])
        cleaned = m2 / "in.cleaned.mp4"
        t_age, m_age, c_age = _run([tool("age"), "-r", rcpt, "-o", str(work / "out.age"),
                                    str(cleaned)])
        t_s, _, c_s = _run(["sync", str(work / "out.age")])
        results["mat2 + age -r"] = (t_mat2 + t_age + t_s, max(m_mat2, m_age),
                                    c_mat2 + c_age + c_s)
        shutil.rmtree(m2)
        (work / "out.age").unlink()

        # submitter
        _warm(src)
        out = work / "parts"
        out.mkdir()
        code = _CHILD.format(repo=str(REPO), src=str(src), rcpt=rcpt, out=str(out), patch="")
        results["submitter submit"] = _run([sys.executable, "-c", code])
        parts = list(out.iterdir())
        for p in parts:
            p.unlink()

        _warm(src)
        code = _CHILD.format(repo=str(REPO), src=str(src), rcpt=rcpt, out=str(out),
                             patch=_WHAT_IF_OPENSSL.format())
        results["what-if: OpenSSL"] = _run([sys.executable, "-c", code])

    ours = results["submitter submit"][0]
    print(f"input: {size / MiB:.0f} MiB MP4; cores: {os.cpu_count()}; "
          f"load average: {os.getloadavg()[0]:.1f}; parts written: {len(parts)}")
    # cores busy = CPU seconds / wall seconds: how much of the machine each run used.
    print(f"{'run':<18}{'seconds':>9}{'MB/s':>9}{'peak RSS MB':>13}{'cores busy':>12}")
    for name, (secs, rss, cpu) in results.items():
        print(f"{name:<18}{secs:>9.2f}{size / MiB / secs:>9.0f}{rss / MiB:>13.0f}"
              f"{cpu / secs:>12.2f}")
    t_m = results["mat2 + age -r"][0]
    t_c = results["cp + sync"][0]
    print(f"speed-up vs mat2 + age: {t_m / ours:.2f}x (target >= 1.5x)")
    print(f"time vs cp: {ours / t_c:.2f}x (target <= 1.5x)")
    print(f"peak memory: {results['submitter submit'][1] / MiB:.0f} MB (target < 150 MB)")
    _w, _m, cpu = results["submitter submit"]
    print(f"cores busy while submitting: {cpu / ours:.2f} of {os.cpu_count()} "
          f"(CPU {cpu:.1f} s over {ours:.1f} s wall; the rest is waiting on the disk)")
    t_w = results["what-if: OpenSSL"][0]
    print(f"what-if (OpenSSL AEAD in crypto/stream.py, not shipped): {t_m / t_w:.2f}x vs "
          f"mat2 + age, {t_w / t_c:.2f}x cp")
