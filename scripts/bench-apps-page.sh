#!/usr/bin/env bash
# The paged inventory benchmark (crates/entra-core/examples/apps_page_bench.rs): a cache of
# 50,000 app registrations and their service principals (100,000 objects, ~140,000 credentials),
# read the old way — the whole inventory loaded, shaped and serialised as `apps_list` sent it,
# and the whole expiry report — beside the new one, a page at a time: a search keystroke, a sort
# change, a scroll to the middle, a filter chip, the report's summary. p50/p99 of wall and CPU
# time (the CPU figure holds on a busy machine). Release build; the output is kept in
# target/bench/apps-page.txt. Numbers, not pass/fail.
#
#   scripts/bench-apps-page.sh                      # the defaults above
#   scripts/bench-apps-page.sh --apps 10000 --rounds 5
#
# Set CARGO_TARGET_DIR to build elsewhere; the report still lands in target/bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target/bench
args=("$@")
if [ ${#args[@]} -eq 0 ]; then
  args=(--apps 50000 --rounds 10)
fi
cargo build --release -p entra-core --example apps_page_bench
bin="${CARGO_TARGET_DIR:-target}/release/examples/apps_page_bench"
{
  echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo '+dirty') $(uname -sm), $(nproc) CPUs"
  "$bin" "${args[@]}"
} 2>&1 | tee target/bench/apps-page.txt
