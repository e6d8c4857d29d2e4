#!/usr/bin/env bash
# The group cache at a million users (issue 23; crates/entractl/examples/scale_bench.rs): real
# release `entractl` processes against one in-process demo tenant with 100 ms injected latency
# and Graph's throttling model on (8,000 resource units per 10 s):
#   1. a first full sync by listings: wall time against its bound (the longest page chain ×
#      latency, or the resource units ÷ the budget; goal ≤ 1.25), 429s (goal ≤ 1 %), peak RSS,
#      cache size;
#   2. beside it the delta walk from scratch and the peers' way (list, then every group's members);
#   3. a listings sync killed with kill -9 at half way, then resumed (goal: ≤ 1.1 × the requests);
#   4. an incremental sync after 10,000 membership changes;
#   5. a one-shot `groups member-of --transitive --offline` (p50/max of 20, peak RSS).
# Release build (entractl and the example in one cargo run), under a private keyring (app-only
# sign-in keeps the demo client's secret in a keychain); the output is kept in
# target/bench/scale.txt. Numbers, not pass/fail.
#
#   scripts/bench-scale.sh                     # 200,000 users, 20,000 groups, 1,000,000 memberships
#   scripts/bench-scale.sh --large             # 1,000,000 / 100,000 / 5,000,000; the delta walk
#                                              # (~25 min) is skipped unless --with-walk is given
#   scripts/bench-scale.sh --users 20000 --groups 2000 --memberships 100000 --latency-ms 20
#
# Other options go to the example (later ones win): --latency-ms, --changes, --lookups,
# --skip-walk, --timeout-min. Set CARGO_TARGET_DIR to build elsewhere; the report still lands
# in target/bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target/bench
large=0
walk=0
args=()
for arg in "$@"; do
  case "$arg" in
    --large) large=1 ;;
    --with-walk) walk=1 ;;
    *) args+=("$arg") ;;
  esac
done
# The example's own defaults are the 200k/20k/1M sizes; --large passes its sizes first, so that
# sizes given beside it still win.
size=()
if [ "$large" = 1 ]; then
  size=(--users 1000000 --groups 100000 --memberships 5000000)
  [ "$walk" = 1 ] || size+=(--skip-walk)
fi
# The example starts the built entractl: both in one release build.
cargo build --release -p entractl --bin entractl --example scale_bench
release="${CARGO_TARGET_DIR:-target}/release"
{
  echo "# scale_bench ${size[*]:-} ${args[*]:-}"
  echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo '+dirty') $(uname -sm), $(nproc) CPUs"
  ENTRACTL="$release/entractl" scripts/with-keyring.sh "$release/examples/scale_bench" "${size[@]}" "${args[@]}"
} 2>&1 | tee target/bench/scale.txt
