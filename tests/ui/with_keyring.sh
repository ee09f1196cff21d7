#!/usr/bin/env bash
# Runs the token store's test with a system keyring: a D-Bus session of its own (dbus-run-session)
# and gnome-keyring's Secret Service, unlocked with a throwaway password in a throwaway home, so
# the keyring path is tested where no desktop runs; both end with the session.
# Usage: with_keyring.sh <egmf_ui_tests binary>
set -euo pipefail
if [ -z "${EGMF_IN_KEYRING_SESSION:-}" ]; then
  EGMF_IN_KEYRING_SESSION=1 exec dbus-run-session -- "$0" "$@"
fi
home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT
export HOME="$home" XDG_DATA_HOME="$home/.local/share" XDG_RUNTIME_DIR="$home"
printf 'throwaway' | gnome-keyring-daemon --unlock --components=secrets >/dev/null
EGMF_EXPECT_KEYRING=1 "$1" --gtest_filter='TokenStore.*'
