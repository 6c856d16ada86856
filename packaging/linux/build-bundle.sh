#!/usr/bin/env bash
# Build the Linux one-folder bundle and pack it reproducibly:
# fixed timestamps (SOURCE_DATE_EPOCH, from the last commit), sorted names,
# no owners, gzip without a name or time. Prints the archive and its SHA-256.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
PY="${PY:-$ROOT/.venv/bin/python}"
OUT="${OUT:-$ROOT/dist}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}"
# Python's hash seed changes set/dict order in compiled data; pin it.
export PYTHONHASHSEED=0

"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$WORK/dist" --workpath "$WORK/build" \
    packaging/pyinstaller/submitter.spec

BUNDLE="$WORK/dist/submitter"
install -Dm644 packaging/linux/io.github.submitter_project.Submitter.desktop \
    "$BUNDLE/share/applications/io.github.submitter_project.Submitter.desktop"
install -Dm644 packaging/linux/io.github.submitter_project.Submitter.metainfo.xml \
    "$BUNDLE/share/metainfo/io.github.submitter_project.Submitter.metainfo.xml"
install -Dm644 packaging/linux/icons/io.github.submitter_project.Submitter.svg \
    "$BUNDLE/share/icons/hicolor/scalable/apps/io.github.submitter_project.Submitter.svg"

VERSION="$("$PY" -c 'import submitter; print(submitter.__version__)')"
mkdir -p "$OUT"
ARCHIVE="$OUT/submitter-$VERSION-linux-$(uname -m).tar.gz"
find "$BUNDLE" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
    -C "$WORK/dist" -cf - submitter | gzip -9 -n > "$ARCHIVE"
rm -rf "$OUT/submitter"
cp -a "$BUNDLE" "$OUT/submitter"
sha256sum "$ARCHIVE" | tee "$ARCHIVE.sha256"
