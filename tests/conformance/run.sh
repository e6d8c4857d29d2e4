#!/usr/bin/env bash
# MSAL Python against the demo tenant: a standard client never written for it.
#
#   tests/conformance/run.sh [path/to/entractl]
#
# Starts `entractl demo serve --tls` (the binary given as $1, else
# target/debug/entractl, built if missing), installs msal + requests into a
# venv under target/conformance-venv (from PyPI), then runs msal_signin.py:
# public client auth code + PKCE, forced refresh, Graph /me, and confidential
# clients with a secret and a certificate. Exit code 0 only if all pass.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${1:-$root/target/debug/entractl}"
if [[ ! -x "$bin" ]]; then
    echo "conformance: building entractl (no binary at $bin)" >&2
    (cd "$root" && cargo build -q -p entractl)
    bin="$root/target/debug/entractl"
fi

venv="$root/target/conformance-venv"
lib="$root/target/conformance-pylib"
if [[ -x "$venv/bin/python" ]] && "$venv/bin/python" -c "import msal, requests" 2>/dev/null; then
    python="$venv/bin/python"
elif [[ -d "$lib" ]] && PYTHONPATH="$lib" python3 -c "import msal, requests" 2>/dev/null; then
    export PYTHONPATH="$lib"
    python=python3
else
    echo "conformance: installing msal and requests from PyPI" >&2
    if python3 -m venv "$venv" 2>/dev/null && "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check msal requests
        python="$venv/bin/python"
    else
        # Debian without python3-venv: install into a plain folder on PYTHONPATH instead.
        rm -rf "$venv"
        python3 -m pip install --quiet --disable-pip-version-check --target "$lib" msal requests || {
            echo "conformance: cannot install msal: install python3-venv (or python3-pip) and retry" >&2
            exit 2
        }
        export PYTHONPATH="$lib"
        python=python3
    fi
fi

work="$(mktemp -d)"
server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

"$bin" demo serve --tls --state-dir "$work/state" >"$work/info.json" 2>"$work/server.log" &
server_pid=$!

# The server prints exactly one JSON line when it is ready.
for _ in $(seq 1 600); do
    if [[ -s "$work/info.json" ]] && grep -q '}' "$work/info.json"; then break; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "conformance: entractl demo serve exited early:" >&2
        cat "$work/server.log" >&2
        exit 1
    fi
    sleep 0.1
done
if ! grep -q '}' "$work/info.json"; then
    echo "conformance: the demo tenant did not report ready within 60 s" >&2
    cat "$work/server.log" >&2
    exit 1
fi

ca="$("$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["caCert"])' "$work/info.json")"
REQUESTS_CA_BUNDLE="$ca" "$python" "$here/msal_signin.py" "$work/info.json"
