"""The frozen bundle: its size, and the cold start time to the first shown window.

Builds the Linux bundle (as `make package` does) unless BENCH_BUNDLE points at
an existing `submitter` executable, then starts it offscreen several times with
the startup probe and reports the median and worst time from spawn to
"window shown". Target: a shown window within 1.5 s.

A truly cold start reads the bundle from disk, not from the page cache. Where
this process may write /proc/sys/vm/drop_caches (root), each cold run first
drops the cache and the target is judged on those runs; warm runs (the bundle
already cached, as on a second start) are reported beside them. Without that
right only warm runs can be measured, and the output says so.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 7
COLD_RUNS = 5
TARGET_S = 1.5


def _folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def _build(out: Path) -> tuple[Path, Path]:
    env = {**os.environ, "OUT": str(out), "PY": sys.executable}
    subprocess.run(
        ["bash", str(ROOT / "packaging" / "linux" / "build-bundle.sh")],
        cwd=ROOT, env=env, check=True, capture_output=True,
    )
    archive = next(out.glob("submitter-*-linux-*.tar.gz"))
    return archive, out / "submitter" / "submitter"


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-pkg-") as tmp:
        given = os.environ.get("BENCH_BUNDLE")
        if given:
            exe, archive = Path(given), None
        else:
            archive, exe = _build(Path(tmp) / "dist")
        home = Path(tmp) / "home"
        home.mkdir()
        env = {
            "PATH": "/usr/bin:/bin", "HOME": str(home), "QT_QPA_PLATFORM": "offscreen",
            "SUBMITTER_STARTUP_PROBE": "1", "SUBMITTER_DATA_DIR": str(home / "data"),
            "LANG": "C.UTF-8",
        }
        cold = [t for t in (_start(exe, env, drop=True) for _ in range(COLD_RUNS)) if t]
        warm = [t for t in (_start(exe, env, drop=False) for _ in range(RUNS)) if t]
        size = _folder_size(exe.parent)
        print(f"bundle folder: {size / 2**20:.0f} MiB", end="")
        if archive is not None:
            print(f", archive: {archive.stat().st_size / 2**20:.0f} MiB", end="")
        print()
        if cold:
            _report("cold start (page cache dropped)", cold, judged=True)
            _report("warm start (bundle cached)", warm, judged=False)
        else:
            print("page cache cannot be dropped here (not root): only warm starts measured")
            _report("warm start (bundle cached)", warm, judged=True)


def _drop_page_cache() -> bool:
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        return False
    return True


def _start(exe: Path, env: dict[str, str], *, drop: bool) -> float | None:
    """Seconds from spawn to "window-shown"; None when a cold run is impossible."""
    if drop and not _drop_page_cache():
        return None
    start = time.perf_counter()
    proc = subprocess.Popen([str(exe)], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    shown: float | None = None
    for line in proc.stdout:
        if line.strip() == b"window-shown":
            shown = time.perf_counter() - start
            break
    proc.wait(timeout=60)
    if shown is None:
        raise RuntimeError("the bundle exited without showing its window")
    return shown


def _report(label: str, times: list[float], *, judged: bool) -> None:
    median, worst = statistics.median(times), max(times)
    line = f"{label}: median {median:.2f} s, worst {worst:.2f} s over {len(times)} runs"
    if judged:
        verdict = "meets" if median <= TARGET_S else "MISSES"
        line += f" (target <= {TARGET_S} s: {verdict})"
    print(line)


if __name__ == "__main__":
    main()
