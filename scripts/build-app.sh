#!/usr/bin/env bash
# Builds the self-contained app binary: the UI is built by Vite and embedded
# through Tauri's custom protocol, so the binary does not need the Vite dev
# server. (This is what `tauri build --no-bundle` does; plain cargo keeps the
# build free of the npm Tauri CLI, whose per-platform packages the package
# mirror here does not all carry.)
#
# Usage: scripts/build-app.sh [--release]
#   (default)  target/debug/entra-desk, for quick local runs of the e2e tests;
#   --release  target/release/entra-desk and entractl, with exactly the command
#              scripts/package.sh runs, so the test suite builds the app once and
#              both the e2e tests and the packages use that one build.
set -euo pipefail
cd "$(dirname "$0")/.."
(cd ui && npm run --silent build)
case "${1:-}" in
  --release) cargo build --release -p entra-desk -p entractl --features entra-desk/custom-protocol ;;
  "") cargo build -p entra-desk --features custom-protocol ;;
  *) echo "usage: scripts/build-app.sh [--release]" >&2; exit 2 ;;
esac
