#!/usr/bin/env bash
# Builds the app and runs the end-to-end tests under Xvfb with the real keychain.
# Screenshots: target/e2e-artifacts/. Prints "e2e: N passed, M failed".
# Usage: tests/e2e/run.sh [--release]
#   --release tests target/release/entra-desk, built as scripts/package.sh builds it: the suite
#   passes it when the package stage follows, so the app is compiled once, not in debug and release.
set -uo pipefail
cd "$(dirname "$0")/../.."
mkdir -p target/test-logs
mode=${1:-}
case "$mode" in
  --release)
    build=(scripts/build-app.sh --release)
    export ENTRA_DESK_BIN="$PWD/target/release/entra-desk"
    # The shell's own unit tests, with the packages and features of that build (so nothing is rebuilt).
    shell_tests=(cargo test --release -p entra-desk -p entractl --features entra-desk/custom-protocol --bin entra-desk) ;;
  "")
    # entractl too (a second team-store member beside the app in leases_team.rs), next to the app binary;
    # build-app.sh --release builds both already.
    build=(bash -c 'scripts/build-app.sh && cargo build -p entractl')
    shell_tests=(cargo test -p entra-desk --features custom-protocol) ;;
  *) echo "usage: tests/e2e/run.sh [--release]" >&2; exit 2 ;;
esac
"${build[@]}" > target/test-logs/build-app.log 2>&1 || { tail -n 40 target/test-logs/build-app.log; echo "e2e: 0 passed, 1 failed"; exit 1; }
rm -rf target/e2e-artifacts
{
  "${shell_tests[@]}" 2>&1
  shell_status=$?
  xvfb-run -a -s "-screen 0 1400x900x24" scripts/with-keyring.sh \
    cargo test -p entra-e2e --no-fail-fast -- --test-threads=1 2>&1
  e2e_status=$?
  [ "$shell_status" -eq 0 ] && [ "$e2e_status" -eq 0 ]
} | tee target/test-logs/e2e-tests.log
status=${PIPESTATUS[0]}
sums=$(scripts/sum-cargo-results.sh target/test-logs/e2e-tests.log)
[ "$status" -eq 0 ] || [ "${sums#* }" -gt 0 ] || sums="${sums% *} 1"
echo "e2e: ${sums% *} passed, ${sums#* } failed"
exit "$status"
