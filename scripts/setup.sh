#!/usr/bin/env bash
# Installs what Entra Desk needs on a fresh Debian 12 machine that has only
# Rust, Node 20 and npm: the system libraries Tauri links against, the real
# keychain and display used by the tests, and the UI's npm packages.
# Idempotent: what is already there is not installed again.
#
# Usage: scripts/setup.sh [--for-tests | --for-packages]
#   --for-packages: also what scripts/package.sh rewrites the .rpm with (rpmbuild, cpio);
#   --for-tests: that and everything the test command runs.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  pkg-config libssl-dev                                   # TLS and -sys crates
  libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libayatana-appindicator3-dev  # Tauri on Linux
  xdg-utils                                               # opens the system browser for sign-in
)
if [ "${1:-}" = "--for-tests" ] || [ "${1:-}" = "--for-packages" ]; then
  packages+=(rpm cpio)                                    # scripts/package.sh rewrites the .rpm with rpmbuild
fi
if [ "${1:-}" = "--for-tests" ]; then
  packages+=(
    dbus dbus-bin gnome-keyring                            # the real Secret Service, in a private D-Bus session
    xvfb xauth webkit2gtk-driver xdotool                   # the real app under a virtual display, driven over WebDriver (its save dialog by xdotool)
    desktop-file-utils man-db zsh fish x11-utils           # the install proof reads the menu entry, the man page, the completions, the window's app ID
    postgresql                                             # a throwaway PostgreSQL cluster for the team lease store's tests
  )
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The UI's packages, exactly as locked.
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  echo "setup: npm ci in ui/" >&2
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
fi
