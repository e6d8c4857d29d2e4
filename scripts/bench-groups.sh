#!/usr/bin/env bash
# The group cache benchmark (crates/entra-core/examples/groups_bench.rs): a full delta sync of
# 5,000 groups and 100,000 memberships at 50 ms injected latency, the peers' way (list then
# /members per group) beside it, an incremental round after 10 membership changes, transitive
# lookups from the cache vs Graph, peak heap, cache size, and a sync cancelled halfway.
# Release build, run under a private keyring (app-only sign-in stores the demo client's
# secret); the output is kept in target/bench/groups.txt. Numbers, not pass/fail.
#
#   scripts/bench-groups.sh                                  # the defaults above
#   scripts/bench-groups.sh --groups 1000 --memberships 20000 --latency-ms 20
#
# Set CARGO_TARGET_DIR to build elsewhere; the report still lands in target/bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target/bench
args=("$@")
if [ ${#args[@]} -eq 0 ]; then
  args=(--groups 5000 --memberships 100000 --latency-ms 50 --changes 10)
fi
cargo build --release -p entra-core --example groups_bench
bin="${CARGO_TARGET_DIR:-target}/release/examples/groups_bench"
{
  echo "# groups_bench ${args[*]}"
  echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo '+dirty') $(uname -sm), $(nproc) CPUs"
  scripts/with-keyring.sh "$bin" "${args[@]}"
} 2>&1 | tee target/bench/groups.txt
