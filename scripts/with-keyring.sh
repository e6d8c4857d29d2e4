#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring
# (the real Secret Service), and a fresh XDG_DATA_HOME so each run starts with
# an empty keyring. Usage: scripts/with-keyring.sh CMD [ARGS...]
#
# Used by the test suite: the keychain code is tested against the real OS
# keychain, never a mock.
#
# The daemon is started by D-Bus activation, from a service file in this run's
# XDG_DATA_HOME (the session bus looks there before /usr/share), which runs this
# script with --secret-service: gnome-keyring-daemon, unlocked with a throwaway
# password. Why not start it once, as a desktop session does: if that daemon ever
# ends (a CI run once lost it half-way through the suite), the next call would
# activate Debian's own service file, a daemon whose login keyring is locked;
# every test after that fails with "Cannot create an item in a locked collection",
# and under Xvfb a locked keyring opens an unlock prompt nobody answers. Here the
# next call starts an unlocked daemon on the same keyring file instead, and the
# end of the previous one is printed with its exit status.
set -euo pipefail
password='entra-desk-test'
if [ "${1:-}" = --secret-service ]; then
  # Started by the session bus: stays in the foreground, so that its end is seen here.
  echo "with-keyring: starting gnome-keyring-daemon (secrets, unlocked)" >&2
  status=0
  gnome-keyring-daemon --foreground --unlock --components=secrets <<< "$password" > /dev/null || status=$?
  echo "with-keyring: gnome-keyring-daemon ended with status $status" >&2
  exit "$status"
fi
if [ -z "${ENTRA_KEYRING_INNER:-}" ]; then
  export ENTRA_KEYRING_INNER=1
  XDG_DATA_HOME="$(mktemp -d -t entra-keyring-XXXXXX)"
  export XDG_DATA_HOME
  mkdir -p "$XDG_DATA_HOME/dbus-1/services"
  self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
  printf '[D-BUS Service]\nName=org.freedesktop.secrets\nExec=%s --secret-service\n' "$self" \
    > "$XDG_DATA_HOME/dbus-1/services/org.freedesktop.secrets.service"
  exec dbus-run-session -- "$0" "$@"
fi
# Inside the session: start the daemon now (a ping activates it), so a broken set-up fails here.
dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \
  org.freedesktop.DBus.Peer.Ping > /dev/null
exec "$@"
