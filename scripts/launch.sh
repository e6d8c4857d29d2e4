#!/usr/bin/env bash
# Sets up, builds and launches the Entra Desk desktop app. With no tenant
# configured it runs against the built-in demo tenant.
# Usage: scripts/launch.sh [--build-only]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build-app.sh
[ "${1:-}" = "--build-only" ] && exit 0
exec target/debug/entra-desk
