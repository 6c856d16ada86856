"""The frozen bundle: its size, and the cold start time to the first shown window.

Builds the Linux bundle (as `make package` does) unless BENCH_BUNDLE points at
an existing `submitter` executable, then starts it offscreen several times with
the startup probe and reports the median and worst time from spawn to
"window shown". Target: a shown window within 1.5 s.
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
        times: list[float] = []
        for _ in range(RUNS):
            start = time.perf_counter()
            proc = subprocess.Popen(
                [str(exe)], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
            )
            assert proc.stdout is not None
            for line in proc.stdout:
                if line.strip() == b"window-shown":
                    times.append(time.perf_counter() - start)
                    break
            proc.wait(timeout=60)
        size = _folder_size(exe.parent)
        print(f"bundle folder: {size / 2**20:.0f} MiB", end="")
        if archive is not None:
            print(f", archive: {archive.stat().st_size / 2**20:.0f} MiB", end="")
        print()
        median, worst = statistics.median(times), max(times)
        verdict = "meets" if median <= TARGET_S else "MISSES"
        print(
            f"cold start to shown window: median {median:.2f} s, worst {worst:.2f} s over "
            f"{len(times)} runs (target <= {TARGET_S} s: {verdict})"
        )


if __name__ == "__main__":
    main()
