#!/usr/bin/env bash
# Build the macOS one-folder bundle and pack it with a checksum.
# Untested: this project's machines run Linux and PyInstaller cannot
# cross-compile. Run on macOS 13+ with Python 3.11+ from python.org.
# Not done here: a .app wrapper, code signing and notarisation (see README.md).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
PY="${PY:-python3}"
OUT="${OUT:-$ROOT/dist}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# The same pins as the Linux build: fixed times from the last commit and a
# fixed hash seed, so two builds differ only where macOS's toolchain does.
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}"
export PYTHONHASHSEED=0

"$PY" -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q -e . 'pyinstaller>=6.10,<7'
"$WORK/venv/bin/python" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$WORK/dist" --workpath "$WORK/build" packaging/pyinstaller/submitter.spec

VERSION="$("$WORK/venv/bin/python" -c 'import submitter; print(submitter.__version__)')"
mkdir -p "$OUT"
ARCHIVE="$OUT/submitter-$VERSION-macos-$(uname -m).tar.gz"
find "$WORK/dist/submitter" -exec touch -h -t "$(date -u -r "$SOURCE_DATE_EPOCH" +%Y%m%d%H%M.%S)" {} +
# bsdtar: sorted input keeps the archive order stable; no owners travel.
(cd "$WORK/dist" && find submitter -print | LC_ALL=C sort \
    | tar --uid 0 --gid 0 --uname '' --gname '' -cf - -n -T - | gzip -9 -n > "$ARCHIVE")
shasum -a 256 "$ARCHIVE" | tee "$ARCHIVE.sha256"
