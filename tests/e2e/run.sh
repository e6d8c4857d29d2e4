#!/usr/bin/env bash
# Builds the app and runs the end-to-end tests under Xvfb with the real keychain.
# Screenshots: target/e2e-artifacts/. Prints "e2e: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
scripts/build-app.sh > target/test-logs/build-app.log 2>&1 || { tail -n 40 target/test-logs/build-app.log; echo "e2e: 0 passed, 1 failed"; exit 1; }
rm -rf target/e2e-artifacts
{
  # The shell's own unit tests, with the same features as the binary (so nothing is rebuilt).
  cargo test -p entra-desk --features custom-protocol 2>&1
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
