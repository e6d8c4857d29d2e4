#!/usr/bin/env bash
# The team lease store's benchmark (crates/entractl/examples/team_bench.rs), in one run against
# one in-process demo tenant and one throwaway PostgreSQL cluster, with real entractl members:
#   1. Graph requests per 10 minutes for ten members on one team store holding 1,000 leases over
#      50 targets: ten `lease reconcile` (every member reconciling everything, today's way) next
#      to ten `lease daemon --every 5s` (one leader reconciles, the others stand by);
#   2. the time from a lease's expiry to its credential's removal (p50/p99/max) with the
#      maintenance leader killed with kill -9 once, and the takeover time;
#   3. issue latency, team store next to SQLite.
# Release build (entractl and the example), run under a private keyring (app-only sign-in
# stores the demo client's secret); needs PostgreSQL's server (scripts/setup.sh --for-tests).
# The output is kept in target/bench/team-store.txt. About 3 minutes. Numbers, not pass/fail.
#
#   scripts/bench-team-store.sh
#
# Set CARGO_TARGET_DIR to build elsewhere; the report still lands in target/bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target/bench
# The example starts the built entractl as the team's members: both in one release build.
cargo build --release -p entractl --bin entractl --example team_bench
release="${CARGO_TARGET_DIR:-target}/release"
{
  echo "# team_bench"
  echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo '+dirty') $(uname -sm), $(nproc) CPUs"
  ENTRACTL="$release/entractl" scripts/with-keyring.sh "$release/examples/team_bench"
} 2>&1 | tee target/bench/team-store.txt
