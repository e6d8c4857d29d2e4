#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring
# (the real Secret Service), and a fresh XDG_DATA_HOME so each run starts with
# an empty keyring. Usage: scripts/with-keyring.sh CMD [ARGS...]
#
# Used by the test suite: the keychain code is tested against the real OS
# keychain, never a mock.
set -euo pipefail
if [ -z "${ENTRA_KEYRING_INNER:-}" ]; then
  export ENTRA_KEYRING_INNER=1
  XDG_DATA_HOME="$(mktemp -d -t entra-keyring-XXXXXX)"
  export XDG_DATA_HOME
  exec dbus-run-session -- "$0" "$@"
fi
# Inside the session: start the secrets component, unlocked with a throwaway password.
eval "$(printf 'entra-desk-test' | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)" || true
export GNOME_KEYRING_CONTROL SSH_AUTH_SOCK 2>/dev/null || true
exec "$@"
