#!/usr/bin/env bash
# CI's short fuzz run: every libFuzzer target for SECONDS (default 20) with a fixed seed, so each
# run tries the same mutations; the committed seeds include every input that once crashed.
# For the long runs use tools/fuzz (default 10 minutes per target).
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec "$root/tools/fuzz" --scratch --seconds "${1:-20}" --seed "${EGMF_FUZZ_SEED:-1}"
