#!/usr/bin/env bash
# README command 2: set up and run the whole test suite:
#   0. the tree in the house style (scripts/check-format.sh)
#   1. the dev build and every ctest suite (torch-free per TEST, torch suites per binary)
#   2. the torch-free libraries again under AddressSanitizer + UBSan, and the background engine
#      (LibTorch inside, threads, cancellation) under the whole-tree ASan preset
#   3. a short bounded libFuzzer run of every fuzz target (clang)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
start=$(date +%s)
"$root/scripts/setup.sh" --tests dev
"$root/scripts/check-format.sh"
export OMP_WAIT_POLICY=passive
ctest --preset dev -j "$(nproc)"

"$root/scripts/setup.sh" asan-torch-free
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --preset asan-torch-free -j "$(nproc)"
"$root/scripts/setup.sh" asan egmf_engine_tests
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --preset asan -R '^egmf_engine_tests$'

"$root/scripts/fuzz.sh" "${EGMF_FUZZ_SECONDS:-20}"
echo "test.sh: all suites passed in $(( $(date +%s) - start )) s"
