#!/usr/bin/env bash
# Runs the JWT inspector's fuzz targets for a number of executions each (default 5,000,000,
# so 10 million in total) and prints each target's executions and time. Not part of the test
# command: it needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`), and a
# few minutes of CPU. Usage: scripts/fuzz.sh [RUNS_PER_TARGET]
# A crash leaves its input in fuzz/artifacts/<target>/ and fails this script.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
runs=${1:-5000000}
for target in decode_validate structured_jwt; do
  mkdir -p "corpus/$target"
  start=$(date +%s)
  cargo +nightly fuzz run "$target" "corpus/$target" -- -runs="$runs" -max_len=4096 -print_final_stats=1 2>&1 \
    | grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+== ERROR|SUMMARY|Done)' || true
  status=${PIPESTATUS[0]}
  echo "$target: $runs runs requested, exit $status, $(( $(date +%s) - start )) s"
  [ "$status" -eq 0 ] || exit "$status"
done
