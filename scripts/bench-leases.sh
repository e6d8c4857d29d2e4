#!/usr/bin/env bash
# The lease reconciliation benchmark (crates/entractl/examples/leases_bench.rs): reconciliation
# after a crash for an application with 100 client secrets (60 of this store: current, lost,
# interrupted issues, expired, interrupted revocations; 40 foreign) at 50 ms injected latency
# per Graph request, with a per-lease peer's way beside it on an identical application, and a
# steady-state run. Time and requests (ours and the tenant's own count), and the ratio.
# Release build, run under a private keyring (app-only sign-in stores the demo client's
# secret); the output is kept in target/bench/leases.txt. Numbers, not pass/fail (the end
# state is checked: every foreign credential survives).
#
#   scripts/bench-leases.sh                                  # the defaults above
#   scripts/bench-leases.sh --ours 120 --foreign 80 --latency-ms 20
#
# Set CARGO_TARGET_DIR to build elsewhere; the report still lands in target/bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target/bench
args=("$@")
if [ ${#args[@]} -eq 0 ]; then
  args=(--ours 60 --foreign 40 --latency-ms 50)
fi
cargo build --release -p entractl --example leases_bench
bin="${CARGO_TARGET_DIR:-target}/release/examples/leases_bench"
{
  echo "# leases_bench ${args[*]}"
  echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo '+dirty') $(uname -sm), $(nproc) CPUs"
  scripts/with-keyring.sh "$bin" "${args[@]}"
} 2>&1 | tee target/bench/leases.txt
