#!/usr/bin/env bash
# Measures the app's cold start and idle memory next to a bare Tauri window.
# Not part of the test suite (numbers, not pass/fail).
# Usage: tests/e2e/bench.sh [--release]   (--release: both optimised, as a package installs them)
set -euo pipefail
cd "$(dirname "$0")/../.."
# What it runs under, as the test command installs it: Xvfb, WebKitWebDriver, the keychain.
scripts/setup.sh --for-tests >&2
if [ "${1:-}" = --release ]; then
  scripts/build-app.sh --release >/dev/null
  cargo build -q --release -p bare-window --features custom-protocol
else
  scripts/build-app.sh >/dev/null
  cargo build -q -p bare-window --features custom-protocol
fi
xvfb-run -a -s "-screen 0 1400x900x24" scripts/with-keyring.sh cargo run -q -p entra-e2e --bin startup_bench -- "$@" 2>/dev/null
