#!/usr/bin/env bash
# Runs bench/desktop.mjs against APP inside its own Xvfb display and D-Bus
# session, with a fresh unlocked keyring for the session token.
# usage: bench/desktop.sh APP
set -euo pipefail
cd "$(dirname "$0")/.."
app=$1
work=$(mktemp -d)
display=":$((110 + RANDOM % 9))"
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb=$!
cleanup() {
  kill "$xvfb" 2>/dev/null || true
  # The desktop portal may leave its FUSE folder mounted in the home.
  umount -l "$work/home/.cache/doc" 2>/dev/null || true
  rm -rf "$work" 2>/dev/null || true
}
trap cleanup EXIT
sleep 1
mkdir -p "$work/home"
DISPLAY=$display HOME="$work/home" APP=$app dbus-run-session -- bash -c '
  set -euo pipefail
  eval "$(printf "courier-bench" | gnome-keyring-daemon --unlock --components=secrets)"
  export GNOME_KEYRING_CONTROL
  node bench/desktop.mjs "$APP"
'
