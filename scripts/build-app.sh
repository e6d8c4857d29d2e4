#!/usr/bin/env bash
# Builds the self-contained app binary (target/debug/entra-desk): the UI is
# built by Vite and embedded through Tauri's custom protocol, so the binary
# does not need the Vite dev server. (This is what `tauri build --debug
# --no-bundle` does; plain cargo keeps the build free of the npm Tauri CLI,
# whose per-platform packages the package mirror here does not all carry.)
set -euo pipefail
cd "$(dirname "$0")/.."
(cd ui && npm run --silent build)
cargo build -p entra-desk --features custom-protocol
