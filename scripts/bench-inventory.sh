#!/usr/bin/env bash
# The inventory benchmark (crates/entra-graph/examples/inventory_bench.rs): 10,000 app
# registrations with credentials and owners, and the service principals, read from an
# in-process demo tenant at 50 ms injected latency by our client ($top=999 + owners in
# $batch), by $expand=owners and by a naive client (default page size, one owners request
# per app), then ours again with 20 % of the requests throttled (Retry-After 1 s).
# Release build; the output is kept in target/bench/inventory.txt.
#
#   scripts/bench-inventory.sh                       # the defaults above
#   scripts/bench-inventory.sh --apps 2000 --no-throttled
#
# Set CARGO_TARGET_DIR to build elsewhere; the report still lands in target/bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target/bench
args=("$@")
if [ ${#args[@]} -eq 0 ]; then
  args=(--apps 10000 --latency-ms 50 --concurrency 8 --throttle-fraction 0.2 --retry-after 1)
fi
cargo build --release -p entra-graph --example inventory_bench
bin="${CARGO_TARGET_DIR:-target}/release/examples/inventory_bench"
{
  echo "# inventory_bench ${args[*]}"
  echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo '+dirty') $(uname -sm), $(nproc) CPUs"
  "$bin" "${args[@]}"
} 2>&1 | tee target/bench/inventory.txt
