#!/usr/bin/env bash
# Start an unlocked gnome-keyring (a real Secret Service) inside the current
# private D-Bus session and run the given command; its exit status is ours.
# The daemon ends with the session bus when dbus-run-session returns.
set -euo pipefail
export XDG_DATA_HOME="${XDG_DATA_HOME:-$(mktemp -d)}"
eval "$(printf 'submitter-test\n' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
# Only a real pid: some versions print none, and `kill 0` would end the
# whole process group (make included).
stop_daemon() {
    local pid="${GNOME_KEYRING_PID:-}"
    if [[ "$pid" =~ ^[1-9][0-9]*$ ]]; then
        kill "$pid" 2>/dev/null || true
    fi
}
trap stop_daemon EXIT
"$@"
