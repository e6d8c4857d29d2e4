#!/usr/bin/env bash
# Prints Entra Desk's version: `version` under `[workspace.package]` in the root Cargo.toml, the one place it
# lives (the app, entractl --version and the packages all read it). Exits 2 when there is none.
# Used by scripts/package.sh and tests/package/run.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(awk '/^\[workspace.package\]/ { in_section = 1; next } /^\[/ { in_section = 0 }
               in_section && $1 == "version" { gsub(/"/, "", $3); print $3; exit }' Cargo.toml)
[ -n "$version" ] || { echo "no version under [workspace.package] in Cargo.toml" >&2; exit 2; }
echo "$version"
