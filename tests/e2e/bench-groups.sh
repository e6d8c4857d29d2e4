#!/usr/bin/env bash
# The Group caches screen's reads in the real app at a large tenant's size (issue 23):
# tests/e2e/src/bin/groups_bench.rs. Release app and entractl; under Xvfb and a private keyring,
# as the test command runs the end-to-end tests. Numbers, not pass/fail; the output is kept in
# target/bench/groups-app.txt.
#
#   tests/e2e/bench-groups.sh                                  # 1,000,000 users / 100,000 groups / 5,000,000 memberships
#   tests/e2e/bench-groups.sh --users 200000 --groups 20000 --memberships 1000000
#   tests/e2e/bench-groups.sh --cache path/to/cache.sqlite     # reuse a filled cache
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p target/bench
# What it runs under, as the test command installs it: Xvfb, WebKitWebDriver, the keychain.
scripts/setup.sh --for-tests >&2
scripts/build-app.sh --release >&2
cargo build -q -p entra-e2e --bin groups_bench
export ENTRA_DESK_BIN="$PWD/target/release/entra-desk" ENTRACTL="$PWD/target/release/entractl"
{
  echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo '+dirty') $(uname -sm), $(nproc) CPUs"
  xvfb-run -a -s "-screen 0 1400x900x24" scripts/with-keyring.sh target/debug/groups_bench "$@"
} 2>&1 | tee target/bench/groups-app.txt
