#!/usr/bin/env bash
# entractl's sign-in against a certified OpenID provider never written for it (panva's
# oidc-provider, from the npm registry, exactly as locked here), in a private keychain:
#
#   tests/oidc-provider/run.sh [path/to/entractl]
#
# See signin.mjs for what it proves. Exit code 0 only if all of it holds.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${1:-$root/target/debug/entractl}"
if [[ ! -x "$bin" ]]; then
    echo "oidc-provider: building entractl (no binary at $bin)" >&2
    (cd "$root" && cargo build -q -p entractl)
    bin="$root/target/debug/entractl"
fi
if [ ! -d "$here/node_modules/oidc-provider" ] || [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
    echo "oidc-provider: npm ci in tests/oidc-provider" >&2
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
exec "$root/scripts/with-keyring.sh" node "$here/signin.mjs" "$bin"
