#!/usr/bin/env bash
# Installs pinned npm packages for a reference test into a cache that survives new clones, and
# prints the folder holding node_modules. Usage: npm_fetch.sh NAME PACKAGE@VERSION...
# Cache: $EGMF_NPM_CACHE, else ~/.cache/egmf-studio/npm. Exit 77 (the skip code the tests read)
# when npm is missing or the registry cannot be reached, so a test can say so and skip.
set -uo pipefail
name="$1"; shift
root="${EGMF_NPM_CACHE:-$HOME/.cache/egmf-studio/npm}"
dir="$root/$name"
stamp="$dir/.installed-$(printf '%s\n' "$@" | sha256sum | cut -c1-16)"
if [[ -f "$stamp" ]]; then
    echo "$dir"
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "npm is not installed (scripts/setup.sh installs it)" >&2
    exit 77
fi
mkdir -p "$dir"
log="$dir/npm-install.log"
# --ignore-scripts: the reference packages need no install step, and none should run.
if ! (cd "$dir" && timeout 300 npm install --prefix "$dir" --no-save --ignore-scripts --no-audit \
        --no-fund --loglevel=error "$@" >"$log" 2>&1); then
    if grep -qiE 'ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ENETUNREACH|network' "$log"; then
        echo "the npm registry is unreachable; see $log" >&2
        exit 77
    fi
    echo "npm install $* failed; see $log" >&2
    cat "$log" >&2
    exit 1
fi
touch "$stamp"
echo "$dir"
