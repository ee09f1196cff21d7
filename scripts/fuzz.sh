#!/usr/bin/env bash
# Builds the libFuzzer targets (preset "fuzz") and runs each for SECONDS from the committed seeds.
#   scripts/fuzz.sh [SECONDS]   (default 20)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-20}"
"$root/scripts/setup.sh" fuzz >/dev/null
work="$(mktemp -d)"
mkdir -p "$root/build/fuzz/artifacts"
trap 'rm -rf "$work"' EXIT
for target in safetensors manifest media tokenizer tfjs csv; do
  mkdir -p "$work/$target"
  cp "$root/tests/fuzz/corpus/$target/"* "$work/$target/" 2>/dev/null || true
  echo "fuzz: $target for ${seconds}s"
  status=0
  # A fixed seed keeps CI repeatable (the same mutations each run); EGMF_FUZZ_SEED=0 picks one at random.
  "$root/build/fuzz/bin/fuzz_$target" -seed="${EGMF_FUZZ_SEED:-1}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$root/build/fuzz/artifacts/" -print_final_stats=1 "$work/$target" \
      >"$work/$target.log" 2>&1 || status=$?
  grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|DONE|ERROR|SUMMARY" "$work/$target.log" || true
  if [ "$status" -ne 0 ]; then
    tail -40 "$work/$target.log"
    echo "fuzz: $target failed (exit $status); the input is in build/fuzz/artifacts/ (make it a regression test)"
    exit 1
  fi
done
