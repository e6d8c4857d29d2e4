#!/usr/bin/env bash
# Standard clients never written for the demo tenant, against it: MSAL Python and
# Microsoft's Graph SDK for Python.
#
#   tests/conformance/run.sh [path/to/entractl]
#
# Starts `entractl demo serve --tls` (the binary given as $1, else
# target/debug/entractl, built if missing), installs msal + requests and
# msgraph-sdk + azure-identity (pinned) into a venv under
# target/conformance-venv (from PyPI), then runs, against that one tenant:
# - msal_signin.py: public client auth code + PKCE, forced refresh, Graph /me,
#   and confidential clients with a secret and a certificate;
# - msgraph_sdk.py: the Graph surface the app uses through msgraph-sdk's request
#   builders (paging, $select, owners, add/removePassword, $count, groups and
#   users delta, members, $batch, ODataError, 429 retry), signed in app-only with
#   azure-identity's ClientSecretCredential.
# Both run even if the first fails; exit code 0 only if all checks of both pass.
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
# msgraph-sdk and azure-identity are pinned: msgraph_sdk.py works around bugs of these
# versions (its docstring lists them). Deprecated is a dependency msgraph-core imports
# without declaring (msgraph-sdk-python-core issue 1030): without it `client.batch` fails.
packages=(msal requests msgraph-sdk==1.65.0 azure-identity==1.27.0 Deprecated==1.3.1)
# Installed already: every module imports and the pinned versions are the ones there.
ready='
import importlib.metadata as m, msal, requests, msgraph, msgraph_core, azure.identity, deprecated
assert m.version("msgraph-sdk") == "1.65.0" and m.version("azure-identity") == "1.27.0"
'
if [[ -x "$venv/bin/python" ]] && "$venv/bin/python" -c "$ready" 2>/dev/null; then
    python="$venv/bin/python"
elif [[ -d "$lib" ]] && PYTHONPATH="$lib" python3 -c "$ready" 2>/dev/null; then
    export PYTHONPATH="$lib"
    python=python3
else
    echo "conformance: installing ${packages[*]} from PyPI" >&2
    if python3 -m venv "$venv" 2>/dev/null && "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${packages[@]}"
        python="$venv/bin/python"
    else
        # Debian without python3-venv: install into a plain folder on PYTHONPATH instead
        # (--upgrade, so that a folder from an older run gets the pinned versions).
        rm -rf "$venv"
        python3 -m pip install --quiet --disable-pip-version-check --upgrade --target "$lib" "${packages[@]}" || {
            echo "conformance: cannot install ${packages[*]}: install python3-venv (or python3-pip) and retry" >&2
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
status=0
echo "conformance: MSAL Python" >&2
REQUESTS_CA_BUNDLE="$ca" "$python" "$here/msal_signin.py" "$work/info.json" || status=1
# No REQUESTS_CA_BUNDLE here: azure-identity and httpx are handed the demo CA in code.
echo "conformance: msgraph-sdk (Graph SDK for Python)" >&2
"$python" "$here/msgraph_sdk.py" "$work/info.json" || status=1
exit "$status"
