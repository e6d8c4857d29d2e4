#!/usr/bin/env bash
# Builds the self-contained app binary (target/debug/entra-desk): the UI is
# built by Vite and embedded through Tauri's custom protocol, so the binary
# does not need the Vite dev server.
set -euo pipefail
cd "$(dirname "$0")/.."
(cd ui && npm run --silent build)
ui/node_modules/.bin/tauri build --debug --no-bundle --ci
