#!/usr/bin/env bash
# Prints "PASSED FAILED": the sums over the "test result: … X passed; Y failed" lines of cargo test logs.
# Usage: scripts/sum-cargo-results.sh LOG...
exec awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } } END { print p+0, f+0 }' "$@"
