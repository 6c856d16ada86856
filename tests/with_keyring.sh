#!/usr/bin/env bash
# Start an unlocked gnome-keyring (a real Secret Service) inside the current
# private D-Bus session, run the given command, and stop the daemon after.
set -euo pipefail
export XDG_DATA_HOME="${XDG_DATA_HOME:-$(mktemp -d)}"
eval "$(printf 'submitter-test\n' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
trap 'kill "${GNOME_KEYRING_PID:-0}" 2>/dev/null || true' EXIT
"$@"
